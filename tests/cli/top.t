# aggr top: the previous complete minute or hour before --at (default now),
# or [--since, --until); sums per domain, highest first, ties in order of
# first appearance among the window's records in log order; -n; --tz; every
# TIME form; --format; block pruning (-v).
#
# The main store holds records in separate regions of time:
#   2022-01-15 18:00-18:10   --since/--until boundaries
#   2022-01-15 19:00-19:59   sums over several runs, out of order
#   2022-01-15 20:00-20:10   ties
#   2022-01-15 21:00-22:00   numeric-string and integer timestamps
#   2022-01-15 22:59-00:00   across midnight
#   2022-01-31 23:00-02-01   across a month end
#   2024-02-28 - 2024-03-01  a leap day
# "tz", "prune" and "empty" are stores of their own (-d).
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: empty, prune, tz.

# --- across midnight ---
# 00:00:00 next, 23:59:59 m2, 23:59:00 m1+x, 23:00:00 h, 22:59:59 before,
# 23:58:59 x (in log order)
$ printf '%s\n' '{"timestamp":1642291200,"next":100}' '{"timestamp":1642291199,"m2":4}' '{"timestamp":1642291140,"m1":2,"x":3}' '{"timestamp":1642287600,"h":7}' > m.jsonl
$ printf '%s\n' '{"timestamp":1642287599,"before":50}' '{"timestamp":1642291139,"x":1}' >> m.jsonl
$ cat m.jsonl | aggr ingest counters

# [23:59:00, 00:00:00): 00:00:00 and 23:58:59 are out
$ aggr top --minute --at 2022-01-16T00:00:30Z
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ aggr top --minute --at 2022-01-16T00:00:00Z
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

