# A store made by aggr before runs spanned segments (commit 5de45f4, format
# 1: tests/fixtures/v1-store, made by tests/fixtures/make-v1-store.sh): the
# new build reads it exactly as the old one did without changing a byte;
# the first writer of each log upgrades it (MANIFEST "aggr-manifest 2",
# then the active data file renamed to .open), and it reads the same plus
# the new records. Now is 2022-01-15T22:00:00Z, when the fixture was made.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: data2.

$ cp -R "$TESTS/fixtures/v1-store" data && find data -type f | sort | xargs md5sum > sums && head -qn 1 data/*/MANIFEST data/streams/s/MANIFEST
aggr-manifest 1
aggr-manifest 1
aggr-manifest 1
aggr-manifest 1
aggr-manifest 1

$ ls data/flows
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000021.idx
00000000000000000021.jsonl.gz
00000000000000000031.idx
00000000000000000031.jsonl.gz
LOCK
MANIFEST
batches

# --- readers: exact outputs, no byte changed ---

$ aggr cat flows
{"src_app":"a0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_tx":100,"bytes_rx":0}
{"src_app":"a1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_tx":101,"bytes_rx":7}
{"src_app":"a2","dest_app":"d0","vpc_id":"vpc-0","hour":12,"bytes_tx":102,"bytes_rx":14}
{"src_app":"a0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_tx":103,"bytes_rx":21}
{"src_app":"a1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_tx":104,"bytes_rx":28}
{"src_app":"a2","dest_app":"d1","vpc_id":"vpc-1","hour":12,"bytes_tx":105,"bytes_rx":35}
{"src_app":"a0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_tx":106,"bytes_rx":42}
{"src_app":"a1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_tx":107,"bytes_rx":49}
{"src_app":"a2","dest_app":"d0","vpc_id":"vpc-0","hour":12,"bytes_tx":108,"bytes_rx":56}
{"src_app":"a0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_tx":109,"bytes_rx":63}
{"src_app":"a1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_tx":110,"bytes_rx":70}
{"src_app":"a2","dest_app":"d1","vpc_id":"vpc-1","hour":12,"bytes_tx":111,"bytes_rx":77}
{"src_app":"b0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_tx":100,"bytes_rx":0}
{"src_app":"b1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_tx":101,"bytes_rx":7}
{"src_app":"b2","dest_app":"d0","vpc_id":"vpc-0","hour":12,"bytes_tx":102,"bytes_rx":14}
{"src_app":"b0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_tx":103,"bytes_rx":21}
{"src_app":"b1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_tx":104,"bytes_rx":28}
{"src_app":"b2","dest_app":"d1","vpc_id":"vpc-1","hour":12,"bytes_tx":105,"bytes_rx":35}
{"src_app":"b0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_tx":106,"bytes_rx":42}
{"src_app":"b1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_tx":107,"bytes_rx":49}
{"src_app":"b2","dest_app":"d0","vpc_id":"vpc-0","hour":12,"bytes_tx":108,"bytes_rx":56}
{"src_app":"c0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_tx":100,"bytes_rx":0}
{"src_app":"c1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_tx":101,"bytes_rx":7}
{"src_app":"c2","dest_app":"d0","vpc_id":"vpc-0","hour":12,"bytes_tx":102,"bytes_rx":14}
{"src_app":"c0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_tx":103,"bytes_rx":21}
{"src_app":"c1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_tx":104,"bytes_rx":28}
{"src_app":"c2","dest_app":"d1","vpc_id":"vpc-1","hour":12,"bytes_tx":105,"bytes_rx":35}
{"src_app":"c0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_tx":106,"bytes_rx":42}
{"src_app":"c1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_tx":107,"bytes_rx":49}
{"src_app":"c2","dest_app":"d0","vpc_id":"vpc-0","hour":12,"bytes_tx":108,"bytes_rx":56}
{"src_app":"c0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_tx":109,"bytes_rx":63}
{"src_app":"d0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_tx":100,"bytes_rx":0}
{"src_app":"d1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_tx":101,"bytes_rx":7}
{"src_app":"d2","dest_app":"d0","vpc_id":"vpc-0","hour":12,"bytes_tx":102,"bytes_rx":14}
{"src_app":"d0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_tx":103,"bytes_rx":21}
{"src_app":"d1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_tx":104,"bytes_rx":28}

$ aggr cat counters
{"timestamp":1642280400,"d0.example":1,"x.example":1}
{"timestamp":1642280460,"d1.example":2,"x.example":1}
{"timestamp":1642280520,"d2.example":3,"x.example":1}
{"timestamp":1642280580,"d3.example":4,"x.example":1}
{"timestamp":1642280640,"d0.example":5,"x.example":1}
{"timestamp":1642280700,"d1.example":1,"x.example":1}
{"timestamp":1642280760,"d2.example":2,"x.example":1}
{"timestamp":1642280820,"d3.example":3,"x.example":1}
{"timestamp":1642280880,"d0.example":4,"x.example":1}
{"timestamp":1642280940,"d1.example":5,"x.example":1}
{"timestamp":1642282800,"d0.example":1,"x.example":1}
{"timestamp":1642282860,"d1.example":2,"x.example":1}
{"timestamp":1642282920,"d2.example":3,"x.example":1}
{"timestamp":1642282980,"d3.example":4,"x.example":1}
{"timestamp":1642283040,"d0.example":5,"x.example":1}
{"timestamp":1642283100,"d1.example":1,"x.example":1}
{"timestamp":1642283160,"d2.example":2,"x.example":1}
{"timestamp":1642283220,"d3.example":3,"x.example":1}

$ aggr cat events | sed -E 's/"[0-9a-f]{24}"/ID/g'
{"_id":ID,"start_epoch":1642270000,"stop_epoch":-1,"tags":["red","ops"]}
{"_id":ID,"start_epoch":1642271000.25,"stop_epoch":-1,"tags":["blue"]}
{"_id":ID,"start_epoch":1642272000,"stop_epoch":1642273000,"tags":["green"]}
{"_id":ID,"start_epoch":1642274000.5,"stop_epoch":-1,"tags":["red"]}
{"_op":"stop","_id":ID,"start_epoch":1642271000.25,"stop_epoch":1642275000}
{"_op":"remove","_id":ID,"start_epoch":1642272000}

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

$ aggr cat streams/s
{"eventId":"eacd0a6b-5ba9-4620-b5ce-b2dfae72bdf8","offset":0,"event":{"name":"E","version":1},"system":{"id":"sys","name":"fixture","time":"2022-01-15 21:00:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{"seq":0}}
{"eventId":"621a8bf9-4c30-40f4-8bb0-dfa4208248c4","offset":1,"event":{"name":"F","version":1},"system":{"id":"sys","name":"fixture","time":"2022-01-15 21:01:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{"seq":1}}
{"eventId":"27f84366-11cc-454c-b749-45042ca1208b","offset":2,"event":{"name":"E","version":1},"system":{"id":"sys","name":"fixture","time":"2022-01-15 21:02:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{"seq":2}}
{"eventId":"e91ccb0d-9724-4b07-b64b-bae319ac0e6b","offset":3,"event":{"name":"F","version":1},"system":{"id":"sys","name":"fixture","time":"2022-01-15 21:03:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{"seq":3}}
{"eventId":"26d82070-778a-4ae2-bc79-60f5a0d7956f","offset":4,"event":{"name":"E","version":1},"system":{"id":"sys","name":"fixture","time":"2022-01-15 21:04:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{"seq":4}}
{"eventId":"0f94b782-b69e-47fb-a4a5-3893ba1b64ea","offset":5,"event":{"name":"F","version":1},"system":{"id":"sys","name":"fixture","time":"2022-01-15 21:05:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{"seq":5}}
{"eventId":"c50c37c2-281f-4920-950f-2f08e810a05e","offset":6,"event":{"name":"E","version":1},"system":{"id":"sys","name":"fixture","time":"2022-01-15 21:06:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{"seq":6}}
{"eventId":"7eefacb2-054e-44c7-9ac8-413c6ecbe1cf","offset":7,"event":{"name":"F","version":1},"system":{"id":"sys","name":"fixture","time":"2022-01-15 21:07:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{"seq":7}}
{"eventId":"01921caa-67f7-4b9b-b610-000fcf05f3da","offset":8,"event":{"name":"E","version":1},"system":{"id":"sys","name":"fixture","time":"2022-01-15 21:08:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{"seq":8}}
{"eventId":"4b1f3844-d7d2-4f23-901b-770b953ff9bf","offset":9,"event":{"name":"F","version":1},"system":{"id":"sys","name":"fixture","time":"2022-01-15 21:09:00","timezone":"UTC"},"trigger":{"type":"t","name":"n"},"payload":{"seq":9}}

$ aggr flows --hour 10
{"items":[{"src_app":"a0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_rx":42,"bytes_tx":206},{"src_app":"a0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_rx":84,"bytes_tx":212},{"src_app":"b0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_rx":42,"bytes_tx":206},{"src_app":"b0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_rx":21,"bytes_tx":103},{"src_app":"c0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_rx":42,"bytes_tx":206},{"src_app":"c0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_rx":84,"bytes_tx":212},{"src_app":"d0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_rx":0,"bytes_tx":100},{"src_app":"d0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_rx":21,"bytes_tx":103}],"total":8,"page":1,"size":50}

$ aggr flows --hour 11 --format ndjson
{"src_app":"a1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_rx":98,"bytes_tx":214}
{"src_app":"a1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_rx":56,"bytes_tx":208}
{"src_app":"b1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_rx":28,"bytes_tx":104}
{"src_app":"b1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_rx":56,"bytes_tx":208}
{"src_app":"c1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_rx":28,"bytes_tx":104}
{"src_app":"c1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_rx":56,"bytes_tx":208}
{"src_app":"d1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_rx":28,"bytes_tx":104}
{"src_app":"d1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_rx":7,"bytes_tx":101}

$ aggr flows --hour 12 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
a2,d0,vpc-0,12,70,210
a2,d1,vpc-1,12,112,216
b2,d0,vpc-0,12,70,210
b2,d1,vpc-1,12,35,105
c2,d0,vpc-0,12,70,210
c2,d1,vpc-1,12,35,105
d2,d0,vpc-0,12,14,102

$ aggr top --hour
| [{"Domain":"x.example","NumberOfRequests":18},{"Domain":"d0.example","NumberOfRequests":16},{"Domain":"d3.example","NumberOfRequests":14},{"Domain":"d1.example","NumberOfRequests":11},{"Domain":"d2.example","NumberOfRequests":10}]

$ aggr top --minute --at 2022-01-15T21:04:30Z
| [{"Domain":"d3.example","NumberOfRequests":4},{"Domain":"x.example","NumberOfRequests":1}]

$ aggr events list
| [{"_id":"61e343e053dbbb760387e81a","start_epoch":1642270000,"stop_epoch":-1,"tags":["red","ops"]},{"_id":"61e343e046b38709688e4096","start_epoch":1642271000.25,"stop_epoch":1642275000,"tags":["blue"]},{"_id":"61e343e0f84302896daca8e1","start_epoch":1642274000.5,"stop_epoch":-1,"tags":["red"]}]

$ aggr events list --tag red --format ndjson
{"_id":"61e343e053dbbb760387e81a","start_epoch":1642270000,"stop_epoch":-1,"tags":["red","ops"]}
{"_id":"61e343e0f84302896daca8e1","start_epoch":1642274000.5,"stop_epoch":-1,"tags":["red"]}

$ aggr sessions --user u0
{"u0":["b1","a1","b0","a0"]}

$ aggr sessions --user u1 -n 2
{"u1":["b1","a1"]}

$ aggr sessions --starts --days 10
{"DE":[{"session_id":"b1","user_id":"u1","ts":"2022-01-11T01:00:00"},{"session_id":"a1","user_id":"u1","ts":"2022-01-11T01:00:00"},{"session_id":"b0","user_id":"u1","ts":"2022-01-10T01:00:00"},{"session_id":"a0","user_id":"u1","ts":"2022-01-10T01:00:00"}],"GH":[{"session_id":"b1","user_id":"u0","ts":"2022-01-11T00:00:00"},{"session_id":"a1","user_id":"u0","ts":"2022-01-11T00:00:00"},{"session_id":"b0","user_id":"u0","ts":"2022-01-10T00:00:00"},{"session_id":"a0","user_id":"u0","ts":"2022-01-10T00:00:00"}]}

$ aggr sessions --starts --days 1 --at 2022-01-10T12:00:00Z
{"DE":[{"session_id":"b0","user_id":"u1","ts":"2022-01-10T01:00:00"},{"session_id":"a0","user_id":"u1","ts":"2022-01-10T01:00:00"}],"GH":[{"session_id":"b0","user_id":"u0","ts":"2022-01-10T00:00:00"},{"session_id":"a0","user_id":"u0","ts":"2022-01-10T00:00:00"}]}

$ aggr stream consumers s
| [{"consumerId":"c1","offset":2,"movedAt":"2022-01-15T22:00:00Z","eventName":"E","consumedPercentage":40.00,"behind":3}]

$ aggr stream consume s --consumer c1 --event-name E --limit 10 | jq -c '.[].payload.seq'
4
6
8

$ aggr stream consume s --consumer c2 --event-name F --limit 2 | jq -c '.[].payload.seq'
1
3

$ aggr stream list
| [{"stream":"s","owner":"p","events":10,"firstPublished":"2022-01-15T22:00:00.000000Z","lastPublished":"2022-01-15T22:00:00.000000Z"}]

$ aggr info --format ndjson
{"log":"counters","kind":"counters","segments":2,"blocks":2,"records":18,"raw_bytes":972,"compressed_bytes":378,"ratio":2.57,"min_key":1642280400000000,"max_key":1642283220000000,"first_offset":0,"next_offset":18,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":"2022-01-15T21:00:00.000000Z","max_key_time":"2022-01-15T21:47:00.000000Z","retention_seconds":null,"live_records":18,"expired_records":0,"batch_ids":0,"disk_bytes":978,"retention_bytes":null}
{"log":"events","kind":"events","segments":3,"blocks":6,"records":6,"raw_bytes":561,"compressed_bytes":953,"ratio":0.59,"min_key":1642270000000000,"max_key":1642274000500000,"first_offset":0,"next_offset":6,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":"2022-01-15T18:06:40.000000Z","max_key_time":"2022-01-15T19:13:20.500000Z","retention_seconds":null,"live_records":6,"expired_records":0,"batch_ids":0,"disk_bytes":2118,"retention_bytes":null}
{"log":"flows","kind":"flows","segments":3,"blocks":7,"records":36,"raw_bytes":3196,"compressed_bytes":1390,"ratio":2.30,"min_key":10,"max_key":12,"first_offset":0,"next_offset":36,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":36,"expired_records":0,"batch_ids":4,"disk_bytes":2600,"retention_bytes":null}
{"log":"sessions","kind":"sessions","segments":2,"blocks":2,"records":16,"raw_bytes":1472,"compressed_bytes":424,"ratio":3.47,"min_key":1641772800000000,"max_key":1641870000000000,"first_offset":0,"next_offset":16,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":"2022-01-10T00:00:00.000000Z","max_key_time":"2022-01-11T03:00:00.000000Z","retention_seconds":31557600,"live_records":16,"expired_records":0,"batch_ids":2,"disk_bytes":5172,"retention_bytes":null}
{"log":"streams/s","kind":"stream","segments":2,"blocks":2,"records":10,"raw_bytes":2340,"compressed_bytes":787,"ratio":2.97,"min_key":0,"max_key":9,"first_offset":0,"next_offset":10,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":10,"expired_records":0,"batch_ids":0,"disk_bytes":3493,"retention_bytes":null}
{"log":"total","kind":null,"segments":12,"blocks":19,"records":86,"raw_bytes":8541,"compressed_bytes":3932,"ratio":2.17,"min_key":null,"max_key":null,"first_offset":null,"next_offset":null,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":86,"expired_records":0,"batch_ids":6,"disk_bytes":14361,"retention_bytes":null}

$ aggr info flows --format table
log    kind   segments  blocks  records  raw_bytes  compressed_bytes  ratio  min_key  max_key  first_offset  next_offset  first_ingest                 last_ingest                  min_key_time  max_key_time  retention_seconds  live_records  expired_records  batch_ids  disk_bytes  retention_bytes
flows  flows         3       7       36       3196              1390   2.30       10       12             0           36  2022-01-15T22:00:00.000000Z  2022-01-15T22:00:00.000000Z                                                           36                0          4        2600

$ aggr check

$ aggr -v check
! aggr: check: counters: ok: 2 segments, 2 blocks, 18 records
! aggr: check: events: ok: 3 segments, 6 blocks, 6 records
! aggr: check: flows: ok: 3 segments, 7 blocks, 36 records
! aggr: check: sessions: ok: 2 segments, 2 blocks, 16 records
! aggr: check: streams/s: ok: 2 segments, 2 blocks, 10 records

$ zcat data/flows/*.jsonl.gz* | cmp - <(aggr cat flows) && echo same
same

$ for l in flows counters sessions streams/s; do aggr cat $l > "cat-${l#*/}"; done; aggr events list --format ndjson > events-list && wc -l cat-* events-list
  18 cat-counters
  36 cat-flows
  10 cat-s
  16 cat-sessions
   3 events-list
  83 total

