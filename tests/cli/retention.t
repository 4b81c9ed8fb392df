# Retention: a sessions log keeps records 365.25 days after their ingest.
# Run A is ingested at 2021-01-15T00:00Z, in a segment of its own (each
# run seals its segment); 365.25 days later is 2022-01-15T06:00Z.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# A case that starts with "aggr purge" starts that log afresh.

$ { session ann start a1 2021-01-14T10:00:00 fi; session ann end a1 2021-01-14T11:00:00 fi; } > a.json && AGGR_NOW=2021-01-15T00:00:00Z AGGR_SEGMENT_BYTES=1 aggr ingest sessions a.json

# 364 days later, and exactly 365.25 days later, it is all there
$ AGGR_NOW=2022-01-14T00:00:00Z aggr sessions --user ann
{"ann":["a1"]}

$ AGGR_NOW=2022-01-15T06:00:00Z aggr sessions --starts --days 400
{"FI":[{"session_id":"a1","user_id":"ann","ts":"2021-01-14T10:00:00"}]}

$ AGGR_NOW=2022-01-15T06:00:00Z aggr cat sessions | wc -l
2

# a microsecond more, and every query ignores it; the country stays known
$ AGGR_NOW=2022-01-15T06:00:00.000001Z aggr sessions --user ann
{"ann":[]}

$ AGGR_NOW=2022-01-15T06:00:00.000001Z aggr -v sessions --starts --days 400
{"FI":[]}
! aggr: sessions: window [2020-12-11T06:00:00.000001Z, 2022-01-15T06:00:00.000001Z]: inflated 0 of 1 block, 0 starts, 1 country

$ AGGR_NOW=2022-01-15T06:00:00.000001Z aggr cat sessions

# check still verifies expired blocks
$ AGGR_NOW=2022-01-15T06:00:00.000001Z aggr -v check sessions
! aggr: check: sessions: ok: 1 segment, 1 block, 2 records

# run B a day after A; then retain deletes A's segment only
$ session ann start b1 2021-01-16T10:00:00 se > b.json && AGGR_NOW=2021-01-16T00:00:00Z AGGR_SEGMENT_BYTES=1 aggr ingest sessions b.json && ls data/sessions | grep -c jsonl.gz
2

$ AGGR_NOW=2022-01-16T00:00:00Z aggr -v retain sessions
! aggr: retain: sessions: deleted 2 records (1 segment) ingested before 2021-01-15T18:00:00Z

$ ls data/sessions | grep jsonl.gz
00000000000000000002.jsonl.gz

$ AGGR_NOW=2022-01-16T00:00:00Z aggr check sessions && AGGR_NOW=2022-01-16T00:00:00Z aggr sessions --starts --days 400
{"FI":[],"SE":[{"session_id":"b1","user_id":"ann","ts":"2021-01-16T10:00:00"}]}

# nothing more to delete
$ AGGR_NOW=2022-01-16T00:00:00Z aggr -v retain sessions

# ingest runs retention on its way out: C, 366 days after B, takes B's
# segment with it; offsets go on from where they were
$ AGGR_NOW=2022-01-17T00:00:00Z aggr -v ingest sessions a.json
! aggr: ingest: stored 2 records in sessions
! aggr: ingest: sessions: deleted 1 record (1 segment) ingested before 2021-01-16T18:00:00Z

$ AGGR_NOW=2022-01-17T00:00:00Z aggr info sessions --format csv | cut -d, -f1-5,11,12
log,kind,segments,blocks,records,first_offset,next_offset
sessions,sessions,1,1,2,3,5

# the active segment goes too once all of it expired
$ AGGR_NOW=2024-01-01T00:00:00Z aggr -v retain sessions && ls data/sessions | grep -c jsonl.gz
! aggr: retain: sessions: deleted 2 records (1 segment) ingested before 2022-12-31T18:00:00Z
0
[1]

$ AGGR_NOW=2024-01-01T00:00:00Z aggr ingest sessions b.json && AGGR_NOW=2024-01-01T00:00:00Z aggr check sessions && AGGR_NOW=2024-01-01T00:00:00Z aggr cat sessions && ls data/sessions | grep jsonl.gz
{"user_id":"ann","event":"start","session_id":"b1","ts":"2021-01-16T10:00:00","country":"SE"}
00000000000000000005.jsonl.gz.open

