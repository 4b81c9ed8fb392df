# aggr flows: grouping, sums, bytewise order, pagination and output formats.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

# an empty store (a data directory without the log)
$ mkdir -p "$AGGR_DIR"; aggr flows --hour 1
{"items":[],"total":0,"page":1,"size":50}

$ aggr flows --hour 1 --page 3 --size 5
{"items":[],"total":0,"page":3,"size":5}

$ aggr flows --hour 1 --format ndjson

$ aggr flows --hour 1 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx

# --- pagination over 120 groups ---

$ for i in $(seq 1 120); do flow $(printf 'app%03d' $((121 - i))) 9 $((121 - i)); done > many.jsonl && aggr -v ingest flows many.jsonl
! aggr: ingest: stored 120 records in flows

# [items, total, page, size, first src_app, last src_app]
$ set -o pipefail; aggr flows --hour 9 --size 50 --page 1 | jq -c '[(.items|length),.total,.page,.size,.items[0].src_app,.items[-1].src_app]'
| [50,120,1,50,"app001","app050"]

$ set -o pipefail; aggr flows --hour 9 --size 50 --page 2 | jq -c '[(.items|length),.total,.page,.size,.items[0].src_app,.items[-1].src_app]'
| [50,120,2,50,"app051","app100"]

$ set -o pipefail; aggr flows --hour 9 --size 50 --page 3 | jq -c '[(.items|length),.total,.page,.size,.items[0].src_app,.items[-1].src_app]'
| [20,120,3,50,"app101","app120"]

# the defaults are page 1, size 50
$ set -o pipefail; aggr flows --hour 9 | jq -c '[(.items|length),.total,.page,.size]'
| [50,120,1,50]

# the pages together are every group once, in order
$ set -o pipefail; for p in 1 2 3; do aggr flows --hour 9 --page $p | jq -r '.items[].src_app'; done | cmp - <(seq 1 120 | awk '{printf "app%03d\n", $1}') && echo same
same

# bytes follow their group: app007 has bytes_tx 7
$ set -o pipefail; aggr flows --hour 9 --size 10 | jq -c '[.items[].bytes_tx]'
| [1,2,3,4,5,6,7,8,9,10]

# a page past the end: no items, the true total
$ aggr flows --hour 9 --size 50 --page 4
{"items":[],"total":120,"page":4,"size":50}

$ aggr flows --hour 9 --size 7 --page 18
{"items":[{"src_app":"app120","dest_app":"d","vpc_id":"v","hour":9,"bytes_rx":1,"bytes_tx":120}],"total":120,"page":18,"size":7}

$ set -o pipefail; aggr flows --hour 9 --size 1000 | jq -c '[(.items|length),.total,.page,.size]'
| [120,120,1,1000]

# the other formats print the page's items only when --page or --size is given
$ set -o pipefail; aggr flows --hour 9 --size 50 --page 3 --format ndjson | wc -l
20

$ set -o pipefail; aggr flows --hour 9 --size 50 --page 3 --format csv | sed -n '1p;2p;$p'
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
app101,d,v,9,1,101
app120,d,v,9,1,120

$ aggr flows --hour 9 --page 4 --format tsv
src_app	dest_app	vpc_id	hour	bytes_rx	bytes_tx

# --- bad arguments ---

$ aggr flows --hour 9 --page 0
! aggr: flows: --page: must be at least 1: 0
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 9 --page -1
! aggr: flows: --page: must be at least 1: -1
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 9 --size -1
! aggr: flows: --size: must be at least 0: -1
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 9 --size x
! aggr: flows: --size: not an integer: x
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 9 --page 1.5
! aggr: flows: --page: not an integer: 1.5
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 9x
! aggr: flows: --hour: not an integer: 9x
! Try 'aggr help flows'.
[2]

$ aggr flows --hour
! aggr: flows: option requires an argument: --hour
! Try 'aggr help flows'.
[2]

# --opt=value works like --opt value
$ aggr flows --hour=9 --size=2 --page=60
{"items":[{"src_app":"app119","dest_app":"d","vpc_id":"v","hour":9,"bytes_rx":1,"bytes_tx":119},{"src_app":"app120","dest_app":"d","vpc_id":"v","hour":9,"bytes_rx":1,"bytes_tx":120}],"total":120,"page":60,"size":2}

