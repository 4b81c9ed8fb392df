#!/bin/bash
# Power cuts at every sync point of every write path (powercut.c): after the
# next writer's recovery, check is clean, acknowledged runs are all there,
# the interrupted run is there whole or not at all, batch IDs name exactly
# the runs stored, the data files hold exactly the records cat prints and
# the sealed ones (*.jsonl.gz, what other engines read) a prefix of them.
# Runs that span 3 or more segments are cut too (span, rollmid, spannext).
# Prints how many crash points were exercised.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
crash_init powercut

# N records of run K for each kind, tagged "run-K" somewhere in the record;
# a new kind needs one line here, not new harness code
run_file() {   # KIND K N
	awk -v kind="$1" -v k="$2" -v n="$3" 'BEGIN { for (i = 0; i < n; i++)
		if (kind == "flows")
			printf "{\"src_app\":\"run-%s\",\"dest_app\":\"d%d\",\"vpc_id\":\"v\",\"hour\":%d,\"bytes_tx\":1,\"bytes_rx\":2}\n", k, i % 7, i % 24
		else if (kind == "counters")
			printf "{\"timestamp\":%d,\"run-%s\":%d,\"d%d.example\":1}\n", 1642284000 + i, k, i % 100, i % 7
		else if (kind == "events")
			printf "{\"tags\":[\"run-%s\",\"t%d\"],\"start_epoch\":%d.25}\n", k, i % 7, 1642284000 + i
		else if (kind == "sessions")
			printf "{\"user_id\":\"run-%s\",\"event\":\"%s\",\"session_id\":\"s%d\",\"ts\":\"2022-01-%02dT00:00:00\",\"country\":\"run-%s\"}\n", k, i % 2 ? "end" : "start", i / 2, 1 + i % 28, k
		else
			exit 1 }'
}
# the kinds aggr ingests, from its own help
kinds=${POWERCUT_KINDS:-}
[ -n "$kinds" ] || kinds=$("$aggr" help ingest | sed -n 's/^KIND: //p' | tr -d ',')

# the runs in a store, as "A:1500 B:1500"
runs() {
	AGGR_DIR=$1 "$aggr" cat "$kind" | grep -o '"run-[A-Z]"' | tr -d '"' | sed 's/^run-//' | sort | uniq -c |
		awk '{ printf "%s%s:%s", sep, $2, $1; sep = " " }'
}
# sessions: the countries ever seen (the log's summary keys), as "A B"
# for the countries RUNA and RUNB
countries() {
	AGGR_DIR=$1 "$aggr" sessions --starts --days 0 | grep -o '"RUN[A-Z]"' | tr -d '"' | sed 's/^RUN//' | sort |
		tr '\n' ' ' | sed 's/ $//'
}
batches() {
	[ -f "$1/$kind/batches" ] && cut -d' ' -f1 "$1/$kind/batches" | sort | tr '\n' ' ' | sed 's/ $//'
}

