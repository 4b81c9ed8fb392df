# tests/crash/lib.sh: what the power-cut scripts share (sourced by bash).
#
#   . "$(cd "$(dirname "$0")" && pwd)/lib.sh"
#   crash_init NAME      strict mode, $aggr, $here, $work (removed on exit),
#                        a fixed AGGR_NOW, and the shim built as
#                        $work/powercut.so; on failure prints NAME's tally
#   ok / not_ok WHAT [WHY]   count a check (not_ok prints "not ok ...")
#   crash_done [TEXT]    prints "# TEXT" (default: the crash points), then
#                        "NAME: N passed, M failed", and exits 0 only when
#                        nothing failed
#
# $points is the scripts' own count of crash points exercised.

crash_init() {
	set -u
	crash_name=$1
	: "${AGGR_BIN:?set AGGR_BIN to the aggr binary}"
	aggr=$AGGR_BIN
	here=$(cd "$(dirname "$0")" && pwd)
	pass=0 fail=0 points=0
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	export AGGR_NOW=2022-01-15T22:00:00Z
	# the shim is not built with the sanitizers: let ASan start after it
	export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
	${CC:-cc} -shared -fPIC -O1 -o "$work/powercut.so" "$here/powercut.c" -ldl || {
		echo "$crash_name: 0 passed, 1 failed (cannot build the shim)"
		exit 1
	}
}

ok() { pass=$((pass + 1)); }
not_ok() { fail=$((fail + 1)); echo "not ok $1${2:+: $2}"; }

crash_done() {
	echo "# ${1:-$crash_name: $points crash points}"
	echo "$crash_name: $pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}
