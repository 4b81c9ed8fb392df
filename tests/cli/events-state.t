# aggr events: an update (stop or removal record) of an event that a read
# did not load (expired, retained away, outside a --since/--until window,
# removed) changes nothing, on every read path: list with and without a
# window, stop, remove by --id, --start and --purge, compact, check.
# Helpers in events-state.sh; "names" shows each id as its event's name.
# Segments hold one run each (AGGR_SEGMENT_BYTES=1); T = 1642284000.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Each scenario has a data directory of its own (events-state.sh NAME).

# --- retention: E1's record is retained away, its stop record is not ---
$ . "$TESTS/cli/events-state.sh" r; add e1 0 && at 0 retain events --set 1h && at 1800 events stop $(id e1) | names
{"_id":"e1","start_epoch":1642284000,"stop_epoch":1642285800,"tags":["e1"]}

$ . "$TESTS/cli/events-state.sh" r; add e2 1900 && add e3 1900 && at 4200 retain events && at 4200 events list | names
| [{"_id":"e2","start_epoch":1642285900,"stop_epoch":-1,"tags":["e2"]},{"_id":"e3","start_epoch":1642285900,"stop_epoch":-1,"tags":["e3"]}]

# the removal record names E2, not E3
$ . "$TESTS/cli/events-state.sh" r; at 4200 events remove --id $(id e2) | names && at 4200 cat events | tail -n 1 | names
{"id_array_deleted":["e2"],"id_array_not_deleted":[]}
{"_op":"remove","_id":"e2","start_epoch":1642285900}

$ . "$TESTS/cli/events-state.sh" r; at 4200 events list | names
| [{"_id":"e3","start_epoch":1642285900,"stop_epoch":-1,"tags":["e3"]}]

# stopping the retained E1 is not stopping E3
$ . "$TESTS/cli/events-state.sh" r; at 4200 events stop $(id e1) 2>err; r=$?; names <err >&2; exit $r
! aggr: events: no such event: e1
[4]

$ . "$TESTS/cli/events-state.sh" r; at 4200 compact events && at 4200 events list | names && at 4200 check events
| [{"_id":"e3","start_epoch":1642285900,"stop_epoch":-1,"tags":["e3"]}]

# --- expiry without retain: readers and writers skip expired blocks alike ---
$ . "$TESTS/cli/events-state.sh" x; add e1 0 && at 0 retain events --set 1h && at 1800 events stop $(id e1) >/dev/null && add e2 2400 && add e3 2400 && at 3000 events remove --id $(id e2) | names
{"id_array_deleted":["e2"],"id_array_not_deleted":[]}

# at +70 minutes E1 expired: list shows E3 (not the removed E2)
$ . "$TESTS/cli/events-state.sh" x; at 4200 events list | names
| [{"_id":"e3","start_epoch":1642286400,"stop_epoch":-1,"tags":["e3"]}]

$ . "$TESTS/cli/events-state.sh" x; at 4200 events list --since 1642286000 --until 1642287000 | names
| [{"_id":"e3","start_epoch":1642286400,"stop_epoch":-1,"tags":["e3"]}]

$ . "$TESTS/cli/events-state.sh" x; at 4200 events stop $(id e1) 2>err; r=$?; names <err >&2; exit $r
! aggr: events: no such event: e1
[4]

$ . "$TESTS/cli/events-state.sh" x; at 4200 events remove --id $(id e1) --id $(id e2) --id $(id e3) | names
{"id_array_deleted":["e3"],"id_array_not_deleted":["e1","e2"]}

$ . "$TESTS/cli/events-state.sh" x; add e4 4300 && at 4300 events remove --purge
{"purged":1}

$ . "$TESTS/cli/events-state.sh" x; at 4400 events list && at 4400 compact events && at 4400 cat events && at 4400 check events
| []

# --- windows: a removal block spans events inside and outside the window ---
$ . "$TESTS/cli/events-state.sh" w; add a 0 --start 1000 && add b 0 --start 5000 && at 0 events remove --id $(id a) --id $(id b) | names
{"id_array_deleted":["a","b"],"id_array_not_deleted":[]}

