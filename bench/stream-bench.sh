#!/bin/bash
# stream-bench.sh [N]: publish N (default 1,000,000) events to a fresh
# stream in one run and time it; then time consume and ack at the start, in
# the middle and at the end of the stream (best of 5 runs each).
# usage: AGGR=./aggr bash bench/stream-bench.sh [N]
set -eu
n=${1:-1000000}
aggr=${AGGR:-./aggr}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AGGR_DIR=$work/data
sh "$here/gen-stream.sh" "$n" OrderPlaced,OrderPaid,OrderShipped,OrderClosed > "$work/ev.jsonl"
echo "input: $n events, $(wc -c < "$work/ev.jsonl") bytes"
t0=$(date +%s.%N)
"$aggr" stream publish b --producer p "$work/ev.jsonl" > "$work/ids"
t1=$(date +%s.%N)
awk -v n="$n" -v a="$t0" -v b="$t1" 'BEGIN { printf "publish: %.2f s, %.0f events/s\n", b - a, n / (b - a) }'
"$aggr" info streams/b --format ndjson

# best of 5, in milliseconds
best() {
	local b=999999999 t0 t1 ms
	for i in 1 2 3 4 5; do
		t0=$(date +%s%N)
		"$@" > /dev/null
		t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000 ))
		[ $ms -lt $b ] && b=$ms
	done
	awk -v us="$b" 'BEGIN { printf "%.1f ms", us / 1000 }'
}
mid=$(sed -n "$((n / 2 + 1))p" "$work/ids")
last=$(tail -1 "$work/ids")
echo "consume --limit 10 at the start: $(best "$aggr" stream consume b --consumer c0 --event-name OrderPlaced --limit 10)"
"$aggr" stream seek b --consumer cm --event-name OrderPaid --to "$(sed -n "$((n / 2 + 2))p" "$work/ids")"
echo "consume --limit 10 in the middle: $(best "$aggr" stream consume b --consumer cm --event-name OrderPaid --limit 10)"
echo "consume --limit 100 in the middle: $(best "$aggr" stream consume b --consumer cm --event-name OrderPaid --limit 100)"
"$aggr" stream seek b --consumer ce --event-name OrderPlaced --to latest
echo "consume at the end (nothing new): $(best "$aggr" stream consume b --consumer ce --event-name OrderPlaced --limit 10)"
# ack: each run acknowledges the next event (5 consecutive acks)
first=$(sed -n 1p "$work/ids")
"$aggr" stream seek b --consumer am --event-name OrderPlaced --to "$mid"
ack_next() {   # consumer, file of ids in order
	local t0 t1 b=999999999 ms
	for i in 1 2 3 4 5; do
		id=$(sed -n "${i}p" "$2")
		t0=$(date +%s%N)
		"$aggr" stream ack b "$id" --consumer "$1"
		t1=$(date +%s%N)
		ms=$(( (t1 - t0) / 1000 ))
		[ $ms -lt $b ] && b=$ms
	done
	awk -v us="$b" 'BEGIN { printf "%.1f ms", us / 1000 }'
}
awk 'NR % 4 == 1' "$work/ids" | head -5 > "$work/start"
awk -v m=$((n / 2)) 'NR > m && NR % 4 == 1' "$work/ids" | head -5 > "$work/middle"
echo "ack at the start: $(ack_next a0 "$work/start")"
echo "ack in the middle: $(ack_next am "$work/middle")"
echo "ack out of order (exit 5): $(best sh -c "\"$aggr\" stream ack b $last --consumer a0 2>/dev/null; [ \$? = 5 ]")"
echo "consumers (full count): $(best "$aggr" stream consumers b)"
"$aggr" stream consumers b --format table
