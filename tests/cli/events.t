# aggr events: the original service's request bodies, add/list/stop/remove,
# exact round-trip of starts, tags and time filters, output formats, usage
# errors, and compaction. Ids are random: "ids" replaces each with ID after
# checking its shape (24 lowercase hex digits). Now is 2022-01-15T22:00:00Z
# = 1642284000.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: arr, bad, f, long.

$ printf '%s\n' 'sed -E "s/\"[0-9a-f]{24}\"/ID/g"' > ids && mkdir -p "$AGGR_DIR" && aggr events list
| []

# --- the original service: POST with postrequest_tags.json, then GET ---
$ aggr ingest events "$SEED/002-mongo-events/postrequest_tags.json"

$ aggr events list | sh ids
| [{"_id":ID,"start_epoch":1642284000,"stop_epoch":-1,"tags":["pyclient A","Rest API"]}]

# remove by the start list printed: "1" matches nothing
$ aggr events remove --start 1642284000 --start 1 | sh ids
{"start_epoch_array_deleted":[1642284000],"start_epoch_array_not_deleted":[1]}

$ aggr events list
| []

# the original's purge request: purge plus a start list; "purged" counts
# every event removed, the one --start matched included
$ aggr ingest events "$SEED/002-mongo-events/postrequest_tags.json" && aggr events add --start 1650059272.843029 --tag x | sh ids
{"_id":ID,"start_epoch":1650059272.843029,"stop_epoch":-1,"tags":["x"]}

$ aggr events remove --purge --start 1650059272.843029 --start 1 --start 1650101244.100029
{"purged":2,"start_epoch_array_deleted":[1650059272.843029],"start_epoch_array_not_deleted":[1,1650101244.100029]}

$ aggr events list
| []

# purge without a start list; purge of nothing
$ aggr events add --tag a >/dev/null && aggr events add --tag b >/dev/null && aggr events remove --purge
{"purged":2}

$ aggr events remove --purge
{"purged":0}

# --- starts round-trip bit for bit ---
$ aggr events add --start 1650059272.843029 --tag p | sh ids && aggr events add --start 2022-01-15T21:00:00.123456Z --tag q | sh ids
{"_id":ID,"start_epoch":1650059272.843029,"stop_epoch":-1,"tags":["p"]}
{"_id":ID,"start_epoch":1642280400.123456,"stop_epoch":-1,"tags":["q"]}

$ aggr events list --format ndjson | sh ids
{"_id":ID,"start_epoch":1650059272.843029,"stop_epoch":-1,"tags":["p"]}
{"_id":ID,"start_epoch":1642280400.123456,"stop_epoch":-1,"tags":["q"]}

$ for s in $(aggr events list --format ndjson | jq -r .start_epoch); do aggr events remove --start $s; done
{"start_epoch_array_deleted":[1650059272.843029],"start_epoch_array_not_deleted":[]}
{"start_epoch_array_deleted":[1642280400.123456],"start_epoch_array_not_deleted":[]}

$ aggr events list
| []

# --- two events with the same start: both go, reported once ---
$ aggr events add --start 1000.5 --tag one >/dev/null && aggr events add --start 1000.5 --tag two >/dev/null
$ aggr events add --start 1000.25 --tag three >/dev/null
$ aggr events remove --start 1000.5
{"start_epoch_array_deleted":[1000.5],"start_epoch_array_not_deleted":[]}

$ aggr events list | sh ids
| [{"_id":ID,"start_epoch":1000.25,"stop_epoch":-1,"tags":["three"]}]

# the same start twice: deleted the first time only
$ aggr events remove --start 1000.25 --start 1000.25
{"start_epoch_array_deleted":[1000.25],"start_epoch_array_not_deleted":[1000.25]}

# --- stop ---
$ aggr events add --tag s --start 2022-01-15T20:00:00Z | sh ids
{"_id":ID,"start_epoch":1642276800,"stop_epoch":-1,"tags":["s"]}

$ id=$(aggr events list --tag s --format ndjson | jq -r ._id); aggr events stop $id --at 2022-01-15T21:30:00Z | sh ids && aggr events list --tag s | sh ids
{"_id":ID,"start_epoch":1642276800,"stop_epoch":1642282200,"tags":["s"]}
| [{"_id":ID,"start_epoch":1642276800,"stop_epoch":1642282200,"tags":["s"]}]

