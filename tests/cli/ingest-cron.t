# aggr ingest from cron: --ignore-missing, --remove-source-files, --max-errors N --rejects FILE
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

# --- the README's crontab line, run on a spool of files, then on the empty spool ---

$ grep -o 'aggr ingest flows --no-wait --ignore-missing [^`]*/var/spool/flows/\*\.json' "$TESTS/../README.md" | head -1 | sed "s|/var/spool|$PWD/var/spool|g" > recipe
$ wc -l < recipe; mkdir -p var/spool/flows
1

# two files, one with a bad record: both loaded, the bad record set aside, the files gone
$ flow a 1 1 2 b > var/spool/flows/1.json && flow c 1 5 5 b > var/spool/flows/2.json
$ echo '{"src_app":"a","dest_app":"b","vpc_id":"v","hour":"x","bytes_tx":1,"bytes_rx":2}' >> var/spool/flows/2.json
$ sh recipe 2> err; echo "exit $?"; ls var/spool/flows; sed "s|$PWD|.|g" var/spool/flows.rejects err; aggr flows --hour 1 --format csv
exit 10
{"file":"./var/spool/flows/2.json","line":2,"error":"hour: not an integer","record":"{\"src_app\":\"a\",\"dest_app\":\"b\",\"vpc_id\":\"v\",\"hour\":\"x\",\"bytes_tx\":1,\"bytes_rx\":2}"}
aggr: ingest: set aside 1 bad record in ./var/spool/flows.rejects
src_app,dest_app,vpc_id,hour,bytes_rx,bytes_tx
a,b,v,1,2,1
c,b,v,1,5,5

# the empty spool: nothing printed, exit 0, nothing changed
$ sh recipe; echo "exit $?"; ls var/spool; aggr cat flows | wc -l
exit 0
flows
flows.rejects
2

# --- --ignore-missing ---

