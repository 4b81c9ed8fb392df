#!/bin/sh
# make bench-scale: the same logical data at 1x, 8x and 64x history (issue
# 14). Each size is a fresh store: S-1 copies of older history, then the
# current copy, each copy loaded as several runs (ingests), so a log has
# S x SCALE_RUNS sealed segments and many small blocks. The history is
# other days, hours, users and event ids, so every query below has the
# same answer at every size (checked: the table says when one differs);
# only what it must look past grows. Prints the table and the goal lines
# of issue 14, and writes a section of bench/RESULTS.md.
#
# Environment:
#   AGGR_BIN        the aggr to measure (make bench-scale builds one with -O2)
#   SCALE_N         records per copy of sessions, flows, counters and events
#                   (default 100000)
#   SCALE_STREAM_N  stream events per copy (default SCALE_N / 5)
#   SCALE_RUNS      runs (ingests, so sealed segments) per copy (default 4)
#   SCALE_SIZES     history sizes, in copies (default "1 8 64"; the first
#                   is the base of the ratios)
#   SCALE_BLOCK_BYTES  AGGR_BLOCK_BYTES of every run (default 16384, so that
#                   blocks are many, as in a year of data)
#   SCALE_DIR       scratch directory (default /tmp/aggr-scale; the stores
#                   are left there)
#   BENCH_RUNS      runs per measurement, the median is reported (default 5;
#                   3 for a command whose first run takes over 10 s)
#   BENCH_RESULTS   file to write (default bench/RESULTS.md; '-' for none)
#   BENCH_GEN       the generator (default bench/gen)
set -u
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
aggr=${AGGR_BIN:?AGGR_BIN: the aggr binary to measure (run make bench-scale)}
N=${SCALE_N:-100000}
SN=${SCALE_STREAM_N:-$((N / 5))}
[ "$SN" -ge 40 ] || SN=40
R=${SCALE_RUNS:-4}
sizes=${SCALE_SIZES:-1 8 64}
bb=${SCALE_BLOCK_BYTES:-16384}
top=${SCALE_DIR:-/tmp/aggr-scale}
runs=${BENCH_RUNS:-5}
results=${BENCH_RESULTS:-$bench_root/bench/RESULTS.md}
gen=${BENCH_GEN:-$bench_root/bench/gen}
for b in "$aggr" "$gen"; do
	[ -x "$b" ] || { echo "scale: $b: not built (run make bench-scale)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || bench_apt time || exit 1
[ "$N" -ge 50 ] || { echo "scale: SCALE_N must be at least 50" >&2; exit 2; }

# Every run seals its segment (so each run is a sealed segment with its
# filter file), blocks are small, and the clock is fixed: no record expires
# (sessions keep 365.25 days from their ingest) and event stops are stable.
export AGGR_SEAL_AGE=0 AGGR_BLOCK_BYTES=$bb AGGR_NOW=2024-01-01T00:00:00Z
mkdir -p "$top" || exit 1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/aggr-scale-run.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
secs() { awk -v u="$1" 'BEGIN { printf (u < 100000 ? "%.4f" : "%.3f"), u / 1e6 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf (b > 0 ? "%.2f" : "-"), a / b }'; }
fsum() { find "$1" -name "$2" -type f -exec cat {} + 2>/dev/null | wc -c | tr -d ' '; }

# ---- the copies --------------------------------------------------------
# copy K (0 is the current one, 1.. older history) of each kind, on
# standard output:
# sessions: seed K+1 (other users), 2023 moved to 2023-K (and its ends in
#   2024 to 2024-K), so --starts --days 1 at 2023-07-01 sees copy 0 only;
# flows: seed K+1, hours 240K.. (copy 0 has 0..239);
# counters: seed K+1, timestamps 30K days earlier;
# events: starts 7 s apart, copy K's N events before copy K-1's;
# stream: seed K+1, published before copy 0, with the same event names.
copy() {	# KIND K
	case $1 in
	sessions)
		"$gen" sessions "$N" $(($2 + 1)) |
			sed "s/\"ts\":\"2024-/\"ts\":\"$((2024 - $2))-/;t
			     s/\"ts\":\"2023-/\"ts\":\"$((2023 - $2))-/" ;;
	flows)
		"$gen" flows "$N" $(($2 + 1)) |
			awk -F'"hour":' -v OFS='"hour":' -v k=$((240 * $2)) \
				'{ n = $2 + 0; $2 = (n + k) substr($2, length(n "") + 1) } 1' ;;
	counters)
		"$gen" counters "$N" $(($2 + 1)) |
			awk -F'"timestamp":' -v OFS='"timestamp":' -v k=$((2592000 * $2)) \
				'{ n = $2 + 0; $2 = (n - k) substr($2, length(n "") + 1) } 1' ;;
	events)
		awk -v n="$N" -v base=$((1700000000 - 7 * N * $2)) 'BEGIN {
			for (i = 0; i < n; i++) {
				s = base + 7 * i
				printf "{\"tags\":[\"t%02d\",\"%s\"],\"start_epoch\":%d%s,\"stop_epoch\":%s}\n",
					i % 50, (i % 3 ? "bench" : "nightly"), s, (i % 4 == 1 ? ".25" : ""),
					(i % 5 == 0 ? s + 3600 : "-1")
			} }' ;;
	stream)
		"$gen" stream "$SN" $(($2 + 1)) ;;
	esac
}
load() {	# DIR KIND K: copy K of KIND as R runs (copy K's stream ids: $W/idsK)
	copy "$2" "$3" >"$tmp/copy"
	rm -f "$tmp"/part.*
	split -n "l/$R" -d -a 4 "$tmp/copy" "$tmp/part." || return 1
	for p in "$tmp"/part.*; do
		[ -s "$p" ] || continue
		if [ "$2" = stream ]; then
			"$aggr" -d "$1" stream publish bench --producer p1 "$p" >>"$W/ids$3" || return 1
		else
			"$aggr" -d "$1" ingest "$2" "$p" || return 1
		fi
	done
}
kinds="sessions flows counters events stream"

