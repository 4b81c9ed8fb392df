#!/bin/bash
# Corruption sweep (issue 12): many damaged data directories x every
# command; every command exits with a documented status, prints valid
# UTF-8 and starts its messages with "aggr: ". The sweep itself is
# corruption-sweep.py beside this file (its header says what it does, its
# KNOWN list the defects found and not fixed yet).
# usage: AGGR_BIN=... bash tests/crash/corruption-sweep.sh [-v] [--kind K] [--damage GLOB]
here=$(cd "$(dirname "$0")" && pwd)
: "${AGGR_BIN:?set AGGR_BIN to the aggr binary}"
if ! command -v python3 >/dev/null 2>&1; then
	echo "corruption-sweep: python3 is needed"
	echo "corruption-sweep: 0 passed, 1 failed"
	exit 1
fi
exec python3 "$here/corruption-sweep.py" "$@"
