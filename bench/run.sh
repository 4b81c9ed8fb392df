#!/bin/sh
# make bench: aggr side by side with gzip, pigz, zlib (bench/zpar), jq and
# DuckDB on the same generated data; medians of several runs, peak RSS,
# ratios, and the issue's goals met or not. Prints a table and writes it
# into bench/RESULTS.md (one section per BENCH_N; other sections and the
# hand-written text around them are kept).
#
# Environment:
#   AGGR_BIN      the aggr to measure (make bench builds one with -O2)
#   BENCH_N       flows, counters and sessions records (default 1000000;
#                 the full run is BENCH_N=10000000)
#   BENCH_DIR     scratch directory (default /tmp/aggr-bench); data is
#                 generated into BENCH_DIR/N/ and left there
#   BENCH_RUNS    runs per measurement, the median is reported (default 5;
#                 3 for a command whose first run takes over 10 s)
#   BENCH_SEED    generator seed (default 1)
#   BENCH_STREAM_N  stream events (default BENCH_N, at most 1000000)
#   BENCH_RESULTS file to write (default bench/RESULTS.md; '-' for none)
#   BENCH_BASELINE  a commit whose aggr is built (from git, into BENCH_DIR)
#                 and timed on the late-data set (default ac5ded6, before
#                 issue 15; empty: none)
#   BENCH_LEVELS  1: also ingest once at every AGGR_LEVEL 1-9 (default: 1
#                 when BENCH_N <= 1000000)
#
# Commands that aggr does not have yet (sessions, stream: `aggr help` does
# not list them) are skipped and the table says so.
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
aggr=${AGGR_BIN:?AGGR_BIN: the aggr binary to measure (run make bench)}
N=${BENCH_N:-1000000}
runs=${BENCH_RUNS:-5}
seed=${BENCH_SEED:-1}
top=${BENCH_DIR:-/tmp/aggr-bench}
results=${BENCH_RESULTS:-$bench_root/bench/RESULTS.md}
SN=${BENCH_STREAM_N:-$N}
[ "$SN" -gt 1000000 ] && [ -z "${BENCH_STREAM_N:-}" ] && SN=1000000
gen=$bench_root/bench/gen
zpar=$bench_root/bench/zpar
for b in "$aggr" "$gen" "$zpar"; do
	[ -x "$b" ] || { echo "bench: $b: not built (run make bench)" >&2; exit 1; }
done

bench_need jq jq || exit 1
bench_need pigz pigz || exit 1
[ -x /usr/bin/time ] || bench_apt time || exit 1
duck=1
bench_need_duckdb || { duck=0; echo "bench: DuckDB rows skipped" >&2; }

