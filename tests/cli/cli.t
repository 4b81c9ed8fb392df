# aggr's command line: help, version, usage errors, global options, output
# errors, -q/-v, info, check, purge, the writer lock, symlinked logs.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# A case that starts with "aggr purge" starts that log afresh.
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: afile, d2, dash, empty, nolog, nothing, one, purged, seed, sym, sym2, two.

# --- help and version: stdout, exit 0 ---

$ aggr --help > out; r=$?; head -1 out; exit $r
usage: aggr [-d DIR] [-q|-v] COMMAND [OPTIONS] [ARGS]

$ aggr -h > out; r=$?; head -1 out; exit $r
usage: aggr [-d DIR] [-q|-v] COMMAND [OPTIONS] [ARGS]

$ aggr help > out; r=$?; head -1 out; aggr --help | cmp - out && echo same; exit $r
usage: aggr [-d DIR] [-q|-v] COMMAND [OPTIONS] [ARGS]
same

$ aggr help flows > out; r=$?; head -1 out; exit $r
usage: aggr flows --hour H [--page P] [--size S] [--format FMT]

$ aggr flows --help > out; r=$?; head -1 out; aggr help flows | cmp - out && echo same; exit $r
usage: aggr flows --hour H [--page P] [--size S] [--format FMT]
same

$ aggr ingest --help > out; r=$?; head -1 out; exit $r
usage: aggr ingest KIND [--max-batch N] [--batch-id ID|auto] [FILE...]

$ for c in cat info check purge help; do aggr help $c | head -1; done
usage: aggr cat LOG [--since TIME] [--until TIME] [--tz ZONE] [--format ndjson]
usage: aggr info [LOG] [--format FMT]
usage: aggr check [LOG] [--repair]
usage: aggr purge LOG
usage: aggr help [COMMAND]

# --help wins over a missing required option
$ aggr flows -h > out; r=$?; head -1 out; exit $r
usage: aggr flows --hour H [--page P] [--size S] [--format FMT]

$ aggr --version
aggr 0.1.0

$ aggr -V
aggr 0.1.0

# --- usage errors: stderr, exit 2 ---

# no command: the usage on stderr, nothing on stdout
$ aggr 2> err; r=$?; head -1 err >&2; aggr --help | cmp - err >&2; exit $r
! usage: aggr [-d DIR] [-q|-v] COMMAND [OPTIONS] [ARGS]
[2]

$ aggr bogus
! aggr: unknown command: bogus
! Try 'aggr --help'.
[2]

$ aggr version
! aggr: unknown command: version
! Try 'aggr --help'.
[2]

$ aggr help bogus
! aggr: help: unknown command: bogus
! Try 'aggr help help'.
[2]

$ aggr --bogus
! aggr: unknown option: --bogus
! Try 'aggr --help'.
[2]

$ aggr -x flows --hour 1
! aggr: unknown option: -x
! Try 'aggr --help'.
[2]

$ aggr flows --hour 1 --bogus
! aggr: flows: unknown option: --bogus
! Try 'aggr help flows'.
[2]

$ aggr flows --hour
! aggr: flows: option requires an argument: --hour
! Try 'aggr help flows'.
[2]

$ aggr -d
! aggr: option requires an argument: -d
! Try 'aggr --help'.
[2]

$ aggr --data-dir
! aggr: option requires an argument: --data-dir
! Try 'aggr --help'.
[2]

$ aggr flows --hour 1 extra
! aggr: flows: unexpected argument: extra
! Try 'aggr help flows'.
[2]

$ aggr ingest
! aggr: ingest: missing KIND (flows, counters, events, sessions)
! Try 'aggr help ingest'.
[2]

$ aggr ingest bogus /dev/null
! aggr: ingest: unknown kind: bogus (flows, counters, events, sessions)
! Try 'aggr help ingest'.
[2]

