# ingest counters clusters a run's records by UTC hour of their timestamp
# (aggr-format(5), "Clustered blocks"): inside an hour arrival order.
# Times: 1700042400 is 2023-11-15T10:00:00Z, 1700046000 11:00.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: d0, dk, dk0, dr.

# 11:10, 10:50 (late), 11:20, 10:55 (late): hour 11 came first
$ printf '%s\n' '{"timestamp":1700046600,"a":1}' '{"timestamp":1700045400,"b":2}' '{"timestamp":1700047200,"c":3}' '{"timestamp":1700045700,"d":4}' > c.jsonl
$ aggr ingest counters c.jsonl && aggr cat counters
{"timestamp":1700046600,"a":1}
{"timestamp":1700047200,"c":3}
{"timestamp":1700045400,"b":2}
{"timestamp":1700045700,"d":4}

$ AGGR_CLUSTER=0 aggr -d d0 ingest counters c.jsonl && aggr -d d0 cat counters | cmp - c.jsonl && echo same
same

# a minute and an hour window lie in one UTC hour: the same answers
$ aggr top --hour --at 2023-11-15T11:00:00Z && aggr -d d0 top --hour --at 2023-11-15T11:00:00Z
[{"Domain":"d","NumberOfRequests":4},{"Domain":"b","NumberOfRequests":2}]
[{"Domain":"d","NumberOfRequests":4},{"Domain":"b","NumberOfRequests":2}]

# an hour closed while it held less than a quarter block waits in the mixed
# block; when it opens again and fills a block, the mixed block is written
# first, so the hour keeps its arrival order (one open block, 160 bytes)
$ for m in 1; do printf '{"timestamp":1700042400,"a%s":1}\n' $m; done > r.jsonl
$ printf '{"timestamp":1700046000,"b1":1}\n' >> r.jsonl
$ for m in 2 3 4 5 6 7 8; do printf '{"timestamp":1700042400,"a%s":1}\n' $m; done >> r.jsonl
$ AGGR_CLUSTER=1 AGGR_BLOCK_BYTES=160 aggr -d dr ingest counters r.jsonl && aggr -d dr cat counters | cmp - r.jsonl && echo same
same

$ aggr -d dr -v top --hour --at 2023-11-15T11:00:00Z -n 2
| [{"Domain":"a1","NumberOfRequests":1},{"Domain":"a2","NumberOfRequests":1}]
! aggr: top: window [2023-11-15T10:00:00Z, 2023-11-15T11:00:00Z): inflated 3 of 3 blocks, 8 domains

# Windows across UTC hours are ordered by log order, which is not arrival
# order across hours: in Asia/Kolkata (+05:30) the hour 16:00-17:00 is
# 10:30-11:30 UTC. X (10:50) arrives before Y (11:10), but hour 11's full
# block (Y and a Z) is written before hour 10's at the commit.
$ printf '%s\n' '{"timestamp":1700045400,"X":1}' '{"timestamp":1700046600,"Y":1}' '{"timestamp":1700048400,"Z":1}' '{"timestamp":1700048400,"Z":1}' '{"timestamp":1700048400,"Z":1}' > k.jsonl
$ AGGR_BLOCK_BYTES=64 aggr -d dk ingest counters k.jsonl && aggr -d dk cat counters
{"timestamp":1700046600,"Y":1}
{"timestamp":1700048400,"Z":1}
{"timestamp":1700045400,"X":1}
{"timestamp":1700048400,"Z":1}
{"timestamp":1700048400,"Z":1}

$ aggr -d dk top --hour --tz Asia/Kolkata --at 2023-11-15T17:00:00+05:30
[{"Domain":"Y","NumberOfRequests":1},{"Domain":"X","NumberOfRequests":1}]

$ AGGR_CLUSTER=0 AGGR_BLOCK_BYTES=64 aggr -d dk0 ingest counters k.jsonl && aggr -d dk0 top --hour --tz Asia/Kolkata --at 2023-11-15T17:00:00+05:30
[{"Domain":"X","NumberOfRequests":1},{"Domain":"Y","NumberOfRequests":1}]

# UTC hours give the same answers either way
$ aggr -d dk top --hour --at 2023-11-15T12:00:00Z && aggr -d dk0 top --hour --at 2023-11-15T12:00:00Z
[{"Domain":"Z","NumberOfRequests":3},{"Domain":"Y","NumberOfRequests":1}]
[{"Domain":"Z","NumberOfRequests":3},{"Domain":"Y","NumberOfRequests":1}]

# a rejected run that had written full blocks of an hour leaves nothing
$ aggr -d dk cat counters > before && (cat k.jsonl; echo '{"timestamp":"x"}') | AGGR_BLOCK_BYTES=64 aggr -d dk ingest counters
! aggr: ingest: <stdin>:6: timestamp: not a number of seconds: "x"
[3]

$ aggr -d dk cat counters | cmp - before && aggr -d dk check && aggr -d dk info counters --format csv | cut -d, -f4,5
blocks,records
3,5
