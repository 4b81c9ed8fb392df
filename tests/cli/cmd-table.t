# What the command table declares, resolved by main before a command runs
# (src/cmd.h): every argument is checked before the data directory is
# looked for, a reader needs the data directory to be there, a writer
# creates it. Setup: the data directory ($AGGR_DIR) does not exist until
# the writers' case; no case depends on another before that one.

# No data directory can be formed (no -d, $AGGR_DIR, $XDG_DATA_HOME or
# $HOME): a bad argument is still reported as that, by every command
# (cat used to say "no data directory" first)
$ for c in 'cat counters --since x' 'cat flows --tz UTC' 'cat flows --since -1h' 'cat flows --from x' 'cat nosuch' 'info a b' 'check --since x' 'compact x/y' 'purge' 'retain --set 1d' 'flows --hour x' 'top --minute --since -1h' 'sessions --starts' 'events add --start x' 'events list --since x' 'events stop abc' 'events remove --id zz' 'ingest nosuch' 'ingest flows --rejects r' 'stream consume x --event-name ""'; do eval "env -u AGGR_DIR -u XDG_DATA_HOME -u HOME aggr $c" 2>&1 | head -n 1; echo "exit ${PIPESTATUS[0]}"; done
aggr: cat: --since: not a time: x (see TIME SYNTAX in aggr(1))
exit 2
aggr: cat: --tz goes with --since or --until
exit 2
aggr: cat: flows records have no time for --since or --until
exit 2
aggr: cat: --from: not an integer: x
exit 2
aggr: cat: not a log name: nosuch (flows, counters, events, sessions, streams/NAME)
exit 2
aggr: info: unexpected argument: b
exit 2
aggr: check: unknown option: --since
exit 2
aggr: compact: not a log name: x/y (flows, counters, events, sessions, streams/NAME)
exit 2
aggr: purge: missing LOG (flows, counters, events, sessions, streams/NAME)
exit 2
aggr: retain: --set needs a LOG
exit 2
aggr: flows: --hour: not an integer: x
exit 2
aggr: top: --minute takes --at, not --since or --until
exit 2
aggr: sessions: --starts needs --days X
exit 2
aggr: events: --start: not a time: x (see TIME SYNTAX in aggr(1))
exit 2
aggr: events: --since: not a time: x (see TIME SYNTAX in aggr(1))
exit 2
aggr: events: stop: not an event id: abc (24 hex digits)
exit 2
aggr: events: --id: not an event id: zz (24 hex digits)
exit 2
aggr: ingest: unknown kind: nosuch (flows, counters, events, sessions)
exit 2
aggr: ingest: --rejects goes with --max-errors N
exit 2
aggr: stream: consume: --event-name: empty
exit 2

# ... and with good arguments, every command but help says so, once
$ for c in 'cat flows' 'info' 'check' 'compact' 'purge flows' 'retain' 'retain flows' 'flows --hour 1' 'top --minute' 'sessions --starts --days 1' 'events list' 'events add' 'ingest flows' 'stream list' 'stream consumers x'; do env -u AGGR_DIR -u XDG_DATA_HOME -u HOME aggr $c </dev/null; echo "exit $?"; done 2>&1; env -u AGGR_DIR -u XDG_DATA_HOME -u HOME aggr help cat | head -n 1
aggr: cat: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: info: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: check: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: compact: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: purge: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: retain: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: retain: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: flows: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: top: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: sessions: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: events: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: events: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: ingest: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: stream: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
aggr: stream: no data directory: use -d DIR or set AGGR_DIR or HOME
exit 2
usage: aggr cat LOG [--since TIME] [--until TIME] [--tz ZONE] [--format ndjson]

# A data directory under a regular file is no such data directory, for
# check as for every reader (check used to exit 1, "cannot read data
# directory ...: Not a directory"); compact, which is no reader, fails
# to read the first log there
$ touch f; for c in 'check' 'check flows --repair' 'info' 'cat flows' 'flows --hour 1' 'top --minute' 'sessions --user u' 'events list' 'stream list' 'compact'; do aggr -d f/data $c; echo "exit $?"; done 2>&1
aggr: check: f/data: no such data directory
exit 4
aggr: check: f/data: no such data directory
exit 4
aggr: info: f/data: no such data directory
exit 4
aggr: cat: f/data: no such data directory
exit 4
aggr: flows: f/data: no such data directory
exit 4
aggr: top: f/data: no such data directory
exit 4
aggr: sessions: f/data: no such data directory
exit 4
aggr: events: f/data: no such data directory
exit 4
aggr: stream: f/data: no such data directory
exit 4
aggr: compact: cannot read counters/MANIFEST: Not a directory
exit 1

# The readers leave a missing data directory missing; the writers
# (events add, ingest, retain --set) create it; then the readers read it
$ for c in 'info' 'check' 'events list' 'stream list'; do aggr $c; echo "exit $?"; done 2>&1 | sed "s#$AGGR_DIR#DATA#"; aggr compact flows; aggr purge flows; [ -e "$AGGR_DIR" ] || echo "still none"
aggr: info: DATA: no such data directory
exit 4
aggr: check: DATA: no such data directory
exit 4
aggr: events: DATA: no such data directory
exit 4
aggr: stream: DATA: no such data directory
exit 4
still none

$ aggr events add --tag t --start 10 | cut -c 35-; aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json"; aggr retain sessions --set 2d; aggr info --format csv | cut -d, -f1,5; aggr check; echo "check $?"
"start_epoch":10,"stop_epoch":-1,"tags":["t"]}
log,records
events,1
flows,5
sessions,0
total,6
check 0
