#!/bin/bash
# Every command run with standard input, output or error closed: one at a
# time (<&-, >&-, 2>&-), stdout and stderr together, and all three. aggr must
# open each closed one on /dev/null before it opens any file, so that no LOCK
# or segment file becomes descriptor 0, 1 or 2 and no message lands in a log.
#
# Each case starts from a copy of the same data directory. The command runs
# once with the descriptors open (the reference: stdin is /dev/null where the
# case closes it, else a flows file) and once in another copy with them
# closed. Then, in both copies, `aggr check` must be clean and silent, no
# LOCK file may hold a byte; and the two copies must agree exactly: `aggr cat`
# of every log, the stream's consumers, and the list of files. The exit
# status and whatever output stayed open must be the reference's too.
# Ids aggr assigns are random: those of the starting data are named B1, B2...
# and new ones NEW, so a stop or ack that hit another record still shows.
set -u
: "${AGGR_BIN:?set AGGR_BIN to the aggr binary}"
aggr=$AGGR_BIN
here=$(cd "$(dirname "$0")" && pwd)
seed=$here/seed-data
pass=0 fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AGGR_NOW=2022-01-15T22:00:00Z TZ=UTC LC_ALL=C.UTF-8
unset AGGR_DIR AGGR_MAX_BATCH AGGR_BLOCK_BYTES AGGR_SEGMENT_BYTES
cd "$work" || exit 1

ok() { pass=$((pass + 1)); }
not_ok() { fail=$((fail + 1)); echo "not ok $1${2:+: $2}"; }

# ---- the starting data: every log, a batch ID, an auto batch, a consumer ----
flows=$seed/000-flow-aggregation/test_data1.json
printf '%s\n' '{"timestamp":1642284000,"a.com":3,"b.com":45}' '{"timestamp":1642283880,"c.com":3}' \
	'{"timestamp":1642280400,"a.com":7}' > counters.json
events=$seed/002-mongo-events/postrequest_tags.json
sessions=$seed/004-user-sessions/readme_batch.json
jq -c . "$seed/003-event-streams/go-sibling/input/receive_event.json" > e.json
cp "$flows" stdin.json
export AGGR_DIR=$work/base
{
	"$aggr" ingest flows --batch-id b1 "$flows" &&
	"$aggr" ingest flows --batch-id auto "$flows" &&
	"$aggr" ingest counters counters.json &&
	"$aggr" ingest events "$events" &&
	"$aggr" events add --tag one --start 1642280000 > /dev/null &&
	"$aggr" events add --tag two --start 1642281000 > /dev/null &&
	"$aggr" ingest sessions "$sessions" &&
	"$aggr" stream publish s1 --producer p1 e.json e.json e.json > pub.ids &&
	"$aggr" stream consume s1 --consumer c1 --event-name GdriveSync --limit 1 > /dev/null &&
	"$aggr" stream ack s1 "$(head -n 1 pub.ids)" --consumer c1
} || { echo "closed-fds: 0 passed, 1 failed (cannot build the starting data)"; exit 1; }
ev1=$("$aggr" events list | jq -r '.[0]._id')
ev2=$("$aggr" events list | jq -r '.[1]._id')
id2=$(sed -n 2p pub.ids)
# the ids of the starting data, numbered in log order
{ "$aggr" cat events; "$aggr" cat streams/s1; } | grep -oE '"[0-9a-f]{24}"|[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}' |
	awk '!seen[$0]++ { gsub(/"/, ""); printf "s/%s/B%d/g\n", $0, ++n }' > ids.sed
printf '%s\n' 's/"[0-9a-f]{24}"/"NEW"/g' 's/[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/NEW/g' >> ids.sed
[ "$(grep -c '^s/.*/B[0-9]*/g$' ids.sed)" = 6 ] ||
	{ echo "closed-fds: 0 passed, 1 failed (expected 3 event and 3 stream ids, got: $(cat ids.sed))"; exit 1; }
