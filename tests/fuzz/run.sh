#!/bin/sh
# Run libFuzzer targets built by "make fuzz": each for SECONDS, seeded with
# tests/fuzz/corpus/NAME/* except slow-* (inputs that take libFuzzer half a
# second each; make check still replays them), with NAME.dict when present.
# New inputs go to tests/fuzz/work/NAME (scratch, not the corpus); crashes,
# hangs, leaks and OOMs to tests/fuzz/findings/NAME/; the log of each run to
# tests/fuzz/work/NAME.log. Prints one summary line per target and exits 1
# when any target found something.
# usage: sh tests/fuzz/run.sh SECONDS NAME...
# env: FUZZ_JOBS (targets run at once, default 1), FUZZ_FLAGS (more libFuzzer
# options, e.g. "-fork=2 -ignore_crashes=1" to go on after a crash)
here=$(cd "$(dirname "$0")" && pwd)
secs=${1:-60}
shift
jobs=${FUZZ_JOBS:-1}

run_one() {
	name=$1
	bin="$here/bin/fuzz-$name"
	work="$here/work/$name"
	found="$here/findings/$name"
	mkdir -p "$work" "$found" "$here/corpus/$name"
	dict=""
	[ -f "$here/$name.dict" ] && dict="-dict=$here/$name.dict"
	seeds="$here/work/$name.seeds"
	find "$here/corpus/$name" -maxdepth 1 -type f ! -name 'slow-*' ! -name '.*' | sort | paste -sd, - >"$seeds"
	seed_opt=""
	[ -s "$seeds" ] && seed_opt="-seed_inputs=@$seeds"
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$found/" $dict $seed_opt $FUZZ_FLAGS "$work" \
		>"$here/work/$name.log" 2>&1
	echo $? >"$here/work/$name.rc"
}

summary() {
	name=$1
	log="$here/work/$name.log"
	rc=$(cat "$here/work/$name.rc" 2>/dev/null || echo '?')
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	[ -n "$execs" ] || execs=$(grep -Eo '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')
	cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -n 1)
	units=$(find "$here/work/$name" -type f | wc -l)
	crashes=$(find "$here/findings/$name" -type f | wc -l)
	echo "fuzz $name: exit $rc, ${execs:-0} executions, ${cov:-cov: ?}, $units new inputs, $crashes findings"
}

mkdir -p "$here/work"
for name in "$@"; do rm -f "$here/work/$name.rc"; done
# a pool of FUZZ_JOBS runs: start the next as soon as one ends
running=""
for name in "$@"; do
	while [ "$(echo $running | wc -w)" -ge "$jobs" ]; do
		sleep 1
		still=""
		for r in $running; do
			[ -f "$here/work/$r.rc" ] || still="$still $r"
		done
		running=$still
	done
	run_one "$name" &
	running="$running $name"
done
wait
status=0
for name in "$@"; do
	summary "$name"
	rc=$(cat "$here/work/$name.rc" 2>/dev/null || echo 1)
	[ "$rc" = 0 ] || status=1
done
for name in "$@"; do
	ls "$here/findings/$name" 2>/dev/null | sed "s|^|finding: tests/fuzz/findings/$name/|"
done
exit $status
