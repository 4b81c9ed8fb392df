# An ingest killed with SIGKILL leaves uncommitted bytes after the last
# commit. Readers never see them; check reports them with a status of its
# own (9), not as damage; check --repair (or the next writer) removes them;
# and check --repair never makes them visible, not even once the index that
# says where the commits end is lost.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: next.

$ flow_files a b; AGGR_BLOCK_BYTES=200 aggr ingest flows --batch-id A a.json && ls "$AGGR_DIR/flows"
00000000000000000000.idx
00000000000000000000.jsonl.gz.open
LOCK
MANIFEST
batches

# run B with 200-byte blocks: its first four records make two blocks
# (311 bytes) and one index entry (64 bytes) before it waits for the rest
# of its input, which never comes: kill -9
$ f="$AGGR_DIR/flows/00000000000000000000.jsonl.gz.open"; mkfifo in.fifo; AGGR_THREADS=1 AGGR_BLOCK_BYTES=200 aggr ingest flows --batch-id B in.fifo & pid=$!; disown; exec 3>in.fifo; cat b.json >&3; until [ "$(stat -c %s "$f")" -ge 767 ]; do sleep 0.05; done; kill -9 $pid; while kill -0 $pid 2>/dev/null; do sleep 0.05; done; exec 3>&-; stat -c %s "$f" "${f%.jsonl.gz.open}.idx"; cp -a "$AGGR_DIR" killed
767
320

$ aggr cat flows | cut -d'"' -f4 | uniq -c; zcat "$AGGR_DIR"/flows/*.jsonl.gz* | wc -l
      5 ra
9

# plain check, without -v, reports them: exit 9, not 8
$ aggr check
! aggr: check: flows: 375 uncommitted bytes of an interrupted run: nothing committed is damaged; the next writer or aggr check --repair removes them
[9]

$ aggr check flows; echo $?; aggr -q check; echo $?
9
9
! aggr: check: flows: 375 uncommitted bytes of an interrupted run: nothing committed is damaged; the next writer or aggr check --repair removes them
! aggr: check: flows: 375 uncommitted bytes of an interrupted run: nothing committed is damaged; the next writer or aggr check --repair removes them

# while a writer holds the lock, the bytes after the last commit are its run's: not reported
$ flock "$AGGR_DIR/flows/LOCK" sleep 1 & until ! flock -n "$AGGR_DIR/flows/LOCK" true; do sleep 0.05; done; aggr check; echo $?; aggr -v check; wait
0
! aggr: check: flows: a writer is at work: the bytes after the last commit are its run
! aggr: check: flows: ok: 1 segment, 3 blocks, 5 records

$ aggr check --repair; echo $?; aggr check && zcat "$AGGR_DIR"/flows/*.jsonl.gz* | wc -l && stat -c %s "$AGGR_DIR"/flows/00000000000000000000.*
0
5
256
456
! aggr: check: flows: removed 375 uncommitted bytes of an interrupted run

# the next writer removes them as well
$ cp -a killed next && aggr -d next ingest flows /dev/null && aggr -d next check && zcat next/flows/*.jsonl.gz* | wc -l
5

# --- issue 12 item 5: with the index lost, repair keeps what the MANIFEST
# proves (run A started the segment: next_offset 5) and sets aside run B ---
$ rm -rf "$AGGR_DIR" && cp -a killed "$AGGR_DIR" && rm "$AGGR_DIR"/flows/*.idx && aggr check --repair; echo $?
0
! aggr: check: flows/00000000000000000000.jsonl.gz.open: bytes 456-766: no commit proves them: set aside offsets 5-8 (4 records)
! aggr: check: flows/00000000000000000000.jsonl.gz.open: kept 3 good blocks in flows/00000000000000000000-1.jsonl.gz.open
! aggr: check: flows: the files replaced or set aside are kept in flows/lost

$ aggr cat flows | cut -d'"' -f4 | uniq -c; zcat "$AGGR_DIR"/flows/*.jsonl.gz* | wc -l; cd "$AGGR_DIR/flows" && ls . lost && cat batches && aggr check
      5 ra
5
.:
00000000000000000000-1.idx
00000000000000000000-1.jsonl.gz.open
LOCK
MANIFEST
batches
lost
|
lost:
00000000000000000000.jsonl.gz.open
A 0 5

# the offsets set aside are never given out again: run B retried gets 9 and on
$ AGGR_BLOCK_BYTES=200 aggr ingest flows --batch-id B b.json && aggr info flows --format ndjson | jq -c '{records, next_offset}' && aggr check
{"records":10,"next_offset":14}
