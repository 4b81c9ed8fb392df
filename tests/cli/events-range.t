# Every value that reaches a stored events record passes the checks input
# does (AGGR_NOW included), and every stored record reads back; a change
# that was stored says so when its report cannot be written.
# Now is 2022-01-15T22:00:00Z = 1642284000.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

# --- AGGR_NOW outside 1970..9999 is a usage error, and stores nothing ---
$ echo '{"tags":["a"]}' | AGGR_NOW=-1 aggr ingest events
! aggr: ingest: AGGR_NOW: not a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z (epoch seconds 0 to 253402300799.999999): -1
[2]

$ AGGR_NOW=-0.5 aggr events add --tag a
! aggr: events: AGGR_NOW: not a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z (epoch seconds 0 to 253402300799.999999): -0.5
[2]

$ AGGR_NOW=1969-12-31T23:59:59Z aggr events list
! aggr: events: AGGR_NOW: not a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z (epoch seconds 0 to 253402300799.999999): 1969-12-31T23:59:59Z
[2]

$ AGGR_NOW=253402300800 aggr events add --tag a
! aggr: events: AGGR_NOW: not a time from 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999999Z (epoch seconds 0 to 253402300799.999999): 253402300800
[2]

$ mkdir -p "$AGGR_DIR"; aggr events list && aggr cat events
| []

# the ends of the range are times
$ echo '{"tags":["zero"]}' | AGGR_NOW=0 aggr ingest events && AGGR_NOW=0 aggr events list --format ndjson | jq -c '[.start_epoch, .tags]'
| [0,["zero"]]

# --- the last 15 us of 9999 round to 253402300800 (year 10000) as a
# double: they are kept in range at the largest double before it ---
$ echo '{"tags":["end"]}' | AGGR_NOW=9999-12-31T23:59:59.999999Z aggr ingest events && aggr events list --tag end --format ndjson | jq -c '[.start_epoch, .tags]'
| [253402300799.99997,["end"]]

$ aggr events add --start 9999-12-31T23:59:59.999999Z --stop 9999-12-31T23:59:59.999999Z --tag add | jq -c '[.start_epoch, .stop_epoch]'
| [253402300799.99997,253402300799.99997]

$ printf '%s\n' '{"tags":["in"],"start_epoch":253402300799.999999,"stop_epoch":2.53402300799999999e11}' | aggr ingest events && aggr events list --tag in --format ndjson | jq -c '[.start_epoch, .stop_epoch]'
| [253402300799.99997,253402300799.99997]

$ printf '%s\n' '{"tags":["out"],"start_epoch":253402300800}' | aggr ingest events
! aggr: ingest: <stdin>:1: start_epoch: out of range (0 to 253402300799.999999)
[3]

$ printf '%s\n' '{"tags":["out"],"start_epoch":1,"stop_epoch":253402300799.9999995}' | aggr ingest events
! aggr: ingest: <stdin>:1: stop_epoch: out of range (-1 for none, or 0 to 253402300799.999999)
[3]

$ printf '%s\n' '{"tags":["out"],"start_epoch":-1}' | aggr ingest events
! aggr: ingest: <stdin>:1: start_epoch: out of range (0 to 253402300799.999999)
[3]

# the start typed as documented matches the one stored
$ aggr events remove --start 253402300799.999999 --start 253402300800
{"start_epoch_array_deleted":[253402300799.99997],"start_epoch_array_not_deleted":[253402300800]}

$ aggr events list --format ndjson | jq -c .tags && aggr check events
["zero"]

# --- remove --start takes a decimal number, as list prints it ---
$ aggr events add --start 16 --tag sixteen >/dev/null && aggr events remove --start 0x10
! aggr: events: --start: not an epoch number: 0x10
! Try 'aggr help events'.
[2]

$ aggr events remove --start 1642284000,5
! aggr: events: --start: not an epoch number: 1642284000,5
! Try 'aggr help events'.
[2]

$ aggr events remove --start 1.6e1
{"start_epoch_array_deleted":[16],"start_epoch_array_not_deleted":[]}

# a comma is a decimal sign in ISO 8601 times only, not in epoch seconds
$ aggr events add --start 1642284000,5 --tag comma
! aggr: events: --start: not a time: 1642284000,5 (see TIME SYNTAX in aggr(1))
! Try 'aggr help events'.
[2]

$ aggr events list --since 1642284000,5
! aggr: events: --since: not a time: 1642284000,5 (see TIME SYNTAX in aggr(1))
! Try 'aggr help events'.
[2]

$ aggr events add --start 2022-01-15T22:00:00,5Z --tag comma | jq -c .start_epoch
1642284000.5

# --- a change stored, its report not written: say it is stored, and what ---
$ aggr events add --tag full 2>err >/dev/full; r=$?; cat err >&2; id=$(sed -n 's/^aggr: events: add: stored event \([0-9a-f]\{24\}\) but .*/\1/p' err); aggr events list --tag full | jq -r '.[]._id' | grep -c "^$id\$"; exit $r
!~ ^aggr: events: add: stored event [0-9a-f]{24} but cannot write it: No space left on device$
1
[1]

$ id=$(aggr events list --tag full | jq -r '.[0]._id'); aggr events stop $id --at 1642284001 >/dev/full 2>err; r=$?; sed "s/$id/ID/" err >&2; exit $r
! aggr: events: stop: stored the stop of event ID but cannot write it: No space left on device
[1]

$ aggr events remove --purge >/dev/full
! aggr: events: remove: stored the removal of 3 events but cannot write it: No space left on device
[1]

# nothing stored: only the write failed
$ aggr events remove --purge >/dev/full
! aggr: events: cannot write standard output: No space left on device
[1]

$ aggr events list && aggr check events
| []