# exercise NAME BASE_SETUP OPERATION ALLOWED...: run OPERATION (a command
# string using $D) on a copy of the store BASE_SETUP built, cut the power at
# every sync point in every mode, recover, and compare with ALLOWED states.
exercise() {
	local name=$kind-$1 setup=$2 op=$3
	shift 3
	local base=$work/base-$name
	rm -rf "$base"
	mkdir -p "$base"
	D=$base bash -c "$setup" || { not_ok "$name: setup"; return; }
	local D=$work/count
	rm -rf "$D"
	cp -a "$base" "$D"
	POWERCUT_DIR=$D POWERCUT_COUNT=$work/n LD_PRELOAD=$work/powercut.so D=$D bash -c "$op" >/dev/null 2>&1
	local total
	total=$(cat "$work/n")
	[ "$total" -gt 0 ] || { not_ok "$name: no sync points"; return; }
	# a run meant to span segments must: count the segments it left
	if [ -n "${min_segs:-}" ]; then
		local segs
		segs=$(ls "$D/$kind"/*.idx | wc -l)
		[ "$segs" -ge "$min_segs" ] || { not_ok "$name: $segs segments, not $min_segs or more"; return; }
		echo "# $name: $segs segments, $total sync points"
	fi
	for n in $(seq 1 "$total"); do
		for mode in drop keep torn; do
			D=$work/cut
			rm -rf "$D"
			cp -a "$base" "$D"
			POWERCUT_DIR=$D POWERCUT_AT=$n POWERCUT_MODE=$mode LD_PRELOAD=$work/powercut.so D=$D \
				bash -c "$op" >/dev/null 2>&1
			local rc=$?
			points=$((points + 1))
			if [ $rc != 86 ]; then
				not_ok "$name: cut $n/$total ($mode) did not happen" "exit $rc"
				continue
			fi
			# the next writer recovers; then everything must be clean
			AGGR_DIR=$D "$aggr" check --repair >/dev/null 2>"$work/err" &&
				AGGR_DIR=$D "$aggr" ingest "$kind" < /dev/null 2>>"$work/err" &&
				AGGR_DIR=$D "$aggr" check 2>>"$work/err" || {
				not_ok "$name: cut $n/$total ($mode): not clean after recovery" "$(head -2 "$work/err")"
				continue
			}
			local got b allowed=0
			got=$(runs "$D")
			b=$(batches "$D")
			for want in "$@"; do
				[ "$got|$b" = "$want" ] && allowed=1
			done
			# a run's countries are there exactly when the run is (retain keeps them)
			if [ $allowed = 1 ] && [ "$kind" = sessions ]; then
				local want=${keys_expect:-$(echo "$got" | sed 's/:[0-9]*//g')} have
				# keys_more: countries kept although their run was deleted
				[ -n "${keys_more:-}" ] &&
					want=$(echo "$want $keys_more" | tr ' ' '\n' | sort -u | tr '\n' ' ' | sed 's/ $//')
				have=$(countries "$D")
				[ "$have" = "$want" ] || { allowed=0; got="$got; countries $have, want $want"; }
			fi
			if [ $allowed = 0 ]; then
				not_ok "$name: cut $n/$total ($mode): store holds [$got|$b]" "allowed: $*"
				continue
			fi
			# the data files hold exactly the committed records (no bytes
			# of the cut run left), and the sealed ones, which other engines
			# read (*.jsonl.gz), a prefix of them
			local sealed
			AGGR_DIR=$D "$aggr" cat "$kind" > "$work/cat"
			sealed=$(zcat "$D/$kind"/*.jsonl.gz 2>/dev/null | wc -l)
			if ! zcat "$D/$kind"/*.jsonl.gz* 2>/dev/null | cmp -s - "$work/cat"; then
				not_ok "$name: cut $n/$total ($mode): the data files do not hold exactly what cat prints"
			elif ! zcat "$D/$kind"/*.jsonl.gz 2>/dev/null | cmp -s - <(head -n "$sealed" "$work/cat"); then
				not_ok "$name: cut $n/$total ($mode): the sealed files are not a prefix of the log"
			else
				ok
			fi
		done
	done
}

eio_points=0
for kind in $kinds; do
for k in A B C; do run_file "$kind" $k 1500 > "$work/$k.json" || { not_ok "$kind: no sample records"; continue 2; }; done
# two deflate threads, whatever the machine: a run rolls to a new segment
# at the same block whatever the threads, so the sync points are the same
small="AGGR_BLOCK_BYTES=2048 AGGR_SEGMENT_BYTES=40000 AGGR_THREADS=2"
A='"$D"/../A.json' B='"$D"/../B.json' C='"$D"/../C.json'
ing() { echo "AGGR_DIR=\$D $small ${seal:-} $aggr ingest $kind --batch-id $1 $2"; }
span="AGGR_SEGMENT_BYTES=5000"

# the first run into an empty store: creates the MANIFEST and a segment
exercise first "true" "$(ing A "$A")" "|" "A:1500|A"
# a run appended to the active segment, which then fills and is sealed
exercise append "$(ing A "$A")" "$(ing B "$B")" "A:1500|A" "A:1500 B:1500|A B"
# a run that spans segments (3 or more: ~17 KB in 5 KB segments), into an
# empty store; nothing but its MANIFEST makes any of them visible
if [ "$kind" = flows ] || [ "$kind" = sessions ]; then
	min_segs=3 exercise span "true" "$(seal=$span ing A "$A")" "|" "A:1500|A"
	# a run that starts in the active segment of the run before it, seals
	# that segment when it has written one block there, and goes on in 3
	# more: cut anywhere, that segment is active again with run A only
	min_segs=4 exercise rollmid "$(ing A "$A")" "$(seal=$span ing B "$B")" "A:1500|A" "A:1500 B:1500|A B"
	# the same after a sealed segment: the spanning run starts the next one
	min_segs=4 exercise spannext "$(seal=AGGR_SEAL_AGE=0 ing A "$A")" "$(seal=$span ing B "$B")" \
		"A:1500|A" "A:1500 B:1500|A B"
fi
# a run that starts a new segment after a sealed one (every run seals)
seal=AGGR_SEAL_AGE=0
exercise newseg "$(ing A "$A") && $(ing B "$B")" "$(ing C "$C")" \
	"A:1500 B:1500|A B" "A:1500 B:1500 C:1500|A B C"
newseg_op=$(ing C "$C")
seal=
# purge
exercise purge "$(ing A "$A") && $(ing B "$B")" "AGGR_DIR=\$D $aggr purge $kind" \
	"A:1500 B:1500|A B" "|"
# retain: the sealed segment of run A, ingested 228 days ago, expires
seal=AGGR_SEAL_AGE=0
keys_expect="A B" exercise retain \
	"AGGR_NOW=2021-06-01T00:00:00Z $(ing A "$A") && AGGR_NOW=2021-12-01T00:00:00Z $(ing B "$B")" \
	"AGGR_DIR=\$D $aggr retain $kind --older-than 100d" "A:1500 B:1500|A B" "B:1500|B"
# retain by size: run A's sealed segment goes, B's (the newest) stays
keys_expect="A B" exercise retain-size "$(ing A "$A") && $(ing B "$B")" \
	"AGGR_DIR=\$D $aggr retain $kind --max-bytes 1" "A:1500 B:1500|A B" "B:1500|B"
# the size kept by --set-max-bytes, applied by ingest on its way out
# (A's batch ID goes with its segment, now or when the next writer opens)
keys_more=A exercise ingest-size \
	"$(ing A "$A") && AGGR_DIR=\$D $aggr retain $kind --set-max-bytes 1" \
	"$(ing B "$B")" "A:1500|A" "A:1500 B:1500|A B" "B:1500|A B" "B:1500|B"
seal=
# check --repair rebuilding a lost index
exercise repair "$(ing A "$A") && rm \"\$D\"/$kind/00000000000000000000.idx" \
	"AGGR_DIR=\$D $aggr check --repair" "A:1500|A"
# check --repair with the active index lost after two runs: run B, which
# only that index proved, is set aside with its batch ID and keys, at every
# cut (issue 12 item 5)
exercise repair-aside "$(ing A "$A") && AGGR_DIR=\$D AGGR_BLOCK_BYTES=2048 $aggr ingest $kind --batch-id B $B && rm \"\$D\"/$kind/00000000000000000000.idx" \
	"AGGR_DIR=\$D $aggr check --repair" "A:1500|A"

# EIO from a sync is fatal: the command fails (or, after its commit point,
# warns) and is never reported as stored unless it is; the store recovers
# eio NAME OPERATION BEFORE AFTER: the store must be BEFORE after a failure
# and AFTER after a success
eio() {
	local name=$kind-$1 op=$2 before=$3 after=$4 base=$work/base-$kind-$1 n rc got
	for n in $(seq 1 "$(D=$work/count; rm -rf "$D"; cp -a "$base" "$D"; POWERCUT_DIR=$D POWERCUT_COUNT=$work/n \
			LD_PRELOAD=$work/powercut.so D=$D bash -c "$op" >/dev/null 2>&1; cat "$work/n")"); do
		D=$work/eio
		rm -rf "$D"
		cp -a "$base" "$D"
		POWERCUT_DIR=$D POWERCUT_EIO=$n LD_PRELOAD=$work/powercut.so D=$D bash -c "$op" >/dev/null 2>"$work/err"
		rc=$?
		eio_points=$((eio_points + 1))
		AGGR_DIR=$D "$aggr" ingest "$kind" < /dev/null 2>/dev/null && AGGR_DIR=$D "$aggr" check 2>"$work/err2" || {
			not_ok "eio $name $n: not clean after recovery" "$(head -2 "$work/err2")"; continue; }
		got="$(runs "$D")|$(batches "$D")"
		grep -q 'Input/output error' "$work/err" || { not_ok "eio $name $n: no I/O error reported" "$(cat "$work/err")"; continue; }
		if [ $rc = 1 ] && [ "$got" = "$before" ]; then ok
		elif [ $rc = 0 ] && [ "$got" = "$after" ]; then ok
		# the MANIFEST rename done, its directory sync failed: visible, reported failed
		elif [ $rc = 1 ] && [ "$got" = "$after" ] && grep -q 'cannot sync directory' "$work/err"; then ok
		else not_ok "eio $name $n: exit $rc, store [$got]"; fi
	done
}
# compaction: run B loses its t0 events; B's segment is rewritten and the
# segment of removal records leaves the MANIFEST, all at the rename
if [ "$kind" = events ]; then
	seal=AGGR_SEAL_AGE=0
	rmb="AGGR_DIR=\$D $aggr events remove \$(AGGR_DIR=\$D $aggr events list --tag run-B --tag t0 --format ndjson | jq -r '\"--id \" + ._id') >/dev/null"
	exercise compact "$(ing A "$A") && $(ing B "$B") && $(ing C "$C") && $rmb" "AGGR_DIR=\$D $small $aggr compact events" \
		"A:1500 B:1500 C:1500|A B C" "A:1500 B:1285 C:1500|A B C"
	eio compact "AGGR_DIR=\$D $small $aggr compact events" "A:1500 B:1500 C:1500|A B C" "A:1500 B:1285 C:1500|A B C"
	seal=
fi
eio append "$(ing B "$B")" "A:1500|A" "A:1500 B:1500|A B"
eio newseg "$newseg_op" "A:1500 B:1500|A B" "A:1500 B:1500 C:1500|A B C"

done

crash_done "$points crash points and $eio_points I/O errors exercised"
