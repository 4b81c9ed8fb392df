# tests/cli/lib.sh: helpers every CLI case may use (run.sh has bash source
# this file through BASH_ENV, in the case's own temporary directory).
#
#   snapshot [LOG]   remember the store: the checksum of every file under
#                    $AGGR_DIR (in ./before) and, given LOG, what
#                    `aggr cat LOG` prints (./before.cat)
#   CMD; unchanged   the store is as snapshot left it: returns CMD's status,
#                    or prints the difference and returns 99
#   reject_lines KIND LINE...   write the LINEs to bad.jsonl, ingest it as
#                    KIND, and check the store is unchanged (status as above)
#
# Input records, one JSON line each on stdout (arguments are copied as
# they are: a backslash stays a JSON escape):
#   flow SRC [HOUR [TX [RX [DEST [VPC]]]]]   a flows record; defaults hour 1,
#                    bytes_tx 1, bytes_rx 1, dest_app d, vpc_id v (an empty
#                    argument takes the default too)
#   flow_files NAME...   write NAME.json for each NAME: five flows records,
#                    src_app rNAME, dest_app d1 to d5, hour 1, bytes_tx 1 to
#                    5, bytes_rx 1
#   session USER EVENT SID TS [COUNTRY]   a sessions record, with "country"
#                    only when COUNTRY is given; =JSON gives its raw value
#                    (=null)
#   tagged FROM TO BASE   events records for N = FROM to TO: tag nN,
#                    start_epoch BASE + N
#   $FLOWS1          the seed data's flows file (000-flow-aggregation)
#   $EVENT1          the seed data's stream event (003-event-streams,
#                    go-sibling/input/receive_event.json, pretty-printed)
#   chars N C        N times the character C, no newline (long fields)
#   flip FILE OFFSET MASK   XOR the byte at OFFSET of FILE with MASK, in place
#
# Two ways to the same answer:
#   agree ENV ARGS...   run `aggr ARGS` as it is and with the environment
#                    ENV added (VAR=VALUE, several split by spaces: say
#                    AGGR_STREAM_COUNTS=read, or AGGR_DIR=$PWD/other); print
#                    the answer when both stdouts are the same, else print
#                    "differs: ARGS" and the diff and return 1; a failing
#                    run returns its status
#
# Background readers (--follow) and waiting for them:
#   nolsan CMD... &  run CMD in the background as this process (exec: $! is
#                    CMD's pid, so kill $! reaches it) without the leak
#                    checker, which a killed reader would trip
#   wait_for CMD...  run CMD every 0.1 s until it succeeds, 10 s at most;
#                    returns 0 either way (the case checks what it waits for)
#   lines FILE N     FILE has at least N lines
#   finish SIG PID   send SIG to PID, wait for it and print "exit STATUS"

store_sums() {
	find "$AGGR_DIR" -type f ! -name LOCK | sort | xargs -r md5sum
}

snapshot() {
	store_sums > before || return
	if [ -n "${1:-}" ]; then
		aggr cat "$1" > before.cat || return
		printf '%s\n' "$1" > before.log
	else
		rm -f before.cat before.log
	fi
}

unchanged() {
	local rc=$?
	store_sums | diff before - || return 99
	if [ -f before.log ]; then
		aggr cat "$(cat before.log)" | diff before.cat - || return 99
	fi
	return $rc
}

reject_lines() {
	local kind=$1
	shift
	printf '%s\n' "$@" > bad.jsonl
	aggr ingest "$kind" bad.jsonl
	unchanged
}

FLOWS1="$SEED/000-flow-aggregation/test_data1.json"
EVENT1="$SEED/003-event-streams/go-sibling/input/receive_event.json"

flow() {
	printf '{"src_app":"%s","dest_app":"%s","vpc_id":"%s","hour":%s,"bytes_tx":%s,"bytes_rx":%s}\n' \
		"$1" "${5:-d}" "${6:-v}" "${2:-1}" "${3:-1}" "${4:-1}"
}

session() {
	local c=
	case "${5-}" in
	=*) c=",\"country\":${5#=}" ;;
	*) c=${5+,\"country\":\"$5\"} ;;
	esac
	printf '{"user_id":"%s","event":"%s","session_id":"%s","ts":"%s"%s}\n' "$1" "$2" "$3" "$4" "$c"
}

nolsan() {
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 exec "$@"
}

wait_for() {
	local t
	for t in $(seq 100); do
		"$@" && break
		sleep 0.1
	done
	return 0
}

lines() {
	[ "$(wc -l < "$1")" -ge "$2" ]
}

chars() {
	head -c "$1" /dev/zero | tr '\0' "$2"
}

finish() {
	kill -"$1" "$2"
	wait "$2"
	echo "exit $?"
}

agree() {
	local envs=$1
	shift
	aggr "$@" > agree.a || return
	env $envs aggr "$@" > agree.b || return
	if ! cmp -s agree.a agree.b; then
		echo "differs: $*"
		diff agree.a agree.b | head -5
		return 1
	fi
	cat agree.a
}

flip() {
	local b
	b=$(od -An -tu1 -j"$2" -N1 "$1") || return
	printf "\\$(printf %o $((b ^ $3)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

flow_files() {
	local r i
	for r in "$@"; do
		for i in 1 2 3 4 5; do
			flow "r$r" 1 "$i" 1 "d$i"
		done > "$r.json"
	done
}

tagged() {
	seq "$1" "$2" | awk -v base="$3" '{ printf "{\"tags\":[\"n%d\"],\"start_epoch\":%d}\n", $1, base + $1 }'
}