$ md5sum -c --quiet sums && find data -type f | sort | cmp - <(sed 's/^[0-9a-f]*  //' sums) && echo unchanged
unchanged

# --- the first writer of each log upgrades it ---

$ { flow e0 10 5 6 d0 vpc-0; flow a0 10 1000 2000 d0 vpc-0; } | aggr -v ingest flows --batch-id fe
! aggr: ingest: stored 2 records in flows

$ head -1 data/flows/MANIFEST && ls data/flows && head -qn 1 data/counters/MANIFEST data/events/MANIFEST
aggr-manifest 3
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000021.idx
00000000000000000021.jsonl.gz
00000000000000000031.idx
00000000000000000031.jsonl.gz.open
LOCK
MANIFEST
batches
aggr-manifest 1
aggr-manifest 1

$ aggr check flows && cat data/flows/batches
fa 0 12
fb 12 21
fc 21 31
fd 31 36
fe 36 38

$ aggr cat flows | tail -n 3
{"src_app":"d1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_tx":104,"bytes_rx":28}
{"src_app":"e0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_tx":5,"bytes_rx":6}
{"src_app":"a0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_tx":1000,"bytes_rx":2000}

$ aggr flows --hour 10
{"items":[{"src_app":"a0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_rx":2042,"bytes_tx":1206},{"src_app":"a0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_rx":84,"bytes_tx":212},{"src_app":"b0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_rx":42,"bytes_tx":206},{"src_app":"b0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_rx":21,"bytes_tx":103},{"src_app":"c0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_rx":42,"bytes_tx":206},{"src_app":"c0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_rx":84,"bytes_tx":212},{"src_app":"d0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_rx":0,"bytes_tx":100},{"src_app":"d0","dest_app":"d1","vpc_id":"vpc-1","hour":10,"bytes_rx":21,"bytes_tx":103},{"src_app":"e0","dest_app":"d0","vpc_id":"vpc-0","hour":10,"bytes_rx":6,"bytes_tx":5}],"total":9,"page":1,"size":50}

