# Point operations of events (aggr-format(5), FILTER FILES): stop and
# remove --id read only the blocks whose _id bloom filter may hold the id,
# remove --start only the blocks whose key range holds the start. Pruning
# never hides a record: old segments without filters, false positives,
# compaction and a damaged filter file all give the full read's answer.
# AGGR_NOW is 2022-01-15T22:00:00Z.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: fp, old.

# 600 events (start 1000 + n, tag nN) in 6 runs, small blocks and segments
$ for r in $(seq 0 5); do tagged $((r * 100)) $((r * 100 + 99)) 1000 | AGGR_BLOCK_BYTES=1024 AGGR_SEGMENT_BYTES=3000 aggr ingest events || exit; done
$ aggr events list --format ndjson | jq -r '[._id, .tags[0]] | @tsv' > ids && wc -l < ids
600
$ test "$(grep -c ' filter$' "$AGGR_DIR/events/MANIFEST")" -ge 3 && test "$(ls "$AGGR_DIR/events" | grep -c '\.flt$')" = "$(grep -c ' filter$' "$AGGR_DIR/events/MANIFEST")" && echo filtered
filtered

# one lookup reads the one block that holds the event, of 60
$ id=$(awk '$2 == "n250" { print $1 }' ids) && aggr events stop "$id" --at 2000 -v | jq -c '[.start_epoch, .stop_epoch, .tags]'
| [1250,2000,["n250"]]
! aggr: events: stop: read 1 of 59 blocks

# now also the block of its stop record
$ id=$(awk '$2 == "n250" { print $1 }' ids) && aggr events stop "$id" --at 2001 -v | jq -c '[.start_epoch, .stop_epoch, .tags]'
| [1250,2001,["n250"]]
! aggr: events: stop: read 2 of 60 blocks

# an id that is not there reads no block
$ aggr events stop ffffffffffffffffffffffff -v
! aggr: events: stop: read 0 of 61 blocks
! aggr: events: no such event: ffffffffffffffffffffffff
[4]

# every 7th event stopped at 3000 + n, one by one: a full read (list) sees
# each stop, and no other
$ awk 'NR % 7 == 1 { sub(/^n/, "", $2); print $1, $2 }' ids | while read -r id n; do aggr events stop "$id" --at $((3000 + n)) > /dev/null || exit; done
$ aggr events list --format ndjson | jq -s -c '[map(select(.stop_epoch != -1)) | length, (map(select(.stop_epoch != -1 and .stop_epoch != 3000 + (.tags[0][1:] | tonumber) and .tags[0] != "n250")) | length)]'
| [87,0]

# --- remove --start: the blocks whose key range holds the start ---
$ aggr events remove --start 1300 --start 1301 -v
{"start_epoch_array_deleted":[1300,1301],"start_epoch_array_not_deleted":[]}
! aggr: events: remove: read 2 of 147 blocks

$ aggr events remove --start 1300 --start 99999 --start 1e300 -v
{"start_epoch_array_deleted":[],"start_epoch_array_not_deleted":[1300,99999,1e+300]}
! aggr: events: remove: read 2 of 148 blocks

# --- remove --id ---
$ a=$(awk '$2 == "n0" { print $1 }' ids) && b=$(awk '$2 == "n599" { print $1 }' ids) && aggr events remove --id "$a" --id "$b" --id 000000000000000000000000 -v | sed "s/$a/A/; s/$b/B/"
{"id_array_deleted":["A","B"],"id_array_not_deleted":["000000000000000000000000"]}
! aggr: events: remove: read 3 of 148 blocks

$ aggr events list --format ndjson | jq -r '.tags[0]' | grep -cxE 'n(0|599|300|301)'; aggr events list --format ndjson | wc -l
0
596

$ aggr check events

# --- compaction rewrites the blocks with the _id keys ---
$ aggr compact events > /dev/null && id=$(awk '$2 == "n123" { print $1 }' ids) && aggr events stop "$id" --at 4000 -v | jq -c '[.start_epoch, .stop_epoch]' && aggr check events
| [1123,4000]
!~ ^aggr: events: stop: read 1 of [0-9]+ blocks$

