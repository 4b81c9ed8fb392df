# --batch-id: a cron job that retries a run stores it once.
$ aggr ingest flows --batch-id 2022-01-15T22 "$SEED/000-flow-aggregation/test_data1.json"

$ aggr ingest flows --batch-id 2022-01-15T22 "$SEED/000-flow-aggregation/test_data1.json"; aggr cat flows | wc -l
5
! aggr: ingest: batch 2022-01-15T22 is already stored in flows: nothing to do

$ aggr -q ingest flows --batch-id 2022-01-15T22 "$SEED/000-flow-aggregation/test_data1.json"; cat "$AGGR_DIR/flows/batches"
2022-01-15T22 0 5

# auto: the ID is the input's size and CRC-32, here of the gzip bytes
$ gzip -n -c "$SEED/000-flow-aggregation/test_data1.json" > seed.gz; aggr ingest flows --batch-id auto seed.gz; aggr ingest flows --batch-id auto - < seed.gz; aggr cat flows | wc -l
10
! aggr: ingest: batch auto-127-f927bf8e is already stored in flows: nothing to do

$ cat "$AGGR_DIR/flows/batches"
2022-01-15T22 0 5
auto-127-f927bf8e 5 10

# a rejected run records no batch; the same ID then stores the good input
$ printf '{"bad":1}\n' > bad.jsonl; aggr ingest flows --batch-id retry-me bad.jsonl; r=$?; cat "$AGGR_DIR/flows/batches"; exit $r
2022-01-15T22 0 5
auto-127-f927bf8e 5 10
! aggr: ingest: bad.jsonl:1: unknown field "bad"
[3]

$ aggr ingest flows --batch-id retry-me "$SEED/000-flow-aggregation/test_data1.json" && aggr cat flows | wc -l
15

$ aggr ingest flows --batch-id 'has space' /dev/null
! aggr: ingest: --batch-id: not 1 to 200 printable characters without spaces: has space
! Try 'aggr help ingest'.
[2]

# purge forgets the batches with the records
$ aggr purge flows; ls "$AGGR_DIR/flows"; aggr ingest flows --batch-id retry-me "$SEED/000-flow-aggregation/test_data1.json" && aggr cat flows | wc -l
LOCK
MANIFEST
5