# ---- the queries -------------------------------------------------------
# id|label|command ($D is the store; $W the size's work directory); the
# log each one reads is in logof below
cat >"$tmp/queries" <<'EOF'
suser|sessions --user|aggr -d $D sessions --user @USER@ >$W/out.suser
sstarts|sessions --starts --days 1|aggr -d $D sessions --starts --days 1 --at @SESSAT@ >$W/out.sstarts
topmin|top --minute|aggr -d $D top --minute --at @TOPAT@ >$W/out.topmin
flows|flows --hour 7|aggr -d $D flows --hour 7 >$W/out.flows
estop|events stop|aggr -d $D events stop @EID@ --at 2023-12-31T00:00:00Z >$W/out.estop
eremove|events remove --start|read -r e <$W/next.start; exec aggr -d $D events remove --start $e >$W/out.eremove
consume|stream consume --limit 10|aggr -d $D stream consume bench --consumer c1 --event-name @NAME@ --limit 10 >$W/out.consume
ack|stream ack|read -r id <$W/next.id; exec aggr -d $D stream ack bench $id --consumer c1 >$W/out.ack
consumers|stream consumers|aggr -d $D stream consumers bench >$W/out.consumers
EOF
logof() {
	case $1 in
	suser|sstarts) echo sessions ;; topmin) echo counters ;; flows) echo flows ;;
	estop|eremove) echo events ;; *) echo streams/bench ;;
	esac
}
# what may differ between sizes: event ids, a consumer's offset into the
# whole stream (its position counts the history of its event name), and
# which start a removal took (the runs may be fewer at one size)
norm() {	# ID FILE
	case $1 in
	eremove) sed 's/[0-9.]//g' "$2" ;;
	*) sed 's/"_id":"[0-9a-f]*"//g; s/"eventId":"[^"]*"//g; s/"offset":[0-9]*//g; s/"consumedPercentage":[0-9.]*//g' "$2" ;;
	esac
}