norm() { sed -E -f "$work/ids.sed"; }

# What a data directory holds, for comparison; every log, in a fixed order.
state() {   # DIR
	local l
	for l in flows counters events sessions streams/s1; do
		echo "== cat $l"
		AGGR_DIR=$1 "$aggr" cat "$l" 2>&1 | norm
		echo "[$?]"
	done
	echo "== consumers"
	AGGR_DIR=$1 "$aggr" stream consumers s1 2>&1 | norm
	echo "== files"
	(cd "$1" && find . | sort)
}

# Clean: check exits 0 and says nothing, and no LOCK file holds a byte.
clean() {   # DIR -> prints what is wrong
	local out
	out=$(AGGR_DIR=$1 "$aggr" check 2>&1) || echo "check exit $?: $out"
	[ -z "$out" ] || echo "check says: $out"
	out=$(find "$1" -name LOCK -size +0c)
	[ -z "$out" ] || echo "LOCK written: ${out#$1/}: $(head -c 80 "$out" | tr -c '[:print:]' '?')"
}

# run VARIANT DIR OUT ERR CMD...: run CMD with the variant's descriptors
# closed; those left open go to OUT and ERR, stdin from $STDIN.
run() {
	local v=$1 d=$2 o=$3 e=$4 i=$STDIN
	shift 4
	case $v in
	open) AGGR_DIR=$d "$@" < "$i" > "$o" 2> "$e" ;;
	null) AGGR_DIR=$d "$@" < /dev/null > "$o" 2> "$e" ;;
	0) AGGR_DIR=$d "$@" <&- > "$o" 2> "$e" ;;
	1) AGGR_DIR=$d "$@" < "$i" >&- 2> "$e" ;;
	2) AGGR_DIR=$d "$@" < "$i" > "$o" 2>&- ;;
	12) AGGR_DIR=$d "$@" < "$i" >&- 2>&- ;;
	012) AGGR_DIR=$d "$@" <&- >&- 2>&- ;;
	esac
}

# One command, every variant. Prints nothing when all pass.
try() {   # NAME CMD...
	local name=$1 v ref why rc_ref rc
	shift
	for v in 0 1 2 12 012; do
		case $v in 0 | 012) ref=null ;; *) ref=open ;; esac
		rm -rf ref test
		cp -a base ref && cp -a base test
		: > ref.out; : > ref.err; : > test.out; : > test.err
		run "$ref" "$work/ref" ref.out ref.err "$@"
		rc_ref=$?
		run "$v" "$work/test" test.out test.err "$@"
		rc=$?
		why=""
		if [ "$rc" -gt 128 ] || grep -qE 'AddressSanitizer|runtime error:|LeakSanitizer' ref.err test.err; then
			why="crashed (status $rc_ref, $rc)"
		elif [ "$rc_ref" != "$WANT_RC" ]; then
			why="reference exit $rc_ref, expected $WANT_RC: $(head -c 200 ref.err)"
		elif [ "$rc" != "$rc_ref" ]; then
			why="exit $rc, reference $rc_ref"
		elif [ -n "$(clean "$work/ref")" ]; then
			why="reference not clean: $(clean "$work/ref")"
		elif [ -n "$(clean "$work/test")" ]; then
			why="not clean: $(clean "$work/test")"
		elif [ "$(state "$work/test")" != "$(state "$work/ref")" ]; then
			why="data differs: $(diff <(state "$work/ref") <(state "$work/test") | head -6 | tr '\n' '|')"
		elif [ "${v#*1}" = "$v" ] && [ "$(norm < test.out)" != "$(norm < ref.out)" ]; then
			why="stdout differs"
		elif [ "${v#*2}" = "$v" ] && [ "$(norm < test.err)" != "$(norm < ref.err)" ]; then
			why="stderr differs: $(head -c 200 test.err)"
		fi
		if [ -z "$why" ]; then
			ok
		else
			not_ok "closed $v: aggr ${*:2}" "$why"
		fi
	done
}

