# Rough edges a daily shell user hits (issue 16).
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: b, c, k, l, never, nolog, one, tty, typo, w.

# make demo runs on samples/ alone and shows every kind
$ sh "$SAMPLES/demo.sh" aggr > demo.out 2>&1; echo "exit $?"; grep -c '^\$ aggr' demo.out; grep -oE '^(counters|events|flows|sessions|streams/orders) ' demo.out | sort -u | tr -d ' '
exit 0
20
counters
events
flows
sessions
streams/orders

# -q hides progress even on a terminal (script gives aggr a tty); without
# -q it shows there
$ aggr ingest flows "$SAMPLES/flows.json"; script -qec 'aggr -q cat flows >/dev/null' /dev/null </dev/null | wc -c; script -qec 'aggr cat flows >/dev/null' /dev/null </dev/null | tr '\r' '|' | cat -v
0
|aggr: cat: block 1 of 1^[[K|^[[K

# TERM=dumb: no escape sequences; the line is blanked with spaces
$ TERM=dumb aggr --progress cat flows 2>err >/dev/null; tr '\r' '|' < err; echo; grep -c $'\033' err; true
|aggr: cat: block 1 of 1|                       |
0

# AGGR_THREADS is checked like the other variables
$ AGGR_THREADS=abc aggr cat flows
! aggr: AGGR_THREADS: not a number of threads from 1 to 1024: abc
[2]

$ AGGR_THREADS=0 aggr flows --hour 1
! aggr: AGGR_THREADS: not a number of threads from 1 to 1024: 0
[2]

$ AGGR_THREADS=2 aggr cat flows | wc -l
5

# --wait 0 fails at once, --wait forever waits; the wait is announced
# with -v, naming the holder
$ flock "$AGGR_DIR/flows/LOCK" sleep 1 & p=$!; sleep 0.3; aggr ingest flows --wait 0 "$SAMPLES/flows.json"; echo "exit $?"; aggr -v ingest flows --wait forever "$SAMPLES/flows.json" 2>&1 | sed "s/pid $p)/pid P)/"; wait
exit 5
aggr: ingest: waiting for lock on flows (held by pid P)
aggr: ingest: stored 5 records in flows
! aggr: ingest: flows is locked by another writer

$ aggr ingest flows --wait soon "$SAMPLES/flows.json"
! aggr: ingest: --wait: not a number of seconds or forever: soon
! Try 'aggr help ingest'.
[2]

# a waiting writer without -v and without a terminal stays quiet
$ flock "$AGGR_DIR/flows/LOCK" sleep 0.5 & sleep 0.2; aggr ingest flows "$SAMPLES/flows.json"; wait; aggr cat flows | wc -l
15

# a write error on standard output is reported once
$ seq 1 30000 | awk '{printf "{\"src_app\":\"s%d\",\"dest_app\":\"d\",\"vpc_id\":\"v\",\"hour\":9,\"bytes_tx\":1,\"bytes_rx\":1}\n", $1}' | aggr ingest flows; aggr cat flows > /dev/full
! aggr: cat: cannot write standard output: No space left on device
[1]

$ aggr flows --hour 9 --size 100000 > /dev/full
! aggr: flows: cannot write standard output: No space left on device
[1]

$ trap '' PIPE; aggr cat flows | head -c 1 > /dev/null; exit ${PIPESTATUS[0]}
! aggr: cat: cannot write standard output: Broken pipe
[1]

# instants aggr makes itself have six fraction digits, so they sort as text
$ AGGR_NOW=2022-01-15T15:09:35.74154Z aggr ingest counters "$SAMPLES/counters.json"; AGGR_NOW=2022-01-15T15:09:36Z aggr ingest counters "$SAMPLES/counters.json"
$ aggr info counters --format ndjson | jq -r '.first_ingest, .last_ingest'
2022-01-15T15:09:35.741540Z
2022-01-15T15:09:36.000000Z

$ AGGR_NOW=2022-01-15T15:09:35.5Z aggr stream publish s --producer p "$SAMPLES/event.json" > id; AGGR_NOW=2022-01-15T15:09:36Z aggr stream ack s "$(cat id)" --consumer c
$ aggr stream consumers s --format ndjson | jq -r .movedAt; aggr stream list --format csv
2022-01-15T15:09:36.000000Z
stream,owner,events,firstPublished,lastPublished
s,p,1,2022-01-15T15:09:35.500000Z,2022-01-15T15:09:35.500000Z

# a mistyped data directory is not an empty store: readers exit 4; an
# existing one without the log still gives the empty answer
$ for c in "flows --hour 1" "top --hour" "events list" "sessions --user u" "cat flows" "info" "stream list"; do aggr -d typo $c; echo "$c: $?"; done; test -e typo || echo "typo: not created"
flows --hour 1: 4
top --hour: 4
events list: 4
sessions --user u: 4
cat flows: 4
info: 4
stream list: 4
typo: not created
! aggr: flows: typo: no such data directory
! aggr: top: typo: no such data directory
! aggr: events: typo: no such data directory
! aggr: sessions: typo: no such data directory
! aggr: cat: typo: no such data directory
! aggr: info: typo: no such data directory
! aggr: stream: typo: no such data directory

$ mkdir nolog; aggr -d nolog flows --hour 1; aggr -d nolog cat flows; aggr -d nolog info; aggr -d nolog stream list
{"items":[],"total":0,"page":1,"size":50}
| [{"log":"total","kind":null,"segments":0,"blocks":0,"records":0,"raw_bytes":0,"compressed_bytes":0,"ratio":null,"min_key":null,"max_key":null,"first_offset":null,"next_offset":null,"first_ingest":null,"last_ingest":null,"min_key_time":null,"max_key_time":null,"retention_seconds":null,"live_records":0,"expired_records":0,"batch_ids":0,"disk_bytes":0,"retention_bytes":null}]
| []

# --format table counts display columns (LC_ALL=C.UTF-8 here): CJK and
# emoji take two, combining and zero-width characters none
$ printf '%s\n' '{"src_app":"中文","dest_app":"😀","vpc_id":"e\u0301","hour":5,"bytes_tx":5,"bytes_rx":1234567}' > w.jsonl
$ printf '%s\n' '{"src_app":"ab","dest_app":"x","vpc_id":"a\u200bb","hour":5,"bytes_tx":10,"bytes_rx":1}' >> w.jsonl
$ cat w.jsonl | aggr -d w ingest flows; aggr -d w flows --hour 5 --format table
src_app  dest_app  vpc_id  hour  bytes_rx  bytes_tx
ab       x         a​b         5         1        10
中文     😀        é          5   1234567         5

# under a locale that is not UTF-8, one column per character: ASCII stays
# aligned
$ LC_ALL=C aggr -d w flows --hour 5 --format table | head -2
src_app  dest_app  vpc_id  hour  bytes_rx  bytes_tx
ab       x         a​b        5         1        10

# control characters in data are escaped visibly in a table: no byte below
# 0x20 but tab and newline, no DEL and no C1 control reaches the terminal
$ s=$(for i in $(seq 1 31) 127 128 155 159; do printf '\\u%04x' $i; done); printf '{"src_app":"red\\u001b[31m%s","dest_app":"d","vpc_id":"v","hour":6,"bytes_tx":1,"bytes_rx":1}\n' "$s" | aggr -d c ingest flows; printf '{"tags":["t%s"],"start_epoch":5}\n' "$s" | aggr -d c ingest events; printf '{"user_id":"u%s","event":"start","session_id":"s","ts":"2022-01-15T00:00:00","country":"DE"}\n' "$s" | aggr -d c ingest sessions; jq -c ".payload.x = \"$s\" | .event.name = \"n$s\"" "$SAMPLES/event.json" | aggr -d c stream publish s --producer p > id; aggr -d c stream ack s "$(cat id)" --consumer c; { aggr -d c flows --hour 6 --format table; aggr -d c events list --format table; aggr -d c sessions --starts --days 1 --at 2022-01-15T12:00:00Z --format table; aggr -d c stream consumers s --format table; aggr -d c info --format table; } > out; echo "exit $?"; wc -l < out; LC_ALL=C tr -d '\011\012\040-\176\200-\377' < out | wc -c; LC_ALL=C grep -c $'\xc2[\x80-\x9f]' out; aggr -d c flows --hour 6 --format table | sed 1d | sed 's/ .*//'
exit 0
14
0
0
red\x1b[31m\x01\x02\x03\x04\x05\x06\x07\x08\t\n\x0b\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f\u0080\u009b\u009f

# numbers are right-aligned in every table
$ aggr -d c stream consumers s --format table | cut -c1-40,191-; aggr -d c events list --format table | sed -E 's/^[0-9a-f]{24}/ID/; s/  +\["t.*//'
consumerId  offset  movedAt               consumedPercentage  behind
c                1  2022-01-15T22:00:00.              100.00       0
_id                       start_epoch  stop_epoch  tags
ID            5          -1

# info gives the key range of a kind keyed by time as times too
$ aggr -d k ingest counters "$SAMPLES/counters.json"; aggr -d k ingest flows "$SAMPLES/flows.json"; aggr -d k info --format csv | cut -d, -f1,9,10,15,16
log,min_key,max_key,min_key_time,max_key_time
counters,1642283880000000,1642284060000000,2022-01-15T21:58:00.000000Z,2022-01-15T22:01:00.000000Z
flows,1,2,,
total,,,,

# cat prints JSON lines only: another --format is refused, not ignored
$ aggr -d k cat flows --format csv
! aggr: cat: --format: cat prints the stored records as JSON lines (ndjson) only, not csv
! Try 'aggr help cat'.
[2]

$ aggr -d k cat flows --format ndjson | wc -l
5

# a global option a command does not use is refused
$ aggr -d k ingest flows --format table "$SAMPLES/flows.json"; echo $?; aggr -d k --no-wait flows --hour 1; echo $?; aggr -d k info --progress; echo $?; aggr -d k check --wait 3; echo $?; aggr -d k events list --no-wait; echo $?; aggr -d k stream list --wait 1; echo $?; aggr -d k compact --format csv; echo $?; aggr -d k cat flows | wc -l
2
2
2
2
2
2
2
5
! aggr: ingest: --format: not an option of ingest
! Try 'aggr help ingest'.
! aggr: flows: --no-wait: not an option of flows
! Try 'aggr help flows'.
! aggr: info: --progress: not an option of info
! Try 'aggr help info'.
! aggr: check: --wait: not an option of check
! Try 'aggr help check'.
! aggr: events: --no-wait: not an option of events list
! Try 'aggr help events'.
! aggr: stream: --wait: not an option of stream list
! Try 'aggr help stream'.
! aggr: compact: --format: not an option of compact
! Try 'aggr help compact'.

# the options they use still work
$ aggr -d k check --repair --wait 3; aggr -d k --format csv flows --hour 2 | head -1; aggr -d k ingest flows --no-wait --no-progress "$SAMPLES/flows.json"; aggr -d k events list --format ndjson
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx

# a follower notices at once that its reader has gone, as tail -f does, not
# at the next event; timeout makes a hang fail (exit 124) rather than hang
$ aggr -q stream publish fo --producer p "$SAMPLES/event.json" > /dev/null; s=$(date +%s); timeout -k 2 5 aggr stream consume fo --consumer c --event-name GdriveSync --follow | head -1 | jq -r .event.name; echo "exit ${PIPESTATUS[0]}"; [ $(( $(date +%s) - s )) -le 2 ] && echo "within 2 s"
GdriveSync
exit 0
within 2 s

# (one record, so that cat is waiting, not writing, when head exits)
$ printf '{"timestamp":1642284000,"f.com":7}\n' | aggr ingest counters -d one; s=$(date +%s); timeout -k 2 5 aggr cat counters -d one --follow | head -1 | jq -r '."f.com"'; echo "exit ${PIPESTATUS[0]}"; [ $(( $(date +%s) - s )) -le 2 ] && echo "within 2 s"
7
exit 0
within 2 s

# ingest takes the lock only once the input is read and valid (or a block
# must be written): a slow producer holds no other writer off
$ F="$SAMPLES/flows.json"; (sleep 3; cat "$F") | aggr -d l ingest flows & sleep 0.5; aggr -d l ingest flows --wait 0 "$F"; echo "second writer: $?"; aggr -d l cat flows | wc -l; wait; aggr -d l cat flows | wc -l
second writer: 0
5
10

# with more than a block to write it locks at the first block; the run
# stays atomic: no reader sees a record of it before the commit
$ for i in $(seq 1 50); do flow s$i; done > fifty.jsonl
$ (cat fifty.jsonl; sleep 3; cat fifty.jsonl) | AGGR_BLOCK_BYTES=1000 aggr -d l ingest flows & sleep 1.5; aggr -d l ingest flows --wait 0 "$SAMPLES/flows.json"; echo "second writer: $?"; aggr -d l cat flows | wc -l; wait; aggr -d l cat flows | wc -l; aggr -d l check && echo clean
second writer: 5
10
110
clean
! aggr: ingest: flows is locked by another writer

# input refused by validation never touches the store
$ printf '{"src_app":"a"}\n' | aggr -d never ingest flows; echo "exit $?"; test -e never || echo "nothing created"
exit 3
nothing created
! aggr: ingest: <stdin>:1: dest_app: missing

# a retry of a stored --batch-id run reads nothing (it does not wait for
# its input), and a second run racing the first stores nothing either
$ F="$SAMPLES/flows.json"; aggr -d b ingest flows --batch-id one "$F"; sleep 5 | timeout 2 aggr -d b ingest flows --batch-id one; echo "retry: $?"; (sleep 1; cat "$F") | aggr -d b ingest flows --batch-id two & sleep 0.3; aggr -d b ingest flows --batch-id two "$F"; wait; aggr -d b cat flows | wc -l; cut -d' ' -f1 b/flows/batches
retry: 0
10
one
two

# empty input on a terminal ends at the first ^D (script gives aggr a tty)
$ (sleep 0.5; printf '\004'; sleep 1) | timeout 5 script -qec 'aggr -d tty ingest flows; echo "exit $?"' /dev/null | tr -d '\r'; aggr -d tty cat flows | wc -l
exit 0
0