$ aggr flows --hour 11 --format ndjson
{"src_app":"a1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_rx":98,"bytes_tx":214}
{"src_app":"a1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_rx":56,"bytes_tx":208}
{"src_app":"b1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_rx":28,"bytes_tx":104}
{"src_app":"b1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_rx":56,"bytes_tx":208}
{"src_app":"c1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_rx":28,"bytes_tx":104}
{"src_app":"c1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_rx":56,"bytes_tx":208}
{"src_app":"d1","dest_app":"d0","vpc_id":"vpc-0","hour":11,"bytes_rx":28,"bytes_tx":104}
{"src_app":"d1","dest_app":"d1","vpc_id":"vpc-1","hour":11,"bytes_rx":7,"bytes_tx":101}

$ printf '{"timestamp":1642283400,"d0.example":3,"new.example":2}\n' | aggr ingest counters && aggr top --hour && head -1 data/counters/MANIFEST
| [{"Domain":"d0.example","NumberOfRequests":19},{"Domain":"x.example","NumberOfRequests":18},{"Domain":"d3.example","NumberOfRequests":14},{"Domain":"d1.example","NumberOfRequests":11},{"Domain":"d2.example","NumberOfRequests":10},{"Domain":"new.example","NumberOfRequests":2}]
aggr-manifest 3