# stop defaults to now, and may be set again
$ id=$(aggr events list --tag s --format ndjson | jq -r ._id); aggr events stop $id | sh ids
{"_id":ID,"start_epoch":1642276800,"stop_epoch":1642284000,"tags":["s"]}

$ aggr events stop 0123456789abcdef01234567
! aggr: events: no such event: 0123456789abcdef01234567
[4]

$ aggr events stop nothex
! aggr: events: stop: not an event id: nothex (24 hex digits)
! Try 'aggr help events'.
[2]

$ id=$(aggr events list --tag s --format ndjson | jq -r ._id); aggr events stop $id --at 2022-01-15T19:00:00Z
! aggr: events: --at: before the event's start
! Try 'aggr help events'.
[2]

# a removed event cannot be stopped
$ id=$(aggr events list --tag s --format ndjson | jq -r ._id); aggr events remove --id $id | sh ids && aggr events stop $id 2>err; r=$?; sed -E 's/[0-9a-f]{24}/ID/' err; exit $r
{"id_array_deleted":[ID],"id_array_not_deleted":[]}
aggr: events: no such event: ID
[4]

# --- remove --id ---
$ aggr events add --tag i >/dev/null; id=$(aggr events list --tag i --format ndjson | jq -r ._id); aggr events remove --id $id --id ffffffffffffffffffffffff | sh ids; aggr events list --tag i
{"id_array_deleted":[ID],"id_array_not_deleted":[ID]}
| []

$ aggr events remove --id 12345
! aggr: events: --id: not an event id: 12345 (24 hex digits)
! Try 'aggr help events'.
[2]

# --- filters: --tag (every one given), --since/--until on the start ---
$ aggr -d f events add --tag red --tag big --start 2022-01-10T00:00:00Z >/dev/null && aggr -d f events add --tag red --start 2022-01-11T00:00:00Z >/dev/null
$ aggr -d f events add --tag blue --tag "with \"quotes\"" --start 2022-01-12T00:00:00Z >/dev/null
$ aggr -d f events list --format ndjson | jq -c '[.start_epoch, .tags]'
| [1641772800,["red","big"]]
| [1641859200,["red"]]
| [1641945600,["blue","with \"quotes\""]]

$ aggr -d f events list --tag red --format ndjson | jq -c .tags
| ["red","big"]
| ["red"]

$ aggr -d f events list --tag red --tag big --format ndjson | jq -c .tags
| ["red","big"]

$ aggr -d f events list --tag 'with "quotes"' --format ndjson | jq -c .tags
| ["blue","with \"quotes\""]

$ aggr -d f events list --tag green
| []

$ aggr -d f events list --since 2022-01-11T00:00:00Z --format ndjson | jq -c .tags
| ["red"]
| ["blue","with \"quotes\""]

$ aggr -d f events list --until 2022-01-11T00:00:00Z --format ndjson | jq -c .tags
| ["red","big"]

$ aggr -d f events list --since 2022-01-10T12:00:00Z --until 2022-01-12T00:00:00Z --tag red --format ndjson | jq -c .tags
| ["red"]

$ aggr -d f events list --since 2022-01-12T00:00:00Z --until 2022-01-11T00:00:00Z
! aggr: events: --until is before --since
! Try 'aggr help events'.
[2]

