#!/bin/sh
# sessions-gen.sh bob|alice: the records of sessions.t's case of many
# sessions (bob: 30 sessions that start and end in 60 events, one second
# apart; alice: 25 sessions whose ends come in another order, and one, x,
# that never ends)
case $1 in
bob) awk 'BEGIN { for (i = 0; i < 60; i++) printf "{\"user_id\":\"bob\",\"event\":\"%s\",\"session_id\":\"s%02d\",\"ts\":\"2022-01-03T00:00:%02d\"}\n", i % 2 ? "end" : "start", i / 2, i }' ;;
alice) awk 'BEGIN { for (i = 1; i <= 25; i++) { s = sprintf("{\"user_id\":\"alice\",\"event\":\"start\",\"session_id\":\"s%02d\",\"ts\":\"2022-01-01T00:%02d:00\",\"country\":\"fi\"}", i, i); e = sprintf("{\"user_id\":\"alice\",\"event\":\"end\",\"session_id\":\"s%02d\",\"ts\":\"2022-01-02T10:%02d:00Z\"}", i, (i * 7) % 25 + 10); if (i % 2) print e "\n" s; else print s "\n" e } print "{\"user_id\":\"alice\",\"event\":\"start\",\"session_id\":\"x\",\"ts\":\"2022-01-09T00:00:00\"}" }' ;;
*) echo "usage: sessions-gen.sh bob|alice" >&2; exit 2 ;;
esac
