#!/bin/sh
# mandoc -Tlint of the manual pages: any message (style included) fails,
# as a missing .EE or .TP renders paragraphs wrongly without an error.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
pass=0 fail=0
if ! command -v mandoc >/dev/null 2>&1; then
	echo "not ok man-lint: mandoc is not installed (apt-get install mandoc)"
	echo "man-lint: 0 passed, 1 failed"
	exit 1
fi
for page in "$root"/man/*.[1-9]; do
	out=$(mandoc -Tlint -Wstyle "$page" 2>&1)
	if [ -z "$out" ]; then
		pass=$((pass + 1))
		echo "ok man-lint ${page#$root/}"
	else
		fail=$((fail + 1))
		echo "not ok man-lint ${page#$root/}"
		printf '%s\n' "$out"
	fi
done
# list entries that once ran into the paragraph before them: each must be
# a tag line of its own in the rendered page
tag() {   # page, exact tag text
	if mandoc -Tascii "$root/man/$1" | col -b | grep -qxF "       $2"; then
		pass=$((pass + 1))
		echo "ok man-lint $1: tag $2"
	else
		fail=$((fail + 1))
		echo "not ok man-lint $1: no list entry \"$2\" of its own"
	fi
}
tag aggr.1 "DIR/sessions/keys"
tag aggr.1 "DIR/streams/NAME/producers"
tag aggr-format.5 "producers, counts, consumers/"

echo "man-lint: $pass passed, $fail failed"
[ "$fail" = 0 ]