# [23:00, 00:00) of the previous day: m2 4 and x 3+1 tie, m2 came first
$ aggr top --hour --at 2022-01-16T00:00:30Z
[{"Domain":"h","NumberOfRequests":7},{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":4},{"Domain":"m1","NumberOfRequests":2}]

# the minute after midnight holds only the midnight record
$ aggr top --minute --at 2022-01-16T00:01:00Z
[{"Domain":"next","NumberOfRequests":100}]

# [22:00, 23:00) ends at 22:59:59
$ aggr top --hour --at 2022-01-15T23:59:59Z
[{"Domain":"before","NumberOfRequests":50}]

# --- -n ---
$ aggr top --hour --at 2022-01-16T00:00:30Z -n 1
[{"Domain":"h","NumberOfRequests":7}]

# the cut falls inside a tie: the first seen stays
$ aggr top --hour --at 2022-01-16T00:00:30Z -n 2
[{"Domain":"h","NumberOfRequests":7},{"Domain":"m2","NumberOfRequests":4}]

$ aggr top --hour --at 2022-01-16T00:00:30Z -n 4
[{"Domain":"h","NumberOfRequests":7},{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":4},{"Domain":"m1","NumberOfRequests":2}]

$ aggr top --hour --at 2022-01-16T00:00:30Z -n 1000
[{"Domain":"h","NumberOfRequests":7},{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":4},{"Domain":"m1","NumberOfRequests":2}]

$ aggr top --hour --at 2022-01-16T00:00:30Z -n 0
! aggr: top: -n: must be at least 1: 0
! Try 'aggr help top'.
[2]

$ aggr top --hour --at 2022-01-16T00:00:30Z -n x
! aggr: top: -n: not an integer: x
! Try 'aggr help top'.
[2]

$ aggr top --hour --at 2022-01-16T00:00:30Z -n -1
! aggr: top: -n: must be at least 1: -1
! Try 'aggr help top'.
[2]

$ aggr top --hour --at 2022-01-16T00:00:30Z -n 2x
! aggr: top: -n: not an integer: 2x
! Try 'aggr help top'.
[2]

# --- --at in every TIME form (all name a time in 00:00-00:01 of Jan 16,
# or 00:00 itself: the minute before holds m2, x, m1) ---
$ aggr top --minute --at 1642291230.5
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ aggr top --minute --at 1642291200
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

# one microsecond earlier is in the minute 23:59: the window is 23:58
$ aggr top --minute --at 1642291199.999999
[{"Domain":"x","NumberOfRequests":1}]

$ aggr top --minute --at 2022-01-16T02:00:30+02:00
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ aggr top --minute --at 2022-01-15T19:00:30-05:00
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ aggr top --minute --at 2022-01-16T05:30:30+0530
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ aggr top --minute --at '2022-01-16 00:00:30.25'
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ aggr top --minute --at 2022-01-16T00:00
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ aggr top --minute --at 2022-01-16
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-16T00:00:30Z aggr top --minute --at now
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-16T00:00:30Z aggr top --minute
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-16T01:00:30Z aggr top --minute --at -1h
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-16T00:30:30Z aggr top --minute --at -30m
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-23T00:00:30Z aggr top --minute --at -7d
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-15T23:45:30Z aggr top --minute --at +15m
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-16T00:01:30Z aggr top --minute --at -90s
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-30T00:00:30Z aggr top --minute --at -2w
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

# today (midnight of Jan 16) and yesterday (midnight of Jan 16, seen on Jan 17)
$ AGGR_NOW=2022-01-16T13:00:00Z aggr top --minute --at today
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-16T13:00:00Z aggr top --hour --at today
[{"Domain":"h","NumberOfRequests":7},{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":4},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-17T05:00:00Z aggr top --minute --at yesterday
[{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":3},{"Domain":"m1","NumberOfRequests":2}]

$ AGGR_NOW=2022-01-17T00:00:00Z aggr top --hour --at yesterday
[{"Domain":"h","NumberOfRequests":7},{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":4},{"Domain":"m1","NumberOfRequests":2}]

# malformed times
$ aggr top --minute --at 2022-01-16T24:00:00Z
! aggr: top: --at: not a time: 2022-01-16T24:00:00Z (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --minute --at tomorrow
! aggr: top: --at: not a time: tomorrow (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --minute --at -1x
! aggr: top: --at: not a time: -1x (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --minute --at 2023-02-29
! aggr: top: --at: not a time: 2023-02-29 (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --minute --at 1642291230.
! aggr: top: --at: not a time: 1642291230. (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --minute --at '2022-01-16T00:00:30Z x'
! aggr: top: --at: not a time: 2022-01-16T00:00:30Z x (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --minute --at ''
! aggr: top: --at: not a time:  (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --since 2022-01-15T25:00:00Z
! aggr: top: --since: not a time: 2022-01-15T25:00:00Z (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --since 2022-01-15T21:00:00Z --until 2022-01-15T21:60:00Z
! aggr: top: --until: not a time: 2022-01-15T21:60:00Z (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

# --- across a month end ---
# 2022-01-31T23:59:30 jan, 2022-02-01T00:00:10 feb, 2022-01-31T23:00:00 jan+late
$ printf '%s\n' '{"timestamp":1643673570,"jan":5}' '{"timestamp":1643673610,"feb":9}' '{"timestamp":1643670000,"jan":1,"late":2}' | aggr ingest counters

$ aggr top --minute --at 2022-02-01T00:00:00Z
[{"Domain":"jan","NumberOfRequests":5}]

$ aggr top --minute --at 2022-02-01T00:01:00Z
[{"Domain":"feb","NumberOfRequests":9}]

$ aggr top --hour --at 2022-02-01T00:00:00Z
[{"Domain":"jan","NumberOfRequests":6},{"Domain":"late","NumberOfRequests":2}]

$ aggr top --hour --at 2022-02-01T01:00:00Z
[{"Domain":"feb","NumberOfRequests":9}]

$ aggr top --minute --at 2022-01-31T23:01:00Z
[{"Domain":"late","NumberOfRequests":2},{"Domain":"jan","NumberOfRequests":1}]

# --- a leap day ---
# 2024-02-29T23:59:59 leap, 2024-03-01T00:00:00 march, 2024-02-28T23:59:59
# feb28, 2024-02-29T00:00:00 leap
$ printf '%s\n' '{"timestamp":1709251199,"leap":3}' '{"timestamp":1709251200,"march":1}' '{"timestamp":1709164799,"feb28":2}' '{"timestamp":1709164800,"leap":1}' | aggr ingest counters

$ aggr top --minute --at 2024-03-01T00:00:00Z
[{"Domain":"leap","NumberOfRequests":3}]

$ aggr top --hour --at 2024-03-01T00:59:59Z
[{"Domain":"leap","NumberOfRequests":3}]

$ aggr top --hour --at 2024-03-01T01:00:00Z
[{"Domain":"march","NumberOfRequests":1}]

$ aggr top --hour --at 2024-02-29T00:00:00Z
[{"Domain":"feb28","NumberOfRequests":2}]

$ aggr top --minute --at 2024-02-29T00:01:00Z
[{"Domain":"leap","NumberOfRequests":1}]

$ aggr top --since 2024-02-29 --until 2024-03-01
[{"Domain":"leap","NumberOfRequests":4}]

$ aggr top --since 1709164800 --until 1709251200
[{"Domain":"leap","NumberOfRequests":4}]

$ aggr top --since 2024-02-28T23:59:59Z --until 2024-03-01T00:00:00.000001Z
[{"Domain":"leap","NumberOfRequests":4},{"Domain":"feb28","NumberOfRequests":2},{"Domain":"march","NumberOfRequests":1}]

# --- numeric-string and integer timestamps in one run ---
# 21:00:00 as a string, 21:59:59 as an integer, 22:00:00 (now) as a string
$ printf '%s\n' '{"timestamp":"1642280400","s":1}' '{"timestamp":1642283999,"s":2,"i":4}' '{"timestamp":"1642284000","s":100}' | aggr ingest counters

# now is 2022-01-15T22:00:00Z: [21:00, 22:00)
$ aggr top --hour
[{"Domain":"i","NumberOfRequests":4},{"Domain":"s","NumberOfRequests":3}]

$ aggr top --minute
[{"Domain":"i","NumberOfRequests":4},{"Domain":"s","NumberOfRequests":2}]

$ aggr top --minute --at 2022-01-15T21:01:00Z
[{"Domain":"s","NumberOfRequests":1}]

$ aggr top --minute --at 2022-01-15T22:00:59Z -n 1
[{"Domain":"i","NumberOfRequests":4}]

$ aggr top --minute --at 2022-01-15T22:01:00Z
[{"Domain":"s","NumberOfRequests":100}]

# --since alone runs until now (22:00:00, exclusive)
$ aggr top --since 2022-01-15T21:30:00Z
[{"Domain":"i","NumberOfRequests":4},{"Domain":"s","NumberOfRequests":2}]

$ aggr top --since -30m
[{"Domain":"i","NumberOfRequests":4},{"Domain":"s","NumberOfRequests":2}]

$ aggr top --since -1h
[{"Domain":"i","NumberOfRequests":4},{"Domain":"s","NumberOfRequests":3}]

$ AGGR_NOW=2022-01-15T22:00:00.000001Z aggr top --since -1s
[{"Domain":"s","NumberOfRequests":100}]

$ aggr top --since now
[]

# --- ties over several records: the first appearance among the window's
# records decides; 19:59 mm is before the window and earlier in the log ---
$ printf '%s\n' '{"timestamp":1642276740,"mm":1}' '{"timestamp":1642276860,"q":1,"zz":2}' '{"timestamp":1642276920,"aa":3,"q":1}' '{"timestamp":1642276980,"zz":1,"mm":3}' | aggr ingest counters

$ aggr top --since 2022-01-15T20:00:00Z --until 2022-01-15T20:10:00Z
[{"Domain":"zz","NumberOfRequests":3},{"Domain":"aa","NumberOfRequests":3},{"Domain":"mm","NumberOfRequests":3},{"Domain":"q","NumberOfRequests":2}]

# with 19:59 in the window mm leads with 4; the rest keep their order
$ aggr top --since 2022-01-15T19:59:00Z --until 2022-01-15T20:10:00Z
[{"Domain":"mm","NumberOfRequests":4},{"Domain":"zz","NumberOfRequests":3},{"Domain":"aa","NumberOfRequests":3},{"Domain":"q","NumberOfRequests":2}]

$ aggr top --since 2022-01-15T20:00:00Z --until 2022-01-15T20:10:00Z -n 2
[{"Domain":"zz","NumberOfRequests":3},{"Domain":"aa","NumberOfRequests":3}]

# --- sums across ingest runs, out of order ---
# run 1: 19:30 a, 19:10 b
$ printf '%s\n' '{"timestamp":1642275000,"a":1}' '{"timestamp":1642273800,"b":5}' | aggr ingest counters

# run 2: 19:59:59 a, 19:05 b and a
$ printf '%s\n' '{"timestamp":1642276799,"a":10}' '{"timestamp":1642273500,"b":1,"a":1}' | aggr ingest counters

# run 3: 19:20 c, 18:59:59 c (outside), 19:00 d (earlier in time than any b,
# later in the log)
$ printf '%s\n' '{"timestamp":1642274400,"c":2}' '{"timestamp":1642273199,"c":50}' '{"timestamp":1642273200,"d":6}' | aggr ingest counters

# (mm at 19:59:00 from the ties is in this hour too, first in the log)
$ aggr top --hour --at 2022-01-15T20:00:00Z
[{"Domain":"a","NumberOfRequests":12},{"Domain":"b","NumberOfRequests":6},{"Domain":"d","NumberOfRequests":6},{"Domain":"c","NumberOfRequests":2},{"Domain":"mm","NumberOfRequests":1}]

$ aggr top --hour --at 2022-01-15T19:00:00Z
[{"Domain":"c","NumberOfRequests":50}]

$ aggr top --minute --at 2022-01-15T20:00:00Z
[{"Domain":"a","NumberOfRequests":10},{"Domain":"mm","NumberOfRequests":1}]

# --- --since/--until: inclusive start, exclusive end ---
# 18:00:00 start, 18:05:00 mid, 18:10:00 end
$ printf '%s\n' '{"timestamp":1642269600,"start":1}' '{"timestamp":1642269900,"mid":1}' '{"timestamp":1642270200,"end":1}' | aggr ingest counters

$ aggr top --since 2022-01-15T18:00:00Z --until 2022-01-15T18:10:00Z
[{"Domain":"start","NumberOfRequests":1},{"Domain":"mid","NumberOfRequests":1}]

$ aggr top --since 2022-01-15T18:00:00.000001Z --until 2022-01-15T18:10:00.000001Z
[{"Domain":"mid","NumberOfRequests":1},{"Domain":"end","NumberOfRequests":1}]

$ aggr top --since 1642269599.999999 --until 1642270200
[{"Domain":"start","NumberOfRequests":1},{"Domain":"mid","NumberOfRequests":1}]

$ aggr top --since 2022-01-15T18:05:00Z --until 2022-01-15T18:05:01Z
[{"Domain":"mid","NumberOfRequests":1}]

$ aggr top --since 2022-01-15T18:05:00Z --until 2022-01-15T18:05:00Z
[]

$ aggr top --since 2022-01-15T18:00:00Z --until 2022-01-15T18:10:00.000001Z -n 2
[{"Domain":"start","NumberOfRequests":1},{"Domain":"mid","NumberOfRequests":1}]

# ISO with offsets and spaces, and relative times, for both ends
$ aggr top --since 2022-01-15T19:00:00+01:00 --until '2022-01-15 18:10'
[{"Domain":"start","NumberOfRequests":1},{"Domain":"mid","NumberOfRequests":1}]

$ aggr top --since -4h --until -230m
[{"Domain":"start","NumberOfRequests":1},{"Domain":"mid","NumberOfRequests":1}]

# --- usage errors ---
$ aggr top --since 2022-01-15T18:05:01Z --until 2022-01-15T18:05:00Z
! aggr: top: --until is before --since
! Try 'aggr help top'.
[2]

$ aggr top --since now --until -1h
! aggr: top: --until is before --since
! Try 'aggr help top'.
[2]

$ aggr top --minute --since 2022-01-15T18:00:00Z
! aggr: top: --minute takes --at, not --since or --until
! Try 'aggr help top'.
[2]

$ aggr top --hour --since 2022-01-15T18:00:00Z --until 2022-01-15T19:00:00Z
! aggr: top: --hour takes --at, not --since or --until
! Try 'aggr help top'.
[2]

$ aggr top --minute --until 2022-01-15T18:00:00Z
! aggr: top: --minute takes --at, not --since or --until
! Try 'aggr help top'.
[2]

$ aggr top --minute --hour
! aggr: top: give one of --minute and --hour
! Try 'aggr help top'.
[2]

$ aggr top --hour --minute --at 2022-01-16T00:00:30Z
! aggr: top: give one of --minute and --hour
! Try 'aggr help top'.
[2]

$ aggr top
! aggr: top: give --minute, --hour, or --since and/or --until
! Try 'aggr help top'.
[2]

$ aggr top -n 3
! aggr: top: give --minute, --hour, or --since and/or --until
! Try 'aggr help top'.
[2]

$ aggr top --at 2022-01-16T00:00:30Z
! aggr: top: give --minute, --hour, or --since and/or --until
! Try 'aggr help top'.
[2]

$ aggr top --since 2022-01-15T18:00:00Z --at 2022-01-16T00:00:30Z
! aggr: top: --at goes with --minute or --hour; use --since and --until
! Try 'aggr help top'.
[2]

$ aggr top --hour extra
! aggr: top: unexpected argument: extra
! Try 'aggr help top'.
[2]

# --- --format, on the midnight hour ---
$ aggr top --hour --at 2022-01-16T00:00:30Z --format json
[{"Domain":"h","NumberOfRequests":7},{"Domain":"m2","NumberOfRequests":4},{"Domain":"x","NumberOfRequests":4},{"Domain":"m1","NumberOfRequests":2}]

$ aggr top --hour --at 2022-01-16T00:00:30Z --format ndjson
{"Domain":"h","NumberOfRequests":7}
{"Domain":"m2","NumberOfRequests":4}
{"Domain":"x","NumberOfRequests":4}
{"Domain":"m1","NumberOfRequests":2}

$ aggr top --hour --at 2022-01-16T00:00:30Z --format csv
Domain,NumberOfRequests
h,7
m2,4
x,4
m1,2

$ aggr top --hour --at 2022-01-16T00:00:30Z --format tsv | tr '\t' '|'
Domain|NumberOfRequests
h|7
m2|4
x|4
m1|2

$ aggr top --hour --at 2022-01-16T00:00:30Z --format table
Domain  NumberOfRequests
h                      7
m2                     4
x                      4
m1                     2

$ aggr top --hour --at 2022-01-16T00:00:30Z -n 1 --format csv
Domain,NumberOfRequests
h,7

$ aggr top --hour --at 2022-01-16T00:00:30Z --format xml
! aggr: top: --format: unknown format: xml (json, ndjson, csv, tsv, table)
! Try 'aggr help top'.
[2]

# domains that need quoting or escaping: 2022-01-14T12:00:30Z
$ printf '%s\n' '{"timestamp":1642161630,"a,b":3,"say \"hi\"":2,"t\tb":1}' | aggr ingest counters

$ aggr top --minute --at 2022-01-14T12:01:00Z
[{"Domain":"a,b","NumberOfRequests":3},{"Domain":"say \"hi\"","NumberOfRequests":2},{"Domain":"t\tb","NumberOfRequests":1}]

$ aggr top --minute --at 2022-01-14T12:01:00Z --format ndjson
{"Domain":"a,b","NumberOfRequests":3}
{"Domain":"say \"hi\"","NumberOfRequests":2}
{"Domain":"t\tb","NumberOfRequests":1}

$ aggr top --minute --at 2022-01-14T12:01:00Z --format csv | tr '\t' '~'
Domain,NumberOfRequests
"a,b",3
"say ""hi""",2
t~b,1

$ aggr top --minute --at 2022-01-14T12:01:00Z --format tsv | tr '\t' '|'
Domain|NumberOfRequests
a,b|3
say "hi"|2
t\tb|1

$ aggr top --minute --at 2022-01-14T12:01:00Z --format table
Domain    NumberOfRequests
a,b                      3
say "hi"                 2
t\tb                     1

# --- --tz: a store of its own ---
# Asia/Kolkata (+05:30): 2022-01-09T18:00Z prev, 19:00Z early;
# 2022-01-10T10:29:59Z k0, 10:30Z k1, 11:29:59Z k2, 11:30Z k3, 18:00Z late.
# Europe/Berlin, DST starts 2022-03-27T01:00Z (02:00 CET -> 03:00 CEST):
# 00:59:59 the day before .. 02:00Z: b0 23:59:59Z, b1 00:00Z, b2 00:59:59Z,
# b3 01:00Z, b4 01:59:59Z, b5 02:00Z.
# DST ends 2022-10-30T01:00Z (03:00 CEST -> 02:00 CET): o0 2022-10-29T23:59:59Z,
# o1 00:00Z, o2 00:59:59Z, o3 01:00Z, o4 01:59:59Z, o5 02:00Z.
$ printf '%s\n' '{"timestamp":1641751200,"prev":1}' '{"timestamp":1641754800,"early":8}' '{"timestamp":1641810599,"k0":1}' '{"timestamp":1641810600,"k1":2}' > tz.jsonl
$ printf '%s\n' '{"timestamp":1641814199,"k2":3}' '{"timestamp":1641814200,"k3":4}' '{"timestamp":1641837600,"late":9}' '{"timestamp":1648339199,"b0":1}' '{"timestamp":1648339200,"b1":2}' >> tz.jsonl
$ printf '%s\n' '{"timestamp":1648342799,"b2":3}' '{"timestamp":1648342800,"b3":4}' '{"timestamp":1648346399,"b4":5}' '{"timestamp":1648346400,"b5":6}' '{"timestamp":1667087999,"o0":7}' >> tz.jsonl
$ printf '%s\n' '{"timestamp":1667088000,"o1":1}' '{"timestamp":1667091599,"o2":2}' '{"timestamp":1667091600,"o3":3}' '{"timestamp":1667095199,"o4":4}' '{"timestamp":1667095200,"o5":5}' >> tz.jsonl
$ cat tz.jsonl | aggr -d tz ingest counters

# 11:45Z is 17:15 IST: the previous hour is 16:00-17:00 IST, [10:30Z, 11:30Z)
$ aggr -d tz -v top --tz Asia/Kolkata --hour --at 2022-01-10T11:45:00Z
[{"Domain":"k2","NumberOfRequests":3},{"Domain":"k1","NumberOfRequests":2}]
! aggr: top: window [2022-01-10T10:30:00Z, 2022-01-10T11:30:00Z): inflated 1 of 1 block, 2 domains

# the same instant in UTC: [10:00Z, 11:00Z)
$ aggr -d tz top --hour --at 2022-01-10T11:45:00Z
[{"Domain":"k1","NumberOfRequests":2},{"Domain":"k0","NumberOfRequests":1}]

$ aggr -d tz top --tz UTC --hour --at 2022-01-10T11:45:00
[{"Domain":"k1","NumberOfRequests":2},{"Domain":"k0","NumberOfRequests":1}]

# a TIME without an offset is read in the zone; one with an offset is not
$ aggr -d tz top --tz Asia/Kolkata --hour --at 2022-01-10T17:15:00
[{"Domain":"k2","NumberOfRequests":3},{"Domain":"k1","NumberOfRequests":2}]

$ aggr -d tz top --tz Asia/Kolkata --hour --at 2022-01-10T17:15:00+05:30
[{"Domain":"k2","NumberOfRequests":3},{"Domain":"k1","NumberOfRequests":2}]

$ aggr -d tz top --tz Asia/Kolkata --hour --at 1641815100
[{"Domain":"k2","NumberOfRequests":3},{"Domain":"k1","NumberOfRequests":2}]

# 11:29:59Z is 16:59:59 IST: [09:30Z, 10:30Z)
$ aggr -d tz top --tz Asia/Kolkata --hour --at 2022-01-10T11:29:59Z
[{"Domain":"k0","NumberOfRequests":1}]

$ aggr -d tz top --tz Asia/Kolkata --minute --at 2022-01-10T11:30:30Z
[{"Domain":"k2","NumberOfRequests":3}]

$ aggr -d tz top --tz Asia/Kolkata --since 2022-01-10T16:00:00 --until 2022-01-10T17:00:00
[{"Domain":"k2","NumberOfRequests":3},{"Domain":"k1","NumberOfRequests":2}]

# 20:00Z is 01:30 IST on Jan 11: yesterday is Jan 10 IST,
# [2022-01-09T18:30Z, 2022-01-10T18:30Z)
$ AGGR_NOW=2022-01-10T20:00:00Z aggr -d tz top --tz Asia/Kolkata --since yesterday --until today
[{"Domain":"late","NumberOfRequests":9},{"Domain":"early","NumberOfRequests":8},{"Domain":"k3","NumberOfRequests":4},{"Domain":"k2","NumberOfRequests":3},{"Domain":"k1","NumberOfRequests":2},{"Domain":"k0","NumberOfRequests":1}]

$ AGGR_NOW=2022-01-10T20:00:00Z aggr -d tz top --since yesterday --until today
[{"Domain":"early","NumberOfRequests":8},{"Domain":"prev","NumberOfRequests":1}]

$ AGGR_NOW=2022-01-10T20:00:00Z aggr -d tz top --tz Asia/Kolkata --since today
[]

$ AGGR_NOW=2022-01-10T18:29:59Z aggr -d tz top --tz Asia/Kolkata --since today -n 1
[{"Domain":"late","NumberOfRequests":9}]

# DST starts: 03:30 CEST is 01:30Z; the hour before 03:00 CEST (01:00Z) is
# one real hour [00:00Z, 01:00Z), local 01:00-03:00 on the clock
$ aggr -d tz -v top --tz Europe/Berlin --hour --at 2022-03-27T03:30:00
[{"Domain":"b2","NumberOfRequests":3},{"Domain":"b1","NumberOfRequests":2}]
! aggr: top: window [2022-03-27T00:00:00Z, 2022-03-27T01:00:00Z): inflated 1 of 1 block, 2 domains

$ aggr -d tz top --tz Europe/Berlin --hour --at 2022-03-27T03:00:00
[{"Domain":"b2","NumberOfRequests":3},{"Domain":"b1","NumberOfRequests":2}]

$ aggr -d tz -v top --tz Europe/Berlin --hour --at 2022-03-27T04:00:00
[{"Domain":"b4","NumberOfRequests":5},{"Domain":"b3","NumberOfRequests":4}]
! aggr: top: window [2022-03-27T01:00:00Z, 2022-03-27T02:00:00Z): inflated 1 of 1 block, 2 domains

# 01:59:59 CET is 00:59:59Z: [2022-03-26T23:00Z, 2022-03-27T00:00Z)
$ aggr -d tz top --tz Europe/Berlin --hour --at 2022-03-27T01:59:59
[{"Domain":"b0","NumberOfRequests":1}]

$ aggr -d tz top --tz Europe/Berlin --minute --at 2022-03-27T03:00:00
[{"Domain":"b2","NumberOfRequests":3}]

# two hours on the clock, one real hour
$ aggr -d tz top --tz Europe/Berlin --since 2022-03-27T01:00:00 --until 2022-03-27T03:00:00
[{"Domain":"b2","NumberOfRequests":3},{"Domain":"b1","NumberOfRequests":2}]

# 02:30 never happens on that day: read with the offset before the change
# (+01:00), 01:30Z
$ aggr -d tz top --tz Europe/Berlin --since 2022-03-27T02:30:00 --until 2022-03-27T04:00:00
[{"Domain":"b4","NumberOfRequests":5}]

# DST ends: 01:30Z is 02:30 CET (the second 02:30); the hour before 02:00 CET
# (01:00Z) is [00:00Z, 01:00Z), 02:00-03:00 CEST
$ aggr -d tz -v top --tz Europe/Berlin --hour --at 2022-10-30T01:30:00Z
[{"Domain":"o2","NumberOfRequests":2},{"Domain":"o1","NumberOfRequests":1}]
! aggr: top: window [2022-10-30T00:00:00Z, 2022-10-30T01:00:00Z): inflated 1 of 1 block, 2 domains

$ aggr -d tz top --tz Europe/Berlin --hour --at 2022-10-30T02:30:00+01:00
[{"Domain":"o2","NumberOfRequests":2},{"Domain":"o1","NumberOfRequests":1}]

$ aggr -d tz -v top --tz Europe/Berlin --hour --at 2022-10-30T02:30:00Z
[{"Domain":"o4","NumberOfRequests":4},{"Domain":"o3","NumberOfRequests":3}]
! aggr: top: window [2022-10-30T01:00:00Z, 2022-10-30T02:00:00Z): inflated 1 of 1 block, 2 domains

$ aggr -d tz top --tz Europe/Berlin --hour --at 2022-10-30T03:00:00
[{"Domain":"o4","NumberOfRequests":4},{"Domain":"o3","NumberOfRequests":3}]

# 02:30 happens twice: the earlier, 02:30 CEST = 00:30Z: [23:00Z, 00:00Z)
$ aggr -d tz top --tz Europe/Berlin --hour --at 2022-10-30T02:30:00
[{"Domain":"o0","NumberOfRequests":7}]

# one hour on the clock, two real hours
$ aggr -d tz top --tz Europe/Berlin --since 2022-10-30T02:00:00 --until 2022-10-30T03:00:00
[{"Domain":"o4","NumberOfRequests":4},{"Domain":"o3","NumberOfRequests":3},{"Domain":"o2","NumberOfRequests":2},{"Domain":"o1","NumberOfRequests":1}]

$ aggr -d tz top --hour --at 2022-10-30T02:30:00
[{"Domain":"o4","NumberOfRequests":4},{"Domain":"o3","NumberOfRequests":3}]

$ aggr -d tz top --tz Nowhere/City --hour
! aggr: top: --tz: unknown time zone: Nowhere/City
! Try 'aggr help top'.
[2]

$ aggr -d tz top --tz America --hour
! aggr: top: --tz: unknown time zone: America
! Try 'aggr help top'.
[2]

$ aggr -d tz top --tz ../../../etc/passwd --since today
! aggr: top: --tz: unknown time zone: ../../../etc/passwd
! Try 'aggr help top'.
[2]

# --- an empty store (a data directory without the log) ---
$ mkdir empty; aggr -d empty top --hour
[]

$ aggr -d empty -v top --minute
[]
! aggr: top: window [2022-01-15T21:59:00Z, 2022-01-15T22:00:00Z): inflated 0 of 0 blocks, 0 domains

$ aggr -d empty top --since yesterday --format ndjson

$ aggr -d empty top --hour --format csv
Domain,NumberOfRequests

$ aggr -d empty top --hour --format tsv
Domain	NumberOfRequests

$ aggr -d empty top --hour --format table
Domain  NumberOfRequests

# a query writes nothing
$ ls -A empty | wc -l
0

# --- block pruning: 24 records 10 minutes apart from 10:00Z, 33 bytes a
# line, 6 to a 200-byte block: one block per hour 10..13, a<h> in minutes
# 0-20, b<h> in minutes 30-50 ---
$ for i in $(seq 0 23); do h=$((10 + i / 6)); if [ $((i % 6)) -lt 3 ]; then d=a$h; else d=b$h; fi; printf '{"timestamp":%d,"%s":1}\n' $((1642240800 + i * 600)) $d; done > p.jsonl
$ AGGR_BLOCK_BYTES=200 aggr -d prune ingest counters p.jsonl

$ aggr -d prune -v top --hour --at 2022-01-15T12:00:00Z
[{"Domain":"a11","NumberOfRequests":3},{"Domain":"b11","NumberOfRequests":3}]
! aggr: top: window [2022-01-15T11:00:00Z, 2022-01-15T12:00:00Z): inflated 1 of 4 blocks, 2 domains

$ aggr -d prune -v top --hour --at 2022-01-15T11:00:00Z
[{"Domain":"a10","NumberOfRequests":3},{"Domain":"b10","NumberOfRequests":3}]
! aggr: top: window [2022-01-15T10:00:00Z, 2022-01-15T11:00:00Z): inflated 1 of 4 blocks, 2 domains

$ aggr -d prune -v top --since 2022-01-15T10:50:00Z --until 2022-01-15T12:00:00.000001Z
[{"Domain":"a11","NumberOfRequests":3},{"Domain":"b11","NumberOfRequests":3},{"Domain":"b10","NumberOfRequests":1},{"Domain":"a12","NumberOfRequests":1}]
! aggr: top: window [2022-01-15T10:50:00Z, 2022-01-15T12:00:00.000001Z): inflated 3 of 4 blocks, 4 domains

$ aggr -d prune -v top --since 2022-01-15T11:50:00Z --until 2022-01-15T12:00:00.000001Z
[{"Domain":"b11","NumberOfRequests":1},{"Domain":"a12","NumberOfRequests":1}]
! aggr: top: window [2022-01-15T11:50:00Z, 2022-01-15T12:00:00.000001Z): inflated 2 of 4 blocks, 2 domains

$ aggr -d prune -v top --since 2022-01-15T13:20:00Z
[{"Domain":"b13","NumberOfRequests":3},{"Domain":"a13","NumberOfRequests":1}]
! aggr: top: window [2022-01-15T13:20:00Z, 2022-01-15T22:00:00Z): inflated 1 of 4 blocks, 2 domains

$ aggr -d prune -v top --minute --at 2022-01-15T14:00:00Z
[]
! aggr: top: window [2022-01-15T13:59:00Z, 2022-01-15T14:00:00Z): inflated 0 of 4 blocks, 0 domains

$ aggr -d prune -v top --since 2022-01-15T10:59:59Z --until 2022-01-15T11:00:00Z
[]
! aggr: top: window [2022-01-15T10:59:59Z, 2022-01-15T11:00:00Z): inflated 0 of 4 blocks, 0 domains

$ aggr -d prune -v top --hour --at 2022-01-15T10:00:00Z
[]
! aggr: top: window [2022-01-15T09:00:00Z, 2022-01-15T10:00:00Z): inflated 0 of 4 blocks, 0 domains

$ aggr -d prune -v top --since 2022-01-15T10:00:00Z --until 2022-01-15T14:00:00Z -n 3
[{"Domain":"a10","NumberOfRequests":3},{"Domain":"b10","NumberOfRequests":3},{"Domain":"a11","NumberOfRequests":3}]
! aggr: top: window [2022-01-15T10:00:00Z, 2022-01-15T14:00:00Z): inflated 4 of 4 blocks, 8 domains

# a late record for 10:05 in a run of its own is a fifth block; the 10:00
# hour now reads two
$ printf '%s\n' '{"timestamp":1642241100,"b10":5}' | AGGR_BLOCK_BYTES=200 aggr -d prune ingest counters

$ aggr -d prune -v top --hour --at 2022-01-15T11:00:00Z
[{"Domain":"b10","NumberOfRequests":8},{"Domain":"a10","NumberOfRequests":3}]
! aggr: top: window [2022-01-15T10:00:00Z, 2022-01-15T11:00:00Z): inflated 2 of 5 blocks, 2 domains

$ aggr -d prune -v top --hour --at 2022-01-15T12:00:00Z
[{"Domain":"a11","NumberOfRequests":3},{"Domain":"b11","NumberOfRequests":3}]
! aggr: top: window [2022-01-15T11:00:00Z, 2022-01-15T12:00:00Z): inflated 1 of 5 blocks, 2 domains

# times that overflow, fall outside years 1 to 9999, or end halfway, and
# files under zoneinfo that are not zones, are usage errors
$ aggr top --since -999999999999w
! aggr: top: --since: not a time: -999999999999w (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --hour --at=-9223372036849
! aggr: top: --at: not a time: -9223372036849 (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --hour --at '2022-01-15T22:00:00+05:'
! aggr: top: --at: not a time: 2022-01-15T22:00:00+05: (see TIME SYNTAX in aggr(1))
! Try 'aggr help top'.
[2]

$ aggr top --hour --tz zone.tab
! aggr: top: --tz: unknown time zone: zone.tab
! Try 'aggr help top'.
[2]
