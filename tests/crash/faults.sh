#!/bin/bash
# Faults: writers killed at random points, concurrent writers, readers racing
# writers. Each check prints "ok"/"not ok"; the last line is the tally.
set -u
: "${AGGR_BIN:?}"
aggr=$AGGR_BIN
pass=0 fail=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export AGGR_DIR=$work/data AGGR_NOW=2022-01-15T22:00:00Z
# small blocks and segments so a run spans many blocks and logs roll often
export AGGR_BLOCK_BYTES=2048 AGGR_SEGMENT_BYTES=65536

ok() { pass=$((pass + 1)); echo "ok $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok $1${2:+: $2}"; }

# run_file K N: N flow records tagged with run K (src_app "run-K")
run_file() {
	awk -v k="$1" -v n="$2" 'BEGIN { for (i = 0; i < n; i++)
		printf "{\"src_app\":\"run-%d\",\"dest_app\":\"d%d\",\"vpc_id\":\"v\",\"hour\":%d,\"bytes_tx\":1,\"bytes_rx\":2}\n", k, i % 7, i % 24 }'
}

# runs_whole: every run in the log has all N records or none; prints how many are whole
runs_whole() {   # N
	"$aggr" cat flows | sed 's/^{"src_app":"\(run-[0-9]*\)".*/\1/' | sort | uniq -c |
		awk -v n="$1" '$1 != n { bad = 1; print "partial run " $2 ": " $1 " records" > "/dev/stderr" }
			END { exit bad }'
}

# 1. SIGKILL at random points during ingest, many times
n=20000
for k in $(seq 1 30); do run_file "$k" $n > "$work/run-$k.json"; done
# how long one run takes here, so that the kills land inside runs
t0=$(date +%s%N)
"$aggr" ingest flows "$work/run-30.json"
t1=$(date +%s%N)
"$aggr" purge flows
span=$(( (t1 - t0) / 1000000 ))
killed=0 committed=0
for k in $(seq 1 30); do
	delay=$(awk -v k="$k" -v span="$span" 'BEGIN { srand(k); printf "%.3f", (1 + rand() * span * 1.2) / 1000 }')
	( timeout -s KILL "$delay" "$aggr" ingest flows "$work/run-$k.json" ) 2>/dev/null
	rc=$?
	if [ $rc = 0 ]; then committed=$((committed + 1)); else killed=$((killed + 1)); fi
	# a killed run leaves uncommitted bytes: check says so with status 9
	# and its own message, never 8; a run that committed leaves none
	"$aggr" check flows 2>"$work/err"
	crc=$?
	if [ $crc = 0 ] || { [ $crc = 9 ] && [ $rc != 0 ] &&
		grep -qE '^aggr: check: flows: [0-9]+ uncommitted bytes of an interrupted run: nothing committed is damaged; the next writer or aggr check --repair removes them$' "$work/err"; }; then
		ok "check after kill $k: exit $crc"
	else
		not_ok "check after kill $k: exit $crc (ingest $rc)" "$(cat "$work/err")"
	fi
done 2>/dev/null  # bash reports each "Killed"
if runs_whole $n 2>"$work/err"; then ok "killed ingests leave whole runs ($killed killed, $committed committed)"
else not_ok "killed ingests leave whole runs" "$(head -3 "$work/err")"; fi
got=$("$aggr" cat flows | wc -l)
have=$("$aggr" cat flows | sed 's/^{"src_app":"\(run-[0-9]*\)".*/\1/' | sort -u | wc -l)
[ "$got" = $((have * n)) ] && ok "record count is a whole number of runs ($have runs)" ||
	not_ok "record count is a whole number of runs" "$got records, $have runs"
"$aggr" ingest flows < /dev/null && "$aggr" check flows && ok "next writer recovers and check stays clean" ||
	not_ok "next writer recovers"
