# Progress goes to stderr only when asked for (or when stderr is a tty),
# on one line that is cleared at the end (each redraw starts with a CR).
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").

$ aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json"

$ aggr --progress cat flows 2>err | wc -l; tr '\r' '\n' < err | sed 1d | cat -v
5
aggr: cat: block 1 of 1^[[K
^[[K

$ aggr cat flows 2>err >/dev/null; wc -c < err
0

$ for i in $(seq 1 3000); do flow s$i 9; done > many.jsonl
$ aggr ingest flows --progress many.jsonl 2>err; tr '\r' '\n' < err | sed 1d | cat -v
aggr: ingest: 1024 records, 0.2 MB read^[[K
^[[K

$ aggr ingest flows --no-progress many.jsonl 2>err; wc -c < err
0