# --older-than deletes by another age this once; --set changes the log's
# retention (here: counters, which keep everything by default)
$ echo '{"timestamp":1642284000,"a.example":1}' | AGGR_NOW=2021-01-01T00:00:00Z AGGR_SEGMENT_BYTES=1 aggr ingest counters
$ echo '{"timestamp":1642284000,"b.example":2}' | AGGR_NOW=2021-06-01T00:00:00Z AGGR_SEGMENT_BYTES=1 aggr ingest counters && aggr -v retain

$ aggr cat counters
{"timestamp":1642284000,"a.example":1}
{"timestamp":1642284000,"b.example":2}

$ aggr -v retain counters --older-than 365d
! aggr: retain: counters: deleted 1 record (1 segment) ingested before 2021-01-15T22:00:00Z

$ aggr cat counters && grep -c retention_us data/counters/MANIFEST
{"timestamp":1642284000,"b.example":2}
0
[1]

$ aggr -v retain counters --set 30d
! aggr: retain: counters: retention set to 30d
! aggr: retain: counters: deleted 1 record (1 segment) ingested before 2021-12-16T22:00:00Z

$ aggr cat counters && aggr top --since 2022-01-01T00:00:00Z
[]

# queries honour a retention set later before retain has run
$ echo '{"timestamp":1642280000,"c.example":3}' | AGGR_NOW=2022-01-01T00:00:00Z aggr ingest counters
$ aggr top --since 2022-01-01T00:00:00Z && AGGR_NOW=2022-02-01T00:00:00Z aggr top --since 2022-01-01T00:00:00Z
[{"Domain":"c.example","NumberOfRequests":3}]
[]

$ aggr retain counters --set forever && AGGR_NOW=2022-02-01T00:00:00Z aggr top --since 2022-01-01T00:00:00Z
[{"Domain":"c.example","NumberOfRequests":3}]

# an absent log is nothing to do
$ aggr retain flows && ls data
counters
sessions

# --set on a log not written yet creates it with that retention, which the
# first ingest then keeps (it was dropped: the log came later with none)
$ aggr -v retain flows --set 90d && cat data/flows/MANIFEST | grep -v crc && aggr info flows --format csv | cut -d, -f1-5
aggr-manifest 3
kind flows
next_offset 0
retention_us 7776000000000
log,kind,segments,blocks,records
flows,flows,0,0,0
! aggr: retain: flows: retention set to 90d

$ AGGR_NOW=2021-10-01T00:00:00Z aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json" && grep retention_us data/flows/MANIFEST && aggr flows --hour 1 && aggr check
retention_us 7776000000000
{"items":[],"total":0,"page":1,"size":50}

$ aggr -v retain flows && aggr cat flows | wc -l
! aggr: retain: flows: deleted 5 records (1 segment) ingested before 2021-10-17T22:00:00Z
0

# a new sessions log set to forever does not take the 365.25-day default
$ aggr purge sessions && aggr retain sessions --set forever && rm -r data/sessions && aggr -v retain sessions --set forever && grep -c retention_us data/sessions/MANIFEST
! aggr: retain: sessions: retention set to forever
0
[1]

# ... and keeps a.json (the first case's records, ingested in 2020) for good
$ AGGR_NOW=2020-01-01T00:00:00Z aggr ingest sessions a.json && aggr sessions --user ann
{"ann":["a1"]}

# the same again changes nothing and says nothing
$ aggr -v retain sessions --set forever && aggr -v retain flows --set 90d

# a stream is made by publish: retain of one that is not there is exit 4,
# as for cat, and creates nothing
$ aggr retain streams/nosuch --set 1d; r=$?; ls data; exit $r
counters
flows
sessions
! aggr: retain: streams/nosuch: no such stream
[4]

$ aggr retain streams/nosuch
! aggr: retain: streams/nosuch: no such stream
[4]

# ---- usage
$ aggr retain --older-than 365
! aggr: retain: --older-than: not an age such as 365.25d: 365
! Try 'aggr help retain'.
[2]

$ aggr retain sessions --set 0d
! aggr: retain: --set: not an age such as 365.25d, or forever: 0d
! Try 'aggr help retain'.
[2]

$ aggr retain --set 1d
! aggr: retain: --set needs a LOG
! Try 'aggr help retain'.
[2]

$ aggr retain bogus
! aggr: retain: not a log name: bogus (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help retain'.
[2]

$ aggr retain sessions flows
! aggr: retain: unexpected argument: flows
! Try 'aggr help retain'.
[2]