$ aggr cat
! aggr: cat: missing LOG (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help cat'.
[2]

$ aggr cat flows extra
! aggr: cat: unexpected argument: extra
! Try 'aggr help cat'.
[2]

# log names cannot leave the data directory or name hidden streams
$ aggr cat ../x
! aggr: cat: not a log name: ../x (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help cat'.
[2]

$ aggr cat streams/.x
! aggr: cat: not a log name: streams/.x (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help cat'.
[2]

$ aggr cat streams/../flows
! aggr: cat: not a log name: streams/../flows (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help cat'.
[2]

$ aggr cat /etc
! aggr: cat: not a log name: /etc (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help cat'.
[2]

$ aggr cat flows/
! aggr: cat: not a log name: flows/ (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help cat'.
[2]

$ aggr cat streams/
! aggr: cat: not a log name: streams/ (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help cat'.
[2]

$ aggr info bogus
! aggr: info: not a log name: bogus (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help info'.
[2]

$ aggr check ../flows
! aggr: check: not a log name: ../flows (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help check'.
[2]

$ aggr purge
! aggr: purge: missing LOG (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help purge'.
[2]

$ aggr ingest flows --wait x /dev/null
! aggr: ingest: --wait: not a number of seconds or forever: x
! Try 'aggr help ingest'.
[2]

$ aggr ingest flows --wait -1 /dev/null
! aggr: ingest: --wait: not a number of seconds or forever: -1
! Try 'aggr help ingest'.
[2]

$ aggr info --format bogus
! aggr: info: --format: unknown format: bogus (json, ndjson, csv, tsv, table)
! Try 'aggr help info'.
[2]

$ aggr --format bogus info
! aggr: --format: unknown format: bogus (json, ndjson, csv, tsv, table)
! Try 'aggr --help'.
[2]

# none of that created anything
$ test -e "$AGGR_DIR" && echo exists || echo absent
absent

# readers on a data directory that does not exist say so (exit 4, a typo
# in -d or $AGGR_DIR), as check does, and create nothing
$ aggr info; echo $?; aggr cat flows; echo $?; aggr -d /typo flows --hour 1; echo $?; test -e "$AGGR_DIR" && echo exists || echo absent
4
4
4
absent
!~ ^aggr: info: /.*/data: no such data directory$
!~ ^aggr: cat: /.*/data: no such data directory$
!~ ^aggr: flows: /typo: no such data directory$

# check too
$ aggr check; r=$?; aggr -d /typo check flows; echo $r $?
4 4
!~ ^aggr: check: /.*/data: no such data directory$
!~ ^aggr: check: /typo: no such data directory$

# a data directory without the log: empty, and its kind follows from its name
$ mkdir nolog; aggr -d nolog info flows
| [{"log":"flows","kind":"flows","segments":0,"blocks":0,"records":0,"raw_bytes":0,"compressed_bytes":0,"ratio":null,"min_key":null,"max_key":null,"first_offset":0,"next_offset":0,"first_ingest":null,"last_ingest":null,"min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":0,"expired_records":0,"batch_ids":0,"disk_bytes":0,"retention_bytes":null}]

# a data directory that is a regular file is an error, for readers too
$ echo x > afile && aggr -d afile ingest flows "$SEED/000-flow-aggregation/test_data1.json"
! aggr: ingest: cannot create directory afile/flows: Not a directory
[1]

$ aggr -d afile info
! aggr: info: afile: not a directory
[1]

# --- the data directory: -d before or after the command, else $AGGR_DIR, $XDG_DATA_HOME, $HOME ---

$ aggr -d one ingest flows "$FLOWS1" && aggr ingest flows -d two "$FLOWS1" && aggr ingest flows "$FLOWS1" --data-dir=two && ls one two
one:
flows
|
two:
flows

$ aggr cat flows -d one | wc -l; aggr --data-dir two cat flows | wc -l; aggr -dtwo cat flows | wc -l
5
10
10

# -d wins over $AGGR_DIR, which stays absent
$ aggr cat flows | wc -l; test -e "$AGGR_DIR" && echo exists || echo absent
0
absent
!~ ^aggr: cat: /.*/data: no such data directory$

$ env -u AGGR_DIR XDG_DATA_HOME="$PWD/xdg" aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json" && ls xdg/aggr
flows

$ mkdir -p home && env -u AGGR_DIR -u XDG_DATA_HOME HOME="$PWD/home" aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json" && ls home/.local/share/aggr
flows

$ env -u AGGR_DIR -u XDG_DATA_HOME -u HOME aggr info
! aggr: info: no data directory: use -d DIR or set AGGR_DIR or HOME
[2]

# an empty -d is a usage error, not $AGGR_DIR: nothing is created there
$ AGGR_DIR=$PWD/empty-d aggr -d "" ingest flows "$SEED/000-flow-aggregation/test_data1.json"; r=$?; test -e empty-d && echo exists || echo absent; exit $r
absent
! aggr: -d: empty directory name
! Try 'aggr --help'.
[2]

$ AGGR_DIR=$PWD/empty-d aggr ingest flows --data-dir= "$SEED/000-flow-aggregation/test_data1.json"; r=$?; test -e empty-d && echo exists || echo absent; exit $r
absent
! aggr: ingest: -d: empty directory name
! Try 'aggr help ingest'.
[2]

$ aggr info -d ''
! aggr: info: -d: empty directory name
! Try 'aggr help info'.
[2]

# a FILE named like an option, after --
$ cp "$SEED/000-flow-aggregation/test_data1.json" ./-v && aggr -d dash ingest flows -- -v && aggr -d dash cat flows | wc -l
5

# --- -q and -v on ingest ---

$ aggr -v ingest flows "$SEED/000-flow-aggregation/test_data1.json"
! aggr: ingest: stored 5 records in flows

$ aggr ingest -v flows "$SEED/000-flow-aggregation/test_data1.json"
! aggr: ingest: stored 5 records in flows

$ aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json" --verbose
! aggr: ingest: stored 5 records in flows

$ aggr -q ingest flows "$SEED/000-flow-aggregation/test_data1.json"

# the last of -q and -v wins
$ aggr -q -v ingest flows "$SEED/000-flow-aggregation/test_data1.json"
! aggr: ingest: stored 5 records in flows

$ aggr -v -q ingest flows "$SEED/000-flow-aggregation/test_data1.json"

# -q still reports errors
$ aggr -q ingest flows no-such-file
! aggr: ingest: cannot open no-such-file: No such file or directory
[1]

$ aggr -q flows
! aggr: flows: --hour is required
! Try 'aggr help flows'.
[2]

# --- info on the seed (ingest time is AGGR_NOW) ---

$ aggr purge flows -d seed; aggr -d seed ingest flows "$SEED/000-flow-aggregation/test_data1.json"

$ aggr -d seed info
| [{"log":"flows","kind":"flows","segments":1,"blocks":1,"records":5,"raw_bytes":455,"compressed_bytes":187,"ratio":2.43,"min_key":1,"max_key":2,"first_offset":0,"next_offset":5,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":5,"expired_records":0,"batch_ids":0,"disk_bytes":405,"retention_bytes":null},{"log":"total","kind":null,"segments":1,"blocks":1,"records":5,"raw_bytes":455,"compressed_bytes":187,"ratio":2.43,"min_key":null,"max_key":null,"first_offset":null,"next_offset":null,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":5,"expired_records":0,"batch_ids":0,"disk_bytes":405,"retention_bytes":null}]

$ aggr -d seed info flows
| [{"log":"flows","kind":"flows","segments":1,"blocks":1,"records":5,"raw_bytes":455,"compressed_bytes":187,"ratio":2.43,"min_key":1,"max_key":2,"first_offset":0,"next_offset":5,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":5,"expired_records":0,"batch_ids":0,"disk_bytes":405,"retention_bytes":null}]

$ aggr -d seed info --format table
log    kind   segments  blocks  records  raw_bytes  compressed_bytes  ratio  min_key  max_key  first_offset  next_offset  first_ingest                 last_ingest                  min_key_time  max_key_time  retention_seconds  live_records  expired_records  batch_ids  disk_bytes  retention_bytes
flows  flows         1       1        5        455               187   2.43        1        2             0            5  2022-01-15T22:00:00.000000Z  2022-01-15T22:00:00.000000Z                                                            5                0          0         405
total                1       1        5        455               187   2.43                                               2022-01-15T22:00:00.000000Z  2022-01-15T22:00:00.000000Z                                                            5                0          0         405

$ aggr -d seed info --format ndjson
{"log":"flows","kind":"flows","segments":1,"blocks":1,"records":5,"raw_bytes":455,"compressed_bytes":187,"ratio":2.43,"min_key":1,"max_key":2,"first_offset":0,"next_offset":5,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":5,"expired_records":0,"batch_ids":0,"disk_bytes":405,"retention_bytes":null}
{"log":"total","kind":null,"segments":1,"blocks":1,"records":5,"raw_bytes":455,"compressed_bytes":187,"ratio":2.43,"min_key":null,"max_key":null,"first_offset":null,"next_offset":null,"first_ingest":"2022-01-15T22:00:00.000000Z","last_ingest":"2022-01-15T22:00:00.000000Z","min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":5,"expired_records":0,"batch_ids":0,"disk_bytes":405,"retention_bytes":null}

$ aggr -d seed info --format csv
log,kind,segments,blocks,records,raw_bytes,compressed_bytes,ratio,min_key,max_key,first_offset,next_offset,first_ingest,last_ingest,min_key_time,max_key_time,retention_seconds,live_records,expired_records,batch_ids,disk_bytes,retention_bytes
flows,flows,1,1,5,455,187,2.43,1,2,0,5,2022-01-15T22:00:00.000000Z,2022-01-15T22:00:00.000000Z,,,,5,0,0,405,
total,,1,1,5,455,187,2.43,,,,,2022-01-15T22:00:00.000000Z,2022-01-15T22:00:00.000000Z,,,,5,0,0,405,

# raw_bytes is what zcat prints
$ zcat seed/flows/*.jsonl.gz* | wc -c
455

# a second run adds a block and moves the offsets
$ aggr -d seed ingest flows "$SEED/000-flow-aggregation/test_data1.json" && aggr -d seed info --format tsv | cut -f3-5,11,12
segments	blocks	records	first_offset	next_offset
1	2	10	0	10
1	2	10		

# an empty data directory has no logs
$ mkdir empty && aggr -d empty info
| [{"log":"total","kind":null,"segments":0,"blocks":0,"records":0,"raw_bytes":0,"compressed_bytes":0,"ratio":null,"min_key":null,"max_key":null,"first_offset":null,"next_offset":null,"first_ingest":null,"last_ingest":null,"min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":0,"expired_records":0,"batch_ids":0,"disk_bytes":0,"retention_bytes":null}]

# --- check ---

$ aggr -d seed check

$ aggr -d seed check flows

$ aggr -d seed -v check
! aggr: check: flows: ok: 1 segment, 2 blocks, 10 records

$ aggr -d seed check --repair

# --- writing to a full disk ---

$ aggr -d seed flows --hour 1 > /dev/full
! aggr: flows: cannot write standard output: No space left on device
[1]

$ aggr -d seed flows --hour 1 --format csv > /dev/full
! aggr: flows: cannot write standard output: No space left on device
[1]

$ aggr -d seed cat flows > /dev/full
! aggr: cat: cannot write standard output: No space left on device
[1]

$ aggr -d seed info > /dev/full
! aggr: info: cannot write standard output: No space left on device
[1]

$ aggr --help > /dev/full
! aggr: cannot write standard output: No space left on device
[1]

$ aggr help flows > /dev/full
! aggr: help: cannot write standard output: No space left on device
[1]

$ aggr --version > /dev/full
! aggr: cannot write standard output: No space left on device
[1]

# --- purge ---

# purge empties the log and leaves it healthy; offsets are not reused
$ aggr -d purged ingest flows "$SEED/000-flow-aggregation/test_data1.json" && aggr -d purged purge flows && ls purged/flows
LOCK
MANIFEST

$ aggr -d purged cat flows

$ aggr -d purged info
| [{"log":"flows","kind":"flows","segments":0,"blocks":0,"records":0,"raw_bytes":0,"compressed_bytes":0,"ratio":null,"min_key":null,"max_key":null,"first_offset":5,"next_offset":5,"first_ingest":null,"last_ingest":null,"min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":0,"expired_records":0,"batch_ids":0,"disk_bytes":66,"retention_bytes":null},{"log":"total","kind":null,"segments":0,"blocks":0,"records":0,"raw_bytes":0,"compressed_bytes":0,"ratio":null,"min_key":null,"max_key":null,"first_offset":null,"next_offset":null,"first_ingest":null,"last_ingest":null,"min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":0,"expired_records":0,"batch_ids":0,"disk_bytes":66,"retention_bytes":null}]

$ aggr -d purged flows --hour 1
{"items":[],"total":0,"page":1,"size":50}

$ aggr -d purged -v check
! aggr: check: flows: ok: 0 segments, 0 blocks, 0 records

$ aggr -d purged -v ingest flows "$SEED/000-flow-aggregation/test_data1.json" && aggr -d purged info --format csv | cut -d, -f3-5,11,12 && ls purged/flows
segments,blocks,records,first_offset,next_offset
1,1,5,5,10
1,1,5,,
00000000000000000005.idx
00000000000000000005.jsonl.gz.open
LOCK
MANIFEST
! aggr: ingest: stored 5 records in flows

$ aggr -d purged flows --hour 2 --format csv
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
baz,qux,vpc-0,2,500,100
baz,qux,vpc-1,2,500,100

# purging a log that was never written is a no-op
$ aggr -d nothing purge flows; test -e nothing && echo exists || echo absent
absent

$ aggr purge bogus
! aggr: purge: not a log name: bogus (flows, counters, events, sessions, streams/NAME)
! Try 'aggr help purge'.
[2]

# --- the writer lock ---

# hold LOCK in the background until it is taken, then try to write
$ aggr ingest flows "$FLOWS1" && md5sum "$AGGR_DIR"/flows/* > sums; flock "$AGGR_DIR/flows/LOCK" sleep 1 & until ! flock -n "$AGGR_DIR/flows/LOCK" true 2>/dev/null; do sleep 0.05; done; aggr ingest flows --no-wait "$FLOWS1"; r=$?; md5sum -c --quiet sums; wait; exit $r
! aggr: ingest: flows is locked by another writer
[5]

$ flock "$AGGR_DIR/flows/LOCK" sleep 1 & until ! flock -n "$AGGR_DIR/flows/LOCK" true; do sleep 0.05; done; aggr --no-wait ingest flows "$FLOWS1"; r=$?; md5sum -c --quiet sums; wait; exit $r
! aggr: ingest: flows is locked by another writer
[5]

$ flock "$AGGR_DIR/flows/LOCK" sleep 1 & until ! flock -n "$AGGR_DIR/flows/LOCK" true; do sleep 0.05; done; aggr ingest flows --wait 0.2 "$FLOWS1"; r=$?; md5sum -c --quiet sums; wait; exit $r
! aggr: ingest: flows is locked by another writer (gave up waiting)
[5]

$ flock "$AGGR_DIR/flows/LOCK" sleep 1 & until ! flock -n "$AGGR_DIR/flows/LOCK" true; do sleep 0.05; done; aggr purge --no-wait flows; r=$?; md5sum -c --quiet sums; wait; exit $r
! aggr: purge: flows is locked by another writer
[5]

# readers take no lock
$ flock "$AGGR_DIR/flows/LOCK" sleep 1 & until ! flock -n "$AGGR_DIR/flows/LOCK" true; do sleep 0.05; done; aggr flows --hour 2; aggr cat flows | wc -l; aggr check; wait
{"items":[{"src_app":"baz","dest_app":"qux","vpc_id":"vpc-0","hour":2,"bytes_rx":3500,"bytes_tx":700},{"src_app":"baz","dest_app":"qux","vpc_id":"vpc-1","hour":2,"bytes_rx":3500,"bytes_tx":700}],"total":2,"page":1,"size":50}
35

# a writer that may wait gets the lock once it is released (and with -v
# says what it waits for)
$ flock "$AGGR_DIR/flows/LOCK" sleep 1 & p=$!; until ! flock -n "$AGGR_DIR/flows/LOCK" true; do sleep 0.05; done; aggr -v ingest flows --wait 10 "$FLOWS1" 2>err; r=$?; wait; sed "s/(held by pid $p)/(held by pid P)/" err >&2; exit $r
! aggr: ingest: waiting for lock on flows (held by pid P)
! aggr: ingest: stored 5 records in flows

# --- a symlinked log directory is refused (exit 6, permission denied) ---

$ mkdir -p sym && aggr -d sym ingest flows "$SEED/000-flow-aggregation/test_data1.json" && mv sym/flows real-flows && ln -s ../real-flows sym/flows && md5sum real-flows/* > symsums

$ aggr -d sym ingest flows "$SEED/000-flow-aggregation/test_data1.json"; r=$?; md5sum -c --quiet symsums; exit $r
! aggr: ingest: flows: not a directory (symlinks are refused)
[6]

$ aggr -d sym cat flows
! aggr: cat: flows: refusing a symlinked log directory
[6]

$ aggr -d sym flows --hour 1
! aggr: flows: flows: refusing a symlinked log directory
[6]

$ aggr -d sym info
! aggr: info: flows: refusing a symlinked log directory
[6]

$ aggr -d sym check
! aggr: check: flows: refusing a symlinked log directory
[6]

$ aggr -d sym purge flows; r=$?; md5sum -c --quiet symsums; exit $r
! aggr: purge: flows: refusing a symlinked log directory
[6]

# also when the link points at an empty directory
$ mkdir -p sym2 empty-target && ln -s ../empty-target sym2/flows && aggr -d sym2 check
! aggr: check: flows: refusing a symlinked log directory
[6]

$ aggr -d sym2 info
! aggr: info: flows: refusing a symlinked log directory
[6]

$ aggr -d sym2 ingest flows "$SEED/000-flow-aggregation/test_data1.json"; r=$?; ls empty-target; exit $r
! aggr: ingest: flows: not a directory (symlinks are refused)
[6]

# -v purge says what it deleted (in a fresh data directory)
$ aggr -d d2 ingest flows "$SEED/000-flow-aggregation/test_data1.json" && aggr -d d2 -v purge flows
! aggr: purge: deleted 5 records (1 segment) from flows

# offsets go on after purge; bytes after the last commit are reported (exit 9)
$ aggr -d d2 ingest flows "$SEED/000-flow-aggregation/test_data1.json"; head -c 20 /dev/zero >> d2/flows/00000000000000000005.idx; aggr -d d2 -v check
! aggr: check: flows: 20 uncommitted bytes of an interrupted run: nothing committed is damaged; the next writer or aggr check --repair removes them
[9]

$ aggr flows --hour 1 --size 99999999999999999999999
! aggr: flows: --size: out of range: 99999999999999999999999
! Try 'aggr help flows'.
[2]
