#!/bin/bash
# Power cuts (powercut.c) at every sync point of stream publish, ack and
# seek. After recovery (the next writer's open), check is clean (the
# counts file included) and the consumers' lag is what a read of the
# events gives (AGGR_STREAM_COUNTS=read); a publish
# run is there whole or not at all; the stream has an owner exactly when it
# has events; a consumer position is the old one or the new one, never torn.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
crash_init stream-powercut

gen=$here/../../bench/gen-stream.sh
sh "$gen" 1500 E,F 0 > "$work/A.json"
sh "$gen" 1500 E,F 1500 > "$work/B.json"
sh "$gen" 1 E 9999 > "$work/one.json"
# a 1500-event publish spans 4 segments of 40 KB; two deflate threads,
# whatever the machine (the run rolls at the same blocks whatever the threads)
small="AGGR_BLOCK_BYTES=2048 AGGR_SEGMENT_BYTES=40000 AGGR_THREADS=2"

# What a store holds: "EVENTS OWNER RUNS [CONSUMER:OFFSET...]", where RUNS
# lists the runs (A, B) by their payload sequence numbers.
state() {
	local D=$1 ev owner runs pos
	ev=$(AGGR_DIR=$D "$aggr" stream list | jq -r '.[] | select(.stream == "s") | "\(.events) \(.owner)"')
	[ -n "$ev" ] || ev="0 null"
	runs=$(AGGR_DIR=$D "$aggr" cat streams/s 2>/dev/null | jq -r '.payload.seq | if . < 1500 then "A" else "B" end' |
		uniq -c | awk '{ printf "%s%s:%s", sep, $2, $1; sep = "," }')
	pos=$(AGGR_DIR=$D "$aggr" stream consumers s 2>/dev/null | jq -r '.[] | "\(.consumerId):\(.offset)"' | tr '\n' ' ')
	echo "$ev ${runs:--} ${pos% }" | sed 's/ $//'
}

# exercise NAME SETUP OP ALLOWED...: cut the power at every sync point of
# OP (a command using $D) on a copy of the store SETUP built, in every mode.
exercise() {
	local name=$1 setup=$2 op=$3
	shift 3
	local base=$work/base-$name
	rm -rf "$base"
	mkdir -p "$base"
	D=$base W=$work bash -c "$setup" >/dev/null || { not_ok "$name: setup"; return; }
	local D=$work/count
	rm -rf "$D"
	cp -a "$base" "$D"
	POWERCUT_DIR=$D POWERCUT_COUNT=$work/n LD_PRELOAD=$work/powercut.so D=$D W=$work bash -c "$op" >/dev/null 2>&1
	local total
	total=$(cat "$work/n")
	[ "$total" -gt 0 ] || { not_ok "$name: no sync points"; return; }
	if [ -n "${min_segs:-}" ]; then
		local segs
		segs=$(ls "$D/streams/s"/*.idx | wc -l)
		[ "$segs" -ge "$min_segs" ] || { not_ok "$name: $segs segments, not $min_segs or more"; return; }
		echo "# $name: $segs segments, $total sync points"
	fi
	for n in $(seq 1 "$total"); do
		for mode in drop keep torn; do
			D=$work/cut
			rm -rf "$D"
			cp -a "$base" "$D"
			POWERCUT_DIR=$D POWERCUT_AT=$n POWERCUT_MODE=$mode LD_PRELOAD=$work/powercut.so D=$D W=$work \
				bash -c "$op" >/dev/null 2>&1
			local rc=$?
			points=$((points + 1))
			if [ $rc != 86 ]; then
				not_ok "$name: cut $n/$total ($mode) did not happen" "exit $rc"
				continue
			fi
			# the next writer recovers; then everything must be clean
			AGGR_DIR=$D "$aggr" stream publish s --producer p < /dev/null 2>"$work/err" &&
				AGGR_DIR=$D "$aggr" check 2>>"$work/err" || {
				not_ok "$name: cut $n/$total ($mode): not clean after recovery" "$(head -2 "$work/err")"
				continue
			}
			# lag and positions from the counts file, as a read of the events gives them
			if ! cmp -s <(AGGR_DIR=$D "$aggr" stream consumers s 2>&1) \
				<(AGGR_DIR=$D AGGR_STREAM_COUNTS=read "$aggr" stream consumers s 2>&1); then
				not_ok "$name: cut $n/$total ($mode): lag differs from a read of the events"
				continue
			fi
			local got allowed=0
			got=$(state "$D")
			for want in "$@"; do
				[ "$got" = "$want" ] && allowed=1
			done
			[ $allowed = 1 ] || { not_ok "$name: cut $n/$total ($mode): store holds [$got]" "allowed: $*"; continue; }
			# ownership: another producer may publish exactly when there are no events
			AGGR_DIR=$D "$aggr" stream publish s --producer q "$work/one.json" >/dev/null 2>&1
			rc=$?
			case "$got" in
			"0 null"*) [ $rc = 0 ] || { not_ok "$name: cut $n/$total ($mode): an empty stream refused a producer" "exit $rc"; continue; } ;;
			*) [ $rc = 5 ] || { not_ok "$name: cut $n/$total ($mode): a second producer got exit $rc"; continue; } ;;
			esac
			ok
		done
	done
}

pub() { echo "AGGR_DIR=\$D $small ${seal:-} $aggr stream publish s --producer p \$W/$1.json"; }
ack() { echo "AGGR_DIR=\$D $aggr stream ack s \$(AGGR_DIR=\$D $aggr stream consume s --consumer $1 --event-name E --limit 1 | jq -r '.[0].eventId') --consumer $1"; }

# the first run: creates the stream, its MANIFEST, a segment and the owner
exercise first "true" "$(pub A)" "0 null -" "1500 p A:1500"
# a run appended after another, rolling segments on the way
exercise append "$(pub A)" "$(pub B)" "1500 p A:1500" "3000 p A:1500,B:1500"
# a publish that starts in the active segment another left, seals it
# mid-run and spans 6 more segments
min_segs=8 exercise span "$(pub A)" "$(seal=AGGR_SEGMENT_BYTES=20000 pub B)" "1500 p A:1500" "3000 p A:1500,B:1500"
# a run after consumers moved: their lag comes from the counts file, whose
# lines the run appends and syncs before its commit point
exercise append-lag "$(pub A) && $(ack c1)" "$(pub B)" "1500 p A:1500 c1:1" "3000 p A:1500,B:1500 c1:1"
# an ack: creates consumers/ and the first position; then one moving on
exercise ack-first "$(pub A)" "$(ack c1)" "1500 p A:1500" "1500 p A:1500 c1:1"
exercise ack-next "$(pub A) && $(ack c1) && $(ack c2)" "$(ack c1)" "1500 p A:1500 c1:1 c2:1" "1500 p A:1500 c1:2 c2:1"
# seek back to the start
exercise seek "$(pub A) && $(ack c1) && $(ack c1)" \
	"AGGR_DIR=\$D $aggr stream seek s --consumer c1 --event-name E --to earliest" \
	"1500 p A:1500 c1:2" "1500 p A:1500 c1:0"

crash_done "$points crash points exercised"
