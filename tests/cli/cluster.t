# ingest flows clusters a run's records by hour (aggr-format(5), "Clustered
# blocks"): inside an hour arrival order, small closed hours share a mixed
# block, hours in order of their first record at commit.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: d0, d1, d9.

$ printf '%s\n' '{"src_app":"a","dest_app":"b","vpc_id":"v","hour":9,"bytes_tx":1,"bytes_rx":1}' '{"src_app":"c","dest_app":"b","vpc_id":"v","hour":7,"bytes_tx":2,"bytes_rx":2}' '{"src_app":"d","dest_app":"b","vpc_id":"v","hour":9,"bytes_tx":3,"bytes_rx":3}' '{"src_app":"e","dest_app":"b","vpc_id":"v","hour":7,"bytes_tx":4,"bytes_rx":4}' '{"src_app":"f","dest_app":"b","vpc_id":"v","hour":8,"bytes_tx":5,"bytes_rx":5}' > f.jsonl && aggr ingest flows f.jsonl && aggr cat flows
{"src_app":"a","dest_app":"b","vpc_id":"v","hour":9,"bytes_tx":1,"bytes_rx":1}
{"src_app":"d","dest_app":"b","vpc_id":"v","hour":9,"bytes_tx":3,"bytes_rx":3}
{"src_app":"c","dest_app":"b","vpc_id":"v","hour":7,"bytes_tx":2,"bytes_rx":2}
{"src_app":"e","dest_app":"b","vpc_id":"v","hour":7,"bytes_tx":4,"bytes_rx":4}
{"src_app":"f","dest_app":"b","vpc_id":"v","hour":8,"bytes_tx":5,"bytes_rx":5}

# AGGR_CLUSTER=0: arrival order
$ AGGR_CLUSTER=0 aggr -d d0 ingest flows f.jsonl && aggr -d d0 cat flows | cmp - f.jsonl && echo same
same

# one open block: each new hour closes the last one
$ AGGR_CLUSTER=1 aggr -d d1 ingest flows f.jsonl && aggr -d d1 cat flows | cut -c1-16
{"src_app":"a","
{"src_app":"c","
{"src_app":"d","
{"src_app":"e","
{"src_app":"f","

$ AGGR_CLUSTER=9 aggr -d d9 ingest flows f.jsonl
! aggr: ingest: AGGR_CLUSTER: not a number of open blocks 0-8: 9
[2]

$ aggr flows --hour 7 --format ndjson
{"src_app":"c","dest_app":"b","vpc_id":"v","hour":7,"bytes_rx":2,"bytes_tx":2}
{"src_app":"e","dest_app":"b","vpc_id":"v","hour":7,"bytes_rx":4,"bytes_tx":4}
