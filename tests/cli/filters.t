# Per-segment filter files (aggr-format(5), FILTER FILES) and lazy readers:
# lookups give exactly what a store with one segment gives; a damaged or
# missing filter file is exit 8 naming it, and check --repair rebuilds it.
# AGGR_NOW is 2022-01-15T22:00:00Z.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: ev, many, one.

# 3000 events of 97 users (a session's start and end often in different
# runs), in 6 runs: into "one" in one segment; into "many" with small blocks
# and segments, so that every run seals several
$ sh "$TESTS/cli/sessions-gen.sh" filters > ev.json && split -l 500 -d ev.json part
$ for f in part*; do AGGR_DIR=$PWD/one aggr ingest sessions $f && AGGR_DIR=$PWD/many AGGR_BLOCK_BYTES=1024 AGGR_SEGMENT_BYTES=6000 aggr ingest sessions $f || exit 1; done
$ ls part* | wc -l && grep -c ' filter$' many/sessions/MANIFEST && ls many/sessions | grep -c '\.flt$' && ls one/sessions | grep -c '\.flt$'
6
12
12
0
[1]

# every user, and some that are not there: the same answer
$ { seq 0 99 | sed 's/^/u/'; echo nobody; echo u; } > users
$ while read -r u; do AGGR_DIR=$PWD/one agree AGGR_DIR=$PWD/many sessions --user "$u" --format csv || exit 1; done < users | sort | uniq -c | sort -rn | head -3; echo same
    102 user_id,session_id,start,end
      1 u96,s969,2022-01-09T01:18:00,2022-01-09T01:19:00
      1 u96,s96,2022-01-13T11:52:00,2022-01-13T11:53:00
same

$ AGGR_DIR=$PWD/many aggr sessions --user u7 -v --format csv
user_id,session_id,start,end
u7,s7,2022-01-12T17:54:00,2022-01-12T17:55:00
u7,s1365,2022-01-12T09:30:00,2022-01-12T09:31:00
u7,s1268,2022-01-11T13:16:00,2022-01-11T13:17:00
u7,s1171,2022-01-10T18:02:00,2022-01-10T18:03:00
u7,s1074,2022-01-09T22:48:00,2022-01-09T22:49:00
u7,s977,2022-01-09T03:34:00,2022-01-09T03:35:00
u7,s880,2022-01-08T08:20:00,2022-01-08T08:21:00
u7,s783,2022-01-07T12:06:00,2022-01-07T12:07:00
u7,s686,2022-01-06T17:52:00,2022-01-06T17:53:00
u7,s589,2022-01-05T21:38:00,2022-01-05T21:39:00
u7,s492,2022-01-05T02:24:00,2022-01-05T02:25:00
u7,s395,2022-01-04T07:10:00,2022-01-04T07:11:00
u7,s298,2022-01-03T11:56:00,2022-01-03T11:57:00
u7,s201,2022-01-02T16:42:00,2022-01-02T16:43:00
u7,s104,2022-01-01T20:28:00,2022-01-01T20:29:00
! aggr: sessions: user u7: inflated 16 of 300 blocks, 15 complete sessions

$ for d in 1 3 10 30; do AGGR_DIR=$PWD/one agree AGGR_DIR=$PWD/many sessions --starts --days $d --format csv > b && wc -l < b || exit 1; done
1
71
911
1501

$ AGGR_DIR=$PWD/many aggr check sessions

# --- damage: exit 8 naming the filter file, never a wrong answer ---

$ cp many/sessions/00000000000000000000.flt flt.good && printf 'X' | dd of=many/sessions/00000000000000000000.flt bs=1 seek=2 conv=notrunc 2>/dev/null && AGGR_DIR=$PWD/many aggr sessions --user u7
! aggr: sessions: sessions/00000000000000000000.flt: offset 0: bad filter header (aggr check --repair rebuilds it)
[8]

$ AGGR_DIR=$PWD/many aggr check sessions
! aggr: check: sessions/00000000000000000000.flt: does not match its index (aggr check --repair rebuilds it)
[8]

