# aggr ingest sessions and aggr sessions (AGGR_NOW is 2022-01-15T22:00:00Z)
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# A case that starts with "aggr purge" starts that log afresh.

# ---- validation: a bad record stores nothing, exit 3 with file:line
$ { session u start s 2016-11-01T14:54:48; session u start s 2016-11-40T14:54:48; } > bad.json && aggr ingest sessions bad.json
! aggr: ingest: bad.json:2: ts: not a time YYYY-MM-DDTHH:MM:SS[.fraction][Z|+hh:mm]: "2016-11-40T14:54:48"
[3]

# (not even the data directory: the log is opened once the input is valid)
$ test -e "$AGGR_DIR" || echo "nothing created"
nothing created

$ echo '{"user_id":"u","event":"start","session_id":"s","ts":"2015-02-29T00:00:00"}' | aggr ingest sessions
! aggr: ingest: <stdin>:1: ts: not a time YYYY-MM-DDTHH:MM:SS[.fraction][Z|+hh:mm]: "2015-02-29T00:00:00"
[3]

$ echo '{"user_id":"u","event":"start","session_id":"s","ts":"2016-02-29 10:00:00"}' | aggr ingest sessions
! aggr: ingest: <stdin>:1: ts: not a time YYYY-MM-DDTHH:MM:SS[.fraction][Z|+hh:mm]: "2016-02-29 10:00:00"
[3]

$ echo '{"user_id":"u","event":"start","session_id":"s","ts":"2016-02-29T10:00:00+24:00"}' | aggr ingest sessions
! aggr: ingest: <stdin>:1: ts: not a time YYYY-MM-DDTHH:MM:SS[.fraction][Z|+hh:mm]: "2016-02-29T10:00:00+24:00"
[3]

$ echo '{"user_id":"u","event":"start","session_id":"s","ts":1642284000}' | aggr ingest sessions
! aggr: ingest: <stdin>:1: ts: not a string
[3]

$ echo '{"user_id":"u","event":"begin","session_id":"s","ts":"2016-02-29T10:00:00"}' | aggr ingest sessions
! aggr: ingest: <stdin>:1: event: not "start" or "end"
[3]

$ echo '{"user_id":"","event":"start","session_id":"s","ts":"2016-02-29T10:00:00"}' | aggr ingest sessions
! aggr: ingest: <stdin>:1: user_id: empty
[3]

$ echo '{"user_id":"u","event":"end","ts":"2016-02-29T10:00:00"}' | aggr ingest sessions
! aggr: ingest: <stdin>:1: session_id: missing
[3]

$ echo '{"user_id":"u","event":"end","session_id":["s"],"ts":"2016-02-29T10:00:00"}' | aggr ingest sessions
! aggr: ingest: <stdin>:1: session_id: not a string
[3]

$ echo '{"user_id":"u","event":"start","session_id":"s","ts":"2016-02-29T10:00:00","country":"(.)"}' | aggr ingest sessions
! aggr: ingest: <stdin>:1: country: no letters or digits
[3]

$ echo '{"user_id":"u","event":"start","session_id":"s","ts":"2016-02-29T10:00:00","city":"Oulu"}' | aggr ingest sessions
! aggr: ingest: <stdin>:1: unknown field "city"
[3]

# a refused run adds no country either
$ mkdir -p "$AGGR_DIR"; aggr sessions --starts --days 10000
{}

# ---- normalisation: ts in UTC without a zone, the fraction as given;
# country upper-case letters and digits; null or absent country: none
$ { session u1 start a 2022-01-15T23:30:00+01:30 '(.uk)'; session u1 end a 2022-01-15T21:59:00.250Z fi; session u2 start b 2016-02-29T10:00:00.5 =null; } > norm.json
$ echo '{"country":"de-1","ts":"2022-01-01T00:00:00-05:00","session_id":"c","event":"start","user_id":"u\u00e9"}' >> norm.json && cat norm.json | aggr ingest sessions

$ aggr cat sessions
{"user_id":"u1","event":"start","session_id":"a","ts":"2022-01-15T22:00:00","country":"UK"}
{"user_id":"u1","event":"end","session_id":"a","ts":"2022-01-15T21:59:00.250","country":"FI"}
{"user_id":"u2","event":"start","session_id":"b","ts":"2016-02-29T10:00:00.5"}
{"user_id":"ué","event":"start","session_id":"c","ts":"2022-01-01T05:00:00","country":"DE1"}

