# Rough edges a daily shell user hits (issue 16).

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
$ AGGR_NOW=2022-01-15T15:09:35.74154Z aggr ingest counters "$SAMPLES/counters.json"; AGGR_NOW=2022-01-15T15:09:36Z aggr ingest counters "$SAMPLES/counters.json"; aggr info counters --format ndjson | jq -r '.first_ingest, .last_ingest'
2022-01-15T15:09:35.741540Z
2022-01-15T15:09:36.000000Z

$ AGGR_NOW=2022-01-15T15:09:35.5Z aggr stream publish s --producer p "$SAMPLES/event.json" > id; AGGR_NOW=2022-01-15T15:09:36Z aggr stream ack s "$(cat id)" --consumer c; aggr stream consumers s --format ndjson | jq -r .movedAt; aggr stream list --format csv
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
| []
| []
