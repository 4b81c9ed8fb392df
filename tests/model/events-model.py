#!/usr/bin/env python3
"""Model-based random test of aggr events.

Drives $AGGR_BIN with random steps: add, ingest (several records per run,
sometimes one bad record that rejects the run), stop, remove by --id and
by --start (several per call), --purge, compact, retain, and list with and
without --since/--until windows and --tag filters. A small reference model
says what every command must print; after every step the full list is
compared with the model as well, and each seed ends with `aggr check`.

Time advances by AGGR_NOW. By seed % 4: 0 and 2 keep everything, in
small segments and blocks, so compaction rewrites segments of several
runs and blocks; 1 expires records after an hour (`retain events --set`)
with one run per segment (AGGR_SEGMENT_BYTES=1), where a record expires
exactly when its run's ingest time does, compaction included; 3 expires
them after half an hour in segments of several runs, and does not
compact (a compacted block of several runs takes the newest ingest time,
which this model does not follow).

usage: events-model.py [--soak [SECONDS]] [--seed N] [--seeds K] [--steps N] [-v]
  default: the fixed seeds of `make check` (a few seconds in all)
  --soak: random seeds for SECONDS (default 300), longer runs; the
  options are tests/model/common.py's
On a failure it prints the seed, the step and the command, and how to
run that seed again; the last line is "events-model: N passed, M failed"
counting seeds.
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

AGGR = os.environ.get("AGGR_BIN")
NAME = "events-model"
FIXED_SEEDS = [1, 2, 3, 4]
FIXED_STEPS = 60
T0 = 1642284000 * 10**6          # microseconds
TAGS = ["a", "b", "c", "x\"y", "\u00fc"]
MAX = 253402300799.99997         # the last start: 9999-12-31T23:59:59.999999Z kept in range
MAX_US = 253402300799999999
STARTS = [0, 1000, 1000.5, 1642280400.123456, 1650059272.843029, MAX]


class Failure(Exception):
    pass


def us_text(us):
    """Microseconds as exact epoch seconds text."""
    return "%d.%06d" % divmod(us, 10**6)


def from_us(us):
    """The stored double of a time in microseconds, as aggr makes it."""
    return min(us / 1e6, MAX)


def text(v):
    """A stored double as TIME or EPOCH text that reads back as v."""
    t = repr(float(v))
    assert "e" not in t and "inf" not in t, t
    return t


def key(start):
    """The index key of a start, as the C code computes it."""
    return int(start * 1e6 + 0.5)


class Model:
    def __init__(self, rng, retention):
        self.rng = rng
        self.now = T0
        self.retention = retention   # microseconds, 0: none
        self.ev = []                 # insertion order
        self.by_id = {}
        self.ever_written = False

    def visible(self, e):
        return not self.retention or e["ingest"] >= self.now - self.retention

    def live(self):
        return [e for e in self.ev if not e["dead"] and self.visible(e)]

    def add(self, eid, start, stop, tags):
        e = {"_id": eid, "start_epoch": start, "stop_epoch": stop, "tags": tags,
             "ingest": self.now, "dead": False}
        self.ev.append(e)
        self.by_id[eid] = e

    def find_live(self, eid):
        e = self.by_id.get(eid)
        return e if e and not e["dead"] and self.visible(e) else None

    def rows(self, since=None, until=None, tags=()):
        out = []
        for e in self.live():
            k = key(e["start_epoch"])
            if since is not None and k < since:
                continue
            if until is not None and k >= until:
                continue
            if any(t not in e["tags"] for t in tags):
                continue
            out.append({f: e[f] for f in ("_id", "start_epoch", "stop_epoch", "tags")})
        return out


class Runner:
    def __init__(self, seed, steps, verbose=False):
        self.seed = seed
        self.steps = steps
        self.rng = random.Random(seed)
        self.dir = tempfile.mkdtemp(prefix="aggr-events-model-")
        # odd seeds expire records: an hour or half an hour
        self.retention = [0, 3600 * 10**6, 0, 1800 * 10**6][seed % 4]
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("AGGR_"):
                del self.env[k]
        self.env["AGGR_DIR"] = os.path.join(self.dir, "data")
        self.env["TZ"] = "UTC"
        self.compacting = seed % 4 != 3
        if self.retention and self.compacting:
            self.env["AGGR_SEGMENT_BYTES"] = "1"
        else:
            self.env["AGGR_SEGMENT_BYTES"] = str(self.rng.choice([400, 1500, 6000]))
            self.env["AGGR_BLOCK_BYTES"] = str(self.rng.choice([64, 200, 1000, 131072]))
        self.m = Model(self.rng, self.retention)
        self.step = 0
        self.cmd = None
        self.invocations = 0

    def close(self):
        shutil.rmtree(self.dir, ignore_errors=True)

    def fail(self, what):
        raise Failure("seed %d step %d: %s\n  command: %s" % (self.seed, self.step, what, self.cmd))

    def aggr(self, args, stdin=None, want_rc=0):
        # a reader on a data directory that is not there exits 4; the
        # model then makes the directory (an empty store) and reads again
        reader = args[:1] == ["cat"] or args[:2] == ["events", "list"]
        if reader and want_rc == 0 and not os.path.isdir(self.env["AGGR_DIR"]):
            if self.m.ever_written:
                self.fail("the data directory is gone after a write")
            _, err = self.aggr(args, stdin, 4)
            if "no such data directory" not in err:
                self.fail("unexpected stderr: %s" % err[:500])
            os.mkdir(self.env["AGGR_DIR"])
        self.cmd = "AGGR_NOW=%s aggr %s" % (us_text(self.m.now), " ".join(args))
        env = dict(self.env, AGGR_NOW=us_text(self.m.now))
        try:
            p = subprocess.run([AGGR] + args, input=stdin.encode() if stdin is not None else None,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        except OSError as e:
            self.fail("cannot run %s: %s" % (AGGR, e))
        self.invocations += 1
        out, err = p.stdout.decode(), p.stderr.decode()
        if p.returncode != want_rc:
            self.fail("exit status %d, expected %d\n  stdout: %s\n  stderr: %s"
                      % (p.returncode, want_rc, out[:500], err[:500]))
        if want_rc == 0 and err:
            self.fail("unexpected stderr: %s" % err[:500])
        if "Sanitizer" in err or "runtime error" in err:
            self.fail("sanitizer report: %s" % err[:2000])
        return out, err

    def expect_json(self, out, want):
        try:
            got = json.loads(out)
        except ValueError:
            self.fail("output is not JSON: %r" % out[:500])
        if got != want:
            self.fail("output differs\n  got:  %s\n  want: %s"
                      % (json.dumps(got)[:1500], json.dumps(want)[:1500]))

    # ---- random choices ----

    def pick_tags(self):
        return self.rng.sample(TAGS, self.rng.randint(0, 3))

    def pick_start(self):
        """A start: None (now), a shared one, one of an event, or new."""
        r = self.rng.random()
        if r < 0.3:
            return None
        if r < 0.7:
            return self.rng.choice(STARTS)
        if r < 0.9 and self.m.ev:
            return self.rng.choice(self.m.ev)["start_epoch"]
        return from_us(self.rng.randint(0, 2 * 10**9) * self.rng.choice([1, 1000]))

    def later(self, v, choices):
        """v plus one of choices (seconds), kept in range."""
        return from_us(max(0, min(key(v) + int(self.rng.choice(choices) * 10**6), MAX_US)))

    def pick_id(self):
        r = self.rng.random()
        if self.m.ev and r < 0.85:
            live = self.m.live()
            if live and r < 0.6:
                return self.rng.choice(live)["_id"]
            return self.rng.choice(self.m.ev)["_id"]
        return "%024x" % self.rng.getrandbits(96)

    def start_or_now(self, start):
        return self.m.now / 1e6 if start is None else start

    # ---- steps ----

    def do_add(self):
        tags = self.pick_tags()
        start = self.pick_start()
        s = self.start_or_now(start)
        args = ["events", "add"]
        for t in tags:
            args += ["--tag", t]
        if start is not None:
            args += ["--start", text(start)]
        stop = -1
        if self.rng.random() < 0.3:
            stop = self.later(s, [0, 1, 0.5, 3600])
            args += ["--stop", text(stop)]
        out, _ = self.aggr(args)
        try:
            eid = json.loads(out)["_id"]
        except (ValueError, KeyError):
            self.fail("add printed %r" % out)
        if eid in self.m.by_id:
            self.fail("add gave an id that is taken: %s" % eid)
        self.expect_json(out, {"_id": eid, "start_epoch": s, "stop_epoch": stop, "tags": tags})
        self.m.add(eid, s, stop, tags)
        self.m.ever_written = True

    def do_ingest(self):
        recs = []
        for _ in range(self.rng.randint(1, 6)):
            r = {"tags": self.pick_tags()}
            start = self.pick_start()
            if start is not None:
                r["start_epoch"] = start
            if self.rng.random() < 0.3:
                r["stop_epoch"] = self.later(self.start_or_now(start), [0, 2, 7200])
            recs.append(r)
        bad = self.rng.random() < 0.1
        if bad:
            recs.insert(self.rng.randrange(len(recs) + 1),
                        self.rng.choice([{"tags": "a"}, {"tags": [], "start_epoch": -1},
                                         {"tags": [], "_id": "x"},
                                         {"tags": [], "start_epoch": 10, "stop_epoch": 5}]))
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
        self.aggr(["ingest", "events"], stdin=text, want_rc=3 if bad else 0)
        if bad:
            return
        # learn the new ids: the run's records end the log
        out, _ = self.aggr(["cat", "events"])
        lines = out.splitlines()[-len(recs):]
        for r, line in zip(recs, lines):
            try:
                got = json.loads(line)
            except ValueError:
                self.fail("cat printed %r" % line)
            want = {"_id": got.get("_id"), "start_epoch": self.start_or_now(r.get("start_epoch")),
                    "stop_epoch": r.get("stop_epoch", -1), "tags": r["tags"]}
            if got != want or got["_id"] in self.m.by_id:
                self.fail("stored %s, expected %s (new id)" % (line, json.dumps(want)))
            self.m.add(got["_id"], want["start_epoch"], want["stop_epoch"], want["tags"])
        self.m.ever_written = True

    def do_stop(self):
        eid = self.pick_id()
        e = self.m.find_live(eid)
        args = ["events", "stop", eid]
        at = None
        if self.rng.random() < 0.7:
            base = e["start_epoch"] if e else self.m.now / 1e6
            at = self.later(base, [0, 1, 0.25, 86400, -1])
            args += ["--at", text(at)]
        stop = self.m.now / 1e6 if at is None else at
        if not e:
            self.aggr(args, want_rc=4)
        elif stop < e["start_epoch"]:
            self.aggr(args, want_rc=2)
        else:
            out, _ = self.aggr(args)
            e["stop_epoch"] = stop
            self.expect_json(out, {f: e[f] for f in ("_id", "start_epoch", "stop_epoch", "tags")})
            self.m.ever_written = True

    def do_remove_ids(self):
        ids = [self.pick_id() for _ in range(self.rng.randint(1, 4))]
        args = ["events", "remove"]
        flags = []
        for i in ids:
            args += ["--id", i]
            e = self.m.find_live(i)
            flags.append(e is not None)
            if e:
                e["dead"] = True
        out, _ = self.aggr(args)
        self.expect_json(out, {"id_array_deleted": [i for i, f in zip(ids, flags) if f],
                               "id_array_not_deleted": [i for i, f in zip(ids, flags) if not f]})

    def do_remove_starts(self, purge=False):
        starts = []
        for _ in range(self.rng.randint(0 if purge else 1, 4)):
            s = self.pick_start()
            starts.append(self.m.now / 1e6 if s is None else s)
        args = ["events", "remove"]
        flags = []
        nhit = 0
        for s in starts:
            args += ["--start", text(s)]
            hit = [e for e in self.m.live() if e["start_epoch"] == s]
            for e in hit:
                e["dead"] = True
            nhit += len(hit)
            flags.append(bool(hit))
        want = {}
        if purge:
            # "purged" counts every event the run removed (aggr(1))
            args.append("--purge")
            live = self.m.live()
            for e in live:
                e["dead"] = True
            want["purged"] = nhit + len(live)
        if starts or not purge:
            want["start_epoch_array_deleted"] = [s for s, f in zip(starts, flags) if f]
            want["start_epoch_array_not_deleted"] = [s for s, f in zip(starts, flags) if not f]
        out, _ = self.aggr(args)
        self.expect_json(out, want)

    def check(self):
        # a data directory nothing was written to is not there, and check
        # says so (exit 4) rather than calling it clean
        if os.path.isdir(self.env["AGGR_DIR"]):
            self.aggr(["check", "events"])
        elif self.m.ever_written:
            self.fail("the data directory is gone after a write")
        else:
            self.aggr(["check", "events"], want_rc=4)

    def do_compact(self):
        if self.compacting:
            self.aggr(["compact", "events"])
        self.check()

    def do_retain(self):
        if self.retention and self.m.ever_written and not getattr(self, "retention_set", False):
            self.aggr(["retain", "events", "--set", "%ds" % (self.retention // 10**6)])
            self.retention_set = True
        else:
            self.aggr(["retain", "events"])

    def do_list(self):
        args = ["events", "list"]
        since = until = None
        if self.rng.random() < 0.6:
            pts = [key(self.rng.choice(STARTS))] + [key(e["start_epoch"]) for e in self.m.ev[-5:]]
            a = self.rng.choice(pts) + self.rng.choice([0, 0, -1, 1, -10**6])
            b = self.rng.choice(pts) + self.rng.choice([0, 0, 1, 10**6])
            a, b = min(max(a, 0), MAX_US), min(max(b, 0), MAX_US)
            if a > b:
                a, b = b, a
            if self.rng.random() < 0.8:
                since = a
                args += ["--since", us_text(a)]
            if self.rng.random() < 0.8:
                until = b
                args += ["--until", us_text(b)]
        tags = self.rng.sample(TAGS, self.rng.choice([0, 0, 1, 2]))
        for t in tags:
            args += ["--tag", t]
        out, _ = self.aggr(args)
        self.expect_json(out, self.m.rows(since, until, tags))

    def compare(self):
        out, _ = self.aggr(["events", "list"])
        self.expect_json(out, self.m.rows())

    def run(self):
        steps = [(self.do_add, 5), (self.do_ingest, 4), (self.do_stop, 3), (self.do_remove_ids, 3),
                 (self.do_remove_starts, 2), (lambda: self.do_remove_starts(True), 1),
                 (self.do_compact, 2), (self.do_retain, 2), (self.do_list, 4)]
        fns = [f for f, w in steps for _ in range(w)]
        for self.step in range(1, self.steps + 1):
            # time goes on: seconds to an hour, so retention bites
            self.m.now += self.rng.choice([0, 1, 10**6, 60 * 10**6, 600 * 10**6, 1500 * 10**6])
            self.m.now += self.rng.randrange(10**6)
            if self.retention and self.m.ever_written and not getattr(self, "retention_set", False):
                self.do_retain()
            else:
                self.rng.choice(fns)()
            self.compare()
        self.check()
        if self.compacting:
            self.aggr(["compact", "events"])
            self.compare()
            self.check()


def main(argv):
    a = common.parse(NAME, argv[1:], seconds=300.0)
    if not AGGR:
        common.aggr_bin(NAME)
        return 1
    steps = a.steps or (300 if a.soak and a.seed is None else FIXED_STEPS)
    total_steps = 0

    def one(seed):
        nonlocal total_steps
        r = Runner(seed, steps, a.verbose)
        try:
            r.run()
            print("ok seed %d: %d steps, %d commands, retention %ds, segment bytes %s"
                  % (seed, r.steps, r.invocations, r.retention // 10**6, r.env["AGGR_SEGMENT_BYTES"]))
            return True
        except Failure as e:
            print("not ok %s" % e)
            print(common.again(argv[0], seed, "--steps %d" % steps))
            return False
        finally:
            total_steps += r.step
            r.close()

    return common.run(NAME, a, FIXED_SEEDS, one,
                      lambda passed, failed: print("# %d seeds, %d steps" % (passed + failed, total_steps)))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
