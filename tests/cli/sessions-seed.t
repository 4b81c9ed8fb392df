# The user-session service's own data. Its README's batch (8 events):
# d6313e1fb7d247a6a034e2aadc30ab3f's session 5f933591-... has its end
# before its start in the batch, and is complete all the same.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# A case that starts with "aggr purge" starts that log afresh.

$ AGGR_NOW=2019-05-01T00:00:00Z aggr ingest sessions "$SEED/004-user-sessions/readme_batch.json"

$ AGGR_NOW=2019-05-01T00:00:00Z aggr -v sessions --user d6313e1fb7d247a6a034e2aadc30ab3f
{"d6313e1fb7d247a6a034e2aadc30ab3f":["5f933591-8cd5-4147-8736-d6237bef5891"]}
! aggr: sessions: user d6313e1fb7d247a6a034e2aadc30ab3f: inflated 1 of 1 block, 1 complete session

# a user with only an end, and an unknown user
$ AGGR_NOW=2019-05-01T00:00:00Z aggr sessions --user 29bb390d9b1b4b4b9ec0d6243da34ec4
{"29bb390d9b1b4b4b9ec0d6243da34ec4":[]}

$ AGGR_NOW=2019-05-01T00:00:00Z aggr sessions --user nobody
{"nobody":[]}

# the batch's starts since 2018-11-22 (160 days): every country seen is
# listed, "TIN" as it was given
$ AGGR_NOW=2019-05-01T00:00:00Z aggr sessions --starts --days 160
{"DE":[],"GH":[{"session_id":"4c55263e-66b2-4814-b431-8ca4c1a9dcc8","user_id":"a477ecabc3cc455cb1c6d1dab77d8e5c","ts":"2018-11-29T19:31:43"}],"SK":[],"TIN":[{"session_id":"674606b1-2270-4285-928f-eef4a6b90a60","user_id":"d6313e1fb7d247a6a034e2aadc30ab30","ts":"2019-04-16T20:40:50"}]}

$ AGGR_NOW=2019-05-01T00:00:00Z aggr sessions --starts --days 160 --format csv
country,session_id,user_id,ts
GH,4c55263e-66b2-4814-b431-8ca4c1a9dcc8,a477ecabc3cc455cb1c6d1dab77d8e5c,2018-11-29T19:31:43
TIN,674606b1-2270-4285-928f-eef4a6b90a60,d6313e1fb7d247a6a034e2aadc30ab30,2019-04-16T20:40:50

# 200 days reach every start of the batch, and the one without a country
# (d6313e1fb7d247a6a034e2aadc30ab3f's) is listed under "none"
$ AGGR_NOW=2019-05-01T00:00:00Z aggr sessions --starts --days 200 --format csv
country,session_id,user_id,ts
DE,06830030-d091-428b-87d6-53914d3d2a18,9595af0063e94cb8a76cb6628c6b80eb,2018-11-07T01:18:09
GH,4c55263e-66b2-4814-b431-8ca4c1a9dcc8,a477ecabc3cc455cb1c6d1dab77d8e5c,2018-11-29T19:31:43
SK,3346a60a-0989-4041-aacc-cf6ff44bd151,1ec36a67785046b3bce1dc432fad9129,2018-11-16T05:36:16
TIN,674606b1-2270-4285-928f-eef4a6b90a60,d6313e1fb7d247a6a034e2aadc30ab30,2019-04-16T20:40:50
none,5f933591-8cd5-4147-8736-d6237bef5891,d6313e1fb7d247a6a034e2aadc30ab3f,2018-11-16T18:01:37

# The service's sample file: 1000 events, 497 starts over 205 countries
# ("(.uk)" becomes UK, "Code" CODE), and no complete session.
$ aggr purge sessions && AGGR_NOW=2019-05-01T00:00:00Z aggr ingest sessions "$SEED/004-user-sessions/sample_user_data.jsonl"

$ AGGR_NOW=2019-05-01T00:00:00Z aggr sessions --starts --days 365 | jq -c '[length, ([.[] | length] | add), .UK[0].ts, .CODE[0].user_id]'
| [205,497,"2018-08-26T09:58:59","0f2d68ad77e9417f9cd84307db8de995"]

$ AGGR_NOW=2019-05-01T00:00:00Z aggr sessions --starts --days 365 --format ndjson | wc -l
497

$ for u in $(jq -r .user_id "$SEED/004-user-sessions/sample_user_data.jsonl" | sort -u); do AGGR_NOW=2019-05-01T00:00:00Z aggr sessions --user "$u"; done | grep -c -v ':\[\]}$'
0
[1]
