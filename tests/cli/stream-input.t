# aggr stream: validation of events (exit 3 naming the field), of names and
# options (exit 2), and atomic publish runs.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

$ jq -c . "$EVENT1" > e.json; for f in '.event.name=""' '.event.name=1' 'del(.event.name)' '.event.version=0' '.event.version="1"' '.event.version=1.5' '.system.id=""' 'del(.system.name)' '.system.time="2017-09-06T13:58:12"' '.system.time="2017-02-29 13:58:12"' '.system.time="2017-09-06 24:00:00"' '.system.timezone="Mars/Olympus"' '.system.timezone="../../../etc/passwd"' '.system.timezone="zone.tab"' '.trigger.type=""' '.trigger.name=""' '.payload=[]' 'del(.payload)' '.eventId="fbfa7777-a2e3-4449-9dd1-842ff8b1fcea"' '.offset=1' '.event.extra=1' '.system="x"' '.event.name="a\u0000b"'; do jq -c "$f" e.json | aggr stream publish s --producer p; echo "exit $?"; done 2>&1
aggr: stream: <stdin>:1: event.name: empty
exit 3
aggr: stream: <stdin>:1: event.name: not a string
exit 3
aggr: stream: <stdin>:1: event.name: missing
exit 3
aggr: stream: <stdin>:1: event.version: must be at least 1
exit 3
aggr: stream: <stdin>:1: event.version: not an integer
exit 3
aggr: stream: <stdin>:1: event.version: not an integer
exit 3
aggr: stream: <stdin>:1: system.id: empty
exit 3
aggr: stream: <stdin>:1: system.name: missing
exit 3
aggr: stream: <stdin>:1: system.time: not a time as YYYY-MM-DD HH:MM:SS: "2017-09-06T13:58:12"
exit 3
aggr: stream: <stdin>:1: system.time: not a time as YYYY-MM-DD HH:MM:SS: "2017-02-29 13:58:12"
exit 3
aggr: stream: <stdin>:1: system.time: not a time as YYYY-MM-DD HH:MM:SS: "2017-09-06 24:00:00"
exit 3
aggr: stream: <stdin>:1: system.timezone: unknown time zone: "Mars/Olympus"
exit 3
aggr: stream: <stdin>:1: system.timezone: unknown time zone: "../../../etc/passwd"
exit 3
aggr: stream: <stdin>:1: system.timezone: unknown time zone: "zone.tab"
exit 3
aggr: stream: <stdin>:1: trigger.type: empty
exit 3
aggr: stream: <stdin>:1: trigger.name: empty
exit 3
aggr: stream: <stdin>:1: payload: not an object
exit 3
aggr: stream: <stdin>:1: payload: missing
exit 3
aggr: stream: <stdin>:1: eventId: not allowed in input (publish assigns event ids)
exit 3
aggr: stream: <stdin>:1: unknown field "offset"
exit 3
aggr: stream: <stdin>:1: event: unknown field "extra"
exit 3
aggr: stream: <stdin>:1: system: not an object
exit 3
aggr: stream: <stdin>:1: event.name: contains a NUL character
exit 3

# a rejected first publish leaves no stream and no owner
$ aggr stream list; aggr stream consume s --consumer c --event-name GdriveSync --limit 1
[]
! aggr: stream: no such stream: s
[4]

$ printf '{"event":\n' | aggr stream publish s --producer p
! aggr: stream: <stdin>:1: invalid JSON: truncated JSON: unexpected end at byte 10
[3]

# one run: a bad event in the second file stores nothing of the first
$ jq -c '.system.timezone="Nowhere"' e.json > bad.json; aggr stream publish s --producer p e.json e.json bad.json
! aggr: stream: bad.json:1: system.timezone: unknown time zone: "Nowhere"
[3]

$ aggr stream list
[]

# a zone other than UTC or Europe/Berlin, a pretty-printed payload, a JSON
# array, gzip: all one run
$ (echo '['; jq '.system.timezone="America/New_York" | .payload={"a":[1, {"b": null}], "c": "\u00e9\n"}' e.json; echo ','; cat e.json; echo ']') | gzip > two.json.gz; aggr stream publish s --producer p two.json.gz | wc -l; aggr cat streams/s | cut -d, -f3- | head -1
2
"event":{"name":"GdriveSync","version":1},"system":{"id":"alv123","name":"Houston","time":"2017-09-06 13:58:12","timezone":"America/New_York"},"trigger":{"type":"system","name":"/path/to/script.go"},"payload":{"a":[1,{"b":null}],"c":"é\n"}}

# an empty publish stores nothing and prints nothing
$ aggr stream publish s --producer p < /dev/null; aggr stream list --format tsv | cut -f1-3
stream	owner	events
s	p	2

# --- names: [A-Za-z0-9._-], 1 to 128, not starting with '.'; exit 2 and
# nothing created, least of all outside the data directory ---

$ aggr stream publish ../evil --producer p e.json; r=$?; [ -e "$AGGR_DIR/evil" ] || [ -e "$AGGR_DIR/../evil" ] || echo "no evil"; exit $r
no evil
! aggr: stream: not a valid stream name: ../evil (A-Z a-z 0-9 . _ -, 1 to 128 characters, not starting with '.')
! Try 'aggr help stream'.
[2]

