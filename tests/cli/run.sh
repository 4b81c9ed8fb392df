#!/bin/bash
# Run CLI test files (*.t): each case is a command, its exact stdout, its
# exact stderr and its exit status. Format:
#
#   # comment
#   $ aggr flows --hour 1          command, run by bash in a fresh temp dir
#   {"items":[],...}               expected stdout line (or "| text" for a
#                                  line that starts with $ ! [ # or is empty)
#   ! aggr: flows: ...             expected stderr line, exactly
#   !~ regex                       some stderr line matches this ERE
#   [2]                            expected exit status (default 0)
#
# Cases in one file share a data directory and run in order; files do not
# share anything (each file says at its top what its cases build). Cases
# may use the helpers of tests/cli/lib.sh (its header lists them: snapshot,
# unchanged, reject_lines, flow, session, agree, ...). Without "!" lines
# stderr must be empty. An exit status over 128 or a sanitizer report is a
# crash, never an expected failure.
#
# usage: run.sh FILE.t...   (AGGR_BIN names the binary under test)
set -u
: "${AGGR_BIN:?set AGGR_BIN to the aggr binary}"
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pass=0 fail=0

bindir=$(mktemp -d)
trap 'rm -rf "$bindir"' EXIT
ln -s "$AGGR_BIN" "$bindir/aggr"

run_case() {   # file line cmd expected_out expected_err_exact expected_err_re status
	local file=$1 line=$2 cmd=$3 want_out=$4 want_err=$5 want_re=$6 want_rc=$7
	local out err rc why=""
	out=$(cd "$work" && env -i PATH="$bindir:/usr/bin:/bin" HOME="$work/home" LC_ALL=C.UTF-8 TZ=UTC \
		AGGR_DIR="$work/data" AGGR_NOW="${AGGR_NOW_DEFAULT}" SEED="$root/tests/seed-data" \
		SAMPLES="$root/samples" TESTS="$root/tests" BASH_ENV="$here/lib.sh" ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
		UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" bash -c "$cmd" 2>"$work/.stderr"; echo "[$?]")
	rc=${out##*\[}
	rc=${rc%\]}
	out=${out%\[*\]}
	out=${out%$'\n'}
	err=$(cat "$work/.stderr")
	if [ "$rc" -gt 128 ] || grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' "$work/.stderr"; then
		why="crashed (status $rc)"
	elif [ "$rc" != "$want_rc" ]; then
		why="exit status $rc, expected $want_rc"
	elif [ "$out" != "$want_out" ]; then
		why="stdout differs"
	elif [ -n "$want_err" ] && [ "$err" != "$want_err" ]; then
		why="stderr differs"
	elif [ -z "$want_err" ] && [ -z "$want_re" ] && [ -n "$err" ]; then
		why="unexpected stderr"
	elif [ -n "$want_re" ]; then
		while IFS= read -r re; do
			printf '%s\n' "$err" | grep -qE -- "$re" || why="stderr does not match /$re/"
		done <<<"$want_re"
	fi
	if [ -z "$why" ]; then
		pass=$((pass + 1))
		return
	fi
	fail=$((fail + 1))
	echo "not ok ${file#$root/}:$line: $cmd: $why"
	if [ "$why" = "stdout differs" ]; then
		diff <(printf '%s\n' "$want_out") <(printf '%s\n' "$out") | sed 's/^/    /' | head -20
	elif [ -n "$err$want_err" ]; then
		echo "    stderr: $(printf '%s' "$err" | head -5)"
		[ -n "$want_err" ] && echo "    wanted: $want_err"
	fi
	[ "$why" = "exit status $rc, expected $want_rc" ] && [ -n "$out" ] && echo "    stdout: $(printf '%s' "$out" | head -3)"
	return 0
}

for file in "$@"; do
	work=$(mktemp -d)
	mkdir -p "$work/home"
	AGGR_NOW_DEFAULT=2022-01-15T22:00:00Z
	cmd="" line=0 n=0 out="" err="" re="" rc=0 have=0
	flush() {
		if [ "$have" = 1 ]; then
			run_case "$file" "$line" "$cmd" "$out" "$err" "$re" "$rc"
		fi
		have=0 cmd="" out="" err="" re="" rc=0
	}
	while IFS= read -r l || [ -n "$l" ]; do
		n=$((n + 1))
		case "$l" in
		'$ '*) flush; have=1; cmd=${l#\$ }; line=$n ;;
		'!~ '*) re="${re:+$re$'\n'}${l#\!~ }" ;;
		'! '*) err="${err:+$err$'\n'}${l#\! }" ;;
		'!') err="${err}"$'\n' ;;
		'['[0-9]*']') rc=${l#\[}; rc=${rc%\]} ;;
		'#'*|'') [ "$have" = 1 ] && [ -z "$l" ] && flush ;;
		'| '*|'|') l=${l#|}; l=${l# }; out="${out:+$out$'\n'}$l"; [ -z "$l" ] && [ -z "${out//$'\n'/}" ] && out=$'\n' ;;
		*) out="${out:+$out$'\n'}$l" ;;
		esac
	done <"$file"
	flush
	rm -rf "$work"
done
echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
