# aggr ingest counters: {"timestamp": T, "<domain>": n, ...}. T is epoch
# seconds, a JSON integer or a string of digits, 0 to 253402300799; every
# other key is a domain with a non-negative integer count. A bad record fails
# the run with exit 3 and "aggr: ingest: FILE:LINE: why", and stores nothing:
# Setup: one record stored and the store's snapshot (tests/cli/lib.sh):
# "CMD; unchanged" checks every file and every record is as it was, and
# reject_lines KIND LINE... ingests the lines as bad.jsonl and checks the same.

$ printf '%s\n' '{"timestamp":1642283000,"seed":1}' | aggr ingest counters && snapshot counters && cat before.cat
{"timestamp":1642283000,"seed":1}

# --- duplicate keys (compared after decoding escapes) ---

$ reject_lines counters '{"timestamp":1642283000,"a.com":1,"a.com":2}'
! aggr: ingest: bad.jsonl:1: invalid JSON: duplicate key in object at byte 1
[3]

$ reject_lines counters '{"timestamp":1642283000,"timestamp":1642283001}'
! aggr: ingest: bad.jsonl:1: invalid JSON: duplicate key in object at byte 1
[3]

$ reject_lines counters '{"timestamp":1642283000,"A":1,"\u0041":2}'
! aggr: ingest: bad.jsonl:1: invalid JSON: duplicate key in object at byte 1
[3]

$ reject_lines counters '{"timestamp":1642283000,"time\u0073tamp":5}'
! aggr: ingest: bad.jsonl:1: invalid JSON: duplicate key in object at byte 1
[3]

# --- the timestamp ---

$ reject_lines counters '{"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: missing
[3]

$ reject_lines counters '{}'
! aggr: ingest: bad.jsonl:1: timestamp: missing
[3]

$ reject_lines counters '{"Timestamp":1642283000,"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: missing
[3]

$ reject_lines counters '{"timestamp":"abc","a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not a number of seconds: "abc"
[3]

$ reject_lines counters '{"timestamp":"","a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not a number of seconds: ""
[3]

$ reject_lines counters '{"timestamp":"1642283000.5","a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not a number of seconds: "1642283000.5"
[3]

$ reject_lines counters '{"timestamp":" 1642283000","a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not a number of seconds: " 1642283000"
[3]

$ reject_lines counters '{"timestamp":"-1","a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not a number of seconds: "-1"
[3]

$ reject_lines counters '{"timestamp":"2022-01-15T22:00:00Z","a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not a number of seconds: "2022-01-15T22:00:00Z"
[3]

$ reject_lines counters '{"timestamp":true,"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not an integer number of seconds
[3]

$ reject_lines counters '{"timestamp":null,"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not an integer number of seconds
[3]

$ reject_lines counters '{"timestamp":1642283000.5,"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not an integer number of seconds
[3]

$ reject_lines counters '{"timestamp":1.642283e9,"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not an integer number of seconds
[3]

$ reject_lines counters '{"timestamp":[1642283000],"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not an integer number of seconds
[3]

$ reject_lines counters '{"timestamp":{"s":1642283000},"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: not an integer number of seconds
[3]

# out of range: before 1970, after 9999-12-31T23:59:59Z, past 64 bits
$ reject_lines counters '{"timestamp":-1,"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: out of range (0 to 253402300799)
[3]

$ reject_lines counters '{"timestamp":253402300800,"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: out of range (0 to 253402300799)
[3]

$ reject_lines counters '{"timestamp":"253402300800","a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: out of range (0 to 253402300799)
[3]

$ reject_lines counters '{"timestamp":9223372036854775808,"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: out of range (0 to 253402300799)
[3]

$ reject_lines counters '{"timestamp":1642283000000,"a.com":1}'
! aggr: ingest: bad.jsonl:1: timestamp: out of range (0 to 253402300799)
[3]

# the timestamp is checked before the domains
$ reject_lines counters '{"a.com":-1,"timestamp":"x"}'
! aggr: ingest: bad.jsonl:1: timestamp: not a number of seconds: "x"
[3]

# --- counts ---

