#!/bin/sh
# Keep what make fuzz found: merge tests/fuzz/work/NAME into corpus/NAME,
# adding only inputs that reach code edges the corpus does not (libFuzzer
# -merge=1 with -use_counters=0, so a handful of files, not thousands).
# New files are named gen-SHA1. Needs the targets of make fuzz-build.
# usage: sh tests/fuzz/merge.sh NAME...
here=$(cd "$(dirname "$0")" && pwd)
status=0
for name in "$@"; do
	bin="$here/bin/fuzz-$name"
	[ -d "$here/work/$name" ] || continue
	tmp=$(mktemp -d)
	cp "$here/corpus/$name"/* "$tmp"/ 2>/dev/null
	before=$(ls "$tmp" | wc -l)
	if ! "$bin" -merge=1 -use_counters=0 "$tmp" "$here/work/$name" >"$here/work/$name.merge.log" 2>&1; then
		echo "fuzz merge $name: failed, see tests/fuzz/work/$name.merge.log"
		status=1
		rm -rf "$tmp"
		continue
	fi
	added=0
	for f in "$tmp"/*; do
		b=$(basename "$f")
		[ -e "$here/corpus/$name/$b" ] && continue
		case $b in gen-*) ;; *) b=gen-$b ;; esac
		cp "$f" "$here/corpus/$name/$b"
		added=$((added + 1))
	done
	echo "fuzz merge $name: $before files, $added added"
	rm -rf "$tmp"
done
exit $status