$ aggr events add --tag red --start 1642276000 | sed -E 's/"[0-9a-f]{24}"/ID/g' && aggr events list --tag red | sed -E 's/"[0-9a-f]{24}"/ID/g' && head -1 data/events/MANIFEST
{"_id":ID,"start_epoch":1642276000,"stop_epoch":-1,"tags":["red"]}
| [{"_id":ID,"start_epoch":1642270000,"stop_epoch":-1,"tags":["red","ops"]},{"_id":ID,"start_epoch":1642274000.5,"stop_epoch":-1,"tags":["red"]},{"_id":ID,"start_epoch":1642276000,"stop_epoch":-1,"tags":["red"]}]
aggr-manifest 3

$ aggr events stop "$(aggr events list --tag ops --format ndjson | jq -r ._id)" --at 1642277000 | sed -E 's/"[0-9a-f]{24}"/ID/g'
{"_id":ID,"start_epoch":1642270000,"stop_epoch":1642277000,"tags":["red","ops"]}

$ aggr compact events && aggr events list | sed -E 's/"[0-9a-f]{24}"/ID/g' && ls data/events
| [{"_id":ID,"start_epoch":1642270000,"stop_epoch":1642277000,"tags":["red","ops"]},{"_id":ID,"start_epoch":1642271000.25,"stop_epoch":1642275000,"tags":["blue"]},{"_id":ID,"start_epoch":1642274000.5,"stop_epoch":-1,"tags":["red"]},{"_id":ID,"start_epoch":1642276000,"stop_epoch":-1,"tags":["red"]}]
00000000000000000000-1.idx
00000000000000000000-1.jsonl.gz
00000000000000000001-1.idx
00000000000000000001-1.jsonl.gz
00000000000000000002-1.idx
00000000000000000002-1.jsonl.gz.open
LOCK
MANIFEST

