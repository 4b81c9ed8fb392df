# Size-based retention (issue 17 item 5): retain --max-bytes deletes the
# oldest whole sealed segments until the log's files (info's disk_bytes)
# fit; --set-max-bytes keeps the size in the MANIFEST, and ingest and
# stream publish apply it on their way out. The newest segment stays.
# AGGR_SEGMENT_BYTES=1: each run is a sealed segment of its own.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

$ for i in 1 2 3 4; do echo "{\"timestamp\":1642284000,\"a$i.example\":$i}" | AGGR_NOW=2021-01-0${i}T00:00:00Z AGGR_SEGMENT_BYTES=1 aggr ingest counters || exit 1; done

# ... four runs (the case above), four sealed segments
$ ls data/counters | grep jsonl; aggr info counters --format csv | cut -d, -f1,3,5,11,21,22
00000000000000000000.jsonl.gz
00000000000000000001.jsonl.gz
00000000000000000002.jsonl.gz
00000000000000000003.jsonl.gz
log,segments,records,first_offset,disk_bytes,retention_bytes
counters,4,4,0,2037,

# it fits already: nothing deleted, nothing said, the MANIFEST untouched
$ cp data/counters/MANIFEST m0 && aggr -v retain counters --max-bytes 2037 && aggr -v retain counters --max-bytes 2M && cmp m0 data/counters/MANIFEST && ls data/counters | grep -c jsonl
4

# a byte less: the oldest segment goes, and only it
$ aggr -v retain counters --max-bytes 2036 && ls data/counters | grep jsonl && aggr cat counters && aggr info counters --format csv | cut -d, -f1,3,5,11,21
00000000000000000001.jsonl.gz
00000000000000000002.jsonl.gz
00000000000000000003.jsonl.gz
{"timestamp":1642284000,"a2.example":2}
{"timestamp":1642284000,"a3.example":3}
{"timestamp":1642284000,"a4.example":4}
log,segments,records,first_offset,disk_bytes
counters,3,3,1,1542
! aggr: retain: counters: deleted 1 record (1 segment, 495 bytes) to fit in 2036 bytes

# 1100 bytes: one more goes, and the newest two fit
$ aggr -v retain counters --max-bytes 1100 && ls data/counters | grep jsonl && aggr check counters
00000000000000000002.jsonl.gz
00000000000000000003.jsonl.gz
! aggr: retain: counters: deleted 1 record (1 segment, 495 bytes) to fit in 1100 bytes

# 0: everything but the newest segment, which always stays
$ aggr -v retain counters --max-bytes 0 && ls data/counters | grep jsonl && aggr cat counters && aggr -v retain counters --max-bytes 0
00000000000000000003.jsonl.gz
{"timestamp":1642284000,"a4.example":4}
! aggr: retain: counters: deleted 1 record (1 segment, 495 bytes) to fit in 0 bytes
! aggr: retain: counters: 552 bytes, more than 0, but the newest segment stays
! aggr: retain: counters: 552 bytes, more than 0, but the newest segment stays

# bad sizes exit 2 and change nothing
$ cp -a data d0; for v in 1x -1 +1 1.5M '' 1KB ' 1' 1K2 8E 8589934592G 9223372036854775808; do aggr retain counters --max-bytes "$v"; echo "[$?]"; done 2>&1 | sort | uniq -c | sed 's/^ *//'; aggr retain counters --set-max-bytes foo; aggr retain --set-max-bytes 1M; echo "rc=$?"; diff -r d0 data
11 Try 'aggr help retain'.
11 [2]
1 aggr: retain: --max-bytes: not a size such as 512M: 
1 aggr: retain: --max-bytes: not a size such as 512M:  1
1 aggr: retain: --max-bytes: not a size such as 512M: +1
1 aggr: retain: --max-bytes: not a size such as 512M: -1
1 aggr: retain: --max-bytes: not a size such as 512M: 1.5M
1 aggr: retain: --max-bytes: not a size such as 512M: 1K2
1 aggr: retain: --max-bytes: not a size such as 512M: 1KB
1 aggr: retain: --max-bytes: not a size such as 512M: 1x
1 aggr: retain: --max-bytes: not a size such as 512M: 8589934592G
1 aggr: retain: --max-bytes: not a size such as 512M: 8E
1 aggr: retain: --max-bytes: not a size such as 512M: 9223372036854775808
rc=2
! aggr: retain: --set-max-bytes: not a size such as 512M, or none: foo
! Try 'aggr help retain'.
! aggr: retain: --set-max-bytes needs a LOG
! Try 'aggr help retain'.

# the largest size there is, in any case of suffix
$ aggr -v retain counters --max-bytes 8388607t && aggr -v retain counters --max-bytes 9223372036854775807 && aggr -v retain counters --max-bytes 1g

# --set-max-bytes keeps the size in the MANIFEST (1k: 1024 bytes), and
# info shows it; a log not written yet is created with it
$ aggr -v retain flows --set-max-bytes 1k && grep retention_bytes data/flows/MANIFEST && aggr info flows --format json | jq -c '.[0] | {retention_bytes, disk_bytes}'
retention_bytes 1024
{"retention_bytes":1024,"disk_bytes":75}
! aggr: retain: flows: size retention set to 1k

# setting it again to the same size changes nothing
$ cp data/flows/MANIFEST m1 && aggr -v retain flows --set-max-bytes 1024 && cmp m1 data/flows/MANIFEST

