# aggr info: retention, live and expired records, batch IDs, bytes on disk, the total row
# (the expired run is deleted by the retain --set; the case at the end
# counts expired records of blocks not yet deleted)
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: exp.

$ AGGR_NOW=2021-11-01T00:00:00Z AGGR_SEGMENT_BYTES=1 aggr ingest counters --batch-id one <<< '{"timestamp":1642284000,"a.com":1}' && aggr retain counters --set 30d && printf '{"timestamp":1642284000,"a.com":%d}\n' 2 3 | aggr ingest counters --batch-id auto && aggr ingest flows "$FLOWS1"

$ aggr info --format ndjson | jq -c '[.log, .kind, .records, .retention_seconds, .live_records, .expired_records, .batch_ids, (.disk_bytes > 0)]'
| ["counters","counters",2,2592000,2,0,1,true]
| ["flows","flows",5,null,5,0,0,true]
| ["total",null,7,null,7,0,1,true]

# disk_bytes is what the files hold; the total sums the logs
$ set -o pipefail; aggr info counters | jq '.[0].disk_bytes' | cmp - <(find data/counters -type f -printf '%s\n' | awk '{s+=$1} END {print s}') && echo same
same

$ set -o pipefail; aggr info | jq '(.[0].disk_bytes + .[1].disk_bytes) == .[2].disk_bytes'
true

# a single log: no total row
$ set -o pipefail; aggr info flows | jq length
1

$ set -o pipefail; aggr info --format table | tail -1 | awk '{print $1, $2, $3}'
total 2 2

# expired, not yet deleted: run A (2 records) is 35 days old under a 30d
# retention, run B (1 record) 16 days; info only reads, so A is counted as
# expired; a size kept by --set-max-bytes is shown too
$ mkdir exp && export AGGR_SEGMENT_BYTES=1 && printf '{"timestamp":1642284000,"a.com":%d}\n' 1 2 | AGGR_NOW=2021-01-01T00:00:00Z aggr -d exp ingest counters && AGGR_NOW=2021-01-01T00:00:00Z aggr -d exp retain counters --set 30d --set-max-bytes 1M && AGGR_NOW=2021-01-20T00:00:00Z aggr -d exp ingest counters <<< '{"timestamp":1642284000,"a.com":3}' && AGGR_NOW=2021-02-05T00:00:00Z aggr -d exp info --format ndjson | jq -c '[.log, .records, .retention_seconds, .retention_bytes, .live_records, .expired_records]'
| ["counters",3,2592000,1048576,1,2]
| ["total",3,null,null,1,2]
