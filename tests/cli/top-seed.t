# The domain-counter service's own cases on its seed data (records in key
# order; timestamps are UTC 2022-01-15 22:00, 21:58, 21:59, 22:01).
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

$ jq -c '.[]' "$SEED/001-domain-counter/db.json" | aggr ingest counters

$ AGGR_NOW=2022-01-15T22:00:00Z aggr top --hour
[{"Domain":"D","NumberOfRequests":95},{"Domain":"O","NumberOfRequests":67},{"Domain":"B","NumberOfRequests":45},{"Domain":"G","NumberOfRequests":6},{"Domain":"k","NumberOfRequests":4},{"Domain":"H","NumberOfRequests":3},{"Domain":"C","NumberOfRequests":3},{"Domain":"A","NumberOfRequests":3}]

$ AGGR_NOW=2022-01-15T21:59:00Z aggr top --minute
[{"Domain":"G","NumberOfRequests":6},{"Domain":"k","NumberOfRequests":4},{"Domain":"H","NumberOfRequests":3},{"Domain":"C","NumberOfRequests":3}]

# one day later the same hour and minute hold nothing (the original compared
# only the time of day)
$ AGGR_NOW=2022-01-16T22:00:00Z aggr top --hour
[]

$ AGGR_NOW=2022-01-16T21:59:00Z aggr top --minute
[]

# --at instead of AGGR_NOW; -n
$ aggr top --hour --at 2022-01-15T22:00:00Z -n 3
[{"Domain":"D","NumberOfRequests":95},{"Domain":"O","NumberOfRequests":67},{"Domain":"B","NumberOfRequests":45}]

$ aggr top --hour --at 2022-01-15T22:59:59.999Z -n 2 --format table
Domain  NumberOfRequests
D                     95
O                     67

$ aggr -v top --minute --at 2022-01-15T22:02:00Z
[{"Domain":"D","NumberOfRequests":87},{"Domain":"I","NumberOfRequests":56},{"Domain":"V","NumberOfRequests":14},{"Domain":"R","NumberOfRequests":2}]
! aggr: top: window [2022-01-15T22:01:00Z, 2022-01-15T22:02:00Z): inflated 1 of 1 block, 4 domains

# --until alone starts at the first record
$ aggr top --until 2022-01-15T22:00:00Z -n 3
[{"Domain":"D","NumberOfRequests":95},{"Domain":"O","NumberOfRequests":67},{"Domain":"B","NumberOfRequests":45}]

$ aggr top --until 2022-01-15T22:00:00.001Z -n 3
[{"Domain":"D","NumberOfRequests":95},{"Domain":"B","NumberOfRequests":90},{"Domain":"O","NumberOfRequests":67}]

$ aggr -v top --until 2022-01-15T22:00:00Z -n 1
[{"Domain":"D","NumberOfRequests":95}]
! aggr: top: window [-inf, 2022-01-15T22:00:00Z): inflated 1 of 1 block, 8 domains
