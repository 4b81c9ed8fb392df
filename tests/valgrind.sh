#!/bin/sh
# make valgrind: the unit tests, the CLI tests and the model tests with every
# aggr process and every unit test under valgrind's memcheck. Any memcheck
# error, or a definitely or indirectly lost block, fails the case it
# happened in (aggr exits 199, a unit test 99); the suite "memcheck" then
# counts every process from its log: one passed for each that ran clean,
# one failed for each that did not (so that an error counts even where a
# case ignores aggr's status, as in a pipeline, or a signal ended aggr).
# Ends with "N passed, M failed" like run-all.sh.
#
# usage: AGGR_BIN=.../build/aggr UNIT_DIR=.../build sh tests/valgrind.sh [FILE.t...]
# With FILE.t arguments only those CLI files run (no unit or model tests).
# The logs that are not empty stay in $UNIT_DIR/valgrind/logs.
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
log=$(mktemp)
trap 'rm -f "$log"' EXIT
opts="--leak-check=full --errors-for-leak-kinds=definite,indirect --quiet"

# run.sh runs each case under env -i, so the wrapper names everything by
# its absolute path. It execs valgrind, so that signals a case sends
# (timeout, kill -TERM) reach aggr as without the wrapper. A process with
# findings exits 199, which run.sh reports as a crash; each process logs
# to a file of its own (the time keeps a reused pid from taking another's).
cat >"$work/aggr" <<EOF
#!/bin/sh
exec "$vg" $opts --error-exitcode=199 --log-file="$work/logs/aggr.\$(/bin/date +%s%N).%p" "$AGGR_BIN" "\$@"
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
		suite "$vg" $opts --error-exitcode=99 --log-file="$work/logs/$(basename "$t").%p" "$t"
	done
	AGGR_BIN=$work/aggr suite bash "$here/cli/run.sh" "$here"/cli/*.t
	for t in "$here"/model/*.py; do
		[ -f "$t" ] && AGGR_BIN=$work/aggr suite python3 "$t"
	done
fi
# every process: clean, or with findings that are errors (memcheck errors,
# definitely or indirectly lost blocks), or with notes only (possibly lost
# blocks: the thread stacks of a process that SIGPIPE or a signal ended)
ok=0 bad=0 notes=0
for f in "$work/logs"/*; do
	[ -s "$f" ] || { [ -f "$f" ] && ok=$((ok + 1)); continue; }
	if grep -E '^==[0-9]+== [^ ]' "$f" |
		grep -qvE 'are possibly lost in loss record|are still reachable in loss record|^==[0-9]+== Warning: '; then
		bad=$((bad + 1))
		echo "not ok memcheck: $f"
		head -n 40 "$f" | sed 's/^/    /'
	else
		ok=$((ok + 1))
		notes=$((notes + 1))
	fi
done
find "$work/logs" -type f -empty -delete
[ "$notes" = 0 ] || echo "# memcheck: $notes logs with notes only (possibly lost blocks) in $work/logs"
echo "memcheck: $ok passed, $bad failed" | tee -a "$log"

passed=$(sed -n 's/^.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\( (.*)\)\{0,1\}$/\1/p' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(sed -n 's/^.*: \([0-9][0-9]*\) passed, \([0-9][0-9]*\) failed\( (.*)\)\{0,1\}$/\2/p' "$log" | awk '{s+=$1} END {print s+0}')
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
