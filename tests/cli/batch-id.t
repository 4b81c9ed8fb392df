# --batch-id: a cron job that retries a run stores it once, and says so
# only with -v (exit 0 and silence, so cron mails nothing).
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# A case that starts with "aggr purge" starts that log afresh.
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: big, dmg, dmg2.

$ aggr ingest flows --batch-id 2022-01-15T22 "$SEED/000-flow-aggregation/test_data1.json"

$ aggr ingest flows --batch-id 2022-01-15T22 "$SEED/000-flow-aggregation/test_data1.json"; aggr cat flows | wc -l
5

$ aggr -q ingest flows --batch-id 2022-01-15T22 "$SEED/000-flow-aggregation/test_data1.json"; cat "$AGGR_DIR/flows/batches"
2022-01-15T22 0 5

# auto: the ID is the SHA-256 of the input as read, here of the gzip bytes
# ("hash" shows the file's digest, by sha256sum, as HASH)
$ gzip -n -c "$FLOWS1" > seed.gz; printf '%s\n' "sed \"s/\$(sha256sum < seed.gz | cut -c1-64)/HASH/\"" > hash
$ aggr ingest flows --batch-id auto seed.gz; aggr -v ingest flows --batch-id auto - < seed.gz 2> err; sh hash < err; aggr cat flows | wc -l
aggr: ingest: batch sha256:HASH is already stored in flows: nothing to do
10

$ sh hash < "$AGGR_DIR/flows/batches"
2022-01-15T22 0 5
sha256:HASH 5 10

# a rejected run records no batch; the same ID then stores the good input
$ printf '{"bad":1}\n' > bad.jsonl; aggr ingest flows --batch-id retry-me bad.jsonl; r=$?; sh hash < "$AGGR_DIR/flows/batches"; exit $r
2022-01-15T22 0 5
sha256:HASH 5 10
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

# --- auto compares SHA-256, not size and CRC-32 ---
# Two 128-byte records whose CRC-32 is the same, e23e6692: the second has
# the case of some src_app letters flipped, chosen (CRC-32 is linear) so
# that the flips cancel out. Both are stored; each again stores nothing.
$ aggr purge flows; flow crcthirtytwobitsofcollisionbyflippingcase 1 1 2 forged vpc-0 > a.json; flow CrcthiRtyTWobitsOfcoLLIsIOnBYfLIPpingcase 1 1 2 forged vpc-0 > b.json
$ for f in a.json b.json; do wc -c < $f; gzip -c $f | tail -c 8 | od -An -tx1; sha256sum < $f; done; cmp -s a.json b.json || echo differ
128
|  92 66 3e e2 80 00 00 00
dc2407b86f48afce8b25406e24e920b8f397734926f6846186e6d7911005acab  -
128
|  92 66 3e e2 80 00 00 00
d6e6968021756f85f673c6939978f8f06bc3e4df74a4ebb1fa6bbd00f299922e  -
differ

$ aggr ingest flows --batch-id auto a.json && aggr ingest flows --batch-id auto b.json && aggr cat flows
{"src_app":"crcthirtytwobitsofcollisionbyflippingcase","dest_app":"forged","vpc_id":"vpc-0","hour":1,"bytes_tx":1,"bytes_rx":2}
{"src_app":"CrcthiRtyTWobitsOfcoLLIsIOnBYfLIPpingcase","dest_app":"forged","vpc_id":"vpc-0","hour":1,"bytes_tx":1,"bytes_rx":2}

$ aggr ingest flows --batch-id auto b.json; aggr ingest flows --batch-id auto < a.json; aggr cat flows | wc -l; cat "$AGGR_DIR/flows/batches"
2
sha256:dc2407b86f48afce8b25406e24e920b8f397734926f6846186e6d7911005acab 20 21
sha256:d6e6968021756f85f673c6939978f8f06bc3e4df74a4ebb1fa6bbd00f299922e 21 22

# the whole input: two FILEs hash as their bytes one after the other (a new
# run here), so one file holding those bytes is that run again
$ cat a.json b.json > ab.json; aggr ingest flows --batch-id auto a.json b.json && aggr ingest flows --batch-id auto ab.json; aggr cat flows | wc -l
4

