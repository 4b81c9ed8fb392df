# aggr ingest: every accepted input shape (JSON lines, JSON array documents,
# plain or gzip, files or stdin), each checked through cat or flows.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

# JSON lines from a file; -v reports the count
$ printf '{"src_app":"%s","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":%d,"bytes_rx":%d}\n' a 1 2 b 3 4 > lines.jsonl && aggr -v ingest flows lines.jsonl
! aggr: ingest: stored 2 records in flows

$ aggr cat flows
{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":2}
{"src_app":"b","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":3,"bytes_rx":4}

# JSON lines on stdin, without FILE and with "-"; ingest prints nothing
$ printf '{"src_app":"c","dest_app":"d","vpc_id":"v","hour":2,"bytes_tx":5,"bytes_rx":6}\n' | aggr ingest flows

$ printf '{"src_app":"c","dest_app":"d","vpc_id":"v","hour":2,"bytes_tx":7,"bytes_rx":8}\n' | aggr -v ingest flows -
! aggr: ingest: stored 1 record in flows

$ aggr flows --hour 2
{"items":[{"src_app":"c","dest_app":"d","vpc_id":"v","hour":2,"bytes_rx":14,"bytes_tx":12}],"total":1,"page":1,"size":50}

# keys in any order and JSON whitespace inside a line; stored in the kind's order
$ printf '%s\n' '{ "bytes_rx" : 2 , "hour" : 3 , "vpc_id" : "v" , "bytes_tx" : 1 , "dest_app" : "d" , "src_app" : "e" }' | aggr ingest flows

$ aggr cat flows | tail -1
{"src_app":"e","dest_app":"d","vpc_id":"v","hour":3,"bytes_tx":1,"bytes_rx":2}

# escapes are decoded: \u00e9 and a literal é are the same group; \/ is /
$ { flow '\u00e9\/x' 4; flow é/x 4 2 2; } | aggr ingest flows

$ aggr flows --hour 4
{"items":[{"src_app":"é/x","dest_app":"d","vpc_id":"v","hour":4,"bytes_rx":3,"bytes_tx":3}],"total":1,"page":1,"size":50}

# 0 and the largest 64-bit integer are valid byte counts
$ printf '%s\n' '{"src_app":"max","dest_app":"d","vpc_id":"v","hour":5,"bytes_tx":0,"bytes_rx":9223372036854775807}' | aggr ingest flows

$ aggr flows --hour 5
{"items":[{"src_app":"max","dest_app":"d","vpc_id":"v","hour":5,"bytes_rx":9223372036854775807,"bytes_tx":0}],"total":1,"page":1,"size":50}

# a multi-line JSON array document from a file
$ printf '[\n%s,\n%s,\n%s\n]\n' "$(flow f 6)" "$(flow g 6)" "$(flow h 6)" > array.json && aggr -v ingest flows array.json
! aggr: ingest: stored 3 records in flows

$ aggr flows --hour 6 --format ndjson
{"src_app":"f","dest_app":"d","vpc_id":"v","hour":6,"bytes_rx":1,"bytes_tx":1}
{"src_app":"g","dest_app":"d","vpc_id":"v","hour":6,"bytes_rx":1,"bytes_tx":1}
{"src_app":"h","dest_app":"d","vpc_id":"v","hour":6,"bytes_rx":1,"bytes_tx":1}

# a one-line JSON array on stdin, no trailing newline
$ printf '[{"src_app":"i","dest_app":"d","vpc_id":"v","hour":7,"bytes_tx":1,"bytes_rx":1},{"src_app":"j","dest_app":"d","vpc_id":"v","hour":7,"bytes_tx":2,"bytes_rx":2}]' | aggr -v ingest flows
! aggr: ingest: stored 2 records in flows

$ aggr flows --hour 7 --format ndjson
{"src_app":"i","dest_app":"d","vpc_id":"v","hour":7,"bytes_rx":1,"bytes_tx":1}
{"src_app":"j","dest_app":"d","vpc_id":"v","hour":7,"bytes_rx":2,"bytes_tx":2}

# what jq . prints: an array whose objects span several lines
$ printf '[%s,%s]' "$(flow k 8)" "$(flow l 8)" | jq . > pretty.json && wc -l < pretty.json && aggr -v ingest flows pretty.json
18
! aggr: ingest: stored 2 records in flows

$ aggr flows --hour 8 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
k,d,v,8,1,1
l,d,v,8,1,1

# the seed's own file: an array with one object per line
$ aggr -v ingest flows "$SEED/000-flow-aggregation/test_data1.json"
! aggr: ingest: stored 5 records in flows

# a UTF-8 byte order mark at the start of the input is skipped, as jq does
$ printf '\xef\xbb\xbf%s\n' "$(flow bom 14)" > bom.jsonl && printf '\xef\xbb\xbf[%s]' "$(flow bom 14)" | gzip -c > bom.json.gz && aggr -v ingest flows bom.jsonl bom.json.gz
! aggr: ingest: stored 2 records in flows

$ aggr flows --hour 14
{"items":[{"src_app":"bom","dest_app":"d","vpc_id":"v","hour":14,"bytes_rx":2,"bytes_tx":2}],"total":1,"page":1,"size":50}

# empty arrays store nothing
$ printf '[]' | aggr -v ingest flows
! aggr: ingest: stored 0 records in flows

$ printf '\n [ \n ] \n' | aggr -v ingest flows
! aggr: ingest: stored 0 records in flows

# gzip input, detected by its magic bytes
$ printf '{"src_app":"%s","dest_app":"d","vpc_id":"v","hour":9,"bytes_tx":1,"bytes_rx":1}\n' m n > gz.jsonl && gzip -c gz.jsonl > gz.jsonl.gz && aggr -v ingest flows gz.jsonl.gz
! aggr: ingest: stored 2 records in flows

$ aggr flows --hour 9 --format ndjson
{"src_app":"m","dest_app":"d","vpc_id":"v","hour":9,"bytes_rx":1,"bytes_tx":1}
{"src_app":"n","dest_app":"d","vpc_id":"v","hour":9,"bytes_rx":1,"bytes_tx":1}

# gzip on stdin
$ gzip -c gz.jsonl | aggr -v ingest flows -
! aggr: ingest: stored 2 records in flows

# detection is by content, not name: gzip named .json, plain text named .gz
$ gzip -c gz.jsonl > looks-plain.json && cp gz.jsonl looks-gzip.gz && aggr -v ingest flows looks-plain.json looks-gzip.gz
! aggr: ingest: stored 4 records in flows

$ aggr flows --hour 9
{"items":[{"src_app":"m","dest_app":"d","vpc_id":"v","hour":9,"bytes_rx":4,"bytes_tx":4},{"src_app":"n","dest_app":"d","vpc_id":"v","hour":9,"bytes_rx":4,"bytes_tx":4}],"total":2,"page":1,"size":50}

# a multi-member gzip file (cat a.gz b.gz), as gzip -c >> produces
$ flow o 10 | gzip -c > m1.gz && flow p 10 2 2 | gzip -c > m2.gz && cat m1.gz m2.gz m1.gz > multi.gz && aggr -v ingest flows multi.gz
! aggr: ingest: stored 3 records in flows

$ aggr flows --hour 10
{"items":[{"src_app":"o","dest_app":"d","vpc_id":"v","hour":10,"bytes_rx":2,"bytes_tx":2},{"src_app":"p","dest_app":"d","vpc_id":"v","hour":10,"bytes_rx":2,"bytes_tx":2}],"total":2,"page":1,"size":50}

# a record split across two gzip members still parses
$ printf '{"src_app":"q","dest_app":"d",' | gzip -c > half1.gz && printf '"vpc_id":"v","hour":11,"bytes_tx":1,"bytes_rx":1}\n' | gzip -c > half2.gz && cat half1.gz half2.gz | aggr ingest flows

$ aggr flows --hour 11
{"items":[{"src_app":"q","dest_app":"d","vpc_id":"v","hour":11,"bytes_rx":1,"bytes_tx":1}],"total":1,"page":1,"size":50}

# a gzipped JSON array document
$ gzip -c array.json | aggr -v ingest flows
! aggr: ingest: stored 3 records in flows

$ aggr flows --hour 6 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
f,d,v,6,2,2
g,d,v,6,2,2
h,d,v,6,2,2

# blank and whitespace-only lines are skipped, CRLF line ends and a missing final newline are fine
$ printf '\n\n%s\r\n   \n\t\n\r\n%s\n\n%s' "$(flow r 12)" "$(flow s 12)" "$(flow t 12)" > blanks.jsonl && aggr -v ingest flows blanks.jsonl
! aggr: ingest: stored 3 records in flows

$ aggr flows --hour 12 --format tsv
src_app	dest_app	vpc_id	hour	bytes_rx	bytes_tx
r	d	v	12	1	1
s	d	v	12	1	1
t	d	v	12	1	1

# several FILEs of different shapes in one run, stored in argument order
$ flow u1 13 > u1.jsonl && printf '[%s]' "$(flow u2 13)" > u2.json && flow u3 13 | gzip -c > u3.gz && flow u4 13 | aggr -v ingest flows u3.gz u2.json - u1.jsonl
! aggr: ingest: stored 4 records in flows

$ aggr cat flows | tail -4
{"src_app":"u3","dest_app":"d","vpc_id":"v","hour":13,"bytes_tx":1,"bytes_rx":1}
{"src_app":"u2","dest_app":"d","vpc_id":"v","hour":13,"bytes_tx":1,"bytes_rx":1}
{"src_app":"u4","dest_app":"d","vpc_id":"v","hour":13,"bytes_tx":1,"bytes_rx":1}
{"src_app":"u1","dest_app":"d","vpc_id":"v","hour":13,"bytes_tx":1,"bytes_rx":1}

# the same FILE twice is read twice
$ aggr -v ingest flows u1.jsonl u1.jsonl
! aggr: ingest: stored 2 records in flows

$ aggr flows --hour 13 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
u1,d,v,13,3,3
u2,d,v,13,1,1
u3,d,v,13,1,1
u4,d,v,13,1,1

# empty inputs: 0 records, exit 0, and no block is written
$ aggr info --format csv | cut -d, -f4,5
blocks,records
20,46
20,46

$ : > empty.jsonl && aggr -v ingest flows empty.jsonl
! aggr: ingest: stored 0 records in flows

$ printf '\n\n  \n' > ws.jsonl && aggr -v ingest flows ws.jsonl /dev/null
! aggr: ingest: stored 0 records in flows

$ gzip -c empty.jsonl > empty.gz && aggr -v ingest flows empty.gz
! aggr: ingest: stored 0 records in flows

$ aggr -v ingest flows < /dev/null
! aggr: ingest: stored 0 records in flows

$ aggr info --format csv | cut -d, -f4,5
blocks,records
20,46
20,46

$ aggr cat flows | wc -l
46

# and what went in comes out of cat: the first file's records lead
$ aggr cat flows | head -2 | cmp - lines.jsonl && echo same
same
