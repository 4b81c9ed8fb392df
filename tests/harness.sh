#!/bin/sh
# The test harness itself: tests/run-all.sh, run on a stub tree, must count
# a suite that crashes or exits nonzero as a failure and exit nonzero, so
# that make check can never be green over a crashed suite.
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# run-all.sh with unit "binaries" made of the given shell bodies, and a CLI
# suite that passes; sets out and rc
run_stub() {
	rm -rf "$tmp/t" "$tmp/u"
	mkdir -p "$tmp/t/cli" "$tmp/u"
	cp "$here/run-all.sh" "$tmp/t/"
	echo 'echo "cli: 2 passed, 0 failed"' >"$tmp/t/cli/run.sh"
	: >"$tmp/t/cli/a.t"
	i=0
	for body in "$@"; do
		i=$((i + 1))
		printf '#!/bin/sh\n%s\n' "$body" >"$tmp/u/test-$i"
		chmod +x "$tmp/u/test-$i"
	done
	out=$(UNIT_DIR="$tmp/u" AGGR_BIN=/bin/true sh "$tmp/t/run-all.sh" 2>&1)
	rc=$?
}

expect() {   # name want_rc want_last_line
	last=$(printf '%s\n' "$out" | tail -n 1)
	if [ "$rc" = "$2" ] && [ "$last" = "$3" ]; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "not ok harness: $1: exit $rc, last line \"$last\"; want exit $2, \"$3\""
	fi
}

run_stub 'echo "u: 3 passed, 0 failed"'
expect "all pass" 0 "5 passed, 0 failed"
run_stub 'echo "u: 3 passed, 1 failed"; exit 1'
expect "a failed check" 1 "5 passed, 1 failed"
run_stub 'echo "u: 3 passed, 0 failed"; exit 1'
expect "nonzero exit with 0 failed" 1 "5 passed, 1 failed"
run_stub 'kill -SEGV $$'
expect "a crash before the result line" 1 "2 passed, 1 failed"
run_stub 'echo "u: 3 passed, 0 failed"' 'exit 0'
expect "one suite without a result line" 1 "5 passed, 1 failed"

echo "harness: $pass passed, $fail failed"
[ "$fail" = 0 ]
