# aggr cat LOG --since/--until [--tz]: the stored records whose time is in
# [since, until), in log order; for counters the time is the timestamp.
# Now is 2022-01-15T22:00:00Z (Sat).
#
# In log order:
#   L1 2022-01-14T23:59:59Z d14     L5 2022-01-15T22:00:00Z now
#   L2 2022-01-15T00:00:00Z d15a    L6 2022-01-15T22:15:00Z later
#   L3 2022-01-15T21:00:00Z d15b    L7 2022-01-14T00:00:00Z d13
#   L4 2022-01-15T21:59:59Z d15c    L8 2022-01-13T23:59:59Z d12
# The same records are in store "small" too, two to a block (in arrival
# order: AGGR_CLUSTER=0, else hours get blocks of their own), so that whole
# blocks are skipped, written whole or filtered.
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: none, small.

$ printf '%s\n' '{"timestamp":1642204799,"d14":1}' '{"timestamp":"1642204800","d15a":1}' '{"timestamp":1642280400,"d15b":1}' '{"timestamp":1642283999,"d15c":1}' '{"timestamp":1642284000,"now":1}' '{"timestamp":1642284900,"later":1}' '{"timestamp":1642118400,"d13":1}' '{"timestamp":1642118399,"d12":1}' > in.jsonl && aggr ingest counters in.jsonl && AGGR_CLUSTER=0 AGGR_BLOCK_BYTES=80 aggr -d small ingest counters in.jsonl

$ aggr cat counters
{"timestamp":1642204799,"d14":1}
{"timestamp":1642204800,"d15a":1}
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}
{"timestamp":1642284900,"later":1}
{"timestamp":1642118400,"d13":1}
{"timestamp":1642118399,"d12":1}

$ aggr -d small cat counters | cmp - <(aggr cat counters) && aggr -d small info counters --format csv | cut -d, -f4
blocks
4

# --- TIME forms ---

$ aggr cat counters --since today
{"timestamp":1642204800,"d15a":1}
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}
{"timestamp":1642284900,"later":1}

$ aggr -d small cat counters --since today
{"timestamp":1642204800,"d15a":1}
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}
{"timestamp":1642284900,"later":1}

$ aggr cat counters --since yesterday --until today
{"timestamp":1642204799,"d14":1}
{"timestamp":1642118400,"d13":1}

$ aggr -d small cat counters --since yesterday --until today
{"timestamp":1642204799,"d14":1}
{"timestamp":1642118400,"d13":1}

$ aggr cat counters --since -1h
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}
{"timestamp":1642284900,"later":1}

$ aggr cat counters --since -1h --until now
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}

$ aggr -d small cat counters --since -1h --until now
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}

$ aggr cat counters --since -30m
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}
{"timestamp":1642284900,"later":1}

$ aggr cat counters --until +15m
{"timestamp":1642204799,"d14":1}
{"timestamp":1642204800,"d15a":1}
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}
{"timestamp":1642118400,"d13":1}
{"timestamp":1642118399,"d12":1}

$ aggr -d small cat counters --until +15m
{"timestamp":1642204799,"d14":1}
{"timestamp":1642204800,"d15a":1}
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}
{"timestamp":1642118400,"d13":1}
{"timestamp":1642118399,"d12":1}

$ aggr cat counters --since -7d
{"timestamp":1642204799,"d14":1}
{"timestamp":1642204800,"d15a":1}
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}
{"timestamp":1642284900,"later":1}
{"timestamp":1642118400,"d13":1}
{"timestamp":1642118399,"d12":1}

$ aggr cat counters --until -2d

$ aggr cat counters --until -2w --since -3w

$ aggr cat counters --since -90s --until +900s
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}

$ aggr cat counters --since 1642283999.5
{"timestamp":1642284000,"now":1}
{"timestamp":1642284900,"later":1}

$ aggr cat counters --since 1642283999 --until 1642284000
{"timestamp":1642283999,"d15c":1}

$ aggr cat counters --since 1642283999 --until 1642284000.000001
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}

$ aggr cat counters --since 2022-01-15T23:00:00+01:00
{"timestamp":1642284000,"now":1}
{"timestamp":1642284900,"later":1}

$ aggr cat counters --since 2022-01-15T14:00:00-08:00 --until 2022-01-15T22:15:00Z
{"timestamp":1642284000,"now":1}

$ aggr cat counters --since 2022-01-14 --until 2022-01-15
{"timestamp":1642204799,"d14":1}
{"timestamp":1642118400,"d13":1}

$ aggr cat counters --since '2022-01-15 21:00' --until 2022-01-15T21:59:59.000001Z
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}

$ aggr cat counters --since 2022-01-15T21:00:00.000001Z --until 2022-01-15T21:59:59Z