# --- a damaged filter file: check names it, repair rebuilds it, and stop
# and remove read the filter files as readers do: exit 8 naming the file,
# and nothing stored; after the repair the same stop works ---
$ f=$(ls "$AGGR_DIR/events" | grep '\.flt$' | head -1) && cp "$AGGR_DIR/events/$f" flt.good && printf 'X' | dd of="$AGGR_DIR/events/$f" bs=1 seek=2 conv=notrunc 2>/dev/null && aggr check events 2>&1 | sed 's/[0-9]\{20\}\(-[0-9]*\)\{0,1\}\.flt/SEG.flt/'
aggr: check: events/SEG.flt: does not match its index (aggr check --repair rebuilds it)
$ id=$(awk '$2 == "n5" { print $1 }' ids) && snapshot && aggr events stop "$id" --at 4005; echo "rc=$?"; unchanged && echo unchanged
rc=8
unchanged
! aggr: events: events/00000000000000000000-1.flt: offset 0: bad filter header (aggr check --repair rebuilds it)

$ f=$(ls "$AGGR_DIR/events" | grep '\.flt$' | head -1) && aggr check --repair events 2>&1 | sed 's/[0-9]\{20\}\(-[0-9]*\)\{0,1\}\.flt/SEG.flt/' && cmp flt.good "$AGGR_DIR/events/$f" && aggr check events && echo repaired
aggr: check: events/SEG.flt: does not match its index: rebuilt from its index
repaired

$ id=$(awk '$2 == "n5" { print $1 }' ids) && aggr events stop "$id" --at 4005 | jq -c '[.start_epoch, .stop_epoch]'
| [1005,4005]

# --- a false positive: a block so full that its filter says maybe to
# nearly every id; the block is read, and the answer is still right ---
$ seq 1 40000 | awk '{ printf "{\"tags\":[],\"start_epoch\":%d}\n", $1 }' | AGGR_DIR=$PWD/fp AGGR_BLOCK_BYTES=8000000 aggr ingest events
$ AGGR_DIR=$PWD/fp aggr events stop 000000000000000000000000 -v
! aggr: events: stop: read 1 of 1 blocks
! aggr: events: no such event: 000000000000000000000000
[4]

$ AGGR_DIR=$PWD/fp aggr events remove --id 000000000000000000000000 -v
{"id_array_deleted":[],"id_array_not_deleted":["000000000000000000000000"]}
! aggr: events: remove: read 1 of 1 blocks

# --- segments written before events had filters (tests/fixtures/v2-store:
# no bloom in their index, no .flt): every block is read ---
$ cp -R "$TESTS/fixtures/v2-store" old && AGGR_DIR=$PWD/old aggr events stop 61e343e0602554b5fc071558 --at 1642280000 -v
{"_id":"61e343e0602554b5fc071558","start_epoch":1642270000,"stop_epoch":1642280000,"tags":["red","ops"]}
! aggr: events: stop: read 6 of 6 blocks

$ AGGR_DIR=$PWD/old aggr events remove --id 61e343e0e81a7474cbb517b2 --id 61e343e0d356d311dc572748 -v && AGGR_DIR=$PWD/old aggr events remove --start 1642274000.5 -v && AGGR_DIR=$PWD/old aggr events list --format ndjson
{"id_array_deleted":["61e343e0e81a7474cbb517b2"],"id_array_not_deleted":["61e343e0d356d311dc572748"]}
{"start_epoch_array_deleted":[1642274000.5],"start_epoch_array_not_deleted":[]}
{"_id":"61e343e0602554b5fc071558","start_epoch":1642270000,"stop_epoch":1642280000,"tags":["red","ops"]}
! aggr: events: remove: read 7 of 7 blocks
! aggr: events: remove: read 1 of 8 blocks
$ head -1 old/events/MANIFEST && ls old/events | grep -c '\.flt$'; AGGR_DIR=$PWD/old aggr check events
aggr-manifest 3
0

# --- events list with a window reads only the blocks of its starts ---
$ aggr events list --since 1400 --until 1410 --format ndjson -v | jq -r '.tags[0]' | tr '\n' ' '
n400 n401 n402 n403 n404 n405 n406 n407 n408 n409 
!~ ^aggr: events: events: read [12] of [0-9]+ blocks$