# --- sorting: bytewise on (src_app, dest_app, vpc_id) ---

$ { for s in b aa B a é z A; do flow "$s"; done; flow a 1 1 1 c; flow a 1 1 1 d u; for s in _ '~' 'a b'; do flow "$s"; done; } > sort.jsonl && aggr ingest flows sort.jsonl

$ aggr flows --hour 1 --format tsv
src_app	dest_app	vpc_id	hour	bytes_rx	bytes_tx
A	d	v	1	1	1
B	d	v	1	1	1
_	d	v	1	1	1
a	c	v	1	1	1
a	d	u	1	1	1
a	d	v	1	1	1
a b	d	v	1	1	1
aa	d	v	1	1	1
b	d	v	1	1	1
z	d	v	1	1	1
~	d	v	1	1	1
é	d	v	1	1	1

# the key is the tuple, not a joined string: ("a","z") sorts before ("a\u0001","a"),
# and a NUL inside a name is kept
$ { flow 'a\u0001' 2 1 1 a; flow a 2 1 1 z; flow 'a\u0000' 2 1 1 a; flow 'a\u0000b' 2 1 1 a; } | aggr ingest flows

$ aggr flows --hour 2 --format ndjson
{"src_app":"a","dest_app":"z","vpc_id":"v","hour":2,"bytes_rx":1,"bytes_tx":1}
{"src_app":"a\u0000","dest_app":"a","vpc_id":"v","hour":2,"bytes_rx":1,"bytes_tx":1}
{"src_app":"a\u0000b","dest_app":"a","vpc_id":"v","hour":2,"bytes_rx":1,"bytes_tx":1}
{"src_app":"a\u0001","dest_app":"a","vpc_id":"v","hour":2,"bytes_rx":1,"bytes_tx":1}

# --- sums over several runs, late and out-of-order hours ---

$ flow s 5 10 100 | aggr ingest flows && flow s 3 | aggr ingest flows && { flow s 5 20 200; flow t 5 1 2; flow s 4 7 7; } | aggr ingest flows && { flow s 5 30 300; flow s 3 2 2; } | aggr ingest flows

$ aggr flows --hour 5
{"items":[{"src_app":"s","dest_app":"d","vpc_id":"v","hour":5,"bytes_rx":600,"bytes_tx":60},{"src_app":"t","dest_app":"d","vpc_id":"v","hour":5,"bytes_rx":2,"bytes_tx":1}],"total":2,"page":1,"size":50}

$ aggr flows --hour 3
{"items":[{"src_app":"s","dest_app":"d","vpc_id":"v","hour":3,"bytes_rx":3,"bytes_tx":3}],"total":1,"page":1,"size":50}

$ aggr flows --hour 4
{"items":[{"src_app":"s","dest_app":"d","vpc_id":"v","hour":4,"bytes_rx":7,"bytes_tx":7}],"total":1,"page":1,"size":50}

# a group differs by any of its three names; each sums on its own
$ printf '{"src_app":"%s","dest_app":"%s","vpc_id":"%s","hour":6,"bytes_tx":1,"bytes_rx":2}\n' x y z x y z x y Z x Y z X y z | aggr ingest flows && aggr flows --hour 6 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
X,y,z,6,2,1
x,Y,z,6,2,1
x,y,Z,6,2,1
x,y,z,6,4,2

# a sum that reaches exactly the largest 64-bit integer is fine
$ printf '{"src_app":"edge","dest_app":"d","vpc_id":"v","hour":7,"bytes_tx":%s,"bytes_rx":1}\n' 9223372036854775806 1 | aggr ingest flows && aggr flows --hour 7
{"items":[{"src_app":"edge","dest_app":"d","vpc_id":"v","hour":7,"bytes_rx":2,"bytes_tx":9223372036854775807}],"total":1,"page":1,"size":50}

# one past it is an error, never a wrap; other hours are unaffected
$ printf '{"src_app":"big","dest_app":"d","vpc_id":"v","hour":8,"bytes_tx":5000000000000000000,"bytes_rx":1}\n' > big.jsonl && aggr ingest flows big.jsonl big.jsonl && aggr flows --hour 8
! aggr: flows: sum of bytes for "big", "d", "v" in hour 8 overflows 64 bits
[1]

