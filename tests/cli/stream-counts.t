# Event counts kept at publish time (aggr-format(5), STREAM COUNTS): the
# lag of `stream consumers`, the numbers of the out-of-order ack message
# and seek's count come from streams/NAME/counts, a line per block of a
# run, and read only the blocks a count starts or ends inside. Every
# answer equals what a read of the events gives (AGGR_STREAM_COUNTS=read,
# the old path, kept as the oracle). Damage is exit 8 naming the file, and
# check --repair rebuilds it. AGGR_NOW is 2022-01-15T22:00:00Z.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# A case that starts with "aggr purge" starts that log afresh.
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: big, copy, many, one, rp, two, v2.

# 12 runs of 250 events, five names in turn (A twice), 2000-byte blocks
# and 30 KB segments: 504 blocks in 9 segments, a counts line per block
$ for r in $(seq 0 11); do sh "$TESTS/../bench/gen-stream.sh" 250 A,B,C,A,D $((r * 250)) | AGGR_BLOCK_BYTES=2000 AGGR_SEGMENT_BYTES=30000 aggr stream publish s --producer p || exit 1; done > ids
$ wc -l < ids && aggr info streams/s | jq -r '.[] | "\(.segments) \(.blocks)"' && wc -l < data/streams/s/counts && head -3 data/streams/s/counts && aggr check streams/s
3000
9 504
505
aggr-stream-counts 1
0 6 1642284000000000	"A" 3	"B" 1	"C" 1	"D" 1	5e760554
6 12 1642284000000000	"B" 2	"C" 1	"A" 2	"D" 1	90918368

# consumers at the start, inside blocks, at the last event and past it
$ aggr cat streams/s | jq -r .event.name | paste -d' ' ids - > idn
$ printf '1 c1\n2 c1\n333 c2\n1000 c3\n1751 c4\n2999 c5\n3000 c6\n' | while read -r i c; do set -- $(sed -n ${i}p idn); aggr stream seek s --consumer $c --event-name $2 --to $1 || exit 1; done && aggr stream seek s --consumer c7 --event-name A --to latest && aggr stream seek s --consumer c8 --event-name D --to earliest
$ aggr -v stream consumers s --format csv | tee lag
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c1,0,2022-01-15T22:00:00.000000Z,A,0.00,1200
c1,0,2022-01-15T22:00:00.000000Z,B,0.00,600
c2,66,2022-01-15T22:00:00.000000Z,C,11.00,534
c3,199,2022-01-15T22:00:00.000000Z,D,33.17,401
c4,700,2022-01-15T22:00:00.000000Z,A,58.33,500
c5,1199,2022-01-15T22:00:00.000000Z,A,99.92,1
c6,599,2022-01-15T22:00:00.000000Z,D,99.83,1
c7,1200,2022-01-15T22:00:00.000000Z,A,100.00,0
c8,0,2022-01-15T22:00:00.000000Z,D,0.00,600
! aggr: stream: 5 blocks inflated

# the same as a read of every event gives, which inflates all of them
$ AGGR_STREAM_COUNTS=read aggr -v stream consumers s --format csv | cmp - lag && echo same
same
! aggr: stream: 504 blocks inflated