load0=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date -u '+%Y-%m-%d %H:%M UTC')
t_all0=$(date +%s)
echo "scale: copies of $N records ($SN stream events) in $R runs each, sizes $sizes, blocks of $bb bytes, $runs runs per measurement, stores in $top" >&2
base=
: >"$tmp/stats"
for S in $sizes; do
	[ -n "$base" ] || base=$S
	W=$top/x$S
	D=$W/store
	rm -rf "$W" && mkdir -p "$W" || exit 1
	t0=$(date +%s)
	for kind in $kinds; do
		k=$((S - 1))
		while [ "$k" -ge 0 ]; do
			load "$D" "$kind" "$k" || { echo "scale: ${S}x: cannot load copy $k of $kind" >&2; exit 1; }
			k=$((k - 1))
		done
	done
	t1=$(date +%s)
	echo "scale: ${S}x: loaded in $((t1 - t0)) s" >&2
	# the store as loaded (events stop and remove, ack and seek add to it)
	for log in sessions flows counters events streams/bench; do
		info=$("$aggr" -d "$D" info "$log" --format ndjson)
		sg=$(echo "$info" | sed 's/.*"segments":\([0-9]*\).*/\1/')
		bl=$(echo "$info" | sed 's/.*"blocks":\([0-9]*\).*/\1/')
		rw=$(echo "$info" | sed 's/.*"raw_bytes":\([0-9]*\).*/\1/')
		rc=$(echo "$info" | sed 's/.*"records":\([0-9]*\).*/\1/')
		f=$(find "$D/$log" -name '*.flt' -type f | head -n 1)
		B=0 K=0	# bloom bytes and probes, from a filter file's header
		[ -n "$f" ] && B=$(od -An -tu4 -j12 -N4 "$f" | tr -d ' ') K=$(od -An -tu4 -j16 -N4 "$f" | tr -d ' ')
		echo "$S|$log|$sg|$bl|$(fsum "$D/$log" '*.idx')|$(fsum "$D/$log" '*.flt')|$(fsum "$D/$log" '*.jsonl.gz*')|$rw|$rc|$B|$K" >>"$tmp/stats"
	done
	# the keys of the queries, from the middle of copy 0: a user, a start
	# time (a day back from it holds its session's start), a minute
	"$gen" sessions "$N" 1 | sed -n "$((N / 2 + 1))p" >"$tmp/s0"
	sed 's/.*"user_id":"\([^"]*\)".*/\1/' "$tmp/s0" >"$W/user"
	sessat=$(sed 's/.*"ts":"\([^"]*\)".*/\1Z/' "$tmp/s0")
	topat=$(($(copy counters 0 | sed -n "$((N / 2 + 1))s/^{\"timestamp\":\([0-9]*\).*/\1/p") + 60))
	copy events 0 >"$tmp/ev0"
	s=$(sed -n "$((N / 2 + 1))p" "$tmp/ev0" | sed 's/.*"start_epoch":\([0-9.]*\),.*/\1/')
	"$aggr" -d "$D" events list --since "$s" --until "$((${s%.*} + 1))" --format ndjson |
		sed -n '1s/^{"_id":"\([0-9a-f]*\)".*/\1/p' >"$W/eid"
	[ -s "$W/eid" ] || { echo "scale: ${S}x: no event starts at $s" >&2; exit 1; }
	sed -n "$((N / 2 + 2)),$((N / 2 + 21))p" "$tmp/ev0" | sed 's/.*"start_epoch":\([0-9.]*\),.*/\1/' >"$W/starts"
	echo 0 >"$W/start.i"
	name=$(copy stream 0 | head -n 1 | sed 's/^{"event":{"name":"\([^"]*\)".*/\1/')
	echo "$name" >"$W/name"
	name2=$(copy stream 0 | sed 's/^{"event":{"name":"\([^"]*\)".*/\1/' | grep -vx "$name" | head -n 1)
	line2=$(copy stream 0 | grep -n "^{\"event\":{\"name\":\"$name2\"" | head -n 1 | cut -d: -f1)
	"$aggr" -d "$D" stream seek bench --consumer c1 --event-name "$name" --to "$(sed -n 1p "$W/ids0")" &&
	"$aggr" -d "$D" stream seek bench --consumer c2 --event-name "$name2" --to "$(sed -n "${line2}p" "$W/ids0")" ||
		{ echo "scale: ${S}x: cannot seek the consumers" >&2; exit 1; }
	# before each timed run: the next start to remove, the next id to ack
	cat >"$W/prep-start.sh" <<-EOS
	i=\$((\$(cat "$W/start.i") + 1)); echo \$i >"$W/start.i"; sed -n "\${i}p" "$W/starts" >"$W/next.start"
	EOS
	cat >"$W/prep-ack.sh" <<-EOS
	"$aggr" -d "$D" stream consume bench --consumer c1 --event-name "$name" --limit 1 --format ndjson |
		sed 's/^{"eventId":"\([^"]*\)".*/\1/' >"$W/next.id"
	EOS
	while IFS='|' read -r id label cmd; do
		c=$(echo "$cmd" | sed "s|\\\$D|$D|g; s|\\\$W|$W|g; s|^aggr |$aggr |; s|exec aggr |exec $aggr |
			s|@USER@|$(cat "$W/user")|; s|@EID@|$(cat "$W/eid")|; s|@NAME@|$name|
			s|@SESSAT@|$sessat|; s|@TOPAT@|$topat|")
		prep=
		[ "$id" = eremove ] && prep="sh $W/prep-start.sh"
		[ "$id" = ack ] && prep="sh $W/prep-ack.sh"
		printf 'scale: %3sx %-28s' "$S" "$label" >&2
		set -- $(bench_time "$runs" "$c" "$prep" </dev/null)
		echo " -> $(secs "$1") s, $(mib "$2") MiB" >&2
		[ "$3" = 0 ] || { echo "scale: failed: $c" >&2; status=1; }
		eval "T_${id}_$S=$1 R_${id}_$S=$2"
		if [ "$S" != "$base" ] && ! cmp -s "$tmp/norm.$id" "$(norm "$id" "$W/out.$id" >"$tmp/n" && echo "$tmp/n")"; then
			eval "D_${id}_$S=1"
			echo "scale: ${S}x: $label: the answer differs from ${base}x's" >&2
			status=1
		fi
		[ "$S" = "$base" ] && norm "$id" "$W/out.$id" >"$tmp/norm.$id"
		# an empty answer would make the comparison say nothing
		[ "$id" = ack ] || [ -s "$W/out.$id" ] && ! grep -q '^\[\]$\|^{"[^"]*":\[\]}$\|"items":\[\]' "$W/out.$id" || {
			echo "scale: ${S}x: $label: empty answer" >&2
			status=1
		}
	done <"$tmp/queries"
done
load1=$(cut -d' ' -f1-3 /proc/loadavg)
t_all=$(($(date +%s) - t_all0))
last=${S}

# ---- report --------------------------------------------------------------
table() {
	printf '| query |'
	for S in $sizes; do printf ' %sx s | %sx MiB |' "$S" "$S"; done
	printf ' %sx/%sx |\n|---|' "$last" "$base"
	for S in $sizes; do printf -- '---:|---:|'; done
	echo '---:|'
	while IFS='|' read -r id label cmd; do
		printf '| `%s` |' "$label"
		for S in $sizes; do
			eval "t=\$T_${id}_$S r=\$R_${id}_$S d=\${D_${id}_$S:-}"
			printf ' %s%s | %s |' "$(secs "$t")" "${d:+ (ANSWER DIFFERS)}" "$(mib "$r")"
		done
		eval "a=\$T_${id}_$last b=\$T_${id}_$base"
		echo " $(ratio "$a" "$b") |"
	done <"$tmp/queries"
}
stats() {
	echo "| size | log | segments | blocks | index bytes | filter bytes (.flt) | data bytes | JSON bytes |"
	echo "|---:|---|---:|---:|---:|---:|---:|---:|"
	while IFS='|' read -r S log sg bl ix fl da rw rc B K; do
		echo "| ${S}x | $log | $sg | $bl | $ix | $fl | $da | $rw |"
	done <"$tmp/stats"
}
# The scaling model: each log alone receiving 1 TB of JSON a day, kept a
# year, written with the default block (131072 bytes of JSON) and segment
# (67108864 bytes of file) sizes, compressed as here. Index bytes grow per
# block (an entry per block, measured here per block); a filter file has
# 8 x B slices of ceil(n/8) + 4 bytes for a segment of n blocks (FILTER
# FILES in aggr-format(5)). A query's cost is its time at the base size
# plus what the extra history cost it, extrapolated either per extra
# segment (the bound if a reader's work is per segment, as the MANIFEST
# summaries and the filters make it) or per extra block (if it is per
# block or per index entry); a negative slope (noise) counts as 0.
model_logs() {
	echo "| log | JSON bytes a record | ratio | segments a year | blocks a segment | blocks a year | index bytes a year | filter bytes a year |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|"
	grep "^$base|" "$tmp/stats" | while IFS='|' read -r S log sg bl ix fl da rw rc B K; do
		awk -v lg="$log" -v bl="$bl" -v ix="$ix" -v da="$da" -v rw="$rw" -v rc="$rc" -v B="$B" 'BEGIN {
			day = 1e12; year = 365 * day; r = rw / da
			segjson = 67108864 * r; n = int(segjson / 131072 + 0.5)
			segs = year / segjson; blocks = year / 131072
			flt = (B > 0) ? segs * (64 + 8 * B * (int((n + 7) / 8) + 4)) : 0
			printf "| %s | %.0f | %.2f | %.3g | %d | %.3g | %.3g | %.3g |\n", lg, rw / rc, r, segs, n, blocks, ix / bl * blocks, flt
		}'
	done
}
model_queries() {
	echo "| query | log | ${base}x s | ${last}x s | s per extra segment | s per extra block | a year, per segment | a year, per block | ${last}x MiB | MiB a year, per segment |"
	echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	while IFS='|' read -r id label cmd; do
		log=$(logof "$id")
		eval "a=\$T_${id}_$last b=\$T_${id}_$base ra=\$R_${id}_$last rb=\$R_${id}_$base"
		s1=$(grep "^$base|$log|" "$tmp/stats") s2=$(grep "^$last|$log|" "$tmp/stats")
		awk -v label="$label" -v lg="$log" -v a="$a" -v b="$b" -v ra="$ra" -v rb="$rb" -v s1="$s1" -v s2="$s2" 'BEGIN {
			split(s1, x, "|"); split(s2, y, "|")
			r = x[8] / x[7]; segs = 365e12 / (67108864 * r); blocks = 365e12 / 131072
			ds = y[3] - x[3]; db = y[4] - x[4]
			cs = (ds > 0 && a > b) ? (a - b) / 1e6 / ds : 0
			cb = (db > 0 && a > b) ? (a - b) / 1e6 / db : 0
			ms = (ds > 0 && ra > rb) ? (ra - rb) / ds : 0
			printf "| `%s` | %s | %.4f | %.4f | %.2e | %.2e | %.3g | %.3g | %.1f | %.0f |\n", label, lg, b / 1e6, a / 1e6,
				cs, cb, b / 1e6 + cs * (segs - x[3]), b / 1e6 + cb * (blocks - x[4]), ra / 1024, (rb + ms * (segs - x[3])) / 1024
		}'
	done <"$tmp/queries"
}
goal() { if [ "$2" = 1 ]; then echo "- PASS: $1"; else echo "- FAIL: $1"; fi; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { print (a <= b) ? 1 : 0 }'; }
goals() {
	while IFS='|' read -r id label cmd; do
		eval "a=\$T_${id}_$last b=\$T_${id}_$base"
		x=$(ratio "$a" "$b")
		goal "\`$label\` at ${last}x takes ${x}x its time at ${base}x (goal: at most 2)" "$(le "$x" 2)"
	done <"$tmp/queries"
	for id in suser topmin estop ack consumers; do
		eval "a=\$T_${id}_$last"
		label=$(sed -n "s/^$id|\([^|]*\)|.*/\1/p" "$tmp/queries")
		goal "\`$label\` at ${last}x: $(secs "$a") s (goal: under 0.05 s)" "$(le "$a" 49999)"
	done
	worst=0 wl=
	while IFS='|' read -r id label cmd; do
		for S in $sizes; do
			eval "r=\$R_${id}_$S"
			[ "$r" -gt "$worst" ] && worst=$r wl="\`$label\` at ${S}x"
		done
	done <"$tmp/queries"
	goal "peak RSS of every query at every size under 32 MiB: the largest is $(mib "$worst") MiB ($wl)" "$(le "$worst" 32767)"
}
section() {
	echo "<!-- bench-scale begin -->"
	echo "## History scaling: $N records a copy, sizes $sizes ($start)"
	echo
	echo "Generated by \`make bench-scale SCALE_N=$N\` (bench/scale.sh): each size is a fresh"
	echo "store of that many copies of the data (the current copy and older history:"
	echo "other days, hours, users and ids), every copy of every log loaded as $R runs"
	echo "(AGGR_SEAL_AGE=0: one sealed segment a run) with AGGR_BLOCK_BYTES=$bb; each copy"
	echo "holds $N sessions, flows, counters and events records and $SN stream events."
	echo "Every query has the same answer at every size (checked after taking out event"
	echo "ids and the consumers' offsets into the history). Median of $runs runs; peak RSS"
	echo "the largest over the runs. Load average $load0 before, $load1 after (2 cores"
	echo "shared with other engineers' builds and tests); $t_all s in all."
	echo
	echo "- machine: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), $(nproc) cores, Linux $(uname -r)"
	echo "- aggr: $("$aggr" --version 2>&1 | head -n 1), $(cd "$bench_root" && git describe --always --dirty 2>/dev/null), built with -O2 -g"
	echo
	table
	echo
	stats
	echo
	echo "Goals (issue 14):"
	echo
	goals
	echo
	echo "### Scaling model: 1 TB of JSON a day, kept a year"
	echo
	echo "Each log alone receiving 1e12 bytes of JSON a day for 365 days, its records"
	echo "as generated here (the record size and compression ratio are this store's),"
	echo "written with the default blocks (AGGR_BLOCK_BYTES 131072 bytes of JSON) and"
	echo "segments (AGGR_SEGMENT_BYTES 67108864 bytes of file: sealed full, not per run"
	echo "or by AGGR_SEAL_AGE). Index bytes: this store's index bytes per block, times"
	echo "the blocks; filter bytes: 64 + 8 x B x (ceil(n/8) + 4) per segment of n blocks,"
	echo "B the bloom bytes of the kind (aggr-format(5), FILTER FILES); flows and counters"
	echo "have no filters."
	echo
	model_logs
	echo
	echo "A query's cost a year: its ${base}x time plus the extra time ${last}x cost it,"
	echo "extrapolated per extra segment (if a reader's work is per segment) or per extra"
	echo "block (if it is per block or index entry); the two bound the likely cost."
	echo "Here a segment holds tens to hundreds of 16 KiB blocks, there about 2000 of 128 KiB,"
	echo "so a per-segment cost that is really per block of it is underestimated by the"
	echo "first model, and a per-block cost that is per segment overestimated by the"
	echo "second. Memory likewise, per extra segment (a difference of 0.1 MiB, the"
	echo "resolution here, is 0.4 KiB a segment). Noise: at ${base}x the queries take a"
	echo "few ms, and under load a slope of a few ms is within the noise; a negative"
	echo "slope counts as 0, so such a row says only that ${last}x cost nothing measurable."
	echo
	model_queries
	echo "<!-- bench-scale end -->"
}
section >"$tmp/section"
echo
table
echo
stats
echo
goals
if [ "$results" != - ]; then
	if [ -f "$results" ] && grep -q '^<!-- bench-scale begin -->' "$results"; then
		awk -v f="$tmp/section" '
			$0 == "<!-- bench-scale begin -->" { while ((getline l < f) > 0) print l; skip = 1; next }
			$0 == "<!-- bench-scale end -->" { skip = 0; next }
			!skip' "$results" >"$tmp/results"
	else
		{ [ -f "$results" ] && { cat "$results"; echo; }; cat "$tmp/section"; } >"$tmp/results"
	fi
	cp "$tmp/results" "$results" && echo "scale: wrote $results" >&2
fi
exit $status
