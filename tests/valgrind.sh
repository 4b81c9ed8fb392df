#!/bin/sh
# make valgrind: the unit tests, the CLI tests and the model tests with every
# aggr process and every unit test under valgrind's memcheck. Any memcheck
# error, or a definitely or indirectly lost block, fails the case it
# happened in; the suite "memcheck" then counts every aggr process run: one
# passed for each that ran clean, one failed for each that did not (so that
# an error is counted even where a case ignores aggr's status, as in a
# pipeline). Ends with "N passed, M failed" like run-all.sh.
#
# usage: AGGR_BIN=.../build/aggr UNIT_DIR=.../build sh tests/valgrind.sh [FILE.t...]
# With FILE.t arguments only those CLI files run (no unit or model tests).
# The logs of runs with errors stay in $UNIT_DIR/valgrind/logs.
here=$(cd "$(dirname "$0")" && pwd)
: "${AGGR_BIN:?set AGGR_BIN to the aggr binary}"
: "${UNIT_DIR:?set UNIT_DIR to the directory of the test-* binaries}"
if ! vg=$(command -v valgrind); then
	echo "valgrind: not installed (Debian: apt-get install valgrind)"
	echo "0 passed, 1 failed"
	exit 1
fi
work=$UNIT_DIR/valgrind
rm -rf "$work"
mkdir -p "$work/logs" || exit 1
: >"$work/runs"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
opts="--error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect --quiet"

# run.sh runs each case under env -i, so the wrapper names everything by
# its absolute path. With --quiet the log stays empty unless memcheck
# found something; such a run exits 199, which run.sh reports as a crash.
cat >"$work/aggr" <<EOF
#!/bin/sh
vlog=\$(/usr/bin/mktemp "$work/logs/aggr.XXXXXX")
"$vg" $opts --log-file="\$vlog" "$AGGR_BIN" "\$@"
rc=\$?
if [ "\$rc" = 99 ] || [ -s "\$vlog" ]; then
	echo "error \$vlog" >>"$work/runs"
	echo "valgrind: memcheck errors, see \$vlog" >&2
	exit 199
fi
echo ok >>"$work/runs"
rm -f "\$vlog"
exit "\$rc"
EOF
chmod +x "$work/aggr"

# as in run-all.sh: a suite that exits nonzero while claiming no failure
# (memcheck's exit 99), or prints no result line, counts as one failure
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

if [ $# -gt 0 ]; then
	AGGR_BIN=$work/aggr suite bash "$here/cli/run.sh" "$@"
else
	for t in "$UNIT_DIR"/test-*; do
		[ -x "$t" ] || continue
		# %p: forked children (the unit tests' crashing writers) log apart
		suite "$vg" $opts --log-file="$work/logs/$(basename "$t").%p" "$t"
	done
	AGGR_BIN=$work/aggr suite bash "$here/cli/run.sh" "$here"/cli/*.t
	for t in "$here"/model/*.py; do
		[ -f "$t" ] && AGGR_BIN=$work/aggr suite python3 "$t"
	done
fi
ok=$(grep -c '^ok$' "$work/runs")
bad=$(grep -c '^error ' "$work/runs")
echo "memcheck: $ok passed, $bad failed" | tee -a "$log"

# the logs that hold something, each with its first lines
find "$work/logs" -type f -empty -delete
n=$(find "$work/logs" -type f | wc -l)
if [ "$n" -gt 0 ]; then
	echo "valgrind: $n logs with findings in $work/logs:"
	for f in "$work/logs"/*; do
		echo "--- $f"
		head -n 40 "$f"
	done
fi

passed=$(sed -n 's/^.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\( (.*)\)\{0,1\}$/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/^.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\( (.*)\)\{0,1\}$/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