$ aggr flows --hour 8 --format csv --page 2
! aggr: flows: sum of bytes for "big", "d", "v" in hour 8 overflows 64 bits
[1]

$ aggr flows --hour 4 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
s,d,v,4,7,7

# --- formats: values that need CSV quoting and TSV escaping ---

$ { flow a,b 10 1 2 'say \"hi\"' 'tab\there'; flow 'line\nbreak' 10 3 4 'back\\slash'; flow plain 10 5 6 é; } | aggr ingest flows

$ aggr flows --hour 10
{"items":[{"src_app":"a,b","dest_app":"say \"hi\"","vpc_id":"tab\there","hour":10,"bytes_rx":2,"bytes_tx":1},{"src_app":"line\nbreak","dest_app":"back\\slash","vpc_id":"v","hour":10,"bytes_rx":4,"bytes_tx":3},{"src_app":"plain","dest_app":"é","vpc_id":"v","hour":10,"bytes_rx":6,"bytes_tx":5}],"total":3,"page":1,"size":50}

$ aggr flows --hour 10 --format json --size 1
{"items":[{"src_app":"a,b","dest_app":"say \"hi\"","vpc_id":"tab\there","hour":10,"bytes_rx":2,"bytes_tx":1}],"total":3,"page":1,"size":1}

$ aggr flows --hour 10 --format ndjson
{"src_app":"a,b","dest_app":"say \"hi\"","vpc_id":"tab\there","hour":10,"bytes_rx":2,"bytes_tx":1}
{"src_app":"line\nbreak","dest_app":"back\\slash","vpc_id":"v","hour":10,"bytes_rx":4,"bytes_tx":3}
{"src_app":"plain","dest_app":"é","vpc_id":"v","hour":10,"bytes_rx":6,"bytes_tx":5}

# CSV (RFC 4180): a comma, quote or newline quotes the field, quotes double; a tab needs no quoting
$ aggr flows --hour 10 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
"a,b","say ""hi""",tab	here,10,2,1
"line
break",back\slash,v,10,4,3
plain,é,v,10,6,5

# TSV: tab, newline, carriage return and backslash are escaped as \t \n \r \\
$ aggr flows --hour 10 --format tsv
src_app	dest_app	vpc_id	hour	bytes_rx	bytes_tx
a,b	say "hi"	tab\there	10	2	1
line\nbreak	back\\slash	v	10	4	3
plain	é	v	10	6	5

# table: aligned by characters (é is one column), numbers right-aligned
$ aggr flows --hour 10 --format table
src_app      dest_app     vpc_id     hour  bytes_rx  bytes_tx
a,b          say "hi"     tab\there    10         2         1
line\nbreak  back\\slash  v            10         4         3
plain        é            v            10         6         5

# a carriage return: quoted in CSV, escaped in TSV
$ printf '%s\n' '{"src_app":"cr\rx","dest_app":"d","vpc_id":"v","hour":11,"bytes_tx":1,"bytes_rx":1}' | aggr ingest flows && set -o pipefail && aggr flows --hour 11 --format csv | cat -v
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
"cr^Mx",d,v,11,1,1

$ aggr flows --hour 11 --format tsv
src_app	dest_app	vpc_id	hour	bytes_rx	bytes_tx
cr\rx	d	v	11	1	1

# --format before the command, and --format=F
$ aggr --format ndjson flows --hour 4
{"src_app":"s","dest_app":"d","vpc_id":"v","hour":4,"bytes_rx":7,"bytes_tx":7}

$ aggr flows --hour 4 --format=table
src_app  dest_app  vpc_id  hour  bytes_rx  bytes_tx
s        d         v          4         7         7

$ aggr flows --hour 10 --format bogus
! aggr: flows: --format: unknown format: bogus (json, ndjson, csv, tsv, table)
! Try 'aggr help flows'.
[2]

$ aggr flows --hour 10 --format JSON
! aggr: flows: --format: unknown format: JSON (json, ndjson, csv, tsv, table)
! Try 'aggr help flows'.
[2]
