# check --repair salvages a segment with a damaged block: the block is set
# aside, every other committed record stays, and the report gives the byte
# range, the offsets and the record count lost (issue 12 item 11).
# Run A fills sealed segment 0 with three blocks (records 0-1, 2-3, 4: bytes
# 0-153, 154-310, 311-455, then the seal); run B is the active segment 5.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# "./lib.sh" holds this file's own helpers, written by an early case.
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: good.

$ flow_files a b; AGGR_SEAL_AGE=0 AGGR_BLOCK_BYTES=200 aggr -d good ingest flows a.json && AGGR_BLOCK_BYTES=200 aggr -d good ingest flows b.json
$ ls good/flows && od -An -tu4 -w64 good/flows/00000000000000000000.idx | awk 'NR > 1 { print $1, $3, $5 }'
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000005.idx
00000000000000000005.jsonl.gz.open
LOCK
MANIFEST
0 154 0
154 157 2
311 145 4

# flip one bit at byte $2 of segment $1 of a fresh copy
$ printf 'flip() { rm -rf "$AGGR_DIR"; cp -a good "$AGGR_DIR"; f="$AGGR_DIR/flows/$1.jsonl.gz"; [ -e "$f" ] || f="$f.open"; b=$(od -An -tu1 -j$2 -N1 "$f"); printf "\\\\$(printf %%o $(( b ^ 1 )))" | dd of="$f" bs=1 seek=$2 conv=notrunc 2>/dev/null; }\nrecs() { aggr cat flows | jq -r ".src_app + \\"/\\" + .dest_app" | paste -sd" "; }\n' > lib.sh; . ./lib.sh; flip 00000000000000000000 0; cmp -s good/flows/00000000000000000000.jsonl.gz "$AGGR_DIR/flows/00000000000000000000.jsonl.gz" || echo flipped
flipped

# --- the first block (deflate data) ---
$ . ./lib.sh; flip 00000000000000000000 100; aggr check; echo $?; recs
8
|
! aggr: check: flows/00000000000000000000.jsonl.gz: offset 0: data CRC mismatch
! aggr: cat: flows/00000000000000000000.jsonl.gz: offset 0: data CRC mismatch

$ . ./lib.sh; aggr check --repair && recs && aggr check
ra/d3 ra/d4 ra/d5 rb/d1 rb/d2 rb/d3 rb/d4 rb/d5
! aggr: check: flows/00000000000000000000.jsonl.gz: bytes 0-153: damaged: set aside offsets 0-1 (2 records)
! aggr: check: flows/00000000000000000000.jsonl.gz: kept 2 good blocks in flows/00000000000000000000-1.jsonl.gz
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# the salvaged segment is a valid one: the next run, offsets and zcat agree
$ . ./lib.sh; aggr ingest flows a.json && aggr check && aggr info flows --format ndjson | jq -c '{segments, records, first_offset, next_offset}' && zcat "$AGGR_DIR"/flows/*.jsonl.gz* | wc -l && ls "$AGGR_DIR/flows/lost"
{"segments":2,"records":13,"first_offset":0,"next_offset":15}
13
00000000000000000000.idx
00000000000000000000.jsonl.gz

# --- the middle block ---
$ . ./lib.sh; flip 00000000000000000000 230; aggr check --repair && recs && aggr check
ra/d1 ra/d2 ra/d5 rb/d1 rb/d2 rb/d3 rb/d4 rb/d5
! aggr: check: flows/00000000000000000000.jsonl.gz: bytes 154-310: damaged: set aside offsets 2-3 (2 records)
! aggr: check: flows/00000000000000000000.jsonl.gz: kept 2 good blocks in flows/00000000000000000000-1.jsonl.gz
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# --- the last block (its header) ---
$ . ./lib.sh; flip 00000000000000000000 350; aggr check; echo $?; aggr check --repair && recs && aggr check
8
ra/d1 ra/d2 ra/d3 ra/d4 rb/d1 rb/d2 rb/d3 rb/d4 rb/d5
! aggr: check: flows/00000000000000000000.jsonl.gz: offset 311: block header CRC mismatch
! aggr: check: flows/00000000000000000000.jsonl.gz: bytes 311-455: damaged: set aside offset 4 (1 record)
! aggr: check: flows/00000000000000000000.jsonl.gz: kept 2 good blocks in flows/00000000000000000000-1.jsonl.gz
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# --- a damaged header with the index lost too: repair finds the next block ---
$ . ./lib.sh; flip 00000000000000000000 176; rm "$AGGR_DIR/flows/00000000000000000000.idx"; aggr check --repair && recs && aggr check
ra/d1 ra/d2 ra/d5 rb/d1 rb/d2 rb/d3 rb/d4 rb/d5
! aggr: check: flows/00000000000000000000.jsonl.gz: bytes 154-310: damaged: set aside offsets 2-3 (2 records)
! aggr: check: flows/00000000000000000000.jsonl.gz: kept 2 good blocks in flows/00000000000000000000-1.jsonl.gz
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# --- the seal block ---
$ . ./lib.sh; flip 00000000000000000000 464; aggr check --repair && recs && aggr check
ra/d1 ra/d2 ra/d3 ra/d4 ra/d5 rb/d1 rb/d2 rb/d3 rb/d4 rb/d5
! aggr: check: flows/00000000000000000000.jsonl.gz: bytes 456-533: after the last block of a sealed segment: set aside (no records)
! aggr: check: flows/00000000000000000000.jsonl.gz: kept 3 good blocks in flows/00000000000000000000-1.jsonl.gz
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# --- the active segment's middle block ---
$ . ./lib.sh; flip 00000000000000000005 230; aggr check --repair && recs && aggr check
ra/d1 ra/d2 ra/d3 ra/d4 ra/d5 rb/d1 rb/d2 rb/d5
! aggr: check: flows/00000000000000000005.jsonl.gz.open: bytes 154-310: damaged: set aside offsets 7-8 (2 records)
! aggr: check: flows/00000000000000000005.jsonl.gz.open: kept 2 good blocks in flows/00000000000000000005-1.jsonl.gz.open
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

$ . ./lib.sh; aggr ingest flows a.json && aggr check && recs
ra/d1 ra/d2 ra/d3 ra/d4 ra/d5 rb/d1 rb/d2 rb/d5 ra/d1 ra/d2 ra/d3 ra/d4 ra/d5

# --- every block of the active segment: the segment goes, the offsets stay used ---
$ . ./lib.sh; flip 00000000000000000005 20; flip2() { f="$AGGR_DIR/flows/00000000000000000005.jsonl.gz.open"; b=$(od -An -tu1 -j$1 -N1 "$f"); printf "\\$(printf %o $(( b ^ 1 )))" | dd of="$f" bs=1 seek=$1 conv=notrunc 2>/dev/null; }; flip2 176; flip2 331; aggr check --repair && recs && aggr check && ls "$AGGR_DIR/flows" && aggr ingest flows a.json && aggr info flows --format ndjson | jq -c '{segments, records, next_offset}'
ra/d1 ra/d2 ra/d3 ra/d4 ra/d5
00000000000000000000.idx
00000000000000000000.jsonl.gz
LOCK
MANIFEST
lost
{"segments":2,"records":10,"next_offset":15}
! aggr: check: flows/00000000000000000005.jsonl.gz.open: bytes 0-455: damaged: set aside offsets 5-9 (5 records)
! aggr: check: flows: the files replaced or set aside are kept in flows/lost
