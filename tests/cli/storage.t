# The files under the data directory: plain gzip JSON lines, modes, segment
# roll-over, corruption found by check and queries, torn tails dropped.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: closed, open, seg, th1, th2.

# --- one log, one segment ---

$ aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json" && ls "$AGGR_DIR/flows"
00000000000000000000.idx
00000000000000000000.jsonl.gz.open
LOCK
MANIFEST

# a segment is plain gzip JSON lines: zcat | jq work and give what cat gives
$ zcat "$AGGR_DIR"/flows/*.jsonl.gz* | cmp - <(aggr cat flows) && echo same
same

$ set -o pipefail; zcat "$AGGR_DIR"/flows/*.jsonl.gz* | jq -c 'select(.hour == 2) | .vpc_id'
"vpc-0"
"vpc-1"

$ gzip -t "$AGGR_DIR"/flows/*.jsonl.gz*

# every block is a gzip member with an FEXTRA "AG" subfield of 52 bytes (MTIME 0, OS 255)
$ head -c 16 "$AGGR_DIR/flows/00000000000000000000.jsonl.gz.open" | od -An -tx1
 1f 8b 08 04 00 00 00 00 00 ff 38 00 41 47 34 00

$ head -c 8 "$AGGR_DIR/flows/00000000000000000000.idx"; echo
AGGRIDX1

$ head -2 "$AGGR_DIR/flows/MANIFEST"
aggr-manifest 3
kind flows

# modes: 700 for directories, 600 for files, whatever the umask
$ cd "$AGGR_DIR" && stat -c '%a %n' . flows flows/*
700 .
700 flows
600 flows/00000000000000000000.idx
600 flows/00000000000000000000.jsonl.gz.open
600 flows/LOCK
600 flows/MANIFEST

$ umask 000 && aggr -d open/data ingest flows "$SEED/000-flow-aggregation/test_data1.json" && cd open && stat -c '%a %n' data data/flows data/flows/*
700 data
700 data/flows
600 data/flows/00000000000000000000.idx
600 data/flows/00000000000000000000.jsonl.gz.open
600 data/flows/LOCK
600 data/flows/MANIFEST

$ umask 077 && aggr -d closed ingest flows "$SEED/000-flow-aggregation/test_data1.json" && cd closed && stat -c '%a %n' . flows flows/*
700 .
700 flows
600 flows/00000000000000000000.idx
600 flows/00000000000000000000.jsonl.gz.open
600 flows/LOCK
600 flows/MANIFEST

# --- several segments: 200-byte blocks, segments roll at 500 bytes ---

$ for run in 1 2 3 4 5; do for k in 1 2 3 4; do flow r$run-$k $run $k; done > run$run.jsonl; AGGR_BLOCK_BYTES=200 AGGR_SEGMENT_BYTES=500 aggr -d seg ingest flows run$run.jsonl || exit; done
$ ls seg/flows
00000000000000000000.idx
00000000000000000000.jsonl.gz
00000000000000000008.idx
00000000000000000008.jsonl.gz
00000000000000000016.idx
00000000000000000016.jsonl.gz.open
LOCK
MANIFEST

$ ls seg/flows/*.jsonl.gz* | wc -l
3

# segments are named by their first offset; all but the last are sealed
$ grep ^segment seg/flows/MANIFEST | cut -d' ' -f1-7
segment 00000000000000000000 sealed records 8 blocks 4
segment 00000000000000000008 sealed records 8 blocks 4
segment 00000000000000000016 active

# every segment, sealed or not, is still a whole gzip file of its records
$ for f in seg/flows/*.jsonl.gz*; do gzip -t $f && zcat $f | wc -l; done
8
8
4

# a sealed segment ends with an empty seal member (version 1, flag bit 0 set)
$ for f in seg/flows/00000000000000000000.jsonl.gz seg/flows/00000000000000000008.jsonl.gz; do tail -c 78 $f | od -An -tx1 -N2 -j16; tail -c 78 $f | zcat | wc -c; done
 01 01
0
 01 01
0

# cat gives the records in ingest order across segments, and so does zcat
$ cat run1.jsonl run2.jsonl run3.jsonl run4.jsonl run5.jsonl | cmp - <(aggr -d seg cat flows) && zcat seg/flows/*.jsonl.gz* | cmp - <(aggr -d seg cat flows) && echo same
same

$ aggr -d seg check

$ aggr -d seg -v check
! aggr: check: flows: ok: 3 segments, 10 blocks, 20 records

$ aggr -d seg info --format csv | cut -d, -f1-5,9-14
log,kind,segments,blocks,records,min_key,max_key,first_offset,next_offset,first_ingest,last_ingest
flows,flows,3,10,20,1,5,0,20,2022-01-15T22:00:00.000000Z,2022-01-15T22:00:00.000000Z
total,,3,10,20,,,,,2022-01-15T22:00:00.000000Z,2022-01-15T22:00:00.000000Z

# raw_bytes is the inflated size; compressed_bytes the segments less their two 78-byte seal members
$ set -o pipefail; aggr -d seg info | jq -r '.[0] | "\(.raw_bytes) \(.compressed_bytes)"' | { read raw comp; echo $raw $(zcat seg/flows/*.jsonl.gz* | wc -c); echo $(( $(cat seg/flows/*.jsonl.gz* | wc -c) - 2 * 78 - comp )); }
1640 1640
0

$ aggr -d seg flows --hour 3 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
r3-1,d,v,3,1,1
r3-2,d,v,3,1,2
r3-3,d,v,3,1,3
r3-4,d,v,3,1,4

$ cp -a seg seg.good

# --- a flipped byte inside the first block of the first segment ---

$ f=seg/flows/00000000000000000000.jsonl.gz; flip $f 100 255; cmp -l $f seg.good/flows/00000000000000000000.jsonl.gz | wc -l
1

# (what zlib makes of the damaged deflate data may vary; file and offset may not)
$ aggr -d seg check
!~ ^aggr: check: flows/00000000000000000000\.jsonl\.gz: offset 0: [a-z]
[8]

$ aggr -d seg check flows
!~ ^aggr: check: flows/00000000000000000000\.jsonl\.gz: offset 0: [a-z]
[8]

$ aggr -d seg flows --hour 1
!~ ^aggr: flows: flows/00000000000000000000\.jsonl\.gz: offset 0: [a-z]
[8]

$ aggr -d seg cat flows
!~ ^aggr: cat: flows/00000000000000000000\.jsonl\.gz: offset 0: [a-z]
[8]

# a query whose blocks are intact still answers: the index says block 0 holds hours 1 only
$ aggr -d seg flows --hour 5 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
r5-1,d,v,5,1,1
r5-2,d,v,5,1,2
r5-3,d,v,5,1,3
r5-4,d,v,5,1,4

# a flipped byte in a block header (its block_len field) fails the header CRC
$ rm -rf seg && cp -a seg.good seg && flip seg/flows/00000000000000000000.jsonl.gz 20 1; aggr -d seg check
! aggr: check: flows/00000000000000000000.jsonl.gz: offset 0: block header CRC mismatch
[8]

$ aggr -d seg flows --hour 1
! aggr: flows: flows/00000000000000000000.jsonl.gz: offset 0: block header CRC mismatch
[8]

# anything appended to a sealed segment is damage, not a torn tail
$ rm -rf seg && cp -a seg.good seg && echo junk >> seg/flows/00000000000000000008.jsonl.gz; aggr -d seg check
!~ ^aggr: check: flows/00000000000000000008\.jsonl\.gz: offset [0-9]+: sealed segment does not end with a seal block$
[8]

# --- garbage after the last commit is an interrupted run: ignored by readers,
# reported by check with a status of its own (9), then dropped ---

$ rm -rf seg && cp -a seg.good seg && cp -a seg.good seg.ctl && echo junk >> seg/flows/00000000000000000016.jsonl.gz.open && aggr -d seg check
! aggr: check: flows: 5 uncommitted bytes of an interrupted run: nothing committed is damaged; the next writer or aggr check --repair removes them
[9]

$ aggr -d seg -v check
! aggr: check: flows: 5 uncommitted bytes of an interrupted run: nothing committed is damaged; the next writer or aggr check --repair removes them
[9]

$ aggr -d seg cat flows | cmp - <(aggr -d seg.good cat flows) && echo same
same

# the next ingest truncates the junk, then appends its block: the segment grows by exactly that block
$ flow late 6 > late.jsonl && AGGR_BLOCK_BYTES=200 aggr -d seg ingest flows late.jsonl
$ f=seg/flows/00000000000000000016; before=$(stat -c %s seg.good/${f#seg/}.jsonl.gz.open); after=$(stat -c %s $f.jsonl.gz.open) && blk=$(tail -c 64 $f.idx | od -An -tu4 -j8 -N4) && echo $(( after - before - blk ))
0

# byte for byte what the same ingest makes of the store without the junk
$ AGGR_BLOCK_BYTES=200 aggr -d seg.ctl ingest flows late.jsonl && for x in seg/flows/*; do cmp $x seg.ctl/flows/${x##*/} || echo differ; done; ls seg/flows | cmp - <(ls seg.ctl/flows) && echo same
same

