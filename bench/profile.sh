#!/bin/sh
# make bench-profile: where aggr spends its time on BENCH_N flows (default
# 1M; the data make bench left in BENCH_DIR/N, generated if absent).
# perf record (call graphs through frame pointers) of ingest, cat and
# flows --hour 7 from a -O2 -g -fno-omit-frame-pointer build, the split by
# shared object (Debian's libz has no symbols: zlib is one line), the
# hottest aggr functions with their callees, and the heap summary of a
# 100k-record ingest (valgrind) to show whether anything is allocated per
# record. Reports go to BENCH_DIR/N/profile/*.txt and stdout.
# usage: AGGR_BIN=build-prof/aggr sh bench/profile.sh
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
aggr=${AGGR_BIN:?AGGR_BIN: a build with frame pointers (make bench-profile)}
N=${BENCH_N:-1000000}
d=${BENCH_DIR:-/tmp/aggr-bench}/$N
p=$d/profile
bench_need perf linux-perf || exit 1
mkdir -p "$p"
[ -f "$d/flows.jsonl" ] || "$bench_root/bench/gen" flows "$N" "${BENCH_SEED:-1}" >"$d/flows.jsonl"

prof() {	# NAME CMD: record CMD, write NAME.txt
	name=$1
	shift
	perf record -q -o "$p/$name.data" -F 2000 -g -- sh -c "$*" >/dev/null 2>&1 ||
		{ echo "bench: perf record failed: $*" >&2; return 1; }
	{
		echo "== $name: $*"
		echo "-- by shared object (self)"
		perf report -i "$p/$name.data" --comm aggr --no-children --sort dso --stdio -g none 2>/dev/null |
			grep '%' | head -n 6
		echo "-- aggr functions, with callees (children), over 1%"
		perf report -i "$p/$name.data" --comm aggr --children --sort sym --stdio -g none \
			--percent-limit 1 2>/dev/null | grep '%' | grep -v '\] 0x\|\] 0000' | head -n 25
	} >"$p/$name.txt"
	cat "$p/$name.txt"
}

rm -rf "$p/data"
prof ingest "$aggr -d $p/data ingest flows $d/flows.jsonl"
prof cat "$aggr -d $p/data cat flows >/dev/null"
prof flows7 "for i in 1 2 3 4 5 6 7 8 9 10; do $aggr -d $p/data flows --hour 7 >/dev/null; done"
if command -v valgrind >/dev/null 2>&1; then
	head -n 100000 "$d/flows.jsonl" >"$p/100k.jsonl"
	rm -rf "$p/heap"
	echo "== heap of ingest flows, 100k records"
	valgrind "$aggr" -d "$p/heap" ingest flows "$p/100k.jsonl" 2>&1 | grep 'total heap usage' | tee "$p/heap.txt"
	rm -rf "$p/heap" "$p/100k.jsonl"
else
	echo "== heap: valgrind not installed (apt-get install valgrind)"
fi
rm -rf "$p/data"
