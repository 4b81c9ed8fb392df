#!/bin/sh
# Write the seed corpora tests/fuzz/corpus/NAME/ (make fuzz-corpus).
# Seeds come from tests/seed-data (or $SEED), samples/, blocks and index
# files that "aggr ingest" writes with tiny AGGR_BLOCK_BYTES and
# AGGR_SEGMENT_BYTES, synthetic binaries from fuzz-mkseed, and the edge
# cases below. Files are (re)written by name; nothing is deleted, so
# crash-* regressions and inputs added by hand stay.
# usage: sh tests/fuzz/mkcorpus.sh BUILD_DIR
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
build=${1:-$top/build}
aggr=$build/aggr
seed=${SEED:-$top/tests/seed-data}

c=$here/corpus
for n in json record block index input manifest time; do mkdir -p "$c/$n"; done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# put NAME DIR TEXT: a seed file holding TEXT exactly (printf %s, no newline)
put() { printf '%s' "$3" >"$c/$2/$1"; }
# crc of stdin as the MANIFEST writes it (zlib crc32, the gzip trailer's)
crc() { gzip -c | tail -c 8 | head -c 4 | od -An -tx4 | tr -d ' \n'; }
# manifest NAME BODY: BODY plus its correct crc line
manifest() { printf '%s' "$2" >"$tmp/m"; { cat "$tmp/m"; printf 'crc %s\n' "$(crc <"$tmp/m")"; } >"$c/manifest/$1"; }

# ---------------------------------------------------------------- json
for f in 000-flow-aggregation/test_data1.json 001-domain-counter/db.json \
	002-mongo-events/postrequest_tags.json 002-mongo-events/postrequest_start_epoch_array.json \
	002-mongo-events/postrequest_purge_all_events.json \
	003-event-streams/go-sibling/input/receive_event.json 004-user-sessions/readme_batch.json; do
	cp "$seed/$f" "$c/json/seed-$(echo "$f" | tr '/' '_')"