$ aggr -d seg -v check
! aggr: check: flows: ok: 3 segments, 11 blocks, 21 records

$ aggr -d seg cat flows | tail -2
{"src_app":"r5-4","dest_app":"d","vpc_id":"v","hour":5,"bytes_tx":4,"bytes_rx":1}
{"src_app":"late","dest_app":"d","vpc_id":"v","hour":6,"bytes_tx":1,"bytes_rx":1}

# a whole gzip member after the last commit is not visible to readers either
$ f=seg/flows/00000000000000000016.jsonl.gz.open; head -c $(od -An -tu4 -j72 -N4 seg/flows/00000000000000000016.idx) $f >> $f; zcat $f | wc -l; aggr -d seg cat flows | wc -l; aggr -d seg check
7
21
! aggr: check: flows: 158 uncommitted bytes of an interrupted run: nothing committed is damaged; the next writer or aggr check --repair removes them
[9]

$ AGGR_BLOCK_BYTES=200 aggr -d seg ingest flows late.jsonl && zcat seg/flows/00000000000000000016.jsonl.gz.open | wc -l && aggr -d seg cat flows | wc -l && aggr -d seg check
6
22

# threads change nothing on disk or on stdout: ingest with the deflate
# thread and without it writes the same bytes; cat and check on 1 and 4
# reading threads print the same
$ for t in 1 2; do seq 1 30000 | awk '{ printf "{\"src_app\":\"a%d\",\"dest_app\":\"d%d\",\"vpc_id\":\"v\",\"hour\":%d,\"bytes_tx\":%d,\"bytes_rx\":1}\n", $1 % 97, $1 % 13, $1 % 24, $1 }' | AGGR_THREADS=$t AGGR_BLOCK_BYTES=4096 aggr -d th$t ingest flows || exit; done
$ (cd th1/flows && md5sum MANIFEST *.jsonl.gz* *.idx) > sums && (cd th2/flows && md5sum -c --quiet ../../sums) && ls th1/flows
00000000000000000000.idx
00000000000000000000.jsonl.gz.open
LOCK
MANIFEST

$ AGGR_THREADS=1 aggr -d th1 cat flows | md5sum > one && AGGR_THREADS=4 aggr -d th1 cat flows | md5sum | cmp - one && AGGR_THREADS=4 aggr -d th1 -v check flows
!~ ^aggr: check: flows: ok: 1 segment, [0-9]+ blocks, 30000 records$

$ AGGR_THREADS=4 aggr -d th1 cat flows | head -1
{"src_app":"a1","dest_app":"d1","vpc_id":"v","hour":1,"bytes_tx":1,"bytes_rx":1}