$ reject_lines counters '{"timestamp":1642283000,"a.com":1.5}'
! aggr: ingest: bad.jsonl:1: a.com: count is not an integer
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":1.0}'
! aggr: ingest: bad.jsonl:1: a.com: count is not an integer
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":1e2}'
! aggr: ingest: bad.jsonl:1: a.com: count is not an integer
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":"5"}'
! aggr: ingest: bad.jsonl:1: a.com: count is not an integer
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":null}'
! aggr: ingest: bad.jsonl:1: a.com: count is not an integer
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":true}'
! aggr: ingest: bad.jsonl:1: a.com: count is not an integer
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":[1]}'
! aggr: ingest: bad.jsonl:1: a.com: count is not an integer
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":{"n":1}}'
! aggr: ingest: bad.jsonl:1: a.com: count is not an integer
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":-1}'
! aggr: ingest: bad.jsonl:1: a.com: count is negative
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":-9223372036854775808}'
! aggr: ingest: bad.jsonl:1: a.com: count is negative
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":9223372036854775808}'
! aggr: ingest: bad.jsonl:1: a.com: count out of 64-bit range
[3]

# the first bad domain is named
$ reject_lines counters '{"timestamp":1642283000,"a.com":1,"b.com":-1,"c.com":1.5}'
! aggr: ingest: bad.jsonl:1: b.com: count is negative
[3]

# --- domain names ---

$ reject_lines counters '{"timestamp":1642283000,"":1}'
! aggr: ingest: bad.jsonl:1: empty domain name
[3]

$ reject_lines counters '{"timestamp":1642283000,"a.com":1,"":0}'
! aggr: ingest: bad.jsonl:1: empty domain name
[3]

# --- not an object ---

$ reject_lines counters '"a.com"'
! aggr: ingest: bad.jsonl:1: record is not a JSON object
[3]

$ reject_lines counters '1642283000'
! aggr: ingest: bad.jsonl:1: record is not a JSON object
[3]

# --- where: the line of the file, of stdin, of an array, of gzip data;
# good records before the bad one are not kept either ---

$ reject_lines counters '{"timestamp":1642283001,"ok":1}' '{"timestamp":"1642283002","ok":2}' '{"timestamp":1642283003,"ok":-3}' '{"timestamp":1642283004,"ok":4}'
! aggr: ingest: bad.jsonl:3: ok: count is negative
[3]

$ printf '%s\n' '{"timestamp":1642283001,"ok":1}' '' '{"ok":2}' | aggr ingest counters; unchanged
! aggr: ingest: <stdin>:3: timestamp: missing
[3]

$ printf '%s\n' '[' '{"timestamp":1642283001,"ok":1},' '{"timestamp":"x","ok":2}' ']' > bad.json; aggr ingest counters bad.json; unchanged
! aggr: ingest: bad.json:3: timestamp: not a number of seconds: "x"
[3]

$ printf '%s\n' '[{"timestamp":1642283001,"ok":1},{"timestamp":1642283002,"ok":1.5}]' > bad.json; aggr ingest counters bad.json; unchanged
! aggr: ingest: bad.json:1: ok: count is not an integer
[3]

$ printf '%s\n' '{"timestamp":1642283001,"ok":1}' '{"timestamp":1642283002,"":2}' | gzip -c > bad.gz; aggr ingest counters bad.gz; unchanged
! aggr: ingest: bad.gz:2: empty domain name
[3]

$ aggr ingest counters < bad.gz; unchanged
! aggr: ingest: <stdin>:2: empty domain name
[3]

# a good file and a bad one in one run: neither is kept
$ printf '%s\n' '{"timestamp":1642283001,"ok":1}' > good.jsonl
$ printf '%s\n' '{"timestamp":1642283001,"ok":1}' '{"timestamp":1642283001}' '{"timestamp":-5}' > bad.jsonl; aggr ingest counters good.jsonl bad.jsonl; unchanged
! aggr: ingest: bad.jsonl:3: timestamp: out of range (0 to 253402300799)
[3]

# --- accepted forms; cat shows the stored form ---