done
sed -n 1p "$seed/004-user-sessions/sample_user_data.jsonl" >"$c/json/seed-session-start.json"
sed -n 2p "$seed/004-user-sessions/sample_user_data.jsonl" >"$c/json/seed-session-end.json"
for f in "$seed"/003-event-streams/go-sibling/output/*/*.json; do
	cp "$f" "$c/json/seed-stream-$(basename "$(dirname "$f")").json"
done
put scalars.json json '[0,-0,1,-1,0.5,-0.5e-3,1E+2,1e400,-1e-400,9223372036854775807,-9223372036854775808,9223372036854775808,-9223372036854775809,12345678901234567890123,true,false,null,"",{}]'
put top-number.json json '  42 '
put top-string.json json '"just a string"'
put top-literal.json json 'null'
put escapes.json json '{"a":"\"\\\/\b\f\n\r\t","u":"\u0000\u001f\u007f\u00e9\u20ac\ud83d\ude00","k\u0041":1,"kA2":2}'
put utf8.json json '{"s":"héllo wörld € 😀 \uFFFF","z":"𐀀"}'
put nested.json json '{"a":[{"b":[[],[{}],{"c":[1,[2,[3]]]}]}],"d":{"e":{"f":null}}}'
put deep-512.json json "$(printf '%512s' '' | tr ' ' '['; printf '%512s' '' | tr ' ' ']')"
put deep-513.json json "$(printf '%513s' '' | tr ' ' '['; printf '%513s' '' | tr ' ' ']')"
put deep-obj.json json "$(i=0; while [ $i -lt 100 ]; do printf '{"a":'; i=$((i+1)); done; printf 1; printf '%100s' '' | tr ' ' '}')"
put many-keys.json json "{$(i=0; while [ $i -lt 40 ]; do printf '"k%d":%d,' $i $i; i=$((i+1)); done)\"last\":0}"
put dup-key.json json '{"a":1,"b":2,"a":3}'
put dup-key-escaped.json json '{"a":1,"\u0061":2}'
put dup-key-many.json json "{$(i=0; while [ $i -lt 20 ]; do printf '"k%d":%d,' $i $i; i=$((i+1)); done)\"k3\":0}"
put bad-missing-comma.json json '{"a":1 "b":2}'
put bad-missing-value.json json '{"a":}'
put bad-missing-colon.json json '{"a" 1}'
put bad-trailing-comma.json json '[1,2,]'
put bad-trailing-comma-obj.json json '{"a":1,}'
put bad-leading-comma.json json '[,1]'
put bad-single-quotes.json json "{'a':1}"
put bad-literal.json json '[tru]'
put bad-literal2.json json '[nulll]'
put bad-hex.json json '[0x10]'
put bad-leading-zero.json json '[01]'
put bad-plus.json json '[+1]'
put bad-dot.json json '[1.]'
put bad-exp.json json '[1e]'
put bad-nan.json json '[NaN]'
put bad-truncated.json json '{"a":[1,2'
put bad-truncated-string.json json '{"a":"abc'
put bad-two-values.json json '{} {}'
put bad-two-numbers.json json '1 2'
put bad-key-number.json json '{1:2}'
put bad-escape.json json '["\x"]'
put bad-u-escape.json json '["\u12G4"]'
put bad-lone-high.json json '["\ud800"]'
put bad-lone-low.json json '["\udc00"]'
put bad-high-high.json json '["\ud800\ud800"]'
put bad-trailing-backslash.json json '["abc\'
put bad-empty.json json ''
put bad-ws-only.json json '  
	 '
put bad-colon-in-array.json json '[1:2]'
put bad-close-mismatch.json json '[1,2}'
put bad-unopened.json json ']'
printf '["a\001b"]' >"$c/json/bad-control.json"
printf '["a\000b"]' >"$c/json/bad-nul.json"
printf '["\300\200"]' >"$c/json/bad-overlong.json"
printf '["\355\240\200"]' >"$c/json/bad-surrogate-utf8.json"
printf '["\364\220\200\200"]' >"$c/json/bad-above-10ffff.json"
printf '["\342\202"]' >"$c/json/bad-truncated-utf8.json"
printf '["\377"]' >"$c/json/bad-ff.json"
printf '\357\273\277{"bom":1}' >"$c/json/bad-bom.json"

# ---------------------------------------------------------------- record
sed -n '2,6p' "$seed/000-flow-aggregation/test_data1.json" | sed 's/,$//' | {
	i=1
	while IFS= read -r line; do printf '%s' "$line" >"$c/record/seed-flow-$i.json"; i=$((i+1)); done
}
head -n 3 "$top/samples/flows.json" | tr -d '\n' >"$c/record/sample-flows.json" 2>/dev/null || true
put stored.json record '{"src_app":"foo","dest_app":"bar","vpc_id":"vpc-0","hour":1,"bytes_tx":100,"bytes_rx":300}'
put escaped.json record '{"src_app":"f\u006fo\n","dest_app":"b\"a\\r\/","vpc_id":"vpc-\u00e9\ud83d\ude00","hour":0,"bytes_tx":0,"bytes_rx":0}'
put control.json record '{"src_app":"\u0000","dest_app":"\u001f\u007f","vpc_id":"\t","hour":1,"bytes_tx":1,"bytes_rx":1}'
put max.json record '{"src_app":"a","dest_app":"b","vpc_id":"c","hour":9223372036854775807,"bytes_tx":9223372036854775807,"bytes_rx":9223372036854775807}'
put neg-zero.json record '{"src_app":"a","dest_app":"b","vpc_id":"c","hour":-0,"bytes_tx":0,"bytes_rx":0}'
put ws.json record ' { "vpc_id" : "c" , "hour" : 3 , "bytes_rx" : 2 , "bytes_tx" : 1 , "dest_app" : "b" , "src_app" : "a" } '
put bad-overflow.json record '{"src_app":"a","dest_app":"b","vpc_id":"c","hour":9223372036854775808,"bytes_tx":1,"bytes_rx":1}'
put bad-negative.json record '{"src_app":"a","dest_app":"b","vpc_id":"c","hour":-1,"bytes_tx":1,"bytes_rx":1}'
put bad-fraction.json record '{"src_app":"a","dest_app":"b","vpc_id":"c","hour":1.5,"bytes_tx":1,"bytes_rx":1}'
put bad-exponent.json record '{"src_app":"a","dest_app":"b","vpc_id":"c","hour":1e3,"bytes_tx":1,"bytes_rx":1}'
put bad-string-number.json record '{"src_app":"a","dest_app":"b","vpc_id":"c","hour":"1","bytes_tx":1,"bytes_rx":1}'
put bad-number-string.json record '{"src_app":1,"dest_app":"b","vpc_id":"c","hour":1,"bytes_tx":1,"bytes_rx":1}'
put bad-empty-string.json record '{"src_app":"","dest_app":"b","vpc_id":"c","hour":1,"bytes_tx":1,"bytes_rx":1}'
put bad-null.json record '{"src_app":"a","dest_app":null,"vpc_id":"c","hour":1,"bytes_tx":1,"bytes_rx":1}'
put bad-missing.json record '{"src_app":"a","dest_app":"b","hour":1,"bytes_tx":1,"bytes_rx":1}'
put bad-extra.json record '{"src_app":"a","dest_app":"b","vpc_id":"c","hour":1,"bytes_tx":1,"bytes_rx":1,"x":0}'
put bad-dup.json record '{"src_app":"a","src_app":"b","vpc_id":"c","hour":1,"bytes_tx":1,"bytes_rx":1}'
put bad-array.json record '[{"src_app":"a","dest_app":"b","vpc_id":"c","hour":1,"bytes_tx":1,"bytes_rx":1}]'
put bad-nested.json record '{"src_app":{"a":1},"dest_app":["b"],"vpc_id":"c","hour":1,"bytes_tx":1,"bytes_rx":1}'
put bad-bool.json record '{"src_app":"a","dest_app":"b","vpc_id":"c","hour":true,"bytes_tx":1,"bytes_rx":1}'
put bad-scalar.json record '17'
# counters: {"timestamp": T, "<domain>": n, ...}
i=0
for f in "$seed/001-domain-counter/db.json" "$seed/001-domain-counter/initial-commit-d799786/db.json"; do
	# the records are the values of the top-level object; take the first four
	grep -o '{"timestamp"[^}]*}' "$f" | head -n 4 | while IFS= read -r line; do
		i=$((i + 1))
		printf '%s' "$line" >"$c/record/seed-counters-$(basename "$(dirname "$f")")-$i.json"
	done
done
put counters-int.json record '{"timestamp":1642284000,"a.com":3,"b.org":45}'
put counters-only-ts.json record '{"timestamp":"0"}'
put counters-max.json record '{"timestamp":253402300799,"x":9223372036854775807}'
put counters-escaped.json record '{"\u0074imestamp":"1642284000","d\u00e9.example":1,"a\"b":2,"\u0000":0}'
put counters-ts-last.json record '{"b":1,"a":2,"timestamp":1642284060}'
put bad-counters-ts-big.json record '{"timestamp":253402300800,"a":1}'
put bad-counters-ts-neg.json record '{"timestamp":-1,"a":1}'
put bad-counters-ts-str19.json record '{"timestamp":"1234567890123456789","a":1}'
put bad-counters-ts-float.json record '{"timestamp":1642284000.5,"a":1}'
put bad-counters-ts-escaped-digit.json record '{"timestamp":"\u0031","a":1}'
put bad-counters-count-neg.json record '{"timestamp":1,"a":-1}'
put bad-counters-count-str.json record '{"timestamp":1,"a":"1"}'
put bad-counters-empty-domain.json record '{"timestamp":1,"":1}'
put bad-counters-no-ts.json record '{"a":1}'

# ---------------------------------------------------------------- input
cp "$seed/000-flow-aggregation/test_data1.json" "$c/input/seed-array.json"
head -n 12 "$seed/004-user-sessions/sample_user_data.jsonl" >"$c/input/seed-lines.jsonl"
gzip -9n <"$c/input/seed-lines.jsonl" >"$c/input/seed-lines.jsonl.gz"
gzip -9n <"$c/input/seed-array.json" >"$c/input/seed-array.json.gz"
{ head -n 3 "$c/input/seed-lines.jsonl" | gzip -n; sed -n '4,6p' "$c/input/seed-lines.jsonl" | gzip -n; } >"$c/input/multi-member.gz"
{ gzip -n <"$c/input/seed-array.json"; printf 'garbage'; } >"$c/input/gz-trailing-garbage.gz"
{ gzip -n <"$c/input/seed-array.json"; printf '\037'; } >"$c/input/gz-trailing-magic-byte.gz"
gzip -n <"$c/input/seed-lines.jsonl" | head -c 200 >"$c/input/gz-truncated.gz"
gzip -n <"$c/input/seed-lines.jsonl" | { head -c 100; printf 'XXXX'; cat; } >"$c/input/gz-damaged.gz"
printf '' | gzip -n >"$c/input/gz-empty.gz"
printf '\037\213' >"$c/input/gz-magic-only.gz"
printf '\037' >"$c/input/one-byte-magic"
printf '\357\273\277{"a":1}\n{"b":2}\n' >"$c/input/bom-lines.jsonl"
printf '\357\273\277[{"a":1},{"b":2}]\n' >"$c/input/bom-array.json"
printf '\357\273' >"$c/input/bom-partial"
printf '{"a":1}\r\n\r\n{"b":2}\r\n' >"$c/input/crlf.jsonl"
printf '\n\n  \n{"a":1}\n\t\n{"b":2}' >"$c/input/blank-lines-no-final-newline.jsonl"
printf '' >"$c/input/empty"
printf ' \n\t\r\n ' >"$c/input/ws-only"
printf '[]' >"$c/input/array-empty.json"
printf ' [ ] \n' >"$c/input/array-empty-ws.json"
printf '[{"a":"],\\"["},[1,[2]],"x,y"]' >"$c/input/array-tricky-strings.json"
printf '[\n{"a":1},\n\n{"b":\n2}\n]\n' >"$c/input/array-multiline.json"
printf '[{"a":1},]' >"$c/input/array-trailing-comma.json"
printf '[{"a":1}' >"$c/input/array-never-closes.json"
printf '[{"a":"]' >"$c/input/array-open-string.json"
printf '[{"a":1}] x' >"$c/input/array-data-after.json"
printf '[1,,2]' >"$c/input/array-empty-element.json"
printf '[{"a":1}]\n[{"b":2}]' >"$c/input/array-twice.json"
printf '{"a":[1,\n2]}\n' >"$c/input/line-with-split-value.jsonl"
# over-long records (16 MiB + 1), as one line and as one array element, and
# 16 MiB of blank: replayed by make check, but "slow-" keeps them out of the
# libFuzzer runs (each takes half a second there)
head -c 16777217 /dev/zero | tr '\0' 'a' | gzip -9n >"$c/input/slow-gz-line-over-16mib.gz"
{ printf '["'; head -c 16777217 /dev/zero | tr '\0' 'a'; printf '"]'; } | gzip -9n >"$c/input/slow-gz-element-over-16mib.gz"
{ head -c 16777216 /dev/zero | tr '\0' ' '; printf '{"a":1}\n'; } | gzip -9n >"$c/input/slow-gz-16mib-whitespace.gz"

# ---------------------------------------------------------------- block, index, manifest: real logs
export AGGR_NOW=1642284000 AGGR_BLOCK_BYTES=256
AGGR_DIR=$tmp/d1 "$aggr" ingest flows "$seed/000-flow-aggregation/test_data1.json"
AGGR_DIR=$tmp/d2 AGGR_SEGMENT_BYTES=300 "$aggr" ingest flows "$seed/000-flow-aggregation/test_data1.json"
AGGR_DIR=$tmp/d2 AGGR_SEGMENT_BYTES=300 "$aggr" ingest flows "$top/samples/flows.json" || true
AGGR_DIR=$tmp/d2 AGGR_SEGMENT_BYTES=300 "$aggr" ingest flows "$seed/000-flow-aggregation/test_data1.json"
for d in d1 d2; do
	mkdir -p "$tmp/split"
	"$build/fuzz-mkseed" split "$tmp/split" "$tmp/$d"/flows/*.jsonl.gz
	for b in "$tmp"/split/*.blk; do mv "$b" "$c/block/ingest-$d-$(basename "$b")"; done
	for f in "$tmp/$d"/flows/*.idx; do cp "$f" "$c/index/ingest-$d-$(basename "$f")"; done
	cp "$tmp/$d/flows/MANIFEST" "$c/manifest/ingest-$d"
done
"$build/fuzz-mkseed" blocks "$c/block"
"$build/fuzz-mkseed" index "$c/index"
head -c 40 "$c/index/synth-bloom32-k4.idx" >"$c/index/short-header"
# the fuzz-manifest fixture's own MANIFEST names segments it can load
fx=$(AGGR_FUZZ_KEEP=1 TMPDIR=$tmp "$build/replay-manifest" /dev/null)
cp "$fx/MANIFEST.fixture" "$c/manifest/fixture"

# ---------------------------------------------------------------- manifest: edge cases
manifest empty-log 'aggr-manifest 1
kind flows
next_offset 0
'
manifest no-next-offset 'aggr-manifest 1
kind flows
'
manifest next-offset-negative 'aggr-manifest 1
kind flows
next_offset -1
'
manifest next-offset-overflow 'aggr-manifest 1
kind flows
next_offset 99999999999999999999
'
manifest kind-stream 'aggr-manifest 1
kind stream
next_offset 7
'
manifest kind-31 'aggr-manifest 1
kind aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
next_offset 0
'
manifest kind-32 'aggr-manifest 1
kind aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
next_offset 0
'
manifest kind-empty 'aggr-manifest 1
kind 
next_offset 0
'
manifest version-2 'aggr-manifest 2
kind flows
next_offset 0
'
manifest active-only 'aggr-manifest 1
kind flows
next_offset 6
segment 00000000000000000000 active
'
manifest sealed-then-active 'aggr-manifest 1
kind flows
next_offset 24
segment 00000000000000000000 sealed records 12 blocks 6 bytes 900 min_key 0 max_key 15 min_ingest 1642284000000000 max_ingest 1642284001000000
segment 00000000000000000012 active
'
manifest active-before-sealed 'aggr-manifest 1
kind flows
next_offset 24
segment 00000000000000000000 active
segment 00000000000000000012 sealed records 12 blocks 6 bytes 900 min_key 0 max_key 15 min_ingest 0 max_ingest 0
'
manifest out-of-order 'aggr-manifest 1
kind flows
next_offset 24
segment 00000000000000000012 sealed records 12 blocks 6 bytes 900 min_key 0 max_key 15 min_ingest 0 max_ingest 0
segment 00000000000000000000 active
'
manifest duplicate-segment 'aggr-manifest 1
kind flows
next_offset 24
segment 00000000000000000000 sealed records 12 blocks 6 bytes 900 min_key 0 max_key 15 min_ingest 0 max_ingest 0
segment 00000000000000000000 active
'
manifest missing-segment 'aggr-manifest 1
kind flows
next_offset 24
segment 00000000000000000005 active
'
manifest bad-segment-line 'aggr-manifest 1
kind flows
next_offset 0
segment 0 sealed records 1
'
manifest bad-state 'aggr-manifest 1
kind flows
next_offset 0
segment 0 frozen
'
manifest unknown-line 'aggr-manifest 1
kind flows
next_offset 0
hello world
'
manifest line-512 "aggr-manifest 1
kind flows
next_offset 0
segment 0 active $(printf '%480s' '' | tr ' ' x)
"
manifest version-only 'aggr-manifest 1
'
manifest no-trailing-newline 'aggr-manifest 1
kind flows
next_offset 0'
printf 'aggr-manifest 1\nkind flows\nnext_offset 0\ncrc 00000000\n' >"$c/manifest/bad-crc"
printf 'aggr-manifest 1\nkind flows\nnext_offset 0\n' >"$c/manifest/no-crc-line"
printf 'crc 00000000\n' >"$c/manifest/crc-only"
printf '' >"$c/manifest/empty-file"
printf 'aggr-manifest 1\nkind flows\nnext_offset 0\ncrc 0' >"$c/manifest/crc-no-newline"
printf 'aggr-manifest 1\000\nkind flows\nnext_offset 0\n' >"$tmp/m"
{ cat "$tmp/m"; printf 'crc %s\n' "$(crc <"$tmp/m")"; } >"$c/manifest/nul-byte"

# ---------------------------------------------------------------- time
i=0
while IFS= read -r t; do
	i=$((i + 1))
	printf '%s' "$t" >"$c/time/$(printf '%02d' $i)"
done <<'TIMES'
1642284000
1642284000.25
1642284000,5
0
-1
-1.5
-62167219200
253402300799.999999
253402300800
-62135596800
-62135596801
922337203684
-922337203684
1642284000.1234567891
2022-01-15T22:00:00Z
2022-01-15T22:00:00.5+02:00
2022-01-15 22:00:00,123456-05:30
2022-01-15t22:00:00z
2022-01-15T22:00Z
2022-01-15T22:00:00+0530
2022-01-15T22:00:00+05
2022-01-15
2016-12-31T23:59:60Z
2020-02-29T00:00:00Z
2021-02-29T00:00:00Z
0000-01-01T00:00:00Z
0001-01-01T00:00:00Z
0001-01-01T00:00:00+01:00
9999-12-31T23:59:59.999999Z
9999-12-31T23:59:59-23:59
2022-13-01
2022-00-10
2022-01-32
2022-01-15T24:00:00Z
2022-01-15T23:60:00Z
2022-01-15T22:00:00+24:00
2022-01-15T22:00:00.Z
2022-01-15T22
now
today
yesterday
-1h
-30m
+15m
-7d
-10s
-2w
-99999s
+99999w
-999999999999s
+999999999999w
-h
1h
1e9
0x10
 1642284000
1642284000 
TIMES

rm -f "$c"/*/.gitkeep
du -sh "$c"
for n in json record block index input manifest time; do
	echo "$n: $(ls "$c/$n" | wc -l) files, $(du -sk "$c/$n" | cut -f1) KiB"
done