# An ID of the older form auto-SIZE-CRC32 in the batches file is an ID like
# any other: it is kept, and auto never produces it
$ aggr purge flows; aggr ingest flows --batch-id auto-128-e23e6692 a.json && aggr ingest flows --batch-id auto b.json && aggr ingest flows --batch-id auto a.json && aggr ingest flows --batch-id auto-128-e23e6692 b.json
$ aggr cat flows | wc -l; cut -d' ' -f1 "$AGGR_DIR/flows/batches"; aggr check
3
auto-128-e23e6692
sha256:d6e6968021756f85f673c6939978f8f06bc3e4df74a4ebb1fa6bbd00f299922e
sha256:dc2407b86f48afce8b25406e24e920b8f397734926f6846186e6d7911005acab

# --- the batches file keeps the newest 10000 IDs and only a run with a
# batch ID reads it, so its size or damage never stops other writers ---
$ aggr -d big ingest flows --batch-id first "$FLOWS1" && awk 'BEGIN { for (i = 1; i <= 12000; i++) printf "id%d 0 5\n", i }' >> big/flows/batches
$ aggr -d big ingest flows --batch-id id12000 "$FLOWS1" && aggr -d big ingest flows --batch-id new "$FLOWS1" && wc -l < big/flows/batches && head -1 big/flows/batches && tail -1 big/flows/batches
10000
id2002 0 5
new 5 10

# the oldest went: a retry of id1 stores its run again
$ aggr -d big ingest flows --batch-id id1 "$SEED/000-flow-aggregation/test_data1.json" && aggr -d big cat flows | wc -l
15

# past 64 MiB: a run without an ID does not read it, one with an ID reads
# its last lines only and writes the newest 10000 back
$ yes 'x 0 5' | head -n 11700000 >> big/flows/batches && cp big/flows/batches huge && aggr -d big ingest flows "$FLOWS1" && cmp huge big/flows/batches
$ aggr -d big check && aggr -d big ingest flows --batch-id y "$FLOWS1" && wc -l < big/flows/batches && tail -1 big/flows/batches
10000
y 20 25

$ yes 'x 0 5' | head -n 11700000 >> big/flows/batches && aggr -d big check --repair && aggr -d big purge flows && ls big/flows
LOCK
MANIFEST

# a damaged line: only a run with a batch ID meets it, and check names it;
# purge works and check --repair drops the line
$ aggr -d dmg ingest flows --batch-id a "$FLOWS1" && echo 'not a line' >> dmg/flows/batches
$ aggr -d dmg ingest flows "$FLOWS1" && aggr -d dmg ingest flows --batch-id b "$FLOWS1"; echo $?; aggr -d dmg check; echo $?; aggr -d dmg cat flows | wc -l
8
8
10
! aggr: ingest: flows/batches: bad line: not a line (aggr check --repair drops it)
! aggr: check: flows/batches: bad line: not a line (aggr check --repair drops it)

$ cp -a dmg dmg2 && aggr -d dmg2 purge flows && aggr -d dmg2 check && ls dmg2/flows
LOCK
MANIFEST

$ aggr -d dmg check --repair && cat dmg/flows/batches
a 0 5
! aggr: check: flows/batches: dropped 1 damaged line
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# ... the repaired store (the case above) takes runs again
$ aggr -d dmg ingest flows --batch-id b "$FLOWS1" && aggr -d dmg ingest flows --batch-id a "$FLOWS1" && aggr -d dmg cat flows | wc -l && aggr -d dmg check
15

# a batch ID written by a run that did not commit (kill -9 after the batches
# file, before the commit point) is cut off by the next writer: the ID is free
$ echo 'z 15 20' >> dmg/flows/batches && aggr -d dmg ingest flows "$FLOWS1" && aggr -d dmg ingest flows --batch-id z "$FLOWS1" && aggr -d dmg cat flows | wc -l && cat dmg/flows/batches
25
a 0 5
b 10 15
z 20 25