$ aggr sessions --user u1
{"u1":["a"]}

$ aggr sessions --user u$'\xc3\xa9' --format csv
user_id,session_id,start,end

$ aggr sessions --starts --days 15
{"DE1":[{"session_id":"c","user_id":"ué","ts":"2022-01-01T05:00:00"}],"FI":[],"UK":[{"session_id":"a","user_id":"u1","ts":"2022-01-15T22:00:00"}]}

$ aggr cat sessions --since 2022-01-15T21:59:00.250Z --until 2022-01-15T22:00:00.000001Z
{"user_id":"u1","event":"start","session_id":"a","ts":"2022-01-15T22:00:00","country":"UK"}
{"user_id":"u1","event":"end","session_id":"a","ts":"2022-01-15T21:59:00.250","country":"FI"}

# ---- --user: 25 complete sessions of alice (odd ones end before they
# start in arrival order), end times out of order: the 20 with the latest
# end, newest first. bob's events fill other blocks, which the bloom
# filter skips; alice's session x never ends.
$ aggr purge sessions && sh "$TESTS/cli/sessions-gen.sh" bob > bob.json && sh "$TESTS/cli/sessions-gen.sh" alice > alice.json && AGGR_BLOCK_BYTES=1024 aggr ingest sessions bob.json alice.json

$ aggr -v sessions --user alice
{"alice":["s07","s14","s21","s03","s10","s17","s24","s06","s13","s20","s02","s09","s16","s23","s05","s12","s19","s01","s08","s15"]}
! aggr: sessions: user alice: inflated 5 of 10 blocks, 25 complete sessions

$ aggr sessions --user alice -n 3 --format table
user_id  session_id  start                end
alice    s07         2022-01-01T00:07:00  2022-01-02T10:34:00
alice    s14         2022-01-01T00:14:00  2022-01-02T10:33:00
alice    s21         2022-01-01T00:21:00  2022-01-02T10:32:00

$ aggr sessions --user alice -n 2 --format ndjson
{"user_id":"alice","session_id":"s07","start":"2022-01-01T00:07:00","end":"2022-01-02T10:34:00"}
{"user_id":"alice","session_id":"s14","start":"2022-01-01T00:14:00","end":"2022-01-02T10:33:00"}

$ aggr sessions --user alice -n 2 --format tsv
user_id	session_id	start	end
alice	s07	2022-01-01T00:07:00	2022-01-02T10:34:00
alice	s14	2022-01-01T00:14:00	2022-01-02T10:33:00

$ aggr sessions --user bob -n 1
{"bob":["s29"]}

# ---- --starts: the window [now - X days, now] includes both ends
$ { session a start edge-old 2022-01-14T22:00:00 se; session a start too-old 2022-01-14T21:59:59.999999Z se; session b start edge-now 2022-01-15T23:00:00+01:00 se; } > win.json
$ { session b start too-new 2022-01-15T22:00:00.000001 se; session c start mid 2022-01-15T12:00:00 no; session c start none 2022-01-15T12:00:00; } >> win.json
$ session c end ended 2022-01-15T12:00:00 dk >> win.json && aggr purge sessions && cat win.json | aggr ingest sessions

$ aggr sessions --starts --days 1
{"DK":[],"NO":[{"session_id":"mid","user_id":"c","ts":"2022-01-15T12:00:00"}],"SE":[{"session_id":"edge-now","user_id":"b","ts":"2022-01-15T22:00:00"},{"session_id":"edge-old","user_id":"a","ts":"2022-01-14T22:00:00"}],"none":[{"session_id":"none","user_id":"c","ts":"2022-01-15T12:00:00"}]}

$ aggr sessions --starts --days 0
{"DK":[],"NO":[],"SE":[{"session_id":"edge-now","user_id":"b","ts":"2022-01-15T22:00:00"}]}

$ aggr sessions --starts --days 1 --at 2022-01-15T22:00:00.000001Z --format table
country  session_id  user_id  ts
NO       mid         c        2022-01-15T12:00:00
SE       too-new     b        2022-01-15T22:00:00.000001
SE       edge-now    b        2022-01-15T22:00:00
none     none        c        2022-01-15T12:00:00

$ aggr -v sessions --starts --days 0 --at 2022-01-15T12:00:00Z --format csv
country,session_id,user_id,ts
NO,mid,c,2022-01-15T12:00:00
none,none,c,2022-01-15T12:00:00
! aggr: sessions: window [2022-01-15T12:00:00Z, 2022-01-15T12:00:00Z]: inflated 1 of 1 block, 2 starts, 3 countries

