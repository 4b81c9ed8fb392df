# aggr ingest rejects bad input with exit 3 and "aggr: ingest: FILE:LINE: ...",
# and a rejected run leaves every file of the store exactly as it was.
# Setup: one seed file stored, and the store's snapshot (tests/cli/lib.sh):
# "CMD; unchanged" checks every file is as it was, and reject_lines KIND
# LINE... ingests the lines as bad.jsonl and checks the same.

$ aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json" && snapshot && wc -l < before
3

# --- invalid JSON ---

# a missing comma, a missing value, a missing key
$ reject_lines flows '{"src_app":"a" "dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: expected ',' or '}' at byte 15
[3]

$ reject_lines flows '{"src_app":,"dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: expected a value after ':' at byte 12
[3]

$ reject_lines flows '{:"a"}'
! aggr: ingest: bad.jsonl:1: invalid JSON: unexpected ':' at byte 2
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1,}'
! aggr: ingest: bad.jsonl:1: invalid JSON: unexpected ',' at byte 78
[3]

$ reject_lines flows "{'src_app':'a','dest_app':'d','vpc_id':'v','hour':1,'bytes_tx':1,'bytes_rx':1}"
! aggr: ingest: bad.jsonl:1: invalid JSON: unexpected ''' at byte 2
[3]

$ reject_lines flows 'hello'
! aggr: ingest: bad.jsonl:1: invalid JSON: unexpected 'h' at byte 1
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":tru}'
! aggr: ingest: bad.jsonl:1: invalid JSON: invalid literal or number at byte 77
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":0x10,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: invalid literal or number at byte 64
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1'
! aggr: ingest: bad.jsonl:1: invalid JSON: truncated JSON: unexpected end at byte 78
[3]

# two values on one line, with and without a space between them
$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1} {"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: trailing data after JSON value at byte 80
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: trailing data after JSON value at byte 79
[3]

# --- a record must be an object ---

$ reject_lines flows 'true'
! aggr: ingest: bad.jsonl:1: record is not a JSON object
[3]

$ reject_lines flows '42'
! aggr: ingest: bad.jsonl:1: record is not a JSON object
[3]

$ reject_lines flows '"src_app"'
! aggr: ingest: bad.jsonl:1: record is not a JSON object
[3]

$ reject_lines flows 'null'
! aggr: ingest: bad.jsonl:1: record is not a JSON object
[3]

# an array on a later line of a JSON lines file is not a document
$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}' '[{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}]'
! aggr: ingest: bad.jsonl:2: record is not a JSON object
[3]

# --- fields ---

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1}'
! aggr: ingest: bad.jsonl:1: bytes_rx: missing
[3]

$ reject_lines flows '{}'
! aggr: ingest: bad.jsonl:1: src_app: missing
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1,"extra":0}'
! aggr: ingest: bad.jsonl:1: unknown field "extra"
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":"5","bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: hour: not an integer
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":null,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: hour: not an integer
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1.5,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: bytes_tx: not an integer
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1e3,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: bytes_tx: not an integer
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":true,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: bytes_tx: not an integer
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":-1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: bytes_tx: negative
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":-5,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: hour: negative
[3]

$ reject_lines flows '{"src_app":"","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: src_app: empty
[3]

$ reject_lines flows '{"src_app":1,"dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: src_app: not a string
[3]

$ reject_lines flows '{"src_app":["a"],"dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: src_app: not a string
[3]

# integers past 64 bits: 2^64, and 2^63 (one past the largest signed value)
$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":18446744073709551616,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: bytes_tx: integer out of 64-bit range
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":9223372036854775808}'
! aggr: ingest: bad.jsonl:1: bytes_rx: integer out of 64-bit range
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":-9223372036854775809,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: hour: integer out of 64-bit range
[3]

# duplicate keys, also when spelled differently ("\u0073rc_app" is "src_app"), also in unknown or nested objects
$ reject_lines flows '{"src_app":"a","src_app":"b","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: duplicate key in object at byte 1
[3]

$ reject_lines flows '{"src_app":"a","\u0073rc_app":"b","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: duplicate key in object at byte 1
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1,"a":1,"\u0061":2}'
! aggr: ingest: bad.jsonl:1: invalid JSON: duplicate key in object at byte 1
[3]

$ reject_lines flows '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":{"x":1,"x":2}}'
! aggr: ingest: bad.jsonl:1: invalid JSON: duplicate key in object at byte 77
[3]

# --- strings ---

$ printf '{"src_app":"a\xff","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}\n' > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:1: invalid JSON: invalid UTF-8 at byte 14
[3]

# an overlong encoding of "/" and an encoded surrogate are not UTF-8 either
$ printf '{"src_app":"\xc0\xaf","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}\n' > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:1: invalid JSON: invalid UTF-8 at byte 13
[3]

$ printf '{"src_app":"\xed\xa0\x80","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}\n' > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:1: invalid JSON: invalid UTF-8 at byte 13
[3]

# a bad \u escape and an unknown escape
$ reject_lines flows '{"src_app":"a\u12G4","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: bad \u escape at byte 14
[3]

$ reject_lines flows '{"src_app":"a\x","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: bad escape at byte 14
[3]

# lone surrogates, high and low
$ reject_lines flows '{"src_app":"a\ud800","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: unpaired surrogate in \u escape at byte 14
[3]

$ reject_lines flows '{"src_app":"a\udc00x","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}'
! aggr: ingest: bad.jsonl:1: invalid JSON: unpaired surrogate in \u escape at byte 14
[3]

# a byte order mark is skipped only at the very start of the input
$ printf '\n\xef\xbb\xbf{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}\n' > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:2: invalid JSON: unexpected byte 0xef at byte 1
[3]

# a raw control character (TAB) inside a string
$ printf '{"src_app":"a\tb","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}\n' > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:1: invalid JSON: control character in string at byte 14
[3]

# NUL bytes, inside a string and after a record
$ printf '{"src_app":"a\0b","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}\n' > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:1: invalid JSON: NUL byte at byte 14
[3]

$ printf '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}\0\n' > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:1: invalid JSON: NUL byte at byte 79
[3]

# --- size limits ---

# nesting 100000 deep: closed inside a record, closed as a document, never closed
# (fails at once at level 513; it once took 17 s)
$ { printf '{"src_app":'; chars 100000 '['; chars 100000 ']'; printf ',"dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}\n'; } > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:1: invalid JSON: nesting deeper than 512 levels at byte 523
[3]

$ { head -c 100000 /dev/zero | tr '\0' '['; head -c 100000 /dev/zero | tr '\0' ']'; echo; } > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:1: invalid JSON: nesting deeper than 512 levels at byte 514
[3]

$ head -c 100000 /dev/zero | tr '\0' '[' > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:1: JSON array never closes
[3]

# a line of 20 MB, from a file and from stdin; exactly 16 MiB is still fine (below)
$ { printf '{"src_app":"'; head -c 20000000 /dev/zero | tr '\0' a; printf '","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}\n'; } > long.jsonl; aggr ingest flows long.jsonl; unchanged
! aggr: ingest: long.jsonl:1: record longer than 16 MiB
[3]

$ aggr ingest flows < long.jsonl; unchanged
! aggr: ingest: <stdin>:1: record longer than 16 MiB
[3]

$ printf '{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}\n' > ok.jsonl; cat ok.jsonl ok.jsonl long.jsonl | gzip -c > long.gz; aggr ingest flows long.gz; unchanged
! aggr: ingest: long.gz:3: record longer than 16 MiB
[3]

# the same limit holds for an element of a JSON array document
$ { printf '[\n'; cat ok.jsonl; printf ','; cat long.jsonl; printf ']\n'; } > long.json; aggr ingest flows long.json; r=$?; rm long.jsonl long.json; (exit $r); unchanged
! aggr: ingest: long.json:3: record longer than 16 MiB
[3]

# --- gzip ---

# truncated gzip: cut inside the header, inside the data, before the trailer
$ for s in z1 z2 z3 z4 z5 z6 z7 z8 z9; do flow $s; done | gzip -c > good.gz && zcat good.gz | wc -l
9

# ... cut at 5, 30 and 60 bytes of good.gz (the case above), each run is refused
$ for n in 5 30 60; do head -c $n good.gz > cut.gz; aggr ingest flows cut.gz; echo $?; done; unchanged
! aggr: ingest: cut.gz: truncated gzip stream
! aggr: ingest: cut.gz: truncated gzip stream
! aggr: ingest: cut.gz: truncated gzip stream
3
3
3

$ head -c 60 good.gz | aggr ingest flows; unchanged
! aggr: ingest: <stdin>: truncated gzip stream
[3]

# truncated inside a file larger than one read buffer (a 20000-line run)
$ for i in $(seq 1 20000); do flow s$i; done | gzip -c > big.gz && head -c 30000 big.gz > bigcut.gz; timeout 10 aggr ingest flows bigcut.gz; unchanged
! aggr: ingest: bigcut.gz: truncated gzip stream
[3]

# gzip followed by garbage: a line, a single byte, a lone gzip magic
$ { cat good.gz; echo junk; } > tail.gz; timeout 10 aggr ingest flows tail.gz; unchanged
! aggr: ingest: tail.gz: trailing garbage after gzip data
[3]

$ { cat big.gz; printf 'j'; } > tail.gz; timeout 10 aggr ingest flows tail.gz; unchanged
! aggr: ingest: tail.gz: trailing garbage after gzip data
[3]

$ { cat good.gz; printf '\037\213'; } | timeout 10 aggr ingest flows; unchanged
! aggr: ingest: <stdin>: truncated gzip stream
[3]

# damaged deflate data
$ cp good.gz flip.gz && printf 'X' | dd of=flip.gz bs=1 seek=40 conv=notrunc 2>/dev/null; aggr ingest flows flip.gz; unchanged
! aggr: ingest: flip.gz: damaged gzip data: incorrect data check
[3]

# --- JSON array documents ---

# an array that never closes; the error names the last line
$ printf '[\n%s,\n%s\n' "$(flow a)" "$(flow a)" > bad.json; aggr ingest flows bad.json; unchanged
! aggr: ingest: bad.json:3: JSON array never closes
[3]

$ printf '[' > bad.json; aggr ingest flows bad.json; unchanged
! aggr: ingest: bad.json:1: JSON array never closes
[3]

# a trailing comma, on one line and before a closing bracket on its own line
$ printf '[{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1},]' > bad.json; aggr ingest flows bad.json; unchanged
! aggr: ingest: bad.json:1: trailing comma in JSON array
[3]

$ printf '[\n%s,\n%s,\n]\n' "$(flow a)" "$(flow a)" > bad.json; aggr ingest flows bad.json; unchanged
! aggr: ingest: bad.json:4: trailing comma in JSON array
[3]

# empty elements
$ printf '[,{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}]' > bad.json; aggr ingest flows bad.json; unchanged
! aggr: ingest: bad.json:1: invalid JSON: no JSON value at byte 2
[3]

# data after the array: a record, a second array, a word after blank lines
$ printf '[\n%s\n]\n%s\n' "$(flow a)" "$(flow a)" > bad.json; aggr ingest flows bad.json; unchanged
! aggr: ingest: bad.json:4: data after the JSON array
[3]

$ printf '[] []' > bad.json; aggr ingest flows bad.json; unchanged
! aggr: ingest: bad.json:1: data after the JSON array
[3]

$ printf '[{"src_app":"a","dest_app":"d","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}]\n\n  x' > bad.json; aggr ingest flows bad.json; unchanged
! aggr: ingest: bad.json:3: data after the JSON array
[3]

# a bad element on line 3 of an array document
$ printf '[\n%s,\n"str",\n%s\n]\n' "$(flow a)" "$(flow a)" > bad.json; aggr ingest flows bad.json; unchanged
! aggr: ingest: bad.json:3: record is not a JSON object
[3]

# --- a run is atomic ---

# the bad record on line 3 is reported as line 3; lines 1-2 are not stored
$ { flow l1; flow l2; echo '{"src_app":"l3","dest_app":"d","vpc_id":"v","hour":1}'; flow l4; } > three.jsonl; aggr ingest flows three.jsonl; unchanged
! aggr: ingest: three.jsonl:3: bytes_tx: missing
[3]

# blank lines count as lines
$ printf '\n\n{"src_app":1}\n' > bad.jsonl; aggr ingest flows bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:3: src_app: not a string
[3]

# a bad record in the second FILE (or on stdin) stores nothing of the first
$ aggr ingest flows ok.jsonl three.jsonl; unchanged
! aggr: ingest: three.jsonl:3: bytes_tx: missing
[3]

$ printf 'oops\n' | aggr ingest flows ok.jsonl good.gz -; unchanged
! aggr: ingest: <stdin>:1: invalid JSON: unexpected 'o' at byte 1
[3]

$ aggr ingest flows ok.jsonl cut.gz; unchanged
! aggr: ingest: cut.gz: truncated gzip stream
[3]

$ aggr ingest flows good.gz tail.gz ok.jsonl; unchanged
! aggr: ingest: tail.gz: trailing garbage after gzip data
[3]

# a FILE that cannot be opened or read is an I/O failure (exit 1); nothing is stored
$ aggr ingest flows ok.jsonl no-such-file.jsonl; unchanged
! aggr: ingest: cannot open no-such-file.jsonl: No such file or directory
[1]

$ mkdir -p adir; aggr ingest flows adir; unchanged
! aggr: ingest: cannot read adir: Is a directory
[1]

$ aggr ingest flows ok.jsonl adir; unchanged
! aggr: ingest: cannot read adir: Is a directory
[1]

$ aggr ingest flows < adir; unchanged
! aggr: ingest: cannot read <stdin>: Is a directory
[1]

# after all that, the store holds the seed file only, and a good run still works
$ aggr cat flows | wc -l
5

$ aggr ingest flows ok.jsonl

$ aggr cat flows | wc -l
6

# a record of exactly 16 MiB (without its newline) is accepted
$ flow "$(chars 16777138 a)" 99 > limit.jsonl; wc -c < limit.jsonl; aggr ingest flows limit.jsonl; r=$?; rm limit.jsonl; exit $r
16777217

$ aggr flows --hour 99 | jq -c '.items[0].src_app|length'
16777138

# positions are bytes of the line, counted from 1, and the line is the one
# the error is on, also inside a multi-line array element
$ printf '     {"a":1,}\n' > b.jsonl; aggr ingest flows b.jsonl
! aggr: ingest: b.jsonl:1: invalid JSON: unexpected ',' at byte 12
[3]

$ printf "[     {'a':1}]" > b.json; aggr ingest flows b.json
! aggr: ingest: b.json:1: invalid JSON: unexpected ''' at byte 8
[3]

$ printf '[{"a":\n1,}]' > b.json; aggr ingest flows b.json
! aggr: ingest: b.json:2: invalid JSON: unexpected ',' at byte 2
[3]

# random bytes (the same every run) are bad data, not a crash
$ awk 'BEGIN { srand(7); for (i = 0; i < 4096; i++) printf "%c", 1 + int(rand() * 255) }' > rand.bin; snapshot; aggr ingest flows rand.bin; unchanged
!~ ^aggr: ingest: rand\.bin:[0-9]+: 
[3]
