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
