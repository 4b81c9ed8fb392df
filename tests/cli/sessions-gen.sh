#!/bin/sh
# sessions-gen.sh bob|alice|filters: the records of sessions.t's case of many
# sessions (bob: 30 sessions that start and end in 60 events, one second
# apart; alice: 25 sessions whose ends come in another order, and one, x,
# that never ends); filters: filters.t's 3000 events of 1400 sessions
# of 97 users, over 13 days
case $1 in
bob) awk 'BEGIN { for (i = 0; i < 60; i++) printf "{\"user_id\":\"bob\",\"event\":\"%s\",\"session_id\":\"s%02d\",\"ts\":\"2022-01-03T00:00:%02d\"}\n", i % 2 ? "end" : "start", i / 2, i }' ;;
alice) awk 'BEGIN { for (i = 1; i <= 25; i++) { s = sprintf("{\"user_id\":\"alice\",\"event\":\"start\",\"session_id\":\"s%02d\",\"ts\":\"2022-01-01T00:%02d:00\",\"country\":\"fi\"}", i, i); e = sprintf("{\"user_id\":\"alice\",\"event\":\"end\",\"session_id\":\"s%02d\",\"ts\":\"2022-01-02T10:%02d:00Z\"}", i, (i * 7) % 25 + 10); if (i % 2) print e "\n" s; else print s "\n" e } print "{\"user_id\":\"alice\",\"event\":\"start\",\"session_id\":\"x\",\"ts\":\"2022-01-09T00:00:00\"}" }' ;;
filters) awk 'BEGIN { for (i = 0; i < 3000; i++) { s = int(i / 2) % 1400; printf "{\"user_id\":\"u%d\",\"event\":\"%s\",\"session_id\":\"s%d\",\"ts\":\"2022-01-%02dT%02d:%02d:00\",\"country\":\"C%d\"}\n", s % 97, i % 2 ? "end" : "start", s, 1 + int(i / 240), int(i / 10) % 24, i % 60, s % 5 } }' ;;
*) echo "usage: sessions-gen.sh bob|alice|filters" >&2; exit 2 ;;
esac
