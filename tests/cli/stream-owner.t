# The stream owner (the producers file) goes through the log's named state:
# "PRODUCER OFFSET", OFFSET the end of the run that claimed the stream, so
# a claim counts only once that run committed. Files of earlier versions
# (a bare "PRODUCER") are read as before. A damaged file is an error naming
# it (exit 8), never raw bytes on the output (issue 12, item 14).
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# A case that starts with "aggr purge" starts that log afresh.

$ jq -c . "$SEED/003-event-streams/go-sibling/input/receive_event.json" > e.json; cat e.json e.json > two.json; aggr stream publish s --producer p two.json | wc -l; cat "$AGGR_DIR/streams/s/producers"
2
p 2

$ aggr stream publish s --producer q e.json
! aggr: stream: locked: second writers not allowed: stream s is owned by producer p
[5]

$ aggr stream publish s --producer p e.json | wc -l; cat "$AGGR_DIR/streams/s/producers"; aggr stream list --format csv | cut -d, -f1-3
1
p 2
stream,owner,events
s,p,3

# an owner as earlier versions wrote it
$ printf 'p\n' > "$AGGR_DIR/streams/s/producers"; aggr stream list --format csv | cut -d, -f1-3
stream,owner,events
s,p,3

$ aggr stream publish s --producer q e.json
! aggr: stream: locked: second writers not allowed: stream s is owned by producer p
[5]

$ aggr stream publish s --producer p e.json | wc -l; cat "$AGGR_DIR/streams/s/producers"
1
p

# ... left by a first run that never committed: no owner, and the next
# producer claims the stream
$ aggr stream publish t --producer p < /dev/null && printf 'q\n' > "$AGGR_DIR/streams/t/producers" && aggr stream list --format csv | cut -d, -f1-3
stream,owner,events
s,p,4

$ aggr stream publish t --producer r e.json | wc -l; cat "$AGGR_DIR/streams/t/producers"; aggr stream list --format csv | cut -d, -f1-3
1
r 1
stream,owner,events
s,p,4
t,r,1

# a claim whose run did not commit (offset past the log's end) is no
# owner; the next writer drops it
$ printf 'r 1\nz 9\n' > "$AGGR_DIR/streams/t/producers" && aggr stream list --format csv | cut -d, -f1-3 && aggr stream publish t --producer r < /dev/null && cat "$AGGR_DIR/streams/t/producers"
stream,owner,events
s,p,4
t,r,1
r 1

# damage: invalid UTF-8, control bytes, a bad offset, too long
$ printf 'p\377\376 4\n' > "$AGGR_DIR/streams/s/producers"; aggr stream list
! aggr: stream: streams/s/producers: line 1 is damaged (not "PRODUCER OFFSET")
[8]

$ printf 'p\033[2J\n' > "$AGGR_DIR/streams/s/producers"; aggr stream list --format table
! aggr: stream: streams/s/producers: line 1 is damaged (not "PRODUCER OFFSET")
[8]

$ printf 'p 4\n\001\n' > "$AGGR_DIR/streams/s/producers"; aggr stream list --format csv
! aggr: stream: streams/s/producers: line 2 is damaged (not "PRODUCER OFFSET")
[8]

$ printf 'p 4x\n' > "$AGGR_DIR/streams/s/producers"; aggr stream publish s --producer p e.json
! aggr: stream: streams/s/producers: line 1 is damaged (not "PRODUCER OFFSET")
[8]

$ head -c 5000 /dev/zero | tr '\0' p > "$AGGR_DIR/streams/s/producers"; aggr stream list
! aggr: stream: streams/s/producers: damaged: larger than 4096 bytes
[8]

# every writer of the stream stops at it too; readers of events do not
$ aggr purge streams/s
! aggr: purge: streams/s: purging a damaged log: streams/s/producers: damaged: larger than 4096 bytes

$ aggr retain --set 1d streams/s
! aggr: retain: streams/s/producers: damaged: larger than 4096 bytes
[8]

$ aggr stream consume s --consumer c --event-name GdriveSync --limit 9 | jq length
0

# removing it leaves the stream without an owner until the next publish
$ rm "$AGGR_DIR/streams/s/producers"; aggr stream list --format csv | cut -d, -f1-3; aggr stream publish s --producer q e.json | wc -l; cat "$AGGR_DIR/streams/s/producers"
stream,owner,events
s,,0
t,r,1
1
q 5