# a later ingest applies it on its way out: four runs, then only what fits
$ for h in 1 2 3 4; do printf '{"src_app":"a","dest_app":"b","vpc_id":"v","bytes_tx":%s,"bytes_rx":1,"hour":%s}\n' $h $h | AGGR_NOW=2021-01-01T0${h}:00:00Z AGGR_SEGMENT_BYTES=1 aggr -v ingest flows || exit 1; done
! aggr: ingest: flows: sealed segment 0
! aggr: ingest: stored 1 record in flows
! aggr: ingest: flows: sealed segment 1
! aggr: ingest: stored 1 record in flows
! aggr: ingest: flows: deleted 1 record (1 segment, 489 bytes) to fit in 1024 bytes
! aggr: ingest: flows: sealed segment 2
! aggr: ingest: stored 1 record in flows
! aggr: ingest: flows: deleted 1 record (1 segment, 489 bytes) to fit in 1024 bytes
! aggr: ingest: flows: sealed segment 3
! aggr: ingest: stored 1 record in flows
! aggr: ingest: flows: deleted 1 record (1 segment, 489 bytes) to fit in 1024 bytes

# ... four runs (the case above): size retention kept the newest
$ ls data/flows | grep jsonl; aggr info flows --format csv | cut -d, -f1,3,5,11,21,22
00000000000000000003.jsonl.gz
log,segments,records,first_offset,disk_bytes,retention_bytes
flows,1,1,3,564,1024

# none clears it; the next ingest then keeps everything
$ aggr -v retain flows --set-max-bytes none && grep -c retention_bytes data/flows/MANIFEST
0
! aggr: retain: flows: size retention set to none
[1]

# ... with none set (the case above), the next ingest keeps every segment
$ echo '{"src_app":"a","dest_app":"b","vpc_id":"v","bytes_tx":5,"bytes_rx":1,"hour":5}' | AGGR_SEGMENT_BYTES=1 aggr ingest flows && ls data/flows | grep -c jsonl && aggr info flows --format json | jq -c '.[0].retention_bytes'
2
null

# --- streams: the same rules ---
# (event IDs are random: sizes vary by a byte or two, hence N)
# runs R1 (offsets 0, 1), R2 (2, 3), R3 (4), a segment each; c1
# acknowledged the event at offset 0, so it is at offset 1
$ jq -c . "$EVENT1" > e.json && cat e.json e.json > two.json
$ for f in two two e; do AGGR_SEGMENT_BYTES=1 aggr stream publish s --producer p $f.json || exit 1; done > ids
$ aggr stream ack s "$(sed -n 1p ids)" --consumer c1 && aggr stream seek s --consumer c3 --event-name GdriveSync --to earliest && aggr -v retain streams/s --max-bytes 0 2>&1 | sed -E 's/[0-9]{3,} bytes/N bytes/g' && ls data/streams/s | grep jsonl
aggr: retain: streams/s: deleted 4 records (2 segments, N bytes) to fit in 0 bytes
aggr: retain: streams/s: N bytes, more than 0, but the newest segment stays
00000000000000000004.jsonl.gz

# c1's next consume moves it to offset 4, the first event kept, and counts
# the three skipped (offsets 1-3); the next one says nothing
$ aggr stream consume s --consumer c1 --event-name GdriveSync --limit 10 | jq -r '.[].eventId' | grep -cxF "$(sed -n 5p ids)"; aggr stream consume s --consumer c1 --event-name GdriveSync --limit 10 | jq length
1
1
! aggr: stream: consume: consumer c1 of s (event name GdriveSync) was at offset 1, before the first retained offset 4: skipped 3 events

# c3 sought the earliest event, offset 0: it follows the first event kept,
# with no warning, and so does a consumer with no position yet (c2)
$ aggr stream consume s --consumer c3 --event-name GdriveSync --limit 10 | jq length; aggr stream consume s --consumer c2 --event-name GdriveSync --limit 10 | jq length
1
1

# c1's move is stored (movedAt is the real clock: not shown); c2 stays
# without a position, as consume alone never stores one
$ aggr stream consumers s --format csv | cut -d, -f1,2,4-
consumerId,offset,eventName,consumedPercentage,behind
c1,1,GdriveSync,50.00,1
c3,0,GdriveSync,0.00,1

# seek --to earliest now means offset 4; an ack of the event there works
$ aggr stream seek s --consumer c4 --event-name GdriveSync --to earliest && aggr stream consume s --consumer c4 --event-name GdriveSync --limit 10 | jq length && aggr stream ack s "$(sed -n 5p ids)" --consumer c1 && aggr stream consumers s --format csv | cut -d, -f1,2,4- | grep c1
1
c1,2,GdriveSync,100.00,0

# a stream's size kept by --set-max-bytes: publish applies it on its way out
$ { aggr -v retain streams/s --set-max-bytes 1 && AGGR_SEGMENT_BYTES=1 aggr -v stream publish s --producer p e.json > /dev/null; } 2>&1 | sed -E 's/[0-9]{3,} bytes/N bytes/g' && ls data/streams/s | grep jsonl && aggr info streams/s --format json | jq -c '.[0] | {first_offset, retention_bytes}'
aggr: retain: streams/s: size retention set to 1
aggr: retain: streams/s: N bytes, more than 1, but the newest segment stays
aggr: stream: streams/s: sealed segment 5
aggr: stream: published 1 event to stream s
aggr: stream: streams/s: deleted 1 record (1 segment, N bytes) to fit in 1 bytes
aggr: stream: streams/s: N bytes, more than 1, but the newest segment stays
00000000000000000005.jsonl.gz
{"first_offset":5,"retention_bytes":1}

# of a stream never published to: no such stream, exit 4
$ aggr retain streams/x --set-max-bytes 1M
! aggr: retain: streams/x: no such stream
[4]
