# aggr compact: removed events and updates leave the files, live events keep
# their order and offsets, stops are folded in; check verifies compacted
# logs; a second compaction of compacted (sparse) blocks; writes after it.
# Small blocks and segments: 200 events in 10 runs make several segments.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

$ for r in $(seq 0 9); do tagged $((r * 20)) $((r * 20 + 19)) 1000 | AGGR_BLOCK_BYTES=512 AGGR_SEGMENT_BYTES=2000 aggr ingest events || exit; done
$ aggr events list --format ndjson | wc -l; ls "$AGGR_DIR/events" | grep -c 'jsonl.gz'
200
4

# remove 150 (every start but each fourth), stop two of the 50 left
$ aggr events remove $(seq 0 199 | awk '$1 % 4 { printf "--start %d ", 1000 + $1 }') | jq '.start_epoch_array_deleted | length'
150

$ for n in 0 196; do aggr events stop $(aggr events list --tag n$n --format ndjson | jq -r ._id) --at 5000 >/dev/null; done
$ aggr events list --format ndjson | jq -r '[.tags[0], .stop_epoch] | @tsv' | tr '\t' : | tr '\n' ' '
n0:5000 n4:-1 n8:-1 n12:-1 n16:-1 n20:-1 n24:-1 n28:-1 n32:-1 n36:-1 n40:-1 n44:-1 n48:-1 n52:-1 n56:-1 n60:-1 n64:-1 n68:-1 n72:-1 n76:-1 n80:-1 n84:-1 n88:-1 n92:-1 n96:-1 n100:-1 n104:-1 n108:-1 n112:-1 n116:-1 n120:-1 n124:-1 n128:-1 n132:-1 n136:-1 n140:-1 n144:-1 n148:-1 n152:-1 n156:-1 n160:-1 n164:-1 n168:-1 n172:-1 n176:-1 n180:-1 n184:-1 n188:-1 n192:-1 n196:5000 

$ aggr events list > before.json; cat "$AGGR_DIR"/events/*.jsonl.gz* | wc -c > size.before; aggr cat events | wc -l
352

$ aggr -v compact events
!~ ^aggr: compact: events: rewrote 4 segments \(0 left empty\), kept 50 records, dropped 302, [0-9]+ -> [0-9]+ bytes$

# the same live events, in the same order, with their stops
$ aggr events list | cmp - before.json && echo same
same

# the files shrank to under half; every stored line is a live event
$ after=$(cat "$AGGR_DIR"/events/*.jsonl.gz* | wc -c); [ $((after * 2)) -lt $(cat size.before) ] && echo shrank
shrank

$ zcat "$AGGR_DIR"/events/*.jsonl.gz* | jq -r '[.tags[0], .stop_epoch, has("_op")] | @tsv' | tr '\t' : | head -3; zcat "$AGGR_DIR"/events/*.jsonl.gz* | wc -l
n0:5000:false
n4:-1:false
n8:-1:false
50

$ aggr -v check events
! aggr: check: events: ok: 4 segments, 4 blocks, 50 records

# compacted segments are a new generation, and offsets did not go back
$ ls "$AGGR_DIR/events" | grep -c -- '-1\.jsonl\.gz'; aggr info events --format ndjson | jq -c '{records, next_offset}'
4
{"records":50,"next_offset":352}

# nothing dead: nothing rewritten
$ aggr -v compact events
!~ ^aggr: compact: events: rewrote 0 segments \(0 left empty\), kept 50 records, dropped 0, [0-9]+ -> [0-9]+ bytes$

# more removals and a stop in compacted (sparse) blocks, then compact again
$ aggr events remove $(seq 0 199 | awk '$1 % 8 == 4 { printf "--start %d ", 1000 + $1 }') | jq '.start_epoch_array_deleted | length' && aggr events stop $(aggr events list --tag n8 --format ndjson | jq -r ._id) --at 6000 >/dev/null && aggr events list > before2.json && aggr compact events && aggr events list | cmp - before2.json && aggr events list --format ndjson | jq -r '[.tags[0], .stop_epoch] | @tsv' | tr '\t' : | tr '\n' ' '
25
n0:5000 n8:6000 n16:-1 n24:-1 n32:-1 n40:-1 n48:-1 n56:-1 n64:-1 n72:-1 n80:-1 n88:-1 n96:-1 n104:-1 n112:-1 n120:-1 n128:-1 n136:-1 n144:-1 n152:-1 n160:-1 n168:-1 n176:-1 n184:-1 n192:-1 

$ aggr -v check events; ls "$AGGR_DIR/events" | grep -c -- '-2\.jsonl\.gz$' | sed 's/^[1-9][0-9]*$/some/'
some
! aggr: check: events: ok: 4 segments, 4 blocks, 25 records

# writes after compaction land after the live events
$ aggr events add --start 99 --tag late >/dev/null && aggr events list --format ndjson | jq -r '.tags[0]' | tail -2 && aggr check events
n192
late

# everything removed: the segments leave the MANIFEST
$ aggr events remove --purge && aggr -v compact events && aggr events list && grep -c '^segment' "$AGGR_DIR/events/MANIFEST"; ls "$AGGR_DIR/events"
{"purged":26}
| []
0
LOCK
MANIFEST
!~ ^aggr: compact: events: rewrote 4 segments \(4 left empty\), kept 0 records, dropped 52, [0-9]+ -> [0-9]+ bytes$

# offsets go on from where they were
$ aggr events add --tag again >/dev/null && aggr info events --format ndjson | jq -c '{records, next_offset}' && aggr check events
{"records":1,"next_offset":406}

# logs whose records never die
$ aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json" && aggr -v compact flows
! aggr: compact: flows: nothing to compact

$ aggr -v compact
!~ ^aggr: compact: events: rewrote 0 segments \(0 left empty\), kept 1 record, dropped 0, [0-9]+ -> [0-9]+ bytes$
!~ ^aggr: compact: flows: nothing to compact$

$ aggr compact nosuch
! aggr: compact: not a log name: nosuch (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help compact'.
[2]

