# check --repair rebuilds lost or damaged index files from the blocks.
# Three runs of five records with tiny blocks and segments: two segments.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: a, ab, k, t.

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
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

$ aggr check

# --- issue 12 item 5: repair never makes an uncommitted run visible ---
# Run B's blocks written without its index entries (as a killed ingest
# leaves them): data of the log after A and B, index of the log after A.
$ flow_files a b c; AGGR_BLOCK_BYTES=200 aggr -d a ingest flows a.json && cp -a a ab && AGGR_BLOCK_BYTES=200 aggr -d ab ingest flows --batch-id B b.json && rm -rf k && cp -a a k && cp ab/flows/00000000000000000000.jsonl.gz.open ab/flows/batches k/flows/
$ aggr -d k cat flows | wc -l
5

$ rm k/flows/00000000000000000000.idx; aggr -d k check --repair; aggr -d k cat flows | cut -d'"' -f4 | uniq -c; cat k/flows/batches
      5 ra
! aggr: check: flows/00000000000000000000.jsonl.gz.open: bytes 456-911: no commit proves them: set aside offsets 5-9 (5 records)
! aggr: check: flows/00000000000000000000.jsonl.gz.open: kept 3 good blocks in flows/00000000000000000000-1.jsonl.gz.open
! aggr: check: flows/batches: dropped 1 line of runs set aside or never committed
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# its batch ID went with it, so a retry stores the run
$ AGGR_BLOCK_BYTES=200 aggr -d k ingest flows --batch-id B b.json && aggr -d k cat flows | cut -d'"' -f4 | uniq -c && aggr -d k check
      5 ra
      5 rb

# A damaged but readable active index: runs A, B, C; the entry of run B's
# first block damaged. check says a committed run hides behind it; repair
# keeps run A (its own COMMIT entry, and the MANIFEST, prove it) and sets
# aside B and C, which only the damaged index could prove.
$ rm -rf t && for r in a b c; do AGGR_BLOCK_BYTES=200 aggr -d t ingest flows $r.json; done && printf X | dd of=t/flows/00000000000000000000.idx bs=1 seek=$((64 + 64 * 3 + 20)) conv=notrunc 2>/dev/null
$ aggr -d t cat flows | wc -l; aggr -d t check
5
! aggr: check: flows/00000000000000000000.idx: offset 256: damaged index entry before committed ones
[8]

$ aggr -d t check --repair && aggr -d t cat flows | cut -d'"' -f4 | uniq -c && aggr -d t check
      5 ra
! aggr: check: flows/00000000000000000000.jsonl.gz.open: bytes 456-1366: no commit proves them: set aside offsets 5-14 (10 records)
! aggr: check: flows/00000000000000000000.jsonl.gz.open: kept 3 good blocks in flows/00000000000000000000-1.jsonl.gz.open
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# the COMMIT entry of the only run damaged: the MANIFEST proves the run
$ rm -rf t && AGGR_BLOCK_BYTES=200 aggr -d t ingest flows a.json && printf X | dd of=t/flows/00000000000000000000.idx bs=1 seek=$((64 + 64 * 2 + 20)) conv=notrunc 2>/dev/null
$ aggr -d t check; echo $?; aggr -d t check --repair && aggr -d t cat flows | wc -l && aggr -d t check
8
5
! aggr: check: flows/00000000000000000000.idx: offset 64: index ends at offset 0, before 5 which the MANIFEST says is committed
! aggr: check: flows/00000000000000000000.idx: rebuilt the index from 3 good blocks
! aggr: check: flows: the files replaced or set aside are kept in flows/lost
