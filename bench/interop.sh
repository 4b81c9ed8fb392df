#!/bin/sh
# make check-interop: DuckDB reads aggr's segment files directly
# (read_ndjson('DIR/flows/*.jsonl.gz')), and its group-by per hour must
# equal `aggr flows --hour H` for every hour, byte for byte; its record
# count must equal aggr's and that of an independent inflate (bench/zpar).
# Cases: the original service's seed flows, and generated flows ingested in
# several runs into many small blocks and segments, every run sealing its
# segments (AGGR_SEAL_AGE=0), since the glob *.jsonl.gz matches sealed
# segments only; then DuckDB reading the glob while an ingest loop runs:
# each result is the aggregate of a prefix of the log (the committed
# records in the sealed segments), equal to aggr flows --hour H on a store
# holding just that prefix of what aggr cat prints after the loop.
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
[ -n "${INTEROP_KEEP:-}" ] || trap 'rm -rf "$tmp"' EXIT
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
if AGGR_SEAL_AGE=0 "$aggr" -d "$d1" ingest flows "$bench_root/tests/seed-data/000-flow-aggregation/test_data1.json"; then
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
	AGGR_SEAL_AGE=0 AGGR_BLOCK_BYTES=4096 AGGR_SEGMENT_BYTES=50000 "$aggr" -d "$d2" ingest flows "$p" || okrun=0
done
segs=$(ls "$d2"/flows/*.jsonl.gz 2>/dev/null | wc -l)
if [ "$okrun" = 1 ] && [ "$segs" -gt 2 ]; then
	check "generated ($segs segments)" "$d2"
else
	notok "generated: ingest failed or too few segments ($segs)"
fi

# 3. DuckDB reads the glob while an ingest loop runs (every run seals, in
# small segments). One scan per read: each row carries the record count.
# Each run's 1000 records are new (gen's seed is the run's number), so a
# count names one prefix of the log. The segments stay well under 32 KiB:
# DuckDB 1.5.6 silently reads only the first block of some valid segments
# whose seal member starts 10 bytes before 32 KiB (its gzip input buffer).
d3=$tmp/live
live() { AGGR_SEAL_AGE=0 AGGR_BLOCK_BYTES=4096 AGGR_SEGMENT_BYTES=20000 "$aggr" -d "$d3" ingest flows "$@"; }
"$gen" flows 1000 1000 >"$tmp/live.0"
live "$tmp/live.0" || notok "live: first ingest failed"
sql="SELECT sum(count(*)) OVER () || ' ' || printf('{\"src_app\":%s,\"dest_app\":%s,\"vpc_id\":%s,\"hour\":%d,\"bytes_rx\":%s,\"bytes_tx\":%s}',
	to_json(src_app), to_json(dest_app), to_json(vpc_id), hour, sum(bytes_rx)::VARCHAR, sum(bytes_tx)::VARCHAR)
FROM $(bench_ndjson "$d3/flows/*.jsonl.gz")
GROUP BY src_app, dest_app, vpc_id, hour
ORDER BY hour, src_app, dest_app, vpc_id"
(
	# runs until the reads are done (at most 200)
	n=0
	while [ ! -f "$tmp/stop" ] && [ $n -lt 200 ]; do
		n=$((n + 1))
		"$gen" flows 1000 $((1000 + n)) >"$tmp/live.run"
		live "$tmp/live.run" 2>>"$tmp/loop.err" || echo "run $n" >>"$tmp/loop.failed"
	done
	echo $n >"$tmp/loop.done"
) &
loop=$!
reads=0 during=0
while [ $reads -lt 6 ] && [ ! -f "$tmp/loop.done" ]; do
	reads=$((reads + 1))
	if ! bench_duck 2 "$sql" >"$tmp/read.$reads" 2>"$tmp/read.$reads.err" ||
		grep -v '^duckdb: query' "$tmp/read.$reads.err" | grep -q .; then
		notok "live: read $reads: duckdb failed: $(head -c 300 "$tmp/read.$reads.err")"
	fi
	[ -f "$tmp/loop.done" ] || during=$((during + 1))
done
touch "$tmp/stop"
wait $loop
if [ -s "$tmp/loop.failed" ]; then
	notok "live: $(wc -l <"$tmp/loop.failed") ingest runs of the loop failed: $(head -c 300 "$tmp/loop.err")"
elif [ $during -lt 3 ]; then
	notok "live: only $during of $reads reads ended while the loop ran"
else
	ok "live: $during reads while $(cat "$tmp/loop.done") ingest runs went on, no DuckDB error"
fi
"$aggr" -d "$d3" cat flows >"$tmp/live.all"
total=$(wc -l <"$tmp/live.all")
counts=""
i=0
while [ $i -lt $reads ]; do
	i=$((i + 1))
	[ -s "$tmp/read.$i" ] || continue
	n=$(head -n 1 "$tmp/read.$i" | cut -d' ' -f1)
	if [ "$(cut -d' ' -f1 "$tmp/read.$i" | sort -u)" != "$n" ] || [ "$n" -lt 1000 ] || [ "$n" -gt "$total" ]; then
		notok "live: read $i: count $n, not one count between 1000 and $total"
		continue
	fi
	counts="$counts $n"
	# the first n records of the log, stored alone, as aggr flows sees them
	p=$tmp/prefix.$i
	rm -rf "$p"
	head -n "$n" "$tmp/live.all" >"$p.jsonl"
	AGGR_SEAL_AGE=0 "$aggr" -d "$p" ingest flows "$p.jsonl" || { notok "live: read $i: ingest of the prefix"; continue; }
	: >"$p.aggr"
	for h in $(jq .hour "$p.jsonl" | sort -nu); do
		"$aggr" -d "$p" flows --hour "$h" --format ndjson --size 1000000 >>"$p.aggr"
	done
	if cut -d' ' -f2- "$tmp/read.$i" | cmp -s - "$p.aggr"; then
		ok "live: read $i: $n records, $(wc -l <"$p.aggr") groups: the first $n of the log"
	else
		notok "live: read $i: DuckDB's $n records are not the first $n of the log"
		cut -d' ' -f2- "$tmp/read.$i" | diff - "$p.aggr" | head -n 6
	fi
	[ -n "${INTEROP_KEEP:-}" ] || rm -rf "$p" "$p.jsonl"
done
distinct=$(echo $counts | tr ' ' '\n' | sort -u | wc -l)
if [ "$distinct" -ge 2 ]; then
	ok "live: the reads saw $distinct committed states (counts$counts; $total at the end)"
else
	notok "live: the reads saw $distinct committed state (counts$counts)"
fi
finish
