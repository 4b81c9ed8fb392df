# aggr cat: --from, -n/--tail, --show-offset, --cursor-file, --follow, and
# how they combine with --since/--until and with retention.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# A case that starts with "aggr purge" starts that log afresh.
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: exp, fo, old.

# three runs of two counters records: offsets 0-5
$ for i in 1 2 3; do printf '{"timestamp":%d,"a.com":%d}\n' 1642284000 $i 1642284060 $i | aggr ingest counters - || exit; done

$ aggr cat counters --from 4
{"timestamp":1642284000,"a.com":3}
{"timestamp":1642284060,"a.com":3}

# a start inside a block (runs are blocks)
$ aggr cat counters --from 3 --show-offset
{"offset":3,"record":{"timestamp":1642284060,"a.com":2}}
{"offset":4,"record":{"timestamp":1642284000,"a.com":3}}
{"offset":5,"record":{"timestamp":1642284060,"a.com":3}}

$ aggr cat counters --from 0 | wc -l
6

# the end itself: nothing, exit 0; past it: exit 4
$ aggr cat counters --from 6

$ aggr cat counters --from 7
! aggr: cat: counters: offset 7 is past the end of the log (next offset 6)
[4]

$ aggr cat counters -n 2
{"timestamp":1642284000,"a.com":3}
{"timestamp":1642284060,"a.com":3}

$ aggr cat counters --tail 3 --show-offset
{"offset":3,"record":{"timestamp":1642284060,"a.com":2}}
{"offset":4,"record":{"timestamp":1642284000,"a.com":3}}
{"offset":5,"record":{"timestamp":1642284060,"a.com":3}}

$ aggr cat counters -n 100 | wc -l
6

# with a window: the last N of the records in it
$ aggr cat counters -n 2 --since 2022-01-15T22:01:00Z --show-offset
{"offset":3,"record":{"timestamp":1642284060,"a.com":2}}
{"offset":5,"record":{"timestamp":1642284060,"a.com":3}}

$ aggr cat counters --from 2 --until 2022-01-15T22:01:00Z
{"timestamp":1642284000,"a.com":2}
{"timestamp":1642284000,"a.com":3}

$ aggr cat counters --from 5 -n 4 --show-offset
{"offset":5,"record":{"timestamp":1642284060,"a.com":3}}

# --- a cursor file: every record once, across runs ---

$ aggr cat counters --cursor-file cur | wc -l; cat cur
6
counters 6

# nothing new: nothing printed, the cursor stays
$ aggr cat counters --cursor-file cur; cat cur
counters 6

$ printf '{"timestamp":1642284100,"b.com":1}\n' | aggr ingest counters - && aggr cat counters --cursor-file cur --show-offset; cat cur
{"offset":6,"record":{"timestamp":1642284100,"b.com":1}}
counters 7

# a window moves the cursor past every record read, printed or not
$ printf '{"timestamp":1642284000,"b.com":2}\n{"timestamp":1642284100,"b.com":3}\n' | aggr ingest counters - && aggr cat counters --cursor-file cur --since 2022-01-15T22:01:00Z; cat cur
{"timestamp":1642284100,"b.com":3}
counters 9

# -n with a cursor: the last N after it
$ printf '{"timestamp":1642284000,"c.com":%d}\n' 1 2 3 | aggr ingest counters - && aggr cat counters --cursor-file cur -n 1; cat cur
{"timestamp":1642284000,"c.com":3}
counters 12

# a cursor file in another directory, named like a hidden file
$ mkdir sub && aggr cat counters --cursor-file sub/.c --from 0 2>&1 | head -2
aggr: cat: --from and --cursor-file cannot be combined
Try 'aggr help cat'.

$ aggr cat counters --cursor-file sub/.c | wc -l; cat sub/.c; ls -A sub
12
counters 12
.c

# --- bad cursor files: exit 3, nothing printed, the file kept ---

$ printf 'counters 13\n' > c13 && aggr cat counters --cursor-file c13; r=$?; cat c13; exit $r
! aggr: cat: counters: offset 13 is past the end of the log (next offset 12)
counters 13
[4]

$ : > empty && aggr cat counters --cursor-file empty
! aggr: cat: empty:1: not a cursor file: empty
[3]

