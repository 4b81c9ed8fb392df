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

# --- the batches file keeps the newest 10000 IDs and only a run with a
# batch ID reads it, so its size or damage never stops other writers ---
$ F="$SEED/000-flow-aggregation/test_data1.json"; aggr -d big ingest flows --batch-id first "$F" && awk 'BEGIN { for (i = 1; i <= 12000; i++) printf "id%d 0 5\n", i }' >> big/flows/batches && aggr -d big ingest flows --batch-id id12000 "$F" && aggr -d big ingest flows --batch-id new "$F" && wc -l < big/flows/batches && head -1 big/flows/batches && tail -1 big/flows/batches
10000
id2002 0 5
new 5 10
! aggr: ingest: batch id12000 is already stored in flows: nothing to do

# the oldest went: a retry of id1 stores its run again
$ aggr -d big ingest flows --batch-id id1 "$SEED/000-flow-aggregation/test_data1.json" && aggr -d big cat flows | wc -l
15

# past 64 MiB: a run without an ID does not read it, one with an ID reads
# its last lines only and writes the newest 10000 back
$ F="$SEED/000-flow-aggregation/test_data1.json"; yes 'x 0 5' | head -n 11700000 >> big/flows/batches && cp big/flows/batches huge && aggr -d big ingest flows "$F" && cmp huge big/flows/batches && aggr -d big check && aggr -d big ingest flows --batch-id y "$F" && wc -l < big/flows/batches && tail -1 big/flows/batches
10000
y 20 25

$ yes 'x 0 5' | head -n 11700000 >> big/flows/batches && aggr -d big check --repair && aggr -d big purge flows && ls big/flows
LOCK
MANIFEST

# a damaged line: only a run with a batch ID meets it, and check names it;
# purge works and check --repair drops the line
$ F="$SEED/000-flow-aggregation/test_data1.json"; aggr -d dmg ingest flows --batch-id a "$F" && echo 'not a line' >> dmg/flows/batches && aggr -d dmg ingest flows "$F" && aggr -d dmg ingest flows --batch-id b "$F"; echo $?; aggr -d dmg check; echo $?; aggr -d dmg cat flows | wc -l
8
8
10
! aggr: ingest: flows/batches: bad line: not a line (aggr check --repair drops it)
! aggr: check: flows/batches: bad line: not a line (aggr check --repair drops it)

$ cp -a dmg dmg2 && aggr -d dmg2 purge flows && aggr -d dmg2 check && ls dmg2/flows
LOCK
MANIFEST

$ F="$SEED/000-flow-aggregation/test_data1.json"; aggr -d dmg check --repair && cat dmg/flows/batches && aggr -d dmg ingest flows --batch-id b "$F" && aggr -d dmg ingest flows --batch-id a "$F" && aggr -d dmg cat flows | wc -l && aggr -d dmg check
a 0 5
15
! aggr: check: flows/batches: dropped 1 damaged line
! aggr: check: flows: the files replaced or set aside are kept in flows/lost
! aggr: ingest: batch a is already stored in flows: nothing to do

# a batch ID written by a run that did not commit (kill -9 after the batches
# file, before the commit point) is cut off by the next writer: the ID is free
$ F="$SEED/000-flow-aggregation/test_data1.json"; echo 'z 15 20' >> dmg/flows/batches && aggr -d dmg ingest flows "$F" && aggr -d dmg ingest flows --batch-id z "$F" && aggr -d dmg cat flows | wc -l && cat dmg/flows/batches
25
a 0 5
b 10 15
z 20 25
