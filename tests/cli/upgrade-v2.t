# A store made by aggr before per-segment filter files (commit ac5ded6,
# format 2: tests/fixtures/v2-store, made by tests/fixtures/make-v2-store.sh):
# the new build reads it exactly as the old one did without changing a byte
# (its sealed segments have no filter file: readers load their index); the
# first writer of each log upgrades it (the filter file of each sealed
# segment with bloom filters, then MANIFEST "aggr-manifest 3" naming them),
# and it reads the same plus the new records. Now is 2022-01-15T22:00:00Z.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

$ cp -R "$TESTS/fixtures/v2-store" data && find data -type f | sort | xargs md5sum > sums && head -qn 1 data/*/MANIFEST data/streams/s/MANIFEST && ls data/sessions data/streams/s
aggr-manifest 2
aggr-manifest 2
aggr-manifest 2
aggr-manifest 2
aggr-manifest 2
data/sessions:
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000008.idx
00000000000000000008.jsonl.gz.open
LOCK
MANIFEST
batches
keys
|
data/streams/s:
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000006.idx
00000000000000000006.jsonl.gz.open
LOCK
MANIFEST
consumers
producers

# --- readers: exact outputs, no byte changed ---

$ aggr cat sessions
{"user_id":"u0","event":"start","session_id":"a0","ts":"2022-01-10T00:00:00","country":"GH"}
{"user_id":"u1","event":"start","session_id":"a0","ts":"2022-01-10T01:00:00","country":"DE"}
{"user_id":"u0","event":"end","session_id":"a0","ts":"2022-01-10T02:00:00","country":"GH"}
{"user_id":"u1","event":"end","session_id":"a0","ts":"2022-01-10T03:00:00","country":"DE"}
{"user_id":"u0","event":"start","session_id":"a1","ts":"2022-01-11T00:00:00","country":"GH"}
{"user_id":"u1","event":"start","session_id":"a1","ts":"2022-01-11T01:00:00","country":"DE"}
{"user_id":"u0","event":"end","session_id":"a1","ts":"2022-01-11T02:00:00","country":"GH"}
{"user_id":"u1","event":"end","session_id":"a1","ts":"2022-01-11T03:00:00","country":"DE"}
{"user_id":"u0","event":"start","session_id":"b0","ts":"2022-01-10T00:00:00","country":"GH"}
{"user_id":"u1","event":"start","session_id":"b0","ts":"2022-01-10T01:00:00","country":"DE"}
{"user_id":"u0","event":"end","session_id":"b0","ts":"2022-01-10T02:00:00","country":"GH"}
{"user_id":"u1","event":"end","session_id":"b0","ts":"2022-01-10T03:00:00","country":"DE"}
{"user_id":"u0","event":"start","session_id":"b1","ts":"2022-01-11T00:00:00","country":"GH"}
{"user_id":"u1","event":"start","session_id":"b1","ts":"2022-01-11T01:00:00","country":"DE"}
{"user_id":"u0","event":"end","session_id":"b1","ts":"2022-01-11T02:00:00","country":"GH"}
{"user_id":"u1","event":"end","session_id":"b1","ts":"2022-01-11T03:00:00","country":"DE"}

$ aggr sessions --user u0
{"u0":["b1","a1","b0","a0"]}

$ aggr sessions --user u1 --format csv
user_id,session_id,start,end
u1,b1,2022-01-11T01:00:00,2022-01-11T03:00:00
u1,a1,2022-01-11T01:00:00,2022-01-11T03:00:00
u1,b0,2022-01-10T01:00:00,2022-01-10T03:00:00
u1,a0,2022-01-10T01:00:00,2022-01-10T03:00:00

$ aggr sessions --user nobody
{"nobody":[]}

$ aggr sessions --starts --days 10 --format csv
country,session_id,user_id,ts
DE,b1,u1,2022-01-11T01:00:00
DE,a1,u1,2022-01-11T01:00:00
DE,b0,u1,2022-01-10T01:00:00
DE,a0,u1,2022-01-10T01:00:00
GH,b1,u0,2022-01-11T00:00:00
GH,a1,u0,2022-01-11T00:00:00
GH,b0,u0,2022-01-10T00:00:00
GH,a0,u0,2022-01-10T00:00:00

$ aggr stream consume s --consumer c1 --event-name E --limit 10 --format ndjson | sed 's/.*"seq":\([0-9]*\).*/\1/'
4
6
8