# the reference state is checked above for being clean; here, that the
# commands really change what they should (a case that changes nothing
# where it should would compare equal however broken aggr is)
grows() {   # LOG N CMD...: CMD adds N records to LOG in a copy of base
	local l=$1 n=$2 before after
	shift 2
	rm -rf ref && cp -a base ref
	before=$(AGGR_DIR=$work/ref "$aggr" cat "$l" | wc -l)
	AGGR_DIR=$work/ref "$@" < "$STDIN" > /dev/null 2>&1
	after=$(AGGR_DIR=$work/ref "$aggr" cat "$l" | wc -l)
	if [ $((after - before)) = "$n" ]; then ok; else not_ok "aggr ${*:2} adds $n records to $l" "it added $((after - before))"; fi
}

WANT_RC=0 STDIN=stdin.json
try ingest-flows "$aggr" ingest flows "$flows"
try ingest-flows-stdin "$aggr" ingest flows
try ingest-counters "$aggr" ingest counters counters.json
try ingest-events "$aggr" ingest events "$events"
try ingest-sessions "$aggr" ingest sessions "$sessions"
try ingest-verbose "$aggr" -v ingest flows "$flows"
try ingest-retry "$aggr" ingest flows --batch-id b1 "$flows"
try ingest-retry-auto "$aggr" ingest flows --batch-id auto "$flows"
try ingest-new-batch "$aggr" -v ingest flows --batch-id b2 "$flows"
try flows "$aggr" flows --hour 1
try top "$aggr" top --hour
try events-add "$aggr" events add --tag x --start 1642282000
try events-list "$aggr" events list
try events-stop "$aggr" events stop "$ev1" --at 1642284500
try events-remove "$aggr" events remove --id "$ev2"
try sessions-user "$aggr" sessions --user d6313e1fb7d247a6a034e2aadc30ab3f
try sessions-starts "$aggr" sessions --starts --days 400 --at 2019-05-01T00:00:00Z
try stream-publish "$aggr" stream publish s1 --producer p1 e.json
STDIN=e.json
try stream-publish-stdin "$aggr" -v stream publish s1 --producer p1
STDIN=stdin.json
try stream-consume "$aggr" stream consume s1 --consumer c1 --event-name GdriveSync --limit 10
try stream-ack "$aggr" stream ack s1 "$id2" --consumer c1
try stream-consumers "$aggr" stream consumers s1
try stream-list "$aggr" stream list
try cat "$aggr" cat flows
try info "$aggr" info
try check "$aggr" -v check
try check-repair "$aggr" -v check --repair
try compact "$aggr" -v compact
try retain "$aggr" -v retain
try retain-set "$aggr" -v retain counters --set 30d
try purge "$aggr" -v purge flows
try version "$aggr" --version
WANT_RC=3
try ingest-rejected "$aggr" ingest flows counters.json
WANT_RC=5
try stream-not-owner "$aggr" stream publish s1 --producer p2 e.json

grows flows 5 "$aggr" ingest flows "$flows"
grows flows 5 "$aggr" ingest flows
grows flows 0 "$aggr" ingest flows --batch-id b1 "$flows"
grows flows 0 "$aggr" ingest flows --batch-id auto "$flows"
grows flows -10 "$aggr" purge flows
grows counters 3 "$aggr" ingest counters counters.json
grows events 1 "$aggr" ingest events "$events"
grows events 1 "$aggr" events stop "$ev1" --at 1642284500
grows sessions 8 "$aggr" ingest sessions "$sessions"
grows streams/s1 1 "$aggr" stream publish s1 --producer p1 e.json
STDIN=e.json
grows streams/s1 1 "$aggr" stream publish s1 --producer p1

echo "closed-fds: $pass passed, $fail failed"
[ "$fail" = 0 ]
