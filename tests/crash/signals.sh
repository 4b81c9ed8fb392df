#!/bin/bash
# Signals (SIGINT, SIGTERM, SIGHUP, SIGPIPE) at many points of a large
# ingest, a stream publish and a compaction: see signals.py. Keep it under
# about 40 s.
set -u
: "${AGGR_BIN:?}"
here=$(cd "$(dirname "$0")" && pwd)
command -v python3 >/dev/null || { echo "signals: 0 passed, 1 failed (no python3)"; exit 1; }
exec python3 "$here/signals.py"