# numeric strings and integers, in one run: stored as integers
$ printf '%s\n' '{"timestamp":"1642283100","s.com":1}' '{"timestamp":1642283101,"s.com":2}' | aggr ingest counters && aggr cat counters | tail -n 2
{"timestamp":1642283100,"s.com":1}
{"timestamp":1642283101,"s.com":2}

# only a timestamp; the timestamp after the domains; spaces; an escaped key
$ printf '%s\n' '{"timestamp":1642283200}' '{"b.com":2,"a.com":1,"timestamp":1642283201}' '{ "timestamp" : 1642283202 , "c.com" : 0 }' > forms.jsonl
$ printf '%s\n' '{"\u0074imestamp":"1642283203","d.com":4}' >> forms.jsonl && cat forms.jsonl | aggr ingest counters && aggr cat counters | tail -n 4
{"timestamp":1642283200}
{"timestamp":1642283201,"b.com":2,"a.com":1}
{"timestamp":1642283202,"c.com":0}
{"timestamp":1642283203,"d.com":4}

# the ends of the range; leading zeros in a string; the largest count
$ printf '%s\n' '{"timestamp":0,"z":1}' '{"timestamp":"0","z":1}' '{"timestamp":253402300799,"z":1}' '{"timestamp":"253402300799","z":1}' > ends.jsonl
$ printf '%s\n' '{"timestamp":"0001642283300","z":9223372036854775807}' >> ends.jsonl && cat ends.jsonl | aggr ingest counters && aggr cat counters | tail -n 5
{"timestamp":0,"z":1}
{"timestamp":0,"z":1}
{"timestamp":253402300799,"z":1}
{"timestamp":253402300799,"z":1}
{"timestamp":1642283300,"z":9223372036854775807}

# escapes in domain names are stored in one spelling: decoded, with only
# quote, backslash and control characters escaped
$ printf '%s\n' '{"timestamp":1642283400,"\u0041":1,"a\/b":2,"\u00e9.fr":3,"q\"x":4,"b\\s":5,"\ud83d\ude00":6,"t\u0009b":7,"\u0001":8}' | aggr ingest counters && aggr cat counters | tail -n 1
{"timestamp":1642283400,"A":1,"a/b":2,"é.fr":3,"q\"x":4,"b\\s":5,"😀":6,"t\tb":7,"\u0001":8}

# so "A" and "\u0041" are one domain for top
$ printf '%s\n' '{"timestamp":1642283401,"A":10,"\u00e9.fr":1}' | aggr ingest counters && aggr top --since 1642283400 --until 1642283402 -n 3
[{"Domain":"A","NumberOfRequests":11},{"Domain":"\u0001","NumberOfRequests":8},{"Domain":"t\tb","NumberOfRequests":7}]

# (csv quotes only fields with a comma, quote or line break)
$ aggr top --since 1642283400 --until 1642283402 --format csv | tr '\001\t' '@~'
Domain,NumberOfRequests
A,11
@,8
t~b,7
😀,6
b\s,5
é.fr,4
"q""x",4
a/b,2

# a JSON array document
$ printf '%s\n' '[{"timestamp":1642283500,"arr":1},' '  {"timestamp":"1642283501","arr":2}]' > in.json && aggr ingest counters in.json && aggr cat counters | tail -n 2
{"timestamp":1642283500,"arr":1}
{"timestamp":1642283501,"arr":2}

# gzip, from a file and from stdin, also holding an array
$ printf '%s\n' '{"timestamp":1642283600,"gz":1}' '{"timestamp":"1642283601","gz":2}' | gzip -c > in.gz && aggr ingest counters in.gz
$ printf '%s' '[{"timestamp":1642283602,"gz":3}]' | gzip -c | aggr ingest counters && aggr cat counters | tail -n 3
{"timestamp":1642283600,"gz":1}
{"timestamp":1642283601,"gz":2}
{"timestamp":1642283602,"gz":3}

$ aggr top --since 1642283500 --until 1642283700
[{"Domain":"gz","NumberOfRequests":6},{"Domain":"arr","NumberOfRequests":3}]

# everything stored, in ingest order
$ aggr cat counters | wc -l
19