# --- formats ---
$ aggr -d f events list --format csv | sed -E 's/^[0-9a-f]{24},/ID,/'
_id,start_epoch,stop_epoch,tags
ID,1641772800,-1,"[""red"",""big""]"
ID,1641859200,-1,"[""red""]"
ID,1641945600,-1,"[""blue"",""with \""quotes\""""]"

$ aggr -d f events list --format tsv --tag blue | sed -E 's/^[0-9a-f]{24}\t/ID\t/'
_id	start_epoch	stop_epoch	tags
ID	1641945600	-1	["blue","with \\"quotes\\""]

$ aggr -d f events list --format table --tag red | sed -E 's/^[0-9a-f]{24} /ID /'
_id                       start_epoch  stop_epoch  tags
ID   1641772800          -1  ["red","big"]
ID   1641859200          -1  ["red"]

$ aggr -d f events remove --start 1641859200 --start 7 --format csv
start_epoch,deleted
1641859200,true
7,false

# --- bad records: exit 3, nothing stored ---
$ aggr -d bad events add --tag keep >/dev/null && printf '%s\n' '{"tags":["ok"]}' '{"start_epoch":5}' | aggr -d bad ingest events
! aggr: ingest: <stdin>:2: tags: missing
[3]

$ echo '{"tags":"Rest API"}' | aggr -d bad ingest events
! aggr: ingest: <stdin>:1: tags: not an array of strings
[3]

$ echo '{"tags":["a",2]}' | aggr -d bad ingest events
! aggr: ingest: <stdin>:1: tags: element 2 is not a string
[3]

$ echo '{"tags":[],"_id":"61e343e0305260fff12fa864"}' | aggr -d bad ingest events
! aggr: ingest: <stdin>:1: unknown field "_id" (aggr assigns the _id)
[3]

$ echo '{"tags":[],"start_epoch":"1650059272.843029"}' | aggr -d bad ingest events
! aggr: ingest: <stdin>:1: start_epoch: not a number
[3]

$ echo '{"tags":[],"start_epoch":-5}' | aggr -d bad ingest events
! aggr: ingest: <stdin>:1: start_epoch: out of range (0 to 253402300799.999999)
[3]

$ echo '{"tags":[],"start_epoch":100,"stop_epoch":99}' | aggr -d bad ingest events
! aggr: ingest: <stdin>:1: stop_epoch: before start_epoch
[3]

$ echo '{"tags":[],"stop_epoch":-2}' | aggr -d bad ingest events
! aggr: ingest: <stdin>:1: stop_epoch: out of range (-1 for none, or 0 to 253402300799.999999)
[3]

$ aggr -d bad events list --format ndjson | jq -c .tags
| ["keep"]

# a JSON array of bodies and explicit start and stop
$ echo '[{"tags":["x"],"start_epoch":100.5,"stop_epoch":200},{"tags":["y"],"start_epoch":1e3}]' | aggr -d arr ingest events && aggr -d arr events list | sh ids
| [{"_id":ID,"start_epoch":100.5,"stop_epoch":200,"tags":["x"]},{"_id":ID,"start_epoch":1000,"stop_epoch":-1,"tags":["y"]}]

# --- usage ---
$ aggr events
! aggr: events: missing subcommand (add, list, stop, remove)
! Try 'aggr help events'.
[2]

$ aggr events frob
! aggr: events: unknown subcommand: frob (add, list, stop, remove)
! Try 'aggr help events'.
[2]

$ aggr events list --at now
! aggr: events: list: unknown option: --at
! Try 'aggr help events'.
[2]

$ aggr events remove
! aggr: events: remove: give --start EPOCH, --id ID or --purge
! Try 'aggr help events'.
[2]

$ aggr events remove --start 12abc
! aggr: events: --start: not an epoch number: 12abc
! Try 'aggr help events'.
[2]

$ aggr events remove --start 1 --id 0123456789abcdef01234567
! aggr: events: remove: --start and --id do not go together
! Try 'aggr help events'.
[2]

$ aggr events add --start 1 --start 2
! aggr: events: add: --start given twice
! Try 'aggr help events'.
[2]

$ aggr events add --start 100 --stop 50
! aggr: events: --stop: before the start
! Try 'aggr help events'.
[2]

$ aggr events list extra
! aggr: events: list: unexpected argument: extra
! Try 'aggr help events'.
[2]

$ aggr events stop
! aggr: events: stop: missing event ID
! Try 'aggr help events'.
[2]

# --- long lists are written in pieces: still one document ---
$ tagged 0 9999 5000 | aggr -d long ingest events
$ aggr -d long events list | jq -c 'length, .[0].tags, .[9999].tags, ([.[].start_epoch] == [range(5000; 15000)])'
10000
["n0"]
["n9999"]
true

$ for f in ndjson csv tsv table; do aggr -d long events list --format $f | wc -l; done; aggr -d long events list --format csv | sed -n '1p;2p;10001p' | cut -d, -f2-
10000
10001
10001
10001
start_epoch,stop_epoch,tags
5000,-1,"[""n0""]"
14999,-1,"[""n9999""]"

$ aggr -d long events list --format tsv | grep -c start_epoch; aggr -d long events list --tag n4096 --format ndjson | jq -c .tags
1
["n4096"]