# --at in a zone
$ aggr sessions --starts --days 0 --at 2022-01-15T13:00:00 --tz Europe/Oslo --format ndjson
{"country":"NO","session_id":"mid","user_id":"c","ts":"2022-01-15T12:00:00"}
{"country":"none","session_id":"none","user_id":"c","ts":"2022-01-15T12:00:00"}

# ---- --starts: starts without a country, field missing or null, are
# listed under "none" (lower-case: after every country, and not the country
# NONE), newest first like the others; ends without one are not starts.
# Before this, every one of them was left out.
$ { session m1 start missing-1 2022-01-15T10:00:00; session n1 start null-1 2022-01-15T11:00:00 =null; session k1 start none-country 2022-01-15T09:00:00 none; } > nc.json
$ { session m2 start missing-old 2022-01-01T00:00:00; echo '{"country":null,"ts":"2022-01-15T11:00:00","session_id":"null-2","event":"start","user_id":"n2"}'; } >> nc.json
$ { session e1 end missing-1 2022-01-15T12:00:00; session d1 start de 2022-01-15T08:00:00 de; } >> nc.json && aggr purge sessions && cat nc.json | aggr ingest sessions

$ aggr sessions --starts --days 1
{"DE":[{"session_id":"de","user_id":"d1","ts":"2022-01-15T08:00:00"}],"NONE":[{"session_id":"none-country","user_id":"k1","ts":"2022-01-15T09:00:00"}],"none":[{"session_id":"null-2","user_id":"n2","ts":"2022-01-15T11:00:00"},{"session_id":"null-1","user_id":"n1","ts":"2022-01-15T11:00:00"},{"session_id":"missing-1","user_id":"m1","ts":"2022-01-15T10:00:00"}]}

$ aggr sessions --starts --days 30 --format csv
country,session_id,user_id,ts
DE,de,d1,2022-01-15T08:00:00
NONE,none-country,k1,2022-01-15T09:00:00
none,null-2,n2,2022-01-15T11:00:00
none,null-1,n1,2022-01-15T11:00:00
none,missing-1,m1,2022-01-15T10:00:00
none,missing-old,m2,2022-01-01T00:00:00

# a window without such a start has no "none"; the countries are all there
$ aggr -v sessions --starts --days 0 --at 2022-01-15T08:00:00Z
{"DE":[{"session_id":"de","user_id":"d1","ts":"2022-01-15T08:00:00"}],"NONE":[]}
! aggr: sessions: window [2022-01-15T08:00:00Z, 2022-01-15T08:00:00Z]: inflated 1 of 1 block, 1 start, 2 countries

$ aggr sessions --starts --days 0 --at 2022-01-01T00:00:00Z
{"DE":[],"NONE":[],"none":[{"session_id":"missing-old","user_id":"m2","ts":"2022-01-01T00:00:00"}]}

# ---- usage
$ aggr sessions --starts --days -1
! aggr: sessions: --days: must be at least 0: -1
! Try 'aggr help sessions'.
[2]

$ aggr sessions --starts --days 1.5
! aggr: sessions: --days: not an integer: 1.5
! Try 'aggr help sessions'.
[2]

$ aggr sessions --starts
! aggr: sessions: --starts needs --days X
! Try 'aggr help sessions'.
[2]

$ aggr sessions
! aggr: sessions: give one of --user and --starts
! Try 'aggr help sessions'.
[2]

$ aggr sessions --user u --starts --days 1
! aggr: sessions: give one of --user and --starts
! Try 'aggr help sessions'.
[2]

$ aggr sessions --user u --days 1
! aggr: sessions: --user takes -n, not --days, --at or --tz
! Try 'aggr help sessions'.
[2]

$ aggr sessions --starts --days 1 -n 5
! aggr: sessions: --starts takes --days and --at, not -n
! Try 'aggr help sessions'.
[2]

$ aggr sessions --user u -n 0
! aggr: sessions: -n: must be at least 1: 0
! Try 'aggr help sessions'.
[2]

$ aggr sessions --starts --days 1 --at never
! aggr: sessions: --at: not a time: never (see TIME SYNTAX in aggr(1))
! Try 'aggr help sessions'.
[2]

$ aggr sessions --help | head -2
usage: aggr sessions --user U [-n N]
       aggr sessions --starts --days X [--at TIME] [--tz ZONE]
