# check must not call a log clean when it cannot see its data, and each
# such case has a way out (issue 12 item 10). Run A seals segment 0, runs B
# and C go to the active segment 5.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# "./lib.sh" holds this file's own helpers, written by an early case.
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: d1, good, lost1.

$ flow_files a b c; AGGR_SEGMENT_BYTES=1 aggr -d good ingest flows a.json && aggr -d good ingest flows b.json && aggr -d good ingest flows c.json && ls good/flows
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000005.idx
00000000000000000005.jsonl.gz.open
LOCK
MANIFEST

$ printf 'recs() { aggr cat flows | cut -d\\" -f4 | uniq -c | paste -sd" " | tr -s " "; }\nfresh() { rm -rf "$AGGR_DIR"; cp -a good "$AGGR_DIR"; }\n' > lib.sh; . ./lib.sh; fresh; recs
 5 ra 5 rb 5 rc

# --- the MANIFEST deleted while segments hold data ---
$ . ./lib.sh; rm "$AGGR_DIR/flows/MANIFEST"; aggr check; echo $?; aggr check flows; echo $?
8
8
! aggr: check: flows/MANIFEST: missing, but flows/00000000000000000000.jsonl.gz holds data (aggr check --repair rebuilds it from the segments)
! aggr: check: flows/MANIFEST: missing, but flows/00000000000000000000.jsonl.gz holds data (aggr check --repair rebuilds it from the segments)

# repair rebuilds it: the sealed segment is proven by its seal, runs B and C
# by the second COMMIT entry of the active index (a run appends to a segment
# only once a MANIFEST lists it)
$ . ./lib.sh; aggr check --repair && recs && aggr check && cat "$AGGR_DIR/flows/MANIFEST" | sed 's/ingest [0-9]*/ingest T/g'
 5 ra 5 rb 5 rc
aggr-manifest 3
kind flows
next_offset 15
segment 00000000000000000000 sealed records 5 blocks 1 bytes 171 min_key 1 max_key 1 min_ingest T max_ingest T
segment 00000000000000000005 active
crc 90249016
! aggr: check: flows/MANIFEST: missing: rebuilt from 2 segments

# but the first run of the last segment only the lost MANIFEST could prove:
# it is set aside
$ . ./lib.sh; rm -rf d1 && AGGR_SEGMENT_BYTES=1 aggr -d d1 ingest flows a.json && aggr -d d1 ingest flows b.json && rm d1/flows/MANIFEST && aggr -d d1 check --repair && AGGR_DIR=d1 recs && ls d1/flows/lost
 5 ra
00000000000000000005.idx
00000000000000000005.jsonl.gz.open
! aggr: check: flows/00000000000000000005.jsonl.gz.open: bytes 0-171: only the lost MANIFEST could prove them committed: set aside offsets 5-9 (5 records)
! aggr: check: flows/MANIFEST: missing: rebuilt from 1 segment
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# --- a damaged MANIFEST: rebuilt the same way, the damaged one kept ---
$ . ./lib.sh; fresh; sed -i 's/records 5/records 6/' "$AGGR_DIR/flows/MANIFEST"; aggr check; echo $?; aggr check --repair && recs && ls "$AGGR_DIR/flows/lost" && aggr check
8
 5 ra 5 rb 5 rc
MANIFEST
! aggr: check: flows/MANIFEST: crc mismatch
! aggr: check: flows/MANIFEST: crc mismatch: rebuilt from 2 segments
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# --- a segment file lost ---
$ . ./lib.sh; fresh; rm "$AGGR_DIR/flows/00000000000000000000.jsonl.gz"; aggr check; echo $?; cp -a "$AGGR_DIR" lost1
8
! aggr: check: flows/00000000000000000000.jsonl.gz: missing, but listed in the MANIFEST (aggr check --repair rebuilds a lost index)

# purge always works
$ aggr -d lost1 purge flows && ls lost1/flows && aggr -d lost1 check && aggr -d lost1 ingest flows a.json && aggr -d lost1 info flows --format ndjson | jq -c '{records, first_offset, next_offset}'
LOCK
MANIFEST
{"records":5,"first_offset":15,"next_offset":20}
! aggr: purge: flows: purging a damaged log: flows/00000000000000000000.jsonl.gz: missing, but listed in the MANIFEST (aggr check --repair rebuilds a lost index)

# repair drops the lost segment and says which offsets went
$ . ./lib.sh; aggr check --repair && recs && aggr check && aggr info flows --format ndjson | jq -c '{segments, records, first_offset, next_offset}'
 5 rb 5 rc
{"segments":1,"records":10,"first_offset":5,"next_offset":15}
! aggr: check: flows/00000000000000000000.jsonl.gz: missing: dropped the segment, lost offsets 0-4 (5 records)
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# the active segment lost: its index tells what went, and its offsets are
# not given out again
$ . ./lib.sh; fresh; rm "$AGGR_DIR/flows/00000000000000000005.jsonl.gz.open"; aggr check --repair && recs && aggr ingest flows c.json && aggr info flows --format ndjson | jq -c '{segments, records, next_offset}'
 5 ra
{"segments":2,"records":10,"next_offset":20}
! aggr: check: flows/00000000000000000005.jsonl.gz.open: missing: dropped the segment, lost offsets 5-14 (10 records)
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

# both of its files lost: only the MANIFEST's next_offset is known
$ . ./lib.sh; fresh; rm "$AGGR_DIR"/flows/00000000000000000005.*; aggr check --repair && recs && aggr info flows --format ndjson | jq -c '{segments, records, next_offset}'
 5 ra
{"segments":1,"records":5,"next_offset":10}
! aggr: check: flows/00000000000000000005.jsonl.gz.open: missing: dropped the segment, lost offsets from 5 on (records unknown)

# --- a log directory the user cannot read: check and check LOG both exit 6.
# root reads every directory, so as root the case runs as nobody ---
$ . ./lib.sh; fresh; chmod 000 "$AGGR_DIR/flows"; chmod o+x "$PWD"; chmod o+rx "$AGGR_DIR"; as() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }; as aggr check; echo $?; as aggr check flows; echo $?; chmod 700 "$AGGR_DIR/flows"
6
6
! aggr: check: cannot read flows/MANIFEST: Permission denied
! aggr: check: cannot read flows/MANIFEST: Permission denied
