#!/bin/bash
# Power cuts at every sync point of `aggr ingest --remove-source-files`
# (powercut.c): each file is a run known by its digest, removed after its
# commit. After a cut, the same cron line run again leaves every file's
# records stored exactly once, the spool empty, and check clean.
# Prints how many crash points were exercised.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
crash_init remove-powercut

base=$work/base
mkdir -p "$base/spool"
for f in A B C; do
	awk -v f=$f 'BEGIN { for (i = 0; i < 300; i++) printf "{\"timestamp\":%d,\"run%s.example\":%d}\n", 1642284000 + i, f, i }' \
		> "$base/spool/$f.json"
done
# one run stored already: its file's removal was lost
AGGR_DIR=$base/data "$aggr" ingest counters --batch-id auto "$base/spool/A.json" || { not_ok setup; exit 1; }

op='exec "$AGGR" ingest counters --ignore-missing --remove-source-files "$D"/spool/*.json'
# the runs in a store, as "A:300 B:300 C:300"
runs() {
	AGGR_DIR=$1/data "$aggr" cat counters | grep -o 'run[A-Z]' | sed 's/^run//' | sort | uniq -c |
		awk '{ printf "%s%s:%s", sep, $2, $1; sep = " " }'
}
D=$work/count
cp -a "$base" "$D"
POWERCUT_DIR=$D POWERCUT_COUNT=$work/n LD_PRELOAD=$work/powercut.so AGGR=$aggr AGGR_DIR=$D/data D=$D bash -c "$op" 2>/dev/null
total=$(cat "$work/n")
[ "$(runs "$D")" = "A:300 B:300 C:300" ] && [ -z "$(ls "$D/spool")" ] || not_ok "no cut: [$(runs "$D")], spool: $(ls "$D/spool")"
[ "$total" -ge 6 ] || not_ok "sync points" "$total"
for n in $(seq 1 "$total"); do
	for mode in drop keep torn; do
		D=$work/cut
		rm -rf "$D"
		cp -a "$base" "$D"
		POWERCUT_DIR=$D POWERCUT_AT=$n POWERCUT_MODE=$mode LD_PRELOAD=$work/powercut.so \
			AGGR=$aggr AGGR_DIR=$D/data D=$D bash -c "$op" 2>/dev/null
		rc=$?
		points=$((points + 1))
		[ $rc = 86 ] || { not_ok "cut $n/$total ($mode) did not happen" "exit $rc"; continue; }
		# cron's next try; then everything is there once and check is clean
		AGGR=$aggr AGGR_DIR=$D/data D=$D bash -c "$op" 2>"$work/err" >/dev/null || {
			not_ok "cut $n/$total ($mode): the next try failed" "$(head -1 "$work/err")"; continue; }
		got=$(runs "$D")
		left=$(ls "$D/spool")
		if [ "$got" != "A:300 B:300 C:300" ] || [ -n "$left" ]; then
			not_ok "cut $n/$total ($mode): store holds [$got], spool [$left]"; continue
		fi
		AGGR_DIR=$D/data "$aggr" check 2>"$work/err" || { not_ok "cut $n/$total ($mode): check" "$(head -1 "$work/err")"; continue; }
		ok
	done
done
crash_done
