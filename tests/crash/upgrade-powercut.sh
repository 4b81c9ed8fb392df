#!/bin/bash
# Power cuts (powercut.c) at every sync point of the first writer of a
# store made by aggr 5de45f4 (tests/fixtures/v1-store, format 1) or by aggr
# ac5ded6 (tests/fixtures/v2-store, format 2), which upgrades the log it
# opens (the filter file of each sealed segment with bloom filters, then
# MANIFEST "aggr-manifest 3" naming them, then the active data file renamed
# to .open; a stream's counts file of every event it holds) before its
# run: an ingest that stays
# in the active segment, one that seals it mid-run and spans segments, a
# sessions ingest, a stream publish and a compaction of events. Right after
# the cut, readers (no writer) read the store exactly as before or as after
# the whole run; after the next writer's recovery the log is upgraded,
# check is clean with no interrupted run left, and it still reads exactly
# as before or as after.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
crash_init upgrade-powercut
fixtures="$here/../fixtures/v1-store $here/../fixtures/v2-store"
export AGGR_NOW=2022-01-15T22:00:00Z TZ=UTC LC_ALL=C
for fixture in $fixtures; do
	[ -f "$fixture/flows/MANIFEST" ] || { echo "upgrade-powercut: 0 passed, 1 failed (no fixture $fixture)"; exit 1; }
done


# what readers see of LOG in store $1: every read command's output (and,
# after a writer's recovery, with state: its batch IDs too; before it, the
# batches file may name the cut run, which the recovery drops)
state() {   # DIR LOG
	reads "$@"
	[ ! -f "$1/$2/batches" ] || cat "$1/$2/batches"
}
newid='if .payload.seq >= 1000 then .eventId = "NEW" else . end'
reads() {   # DIR LOG
	local a="env AGGR_DIR=$1 $aggr"
	case $2 in
	flows) $a cat flows; $a flows --hour 10; $a flows --hour 12 --format csv ;;
	sessions) $a cat sessions; $a sessions --user u0; $a sessions --starts --days 10 ;;
	# the run's event ids are new at each publish; the fixture's stay
	streams/s) $a cat streams/s | jq -c "$newid"; $a stream consumers s; $a stream list
		$a stream consume s --consumer c1 --event-name E --limit 100 | jq -c ".[] | $newid" ;;
	events) $a cat events; $a events list ;;
	esac 2>&1
	# bytes on disk differ before a recovery (a cut run's files) and after it
	$a info "$2" --format ndjson | jq -c 'del(.compressed_bytes, .ratio, .disk_bytes)' 2>&1
}

# records for the runs (the fixture's own shapes)
awk 'BEGIN { for (i = 0; i < 400; i++)
	printf "{\"src_app\":\"u%d\",\"dest_app\":\"d%d\",\"vpc_id\":\"vpc-%d\",\"hour\":%d,\"bytes_tx\":%d,\"bytes_rx\":1}\n",
		i % 5, i % 2, i % 2, 10 + i % 3, i }' > "$work/flows.json"
awk 'BEGIN { for (i = 0; i < 40; i++)
	printf "{\"user_id\":\"u%d\",\"event\":\"%s\",\"session_id\":\"n%d\",\"ts\":\"2022-01-12T%02d:00:00\",\"country\":\"FR\"}\n",
		i % 2, i % 4 < 2 ? "start" : "end", i / 4, i % 24 }' > "$work/sessions.json"
sh "$here/../../bench/gen-stream.sh" 300 E,F 1000 > "$work/stream.json"

