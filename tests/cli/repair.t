# check --repair rebuilds lost or damaged index files from the blocks.
# Three runs of five records with tiny blocks and segments: two segments.
$ for i in 1 2 3; do AGGR_BLOCK_BYTES=300 AGGR_SEGMENT_BYTES=600 aggr ingest flows "$SAMPLES/flows.json"; done; ls "$AGGR_DIR/flows"
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000010.idx
00000000000000000010.jsonl.gz.open
LOCK
MANIFEST

$ aggr cat flows | md5sum > before.md5; aggr -v check
! aggr: check: flows: ok: 2 segments, 6 blocks, 15 records

# a lost index of the active segment
$ rm "$AGGR_DIR/flows/00000000000000000010.idx"; aggr check
! aggr: check: flows/00000000000000000010.idx: missing, but listed in the MANIFEST (aggr check --repair rebuilds a lost index)
[8]

$ aggr cat flows
! aggr: cat: flows/00000000000000000010.idx: missing, but listed in the MANIFEST (aggr check --repair rebuilds a lost index)
[8]

$ aggr check --repair
! aggr: check: flows/00000000000000000010.idx: rebuilt the index from 2 good blocks

$ aggr cat flows | md5sum -c before.md5 && aggr -v check
-: OK
! aggr: check: flows: ok: 2 segments, 6 blocks, 15 records

# a damaged entry in a sealed segment's index
$ printf 'garbage' | dd of="$AGGR_DIR/flows/00000000000000000000.idx" bs=1 seek=70 conv=notrunc 2>/dev/null; aggr check
! aggr: check: flows/00000000000000000000.idx: offset 64: damaged or uncommitted index entry
[8]

$ aggr check --repair flows && aggr cat flows | md5sum -c before.md5
-: OK
! aggr: check: flows/00000000000000000000.idx: rebuilt the index from 4 good blocks

$ aggr check