$ printf 'counters 3' > nonl && aggr cat counters --cursor-file nonl
! aggr: cat: nonl:1: not a cursor file: not one line "LOG OFFSET"
[3]

$ printf 'counters 3\ncounters 4\n' > two && aggr cat counters --cursor-file two
! aggr: cat: two:1: not a cursor file: not one line "LOG OFFSET"
[3]

$ printf 'counters -1\n' > neg && aggr cat counters --cursor-file neg
! aggr: cat: neg:1: not a cursor file: offset is not a non-negative integer
[3]

$ printf 'counters 1x\n' > junk && aggr cat counters --cursor-file junk
! aggr: cat: junk:1: not a cursor file: offset is not a non-negative integer
[3]

$ printf 'counters \n' > noval && aggr cat counters --cursor-file noval
! aggr: cat: noval:1: not a cursor file: offset is not a non-negative integer
[3]

$ printf 'flows 3\n' > other && aggr cat counters --cursor-file other; r=$?; cat other; exit $r
! aggr: cat: other:1: cursor of log flows, not of counters
flows 3
[3]

$ head -c 1000 /dev/zero | tr '\0' x > big && aggr cat counters --cursor-file big
! aggr: cat: big:1: not a cursor file: longer than 256 bytes
[3]

$ mkdir cdir && aggr cat counters --cursor-file cdir
!~ ^aggr: cat: cannot read cursor file cdir: 
[1]

$ aggr cat counters --cursor-file sub/
!~ ^aggr: cat: 
[1]

$ aggr cat counters --cursor-file ''
! aggr: cat: --cursor-file: empty file name
! Try 'aggr help cat'.
[2]

# a cursor file that cannot be written: the records are printed, exit 1
$ set -o pipefail; aggr cat counters --cursor-file nodir/c | wc -l
12
! aggr: cat: cannot create nodir/.c.tmp: No such file or directory
[1]

# --- bad values ---

$ aggr cat counters --from -1
! aggr: cat: --from: must be at least 0: -1
! Try 'aggr help cat'.
[2]

$ aggr cat counters --from x
! aggr: cat: --from: not an integer: x
! Try 'aggr help cat'.
[2]

$ aggr cat counters -n 0
! aggr: cat: --tail: must be at least 1: 0
! Try 'aggr help cat'.
[2]

$ aggr cat counters --tail 1x
! aggr: cat: --tail: not an integer: 1x
! Try 'aggr help cat'.
[2]

$ aggr info counters --from 1
! aggr: info: unknown option: --from
! Try 'aggr help info'.
[2]

$ aggr check -n 1
! aggr: check: unknown option: -n
! Try 'aggr help check'.
[2]

# a stream that does not exist
$ aggr cat streams/nosuch --from 0
! aggr: cat: streams/nosuch: no such stream
[4]

# --- retention removed what the cursor points at: counted, never silent ---

# two old runs in their own segments, then a new one
$ AGGR_SEGMENT_BYTES=1 AGGR_NOW=2022-01-01T00:00:00Z sh -c 'for i in 1 2; do printf "{\"timestamp\":1642284000,\"r.com\":%d}\n" $i $i | aggr ingest counters --data-dir old || exit; done'
$ AGGR_SEGMENT_BYTES=1 sh -c 'printf "{\"timestamp\":1642284000,\"r.com\":3}\n" | aggr ingest counters --data-dir old'
$ aggr cat counters -d old --show-offset -n 1
{"offset":4,"record":{"timestamp":1642284000,"r.com":3}}

$ printf 'counters 1\n' > oc && aggr retain counters -d old --older-than 7d && aggr cat counters -d old --cursor-file oc; cat oc
{"timestamp":1642284000,"r.com":3}
counters 5
! aggr: cat: counters: skipped 3 records at offsets 1-3: removed by retention or purge

$ aggr cat counters -d old --from 0
{"timestamp":1642284000,"r.com":3}
! aggr: cat: counters: skipped 4 records at offsets 0-3: removed by retention or purge

# without a start asked for, the whole log: no warning
$ aggr cat counters -d old
{"timestamp":1642284000,"r.com":3}

