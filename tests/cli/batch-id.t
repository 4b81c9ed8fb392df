# --batch-id: a cron job that retries a run stores it once.
$ aggr ingest flows --batch-id 2022-01-15T22 "$SEED/000-flow-aggregation/test_data1.json"

$ aggr ingest flows --batch-id 2022-01-15T22 "$SEED/000-flow-aggregation/test_data1.json"; aggr cat flows | wc -l
5
! aggr: ingest: batch 2022-01-15T22 is already stored in flows: nothing to do

$ aggr -q ingest flows --batch-id 2022-01-15T22 "$SEED/000-flow-aggregation/test_data1.json"; cat "$AGGR_DIR/flows/batches"
2022-01-15T22 0 5

# auto: the ID is the SHA-256 of the input as read, here of the gzip bytes
# ("hash" shows the file's digest, by sha256sum, as HASH)
$ gzip -n -c "$SEED/000-flow-aggregation/test_data1.json" > seed.gz; printf '%s\n' "sed \"s/\$(sha256sum < seed.gz | cut -c1-64)/HASH/\"" > hash; aggr ingest flows --batch-id auto seed.gz; aggr ingest flows --batch-id auto - < seed.gz 2> err; sh hash < err; aggr cat flows | wc -l
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
$ aggr purge flows; printf '{"src_app":"crcthirtytwobitsofcollisionbyflippingcase","dest_app":"forged","vpc_id":"vpc-0","hour":1,"bytes_tx":1,"bytes_rx":2}\n' > a.json; printf '{"src_app":"CrcthiRtyTWobitsOfcoLLIsIOnBYfLIPpingcase","dest_app":"forged","vpc_id":"vpc-0","hour":1,"bytes_tx":1,"bytes_rx":2}\n' > b.json; for f in a.json b.json; do wc -c < $f; gzip -c $f | tail -c 8 | od -An -tx1; sha256sum < $f; done; cmp -s a.json b.json || echo differ
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
! aggr: ingest: batch sha256:d6e6968021756f85f673c6939978f8f06bc3e4df74a4ebb1fa6bbd00f299922e is already stored in flows: nothing to do
! aggr: ingest: batch sha256:dc2407b86f48afce8b25406e24e920b8f397734926f6846186e6d7911005acab is already stored in flows: nothing to do

# the whole input: two FILEs hash as their bytes one after the other (a new
# run here), so one file holding those bytes is that run again
$ cat a.json b.json > ab.json; aggr ingest flows --batch-id auto a.json b.json && aggr ingest flows --batch-id auto ab.json; aggr cat flows | wc -l
4
! aggr: ingest: batch sha256:5a4bf7fa1a6db12c98b70725602a10763a8fe5520d928e24e06493d8f829eb46 is already stored in flows: nothing to do

# An ID of the older form auto-SIZE-CRC32 in the batches file is an ID like
# any other: it is kept, and auto never produces it
$ aggr purge flows; aggr ingest flows --batch-id auto-128-e23e6692 a.json && aggr ingest flows --batch-id auto b.json && aggr ingest flows --batch-id auto a.json && aggr ingest flows --batch-id auto-128-e23e6692 b.json; aggr cat flows | wc -l; cut -d' ' -f1 "$AGGR_DIR/flows/batches"; aggr check
3
auto-128-e23e6692
sha256:d6e6968021756f85f673c6939978f8f06bc3e4df74a4ebb1fa6bbd00f299922e
sha256:dc2407b86f48afce8b25406e24e920b8f397734926f6846186e6d7911005acab
! aggr: ingest: batch auto-128-e23e6692 is already stored in flows: nothing to do
