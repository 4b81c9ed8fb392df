# aggr stream: the event server's HTTP cases as commands. Event ids are
# random: each case maps the ids it printed to ID1, ID2... with ids.sed.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# A case that starts with "aggr purge" starts that log afresh.

$ jq -c . "$SEED/003-event-streams/go-sibling/input/receive_event.json" > e.json; jq -c '.event.name="Other"' e.json > other.json; cat e.json
{"event":{"name":"GdriveSync","version":1},"system":{"id":"alv123","name":"Houston","time":"2017-09-06 13:58:12","timezone":"Europe/Berlin"},"trigger":{"type":"system","name":"/path/to/script.go"},"payload":{"foo":"bar"}}

# --- unknown stream: exit 4, nothing created ---

$ aggr stream consume s1 --consumer c1 --event-name GdriveSync --limit 10
! aggr: stream: no such stream: s1
[4]

$ aggr stream ack s1 fbfa7777-a2e3-4449-9dd1-842ff8b1fcea --consumer c1
! aggr: stream: no such stream: s1
[4]

$ aggr stream consumers s1
! aggr: stream: no such stream: s1
[4]

$ aggr stream seek s1 --consumer c1 --event-name GdriveSync --to earliest
! aggr: stream: no such stream: s1
[4]

$ aggr cat streams/s1
!~ ^aggr: cat: /.*/data: no such data directory$
[4]

$ aggr info streams/s1
!~ ^aggr: info: /.*/data: no such data directory$
[4]

$ aggr purge streams/s1
! aggr: purge: streams/s1: no such stream
[4]

$ aggr compact streams/s1
! aggr: compact: streams/s1: no such stream
[4]

$ aggr retain streams/s1
! aggr: retain: streams/s1: no such stream
[4]

$ aggr retain streams/s1 --older-than 1d
! aggr: retain: streams/s1: no such stream
[4]

$ aggr stream list; echo $?; [ -e "$AGGR_DIR" ] || echo "no data directory"
4
no data directory
!~ ^aggr: stream: /.*/data: no such data directory$

$ mkdir -p "$AGGR_DIR"; aggr stream list; aggr cat streams/s1; echo $?; aggr info streams/s1
[]
4
! aggr: cat: streams/s1: no such stream
! aggr: info: streams/s1: no such stream
[4]

# --- publish then consume returns the event with its id ---

$ aggr stream publish s1 --producer p1 e.json > ids; r=$?; wc -l < ids; grep -cE '^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$' ids; exit $r
1
1

$ awk '{print "s/" $0 "/ID" NR "/g"}' ids > ids.sed; aggr stream consume s1 --consumer c1 --event-name GdriveSync --limit 10 | sed -f ids.sed
[{"eventId":"ID1","event":{"name":"GdriveSync","version":1},"system":{"id":"alv123","name":"Houston","time":"2017-09-06 13:58:12","timezone":"Europe/Berlin"},"trigger":{"type":"system","name":"/path/to/script.go"},"payload":{"foo":"bar"}}]

# consume twice returns the same: the position did not move
$ aggr stream consume s1 --consumer c1 --event-name GdriveSync --limit 10 | sed -f ids.sed
[{"eventId":"ID1","event":{"name":"GdriveSync","version":1},"system":{"id":"alv123","name":"Houston","time":"2017-09-06 13:58:12","timezone":"Europe/Berlin"},"trigger":{"type":"system","name":"/path/to/script.go"},"payload":{"foo":"bar"}}]

# the stored form: the input plus eventId and offset
$ aggr cat streams/s1 | sed -f ids.sed
{"eventId":"ID1","offset":0,"event":{"name":"GdriveSync","version":1},"system":{"id":"alv123","name":"Houston","time":"2017-09-06 13:58:12","timezone":"Europe/Berlin"},"trigger":{"type":"system","name":"/path/to/script.go"},"payload":{"foo":"bar"}}

