#!/bin/sh
# bench/scale.sh (make bench-scale) end to end on a tiny store: every query
# runs and has the same answer at both sizes, the tables and the goal lines
# are printed, the segments are the runs, and the RESULTS section replaces
# the old one and nothing else. The figures themselves are not checked.
# usage: AGGR_BIN=... sh tests/bench-scale.sh
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok $*"; }
notok() { fail=$((fail + 1)); echo "not ok $*"; }
aggr=${AGGR_BIN:?AGGR_BIN: the aggr to run}
if [ ! -x /usr/bin/time ]; then	# scale.sh would install it: not from a test
	echo "ok skipped: no /usr/bin/time (apt-get install time)"
	echo "bench-scale: 1 passed, 0 failed"
	exit 0
fi

${CC:-cc} -std=c11 -O2 -ffp-contract=off -o "$tmp/gen" "$here/../bench/gen.c" || notok "build bench/gen"
printf '# results\n\nby hand\n<!-- bench-scale begin -->\nold section\n<!-- bench-scale end -->\nafter\n' >"$tmp/RESULTS.md"
scale() {	# OUT ERR [VAR=VALUE...]: a tiny bench/scale.sh run
	o=$1 e=$2
	shift 2
	env SCALE_N=200 SCALE_RUNS=2 SCALE_SIZES="1 2" BENCH_RUNS=1 SCALE_DIR="$tmp/s" \
		BENCH_RESULTS="$tmp/RESULTS.md" BENCH_GEN="$tmp/gen" AGGR_BIN="$aggr" "$@" \
		sh "$here/../bench/scale.sh" >"$o" 2>"$e"
}
scale "$tmp/out" "$tmp/err"
rc=$?
[ "$rc" = 0 ] && ok "exit 0" || notok "exit $rc: $(grep -v '^scale: ' "$tmp/err" | head -n 5; grep 'failed\|differs' "$tmp/err" | head -n 5)"
grep -q 'differs\|DIFFERS' "$tmp/out" "$tmp/err" && notok "an answer differs between sizes" || ok "the answers are the same at both sizes"
n=$(grep -c '^| `' "$tmp/out")
[ "$n" = 9 ] && ok "9 query rows" || notok "$n query rows, want 9"
# the stats rows: size, log, segments (one a run: 2 copies x 2 runs at 2x)
got=$(sed -n 's/^| \([0-9]*x\) | \([a-z/]*\) | \([0-9]*\) | .*/\1 \2 \3/p' "$tmp/out" | tr '\n' ',')
want="1x sessions 2,1x flows 2,1x counters 2,1x events 2,1x streams/bench 2,2x sessions 4,2x flows 4,2x counters 4,2x events 4,2x streams/bench 4,"
[ "$got" = "$want" ] && ok "segments: one a run" || notok "segments: $got, want $want"
n=$(grep -c '^- \(PASS\|FAIL\): ' "$tmp/out")
[ "$n" = 15 ] && ok "15 goal lines" || notok "$n goal lines, want 15"
grep -q '^- \(PASS\|FAIL\): peak RSS of every query at every size under 32 MiB' "$tmp/out" && ok "RSS goal line" || notok "no RSS goal line"
f=$tmp/RESULTS.md
if [ "$(grep -c '^<!-- bench-scale begin -->$' "$f")" = 1 ] && [ "$(grep -c '^<!-- bench-scale end -->$' "$f")" = 1 ] &&
   [ "$(sed -n 3p "$f")" = "by hand" ] && [ "$(tail -n 1 "$f")" = after ] && ! grep -q 'old section' "$f" &&
   grep -q '^## History scaling: 200 records a copy' "$f" && grep -q '^### Scaling model' "$f"; then
	ok "RESULTS.md: the section replaced, the rest kept"
else
	notok "RESULTS.md: $(head -c 600 "$f")"
fi
# a failing aggr stops the run with a message and status 1
scale "$tmp/out2" "$tmp/err2" AGGR_BIN=/bin/false BENCH_RESULTS=-
rc=$?
if [ "$rc" = 1 ] && grep -q '^scale: 1x: cannot load copy 0 of sessions$' "$tmp/err2"; then
	ok "failing aggr: exit 1"
else
	notok "failing aggr: exit $rc: $(cat "$tmp/err2")"
fi
echo "bench-scale: $pass passed, $fail failed"
[ "$fail" = 0 ]