$ aggr -d small cat counters --since 2022-01-13T23:59:59Z --until 2022-01-14T00:00:00.5Z
{"timestamp":1642118400,"d13":1}
{"timestamp":1642118399,"d12":1}

# --- --tz ---

# 22:00Z is 03:30 IST on Jan 16: today starts at 2022-01-15T18:30Z
$ aggr cat counters --tz Asia/Kolkata --since today
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}
{"timestamp":1642284000,"now":1}
{"timestamp":1642284900,"later":1}

# Jan 15 in IST: [2022-01-14T18:30Z, 2022-01-15T18:30Z)
$ aggr cat counters --tz Asia/Kolkata --since 2022-01-15 --until 2022-01-16
{"timestamp":1642204799,"d14":1}
{"timestamp":1642204800,"d15a":1}

$ aggr -d small cat counters --tz Asia/Kolkata --since 2022-01-15 --until 2022-01-16
{"timestamp":1642204799,"d14":1}
{"timestamp":1642204800,"d15a":1}

$ aggr cat counters --tz Asia/Kolkata --until 2022-01-15T05:30:00
{"timestamp":1642204799,"d14":1}
{"timestamp":1642118400,"d13":1}
{"timestamp":1642118399,"d12":1}

# an offset in the time wins over --tz
$ aggr cat counters --tz Asia/Kolkata --since 2022-01-15T21:00:00Z --until 2022-01-15T22:00:00+00:00
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}

$ aggr cat counters --tz Asia/Kolkata --since 1642280400 --until 1642284000
{"timestamp":1642280400,"d15b":1}
{"timestamp":1642283999,"d15c":1}

# 22:00Z is 23:00 CET: today starts at 2022-01-14T23:00Z, yesterday at
# 2022-01-13T23:00Z
$ aggr cat counters --tz Europe/Berlin --since yesterday --until today
{"timestamp":1642118400,"d13":1}
{"timestamp":1642118399,"d12":1}

# 22:00Z is 17:00 EST: yesterday is [2022-01-14T05:00Z, 2022-01-15T05:00Z)
$ aggr cat counters --tz America/New_York --since yesterday --until today
{"timestamp":1642204799,"d14":1}
{"timestamp":1642204800,"d15a":1}

$ aggr cat counters --tz UTC --since today --until -1h
{"timestamp":1642204800,"d15a":1}

# --- errors ---

# (the seed file holds five flow records)
$ aggr ingest flows "$SEED/000-flow-aggregation/test_data1.json" && aggr cat flows | wc -l
5

$ aggr cat flows --since today
! aggr: cat: flows records have no time for --since or --until
! Try 'aggr help cat'.
[2]

$ aggr cat flows --until now
! aggr: cat: flows records have no time for --since or --until
! Try 'aggr help cat'.
[2]

$ aggr cat flows --tz Europe/Berlin --since today
! aggr: cat: flows records have no time for --since or --until
! Try 'aggr help cat'.
[2]

$ aggr cat counters --since 2022-02-30
! aggr: cat: --since: not a time: 2022-02-30 (see TIME SYNTAX in aggr(1))
! Try 'aggr help cat'.
[2]

$ aggr cat counters --since today --until 'next week'
! aggr: cat: --until: not a time: next week (see TIME SYNTAX in aggr(1))
! Try 'aggr help cat'.
[2]

$ aggr cat counters --since 2022-01-15T22:00:00+25:00
! aggr: cat: --since: not a time: 2022-01-15T22:00:00+25:00 (see TIME SYNTAX in aggr(1))
! Try 'aggr help cat'.
[2]

$ aggr cat counters --until 1642284000.5.5
! aggr: cat: --until: not a time: 1642284000.5.5 (see TIME SYNTAX in aggr(1))
! Try 'aggr help cat'.
[2]

$ aggr cat counters --since -1y
! aggr: cat: --since: not a time: -1y (see TIME SYNTAX in aggr(1))
! Try 'aggr help cat'.
[2]

$ aggr cat counters --tz Asia/Kolkata
! aggr: cat: --tz goes with --since or --until
! Try 'aggr help cat'.
[2]

$ aggr cat flows --tz Asia/Kolkata
! aggr: cat: --tz goes with --since or --until
! Try 'aggr help cat'.
[2]

$ aggr cat counters --tz Nowhere/City --since today
! aggr: cat: --tz: unknown time zone: Nowhere/City
! Try 'aggr help cat'.
[2]

$ aggr cat counters --tz Europe --since today
! aggr: cat: --tz: unknown time zone: Europe
! Try 'aggr help cat'.
[2]

# a log never written holds nothing in any window
$ mkdir none; aggr -d none cat counters --since yesterday

$ aggr cat counters --since now --until -1h
! aggr: cat: --until is before --since
! Try 'aggr help cat'.
[2]
