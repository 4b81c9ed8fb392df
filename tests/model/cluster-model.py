#!/usr/bin/env python3
"""Model-based random test of clustered blocks (aggr-format(5), "Clustered
blocks and the order of records") for counters and sessions.

Each seed makes random input that arrives late (a share of records 1 to 3
hours behind their place, few domains and small counts so that top has
many ties, sessions with repeated events and equal times), splits it into
a few ingest runs, and ingests it into several stores: AGGR_CLUSTER=0
(arrival order) and clustered ones (default and 1 or 2 open blocks), each
with an AGGR_BLOCK_BYTES drawn from tiny to the default. Then:

 - `top --minute` and `top --hour` at several times (UTC, and hours in
   Europe/Berlin, whose offset is whole hours) must print what a model
   computes from the arrival order, the tie rule ("first appearance among
   the window's records in log order") included, in every store;
 - `cat counters` must hold, hour by hour (UTC), the records of that hour
   in arrival order (the clustering is stable inside a bucket);
 - `sessions --user` for every user and `sessions --starts --days` at
   several times must print the same in every store.

usage: cluster-model.py [--soak [SECONDS]] [--seed N] [--seeds K]
  default: the fixed seeds of `make check` (a few seconds in all)
  --soak: random seeds for SECONDS (default 300); the options are
  tests/model/common.py's
On a failure it prints the seed, the command, and how to run that seed
again; the last line is "cluster-model: N passed, M failed" counting seeds.
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
NAME = "cluster-model"
FIXED_SEEDS = [1, 2, 3]
T0 = 1700002800                  # 2023-11-14T23:00:00Z, an hour boundary
DOMAINS = ["a.com", "b.com", "c.org", "d\"q.net", "\u00fc.de", "e.io", "f.io", "g.io"]
BLOCK_BYTES = [200, 700, 3000, 131072]
COUNTRIES = ["DE", "FI", "us", None]


class Failure(Exception):
    pass


def iso(secs, frac=""):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs)) + frac


class Runner:
    def __init__(self, seed):
        self.seed = seed
        self.rng = random.Random(seed)
        self.tmp = tempfile.mkdtemp(prefix="cluster-model-")
        self.cmd = ""
        self.invocations = 0

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def fail(self, what):
        raise Failure("seed %d: %s\n  command: %s" % (self.seed, what, self.cmd))

    def aggr(self, env, args, stdin=None):
        e = dict(os.environ)
        e.pop("AGGR_CLUSTER", None)
        e.pop("AGGR_BLOCK_BYTES", None)
        e["AGGR_NOW"] = str(T0 + 86400)
        e["TZ"] = "UTC"
        e.update(env)
        self.cmd = " ".join("%s=%s" % kv for kv in sorted(env.items())) + " aggr " + " ".join(args)
        self.invocations += 1
        p = subprocess.run([AGGR] + args, input=stdin, capture_output=True, env=e)
        if p.returncode != 0:
            self.fail("exit %d: %s" % (p.returncode, p.stderr.decode(errors="replace").strip()))
        return p.stdout.decode()

    # ---- input ----

    def late(self, t, share):
        if self.rng.random() < share:
            t -= self.rng.randint(3600, 3 * 3600)
        return max(t, T0 - 3 * 3600)

    def make_counters(self):
        r = self.rng
        hours = r.randint(2, 5)
        n = r.randint(100, 500)
        share = r.choice([0.05, 0.2, 0.4])
        doms = r.sample(DOMAINS, r.randint(3, len(DOMAINS)))
        recs = []
        t = T0
        for i in range(n):
            # time moves on, sometimes not at all (equal timestamps)
            t = T0 + i * hours * 3600 // n + r.choice([0, 0, 1, 7])
            ts = self.late(t, share)
            k = r.randint(1, 3)
            recs.append((ts, [(d, r.randint(1, 3)) for d in r.sample(doms, k)]))
        return recs, hours

    def make_sessions(self):
        r = self.rng
        hours = r.randint(3, 30)
        n = r.randint(60, 300)
        share = r.choice([0.05, 0.3])
        users = ["u%d" % i for i in range(r.randint(2, 6))]
        recs = []
        for i in range(n):
            t = self.late(T0 + i * hours * 3600 // n, share)
            # repeated events and equal times: same key, other text
            frac = r.choice(["", "", ".5", ".50", ".000001"])
            rec = {"user_id": r.choice(users), "event": r.choice(["start", "end"]),
                   "session_id": "s%d" % r.randint(0, n // 3), "ts": iso(t, frac)}
            c = r.choice(COUNTRIES)
            if c is not None:
                rec["country"] = c
            recs.append(json.dumps(rec))
        return recs, users, hours

    # ---- the model of top ----

    @staticmethod
    def top(recs, since, until, limit):
        count, first = {}, {}
        for ts, doms in recs:
            if since <= ts < until:
                for d, v in doms:
                    if d not in count:
                        count[d] = 0
                        first[d] = len(first)
                    count[d] += v
        order = sorted(count, key=lambda d: (-count[d], first[d]))[:limit]
        return [{"Domain": d, "NumberOfRequests": count[d]} for d in order]

    # ---- a seed ----

    def stores(self):
        r = self.rng
        bbs = r.sample(BLOCK_BYTES, 2)
        out = [{"AGGR_CLUSTER": "0", "AGGR_BLOCK_BYTES": str(r.choice(BLOCK_BYTES))}]
        for bb in bbs:
            out.append({"AGGR_BLOCK_BYTES": str(bb)})
            out.append({"AGGR_CLUSTER": str(r.choice([1, 2])), "AGGR_BLOCK_BYTES": str(bb)})
        return out

    def ingest(self, env, d, kind, lines, cuts):
        prev = 0
        for c in cuts + [len(lines)]:
            if c > prev:
                self.aggr(env, ["-d", d, "ingest", kind], ("\n".join(lines[prev:c]) + "\n").encode())
            prev = c

    def run(self):
        r = self.rng
        crecs, chours = self.make_counters()
        clines = [json.dumps(dict([("timestamp", ts)] + doms), ensure_ascii=False) for ts, doms in crecs]
        srecs, users, shours = self.make_sessions()
        ccuts = sorted(r.sample(range(1, len(clines)), r.randint(0, 3)))
        scuts = sorted(r.sample(range(1, len(srecs)), r.randint(0, 3)))
        stores = self.stores()
        # the times queries are taken at: minute and hour ends in the data's span
        span0, span1 = T0 - 3 * 3600, T0 + chours * 3600 + 60
        ats = sorted(set([r.randrange(span0, span1) for _ in range(6)] +
                         [T0 + h * 3600 for h in range(0, chours + 1)]))
        sats = [iso(r.randrange(T0 - 3 * 3600, T0 + (shours + 3) * 3600)) for _ in range(4)]
        ref_sessions = None
        for i, env in enumerate(stores):
            d = os.path.join(self.tmp, "s%d" % i)
            self.ingest(env, d, "counters", clines, ccuts)
            self.ingest(env, d, "sessions", srecs, scuts)
            for at in ats:
                for unit, secs in (("--minute", 60), ("--hour", 3600)):
                    until = at // secs * secs
                    want = self.top(crecs, until - secs, until, 50)
                    got = json.loads(self.aggr(env, ["-d", d, "top", unit, "--at", str(at), "-n", "50"]))
                    if got != want:
                        self.fail("top %s --at %d:\n  got  %s\n  want %s" % (unit, at, got, want))
            # hours of a zone with a whole-hour offset are UTC hours too
            for at in ats[:3]:
                until = at // 3600 * 3600
                want = self.top(crecs, until - 3600, until, 50)
                got = json.loads(self.aggr(env, ["-d", d, "top", "--hour", "--at", str(at), "--tz",
                                                 "Europe/Berlin", "-n", "50"]))
                if got != want:
                    self.fail("top --hour --tz Europe/Berlin --at %d:\n  got  %s\n  want %s" % (at, got, want))
            # cat: each UTC hour's records in arrival order
            stored = [json.loads(l, object_pairs_hook=list) for l in
                      self.aggr(env, ["-d", d, "cat", "counters"]).splitlines()]
            got_by, want_by = {}, {}
            for rec in stored:
                got_by.setdefault(rec[0][1] // 3600, []).append(rec)
            for ts, doms in crecs:
                want_by.setdefault(ts // 3600, []).append([("timestamp", ts)] + list(doms))
            if got_by != want_by:
                bad = min(h for h in set(got_by) | set(want_by) if got_by.get(h) != want_by.get(h))
                g, w = got_by.get(bad, []), want_by.get(bad, [])
                j = next((j for j in range(min(len(g), len(w))) if g[j] != w[j]), min(len(g), len(w)))
                self.fail("cat counters: hour %s not in arrival order: its record %d is\n  got  %s\n  want %s"
                          % (iso(bad * 3600), j, g[j] if j < len(g) else "(none)", w[j] if j < len(w) else "(none)"))
            out = []
            for u in users:
                out.append(self.aggr(env, ["-d", d, "sessions", "--user", u, "-n", "100"]))
                out.append(self.aggr(env, ["-d", d, "--format", "tsv", "sessions", "--user", u, "-n", "100"]))
            for at in sats:
                for days in ("0", "1"):
                    out.append(self.aggr(env, ["-d", d, "sessions", "--starts", "--days", days, "--at", at]))
            if ref_sessions is None:
                ref_sessions = out
            elif out != ref_sessions:
                k = min(j for j in range(len(out)) if out[j] != ref_sessions[j])
                self.fail("sessions query %d differs from the AGGR_CLUSTER=0 store:\n  got  %s\n  want %s"
                          % (k, out[k].strip(), ref_sessions[k].strip()))
        self.desc = "%d counters over %d h, %d session events, stores %s" % (
            len(clines), chours, len(srecs),
            " ".join("/".join("%s" % v for v in s.values()) for s in stores))


def main(argv):
    a = common.parse(NAME, argv[1:], seconds=300.0)
    if not AGGR:
        common.aggr_bin(NAME)
        return 1

    def one(seed):
        r = Runner(seed)
        try:
            r.run()
            print("ok seed %d: %s, %d commands" % (seed, r.desc, r.invocations))
            return True
        except Failure as e:
            print("not ok %s" % e)
            print(common.again(argv[0], seed))
            return False
        finally:
            r.close()

    return common.run(NAME, a, FIXED_SEEDS, one)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
