#!/bin/sh
# Run every suite and end with one line "N passed, N failed".
# Each suite prints lines "SUITE: N passed, M failed" (and "not ok" lines).
# usage: AGGR_BIN=... UNIT_DIR=... sh tests/run-all.sh
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

# A suite that exits nonzero while claiming no failure, or prints no result
# line at all (it crashed), counts as one failure.
suite() {
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	grep -v '^ok ' "$out"
	cat "$out" >>"$log"
	line=$(grep -E ': [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$*: 0 passed, 1 failed (no result line, exit $rc)" | tee -a "$log"
	elif [ "$rc" != 0 ] && [ "${line##*, }" = "0 failed" ]; then
		echo "$*: 0 passed, 1 failed (exit $rc)" | tee -a "$log"
	fi
	rm -f "$out"
}

for t in "$UNIT_DIR"/test-*; do
	[ -x "$t" ] && suite "$t"
done
suite bash "$here/cli/run.sh" "$here"/cli/*.t
for t in "$here"/crash/*.sh; do
	[ "${t##*/}" = lib.sh ] && continue	# sourced by the scripts, not a suite
	[ -f "$t" ] && suite bash "$t"
done
[ -f "$here/closed-fds.sh" ] && suite bash "$here/closed-fds.sh"
[ -f "$here/model/events-model.py" ] && suite python3 "$here/model/events-model.py"
[ -f "$here/model/stream-model.py" ] && suite python3 "$here/model/stream-model.py"
[ -f "$here/model/cluster-model.py" ] && suite python3 "$here/model/cluster-model.py"
[ -f "$here/completions.sh" ] && suite bash "$here/completions.sh"
[ -f "$here/man-lint.sh" ] && suite sh "$here/man-lint.sh"
[ -f "$here/readme-examples.py" ] && suite python3 "$here/readme-examples.py"
[ -f "$here/fuzz/replay.sh" ] && suite sh "$here/fuzz/replay.sh"
[ -f "$here/bench-gen.sh" ] && suite sh "$here/bench-gen.sh"
[ -f "$here/bench-scale.sh" ] && suite sh "$here/bench-scale.sh"
[ -f "$here/harness.sh" ] && suite sh "$here/harness.sh"

# the lines suite() adds for a crashed suite end in "failed (why)": count them
passed=$(sed -n 's/^.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\( (.*)\)\{0,1\}$/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/^.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\( (.*)\)\{0,1\}$/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
suites=$(grep -cE ': [0-9]+ passed, [0-9]+ failed( \(.*\))?$' "$log")
[ "$suites" -gt 0 ] || failed=$((failed + 1))
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
