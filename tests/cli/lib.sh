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
