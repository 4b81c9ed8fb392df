# One reader of JSON input (src/input.c) for ingest and stream publish:
# the same input goes to both, and both accept the same inputs and report
# the same line and column. Setup: none; each "both" builds its own data
# directories (tests/cli/input-forms.sh: @K@"TEXT"@Z@ is a member with the
# string TEXT, @B@ the record's other members, per command).
#
# Setup: the cases run in order in one temporary directory and share one
# data directory ($AGGR_DIR, empty at the start): each case builds on
# what the cases above it stored and the files they wrote, so run the
# file whole. A setup case sits right above the case it serves (no blank
# line between), or that case says so ("the case above").
# Other data directories the cases name (-d or AGGR_DIR), each set up
# by the cases that use it: d.

# --- accepted: both store the same records, in order ---

# pretty-printed documents, as "jq ." writes them
$ . "$TESTS/cli/input-forms.sh"; both $'{\n  @K@"a"@Z@,\n  @B@\n}\n{\n  @K@"b"@Z@,\n  @B@\n}\n'
ingest: exit 0: a b
stream: exit 0: a b

# compact: JSON lines
$ . "$TESTS/cli/input-forms.sh"; both $'{@K@"a"@Z@,@B@}\n{@K@"b"@Z@,@B@}\n'
ingest: exit 0: a b
stream: exit 0: a b

# mixed, once a pretty-printed document set the form: compact documents,
# two on one line, a document whose "}" ends its last member's line
$ . "$TESTS/cli/input-forms.sh"; both $'{\n  @K@"a"@Z@,\n  @B@\n}\n{@K@"b"@Z@,@B@}\n{@K@"c"@Z@,@B@} {@K@"d"@Z@,@B@}\n{\n  @K@"e"@Z@,\n  @B@}\n'
ingest: exit 0: a b c d e
stream: exit 0: a b c d e

# a first line that opens an object with members, {"src_app":"a", (what
# ingest refused before): the object stays open at the line's end
$ . "$TESTS/cli/input-forms.sh"; both $'{@K@"a"@Z@,\n@B@}\n{@K@"b"@Z@,\n@B@}\n'
ingest: exit 0: a b
stream: exit 0: a b

# ... and {"a":1, itself: the document is read whole, then the kind refuses
# its member "a" (at the document's first line)
$ . "$TESTS/cli/input-forms.sh"; both $'{"a":1,\n@K@"b"@Z@,@B@}\n'
ingest: exit 3:
stream: exit 3:
! aggr: ingest: <stdin>:1: unknown field "a"
! aggr: stream: <stdin>:1: unknown field "a"

# braces, brackets and escaped quotes inside strings do not end a document
$ . "$TESTS/cli/input-forms.sh"; both $'{@K@"x{y}[z]\\"}"@Z@,\n@B@}\n{\n@K@"}{"@Z@,@B@}\n'
ingest: exit 0: x{y}[z]"} }{
stream: exit 0: x{y}[z]"} }{

# CRLF line ends, plain and gzip
$ . "$TESTS/cli/input-forms.sh"; both $'{\r\n  @K@"a"@Z@,\r\n  @B@\r\n}\r\n{@K@"b"@Z@,@B@}\r\n'; FILTER=gzip both $'{\r\n  @K@"c"@Z@,\r\n  @B@\r\n}\r\n'
ingest: exit 0: a b
stream: exit 0: a b
ingest: exit 0: c
stream: exit 0: c

# empty input, and only blank lines: nothing stored, exit 0
$ . "$TESTS/cli/input-forms.sh"; both ''; both $'\n \r\n\t\n'
ingest: exit 0:
stream: exit 0:
ingest: exit 0:
stream: exit 0:

# --- refused: both name the same line and the byte on it (from 1) ---

# a "}" at column 1 inside a string (a raw line end in it, which JSON does
# not allow) ends no document: the string's line end is the error
$ . "$TESTS/cli/input-forms.sh"; both $'{\n"x":"a\n}",\n@K@"b"@Z@,@B@}\n{@K@"c"@Z@,@B@}\n'
ingest: exit 3:
stream: exit 3:
! aggr: ingest: <stdin>:2: invalid JSON: control character in string at byte 7
! aggr: stream: <stdin>:2: invalid JSON: control character in string at byte 7

# ... and with --max-errors the document set aside is the whole of it, to
# its real "}": the next one is stored
$ . "$TESTS/cli/input-forms.sh"; both $'{\n"x":"a\n}",\n@K@"b"@Z@,@B@}\n{@K@"c"@Z@,@B@}\n' --max-errors 1 --rejects r.jsonl; jq -c '[.line, .error, (.record | split("\n") | length)]' r.jsonl
ingest: exit 10: c
stream: exit 3:
| [2,"invalid JSON: control character in string at byte 7",4]
! aggr: ingest: set aside 1 bad record in r.jsonl
! aggr: stream: <stdin>:2: invalid JSON: control character in string at byte 7