# expired but not yet deleted (a retention period, no retain run) counts the same
$ AGGR_SEGMENT_BYTES=1 AGGR_NOW=2022-01-01T00:00:00Z sh -c 'printf "{\"timestamp\":1642284000,\"e.com\":1}\n" | aggr ingest counters -d exp && aggr retain counters -d exp --set 30d'
$ AGGR_SEGMENT_BYTES=1 sh -c 'printf "{\"timestamp\":1642284000,\"e.com\":2}\n" | aggr ingest counters -d exp --no-wait'
$ aggr cat counters -d exp --from 0
{"timestamp":1642284000,"e.com":1}
{"timestamp":1642284000,"e.com":2}

$ AGGR_NOW=2022-03-01T00:00:00Z aggr cat counters -d exp --from 0 --show-offset
! aggr: cat: counters: skipped 2 records at offsets 0-1: removed by retention or purge

# purge keeps the offsets going: a cursor before the purge is skipped forward
$ printf 'counters 0\n' > pc && aggr purge counters -d old && aggr cat counters -d old --cursor-file pc; cat pc
counters 5
! aggr: cat: counters: skipped 5 records at offsets 0-4: removed by retention or purge

# --- follow ---

# the records there, then each new run as it commits, across segment rolls;
# SIGTERM stops it (exit 0) with the cursor saved after the last record
$ for i in 1 2 3; do printf '{"timestamp":1642284000,"f.com":%d}\n' $i > f$i.json; done; mkdir fo
$ nolsan timeout -k 5 60 aggr cat counters -d fo --follow --cursor-file fcur --show-offset > out 2> err & pid=$!; sleep 0.3; for i in 1 2 3; do cat f$i.json | AGGR_SEGMENT_BYTES=1 aggr ingest counters -d fo || exit; wait_for lines out $i; done; finish TERM $pid; cat out err fcur
exit 0
{"offset":0,"record":{"timestamp":1642284000,"f.com":1}}
{"offset":1,"record":{"timestamp":1642284000,"f.com":2}}
{"offset":2,"record":{"timestamp":1642284000,"f.com":3}}
counters 3

# ... the three runs (the case above) rolled three segments
$ aggr info counters -d fo | jq '.[0].segments'
3

# -n then follow; SIGINT stops it too
$ nolsan timeout -k 5 60 aggr cat counters -d fo -f -n 1 > out2 & pid=$!; wait_for test -s out2; printf '{"timestamp":1642284000,"f.com":4}\n' | aggr ingest counters -d fo; wait_for lines out2 2; finish INT $pid; cat out2
exit 0
{"timestamp":1642284000,"f.com":3}
{"timestamp":1642284000,"f.com":4}

# a window applies to the records followed
$ printf '{"timestamp":1642284000,"f.com":5}\n{"timestamp":1642284060,"f.com":6}\n' > f56.json
$ nolsan timeout -k 5 60 aggr cat counters -d fo -f --from 4 --since 2022-01-15T22:01:00Z > out3 & pid=$!; sleep 0.3; cat f56.json | aggr ingest counters -d fo; wait_for test -s out3; finish TERM $pid; cat out3
exit 0
{"timestamp":1642284060,"f.com":6}

# a closed standard output stops it, with no record to write
$ ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 timeout -k 5 20 aggr cat counters -d fo -f --from 6 | true; echo "${PIPESTATUS[0]}"
0

# retention while following: the skipped records are counted (g.com 1 is
# ingested expired, in a segment of its own)
$ aggr retain counters -d fo --set 30d

$ for i in 1 2; do printf '{"timestamp":1642284000,"g.com":%d}\n' $i > g$i.json; done
$ nolsan timeout -k 5 60 aggr cat counters -d fo -f --from 6 > out4 2> err4 & pid=$!; sleep 0.3; AGGR_SEGMENT_BYTES=1 sh -c 'cat g1.json | AGGR_NOW=2021-12-01T00:00:00Z aggr ingest counters -d fo; cat g2.json | aggr ingest counters -d fo' ; wait_for test -s out4; finish TERM $pid; cat out4 err4
exit 0
{"timestamp":1642284000,"g.com":2}
aggr: cat: counters: skipped 1 record at offset 6: removed by retention or purge