$ . "$TESTS/cli/events-state.sh" w; add d 0 --start 1500 && add e 0 --start 1600 && at 0 events stop $(id d) --at 1700 | names
{"_id":"d","start_epoch":1500,"stop_epoch":1700,"tags":["d"]}

# the stop stays with D, in and out of a window
$ . "$TESTS/cli/events-state.sh" w; at 0 events list | names && at 0 events list --since 900 --until 2000 | names
| [{"_id":"d","start_epoch":1500,"stop_epoch":1700,"tags":["d"]},{"_id":"e","start_epoch":1600,"stop_epoch":-1,"tags":["e"]}]
| [{"_id":"d","start_epoch":1500,"stop_epoch":1700,"tags":["d"]},{"_id":"e","start_epoch":1600,"stop_epoch":-1,"tags":["e"]}]

$ . "$TESTS/cli/events-state.sh" w; at 0 events remove --id $(id d) | names && at 0 events list --since 900 --until 2000 | names
{"id_array_deleted":["d"],"id_array_not_deleted":[]}
| [{"_id":"e","start_epoch":1600,"stop_epoch":-1,"tags":["e"]}]

# purge writes one block of removals spanning every start
$ . "$TESTS/cli/events-state.sh" w; add f 0 --start 9000 && at 0 events remove --purge
{"purged":2}
$ . "$TESTS/cli/events-state.sh" w; add g 0 --start 1800 && add h 0 --start 1900 && at 0 events stop $(id g) --at 2000 >/dev/null && at 0 events list --since 1000 --until 2000 | names
| [{"_id":"g","start_epoch":1800,"stop_epoch":2000,"tags":["g"]},{"_id":"h","start_epoch":1900,"stop_epoch":-1,"tags":["h"]}]

$ . "$TESTS/cli/events-state.sh" w; at 0 events remove --start 1800 --start 1900 --start 1600 && at 0 events list --until 2000
{"start_epoch_array_deleted":[1800,1900],"start_epoch_array_not_deleted":[1600]}
| []

$ . "$TESTS/cli/events-state.sh" w; at 0 compact events && at 0 cat events && at 0 check events

# --- ten stopped events expire, 250 new ones come: compact keeps the 250 ---
$ . "$TESTS/cli/events-state.sh" c; for i in 1 2 3 4 5 6 7 8 9 10; do add s$i 0 && at 0 retain events --set 1h && at 1800 events stop $(id s$i) >/dev/null || exit; done
$ . "$TESTS/cli/events-state.sh" c; at 4200 retain events && for i in $(seq 250); do echo '{"tags":["n"]}'; done | at 4200 ingest events

$ . "$TESTS/cli/events-state.sh" c; at 4200 compact events && at 4200 events list --format ndjson | jq -c '[.stop_epoch, .tags]' | uniq -c && at 4200 check events
    250 [-1,["n"]]

# --- remove --start several per call after retention ---
$ . "$TESTS/cli/events-state.sh" s; add p 0 --start 100 && at 0 retain events --set 1h && at 1800 events stop $(id p) --at 200 >/dev/null
$ . "$TESTS/cli/events-state.sh" s; add q 1900 --start 300 && add r 1900 --start 400 && at 4200 retain events && at 4200 events remove --start 300 --start 100 --start 400
{"start_epoch_array_deleted":[300,400],"start_epoch_array_not_deleted":[100]}

$ . "$TESTS/cli/events-state.sh" s; at 4200 events list && at 4200 compact events && at 4200 cat events
| []

# --- a start or an id of no event, given twice, is looked up, not added ---
$ . "$TESTS/cli/events-state.sh" d; add u 0 --start 7 && at 0 events remove --start 5 --start 5 --start 6
{"start_epoch_array_deleted":[],"start_epoch_array_not_deleted":[5,5,6]}

$ . "$TESTS/cli/events-state.sh" d; at 0 events remove --id 61e343e00a70467e93000001 --id 61e343e00a70467e93000001 --id $(id u) --id $(id u) | names
{"id_array_deleted":["u"],"id_array_not_deleted":["61e343e00a70467e93000001","61e343e00a70467e93000001","u"]}
