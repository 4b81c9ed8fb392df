# bench/lib.sh: what bench/run.sh and bench/interop.sh share (sourced, sh).
# Tools come from Debian (apt-get, when root or with passwordless sudo) and
# DuckDB from npm into bench/node_modules (ignored by git); when a tool
# cannot be installed, say the exact command and fail.

bench_root=$(cd "$(dirname "$0")/.." && pwd)

bench_apt() {	# PACKAGE...: install Debian packages, or print how
	if [ "$(id -u)" = 0 ]; then
		sudo=""
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo="sudo -n"
	else
		echo "bench: missing: $*; install with: sudo apt-get install -y $*" >&2
		return 1
	fi
	echo "bench: installing $*" >&2
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$@" >&2 ||
		{ $sudo apt-get update >&2 &&
		  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "$@" >&2; }
}

bench_need() {	# COMMAND PACKAGE: make sure COMMAND exists
	command -v "$1" >/dev/null 2>&1 || bench_apt "$2" || return 1
	command -v "$1" >/dev/null 2>&1
}

# Node and npm from Debian when absent; @duckdb/node-api (version pinned in
# bench/package.json) into bench/node_modules unless it is there already.
bench_need_duckdb() {
	if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
		bench_apt nodejs npm || return 1
	fi
	[ -f "$bench_root/bench/node_modules/@duckdb/node-api/package.json" ] && return 0
	echo "bench: installing @duckdb/node-api from npm into bench/node_modules" >&2
	(cd "$bench_root/bench" && npm install --no-package-lock --no-audit --no-fund >&2) || {
		echo "bench: cannot install @duckdb/node-api (cd bench && npm install)" >&2
		return 1
	}
}

bench_duck() {	# THREADS SQL: first column of each row on stdout
	node "$bench_root/bench/duck.mjs" "$@"
}

# SQL for the rows of `aggr flows --hour H --format ndjson`, every hour,
# from FROM (a read_ndjson(...) call): same keys, same order, same sums.
bench_flows_sql() {	# FROM [WHERE]
	echo "SELECT printf('{\"src_app\":%s,\"dest_app\":%s,\"vpc_id\":%s,\"hour\":%d,\"bytes_rx\":%s,\"bytes_tx\":%s}',
	to_json(src_app), to_json(dest_app), to_json(vpc_id), hour,
	sum(bytes_rx)::VARCHAR, sum(bytes_tx)::VARCHAR)
FROM $1 ${2:+WHERE $2}
GROUP BY src_app, dest_app, vpc_id, hour
ORDER BY hour, src_app, dest_app, vpc_id"
}

bench_ndjson() {	# GLOB-OR-FILE: read_ndjson with the flows columns fixed
	echo "read_ndjson('$1', columns = {src_app: 'VARCHAR', dest_app: 'VARCHAR', vpc_id: 'VARCHAR', hour: 'BIGINT', bytes_tx: 'BIGINT', bytes_rx: 'BIGINT'})"
}

# bench_time RUNS CMD [PREP]: run CMD (sh -c) RUNS times (3 when the first
# run takes over 10 s), PREP (sh -c, untimed) before each; each run's
# seconds go to stderr. Prints "MEDIAN_US PEAK_RSS_KIB FAILED": the median
# wall time, the largest peak RSS over the runs (/usr/bin/time -f %M: the
# largest process of a pipeline, not their sum) and how many runs exited
# non-zero.
bench_time() {
	bt_n=$1 bt_i=0 bt_fail=0 bt_rss=0 bt_times=
	bt_out=$(mktemp "${TMPDIR:-/tmp}/bench-time.XXXXXX") || return 1
	while [ "$bt_i" -lt "$bt_n" ]; do
		[ -n "${3:-}" ] && sh -c "$3"
		bt_t0=$(date +%s%N)
		/usr/bin/time -f '%M' -o "$bt_out" sh -c "$2" || bt_fail=$((bt_fail + 1))
		bt_t1=$(date +%s%N)
		bt_us=$(((bt_t1 - bt_t0) / 1000))
		bt_r=$(tail -n 1 "$bt_out")
		[ "$bt_r" -gt "$bt_rss" ] 2>/dev/null && bt_rss=$bt_r
		bt_times="$bt_times $bt_us"
		awk -v u="$bt_us" 'BEGIN { printf " %.4f", u / 1e6 }' >&2
		bt_i=$((bt_i + 1))
		[ "$bt_i" = 1 ] && [ "$bt_us" -gt 10000000 ] && [ "$bt_n" -gt 3 ] && bt_n=3
	done
	rm -f "$bt_out"
	echo "$bt_times" | tr ' ' '\n' | sed '/^$/d' | sort -n |
		awk -v r="$bt_rss" -v f="$bt_fail" '{ a[NR] = $1 }
		END { printf "%d %d %d\n", (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2, r, f }'
}
