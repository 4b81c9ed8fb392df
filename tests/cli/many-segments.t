# Setup: a counters log of 30 sealed segments (AGGR_SEGMENT_BYTES=1), one
# record each. A reader holds every segment's files open for its snapshot,
# so aggr raises its soft descriptor limit to the hard one at start: a soft
# limit of 40, below two files per segment, must not stop readers, writers
# or check (before: "cannot open ...: Too many open files", exit 1).
$ for i in $(seq 1 30); do echo "{\"timestamp\":1642284000,\"a$i.example\":$i}" | AGGR_SEGMENT_BYTES=1 aggr ingest counters || exit 1; done; ls "$AGGR_DIR/counters" | grep -c jsonl
30

$ ulimit -S -n 40; aggr cat counters | wc -l; aggr check counters && aggr top --minute --at 2022-01-15T22:01:00Z --format csv -n 2
30
Domain,NumberOfRequests
a30.example,30
a29.example,29

$ ulimit -S -n 40; echo '{"timestamp":1642284000,"a31.example":31}' | aggr ingest counters && aggr -v retain counters --max-bytes 0 2>&1 | sed -E 's/[0-9]+ bytes/N bytes/g'; aggr cat counters
aggr: retain: counters: deleted 30 records (30 segments, N bytes) to fit in N bytes
aggr: retain: counters: N bytes, more than 0, but the newest segment stays
{"timestamp":1642284000,"a31.example":31}