# a bad document in the middle: nothing of the run is stored
$ . "$TESTS/cli/input-forms.sh"; both $'{\n  @K@"a"@Z@,\n  @B@\n}\n{\n  @K@"b"@Z@,\n  "x": [1,,2],\n  @B@\n}\n'
ingest: exit 3:
stream: exit 3:
! aggr: ingest: <stdin>:7: invalid JSON: unexpected ',' at byte 11
! aggr: stream: <stdin>:7: invalid JSON: unexpected ',' at byte 11

# a document the kind refuses is named by its first line
$ . "$TESTS/cli/input-forms.sh"; both $'{\n  @K@"a"@Z@,\n  @B@\n}\n{\n  @K@""@Z@,\n  @B@\n}\n'
ingest: exit 3:
stream: exit 3:
! aggr: ingest: <stdin>:5: src_app: empty
! aggr: stream: <stdin>:5: event.name: empty

# a document cut off at the end of the input: the error is just past its
# last byte, blank lines after it aside (stream publish said line 2, byte 1
# for the last one before)
$ . "$TESTS/cli/input-forms.sh"; both $'{\n  @K@"a"@Z@,\n  @B@\n}\n{\n  @K@"b"@Z@,@B@,\n  "x":'; both $'{\n  @K@"a"@Z@,\n  @B@\n}\n{\n  @K@"b"@Z@,@B@,\n  "x":\n\n'; both $'{"x":\n'
ingest: exit 3:
stream: exit 3:
ingest: exit 3:
stream: exit 3:
ingest: exit 3:
stream: exit 3:
! aggr: ingest: <stdin>:7: invalid JSON: truncated JSON: unexpected end at byte 7
! aggr: stream: <stdin>:7: invalid JSON: truncated JSON: unexpected end at byte 7
! aggr: ingest: <stdin>:7: invalid JSON: truncated JSON: unexpected end at byte 7
! aggr: stream: <stdin>:7: invalid JSON: truncated JSON: unexpected end at byte 7
! aggr: ingest: <stdin>:1: invalid JSON: truncated JSON: unexpected end at byte 6
! aggr: stream: <stdin>:1: invalid JSON: truncated JSON: unexpected end at byte 6

# the form is set by the first document: after a compact one, the input is
# JSON lines, and a line of just "{" is not a record
$ . "$TESTS/cli/input-forms.sh"; both $'{@K@"a"@Z@,@B@}\n{\n  @K@"b"@Z@,\n  @B@\n}\n'
ingest: exit 3:
stream: exit 3:
! aggr: ingest: <stdin>:2: invalid JSON: truncated JSON: unexpected end at byte 2
! aggr: stream: <stdin>:2: invalid JSON: truncated JSON: unexpected end at byte 2

# --- every kind of ingest reads the same way, files as standard input ---

$ printf '{"timestamp":1642284000,\n "a.com":1}\n{\n"timestamp":1642284060,"b.com":2}\n' > c.json; printf '{"tags":["x"],\n"start_epoch":1642284000}\n' > e.json; printf '{"user_id":"u","event":"start",\n"session_id":"s1","ts":"2022-01-15T21:00:00"}\n' > s.json; aggr ingest counters c.json && aggr ingest events e.json && aggr ingest sessions s.json && aggr cat counters && aggr cat events | jq -c 'del(._id)' && aggr cat sessions
{"timestamp":1642284000,"a.com":1}
{"timestamp":1642284060,"b.com":2}
{"start_epoch":1642284000,"stop_epoch":-1,"tags":["x"]}
{"user_id":"u","event":"start","session_id":"s1","ts":"2022-01-15T21:00:00"}

# --- each FILE sets its own form; errors name the FILE ---

$ . "$TESTS/cli/input-forms.sh"; for k in flows stream; do mkdir -p $k; fill $k $'{\n  @K@"a"@Z@,\n  @B@\n}\n' > $k/docs.json; fill $k $'{@K@"b"@Z@,@B@}\n' > $k/lines.json; fill $k $'{@K@"c"@Z@,\n  "x": nul,\n  @B@}\n' > $k/bad.json; done; (cd flows && AGGR_DIR=$PWD/d aggr ingest flows docs.json lines.json && AGGR_DIR=$PWD/d aggr cat flows | jq -r .src_app; AGGR_DIR=$PWD/d aggr ingest flows lines.json bad.json; echo "exit $?"); (cd stream && AGGR_DIR=$PWD/d aggr stream publish s --producer p docs.json lines.json | wc -l && AGGR_DIR=$PWD/d aggr cat streams/s | jq -r .event.name; AGGR_DIR=$PWD/d aggr stream publish s --producer p lines.json bad.json; echo "exit $?")
a
b
exit 3
2
a
b
exit 3
! aggr: ingest: bad.json:2: invalid JSON: invalid literal or number at byte 8
! aggr: stream: bad.json:2: invalid JSON: invalid literal or number at byte 8
