# Lines already in the stored form are checked by a byte scanner and kept as
# they are; any other line takes the JSON parser. Both paths store the same
# bytes, and a line the scanner declines gets the parser's message, at the
# right line, wherever it sits among lines the scanner took.
# (tests/fuzz/fuzz-inplace.c holds the two paths to agree on any input.)
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

# stored-form lines and other spellings of the same records, mixed
$ { flow a 3 10 20 b; printf '%s\n' '{ "src_app": "a", "dest_app": "b", "vpc_id": "v", "hour": 3, "bytes_tx": 1, "bytes_rx": 2 }'; } > f.jsonl

# ... two more records appended to f.jsonl (the case above), all four stored
$ echo '{"vpc_id":"v","src_app":"a\u00e9","dest_app":"b","hour":3,"bytes_tx":5,"bytes_rx":0}' >> f.jsonl && flow 'caf\u00e9' 0 0 9223372036854775807 b >> f.jsonl
$ aggr ingest flows f.jsonl && aggr cat flows
{"src_app":"a","dest_app":"b","vpc_id":"v","hour":3,"bytes_tx":10,"bytes_rx":20}
{"src_app":"a","dest_app":"b","vpc_id":"v","hour":3,"bytes_tx":1,"bytes_rx":2}
{"src_app":"aé","dest_app":"b","vpc_id":"v","hour":3,"bytes_tx":5,"bytes_rx":0}
{"src_app":"café","dest_app":"b","vpc_id":"v","hour":0,"bytes_tx":0,"bytes_rx":9223372036854775807}

$ aggr flows --hour 3
{"items":[{"src_app":"a","dest_app":"b","vpc_id":"v","hour":3,"bytes_rx":22,"bytes_tx":11},{"src_app":"aé","dest_app":"b","vpc_id":"v","hour":3,"bytes_rx":0,"bytes_tx":5}],"total":2,"page":1,"size":50}

# stored-looking lines the scanner must not take: the parser's messages
$ { flow a 3 10 20 b; flow a 03 10 20 b; } > bad.jsonl; aggr ingest flows bad.jsonl
! aggr: ingest: bad.jsonl:2: invalid JSON: invalid literal or number at byte 51
[3]

$ { flow a 3 10 20 b; flow a 9223372036854775808 10 20 b; } > bad.jsonl; aggr ingest flows bad.jsonl
! aggr: ingest: bad.jsonl:2: hour: integer out of 64-bit range
[3]

$ printf '%s\n' '{"src_app":"a","dest_app":"b","vpc_id":"v","hour":-0,"bytes_tx":10,"bytes_rx":20}' > neg0.jsonl; aggr ingest flows neg0.jsonl && aggr cat flows | tail -n 1
{"src_app":"a","dest_app":"b","vpc_id":"v","hour":0,"bytes_tx":10,"bytes_rx":20}

$ { flow a 3 1 2 b; flow "$(printf '\355\240\200')" 3 1 2 b; } > bad.jsonl; aggr ingest flows bad.jsonl
! aggr: ingest: bad.jsonl:2: invalid JSON: invalid UTF-8 at byte 13
[3]

$ printf '%s\n' '{"src_app":"","dest_app":"b","vpc_id":"v","hour":3,"bytes_tx":1,"bytes_rx":2}' > bad.jsonl; aggr ingest flows bad.jsonl
! aggr: ingest: bad.jsonl:1: src_app: empty
[3]

$ printf '%s\r\n' '{"src_app":"a","dest_app":"b","vpc_id":"v","hour":4,"bytes_tx":1,"bytes_rx":2}' > crlf.jsonl; aggr ingest flows crlf.jsonl && aggr cat flows | tail -n 1
{"src_app":"a","dest_app":"b","vpc_id":"v","hour":4,"bytes_tx":1,"bytes_rx":2}

# counters: a repeated domain is a duplicate key, whichever path
$ printf '%s\n' '{"timestamp":1700000000,"a.com":1,"b.com":2}' '{"timestamp":1700000001,"a.com":1,"a.com":2}' > c.jsonl; aggr ingest counters c.jsonl
! aggr: ingest: c.jsonl:2: invalid JSON: duplicate key in object at byte 1
[3]

$ printf '%s\n' '{"timestamp":1700000000,"a.com":1,"b.com":2}' '{"timestamp":1700000001,"timestamp":1700000002}' > c.jsonl; aggr ingest counters c.jsonl
! aggr: ingest: c.jsonl:2: invalid JSON: duplicate key in object at byte 1
[3]

$ printf '%s\n' '{"timestamp":253402300800,"a.com":1}' > c.jsonl; aggr ingest counters c.jsonl
! aggr: ingest: c.jsonl:1: timestamp: out of range (0 to 253402300799)
[3]

$ printf '%s\n' '{"timestamp":1700000000,"a.com":1,"b.com":2}' '{"timestamp":"1700000060","b.com":5}' '{"timestamp":1700000120}' > c.jsonl; aggr ingest counters c.jsonl && aggr cat counters
{"timestamp":1700000000,"a.com":1,"b.com":2}
{"timestamp":1700000060,"b.com":5}
{"timestamp":1700000120}

# sessions: the bloom key (user_id) and the countries of lines kept as they are
$ { session u1 start s1 2023-01-01T00:00:00 DE; session u1 end s1 2023-01-01T00:10:00.5; session u2 start s2 2023-01-01T01:00:00Z fr; } > s.jsonl && aggr ingest sessions s.jsonl && aggr cat sessions
{"user_id":"u1","event":"start","session_id":"s1","ts":"2023-01-01T00:00:00","country":"DE"}
{"user_id":"u1","event":"end","session_id":"s1","ts":"2023-01-01T00:10:00.5"}
{"user_id":"u2","event":"start","session_id":"s2","ts":"2023-01-01T01:00:00","country":"FR"}

$ aggr sessions --user u1
{"u1":["s1"]}

$ printf '%s\n' '{"user_id":"u","event":"start","session_id":"s","ts":"2023-02-29T00:00:00"}' > s.jsonl; aggr ingest sessions s.jsonl
! aggr: ingest: s.jsonl:1: ts: not a time YYYY-MM-DDTHH:MM:SS[.fraction][Z|+hh:mm]: "2023-02-29T00:00:00"
[3]