# out-of-order acks: the counts and the read agree on every message (the
# read runs on a copy, as a good ack moves the position)
$ cp -a data copy && for i in 2 4 5 9 10 400 1751 1752 1760 2996 3000; do set -- $(sed -n ${i}p idn); a=$(aggr -v stream ack s $1 --consumer c4 2>&1); b=$(AGGR_DIR=$PWD/copy AGGR_STREAM_COUNTS=read aggr -v stream ack s $1 --consumer c4 2>&1); [ "$(echo "$a" | grep -v inflated)" = "$(echo "$b" | grep -v inflated)" ] || { echo "differs at $i: $a / $b"; exit 1; }; echo "$i $2: $(echo "$a" | sed "s/$1/ID/; s/^aggr: stream: //" | tr '\n' ' ')"; done
2 B: c4 acknowledged ID (B #1, offset 1) 2 blocks inflated 
4 A: 2 blocks inflated consumer offset mismatch: 701->2 
5 D: c4 acknowledged ID (D #1, offset 4) 2 blocks inflated 
9 A: 2 blocks inflated consumer offset mismatch: 701->4 
10 D: c4 acknowledged ID (D #2, offset 9) 3 blocks inflated 
400 D: 3 blocks inflated consumer offset mismatch: 3->80 
1751 A: c4 acknowledged ID (A #701, offset 1750) 1 block inflated 
1752 B: 3 blocks inflated consumer offset mismatch: 2->351 
1760 D: 3 blocks inflated consumer offset mismatch: 3->352 
2996 A: 3 blocks inflated consumer offset mismatch: 702->1199 
3000 D: 3 blocks inflated consumer offset mismatch: 3->600 

# --- consume --limit reads no further than the counts say ---

# one name, 1024 events in one run, 2000-byte blocks: with four threads of
# read-ahead, a consume from the start inflates only the blocks holding
# what it prints
$ sh "$TESTS/../bench/gen-stream.sh" 1024 A | AGGR_BLOCK_BYTES=2000 aggr stream publish one --producer p | wc -l && for l in 1 6 7 100; do AGGR_THREADS=4 aggr -v stream consume one --consumer c --event-name A --limit $l | jq length; done
1024
1
6
7
100
! aggr: stream: 1 event, 1 block inflated
! aggr: stream: 6 events, 1 block inflated
! aggr: stream: 7 events, 2 blocks inflated
! aggr: stream: 100 events, 17 blocks inflated

# of a name in every fifth event, from a position inside a block
$ AGGR_THREADS=1 aggr -v stream consume s --consumer c4 --event-name D --limit 3 --format ndjson | jq -c .payload.seq
14
19
24
! aggr: stream: 3 events, 4 blocks inflated

# the answers the read gives
$ for l in 1 2 50 700; do for c in c4 c8 nobody; do agree AGGR_STREAM_COUNTS=read stream consume s --consumer $c --event-name D --limit $l > /dev/null || echo "differs: $l $c"; done; done; echo same
same

# --- damage: exit 8 naming the file; check --repair rebuilds it ---

# a count changed: its line's CRC no longer matches
$ agree AGGR_STREAM_COUNTS=read stream consumers s --format csv > lag && cp data/streams/s/counts good && sed -i '100s/"A" /"A" 9/' data/streams/s/counts && aggr stream consumers s
! aggr: stream: streams/s/counts: line 100 is damaged (aggr check --repair rebuilds it)
[8]

$ aggr check streams/s
! aggr: check: streams/s/counts: line 100 is damaged (aggr check --repair rebuilds it)
[8]

$ aggr stream publish s --producer p < /dev/null
! aggr: stream: streams/s/counts: line 100 is damaged (aggr check --repair rebuilds it)
[8]

$ aggr check --repair streams/s && aggr check streams/s && aggr stream consumers s --format csv | cmp - lag && wc -l < data/streams/s/counts && cmp data/streams/s/counts good && echo same as written
505
same as written
! aggr: check: streams/s/counts: line 100 is damaged: rebuilt from the events

# a count lowered with its CRC made right: readers cannot tell, check can
$ python3 -c 'import sys, zlib; p = "data/streams/s/counts"; L = open(p).read().split("\n"); f = L[99].rsplit("\t", 1)[0].replace("\"A\" 2", "\"A\" 1", 1); L[99] = f + "\t%08x" % zlib.crc32(f.encode()); open(p, "w").write("\n".join(L))' && aggr stream consumers s --format csv | head -2
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c1,0,2022-01-15T22:00:00.000000Z,A,0.00,1199

$ aggr check streams/s
! aggr: check: streams/s/counts: line 100 does not match the events at offsets 584..589 (aggr check --repair rebuilds it)
[8]

$ aggr check --repair streams/s && aggr stream consumers s --format csv | cmp - lag && cmp data/streams/s/counts good && echo same
same
! aggr: check: streams/s/counts: line 100 does not match the events at offsets 584..589: rebuilt from the events

# lines out of order are damage
$ sed -i '3{h;d};4G' data/streams/s/counts && sed -n 3,4p data/streams/s/counts | cut -f1 && aggr stream consumers s
12 18 1642284000000000
6 12 1642284000000000
! aggr: stream: streams/s/counts: line 4 is damaged (aggr check --repair rebuilds it)
[8]

$ aggr check --repair streams/s && cmp data/streams/s/counts good && echo same
same
! aggr: check: streams/s/counts: line 4 is damaged: rebuilt from the events

# --- what a run that did not commit leaves: never counted, dropped by the next publisher ---

# a line of a run past the log's end, then a torn one
$ f=$(printf '3000 3006 1642284000000000\t"A" 6'); printf '%s\t%08x\n3006 30' "$f" "$(python3 -c 'import sys, zlib; print(zlib.crc32(sys.argv[1].encode()))' "$f")" >> data/streams/s/counts && tail -2 data/streams/s/counts | cut -f1 && aggr stream consumers s --format csv | cmp - lag && aggr check streams/s && echo same
3000 3006 1642284000000000
3006 30
same

$ sh "$TESTS/../bench/gen-stream.sh" 10 D | aggr stream publish s --producer p | wc -l && tail -2 data/streams/s/counts && aggr check streams/s && agree AGGR_STREAM_COUNTS=read stream consumers s --format csv > lag2 && grep -c . lag2
10
2996 3000 1642284000000000	"B" 1	"C" 1	"A" 1	"D" 1	fc958ee1
3000 3010 1642284000000000	"D" 10	941d5890
12

# a lost file: the events are read instead (one read for all consumers);
# the next publisher counts them all again before its run
$ rm data/streams/s/counts && aggr -v stream consumers s --format csv | cmp - lag2 && aggr check streams/s && sh "$TESTS/../bench/gen-stream.sh" 5 B | aggr stream publish s --producer p | wc -l && wc -l < data/streams/s/counts && tail -2 data/streams/s/counts && aggr -v stream consumers s --format csv > lag3 && AGGR_STREAM_COUNTS=read aggr stream consumers s --format csv | cmp - lag3 && echo same
5
507
3000 3010 1642284000000000	"D" 10	941d5890
3010 3015 1642284000000000	"B" 5	804ce72a
same
! aggr: stream: 505 blocks inflated
! aggr: stream: 8 blocks inflated

# --- retention: expired events not yet deleted count as readers see them
# (not at all); retain deletes whole segments, whose lines then go ---

# runs on Jan 1 at 0h, Jan 2 at 12h and Jan 3 at 0h (60 events each,
# 2000-byte blocks) with a retention of 1 day: one store keeps them in
# one segment, the other in a segment per block. (The retention is set
# afterwards with the clock of Jan 1: a publish applies retention on its
# way out and would delete run 1 at once.)
$ for d in 1 2 3; do for v in one many; do sh "$TESTS/../bench/gen-stream.sh" 60 A,B,C $((d * 100)) | AGGR_DIR=$PWD/$v AGGR_NOW=$(echo x 2026-01-01T00 2026-01-02T12 2026-01-03T00 | cut -d' ' -f$((d + 1))):00:00Z AGGR_BLOCK_BYTES=2000 AGGR_SEGMENT_BYTES=$([ $v = one ] && echo 1000000 || echo 1) aggr stream publish r --producer p > /dev/null || exit 1; done; done
$ for v in one many; do AGGR_DIR=$PWD/$v AGGR_NOW=2026-01-01T00:00:00Z aggr retain --set 1d streams/r; done; ls one/streams/r many/streams/r | grep -c jsonl; wc -l < many/streams/r/counts
32
31

# Jan 3 at 6h: run 1 expired; consumers from the start and at the 5th and
# 30th B still stored, with the read's answers
$ for v in one many; do export AGGR_DIR=$PWD/$v AGGR_NOW=2026-01-03T06:00:00Z; aggr stream seek r --consumer e --event-name A --to earliest && for i in 5 30; do id=$(aggr cat streams/r | jq -r 'select(.event.name == "B") | .eventId' | sed -n ${i}p); aggr stream seek r --consumer c$i --event-name B --to $id || exit 1; done; aggr -v stream consumers r --format csv > $v.lag && AGGR_STREAM_COUNTS=read aggr stream consumers r --format csv | cmp - $v.lag || exit 1; done; cmp one.lag many.lag && cat one.lag
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c30,29,2026-01-03T06:00:00.000000Z,B,72.50,11
c5,4,2026-01-03T06:00:00.000000Z,B,10.00,36
e,0,2026-01-03T06:00:00.000000Z,A,0.00,40
! aggr: stream: 2 blocks inflated
! aggr: stream: 2 blocks inflated

# the expired run's segments deleted: the same lag; the next publisher
# drops the lines of deleted segments
$ export AGGR_DIR=$PWD/many AGGR_NOW=2026-01-03T06:00:00Z; aggr retain streams/r && ls many/streams/r | grep -c jsonl && aggr stream consumers r --format csv | cmp - many.lag && aggr stream publish r --producer p < /dev/null && wc -l < many/streams/r/counts && head -2 many/streams/r/counts | cut -f1 && aggr check streams/r && aggr stream consumers r --format csv | cmp - many.lag && echo same
20
21
aggr-stream-counts 1
60 66 1767355200000000
same

# --- purge: every line goes with the events ---

$ export AGGR_DIR=$PWD/many AGGR_NOW=2026-01-03T06:00:00Z; aggr purge streams/r && sh "$TESTS/../bench/gen-stream.sh" 7 B | aggr stream publish r --producer p | wc -l && cat many/streams/r/counts && agree AGGR_STREAM_COUNTS=read stream consumers r --format csv && aggr check streams/r
7
aggr-stream-counts 1
180 187 1767420000000000	"B" 7	1c706bdd
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c30,29,2026-01-03T06:00:00.000000Z,B,80.56,7
c5,4,2026-01-03T06:00:00.000000Z,B,36.36,7
e,0,2026-01-03T06:00:00.000000Z,A,100.00,0

# --- a store made by aggr before counts were kept (tests/fixtures/v2-store) ---

# readers count by reading, as before, and change nothing; the first
# publisher counts every event it holds, then appends its run's lines
$ cp -R "$TESTS/fixtures/v2-store" v2 && export AGGR_DIR=$PWD/v2; find v2 -type f | sort | xargs md5sum > sums && aggr -v stream consumers s --format csv > v2.lag && AGGR_STREAM_COUNTS=read aggr stream consumers s --format csv | cmp - v2.lag && cat v2.lag && find v2 -type f | sort | xargs md5sum | cmp - sums && echo unchanged
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c1,2,2022-01-15T22:00:00Z,E,40.00,3
unchanged
! aggr: stream: 2 blocks inflated

$ export AGGR_DIR=$PWD/v2; aggr stream list | jq -c '.[] | [.stream, .events]' && sh "$TESTS/../bench/gen-stream.sh" 4 OrderPlaced,Other | aggr stream publish s --producer "$(aggr stream list | jq -r '.[0].owner')" | wc -l && cat v2/streams/s/counts && aggr check streams/s && aggr -v stream consumers s --format csv > v2.lag2 && AGGR_STREAM_COUNTS=read aggr stream consumers s --format csv | cmp - v2.lag2 && cat v2.lag2
| ["s",10]
4
aggr-stream-counts 1
0 6 1642284000000000	"E" 3	"F" 3	d84cf3b5
6 10 1642284000000000	"E" 2	"F" 2	19cb8612
10 14 1642284000000000	"OrderPlaced" 2	"Other" 2	530a9558
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c1,2,2022-01-15T22:00:00Z,E,40.00,3
! aggr: stream: 1 block inflated

# --- repair that sets aside a damaged block: the rebuilt file covers its
# offsets with a line without names, so no publisher counts again ---

$ for r in 0 1 2; do sh "$TESTS/../bench/gen-stream.sh" 300 A,B,C $((r * 300)) | AGGR_DIR=$PWD/rp AGGR_BLOCK_BYTES=2000 AGGR_SEGMENT_BYTES=30000 aggr stream publish s --producer p > /dev/null || exit 1; done; export AGGR_DIR=$PWD/rp; aggr stream seek s --consumer c --event-name A --to earliest && f=$(ls rp/streams/s/*.jsonl.gz | sed -n 2p) && printf XXXXXXXX | dd of=$f bs=1 seek=$(($(stat -c %s $f) / 2)) conv=notrunc 2> /dev/null && { aggr check streams/s 2> /dev/null; echo "check: $?"; } && aggr check --repair streams/s 2>&1 | grep -c 'counts: line .* does not match the events at offsets .*: rebuilt from the events' && aggr check streams/s && grep -cP '^\d+ \d+ -?\d+\t[0-9a-f]{8}$' rp/streams/s/counts && aggr stream consumers s > a && AGGR_STREAM_COUNTS=read aggr stream consumers s | cmp - a && cp rp/streams/s/counts c0 && sh "$TESTS/../bench/gen-stream.sh" 3 A | aggr stream publish s --producer p | wc -l && head -n -1 rp/streams/s/counts | cmp - c0 && aggr stream consumers s > a && AGGR_STREAM_COUNTS=read aggr stream consumers s | cmp - a && echo same
check: 8
1
1
3
same

# --- a counts file over 64 KiB: a reader finds the lines its range needs
# by bisection and reads from there; every answer still equals the read's.
# Four runs of 1500 events in 600-byte blocks: about 3000 lines ---
$ export AGGR_DIR=$PWD/big; for r in 0 1 2 3; do sh "$TESTS/../bench/gen-stream.sh" 1500 A,B,C $((r * 1500)) | AGGR_BLOCK_BYTES=600 aggr stream publish s --producer p || exit 1; done > ids && aggr cat streams/s | jq -r .event.name > names && [ "$(stat -c %s big/streams/s/counts)" -gt 65536 ] && echo big
big

# consumers seeked late, in the middle and early; consume, consumers and
# in-order and out-of-order acks, on two copies, one counting by reading
$ export AGGR_DIR=$PWD/big; for i in 5990 4501 3000 1200 2; do for c in one two; do rm -rf $c; cp -a big $c; done; n=$(sed -n ${i}p names); for c in one two; do AGGR_DIR=$PWD/$c aggr stream seek s --consumer x --event-name $n --to "$(sed -n ${i}p ids)" || exit 1; done; two="AGGR_DIR=$PWD/two AGGR_STREAM_COUNTS=read"; AGGR_DIR=$PWD/one agree "$two" stream consume s --consumer x --event-name $n --limit 3 > /dev/null || exit 1; AGGR_DIR=$PWD/one agree "$two" stream consumers s --format csv > a || exit 1; for j in $((i + 3)) $((i - 1)); do for c in one two; do AGGR_DIR=$PWD/$c aggr stream ack s "$(sed -n ${j}p ids)" --consumer x > /dev/null 2> $c.err; echo $? >> $c.err; done; cmp one.err two.err || exit 1; done; cut -d, -f1,2,4- a | tail -1; done
x,1996,B,99.80,4
x,1500,A,75.00,500
x,999,C,49.95,1001
x,399,C,19.95,1601
x,0,B,0.00,2000

# consume --limit reads the counts file a window at a time from the line
# its position needs: limits whose lines cross a 64 KiB window, from early
# and late positions, give the read's events and inflate only the blocks
# that hold them (the read inflates every block after the position)
$ export AGGR_DIR=$PWD/big; for i in 2 1200 4501; do n=$(sed -n ${i}p names); aggr stream seek s --consumer w$i --event-name $n --to "$(sed -n ${i}p ids)" || exit 1; for l in 1 700 1500; do a=$(AGGR_THREADS=1 aggr -v stream consume s --consumer w$i --event-name $n --limit $l 2> err | md5sum); b=$(AGGR_THREADS=1 AGGR_STREAM_COUNTS=read aggr stream consume s --consumer w$i --event-name $n --limit $l 2> /dev/null | md5sum); [ "$a" = "$b" ] || { echo "differs: $i $l"; exit 1; }; echo "$i $l: $(sed 's/^aggr: stream: //' err)"; done; done
2 1: 1 event, 1 block inflated
2 700: 700 events, 700 blocks inflated
2 1500: 1500 events, 1500 blocks inflated
1200 1: 1 event, 1 block inflated
1200 700: 700 events, 700 blocks inflated
1200 1500: 1500 events, 1500 blocks inflated
4501 1: 1 event, 1 block inflated
4501 700: 500 events, 500 blocks inflated
4501 1500: 500 events, 500 blocks inflated
