# The flow-aggregation service's own cases, on its seed data.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

$ aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json"

$ aggr flows --hour 1
{"items":[{"src_app":"baz","dest_app":"qux","vpc_id":"vpc-0","hour":1,"bytes_rx":500,"bytes_tx":100},{"src_app":"foo","dest_app":"bar","vpc_id":"vpc-0","hour":1,"bytes_rx":900,"bytes_tx":300}],"total":2,"page":1,"size":50}

$ aggr flows --hour 2
{"items":[{"src_app":"baz","dest_app":"qux","vpc_id":"vpc-0","hour":2,"bytes_rx":500,"bytes_tx":100},{"src_app":"baz","dest_app":"qux","vpc_id":"vpc-1","hour":2,"bytes_rx":500,"bytes_tx":100}],"total":2,"page":1,"size":50}

$ aggr flows --hour 3
{"items":[],"total":0,"page":1,"size":50}

$ aggr flows --hour five
! aggr: flows: --hour: not an integer: five
! Try 'aggr help flows'.
[2]

$ aggr flows
! aggr: flows: --hour is required
! Try 'aggr help flows'.
[2]

# a batch over the limit stores nothing
$ aggr ingest flows --max-batch 4 "$SEED/000-flow-aggregation/test_data1.json"
! aggr: ingest: too many flow objects are being registered: more than 4 in one run (--max-batch)
[7]

$ aggr cat flows | wc -l
5