$ { session u0 start c0 2022-01-12T00:00:00 FR; session u0 end c0 2022-01-12T01:00:00 FR; } | aggr ingest sessions --batch-id sc && aggr sessions --user u0 && aggr sessions --starts --days 10 | jq -c 'map_values(length)' && cat data/sessions/keys
{"u0":["c0","b1","a1","b0","a0"]}
{"DE":4,"FR":1,"GH":4}
GH 8
DE 8
FR 18

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

$ aggr stream publish s --producer q < /dev/null
! aggr: stream: locked: second writers not allowed: stream s is owned by producer p
[5]

$ aggr stream ack s "$(aggr stream consume s --consumer c1 --event-name E --limit 1 | jq -r '.[0].eventId')" --consumer c1 && aggr stream consumers s
| [{"consumerId":"c1","offset":3,"movedAt":"2022-01-15T22:00:00.000000Z","eventName":"E","consumedPercentage":42.86,"behind":4}]

$ aggr stream consume s --consumer c1 --event-name E --limit 10 | jq -c '.[].payload.seq'
6
8
100
101

$ aggr stream list
| [{"stream":"s","owner":"p","events":12,"firstPublished":"2022-01-15T22:00:00.000000Z","lastPublished":"2022-01-15T22:00:00.000000Z"}]

