# aggr flows: hour ranges and lists, --by top talkers, -n, every row in line formats, --all / --size 0.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

$ printf '%s\n' '{"src_app":"a","dest_app":"x","vpc_id":"v","hour":7,"bytes_tx":10,"bytes_rx":1}' '{"src_app":"b","dest_app":"x","vpc_id":"v","hour":7,"bytes_tx":5,"bytes_rx":30}' '{"src_app":"a","dest_app":"x","vpc_id":"v","hour":8,"bytes_tx":7,"bytes_rx":7}' '{"src_app":"a","dest_app":"x","vpc_id":"v","hour":9,"bytes_tx":1,"bytes_rx":2}' '{"src_app":"c","dest_app":"x","vpc_id":"v","hour":9,"bytes_tx":20,"bytes_rx":0}' '{"src_app":"a","dest_app":"x","vpc_id":"v","hour":9,"bytes_tx":2,"bytes_rx":2}' '{"src_app":"z","dest_app":"x","vpc_id":"v","hour":2,"bytes_tx":1,"bytes_rx":1}' > f.jsonl && aggr ingest flows f.jsonl

# a range: items carry their hour and sort by (hour, src_app, dest_app, vpc_id)
$ aggr flows --hour 7-9 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
a,x,v,7,1,10
b,x,v,7,30,5
a,x,v,8,7,7
a,x,v,9,4,3
c,x,v,9,0,20

# a list; a list of ranges, overlapping and out of order, counts each hour once
$ aggr flows --hour 9,7 --format tsv
src_app	dest_app	vpc_id	hour	bytes_rx	bytes_tx
a	x	v	7	1	10
b	x	v	7	30	5
a	x	v	9	4	3
c	x	v	9	0	20

$ aggr flows --hour 8-9,7-8,9 --format ndjson
{"src_app":"a","dest_app":"x","vpc_id":"v","hour":7,"bytes_rx":1,"bytes_tx":10}
{"src_app":"b","dest_app":"x","vpc_id":"v","hour":7,"bytes_rx":30,"bytes_tx":5}
{"src_app":"a","dest_app":"x","vpc_id":"v","hour":8,"bytes_rx":7,"bytes_tx":7}
{"src_app":"a","dest_app":"x","vpc_id":"v","hour":9,"bytes_rx":4,"bytes_tx":3}
{"src_app":"c","dest_app":"x","vpc_id":"v","hour":9,"bytes_rx":0,"bytes_tx":20}

# ranges of one hour; negative hours parse (no stored flow has one)
$ aggr flows --hour 2-2,8
{"items":[{"src_app":"z","dest_app":"x","vpc_id":"v","hour":2,"bytes_rx":1,"bytes_tx":1},{"src_app":"a","dest_app":"x","vpc_id":"v","hour":8,"bytes_rx":7,"bytes_tx":7}],"total":2,"page":1,"size":50}

$ aggr flows --hour 10-20
{"items":[],"total":0,"page":1,"size":50}

$ aggr flows --hour -3--1,-7
{"items":[],"total":0,"page":1,"size":50}

# --by: highest first (bytes is bytes_rx + bytes_tx)
$ aggr flows --hour 7-9 --by bytes --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
b,x,v,7,30,5
c,x,v,9,0,20
a,x,v,8,7,7
a,x,v,7,1,10
a,x,v,9,4,3

$ aggr flows --hour 7-9 --by bytes_tx -n 2 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
c,x,v,9,0,20
a,x,v,7,1,10

# ties go in key order: after this run a,8 and a,9 both have bytes_rx 7
$ printf '%s\n' '{"src_app":"a","dest_app":"x","vpc_id":"v","hour":9,"bytes_tx":0,"bytes_rx":3}' | aggr ingest flows -

$ aggr flows --hour 7-9 --by bytes_rx --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
b,x,v,7,30,5
a,x,v,8,7,7
a,x,v,9,7,3
a,x,v,7,1,10
c,x,v,9,0,20

$ aggr flows --hour 7-9 --by bytes_rx -n 1
{"items":[{"src_app":"b","dest_app":"x","vpc_id":"v","hour":7,"bytes_rx":30,"bytes_tx":5}],"total":5,"page":1,"size":1}