# events named otherwise are not returned
$ aggr stream consume s1 --consumer c1 --event-name Other --limit 10
[]

# ack, then consume returns nothing
$ aggr stream ack s1 "$(sed -n 1p ids)" --consumer c1 && aggr stream consume s1 --consumer c1 --event-name GdriveSync --limit 10
[]

# a second consumer is independent
$ aggr stream consume s1 --consumer c2 --event-name GdriveSync --limit 10 --format ndjson | sed -f ids.sed
{"eventId":"ID1","event":{"name":"GdriveSync","version":1},"system":{"id":"alv123","name":"Houston","time":"2017-09-06 13:58:12","timezone":"Europe/Berlin"},"trigger":{"type":"system","name":"/path/to/script.go"},"payload":{"foo":"bar"}}

# re-ack: exit 5
$ aggr stream ack s1 "$(sed -n 1p ids)" --consumer c1
! aggr: stream: consumer offset mismatch: 2->1
[5]

# unknown event id: exit 4; a malformed one: exit 2
$ aggr stream ack s1 fbfa7777-a2e3-4449-9dd1-842ff8b1fcea --consumer c1
! aggr: stream: no such event in stream s1: fbfa7777-a2e3-4449-9dd1-842ff8b1fcea
[4]

$ aggr stream ack s1 not-an-id --consumer c1
! aggr: stream: not an event id: not-an-id
! Try 'aggr help stream'.
[2]

# --- the second producer: exit 5 naming the owner; nothing stored ---

$ aggr stream publish s1 --producer p2 e.json
! aggr: stream: locked: second writers not allowed: stream s1 is owned by producer p1
[5]

$ aggr stream publish s1 --producer p1 e.json other.json e.json > ids2 && wc -l < ids2 && aggr cat streams/s1 | wc -l
3
4

# --- three events: ack of the second before the first is refused ---

$ for i in 1 2 3; do cat e.json; done | aggr stream publish s3 --producer p1 > ids3; awk '{print "s/" $0 "/ID" NR "/g"}' ids3 > ids3.sed; wc -l < ids3
3

$ aggr stream ack s3 "$(sed -n 2p ids3)" --consumer c1
! aggr: stream: consumer offset mismatch: 1->2
[5]

$ aggr stream ack s3 "$(sed -n 3p ids3)" --consumer c1
! aggr: stream: consumer offset mismatch: 1->3
[5]

$ aggr stream ack s3 "$(sed -n 1p ids3)" --consumer c1 && aggr stream ack s3 "$(sed -n 2p ids3)" --consumer c1
$ aggr stream consume s3 --consumer c1 --event-name GdriveSync --limit 5 | sed -f ids3.sed | jq -c 'map(.eventId)'
["ID3"]

$ aggr stream ack s3 "$(sed -n 1p ids3)" --consumer c1
! aggr: stream: consumer offset mismatch: 3->1
[5]

$ aggr stream ack s3 "$(sed -n 3p ids3)" --consumer c1 && aggr stream ack s3 "$(sed -n 3p ids3)" --consumer c1
! aggr: stream: consumer offset mismatch: 4->3
[5]

# --limit takes the oldest first
$ aggr stream consume s3 --consumer c9 --event-name GdriveSync --limit 2 | sed -f ids3.sed | jq -c 'map(.eventId)'
["ID1","ID2"]

# --- consumers: acknowledged, behind, percent ---

$ aggr stream ack s3 "$(sed -n 1p ids3)" --consumer c2 && aggr stream consumers s3
| [{"consumerId":"c1","offset":3,"movedAt":"2022-01-15T22:00:00.000000Z","eventName":"GdriveSync","consumedPercentage":100.00,"behind":0},{"consumerId":"c2","offset":1,"movedAt":"2022-01-15T22:00:00.000000Z","eventName":"GdriveSync","consumedPercentage":33.33,"behind":2}]

