#!/bin/bash
# Power cuts at every sync point of `aggr cat --cursor-file` (powercut.c),
# with standard output appended to a file the shim models: the output is
# synced before the cursor is replaced, so after a cut and a second run no
# record is lost (every one after the old cursor is in the output, whole),
# and a cursor that survived the cut never points past output that did not.
# (The cursor lives in a subdirectory: the shim watches what is under
# POWERCUT_DIR, not that directory itself.)
# Prints how many crash points were exercised.
. "$(cd "$(dirname "$0")" && pwd)/lib.sh"
crash_init cursor-powercut

# a store of three runs; a cursor after the first; output of earlier exports
base=$work/base
mkdir -p "$base/c"
for r in 1 2 3; do
	awk -v r=$r 'BEGIN { for (i = 0; i < 200; i++) printf "{\"timestamp\":%d,\"run%d.example\":%d}\n", 1642284000 + i, r, i }' |
		AGGR_DIR=$base/data "$aggr" ingest counters || { not_ok setup; exit 1; }
	[ $r = 1 ] && AGGR_DIR=$base/data "$aggr" cat counters --cursor-file "$base/c/cur" > "$base/out"
done
AGGR_DIR=$base/data "$aggr" cat counters --from 200 > "$work/want"
[ "$(cat "$base/c/cur")" = "counters 200" ] && [ "$(wc -l < "$base/out")" = 200 ] || { not_ok "setup: cursor"; exit 1; }

op='exec "$AGGR" cat counters --cursor-file "$D/c/cur" >> "$D/out"'
D=$work/count
cp -a "$base" "$D"
POWERCUT_DIR=$D POWERCUT_STDOUT=$D/out POWERCUT_COUNT=$work/n LD_PRELOAD=$work/powercut.so AGGR=$aggr AGGR_DIR=$D/data D=$D \
	bash -c "$op" 2>/dev/null
total=$(cat "$work/n")
# the output's sync, the temporary cursor's, the directory's
[ "$total" -ge 3 ] || not_ok "sync points" "$total, expected 3 or more"
for n in $(seq 1 "$total"); do
	for mode in drop keep torn; do
		D=$work/cut
		rm -rf "$D"
		cp -a "$base" "$D"
		POWERCUT_DIR=$D POWERCUT_STDOUT=$D/out POWERCUT_AT=$n POWERCUT_MODE=$mode LD_PRELOAD=$work/powercut.so \
			AGGR=$aggr AGGR_DIR=$D/data D=$D bash -c "$op" 2>/dev/null
		rc=$?
		points=$((points + 1))
		[ $rc = 86 ] || { not_ok "cut $n/$total ($mode) did not happen" "exit $rc"; continue; }
		cur=$(cat "$D/c/cur")
		# a cursor that moved on: the output it covers survived
		if [ "$cur" = "counters 800" ]; then
			not_ok "cut $n/$total ($mode): impossible cursor $cur"; continue
		fi
		if [ "$cur" = "counters 600" ] && ! tail -n 400 "$D/out" | cmp -s - "$work/want"; then
			not_ok "cut $n/$total ($mode): the cursor moved past output that was lost"; continue
		fi
		[ "$cur" = "counters 600" ] || [ "$cur" = "counters 200" ] || {
			not_ok "cut $n/$total ($mode): cursor file holds [$cur]"; continue; }
		# the next run exports whatever the cut left unexported
		AGGR_DIR=$D/data "$aggr" cat counters --cursor-file "$D/c/cur" >> "$D/out" 2>"$work/err" || {
			not_ok "cut $n/$total ($mode): second run failed" "$(head -1 "$work/err")"; continue; }
		[ "$(cat "$D/c/cur")" = "counters 600" ] || { not_ok "cut $n/$total ($mode): cursor after the second run"; continue; }
		# every record after the old cursor is in the output as a whole line
		# (a torn line from the cut may precede the records written again)
		if ! tail -n 400 "$D/out" | cmp -s - "$work/want"; then
			not_ok "cut $n/$total ($mode): output does not end with every record"; continue
		fi
		# the first exports are untouched
		head -n 200 "$D/out" | cmp -s - "$base/out" || { not_ok "cut $n/$total ($mode): earlier output changed"; continue; }
		ok
	done
done
# exactly once without a cut
D=$work/clean
cp -a "$base" "$D"
AGGR_DIR=$D/data "$aggr" cat counters --cursor-file "$D/c/cur" >> "$D/out"
AGGR_DIR=$D/data "$aggr" cat counters --cursor-file "$D/c/cur" >> "$D/out"
if [ "$(wc -l < "$D/out")" = 600 ] && tail -n 400 "$D/out" | cmp -s - "$work/want"; then ok; else not_ok "no cut: not exactly once"; fi
crash_done
