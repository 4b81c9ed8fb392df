#!/bin/sh
# Replay every corpus file through its harness without libFuzzer:
# $UNIT_DIR/replay-NAME over tests/fuzz/corpus/NAME/*, built by make check
# with the normal compiler and flags (sanitizers under SANITIZE=...).
# Prints "not ok" for each file that crashed, then one line
# "fuzz replay: N passed, M failed" (N: files that ran clean).
# usage: UNIT_DIR=build sh tests/fuzz/replay.sh [NAME...]
# FUZZ_CORPUS=tests/fuzz/pending replays the open findings instead.
here=$(cd "$(dirname "$0")" && pwd)
bindir=${UNIT_DIR:-$here/../../build}
corpus=${FUZZ_CORPUS:-$here/corpus}
names=$*
if [ -z "$names" ]; then
	for d in "$corpus"/*/; do
		[ -d "$d" ] && names="$names $(basename "$d")"
	done
fi
# a hang is a failure too (libFuzzer's -timeout is 10s per input)
to=""
command -v timeout >/dev/null 2>&1 && to="timeout 60"
passed=0
failed=0
for name in $names; do
	bin="$bindir/replay-$name"
	dir="$corpus/$name"
	n=$(find "$dir" -maxdepth 1 -type f ! -name '.*' | wc -l)
	if [ ! -x "$bin" ]; then
		echo "not ok fuzz $name: $bin missing (make check builds it)"
		failed=$((failed + n))
		[ "$n" -gt 0 ] || failed=$((failed + 1))
		continue
	fi
	# all files in one run; only when that fails, one run per file to say which
	if $to "$bin" "$dir" >/dev/null 2>&1; then
		passed=$((passed + n))
		echo "ok fuzz $name: $n inputs"
		continue
	fi
	for f in "$dir"/*; do
		[ -f "$f" ] || continue
		# sh -c: its "Aborted" notice goes to the captured stderr too
		out=$(sh -c '"$@"' sh $to "$bin" "$f" 2>&1)
		rc=$?
		if [ $rc = 0 ]; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			echo "not ok fuzz $name: $f (exit $rc)"
			printf '%s\n' "$out" | grep -E 'ERROR|SUMMARY|fuzz property|runtime error|#[0-9]+ ' | head -n 12 | sed 's/^/#   /'
		fi
	done
done
echo "fuzz replay: $passed passed, $failed failed"
[ "$failed" = 0 ]
