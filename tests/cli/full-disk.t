# A file size limit (ulimit -f, in KiB) stands in for a full disk: the
# write fails, the command says so with exit 1, and the store is exactly
# as it was.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

$ aggr ingest flows "$FLOWS1"; for i in $(seq 1 20000); do flow s$i 3; done > big.jsonl; find "$AGGR_DIR" -type f ! -name LOCK | sort | xargs md5sum > before

$ (ulimit -f 40; AGGR_BLOCK_BYTES=4096 aggr ingest flows big.jsonl)
! aggr: ingest: cannot write flows/00000000000000000000.jsonl.gz.open: File too large
[1]

$ find "$AGGR_DIR" -type f ! -name LOCK | sort | xargs md5sum | cmp - before && aggr check && aggr cat flows | wc -l
5

# a new segment that cannot be written leaves no file behind
$ (ulimit -f 40; AGGR_BLOCK_BYTES=4096 AGGR_SEGMENT_BYTES=1 aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json"); ls "$AGGR_DIR/flows" | wc -l
4

$ (ulimit -f 40; AGGR_BLOCK_BYTES=4096 aggr ingest flows big.jsonl)
! aggr: ingest: cannot write flows/00000000000000000010.jsonl.gz.open: File too large
[1]

$ ls "$AGGR_DIR/flows"; aggr check && aggr cat flows | wc -l
00000000000000000000.idx
00000000000000000000.jsonl.gz
LOCK
MANIFEST
10
