#!/usr/bin/env python3
"""Run the README's ```console blocks and compare what they print.

Every ```console block is a shell transcript: a "$ " line is a command,
the lines up to the next command are what it prints (stdout and stderr as
a terminal shows them, interleaved). The blocks run in order, as a reader
following the README would: in one fresh directory that holds the
samples/ of the source tree, with AGGR_DIR a fresh data directory (the
README's ```sh block exports one), the real clock (no AGGR_NOW unless a
block exports it) and the built aggr first in PATH. `export NAME=VALUE`
lines set the variable for the commands after them; `echo $?` sees the
status of the command before it.

Random values are masked on both sides: UUIDs (stream event ids), 24-hex-
digit event _ids, instants aggr makes itself (six fraction digits), and
compact's byte counts (gzip sizes of random ids).
The value a block shows stands for the one the run printed in the same
place, so later commands that name it get the real one.

The ```sh blocks are not checked: they hold make targets, an export, and
cron lines (see SKIPPED). One case per block.

usage: AGGR_BIN=build/aggr python3 tests/readme-examples.py [README]
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# the ```sh blocks, and why none runs here
SKIPPED = {
    "make demo": "builds and runs samples/demo.sh: rough.t runs demo.sh",
    "make install": "installs into the system",
    "export AGGR_DIR": "the test gives every run a fresh AGGR_DIR itself",
    "*/5 * * * *": "a crontab line, not a command",
    "aggr info flows --format table": "info prints ingest times and sizes of today's run",
    "make check": "the test suite itself",
    "make bench": "minutes of benchmarks",
}

MASKS = [
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"), "<uuid>"),
    (re.compile(r"\b[0-9a-f]{24}\b"), "<id>"),
    (re.compile(r"\b\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z"), "<time>"),
    # compressed sizes vary with the random ids compressed
    (re.compile(r"\b\d+ -> \d+ bytes\b"), "<n> -> <n> bytes"),
]
MAPPED = ("<uuid>", "<id>")
# ids that are not random: the sample data's and "no such event" ones
FIXED = re.compile(r"^(f{24}|d6313e1fb7d247a6a034e2aadc30ab3f|[0-9a-f-]*-d6237bef5891)$")


def blocks(text):
    """Yield (line number, kind, lines) of each fenced block."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"^```(\w*)\s*$", lines[i])
        if not m:
            i += 1
            continue
        start, kind, body = i + 1, m.group(1), []
        i += 1
        while i < len(lines) and not lines[i].startswith("```"):
            body.append(lines[i])
            i += 1
        i += 1
        yield start, kind, body


def tokens(line):
    """The maskable values of line, in order, and the masked line."""
    found = []
    spans = []
    for rx, _ in MASKS:
        for m in rx.finditer(line):
            if FIXED.match(m.group(0)):
                continue
            if any(m.start() < e and s < m.end() for s, e in spans):
                continue
            spans.append((m.start(), m.end()))
    spans.sort()
    out, last = [], 0
    for s, e in spans:
        v = line[s:e]
        name = next(n for rx, n in MASKS if rx.fullmatch(v))
        if name in MAPPED:
            found.append(v)
        out.append(line[last:s])
        out.append(name)
        last = e
    out.append(line[last:])
    return found, "".join(out)


def main():
    readme = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "README.md")
    aggr = os.environ.get("AGGR_BIN")
    if not aggr:
        sys.exit("set AGGR_BIN to the aggr binary")
    text = open(readme, encoding="utf-8").read()
    work = tempfile.mkdtemp(prefix="aggr-readme.")
    passed = failed = 0
    try:
        bindir = os.path.join(work, "bin")
        os.mkdir(bindir)
        os.symlink(os.path.abspath(aggr), os.path.join(bindir, "aggr"))
        run = os.path.join(work, "run")
        os.mkdir(run)
        os.symlink(os.path.join(ROOT, "samples"), os.path.join(run, "samples"))
        env = {
            "PATH": bindir + ":/usr/bin:/bin",
            "HOME": os.path.join(work, "home"),
            "AGGR_DIR": os.path.join(work, "data"),
            "LC_ALL": "C.UTF-8",
            "TZ": "UTC",
        }
        for v in ("ASAN_OPTIONS", "UBSAN_OPTIONS"):
            if v in os.environ:
                env[v] = os.environ[v]
        shown = {}      # a value the README shows -> the one the run printed
        last = 0
        for start, kind, body in blocks(text):
            name = "README.md:%d" % start
            if kind != "console":
                first = next((l for l in body if l.strip()), "")
                why = next((w for k, w in SKIPPED.items() if first.startswith(k)), None)
                if why is None:
                    failed += 1
                    print("not ok %s: a ```%s block neither run nor skipped: %s" % (name, kind, first))
                else:
                    print("ok %s # skip %s" % (name, why))
                continue
            why = None
            i = 0
            while i < len(body) and why is None:
                if not body[i].startswith("$ "):
                    why = "output line %d before any command: %s" % (start + i + 1, body[i])
                    break
                cmd, line = body[i][2:], start + i + 1
                want = []
                i += 1
                while i < len(body) and not body[i].startswith("$ "):
                    want.append(body[i])
                    i += 1
                m = re.fullmatch(r"export ([A-Za-z_][A-Za-z0-9_]*)=(\S+)", cmd)
                if m:
                    env[m.group(1)] = m.group(2)
                    last = 0
                    continue
                for k, v in shown.items():
                    cmd = cmd.replace(k, v)
                p = subprocess.Popen(["bash", "-c", "(exit %d); %s" % (last, cmd)], cwd=run, env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
                try:
                    out, _ = p.communicate(timeout=20)
                except subprocess.TimeoutExpired:
                    # the whole group: a follower would hold the pipe open
                    os.killpg(p.pid, signal.SIGKILL)
                    p.communicate()
                    why = "line %d: %s: still running after 20 s" % (line, cmd)
                    break
                last = p.returncode
                got = out.decode("utf-8", "replace").split("\n")
                if got and got[-1] == "":
                    got.pop()
                if len(got) != len(want):
                    why = "line %d: %s: printed %d lines, the README shows %d:\n%s" % (
                        line, cmd, len(got), len(want), "\n".join(got))
                    break
                for w, g in zip(want, got):
                    wt, wm = tokens(w)
                    gt, gm = tokens(g)
                    if wm != gm:
                        why = "line %d: %s:\n  README: %s\n  got:    %s" % (line, cmd, w, g)
                        break
                    for a, b in zip(wt, gt):
                        shown.setdefault(a, b)
            if why:
                failed += 1
                print("not ok %s: %s" % (name, why))
            else:
                passed += 1
                print("ok %s" % name)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("readme-examples: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