$ aggr stream consumers s
| [{"consumerId":"c1","offset":2,"movedAt":"2022-01-15T22:00:00Z","eventName":"E","consumedPercentage":40.00,"behind":3}]

$ aggr flows --hour 10 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
a0,d0,vpc-0,10,42,206
a0,d1,vpc-1,10,84,212
b0,d0,vpc-0,10,42,206
b0,d1,vpc-1,10,21,103
c0,d0,vpc-0,10,42,206
c0,d1,vpc-1,10,84,212
d0,d0,vpc-0,10,0,100
d0,d1,vpc-1,10,21,103

$ aggr check && md5sum --quiet -c sums && ls data/sessions | grep -c flt
0
[1]

# --- the first writer upgrades: filters, then MANIFEST 3 ---

$ printf '%s\n' '{"user_id":"u0","event":"start","session_id":"new","ts":"2022-01-15T10:00:00","country":"FR"}' '{"user_id":"u0","event":"end","session_id":"new","ts":"2022-01-15T11:00:00"}' | AGGR_SEGMENT_BYTES=1 aggr ingest sessions && head -1 data/sessions/MANIFEST && grep -c ' filter$' data/sessions/MANIFEST && ls data/sessions
aggr-manifest 3
2
00000000000000000000.flt
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000008.flt
00000000000000000008.idx
00000000000000000008.jsonl.gz
LOCK
MANIFEST
batches
keys

$ aggr sessions --user u0 --format csv
user_id,session_id,start,end
u0,new,2022-01-15T10:00:00,2022-01-15T11:00:00
u0,b1,2022-01-11T00:00:00,2022-01-11T02:00:00
u0,a1,2022-01-11T00:00:00,2022-01-11T02:00:00
u0,b0,2022-01-10T00:00:00,2022-01-10T02:00:00
u0,a0,2022-01-10T00:00:00,2022-01-10T02:00:00

$ aggr sessions --user u1 --format csv
user_id,session_id,start,end
u1,b1,2022-01-11T01:00:00,2022-01-11T03:00:00
u1,a1,2022-01-11T01:00:00,2022-01-11T03:00:00
u1,b0,2022-01-10T01:00:00,2022-01-10T03:00:00
u1,a0,2022-01-10T01:00:00,2022-01-10T03:00:00

$ aggr check sessions && aggr sessions --starts --days 10 --format csv
country,session_id,user_id,ts
DE,b1,u1,2022-01-11T01:00:00
DE,a1,u1,2022-01-11T01:00:00
DE,b0,u1,2022-01-10T01:00:00
DE,a0,u1,2022-01-10T01:00:00
FR,new,u0,2022-01-15T10:00:00
GH,b1,u0,2022-01-11T00:00:00
GH,a1,u0,2022-01-11T00:00:00
GH,b0,u0,2022-01-10T00:00:00
GH,a0,u0,2022-01-10T00:00:00

$ sh "$TESTS/../bench/gen-stream.sh" 2 E 100 | aggr stream publish s --producer p | wc -l && head -1 data/streams/s/MANIFEST && ls data/streams/s
2
aggr-manifest 3
00000000000000000000.flt
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000006.idx
00000000000000000006.jsonl.gz.open
LOCK
MANIFEST
consumers
counts
producers

$ aggr stream consume s --consumer c1 --event-name E --limit 10 --format ndjson | wc -l && aggr check streams/s
5
