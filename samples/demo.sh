#!/bin/sh
# make demo: a real session on samples/ in a throwaway data directory.
set -e
aggr=${1:-aggr}
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
run() {
	shift
	printf '\n$ aggr %s\n' "$*"
	"$aggr" "$@"
}
export AGGR_DIR="$dir"
printf 'data directory: %s\n' "$dir"
run aggr -v ingest flows "$here/flows.json"
run aggr flows --hour 1
run aggr flows --hour 2 --format table
run aggr flows --hour 3
printf '\n$ %s\n' "aggr ingest flows --max-batch 3 samples/flows.json   # refused whole: exit 7"
"$aggr" ingest flows --max-batch 3 "$here/flows.json" || printf '(exit %s)\n' "$?"
run aggr ingest counters "$here/counters.json"
run aggr top --hour --at 2022-01-15T22:00:00Z -n 5
run aggr top --minute --at 2022-01-15T21:59:00Z --format table
run aggr cat flows
run aggr ingest events "$here/events.json"
run aggr events add --tag backup --tag nightly --start -1h
run aggr events list --format table
run aggr ingest sessions "$here/readme_batch.json"
run aggr sessions --user d6313e1fb7d247a6a034e2aadc30ab3f
run aggr sessions --starts --days 200 --at 2019-05-01 --format table
printf '\n$ %s\n' "id=\$(aggr stream publish orders --producer shop samples/event.json); echo \$id"
id=$("$aggr" stream publish orders --producer shop "$here/event.json")
echo "$id"
run aggr stream consume orders --consumer mailer --event-name GdriveSync --limit 10 --format ndjson
run aggr stream ack orders "$id" --consumer mailer
run aggr stream consumers orders --format table
run aggr info --format table
run aggr -v check
printf '\n$ %s\n' "ls \$AGGR_DIR/flows   # the active segment is *.jsonl.gz.open until sealed"
ls "$dir"/flows
printf '\n$ %s\n' "AGGR_SEAL_AGE=0 aggr ingest flows samples/flows.json   # this commit seals it"
AGGR_SEAL_AGE=0 "$aggr" ingest flows "$here/flows.json"
printf '\n$ %s\n' "zcat \$AGGR_DIR/flows/*.jsonl.gz | wc -l   # sealed segments: plain gzip JSON lines, all committed"
zcat "$dir"/flows/*.jsonl.gz | wc -l
