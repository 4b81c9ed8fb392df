# Streams after retention (issue 13): every stream command reads through
# log_read_from, so consume, consumers, seek, ack and list agree with cat
# once events expired, both before "aggr retain" deletes their segment and
# after. Run A (events A1, A2) is published on 2026-01-01 into a stream
# that keeps events 1 day; run B (B1) on 2026-01-03, when A has expired.
# (The retention is set after B, with the clock of 2026-01-01, because a
# publish applies retention on its way out and would delete A's segment.)
# AGGR_SEGMENT_BYTES=1: each run is a segment of its own.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: r.

$ jq -c . "$EVENT1" > e.json; cat e.json e.json > two.json; for w in 1 3; do printf '#!/bin/sh\nAGGR_NOW=2026-01-0%sT00:00:00Z AGGR_SEGMENT_BYTES=1 exec aggr "$@"\n' $w > a$w; done; printf '#!/bin/sh\nAGGR_DIR=%s/d2 exec ./a3 "$@"\n' "$PWD" > b3; chmod +x a1 a3 b3; ./a1 stream publish s --producer p two.json > ids && ./a1 stream ack s "$(sed -n 1p ids)" --consumer c1 && ./a3 stream publish s --producer p e.json >> ids && ./a1 retain --set 1d streams/s && awk 'NR <= 2 { print "s/" $0 "/A" NR "/g" } NR == 3 { print "s/" $0 "/B1/g" }' ids > ids.sed && cp -a "$AGGR_DIR" d2 && ls "$AGGR_DIR/streams/s" | grep jsonl
00000000000000000000.jsonl.gz
00000000000000000002.jsonl.gz

# --- expired, still on disk ---

$ ./a3 cat streams/s | jq -r '"\(.offset) \(.eventId)"' | sed -f ids.sed
2 B1

$ ./a3 stream consume s --consumer c2 --event-name GdriveSync --limit 10 | jq -r '.[].eventId' | sed -f ids.sed
B1

# c1 acknowledged A1; A2 is gone: consume moves c1 past it and says so
$ ./a3 stream consume s --consumer c1 --event-name GdriveSync --limit 10 | jq -r '.[].eventId' | sed -f ids.sed
B1
! aggr: stream: consume: consumer c1 of s (event name GdriveSync) was at offset 1, before the first retained offset 2: skipped 1 event

$ ./a3 stream list --format csv
stream,owner,events,firstPublished,lastPublished
s,p,1,2026-01-03T00:00:00.000000Z,2026-01-03T00:00:00.000000Z

# c1 acknowledged A1 before it expired, and consume moved it: one behind,
# B1; moved when consume moved it
$ ./a3 stream consumers s --format csv
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c1,1,2026-01-03T00:00:00.000000Z,GdriveSync,50.00,1

# seek: earliest gives B1 first; latest is past it; an expired event is
# gone, like one never published; B1 itself
$ ./a3 stream seek s --consumer c3 --event-name GdriveSync --to earliest && ./a3 stream seek s --consumer c4 --event-name GdriveSync --to latest && ./a3 stream consume s --consumer c3 --event-name GdriveSync --limit 10 | jq -r '.[].eventId' | sed -f ids.sed; ./a3 stream consume s --consumer c4 --event-name GdriveSync --limit 10
B1
[]