$ AGGR_DIR=$PWD/many aggr check --repair sessions && cmp flt.good many/sessions/00000000000000000000.flt
! aggr: check: sessions/00000000000000000000.flt: does not match its index: rebuilt from its index
$ AGGR_DIR=$PWD/many aggr check sessions && AGGR_DIR=$PWD/many aggr sessions --user u7 --format csv | wc -l
16

# a slice (the last one's CRC): check finds it
$ size=$(wc -c < flt.good) && printf '\377\377\377\377' | dd of=many/sessions/00000000000000000000.flt bs=1 seek=$((size - 4)) conv=notrunc 2>/dev/null && AGGR_DIR=$PWD/many aggr check sessions
! aggr: check: sessions/00000000000000000000.flt: does not match its index (aggr check --repair rebuilds it)
[8]

$ AGGR_DIR=$PWD/many aggr check --repair sessions && cmp flt.good many/sessions/00000000000000000000.flt
! aggr: check: sessions/00000000000000000000.flt: does not match its index: rebuilt from its index

# a missing one: the reads that need it say so
$ rm many/sessions/00000000000000000000.flt && AGGR_DIR=$PWD/many aggr sessions --user u7
! aggr: sessions: sessions/00000000000000000000.flt: missing, but named in the MANIFEST (aggr check --repair rebuilds it)
[8]

$ AGGR_DIR=$PWD/many aggr check sessions
! aggr: check: sessions/00000000000000000000.flt: missing, but named in the MANIFEST (aggr check --repair rebuilds it)
[8]

$ AGGR_DIR=$PWD/many aggr sessions --starts --days 1 --format csv | wc -l
1

$ AGGR_DIR=$PWD/many aggr check --repair sessions && cmp flt.good many/sessions/00000000000000000000.flt && AGGR_DIR=$PWD/many aggr check sessions
! aggr: check: sessions/00000000000000000000.flt: missing, but named in the MANIFEST: rebuilt from its index

# a filter file no MANIFEST names is a leftover: the next writer removes it
$ cp flt.good one/sessions/00000000000000000000.flt && AGGR_DIR=$PWD/one aggr check sessions
! aggr: check: sessions: 131136 uncommitted bytes of an interrupted run: nothing committed is damaged; the next writer or aggr check --repair removes them
[9]

$ AGGR_DIR=$PWD/one aggr ingest sessions < /dev/null && ls one/sessions | grep -c '\.flt$'
0
[1]

# --- streams: event names and ids ---

$ sh "$TESTS/../bench/gen-stream.sh" 3000 A,B,C,D 7 > ev && AGGR_BLOCK_BYTES=4096 AGGR_SEGMENT_BYTES=30000 aggr stream publish s --producer p ev | wc -l && grep -c ' filter$' data/streams/s/MANIFEST
3000
6

$ aggr stream consume s --consumer c --event-name C --limit 3 --format ndjson | sed 's/.*"seq":\([0-9]*\).*/\1/'
10
14
18

$ id=$(aggr stream consume s --consumer c --event-name D --limit 1 --format ndjson | sed 's/.*"eventId":"\([^"]*\)".*/\1/') && aggr stream ack s "$id" --consumer c && aggr stream consume s --consumer c --event-name D --limit 2 --format ndjson | sed 's/.*"seq":\([0-9]*\).*/\1/'
11
15

# the last event, acknowledged out of order by its id
$ id=$(aggr cat streams/s | tail -1 | sed 's/.*"eventId":"\([^"]*\)".*/\1/') && aggr stream ack s "$id" --consumer c2 && aggr stream consumers s
! aggr: stream: consumer offset mismatch: 1->750
[5]

$ aggr stream consumers s && aggr check streams/s
| [{"consumerId":"c","offset":1,"movedAt":"2022-01-15T22:00:00.000000Z","eventName":"D","consumedPercentage":0.13,"behind":749}]
