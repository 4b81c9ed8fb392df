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