$ aggr stream consume ../evil --consumer c --event-name x --limit 1; aggr stream ack .. 0c4b0a3e-2f34-4b8e-8f4e-0a1b2c3d4e5f --consumer c; aggr stream publish a/b --producer p e.json; aggr stream publish .hidden --producer p e.json; aggr stream publish "" --producer p e.json; aggr stream publish "$(printf 'x%.0s' $(seq 129))" --producer p e.json; echo $?
!~ not a valid stream name: \.\./evil
!~ not a valid stream name: \.\. 
!~ not a valid stream name: a/b
!~ not a valid stream name: \.hidden
!~ not a valid stream name:  \(
!~ not a valid stream name: x{129}
2

$ aggr stream publish ok --producer ../p e.json
! aggr: stream: not a valid producer name: ../p (A-Z a-z 0-9 . _ -, 1 to 128 characters, not starting with '.')
! Try 'aggr help stream'.
[2]

$ aggr stream ack s 0c4b0a3e-2f34-4b8e-8f4e-0a1b2c3d4e5f --consumer ../../c
! aggr: stream: not a valid consumer name: ../../c (A-Z a-z 0-9 . _ -, 1 to 128 characters, not starting with '.')
! Try 'aggr help stream'.
[2]

$ cd "$AGGR_DIR" && ls . streams && find streams/s -type f | sort
.:
streams
|
streams:
s
streams/s/00000000000000000000.idx
streams/s/00000000000000000000.jsonl.gz.open
streams/s/LOCK
streams/s/MANIFEST
streams/s/counts
streams/s/producers

# a UUID fits as a name, 128 characters fit
$ aggr stream publish 2480b859-e08a-4414-9c7d-003bc1a4b444 --producer "$(printf 'p%.0s' $(seq 128))" e.json | wc -l
1

# --- options ---

$ aggr stream consume s --consumer c --limit 1
! aggr: stream: consume: --event-name is required
! Try 'aggr help stream'.
[2]

$ aggr stream consume s --consumer c --event-name GdriveSync
! aggr: stream: consume: --limit is required (or --follow)
! Try 'aggr help stream'.
[2]

$ aggr stream consume s --consumer c --event-name GdriveSync --limit 0
! aggr: stream: --limit: must be at least 1: 0
! Try 'aggr help stream'.
[2]

$ aggr stream consume s --consumer c --event-name GdriveSync --limit ten
! aggr: stream: --limit: not an integer: ten
! Try 'aggr help stream'.
[2]

$ aggr stream consume s --event-name GdriveSync --limit 1
! aggr: stream: consume: --consumer is required
! Try 'aggr help stream'.
[2]

$ aggr stream consume s --consumer c --event-name GdriveSync --limit 1 --format csv
! aggr: stream: consume: --format: json or ndjson only
! Try 'aggr help stream'.
[2]

$ aggr stream publish s e.json
! aggr: stream: publish: --producer is required
! Try 'aggr help stream'.
[2]

$ aggr stream ack s --consumer c
! aggr: stream: ack: missing EVENT_ID
! Try 'aggr help stream'.
[2]

$ aggr stream consume s --consumer c --event-name GdriveSync --limit 1 --producer p
! aggr: stream: consume: --producer does not apply
! Try 'aggr help stream'.
[2]

$ aggr stream
! aggr: stream: missing subcommand (publish, consume, ack, consumers, seek, list)
! Try 'aggr help stream'.
[2]

$ aggr stream frobnicate s
! aggr: stream: unknown subcommand: frobnicate (publish, consume, ack, consumers, seek, list)
! Try 'aggr help stream'.
[2]

$ aggr stream consumers
! aggr: stream: consumers: missing stream NAME
! Try 'aggr help stream'.
[2]

$ aggr stream list extra
! aggr: stream: list: unexpected argument: extra
! Try 'aggr help stream'.
[2]

$ aggr stream --help | head -1; aggr help stream | cmp - <(aggr stream publish --help) && echo same
usage: aggr stream publish NAME --producer ID [FILE...]
same

# streams are published, not ingested
$ aggr ingest stream e.json
! aggr: ingest: unknown kind: stream (flows, counters, events, sessions)
! Try 'aggr help ingest'.
[2]

$ aggr stream publish s --producer p nosuch.json
! aggr: stream: cannot open nosuch.json: No such file or directory
[1]

# --- pretty-printed events, as the event server took them: the seed file
# as it is, and documents one after another ("jq ." output, or "}{") ---

$ aggr stream publish pretty --producer p "$EVENT1" | wc -l; (cat "$EVENT1"; cat "$EVENT1"; jq '.payload.n=3' e.json) | gzip | aggr stream publish pretty --producer p | wc -l; aggr cat streams/pretty | jq -c '[.offset, .payload]'
1
3
| [0,{"foo":"bar"}]
| [1,{"foo":"bar"}]
| [2,{"foo":"bar"}]
| [3,{"foo":"bar","n":3}]

$ (jq . e.json; echo '} x') | aggr stream publish pretty --producer p
! aggr: stream: <stdin>:20: invalid JSON: unexpected '}' at byte 1
[3]

$ (jq . e.json; echo ' x') | aggr stream publish pretty --producer p
! aggr: stream: <stdin>:20: invalid JSON: unexpected 'x' at byte 2
[3]

$ (jq . e.json | head -5) | aggr stream publish pretty --producer p
! aggr: stream: <stdin>:5: invalid JSON: truncated JSON: unexpected end at byte 5
[3]

$ (jq . e.json; jq '.system.timezone="Nowhere"' e.json) | aggr stream publish pretty --producer p
! aggr: stream: <stdin>:20: system.timezone: unknown time zone: "Nowhere"
[3]

$ aggr stream list --format tsv | grep pretty | cut -f1-3
pretty	p	4