$ aggr ingest counters --ignore-missing nosuch/*.json nosuch2; echo "exit $?"; ls data
exit 0
flows

# with -v it says which it skipped
$ aggr -v ingest counters --ignore-missing 'x*.json'
! aggr: ingest: x*.json: no such file: skipped

# files that exist are loaded; other errors still count
$ printf '{"timestamp":1642284000,"a.com":1}\n' > c1.json && aggr -v ingest counters --ignore-missing c1.json gone.json
! aggr: ingest: gone.json: no such file: skipped
! aggr: ingest: stored 1 record in counters

$ mkdir cdir && aggr ingest counters --ignore-missing cdir
!~ ^aggr: ingest: .*cdir
[1]

# without it, a missing file is an error and nothing is stored
$ aggr ingest counters c1.json gone.json; aggr cat counters | wc -l
1
!~ ^aggr: ingest: .*gone\.json
[0]

# --- --remove-source-files ---

$ printf '{"timestamp":1642284000,"b.com":%d}\n' 1 2 > r1.json && printf '{"timestamp":1642284000,"b.com":3}\n' > r2.json
$ aggr -v ingest counters --remove-source-files r1.json r2.json; ls r1.json r2.json 2>&1 | sed 's/.*cannot access/cannot access/'
! aggr: ingest: stored 2 records in counters
! aggr: ingest: stored 1 record in counters
cannot access 'r1.json': No such file or directory
cannot access 'r2.json': No such file or directory

# a file stored before (the run committed, the unlink did not happen) is
# known by its digest: removed, not loaded again
$ printf '{"timestamp":1642284000,"b.com":3}\n' > r3.json && aggr -v ingest counters --remove-source-files r3.json; ls r3.json; aggr cat counters | grep -c b.com
!~ ^aggr: ingest: batch sha256:[0-9a-f]{64} is already stored in counters: nothing to do$
!~ cannot access 'r3.json'
3

# a bad file stops there: the ones before it are loaded and removed, it and the rest stay
$ printf '{"timestamp":1642284000,"d.com":1}\n' > s1.json && printf 'bad\n' > s2.json && printf '{"timestamp":1642284000,"d.com":3}\n' > s3.json
$ aggr ingest counters --remove-source-files s1.json s2.json s3.json; echo "exit $?"; ls s*.json; aggr cat counters | grep -c d.com
!~ ^aggr: ingest: s2\.json:1: invalid JSON: 
exit 3
s2.json
s3.json
1

$ aggr ingest counters --remove-source-files < /dev/null
! aggr: ingest: --remove-source-files needs FILE arguments
! Try 'aggr help ingest'.
[2]

$ aggr ingest counters --remove-source-files s3.json -
! aggr: ingest: --remove-source-files: cannot remove standard input
! Try 'aggr help ingest'.
[2]

$ aggr ingest counters --remove-source-files --batch-id nightly s2.json s3.json
! aggr: ingest: --remove-source-files: one --batch-id ID for 2 runs; use --batch-id auto
! Try 'aggr help ingest'.
[2]

# one file with a fixed ID is fine
$ aggr ingest counters --remove-source-files --batch-id nightly-3 s3.json; ls s3.json; aggr cat counters | grep -c d.com
!~ cannot access 's3.json'
2

# --- --max-errors N --rejects FILE ---

$ printf '{"timestamp":1642284000,"e.com":1}\n{"timestamp":"x","e.com":2}\n[1,\n{"timestamp":1642284000,"e.com":4}\n' > m.json
$ aggr ingest counters --max-errors 2 --rejects rej m.json; echo "exit $?"; jq -c '[.file, .line, (.error | sub(":.*"; "")), .record]' rej; aggr cat counters | grep e.com
! aggr: ingest: set aside 2 bad records in rej
exit 10
["m.json",2,"timestamp","{\"timestamp\":\"x\",\"e.com\":2}"]
["m.json",3,"invalid JSON","[1,"]
{"timestamp":1642284000,"e.com":1}
{"timestamp":1642284000,"e.com":4}

# past N: nothing stored, exit 3, the rejects file as it was
$ printf '{"timestamp":1642284000,"f.com":1}\n{"timestamp":"x"}\n{"timestamp":"y"}\n' > m2.json
$ aggr ingest counters --max-errors 1 --rejects rej m2.json; echo "exit $?"; wc -l < rej; aggr cat counters | grep -c f.com; true
!~ ^aggr: ingest: m2\.json:3: timestamp: .*: more than 1 bad record \(--max-errors\): nothing stored$
exit 3
2
0

# --max-errors 0: any bad record rejects the run, as without it
$ aggr ingest counters --max-errors 0 --rejects rej m2.json
!~ ^aggr: ingest: m2\.json:2: timestamp: .*: more than 0 bad records \(--max-errors\): nothing stored$
[3]

# no bad record: exit 0, the rejects file untouched
$ printf '{"timestamp":1642284000,"g.com":1}\n' | aggr ingest counters --max-errors 5 --rejects rej; echo "exit $?"; wc -l < rej
exit 0
2

# appended to, across runs; from standard input the file is <stdin>
$ printf '{"timestamp":1642284000,"h.com":1}\nnope\n' | aggr ingest counters --max-errors 5 --rejects rej; echo "exit $?"; tail -1 rej | jq -c '[.file, .line, .record]'
! aggr: ingest: set aside 1 bad record in rej
exit 10
["<stdin>",2,"nope"]

# a batch already stored sets nothing aside again
$ aggr ingest counters --max-errors 5 --rejects rej --batch-id auto m.json; aggr -v ingest counters --max-errors 5 --rejects rej --batch-id auto m.json; echo "exit $?"; wc -l < rej
!~ ^aggr: ingest: set aside 2 bad records in rej$
!~ is already stored in counters: nothing to do
exit 0
5

# with --remove-source-files: per file, and the file goes
$ printf '{"timestamp":1642284000,"k.com":1}\nbad\n' > k.json
$ aggr ingest counters --remove-source-files --max-errors 1 --rejects rej k.json; echo "exit $?"; ls k.json 2>/dev/null; tail -1 rej | jq -c '[.file, .line, .record]'
! aggr: ingest: set aside 1 bad record in rej
exit 10
["k.json",2,"bad"]

$ aggr ingest counters --max-errors 1 < /dev/null
! aggr: ingest: --max-errors needs --rejects FILE
! Try 'aggr help ingest'.
[2]

$ aggr ingest counters --rejects r < /dev/null
! aggr: ingest: --rejects goes with --max-errors N
! Try 'aggr help ingest'.
[2]

$ aggr ingest counters --max-errors -1 --rejects r < /dev/null
! aggr: ingest: --max-errors: must be at least 0: -1
! Try 'aggr help ingest'.
[2]

$ aggr ingest counters --max-errors 1 --rejects '' < /dev/null
! aggr: ingest: --rejects: empty file name
! Try 'aggr help ingest'.
[2]

# a rejects file that cannot be written: nothing stored
$ printf '{"timestamp":1642284000,"z.com":1}\nbad\n' | aggr ingest counters --max-errors 1 --rejects nodir/rej; echo "exit $?"; aggr cat counters | grep -c z.com; true
! aggr: ingest: cannot create nodir/.rej.tmp: No such file or directory
exit 1
0

# input that is not records (a damaged gzip) is no bad record: the run fails
$ printf '\037\213\010\000garbage' > g.json && aggr ingest counters --max-errors 5 --rejects rej g.json
!~ ^aggr: ingest: g\.json
[3]
