#!/bin/sh
# make check-interop: DuckDB reads aggr's segment files directly
# (read_ndjson('DIR/flows/*.jsonl.gz')), and its group-by per hour must
# equal `aggr flows --hour H` for every hour, byte for byte; its record
# count must equal aggr's and that of an independent inflate (bench/zpar).
# Cases: the original service's seed flows, and generated flows ingested in
# several runs into many small blocks and segments (sealed and active).
# usage: sh bench/interop.sh AGGR_BIN   (needs bench/gen and bench/zpar)
# Ends with "interop: N passed, N failed" and "N passed, N failed".
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
aggr=${1:?usage: interop.sh AGGR_BIN}
gen=$bench_root/bench/gen
zpar=$bench_root/bench/zpar
pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok $*"; }
notok() { fail=$((fail + 1)); echo "not ok $*"; }
finish() {
	echo "interop: $pass passed, $fail failed"
	echo "$pass passed, $fail failed"
	[ "$fail" = 0 ]
	exit
}

bench_need_duckdb || { notok "duckdb: cannot install @duckdb/node-api"; finish; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aggr-interop.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export AGGR_NOW=1700000000

# check NAME DIR: compare DuckDB on DIR/flows/*.jsonl.gz with aggr
check() {
	name=$1 dir=$2
	from=$(bench_ndjson "$dir/flows/*.jsonl.gz")
	if ! bench_duck 1 "SELECT min(hour) || ' ' || max(hour) || ' ' || count(*) FROM $from" \
		>"$tmp/range" 2>"$tmp/err"; then
		notok "$name: duckdb cannot read the segments: $(head -c 300 "$tmp/err")"
		return
	fi
	read -r lo hi n_duck <"$tmp/range"
	n_aggr=$("$aggr" -d "$dir" info flows --format ndjson | sed -n 's/.*"records":\([0-9]*\).*/\1/p')
	n_zlib=$("$zpar" -c "$dir"/flows/*.jsonl.gz | cut -d' ' -f3)
	if [ "$n_duck" = "$n_aggr" ] && [ "$n_duck" = "$n_zlib" ]; then
		ok "$name: $n_duck records in DuckDB, aggr info and zlib"
	else
		notok "$name: records: duckdb $n_duck, aggr $n_aggr, zlib $n_zlib"
	fi
	bench_duck 2 "$(bench_flows_sql "$from")" >"$tmp/duck" 2>"$tmp/err" ||
		{ notok "$name: duckdb group-by: $(head -c 300 "$tmp/err")"; return; }
	: >"$tmp/aggr"
	h=$((lo - 1)) hours=0
	while [ "$h" -le $((hi + 1)) ]; do
		"$aggr" -d "$dir" flows --hour "$h" --format ndjson --size 1000000 >>"$tmp/aggr" ||
			{ notok "$name: aggr flows --hour $h failed"; return; }
		h=$((h + 1)) hours=$((hours + 1))
	done
	groups=$(wc -l <"$tmp/duck")
	if cmp -s "$tmp/duck" "$tmp/aggr" && [ "$groups" -gt 0 ]; then
		ok "$name: hours $lo..$hi: $groups groups equal to aggr flows --hour H ($hours hours asked)"
	else
		notok "$name: DuckDB's per-hour group-by differs from aggr flows --hour H"
		diff "$tmp/duck" "$tmp/aggr" | head -n 10
	fi
}

# 1. the original service's sample flows (a JSON array)
d1=$tmp/seed
if "$aggr" -d "$d1" ingest flows "$bench_root/tests/seed-data/000-flow-aggregation/test_data1.json"; then
	check seed "$d1"
else
	notok "seed: ingest failed"
fi

# 2. generated flows, 4 ingest runs, small blocks, many segments
d2=$tmp/gen
"$gen" flows 20000 7 >"$tmp/flows.jsonl"
split -l 5000 "$tmp/flows.jsonl" "$tmp/part."
okrun=1
for p in "$tmp"/part.*; do
	AGGR_BLOCK_BYTES=4096 AGGR_SEGMENT_BYTES=50000 "$aggr" -d "$d2" ingest flows "$p" || okrun=0
done
segs=$(ls "$d2"/flows/*.jsonl.gz 2>/dev/null | wc -l)
if [ "$okrun" = 1 ] && [ "$segs" -gt 2 ]; then
	check "generated ($segs segments)" "$d2"
else
	notok "generated: ingest failed or too few segments ($segs)"
fi
finish
