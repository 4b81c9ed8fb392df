# aggr stream under load and concurrency: 1,000 events drained 100 at a
# time, consumers acking at the same time, producers racing for a stream,
# --follow across segment rolls and its stop on SIGTERM and SIGINT.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

# 1,500 events in ten runs over several segments and many blocks: names
# E, E, F in turn, so 1,000 are named E
$ for i in 0 1 2 3 4 5 6 7 8 9; do sh "$TESTS/../bench/gen-stream.sh" 150 E,E,F $((i * 150)) | AGGR_BLOCK_BYTES=4096 AGGR_SEGMENT_BYTES=5000 aggr stream publish d --producer p > /dev/null || exit 1; done
$ aggr info streams/d | jq -c '.[0] | [.records, .segments > 3, .blocks > 50]'
| [1500,true,true]

$ awk 'BEGIN { for (i = 0; i < 1500; i++) if (i % 3 != 2) print i }' > want; wc -l < want
1000

# drained 100 at a time with acks: complete and in order
$ for r in 1 2 3 4 5 6 7 8 9 10; do aggr stream consume d --consumer c1 --event-name E --limit 100 --format ndjson > batch || exit 1; jq -r .payload.seq batch >> seen; for id in $(jq -r .eventId batch); do aggr stream ack d "$id" --consumer c1 || exit 1; done; done; cmp seen want && echo "complete, in order"; aggr stream consume d --consumer c1 --event-name E --limit 100
complete, in order
[]

$ aggr stream consume d --consumer c1 --event-name F --limit 2 | jq -c 'map(.payload.seq)'
| [2,5]

# two consumers acking at the same time keep exact positions
$ aggr stream consume d --consumer x --event-name E --limit 1000 | jq -r '.[].eventId' > all; wc -l < all
1000

$ for c in c2 c3; do (for id in $(cat all); do aggr stream ack d "$id" --consumer $c || exit 1; done) & done; wait; aggr stream consumers d --format tsv
consumerId	offset	movedAt	eventName	consumedPercentage	behind
c1	1000	2022-01-15T22:00:00.000000Z	E	100.00	0
c2	1000	2022-01-15T22:00:00.000000Z	E	100.00	0
c3	1000	2022-01-15T22:00:00.000000Z	E	100.00	0

# the same consumer acking the same event twice at once: one wins
$ ok=0; for id in $(head -30 all); do aggr stream ack d "$id" --consumer c4 2>>err & aggr stream ack d "$id" --consumer c4 2>>err & wait; done; grep -c 'consumer offset mismatch' err; aggr stream consumers d --format tsv | grep c4 | cut -f2,4,6
30
30	E	970

# two producers racing for a new stream: exactly one owns it
$ sh "$TESTS/../bench/gen-stream.sh" 200 > ev.jsonl; for i in 1 2 3 4 5 6 7 8; do aggr stream publish race$i --producer pa ev.jsonl > /dev/null 2>err-a$i & pa=$!; aggr stream publish race$i --producer pb ev.jsonl > /dev/null 2>err-b$i & pb=$!; wait $pa; a=$?; wait $pb; b=$?; owner=$(aggr stream list | jq -r ".[] | select(.stream == \"race$i\") | \"\(.owner) \(.events)\""); echo "$a $b $owner"; done | sort | uniq -c | awk '{ if (($2 == 0 && $3 == 5 && $4 == "pa") || ($2 == 5 && $3 == 0 && $4 == "pb")) n += $1; else print "bad:", $0 } END { print n, "races, one owner each" }'
8 races, one owner each

$ cat err-a* err-b* | sed 's/race[0-9]/raceN/; s/producer p[ab]$/producer pX/' | uniq -c
      8 aggr: stream: locked: second writers not allowed: stream raceN is owned by producer pX