# Every ingest seals its segment as it commits, so that DIR/LOG/*.jsonl.gz
# (sealed segments only), which gzip, zlib and DuckDB read here, holds all
# the data and the sizes count all of it.
export AGGR_SEAL_AGE=0
d=$top/$N
mkdir -p "$d"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aggr-bench-run.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
rows=$tmp/rows		# id|label|median_us|rss_kib|raw_bytes|note|cpu_us
cmds=$tmp/cmds
: >"$rows"
: >"$cmds"
status=0
has_cmd() { "$aggr" help 2>/dev/null | grep -q "^  $1 "; }
fsize() { wc -c <"$1" | tr -d ' '; }
dsize() { cat "$@" | wc -c | tr -d ' '; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
secs() { awk -v u="$1" 'BEGIN { printf (u < 100000 ? "%.4f" : "%.3f"), u / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }'; }

# measure ID LABEL RAW_BYTES CMD [NOTE]: run CMD (sh -c) BENCH_RUNS times
# (once if once=1); PREP, if set, runs untimed before each run; both are
# reset after. Sets T_ID (median, us) and R_ID (peak RSS over the runs,
# KiB: the largest process of a pipeline, not their sum).
PREP='' once=0
measure() {
	m_id=$1 m_label=$2 m_raw=$3 m_cmd=$4 m_note=${5:-}
	: >"$tmp/times"
	: >"$tmp/rss"
	: >"$tmp/cpu"
	i=0 n=$runs
	[ "$once" = 1 ] && n=1
	printf '%-28s' "$m_label" >&2
	while [ "$i" -lt "$n" ]; do
		[ -n "${PREP:-}" ] && sh -c "$PREP"
		t0=$(date +%s%N)
		/usr/bin/time -f '%M %U %S' -o "$tmp/rss1" sh -c "$m_cmd" || {
			echo "bench: failed: $m_cmd" >&2
			status=1
		}
		t1=$(date +%s%N)
		us=$(((t1 - t0) / 1000))
		echo "$us" >>"$tmp/times"
		tail -n 1 "$tmp/rss1" | cut -d' ' -f1 >>"$tmp/rss"
		tail -n 1 "$tmp/rss1" | awk '{ printf "%d\n", ($2 + $3) * 1e6 }' >>"$tmp/cpu"
		printf ' %s' "$(secs "$us")" >&2
		i=$((i + 1))
		[ "$i" = 1 ] && [ "$us" -gt 10000000 ] && [ "$n" -gt 3 ] && n=3
	done
	median='{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : int((a[NR / 2] + a[NR / 2 + 1]) / 2) }'
	med=$(sort -n "$tmp/times" | awk "$median")
	cpu=$(sort -n "$tmp/cpu" | awk "$median")
	rss=$(sort -n "$tmp/rss" | tail -n 1)
	echo " -> median $(secs "$med") s, CPU $(awk -v u="$cpu" 'BEGIN { printf "%.2f", u / 1e6 }') s, $(mib "$rss") MiB" >&2
	eval "T_$m_id=$med R_$m_id=$rss C_$m_id=$cpu"
	echo "$m_id|$m_label|$med|$rss|$m_raw|$m_note|$cpu" >>"$rows"
	echo "$m_cmd" | sed "s|$d|\$D|g; s|$bench_root/||g; s|$aggr|aggr|g" >>"$cmds"
	PREP='' once=0
}
skip() {	# LABEL WHY
	echo "skip|$1|||| skipped: $2|" >>"$rows"
	echo "$1: skipped: $2" >&2
}
note() {	# ID TEXT: append to the note of row ID
	awk -F'|' -v OFS='|' -v id="$1" -v t="$2" '$1 == id { $6 = ($6 == "" ? t : $6 "; " t) } 1' \
		"$rows" >"$tmp/rows2" && mv "$tmp/rows2" "$rows"
}
same() {	# ID FILE REF: note whether FILE's output equals aggr's
	if cmp -s "$2" "$3"; then note "$1" "output = aggr's"; else
		note "$1" "OUTPUT DIFFERS from aggr's"
		status=1
	fi
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u '+%Y-%m-%d %H:%M UTC')
echo "bench: $N records, data in $d, $runs runs per measurement" >&2

# ---- flows: the data, and compression --------------------------------
measure gen "gen flows" 0 "$gen flows $N $seed >$d/flows.jsonl"
raw=$(fsize "$d/flows.jsonl")
note gen "$raw bytes of JSON lines"

PREP="rm -rf $d/aggr"
measure ingest "aggr ingest flows" "$raw" \
	"$aggr -d $d/aggr ingest flows $d/flows.jsonl"
seg=$(dsize "$d"/aggr/flows/*.jsonl.gz)
note ingest "level 6: $seg bytes, ratio $(ratio "$raw" "$seg")"
PREP="rm -rf $d/aggr1"
measure ingest1 "aggr ingest (AGGR_LEVEL=1)" "$raw" \
	"AGGR_LEVEL=1 $aggr -d $d/aggr1 ingest flows $d/flows.jsonl"
s=$(dsize "$d"/aggr1/flows/*.jsonl.gz)
note ingest1 "$s bytes, ratio $(ratio "$raw" "$s")"
rm -rf "$d/aggr1"
for z in "gzip6|gzip -6|gzip -6 -c" "gzip1|gzip -1|gzip -1 -c" \
	 "pigz6|pigz -p 2 -6|pigz -p 2 -6 -c" "pigz1|pigz -p 2 -1|pigz -p 2 -1 -c" \
	 "pigz61|pigz -p 1 -6 (zlib, 1 thread)|pigz -p 1 -6 -c" \
	 "zdef2|zlib -6, aggr's blocks, 2 threads|$zpar -p 2 -z 6" \
	 "zdef1|zlib -6, aggr's blocks, 1 thread|$zpar -p 1 -z 6" \
	 "ldef2|libdeflate -6, aggr's blocks, 2 threads|$zpar -L -p 2 -z 6"; do
	id=${z%%|*} rest=${z#*|}
	measure "$id" "${rest%%|*}" "$raw" "${rest#*|} $d/flows.jsonl >$d/$id.gz"
	s=$(fsize "$d/$id.gz")
	note "$id" "$s bytes, ratio $(ratio "$raw" "$s")"
done
mv "$d/gzip6.gz" "$d/flows.jsonl.gz"
rm -f "$d"/gzip1.gz "$d"/pigz6.gz "$d"/pigz1.gz "$d"/pigz61.gz "$d"/zdef2.gz "$d"/zdef1.gz "$d"/ldef2.gz
note zdef2 "ingest's speed: $(ratio "$T_zdef2" "$T_ingest") of this"
note ldef2 "ingest's speed: $(ratio "$T_ldef2" "$T_ingest") of this"
note pigz61 "aggr ingest minus this: $(awk -v a="$T_ingest" -v b="$T_pigz61" 'BEGIN { printf "%.3f", (a - b) / 1e6 }') s outside deflate"
# size against speed for every level (one run each), to choose the default
if [ "${BENCH_LEVELS:-$([ "$N" -le 1000000 ] && echo 1)}" = 1 ]; then
	for l in 1 2 3 4 5 6 7 8 9; do
		PREP="rm -rf $d/aggrl" once=1
		measure "level$l" "aggr ingest, AGGR_LEVEL=$l" "$raw" \
			"AGGR_LEVEL=$l $aggr -d $d/aggrl ingest flows $d/flows.jsonl" "1 run"
		s=$(dsize "$d"/aggrl/flows/*.jsonl.gz)
		note "level$l" "$s bytes, ratio $(ratio "$raw" "$s")"
	done
	rm -rf "$d/aggrl"
fi
note ingest "speed $(ratio "$T_pigz6" "$T_ingest") of pigz -p 2 -6"
note ingest1 "speed $(ratio "$T_pigz1" "$T_ingest1") of pigz -p 2 -1"

# ---- flows --hour 7 -----------------------------------------------------
measure flows7 "aggr flows --hour 7" 0 "$aggr -d $d/aggr flows --hour 7 >$d/out.aggr"
groups=$("$aggr" -d "$d/aggr" flows --hour 7 --format json | sed 's/.*"total":\([0-9]*\).*/\1/')
note flows7 "$groups groups"
# the same JSON document from DuckDB: first page of 50 and the total
page_sql() {
	echo "WITH g AS (SELECT src_app, dest_app, vpc_id, hour, sum(bytes_rx) AS rx, sum(bytes_tx) AS tx
	FROM $1 WHERE hour = 7 GROUP BY src_app, dest_app, vpc_id, hour),
p AS (SELECT * FROM g ORDER BY src_app, dest_app, vpc_id LIMIT 50)
SELECT '{\"items\":[' || coalesce((SELECT string_agg(printf('{\"src_app\":%s,\"dest_app\":%s,\"vpc_id\":%s,\"hour\":%d,\"bytes_rx\":%s,\"bytes_tx\":%s}',
	to_json(src_app), to_json(dest_app), to_json(vpc_id), hour, rx::VARCHAR, tx::VARCHAR), ','
	ORDER BY src_app, dest_app, vpc_id) FROM p), '') ||
	'],\"total\":' || (SELECT count(*) FROM g) || ',\"page\":1,\"size\":50}'"
}
duckq() {	# median of the query times duck.mjs logged, then start afresh
	sed -n 's/^duckdb: query \([0-9.]*\) ms$/\1/p' "$d/duck.log" | sort -n |
		awk '{ a[NR] = $1 } END { printf "%.3f", ((NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) / 1000 }'
	: >"$d/duck.log"
}
if [ "$duck" = 1 ]; then
	: >"$d/duck.log"
	page_sql "$(bench_ndjson "$d/flows.jsonl.gz")" >"$d/duckgz.sql"
	measure duckgz "DuckDB, JSON lines .gz" "$raw" \
		"node $bench_root/bench/duck.mjs 2 @$d/duckgz.sql >$d/out.duckgz 2>>$d/duck.log"
	same duckgz "$d/out.duckgz" "$d/out.aggr"
	note duckgz "query alone $(duckq) s"
	note duckgz "aggr $(ratio "$T_duckgz" "$T_flows7")x faster"
	page_sql "$(bench_ndjson "$d/aggr/flows/*.jsonl.gz")" >"$d/duckseg.sql"
	measure duckseg "DuckDB, aggr's segments" "$raw" \
		"node $bench_root/bench/duck.mjs 2 @$d/duckseg.sql >$d/out.duckseg 2>>$d/duck.log"
	same duckseg "$d/out.duckseg" "$d/out.aggr"
	note duckseg "query alone $(duckq) s"
	note duckseg "aggr $(ratio "$T_duckseg" "$T_flows7")x faster"
	measure ducknode "DuckDB: start-up only" 0 \
		"node $bench_root/bench/duck.mjs 2 'SELECT 1' >/dev/null 2>&1" "node + DuckDB, no query"
else
	skip "DuckDB" "@duckdb/node-api not installed"
fi
if [ "$N" -le 1000000 ]; then
	jqprog='[inputs | select(.hour == 7)] | group_by([.src_app, .dest_app, .vpc_id])
	| map({src_app: .[0].src_app, dest_app: .[0].dest_app, vpc_id: .[0].vpc_id, hour: 7,
	       bytes_rx: (map(.bytes_rx) | add), bytes_tx: (map(.bytes_tx) | add)})
	| {items: .[:50], total: length, page: 1, size: 50}'
	measure jq "jq, JSON lines .gz" "$raw" "gzip -dc $d/flows.jsonl.gz | jq -cn '$jqprog' >$d/out.jq"
	same jq "$d/out.jq" "$d/out.aggr"
	note jq "aggr $(ratio "$T_jq" "$T_flows7")x faster"
else
	skip "jq, JSON lines .gz" "jq runs on the 1M set only"
fi

# ---- flows --hour 7 on late data (issue 15) ------------------------------
# bench/gen flows-late: about 5% of records arrive 1-3 hours late, so hour 7
# sits in the blocks of hours 7-10. "unclustered" is the same aggr with
# AGGR_CLUSTER=0, the writer before issue 15's clustered blocks.
"$gen" flows-late "$N" "$seed" >"$d/late.jsonl"
lraw=$(fsize "$d/late.jsonl")
gzip -6 -c "$d/late.jsonl" >"$d/late.jsonl.gz"
PREP="rm -rf $d/late" once=1
measure lingest "aggr ingest flows-late" "$lraw" \
	"$aggr -d $d/late ingest flows $d/late.jsonl" "1 run"
PREP="rm -rf $d/late0" once=1
measure lingest0 "aggr ingest, AGGR_CLUSTER=0" "$lraw" \
	"AGGR_CLUSTER=0 $aggr -d $d/late0 ingest flows $d/late.jsonl" "1 run"
blocks() {	# DIR: the -v line of flows --hour 7 without its prefix
	"$aggr" -v -d "$1" flows --hour 7 2>&1 >/dev/null | sed -n 's/^aggr: flows: //p' | tail -n 1
}
measure lflows7 "aggr flows --hour 7, late data" 0 "$aggr -d $d/late flows --hour 7 >$d/out.late"
note lflows7 "$(blocks "$d/late")"
measure lflows70 "the same, AGGR_CLUSTER=0 store" 0 "$aggr -d $d/late0 flows --hour 7 >$d/out.late0"
note lflows70 "$(blocks "$d/late0")"
same lflows70 "$d/out.late0" "$d/out.late"
if [ "$duck" = 1 ]; then
	page_sql "$(bench_ndjson "$d/late.jsonl.gz")" >"$d/ducklate.sql"
	measure ducklate "DuckDB, late JSON lines .gz" "$lraw" \
		"node $bench_root/bench/duck.mjs 2 @$d/ducklate.sql >$d/out.ducklate 2>>$d/duck.log"
	same ducklate "$d/out.ducklate" "$d/out.late"
	note ducklate "query alone $(duckq) s"
	note ducklate "aggr $(ratio "$T_ducklate" "$T_lflows7")x faster"
fi
rm -rf "$d/late0"
# the aggr of BENCH_BASELINE (a commit, default ac5ded6: main before issue
# 15's levers), built from git, on its own store of the same lines
bl=${BENCH_BASELINE-ac5ded6}
old=
if [ -n "$bl" ]; then
	old=$top/aggr-$bl/build/aggr
	if [ ! -x "$old" ]; then
		rm -rf "$top/aggr-$bl" && mkdir -p "$top/aggr-$bl" &&
		(cd "$bench_root" && git archive "$bl") | tar -x -C "$top/aggr-$bl" &&
		make -C "$top/aggr-$bl" CFLAGS='-O2 -g' aggr >"$tmp/old-build" 2>&1 || {
			echo "bench: cannot build aggr $bl (see BENCH_BASELINE)" >&2
			old=
		}
	fi
fi
if [ -n "$old" ]; then
	PREP="rm -rf $d/lateold" once=1
	measure lingestold "aggr $bl ingest flows-late" "$lraw" \
		"$old -d $d/lateold ingest flows $d/late.jsonl" "1 run"
	measure lflowsold "aggr $bl flows --hour 7, late" 0 "$old -d $d/lateold flows --hour 7 >$d/out.lateold"
	note lflowsold "$(blocks "$d/lateold")"
	same lflowsold "$d/out.lateold" "$d/out.late"
	rm -rf "$d/lateold"
else
	skip "aggr $bl flows --hour 7" "no baseline aggr (BENCH_BASELINE)"
fi

# ---- full scans -----------------------------------------------------------
measure cat "aggr cat flows" "$raw" "$aggr -d $d/aggr cat flows >/dev/null"
measure gzipd "gzip -dc segments" "$raw" "gzip -dc $d/aggr/flows/*.jsonl.gz >/dev/null"
measure zpar2 "zlib inflate, 2 threads" "$raw" "$zpar -p 2 $d/aggr/flows/*.jsonl.gz"
measure zpar1 "zlib inflate, 1 thread" "$raw" "$zpar -p 1 $d/aggr/flows/*.jsonl.gz"
measure ldpar2 "libdeflate inflate, 2 threads" "$raw" "$zpar -L -p 2 $d/aggr/flows/*.jsonl.gz"
note cat "$(ratio "$T_cat" "$T_zpar2")x the time of zlib on 2 threads"
note gzipd "$(ratio "$T_gzipd" "$T_zpar2")x"
note zpar1 "$(ratio "$T_zpar1" "$T_zpar2")x"
note ldpar2 "$(ratio "$T_ldpar2" "$T_zpar2")x"

# ---- counters: top --minute -------------------------------------------------
"$gen" counters "$N" "$seed" >"$d/counters.jsonl"
craw=$(fsize "$d/counters.jsonl")
PREP="rm -rf $d/aggr/counters" once=1
measure cingest "aggr ingest counters" "$craw" \
	"$aggr -d $d/aggr ingest counters $d/counters.jsonl" "1 run"
at=1701296000	# the middle of the generated 30 days
measure topmin "aggr top --minute" 0 "$aggr -d $d/aggr top --minute --at $at >/dev/null"
measure tophour "aggr top --hour" 0 "$aggr -d $d/aggr top --hour --at $at >/dev/null"

# ---- counters on late data: top, clustered and not ----------------------
# bench/gen counters-late: 5% of timestamps 1-3 hours late; ingest counters
# clusters by UTC hour (aggr-format(5)); AGGR_CLUSTER=0 is arrival order.
"$gen" counters-late "$N" "$seed" >"$d/clate.jsonl"
clraw=$(fsize "$d/clate.jsonl")
PREP="rm -rf $d/clate" once=1
measure clingest "aggr ingest counters-late" "$clraw" \
	"$aggr -d $d/clate ingest counters $d/clate.jsonl" "1 run"
PREP="rm -rf $d/clate0" once=1
measure clingest0 "the same, AGGR_CLUSTER=0" "$clraw" \
	"AGGR_CLUSTER=0 $aggr -d $d/clate0 ingest counters $d/clate.jsonl" "1 run"
tblocks() {	# DIR UNIT: the blocks the -v line of top says it inflated
	"$aggr" -v -d "$1" top "$2" --at "$at" 2>&1 >/dev/null | sed -n 's/^.*): //p' | tail -n 1
}
for u in minute hour; do
	measure "cl$u" "aggr top --$u, late data" 0 "$aggr -d $d/clate top --$u --at $at >$d/out.cl$u"
	note "cl$u" "$(tblocks "$d/clate" --$u)"
	measure "cl${u}0" "the same, AGGR_CLUSTER=0 store" 0 "$aggr -d $d/clate0 top --$u --at $at >$d/out.cl${u}0"
	note "cl${u}0" "$(tblocks "$d/clate0" --$u)"
	same "cl${u}0" "$d/out.cl${u}0" "$d/out.cl$u"
done
rm -rf "$d/clate0"

# ---- sessions --------------------------------------------------------------
if has_cmd sessions; then
	"$gen" sessions "$N" "$seed" >"$d/sessions.jsonl"
	sraw=$(fsize "$d/sessions.jsonl")
	PREP="rm -rf $d/aggr/sessions" once=1
	measure singest "aggr ingest sessions" "$sraw" \
		"$aggr -d $d/aggr ingest sessions $d/sessions.jsonl" "1 run"
	user=$(sed -n "$((N / 2 + 1))p" "$d/sessions.jsonl" | sed 's/.*"user_id":"\([^"]*\)".*/\1/')
	measure suser "aggr sessions --user" 0 "$aggr -d $d/aggr sessions --user $user >/dev/null"
	note suser "$("$aggr" -v -d "$d/aggr" sessions --user "$user" 2>&1 >/dev/null | sed 's/^aggr: sessions: user [^:]*: //' | tail -n 1)"
	measure sstarts "aggr sessions --starts --days 1" 0 \
		"$aggr -d $d/aggr sessions --starts --days 1 --at 2023-07-01T00:00:00Z >/dev/null"
	note sstarts "$("$aggr" -v -d "$d/aggr" sessions --starts --days 1 --at 2023-07-01T00:00:00Z 2>&1 >/dev/null | sed 's/^aggr: sessions: window \[[^]]*\]: //' | tail -n 1)"
else
	skip "aggr sessions" "this aggr has no sessions command"
fi

# ---- streams ---------------------------------------------------------------
if has_cmd stream; then
	"$gen" stream "$SN" "$seed" >"$d/stream.jsonl"
	traw=$(fsize "$d/stream.jsonl")
	PREP="rm -rf $d/aggr/streams" once=1
	measure publish "aggr stream publish ($SN)" "$traw" \
		"$aggr -d $d/aggr stream publish bench --producer p1 $d/stream.jsonl >$d/ids" "1 run"
	name=$(head -n 1 "$d/stream.jsonl" | sed 's/^{"event":{"name":"\([^"]*\)".*/\1/')
	measure consume "aggr stream consume" 0 \
		"$aggr -d $d/aggr stream consume bench --consumer c1 --event-name $name --limit 10 >/dev/null"
	# before each ack, untimed: the id of the next event to acknowledge
	cat >"$d/next-id.sh" <<-EOS
	"$aggr" -d "$d/aggr" stream consume bench --consumer c1 --event-name "$name" --limit 1 --format ndjson |
		sed 's/^{"eventId":"\([^"]*\)".*/\1/' >"$d/next.id"
	EOS
	PREP="sh $d/next-id.sh"
	measure ack "aggr stream ack" 0 \
		"read -r id <$d/next.id; exec $aggr -d $d/aggr stream ack bench \"\$id\" --consumer c1"
else
	skip "aggr stream" "this aggr has no stream command"
fi
load1=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- report ------------------------------------------------------------------
goal() {	# TEXT MET(0/1)
	if [ "$2" = 1 ]; then echo "- met: $1"; else echo "- NOT MET: $1"; fi
}
ge() { awk -v a="$1" -v b="$2" 'BEGIN { print (a >= b) ? 1 : 0 }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? 1 : 0 }'; }
goals() {
	if [ "$duck" = 1 ]; then
		x=$(ratio "$T_duckgz" "$T_flows7")
		goal "flows --hour 7 is ${x}x faster than DuckDB on the same JSON lines gzipped (issue 8's goal: 20x)" "$(ge "$x" 20)"
		x=$(ratio "$T_ducklate" "$T_lflows7")
		goal "flows --hour 7 on the late-data set is ${x}x faster than DuckDB on the same JSON lines gzipped (issue 15's goal: 40x)" "$(ge "$x" 40)"
	fi
	if [ -n "${T_lflowsold:-}" ]; then
		x=$(ratio "$T_lflowsold" "$T_lflows7")
		goal "flows --hour 7 on the late-data set is ${x}x faster than aggr $bl's on its own store of it (issue 15's goal: 2x)" "$(ge "$x" 2)"
	else
		echo "- not measured: flows --hour 7 against aggr $bl (no baseline built)"
	fi
	echo "- for reference: the same query on the store written with AGGR_CLUSTER=0 takes $(ratio "$T_lflows70" "$T_lflows7")x the time of the clustered one"
	goal "flows --hour 7 peak RSS $(mib "$R_flows7") MiB, late data $(mib "$R_lflows7") MiB (goal: under 64)" \
		"$(le "$(($R_flows7 > $R_lflows7 ? $R_flows7 : $R_lflows7))" 65535)"
	x=$(ratio "$T_cat" "$T_zpar2")
	goal "cat flows takes ${x}x the time of inflating the same blocks with zlib on 2 threads (goal: 1.3x)" "$(le "$x" 1.3)"
	echo "- for reference: cat flows takes $(ratio "$T_cat" "$T_ldpar2")x the time of inflating them with libdeflate on 2 threads (the library aggr reads with)"
	x=$(ratio "$T_pigz6" "$T_ingest") c=$(ratio "$C_pigz6" "$C_ingest")
	goal "ingest runs at $x of the speed of pigz -p 2 -6 (zlib deflate, 2 threads, default level; CPU ratio $c; issue 15's goal: 0.9)" "$(ge "$x" 0.9)"
	x=$(ratio "$T_zdef2" "$T_ingest") c=$(ratio "$C_zdef2" "$C_ingest")
	goal "ingest runs at $x of the speed of zlib -6 deflating aggr's blocks on 2 threads (bench/zpar -z 6 -p 2; CPU ratio $c; issue 15's goal: 0.85)" "$(ge "$x" 0.85)"
	echo "- for reference: ingest runs at $(ratio "$T_ldef2" "$T_ingest") of the speed of libdeflate -6 deflating aggr's blocks on 2 threads (bench/zpar -L -z 6 -p 2, the library aggr deflates with; CPU ratio $(ratio "$C_ldef2" "$C_ingest"))"
	r=$R_ingest
	[ "$R_lingest" -gt "$r" ] && r=$R_lingest
	goal "ingest peak RSS $(mib "$r") MiB, late data included (goal: under 32 whatever the size; compare the sections for other N)" "$(le "$r" 32767)"
	goal "top --minute $(secs "$T_topmin") s (goal: under 0.05 s)" "$(le "$T_topmin" 50000)"
	if [ -n "${T_suser:-}" ]; then
		goal "sessions --user $(secs "$T_suser") s (goal: under 0.05 s)" "$(le "$T_suser" 50000)"
	else
		echo "- not measured: sessions --user (no sessions command in this aggr)"
	fi
	if [ -n "${T_ack:-}" ]; then
		goal "stream consume $(secs "$T_consume") s, ack $(secs "$T_ack") s on $SN events (issue 5's goal: under 0.02 s each)" \
			"$(le "$(($T_consume > $T_ack ? $T_consume : $T_ack))" 20000)"
	else
		echo "- not measured: stream consume/ack (no stream command in this aggr)"
	fi
}
table() {
	echo "| step | median s | CPU s | MB/s of JSON | peak RSS MiB | notes |"
	echo "|---|---:|---:|---:|---:|---|"
	while IFS='|' read -r id label med rss rawb rnote cpu; do
		if [ "$id" = skip ]; then
			echo "| $label | | | | | ${rnote# } |"
			continue
		fi
		mbs=$(awk -v b="$rawb" -v u="$med" 'BEGIN { if (b > 0 && u > 0) printf "%.0f", b / u }')
		echo "| $label | $(secs "$med") | $(awk -v u="$cpu" 'BEGIN { printf "%.2f", u / 1e6 }') | $mbs | $(mib "$rss") | $rnote |"
	done <"$rows"
}
ver() { "$@" 2>&1 | head -n 1; }
section() {
	echo "<!-- bench N=$N begin -->"
	echo "## $N records ($start)"
	echo
	echo "Generated by \`make bench BENCH_N=$N\` (bench/run.sh); seed $seed; median of"
	echo "$runs runs (3 for commands over 10 s); CPU s is the median user+system time"
	echo "(10 ms resolution; less disturbed by other load than wall time); peak RSS the largest over the runs."
	echo "Taken on a shared machine (2 cores shared with other engineers' builds"
	echo "and tests): load average $load0 before, $load1 after."
	echo
	echo "- machine: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), Linux $(uname -r), Debian $(cat /etc/debian_version 2>/dev/null)"
	echo "- aggr: $(ver "$aggr" --version), $(cd "$bench_root" && git describe --always --dirty 2>/dev/null), built with -O2 -g; zlib $(sed -n 's/^#define ZLIB_VERSION "\(.*\)"/\1/p' /usr/include/zlib.h), libdeflate $(sed -n 's/^#define LIBDEFLATE_VERSION_STRING[^"]*"\(.*\)"/\1/p' /usr/include/libdeflate.h)"
	echo "- $(ver gzip --version), $(ver pigz --version), $(ver jq --version), node $(node --version 2>/dev/null), DuckDB $(bench_duck 1 'SELECT version()' 2>/dev/null) (@duckdb/node-api, threads 2)"
	echo "- data: \`bench/gen flows $N $seed\`: $raw bytes of JSON lines; \`bench/gen flows-late $N $seed\`: $lraw bytes; \$D is $d"
	echo
	table
	echo
	echo "Goals (issues 8 and 15; they are set for 10M records):"
	echo
	goals
	echo
	echo "Commands (\$D is the data directory; jq's program and DuckDB's SQL are in bench/run.sh):"
	echo
	echo '```'
	cut -c1-200 "$cmds"
	echo '```'
	echo "<!-- bench N=$N end -->"
}
section >"$tmp/section"
echo
table
echo
goals
if [ "$results" != - ]; then
	if [ -f "$results" ] && grep -q "^<!-- bench N=$N begin -->" "$results"; then
		awk -v b="<!-- bench N=$N begin -->" -v e="<!-- bench N=$N end -->" -v f="$tmp/section" '
			$0 == b { while ((getline l < f) > 0) print l; skip = 1; next }
			$0 == e { skip = 0; next }
			!skip' "$results" >"$tmp/results"
	else
		{ if [ -f "$results" ]; then cat "$results"; echo; else
			echo "# aggr benchmark results"; echo
			echo "Sections between bench markers are written by \`make bench\`; the rest by hand."
			echo; fi
		  cat "$tmp/section"; } >"$tmp/results"
	fi
	cp "$tmp/results" "$results"
	echo "bench: wrote $results" >&2
fi
exit $status