$ aggr stream consumers s3 --format table
consumerId  offset  movedAt                      eventName   consumedPercentage  behind
c1               3  2022-01-15T22:00:00.000000Z  GdriveSync              100.00       0
c2               1  2022-01-15T22:00:00.000000Z  GdriveSync               33.33       2

$ aggr stream consumers s1 --format csv
consumerId,offset,movedAt,eventName,consumedPercentage,behind
c1,1,2022-01-15T22:00:00.000000Z,GdriveSync,33.33,2

# --- seek: latest, earliest, an event id; acks go on from there ---

$ aggr stream seek s3 --consumer c2 --event-name GdriveSync --to latest && aggr stream consume s3 --consumer c2 --event-name GdriveSync --limit 5
[]

$ AGGR_NOW=2022-01-15T22:05:00Z aggr stream seek s3 --consumer c2 --event-name GdriveSync --to "$(sed -n 2p ids3)"
$ aggr stream consume s3 --consumer c2 --event-name GdriveSync --limit 5 | sed -f ids3.sed | jq -c 'map(.eventId)'
["ID2","ID3"]

$ aggr stream consumers s3 --format ndjson | grep c2
{"consumerId":"c2","offset":1,"movedAt":"2022-01-15T22:05:00.000000Z","eventName":"GdriveSync","consumedPercentage":33.33,"behind":2}

$ aggr stream ack s3 "$(sed -n 3p ids3)" --consumer c2
! aggr: stream: consumer offset mismatch: 2->3
[5]

$ aggr stream ack s3 "$(sed -n 2p ids3)" --consumer c2 && aggr stream seek s3 --consumer c2 --event-name GdriveSync --to earliest
$ aggr stream consume s3 --consumer c2 --event-name GdriveSync --limit 1 | sed -f ids3.sed | jq -c 'map(.eventId)'
["ID1"]

$ aggr stream seek s3 --consumer c2 --event-name Other --to "$(sed -n 2p ids3)" 2>&1 | sed -f ids3.sed; exit ${PIPESTATUS[0]}
aggr: stream: no event named Other in stream s3: ID2
[4]

$ aggr stream seek s3 --consumer c2 --event-name GdriveSync --to somewhere
! aggr: stream: seek: --to: not earliest, latest or an event id: somewhere
! Try 'aggr help stream'.
[2]

# --- list ---

$ AGGR_NOW=2022-01-16T08:00:00Z aggr stream publish s3 --producer p1 e.json > /dev/null && aggr stream list
| [{"stream":"s1","owner":"p1","events":4,"firstPublished":"2022-01-15T22:00:00.000000Z","lastPublished":"2022-01-15T22:00:00.000000Z"},{"stream":"s3","owner":"p1","events":4,"firstPublished":"2022-01-15T22:00:00.000000Z","lastPublished":"2022-01-16T08:00:00.000000Z"}]

$ aggr stream list --format tsv
stream	owner	events	firstPublished	lastPublished
s1	p1	4	2022-01-15T22:00:00.000000Z	2022-01-15T22:00:00.000000Z
s3	p1	4	2022-01-15T22:00:00.000000Z	2022-01-16T08:00:00.000000Z

# --- event names of any bytes: consumer files are named safely ---

$ long=$(printf 'n%.0s' $(seq 300)); for n in 'a/b é' '../../x' "$long"; do jq -c --arg n "$n" '.event.name=$n' e.json; done | aggr stream publish odd --producer p > oddids && for i in 1 2 3; do n=$(aggr cat streams/odd | sed -n ${i}p | jq -r .event.name); aggr stream ack odd "$(sed -n ${i}p oddids)" --consumer c || exit 1; aggr stream consume odd --consumer c --event-name "$n" --limit 1; done; ls "$AGGR_DIR/streams/odd/consumers" | sort
[]
[]
[]
LOCK
c,..%2F..%2Fx
c,a%2Fb%20%C3%A9
c,~28da431d8a252e1370504818ffe8c03f