# Is the log in directory $1 in format 3: its MANIFEST says so, the data
# file of a sealed segment is BASE[-GEN].jsonl.gz, that of the active one
# BASE[-GEN].jsonl.gz.open, and no other data file is there; in a log with
# bloom filters (sessions, streams) every sealed segment names its filter
# file BASE[-GEN].flt, which is there, and no other one is?
upgraded() {
	[ "$(head -1 "$1/MANIFEST")" = "aggr-manifest 3" ] || return 1
	local want have bloom=0
	case $1 in */sessions|*/streams/*) bloom=1 ;; esac
	want=$(awk '$1 == "segment" { n = $2; if ($(NF - 1) == "gen") n = n "-" $NF
		print n ($3 == "sealed" ? ".jsonl.gz" : ".jsonl.gz.open") }' "$1/MANIFEST")
	have=$(cd "$1" && ls | grep '\.jsonl\.gz')
	[ "$want" = "$have" ] || return 1
	want=$(awk -v b=$bloom '$1 == "segment" && $3 == "sealed" { n = $2; if ($(NF - 1) == "gen") n = n "-" $NF
		if (b && !/ filter( |$)/) print "missing"; else if (b) print n ".flt" }' "$1/MANIFEST")
	have=$(cd "$1" && ls | grep '\.flt$')
	[ "$want" = "$have" ] || return 1
	# a stream's first publisher counts the events it holds (check verifies them)
	case $1 in */streams/*) [ -f "$1/counts" ] && [ "$(head -1 "$1/counts")" = "aggr-stream-counts 1" ] ;; esac
}

# exercise NAME LOG OP RECOVER: OP and RECOVER are commands using $D
exercise() {
	local name=$1 log=$2 op=$3 recover=$4
	local D=$work/after before after sbefore safter total
	rm -rf "$D"
	cp -R "$fixture" "$D"
	before=$(reads "$D" "$log")
	sbefore=$(state "$D" "$log")
	D=$D bash -c "$op" >/dev/null 2>"$work/err" || { not_ok "$name: uncut run failed" "$(head -2 "$work/err")"; return; }
	after=$(reads "$D" "$log")
	safter=$(state "$D" "$log")
	[ "$before" != "$after" ] || { not_ok "$name: the run changed nothing"; return; }
	upgraded "$D/$log" || { not_ok "$name: the uncut run did not upgrade"; return; }
	# and before it, the log was in an older format
	! upgraded "$fixture/$log" || { not_ok "$name: the fixture is not an older store"; return; }
	D=$work/count
	rm -rf "$D"
	cp -R "$fixture" "$D"
	POWERCUT_DIR=$D POWERCUT_COUNT=$work/n LD_PRELOAD=$work/powercut.so D=$D bash -c "$op" >/dev/null 2>&1
	total=$(cat "$work/n")
	[ "$total" -gt 0 ] || { not_ok "$name: no sync points"; return; }
	echo "# $name: $total sync points"
	for n in $(seq 1 "$total"); do
		for mode in drop keep torn; do
			D=$work/cut
			rm -rf "$D"
			cp -R "$fixture" "$D"
			POWERCUT_DIR=$D POWERCUT_AT=$n POWERCUT_MODE=$mode LD_PRELOAD=$work/powercut.so D=$D \
				bash -c "$op" >/dev/null 2>&1
			local rc=$? got where="$name: cut $n/$total ($mode)"
			points=$((points + 1))
			[ $rc = 86 ] || { not_ok "$where did not happen" "exit $rc"; continue; }
			# readers, before any writer recovers: nothing misread
			got=$(reads "$D" "$log")
			if [ "$got" != "$before" ] && [ "$got" != "$after" ]; then
				not_ok "$where: readers see neither the store before nor after the run" \
					"$(diff <(echo "$after") <(echo "$got") | head -3 | cut -c1-200 | tr '\n' ' ')"
				continue
			fi
			# the next writer recovers and upgrades
			D=$D bash -c "$recover" >/dev/null 2>"$work/err" &&
				AGGR_DIR=$D "$aggr" -v check "$log" 2>>"$work/err" || {
				not_ok "$where: not clean after recovery" "$(head -2 "$work/err")"; continue; }
			if grep -q 'interrupted run' "$work/err"; then
				not_ok "$where: bytes of the cut run left after recovery" "$(grep interrupted "$work/err" | head -1)"
				continue
			fi
			if ! upgraded "$D/$log"; then
				not_ok "$where: not upgraded after recovery" "$(head -1 "$D/$log/MANIFEST"; ls "$D/$log" | tr '\n' ' ')"
				continue
			fi
			got=$(state "$D" "$log")
			if [ "$got" = "$sbefore" ] || [ "$got" = "$safter" ]; then ok; else
				not_ok "$where: after recovery the store reads neither as before nor as after the run" \
					"$(diff <(echo "$safter") <(echo "$got") | head -3 | cut -c1-200 | tr '\n' ' ')"
			fi
		done
	done
}

for fixture in $fixtures; do
echo "# fixture $(basename "$fixture")"
one="AGGR_DIR=\$D AGGR_THREADS=2"
# an ingest that stays in the active segment the fixture left
exercise flows flows "$one AGGR_BLOCK_BYTES=2048 $aggr ingest flows --batch-id up $work/flows.json" \
	"AGGR_DIR=\$D $aggr ingest flows < /dev/null"
# one that seals that segment after its first block and spans 3 more
exercise flows-span flows "$one AGGR_BLOCK_BYTES=512 AGGR_SEGMENT_BYTES=1200 $aggr ingest flows --batch-id up $work/flows.json" \
	"AGGR_DIR=\$D $aggr ingest flows < /dev/null"
exercise sessions sessions "$one AGGR_BLOCK_BYTES=1024 $aggr ingest sessions --batch-id up $work/sessions.json" \
	"AGGR_DIR=\$D $aggr ingest sessions < /dev/null"
exercise stream streams/s "$one AGGR_BLOCK_BYTES=4096 AGGR_SEGMENT_BYTES=20000 $aggr stream publish s --producer p $work/stream.json" \
	"AGGR_DIR=\$D $aggr stream publish s --producer p < /dev/null"
# the first writer of events is a compaction: upgrade, then rewrite
exercise compact events "$one $aggr compact events" "AGGR_DIR=\$D $aggr events list > /dev/null && AGGR_DIR=\$D $aggr ingest events < /dev/null"

done

crash_done "$points crash points exercised"