$ aggr info --format ndjson | jq -c '[.log, .segments, .blocks, .records, .next_offset]'
| ["counters",2,3,19,19]
| ["events",3,3,4,8]
| ["flows",3,8,38,38]
| ["sessions",2,3,18,18]
| ["streams/s",2,3,12,12]
| ["total",12,20,91,null]

# every log upgraded: the records it held before come first, unchanged
$ for l in flows counters sessions streams/s; do aggr cat $l | head -n $(wc -l < "cat-${l#*/}") | cmp - "cat-${l#*/}" || echo "$l differs"; done; aggr events list --format ndjson | grep -vF -f events-list | jq -c '.tags, .stop_epoch'; aggr events list --format ndjson | grep -cF -f events-list
["red","ops"]
1642277000
["red"]
-1
2

$ aggr check && head -qn 1 data/*/MANIFEST data/streams/s/MANIFEST && ls data/*/*.jsonl.gz.open data/streams/s/*.jsonl.gz.open
aggr-manifest 3
aggr-manifest 3
aggr-manifest 3
aggr-manifest 3
aggr-manifest 3
data/counters/00000000000000000010.jsonl.gz.open
data/events/00000000000000000002-1.jsonl.gz.open
data/flows/00000000000000000031.jsonl.gz.open
data/sessions/00000000000000000008.jsonl.gz.open
data/streams/s/00000000000000000006.jsonl.gz.open

$ zcat data/flows/*.jsonl.gz* | cmp - <(aggr cat flows) && echo same
same

# --- check --repair is a writer too: it upgrades every log, and reads stay ---

# (fails with the engine of 929c2bd: repair opens the active data file by its
# format-2 name only)
$ cp -R "$TESTS/fixtures/v1-store" data2 && AGGR_DIR=$PWD/data2 aggr check --repair && head -qn 1 data2/*/MANIFEST data2/streams/s/MANIFEST
aggr-manifest 3
aggr-manifest 3
aggr-manifest 3
aggr-manifest 3
aggr-manifest 3

# ... the repaired v1 store (the case above) reads back
$ ls data2/flows && AGGR_DIR=$PWD/data2 aggr flows --hour 10 --format csv
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000021.idx
00000000000000000021.jsonl.gz
00000000000000000031.idx
00000000000000000031.jsonl.gz.open
LOCK
MANIFEST
batches
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
a0,d0,vpc-0,10,42,206
a0,d1,vpc-1,10,84,212
b0,d0,vpc-0,10,42,206
b0,d1,vpc-1,10,21,103
c0,d0,vpc-0,10,42,206
c0,d1,vpc-1,10,84,212
d0,d0,vpc-0,10,0,100
d0,d1,vpc-1,10,21,103
