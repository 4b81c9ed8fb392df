#!/bin/sh
# gen-stream.sh N [NAMES] [FIRST]: N stream events as JSON lines for
# "aggr stream publish", deterministic. NAMES (default "OrderPlaced") is a
# comma-separated list of event names used in turn; FIRST (default 0) is the
# first payload sequence number. Each line is about 245 bytes; event I is
#   {"event":{"name":NAME,"version":1},"system":{"id":"sys-<I%7>",
#    "name":"shop","time":"2022-01-15 HH:MM:SS","timezone":"Europe/Berlin"},
#    "trigger":{"type":"system","name":"/srv/shop/bin/order"},
#    "payload":{"seq":I,"amount":<I*7919%100000>,"sku":"sku-<I%10000>"}}
# with HH:MM:SS = I seconds after midnight (mod one day).
# (bench/gen.c is the generator of the other kinds.)
n=${1:?usage: gen-stream.sh N [NAMES] [FIRST]}
exec awk -v n="$n" -v names="${2:-OrderPlaced}" -v first="${3:-0}" 'BEGIN {
	k = split(names, nm, ",")
	for (i = first; i < first + n; i++) {
		s = i % 86400
		printf "{\"event\":{\"name\":\"%s\",\"version\":1},\"system\":{\"id\":\"sys-%d\",\"name\":\"shop\",", nm[i % k + 1], i % 7
		printf "\"time\":\"2022-01-15 %02d:%02d:%02d\",\"timezone\":\"Europe/Berlin\"},", int(s / 3600) % 24, int(s / 60) % 60, s % 60
		printf "\"trigger\":{\"type\":\"system\",\"name\":\"/srv/shop/bin/order\"},"
		printf "\"payload\":{\"seq\":%d,\"amount\":%d,\"sku\":\"sku-%04d\"}}\n", i, (i * 7919) % 100000, i % 10000
	}
}'