# -n without --by: the first N in key order
$ aggr flows --hour 7-9 -n 2 --format ndjson
{"src_app":"a","dest_app":"x","vpc_id":"v","hour":7,"bytes_rx":1,"bytes_tx":10}
{"src_app":"b","dest_app":"x","vpc_id":"v","hour":7,"bytes_rx":30,"bytes_tx":5}

# --by bytes sums past 64 bits without wrapping
$ printf '%s\n' '{"src_app":"m","dest_app":"x","vpc_id":"v","hour":100,"bytes_tx":9223372036854775807,"bytes_rx":9223372036854775807}' '{"src_app":"n","dest_app":"x","vpc_id":"v","hour":100,"bytes_tx":9223372036854775807,"bytes_rx":1}' | aggr ingest flows - && aggr flows --hour 100 --by bytes --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
m,x,v,100,9223372036854775807,9223372036854775807
n,x,v,100,1,9223372036854775807

# --- every row in line formats; the JSON document keeps its pages ---

$ seq 1 120 | awk '{printf "{\"src_app\":\"app%03d\",\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":50,\"bytes_tx\":%d,\"bytes_rx\":1}\n", $1, $1}' | aggr ingest flows -

$ set -o pipefail; aggr flows --hour 50 --format csv | wc -l
121

$ set -o pipefail; aggr flows --hour 50 --format ndjson | wc -l
120

$ set -o pipefail; aggr flows --hour 50 --format table | sed -n '1p;$p'
src_app  dest_app  vpc_id  hour  bytes_rx  bytes_tx
app120   d         v         50         1       120

$ set -o pipefail; aggr flows --hour 50 --format tsv | wc -l
121

$ set -o pipefail; aggr flows --hour 50 | jq -c '[(.items|length),.total,.page,.size]'
| [50,120,1,50]

# --page or --size still page the line formats
$ set -o pipefail; aggr flows --hour 50 --format ndjson --page 3 | wc -l
20

$ set -o pipefail; aggr flows --hour 50 --format ndjson --size 7 | wc -l
7

# --all and --size 0: one page of every group, in any format; size 0 says so
$ set -o pipefail; aggr flows --hour 50 --all | jq -c '[(.items|length),.total,.page,.size,.items[-1].src_app]'
| [120,120,1,0,"app120"]

$ set -o pipefail; aggr flows --hour 50 --size 0 | jq -c '[(.items|length),.total,.page,.size]'
| [120,120,1,0]

$ set -o pipefail; aggr flows --hour 50 --all --format csv | wc -l
121

# page 2 of an unlimited page is past the end
$ aggr flows --hour 50 --size 0 --page 2
{"items":[],"total":120,"page":2,"size":0}

$ aggr flows --hour 50 --all --size 0 --format csv | wc -l
121

# --- bad values ---

$ aggr flows --hour 9-7
! aggr: flows: --hour: range 9-7 ends before it starts
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 7,
! aggr: flows: --hour: not an hour, a range A-B or a list of them: 7,
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 7-
! aggr: flows: --hour: not an hour, a range A-B or a list of them: 7-
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 7-8-9
! aggr: flows: --hour: not an hour, a range A-B or a list of them: 7-8-9
! Try 'aggr help flows'.
[2]

$ aggr flows --hour ,
! aggr: flows: --hour: not an hour, a range A-B or a list of them: ,
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 1,99999999999999999999
! aggr: flows: --hour: not an hour, a range A-B or a list of them: 1,99999999999999999999
! Try 'aggr help flows'.
[2]

$ aggr flows --hour "$(seq -s, 1 1025)" 2>&1 | head -1 | cut -c1-40
aggr: flows: --hour: more than 1024 item

$ aggr flows --hour "$(seq -s, 1 1024)" -n 1 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
z,x,v,2,1,1

$ aggr flows --hour 7 --by bytes_total
! aggr: flows: --by: not bytes_rx, bytes_tx or bytes: bytes_total
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 7 -n 0
! aggr: flows: -n: must be at least 1: 0
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 7 -n 2 --page 2
! aggr: flows: -n: cannot be combined with --page, --size or --all
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 7 -n 2 --all
! aggr: flows: -n: cannot be combined with --page, --size or --all
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 7 --all --size 5
! aggr: flows: --all: cannot be combined with --page or --size
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 7 -n
! aggr: flows: option requires an argument: -n
! Try 'aggr help flows'.
[2]