$ ./a3 stream seek s --consumer c5 --event-name GdriveSync --to "$(sed -n 2p ids)" 2>&1 | sed -f ids.sed; exit ${PIPESTATUS[0]}
aggr: stream: no such event in stream s: A2 (never published, or removed by the stream's retention)
[4]

$ ./a3 stream seek s --consumer c5 --event-name GdriveSync --to "$(sed -n 3p ids)" && ./a3 stream consume s --consumer c5 --event-name GdriveSync --limit 10 | jq -r '.[].eventId' | sed -f ids.sed
B1

# ack: of an expired event, exit 4; of the first event still stored, 0
$ ./a3 stream ack s "$(sed -n 1p ids)" --consumer c6 2>&1 | sed -f ids.sed; exit ${PIPESTATUS[0]}
aggr: stream: no such event in stream s: A1 (never published, or removed by the stream's retention)
[4]

$ ./a3 stream ack s "$(sed -n 2p ids)" --consumer c6 2>&1 | sed -f ids.sed; exit ${PIPESTATUS[0]}
aggr: stream: no such event in stream s: A2 (never published, or removed by the stream's retention)
[4]

$ ./a3 stream ack s "$(sed -n 3p ids)" --consumer c6 && ./a3 stream ack s "$(sed -n 3p ids)" --consumer c1 && ./a3 stream consume s --consumer c6 --event-name GdriveSync --limit 10
[]

$ ./a3 stream consumers s --format csv
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c1,2,2026-01-03T00:00:00.000000Z,GdriveSync,100.00,0
c3,0,2026-01-03T00:00:00.000000Z,GdriveSync,0.00,1
c4,1,2026-01-03T00:00:00.000000Z,GdriveSync,100.00,0
c5,0,2026-01-03T00:00:00.000000Z,GdriveSync,0.00,1
c6,1,2026-01-03T00:00:00.000000Z,GdriveSync,100.00,0

# a second ack of B1 is out of order
$ ./a3 stream ack s "$(sed -n 3p ids)" --consumer c6
! aggr: stream: consumer offset mismatch: 2->1
[5]

# --- after "aggr retain" deleted run A's segment: the same answers ---

$ ./b3 retain streams/s && ls d2/streams/s | grep jsonl
00000000000000000002.jsonl.gz

$ ./b3 cat streams/s | jq -r '"\(.offset) \(.eventId)"' | sed -f ids.sed
2 B1

$ ./b3 stream consume s --consumer c2 --event-name GdriveSync --limit 10 | jq -r '.[].eventId' | sed -f ids.sed
B1

# c1 acknowledged A1; A2 is gone: consume moves c1 past it and says so
$ ./b3 stream consume s --consumer c1 --event-name GdriveSync --limit 10 | jq -r '.[].eventId' | sed -f ids.sed
B1
! aggr: stream: consume: consumer c1 of s (event name GdriveSync) was at offset 1, before the first retained offset 2: skipped 1 event

$ ./b3 stream list --format csv
stream,owner,events,firstPublished,lastPublished
s,p,1,2026-01-03T00:00:00.000000Z,2026-01-03T00:00:00.000000Z

# c1 acknowledged A1 before it expired, and consume moved it: one behind,
# B1; moved when consume moved it
$ ./b3 stream consumers s --format csv
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c1,1,2026-01-03T00:00:00.000000Z,GdriveSync,50.00,1

# seek: earliest gives B1 first; latest is past it; an expired event is
# gone, like one never published; B1 itself
$ ./b3 stream seek s --consumer c3 --event-name GdriveSync --to earliest && ./b3 stream seek s --consumer c4 --event-name GdriveSync --to latest && ./b3 stream consume s --consumer c3 --event-name GdriveSync --limit 10 | jq -r '.[].eventId' | sed -f ids.sed; ./b3 stream consume s --consumer c4 --event-name GdriveSync --limit 10
B1
[]

$ ./b3 stream seek s --consumer c5 --event-name GdriveSync --to "$(sed -n 2p ids)" 2>&1 | sed -f ids.sed; exit ${PIPESTATUS[0]}
aggr: stream: no such event in stream s: A2 (never published, or removed by the stream's retention)
[4]

$ ./b3 stream seek s --consumer c5 --event-name GdriveSync --to "$(sed -n 3p ids)" && ./b3 stream consume s --consumer c5 --event-name GdriveSync --limit 10 | jq -r '.[].eventId' | sed -f ids.sed
B1

# ack: of an expired event, exit 4; of the first event still stored, 0
$ ./b3 stream ack s "$(sed -n 1p ids)" --consumer c6 2>&1 | sed -f ids.sed; exit ${PIPESTATUS[0]}
aggr: stream: no such event in stream s: A1 (never published, or removed by the stream's retention)
[4]

$ ./b3 stream ack s "$(sed -n 2p ids)" --consumer c6 2>&1 | sed -f ids.sed; exit ${PIPESTATUS[0]}
aggr: stream: no such event in stream s: A2 (never published, or removed by the stream's retention)
[4]

$ ./b3 stream ack s "$(sed -n 3p ids)" --consumer c6 && ./b3 stream ack s "$(sed -n 3p ids)" --consumer c1 && ./b3 stream consume s --consumer c6 --event-name GdriveSync --limit 10
[]

$ ./b3 stream consumers s --format csv
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c1,2,2026-01-03T00:00:00.000000Z,GdriveSync,100.00,0
c3,0,2026-01-03T00:00:00.000000Z,GdriveSync,0.00,1
c4,1,2026-01-03T00:00:00.000000Z,GdriveSync,100.00,0
c5,0,2026-01-03T00:00:00.000000Z,GdriveSync,0.00,1
c6,1,2026-01-03T00:00:00.000000Z,GdriveSync,100.00,0

# a second ack of B1 is out of order
$ ./b3 stream ack s "$(sed -n 3p ids)" --consumer c6
! aggr: stream: consumer offset mismatch: 2->1
[5]

# a publish applies the stream's retention on its way out, as ingest does:
# on 2026-01-03 the next publish deletes run A's expired segment
$ ls data/streams/s | grep jsonl && ./a3 stream publish s --producer p e.json > /dev/null && ls data/streams/s | grep jsonl && ./a3 cat streams/s | wc -l
00000000000000000000.jsonl.gz
00000000000000000002.jsonl.gz
00000000000000000002.jsonl.gz
00000000000000000003.jsonl.gz
2

# --- the first retained offset comes from the segments' summaries: runs on
# Jan 1 to 5 at 0h (3 events each), kept in segments of a day ("one": the
# partly expired one's index is walked) or a segment per run ("many": the
# expired ones are passed by their summary, without their index); on Jan 4
# at 6h with a retention of 1 day the runs of Jan 1 to 3 are expired, so a
# consumer at offset 1 skips to offset 9 in both stores. Its own stores;
# nothing earlier is used ---
$ for v in one many; do for d in 1 2 3 4 5; do sh "$TESTS/../bench/gen-stream.sh" 3 A $((d * 100)) | AGGR_DIR=$PWD/r$v AGGR_NOW=2026-01-0${d}T00:00:00Z AGGR_SEGMENT_BYTES=$([ $v = one ] && echo 1000000 || echo 1) aggr stream publish r --producer p >> r$v.ids || exit 1; done; AGGR_DIR=$PWD/r$v AGGR_NOW=2026-01-01T00:00:00Z aggr retain --set 1d streams/r && AGGR_DIR=$PWD/r$v AGGR_NOW=2026-01-01T00:00:00Z aggr stream ack r "$(sed -n 1p r$v.ids)" --consumer c || exit 1; echo "$v: $(ls r$v/streams/r | grep -c jsonl) segments"; AGGR_DIR=$PWD/r$v AGGR_NOW=2026-01-04T06:00:00Z aggr stream consume r --consumer c --event-name A --limit 100 --format ndjson | jq -r .eventId > r$v.got; grep -nxFf r$v.got r$v.ids | cut -d: -f1 | tr '\n' ' '; echo; done
one: 3 segments
10 11 12 13 14 15 
many: 5 segments
10 11 12 13 14 15 
! aggr: stream: consume: consumer c of r (event name A) was at offset 1, before the first retained offset 9: skipped 8 events
! aggr: stream: consume: consumer c of r (event name A) was at offset 1, before the first retained offset 9: skipped 8 events
