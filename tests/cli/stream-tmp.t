# Temporary file names never collide with consumer positions (issue 12,
# item 9): the position of event name X.tmp is a file consumers/c,X.tmp,
# which the temporary file of X's position (once c,X.tmp) overwrote.
# Temporary files are now .NAME.tmp; names never start with '.'.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

$ jq -c . "$EVENT1" > e.json; for n in X X.tmp X X.tmp; do jq -c --arg n "$n" '.event.name=$n' e.json; done > four.json; aggr stream publish s --producer p four.json > ids; awk '{print "s/" $0 "/ID" NR "/g"}' ids > ids.sed; wc -l < ids
4

# acknowledge the first X.tmp, then the first X
$ aggr stream ack s "$(sed -n 2p ids)" --consumer c && aggr stream ack s "$(sed -n 1p ids)" --consumer c && ls -A "$AGGR_DIR/streams/s/consumers" | sort
LOCK
c,X
c,X.tmp

# both positions, listed exactly
$ aggr stream consumers s --format ndjson
{"consumerId":"c","offset":1,"movedAt":"2022-01-15T22:00:00.000000Z","eventName":"X","consumedPercentage":50.00,"behind":1}
{"consumerId":"c","offset":1,"movedAt":"2022-01-15T22:00:00.000000Z","eventName":"X.tmp","consumedPercentage":50.00,"behind":1}

# each name goes on from its own position: nothing is delivered again
$ aggr stream consume s --consumer c --event-name X.tmp --limit 10 | jq -r '.[] | "\(.eventId) \(.event.name)"' | sed -f ids.sed
ID4 X.tmp

$ aggr stream consume s --consumer c --event-name X --limit 10 | jq -r '.[] | "\(.eventId) \(.event.name)"' | sed -f ids.sed
ID3 X

# the next acks of each name are in order; re-acks are refused
$ aggr stream ack s "$(sed -n 4p ids)" --consumer c && aggr stream ack s "$(sed -n 3p ids)" --consumer c && aggr stream consumers s --format csv
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c,2,2022-01-15T22:00:00.000000Z,X,100.00,0
c,2,2022-01-15T22:00:00.000000Z,X.tmp,100.00,0

$ aggr stream ack s "$(sed -n 2p ids)" --consumer c
! aggr: stream: consumer offset mismatch: 3->1
[5]

# a seek of X.tmp moves X.tmp only
$ aggr stream seek s --consumer c --event-name X.tmp --to earliest && aggr stream consumers s --format tsv
consumerId	offset	movedAt	eventName	consumedPercentage	behind
c	2	2022-01-15T22:00:00.000000Z	X	100.00	0
c	0	2022-01-15T22:00:00.000000Z	X.tmp	0.00	2

# a temporary file left by a crash is no position, in either form; an old
# one (c,X.tmp holding X's position) does not hide X.tmp's own position,
# nor is it listed
$ cd "$AGGR_DIR/streams/s/consumers" && cp c,X .c,Y.tmp && aggr stream consumers s --format csv
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c,2,2022-01-15T22:00:00.000000Z,X,100.00,0
c,0,2022-01-15T22:00:00.000000Z,X.tmp,0.00,2

$ cd "$AGGR_DIR/streams/s/consumers" && rm c,X.tmp && cp c,X c,X.tmp && aggr stream consumers s --format csv && aggr stream consume s --consumer c --event-name X.tmp --limit 1 | jq -r '.[].eventId' | sed -f "$OLDPWD/ids.sed"
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c,2,2022-01-15T22:00:00.000000Z,X,100.00,0
ID2

$ aggr stream ack s "$(sed -n 2p ids)" --consumer c && aggr stream consumers s --format csv && ls -A "$AGGR_DIR/streams/s/consumers" | sort
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c,2,2022-01-15T22:00:00.000000Z,X,100.00,0
c,1,2022-01-15T22:00:00.000000Z,X.tmp,50.00,1
.c,Y.tmp
LOCK
c,X
c,X.tmp

# writers remove leftover temporary files of the log, new and old names
$ cd "$AGGR_DIR/streams/s" && echo x > .MANIFEST.tmp && echo x > producers.tmp && aggr -v stream publish s --producer p < /dev/null 2>&1 | sort; ls -A | sort
aggr: stream: published 0 events to stream s
aggr: stream: streams/s: removed leftover .MANIFEST.tmp
aggr: stream: streams/s: removed leftover producers.tmp
00000000000000000000.idx
00000000000000000000.jsonl.gz.open
LOCK
MANIFEST
consumers
counts
producers