zcat_lines=$(for f in "$AGGR_DIR"/flows/*.jsonl.gz*; do zcat "$f" || echo "zcat failed on $f" >&2; done 2>"$work/err" | wc -l)
[ "$zcat_lines" = "$got" ] && [ ! -s "$work/err" ] && ok "zcat reads every segment after recovery ($zcat_lines lines)" ||
	not_ok "zcat reads every segment" "$zcat_lines vs $got"
# what other engines read, the sealed segments (*.jsonl.gz), is a prefix of the log
sealed=$(cat "$AGGR_DIR"/flows/*.jsonl.gz 2>/dev/null | zcat | wc -l)
cat "$AGGR_DIR"/flows/*.jsonl.gz 2>/dev/null | zcat | cmp -s - <("$aggr" cat flows | head -n "$sealed") &&
	ok "the sealed segments hold the first $sealed committed records" ||
	not_ok "the sealed segments are not a prefix of the log"

# 2. runs that report success are all there: ingest, kill nothing, compare
"$aggr" purge flows
for k in 1 2 3; do "$aggr" ingest flows "$work/run-$k.json"; done
[ "$("$aggr" cat flows | wc -l)" = $((3 * n)) ] && ok "acknowledged runs present exactly once" ||
	not_ok "acknowledged runs present exactly once"

# 3. four concurrent writers give exact totals
"$aggr" purge flows
for k in 1 2 3 4; do "$aggr" --wait 60 ingest flows "$work/run-$k.json" & done
wait
tx=$("$aggr" flows --hour 5 --size 1000 --format tsv | awk -F'\t' 'NR > 1 { s += $6 } END { print s }')
want=$(( 4 * $(run_file 0 $n | grep -c '"hour":5,') ))
[ "$tx" = "$want" ] && ok "4 concurrent writers: exact totals ($tx)" || not_ok "4 concurrent writers" "$tx, want $want"
runs_whole $n 2>/dev/null && ok "4 concurrent writers: whole runs" || not_ok "4 concurrent writers: whole runs"

# 4. a reader polling during writes never sees part of a run
"$aggr" purge flows
( for k in $(seq 1 8); do "$aggr" --wait 60 ingest flows "$work/run-$k.json"; done ) &
writer=$!
partial=0 polls=0
while kill -0 $writer 2>/dev/null; do
	c=$("$aggr" cat flows | wc -l)
	polls=$((polls + 1))
	[ $((c % n)) = 0 ] || partial=$((partial + 1))
done
wait $writer
[ $partial = 0 ] && ok "reader never saw part of a run ($polls polls)" || not_ok "reader saw partial runs" "$partial of $polls polls"
[ "$("$aggr" cat flows | wc -l)" = $((8 * n)) ] && ok "8 runs stored while polled" || not_ok "8 runs stored while polled"
"$aggr" check flows && ok "check clean after polling" || not_ok "check clean after polling"

# 5. a rejected run leaves the files exactly as they were
before=$(cd "$AGGR_DIR" && find . -type f ! -name LOCK | sort | xargs md5sum)
{ run_file 99 50000; echo '{"bad": 1}'; } > "$work/bad.json"
"$aggr" ingest flows "$work/bad.json" 2>/dev/null
rc=$?
after=$(cd "$AGGR_DIR" && find . -type f ! -name LOCK | sort | xargs md5sum)
[ $rc = 3 ] && [ "$before" = "$after" ] && ok "rejected run leaves files byte for byte" ||
	not_ok "rejected run leaves files byte for byte" "exit $rc"
"$aggr" ingest flows "$work/no-such-file.json" 2>/dev/null
rc=$?
after=$(cd "$AGGR_DIR" && find . -type f ! -name LOCK | sort | xargs md5sum)
[ $rc = 1 ] && [ "$before" = "$after" ] && ok "unreadable input leaves files byte for byte" ||
	not_ok "unreadable input leaves files byte for byte" "exit $rc: $(diff <(echo "$before") <(echo "$after"))"
run_file 99 50000 > "$work/run-99.json"
"$aggr" ingest flows --max-batch 49999 "$work/run-99.json" 2>/dev/null
rc=$?
after=$(cd "$AGGR_DIR" && find . -type f ! -name LOCK | sort | xargs md5sum)
[ $rc = 7 ] && [ "$before" = "$after" ] && ok "over --max-batch leaves files byte for byte" ||
	not_ok "over --max-batch leaves files byte for byte" "exit $rc: $(diff <(echo "$before") <(echo "$after"))"

# 6. batch IDs under kills: after recovery the batches file names exactly the
# runs in the log, and retrying every run stores each exactly once
"$aggr" purge flows
for k in $(seq 1 20); do
	delay=$(awk -v k="$k" -v span="$span" 'BEGIN { srand(100 + k); printf "%.3f", (1 + rand() * span * 1.2) / 1000 }')
	( timeout -s KILL "$delay" "$aggr" ingest flows --batch-id "run-$k" "$work/run-$k.json" ) 2>/dev/null
done 2>/dev/null
"$aggr" ingest flows < /dev/null
in_log=$("$aggr" cat flows | sed 's/^{"src_app":"\(run-[0-9]*\)".*/\1/' | sort -u | tr '\n' ' ')
in_batches=$(cut -d' ' -f1 "$AGGR_DIR/flows/batches" 2>/dev/null | sort | tr '\n' ' ')
[ "$in_log" = "$in_batches" ] && ok "batches name exactly the committed runs ($(echo $in_log | wc -w) runs)" ||
	not_ok "batches name exactly the committed runs" "log: $in_log; batches: $in_batches"
for k in $(seq 1 20); do "$aggr" -q ingest flows --batch-id "run-$k" "$work/run-$k.json"; done
runs_whole $n 2>/dev/null && [ "$("$aggr" cat flows | wc -l)" = $((20 * n)) ] &&
	ok "retried runs stored exactly once" || not_ok "retried runs stored exactly once"

# 7. SIGKILL at random points during compaction: a reader sees every live
# event and no removed one, before and after the next writer recovers
ev=$work/events-base
rm -rf "$ev"
for k in $(seq 1 20); do
	seq $(( (k - 1) * 500 )) $(( k * 500 - 1 )) |
		awk '{ printf "{\"tags\":[\"e%d\"],\"start_epoch\":%d.5}\n", $1, 1000000 + $1 }' |
		AGGR_DIR=$ev "$aggr" ingest events || not_ok "events setup"
done
# remove a random half, by start, in two runs
seq 0 9999 | awk 'BEGIN { srand(7) } rand() < 0.5 { printf "--start %d.5\n", 1000000 + $1 }' > "$work/gone"
head -n 2500 "$work/gone" | xargs env AGGR_DIR=$ev "$aggr" events remove > /dev/null &&
	tail -n +2501 "$work/gone" | xargs env AGGR_DIR=$ev "$aggr" events remove > /dev/null ||
	not_ok "events remove setup"
AGGR_DIR=$ev "$aggr" events list --format ndjson | jq -r '.tags[0]' > "$work/live"
live=$(wc -l < "$work/live")
rm -rf "$work/ev"
cp -a "$ev" "$work/ev"
t0=$(date +%s%N)
AGGR_DIR=$work/ev "$aggr" compact events
t1=$(date +%s%N)
span=$(( (t1 - t0) / 1000000 ))
bad=0 killed=0 switched=0
for k in $(seq 1 30); do
	rm -rf "$work/ev"
	cp -a "$ev" "$work/ev"
	delay=$(awk -v k="$k" -v span="$span" 'BEGIN { srand(200 + k); printf "%.3f", (1 + rand() * span * 1.1) / 1000 }')
	( timeout -s KILL "$delay" env AGGR_DIR=$work/ev "$aggr" compact events ) 2>/dev/null || killed=$((killed + 1))
	grep -q ' gen ' "$work/ev/events/MANIFEST" && switched=$((switched + 1))
	for when in before after; do
		[ $when = after ] && { AGGR_DIR=$work/ev "$aggr" events add --tag probe >/dev/null || bad=$((bad + 1)); }
		AGGR_DIR=$work/ev "$aggr" events list --format ndjson 2>"$work/err" | jq -r '.tags[0]' | grep -v '^probe$' > "$work/got"
		cmp -s "$work/got" "$work/live" || { bad=$((bad + 1)); echo "# kill $k ($when): $(diff "$work/live" "$work/got" | head -3) $(head -1 "$work/err")"; }
	done
	AGGR_DIR=$work/ev "$aggr" check events 2>"$work/err" || { bad=$((bad + 1)); echo "# kill $k: $(head -1 "$work/err")"; }
done 2>/dev/null
[ $bad = 0 ] && ok "compaction killed 30 times ($killed mid-way, $switched after the MANIFEST switch): $live live events, none lost or back" ||
	not_ok "compaction killed at random points" "$bad bad states"

echo "faults: $pass passed, $fail failed"
[ $fail = 0 ]
