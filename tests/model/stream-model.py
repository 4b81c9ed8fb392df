#!/usr/bin/env python3
"""Model-based random test of event streams (issue 12, "Tests that would
have found these").

It drives the aggr binary named by $AGGR_BIN with random steps: stream
publish (several events per run, as JSON lines, a JSON array, pretty-printed
documents or gzip; runs with an invalid event; empty runs; a second producer
that must get exit 5), stream consume, ack (the next unacknowledged event,
any other, unknown and expired ids), seek, consumers, list, aggr cat, check,
retain --set with small segments while AGGR_NOW advances, retain,
retain --older-than and compact (publish applies retention on its way
out, as retain does). A small reference model inside this script
predicts every command's exact stdout, stderr and exit status, and every
step is compared. The first difference ends the seed and prints the seed,
the step and the command, with the line that replays it.

What the model takes as correct, where aggr(1) leaves room:
  - An expired event (ingested longer ago than the stream's retention) is
    gone for every reader at once, as for cat: consume, ack, seek, consumers
    and list see only the events cat prints (issue 13, the retention case).
  - A position is (acknowledged count, next offset). ack adds one to the
    count and moves past the event; seek sets the count to the number of
    live events of the name before the new position. Both count only live
    events, as does "behind".
  - With AGGR_SEGMENT_BYTES=1 every run has segments of its own, so retain
    deletes exactly the runs ingested before the cutoff (oldest first). With
    larger segments the model does not know segment boundaries, so such
    seeds never lengthen a retention and never use --older-than: then what
    is visible is exactly what has not expired.

AGGR_MODEL_SKIP_RETENTION=1 (the default is 0 since streams read through
log_read_from): issue 13's old bug, "consume shows events that retention
expired; cat and consume disagree", is avoided:
every clock step is followed at once by `aggr retain`, so no expired event
is ever left undeleted, and segments are always 1 byte. Set it to 0 to test
the correct behaviour; remove the default once the fix lands.

usage: stream-model.py [--seed N] [--seeds K] [--steps N] [--soak [S]]
                       [--seconds S] [-v] [--stats] [--keep]
(the options but --stats and --keep are tests/model/common.py's; the
fixed seeds are 1..6)
Ends with "stream-model: N passed, M failed" (one per seed).
"""
import gzip
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

NAME = "stream-model"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
SAN_RE = re.compile(rb"AddressSanitizer|runtime error:|LeakSanitizer|ThreadSanitizer")

STREAMS = ["s1", "s2"]
PRODUCERS = ["p1", "p1", "p2"]
CONSUMERS = ["c1", "c2", "c3"]
# event names: plain, one with a space and a non-ASCII letter, one with a
# quote and a backslash (stored as a JSON literal, file names encoded)
EVENT_NAMES = ["GdriveSync", "Other", "Ev \u00e9", 'q"t\\x']
NEVER_NAME = "Nope"                     # never published
ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"]
def nosuch(s, eid):
    """ack/seek of an id the stream does not hold; with a retention the
    message says it may have expired"""
    why = " (never published, or removed by the stream's retention)" if s.retention else ""
    return "aggr: stream: no such event in stream %s: %s%s\n" % (s.name, eid, why)


# retention ages and their microseconds; "forever" is 0
AGES = {"90s": 90 * 10**6, "30m": 1800 * 10**6, "1h": 3600 * 10**6,
        "1.5h": 5400 * 10**6, "2d": 2 * 86400 * 10**6, "1w": 7 * 86400 * 10**6,
        "30d": 30 * 86400 * 10**6}
START_US = 1767225600 * 10**6           # 2026-01-01T00:00:00Z


class Failure(Exception):
    pass


def fmt_utc(us, fixed=False):
    """time_format_utc() of src/timefmt.c: seconds, the fraction without
    trailing zeros, Z; fixed: time_format_utc6(), always six digits, as
    aggr prints the instants it makes (movedAt, ingest times)."""
    secs, frac = divmod(us, 10**6)
    days, rem = divmod(secs, 86400)
    # civil from days (Howard Hinnant), as timefmt.c
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    y += m <= 2
    s = "%04d-%02d-%02dT%02d:%02d:%02d" % (y, m, d, rem // 3600, rem // 60 % 60, rem % 60)
    if fixed:
        s += ".%06d" % frac
    elif frac:
        s += "." + ("%06d" % frac).rstrip("0")
    return s + "Z"


def jstr(s):
    """A string as json_write_str() writes it (UTF-8 as is)."""
    return json.dumps(s, ensure_ascii=False)


class Event:
    __slots__ = ("id", "offset", "name", "body", "ingest", "deleted")

    def __init__(self, eid, offset, name, body, ingest):
        self.id, self.offset, self.name, self.body, self.ingest = eid, offset, name, body, ingest
        self.deleted = False

    def stored(self):
        return '{"eventId":"%s","offset":%d,%s' % (self.id, self.offset, self.body[1:])

    def consumed(self):
        return '{"eventId":"%s",%s' % (self.id, self.body[1:])


class Stream:
    def __init__(self, name):
        self.name = name
        self.exists = False
        self.owner = None
        self.events = []           # every committed event, deleted or not
        self.next_offset = 0
        self.retention = 0         # microseconds, 0: forever
        self.pos = {}              # (consumer, event name) -> [acked, next, movedAt]


class Model:
    def __init__(self, rnd, seg_bytes):
        self.rnd = rnd
        self.now = START_US
        self.seg_bytes = seg_bytes
        self.streams = {n: Stream(n) for n in STREAMS}
        self.ids = set()

    def expired(self, s, e):
        return s.retention > 0 and e.ingest < self.now - s.retention

    def live(self, s):
        return [e for e in s.events if not e.deleted and not self.expired(s, e)]

    def delete_before(self, s, cutoff):
        """retain: the oldest runs ingested before cutoff go (every run has
        segments of its own when seg_bytes is 1; else deleted events were
        expired already, see the header)."""
        for e in s.events:
            if e.deleted:
                continue
            if e.ingest >= cutoff:
                break
            if self.seg_bytes == 1:
                e.deleted = True


# ---- random documents ----

def rand_str(rnd, n=8):
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 -_/.:\u00e9\u00df\u4e2d\U0001f600\"\\\n\t"
    return "".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, n)))


def rand_value(rnd, depth=0):
    k = rnd.randrange(9 if depth < 2 else 6)
    if k == 0:
        return rnd.randint(-10**12, 10**12)
    if k == 1:
        return rnd.choice([0.5, -3.25, 1.125, 100.0])
    if k == 2:
        return rand_str(rnd)
    if k == 3:
        return rnd.choice([True, False])
    if k == 4:
        return None
    if k == 5:
        return rnd.randint(0, 9)
    if k in (6, 7):
        return {rand_key(rnd, i): rand_value(rnd, depth + 1) for i in range(rnd.randint(0, 3))}
    return [rand_value(rnd, depth + 1) for _ in range(rnd.randint(0, 3))]


def rand_key(rnd, i):
    return rnd.choice(["foo", "k", "x\u00e9", "n%d" % i, "a b"]) + str(i)


def shuffled(rnd, pairs):
    pairs = list(pairs)
    rnd.shuffle(pairs)
    return dict(pairs)


def rand_event(rnd):
    """(input document as a dict, the stored body without eventId/offset)."""
    name = rnd.choice(EVENT_NAMES)
    version = rnd.randint(1, 5)
    sid, sname, ttype, tname = rand_str(rnd), rand_str(rnd), rand_str(rnd), rand_str(rnd)
    y, mo, d = rnd.randint(1990, 2030), rnd.randint(1, 12), rnd.randint(1, 28)
    stime = "%04d-%02d-%02d %02d:%02d:%02d" % (y, mo, d, rnd.randint(0, 23), rnd.randint(0, 59),
                                             rnd.randint(0, 59))
    zone = rnd.choice(ZONES)
    payload = {rand_key(rnd, i): rand_value(rnd) for i in range(rnd.randint(0, 4))}
    doc = shuffled(rnd, [
        ("event", shuffled(rnd, [("name", name), ("version", version)])),
        ("system", shuffled(rnd, [("id", sid), ("name", sname), ("time", stime), ("timezone", zone)])),
        ("trigger", shuffled(rnd, [("type", ttype), ("name", tname)])),
        ("payload", payload),
    ])
    return doc, name


def body_of(doc, ascii_payload):
    """The stored form: the fixed members in their order, strings as
    json_write_str writes them, the payload as given without whitespace."""
    e, s, t = doc["event"], doc["system"], doc["trigger"]
    return ('{"event":{"name":%s,"version":%d},"system":{"id":%s,"name":%s,"time":%s,"timezone":%s},'
            '"trigger":{"type":%s,"name":%s},"payload":%s}' % (
                jstr(e["name"]), e["version"], jstr(s["id"]), jstr(s["name"]), jstr(s["time"]),
                jstr(s["timezone"]), jstr(t["type"]), jstr(t["name"]),
                json.dumps(doc["payload"], ensure_ascii=ascii_payload, separators=(",", ":"))))


def encode_input(rnd, docs, ascii_out):
    """The publish input, in one of the forms publish reads."""
    form = rnd.choice(["lines", "lines", "array", "pretty", "gzip"])
    if form == "array":
        text = json.dumps(docs, ensure_ascii=ascii_out, separators=(",", ":")) + "\n"
    elif form == "pretty":
        text = "".join(json.dumps(d, ensure_ascii=ascii_out, indent=2) + "\n" for d in docs)
    else:
        text = "".join(json.dumps(d, ensure_ascii=ascii_out, separators=(",", ":")) + "\n" for d in docs)
    data = text.encode()
    if form == "gzip":
        data = gzip.compress(data)
    return data, form


# ---- running aggr ----

class Runner:
    def __init__(self, aggr, work, seg_bytes, block_bytes, verbose):
        self.aggr, self.work, self.verbose = aggr, work, verbose
        self.data = os.path.join(work, "data")
        self.base_env = {
            "PATH": "/usr/bin:/bin", "HOME": os.path.join(work, "home"), "LC_ALL": "C.UTF-8",
            "TZ": "UTC", "AGGR_DIR": self.data, "AGGR_SEGMENT_BYTES": str(seg_bytes),
            "AGGR_BLOCK_BYTES": str(block_bytes),
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.base_env[k] = os.environ[k]
        # an existing, empty data directory: readers on one that is not
        # there exit 4 (tests/cli/rough.t), which is not this model's matter
        os.makedirs(self.data, exist_ok=True)
        self.commands = 0
        self.stats = {}

    def run(self, now, args, stdin=b""):
        env = dict(self.base_env, AGGR_NOW=fmt_utc(now))
        self.commands += 1
        if self.verbose:
            print("  $ AGGR_NOW=%s aggr %s" % (env["AGGR_NOW"], " ".join(shq(a) for a in args)))
        p = subprocess.run([self.aggr] + args, input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=env, cwd=self.work)
        if p.returncode < 0 or p.returncode > 128 or SAN_RE.search(p.stderr):
            raise Failure("crashed (status %d)\n%s" % (p.returncode, p.stderr.decode("utf-8", "replace")))
        key = " ".join(args[:2] if args[0] == "stream" else args[:1]) + " [%d]%s" % (
            p.returncode, " out" if len(p.stdout) > 3 else "")
        self.stats[key] = self.stats.get(key, 0) + 1
        if self.verbose:
            print("    [%d] %d bytes out%s" % (p.returncode, len(p.stdout),
                                            ", err: " + p.stderr.decode("utf-8", "replace").strip()
                                            if p.stderr else ""))
        try:
            return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")
        except UnicodeDecodeError:
            raise Failure("output is not UTF-8: %r / %r" % (p.stdout[:200], p.stderr[:200]))


def shq(a):
    return a if re.match(r"^[A-Za-z0-9_./=:,+-]+$", a) else "'" + a.replace("'", "'\\''") + "'"


def expect(got, rc, out="", err=""):
    grc, gout, gerr = got
    if (grc, gout, gerr) != (rc, out, err):
        raise Failure("expected exit %d\n  stdout %r\n  stderr %r\ngot exit %d\n  stdout %r\n  stderr %r" % (
            rc, out, err, grc, gout, gerr))


# ---- the steps ----

class Test:
    def __init__(self, seed, nsteps, aggr, skip_retention, verbose, keep):
        self.seed, self.nsteps, self.aggr = seed, nsteps, aggr
        self.rnd = random.Random(seed)
        self.skip = skip_retention
        # with the known retention bug avoided, segments are always 1 byte
        self.seg_bytes = 1 if skip_retention else self.rnd.choice([1, 1, 600, 5000])
        self.block_bytes = self.rnd.choice([64, 64, 400, 2000, 131072])
        self.m = Model(self.rnd, self.seg_bytes)
        self.verbose, self.keep = verbose, keep
        self.step = 0
        self.last = ""

    def aggr_run(self, args, stdin=b""):
        self.last = "AGGR_NOW=%s aggr %s" % (fmt_utc(self.m.now), " ".join(shq(a) for a in args))
        return self.r.run(self.m.now, args, stdin)

    def pick_stream(self):
        # mostly a stream that exists; sometimes one that may not
        ex = [s for s in self.m.streams.values() if s.exists]
        if ex and self.rnd.random() < 0.9:
            return self.rnd.choice(ex)
        return self.m.streams[self.rnd.choice(STREAMS)]

    def no_stream(self, s):
        return 4, "", "aggr: stream: no such stream: %s\n" % s.name

    # publish: a run of valid events, a run with one invalid event, an
    # empty run, or a producer that does not own the stream
    def st_publish(self):
        m, rnd = self.m, self.rnd
        s = m.streams[rnd.choice(STREAMS)]
        # mostly the owner; sometimes the other one, who must be refused
        prod = s.owner if s.owner and rnd.random() < 0.85 else rnd.choice(PRODUCERS)
        kind = rnd.choices(["ok", "bad", "empty"], [12, 2, 1])[0]
        n = rnd.choice([1, 1, 2, 3, 4, 6, 12, 30]) if kind != "empty" else 0
        docs = [rand_event(rnd) for _ in range(n)]
        ascii_out = rnd.random() < 0.3
        bad_at = None
        if kind == "bad":
            bad_at = rnd.randrange(n)
            docs[bad_at][0]["event"]["version"] = 0
            data = "".join(json.dumps(d, ensure_ascii=ascii_out, separators=(",", ":")) + "\n"
                           for d, _ in docs).encode()
        else:
            data, _ = encode_input(rnd, [d for d, _ in docs], ascii_out)
        got = self.aggr_run(["stream", "publish", s.name, "--producer", prod], data)
        if s.exists and s.owner is not None and s.owner != prod:
            return expect(got, 5, "", "aggr: stream: locked: second writers not allowed: "
                          "stream %s is owned by producer %s\n" % (s.name, s.owner))
        if kind == "bad":
            return expect(got, 3, "", "aggr: stream: <stdin>:%d: event.version: must be at least 1\n"
                          % (bad_at + 1))
        rc, out, err = got
        if rc != 0 or err:
            expect(got, 0, "<%d ids>" % n)
        ids = out.split("\n")
        if ids[-1] != "" or len(ids) - 1 != n:
            raise Failure("publish printed %r, expected %d ids" % (out, n))
        for eid in ids[:-1]:
            if not UUID_RE.match(eid) or eid in m.ids:
                raise Failure("publish printed a bad or repeated id: %r" % eid)
            m.ids.add(eid)
        for eid, (doc, name) in zip(ids, docs):
            s.events.append(Event(eid, s.next_offset, name, body_of(doc, ascii_out), m.now))
            s.next_offset += 1
        if n:
            s.exists = True
            if s.owner is None:
                s.owner = prod
            # a publish that stored events applies the stream's retention
            # on its way out, as retain does
            if s.retention:
                m.delete_before(s, m.now - s.retention)
        self.verify_cat(s)

    def st_consume(self):
        m, rnd = self.m, self.rnd
        s = self.pick_stream()
        c = rnd.choice(CONSUMERS)
        name = rnd.choice(EVENT_NAMES + [NEVER_NAME])
        limit = rnd.choice([1, 1, 2, 3, 5, 8, 100])
        nd = rnd.random() < 0.3
        args = ["stream", "consume", s.name, "--consumer", c, "--event-name", name, "--limit", str(limit)]
        if nd:
            args += ["--format", "ndjson"]
        got = self.aggr_run(args)
        if not s.exists:
            return expect(got, *self.no_stream(s))
        nxt = s.pos.get((c, name), [0, 0, ""])[1]
        # a stored position before the first event retention kept moves
        # there, with a warning counting the offsets skipped; one at 0
        # (seek --to earliest) follows the first retained event silently
        live = m.live(s)
        first = live[0].offset if live else s.next_offset
        err = ""
        if (c, name) in s.pos and 0 < nxt < first:
            err = ("aggr: stream: consume: consumer %s of %s (event name %s) was at offset %d, before the "
                   "first retained offset %d: skipped %d event%s\n" % (c, s.name, name, nxt, first, first - nxt,
                                                                      "" if first - nxt == 1 else "s"))
            s.pos[(c, name)] = [s.pos[(c, name)][0], first, fmt_utc(m.now, True)]
            nxt = first
        evs = [e for e in live if e.name == name and e.offset >= nxt][:limit]
        if nd:
            out = "".join(e.consumed() + "\n" for e in evs)
        else:
            out = "[" + ",".join(e.consumed() for e in evs) + "]\n"
        expect(got, 0, out, err)

    def st_ack(self):
        m, rnd = self.m, self.rnd
        s = self.pick_stream()
        c = rnd.choice(CONSUMERS)
        live = m.live(s) if s.exists else []
        gone = [e for e in s.events if e not in live]
        kind = rnd.choices(["next", "live", "gone", "unknown", "bad"], [10, 5, 3 if gone else 0, 1, 0.3])[0]
        if kind == "next" and live:
            # the next unacknowledged event of some name, for this consumer
            names = sorted({e.name for e in live})
            rnd.shuffle(names)
            target = None
            for nm in names:
                nxt = s.pos.get((c, nm), [0, 0, ""])[1]
                cand = [e for e in live if e.name == nm and e.offset >= nxt]
                if cand:
                    target = cand[0].id
                    break
            if target is None:
                target = rnd.choice(live).id
        elif kind in ("next", "live") and live:
            target = rnd.choice(live).id
        elif kind == "gone":
            target = rnd.choice(gone).id
        elif kind == "bad":
            target = rnd.choice(["not-an-id", "1234"])
        else:
            target = "%08x-%04x-4%03x-%x%03x-%012x" % (rnd.getrandbits(32), rnd.getrandbits(16),
                                                      rnd.getrandbits(12), 8 + rnd.getrandbits(2),
                                                      rnd.getrandbits(12), rnd.getrandbits(48))
        got = self.aggr_run(["stream", "ack", s.name, target, "--consumer", c])
        if kind == "bad":
            return expect(got, 2, "", "aggr: stream: not an event id: %s\nTry 'aggr help stream'.\n" % target)
        if not s.exists:
            return expect(got, *self.no_stream(s))
        ev = next((e for e in live if e.id == target), None)
        if ev is None:
            return expect(got, 4, "", nosuch(s, target))
        acked, nxt, _ = s.pos.get((c, ev.name), [0, 0, ""])
        named = [e for e in live if e.name == ev.name]
        if ev.offset >= nxt and not [e for e in named if nxt <= e.offset < ev.offset]:
            s.pos[(c, ev.name)] = [acked + 1, ev.offset + 1, fmt_utc(m.now, True)]
            return expect(got, 0)
        if ev.offset >= nxt:
            given = acked + len([e for e in named if nxt <= e.offset <= ev.offset])
        else:
            given = max(acked - len([e for e in named if ev.offset < e.offset < nxt]), 0)
        expect(got, 5, "", "aggr: stream: consumer offset mismatch: %d->%d\n" % (acked + 1, given))

    def st_seek(self):
        m, rnd = self.m, self.rnd
        s = self.pick_stream()
        c = rnd.choice(CONSUMERS)
        name = rnd.choice(EVENT_NAMES + [NEVER_NAME])
        live = m.live(s) if s.exists else []
        gone = [e for e in s.events if e not in live]
        kind = rnd.choices(["earliest", "latest", "id", "other", "gone"],
                           [2, 2, 5, 1, 1 if gone else 0])[0]
        ev = None
        if kind in ("earliest", "latest"):
            to = kind
        else:
            pool = {"id": [e for e in live if e.name == name], "other": [e for e in live if e.name != name],
                    "gone": gone}[kind] or live or s.events
            if not pool:
                to, kind = "earliest", "earliest"
            else:
                ev = rnd.choice(pool)
                to = ev.id
        got = self.aggr_run(["stream", "seek", s.name, "--consumer", c, "--event-name", name, "--to", to])
        if not s.exists:
            return expect(got, *self.no_stream(s))
        if ev is not None:
            if ev not in live:
                return expect(got, 4, "", nosuch(s, ev.id))
            if ev.name != name:
                return expect(got, 4, "", "aggr: stream: no event named %s in stream %s: %s\n"
                              % (name, s.name, ev.id))
        nxt = 0 if to == "earliest" else s.next_offset if to == "latest" else ev.offset
        acked = len([e for e in live if e.name == name and e.offset < nxt])
        s.pos[(c, name)] = [acked, nxt, fmt_utc(m.now, True)]
        expect(got, 0)

    def st_consumers(self, s=None, nd=None):
        m, rnd = self.m, self.rnd
        s = s or self.pick_stream()
        nd = rnd.random() < 0.3 if nd is None else nd
        args = ["stream", "consumers", s.name] + (["--format", "ndjson"] if nd else [])
        got = self.aggr_run(args)
        if not s.exists:
            return expect(got, *self.no_stream(s))
        live = m.live(s)
        rows = []
        for (c, name) in sorted(s.pos, key=lambda k: (k[0].encode(), k[1].encode())):
            acked, nxt, moved = s.pos[(c, name)]
            behind = len([e for e in live if e.name == name and e.offset >= nxt])
            total = acked + behind
            pct = "%.2f" % (100.0 * acked / total if total else 100.0)
            rows.append('{"consumerId":%s,"offset":%d,"movedAt":%s,"eventName":%s,'
                        '"consumedPercentage":%s,"behind":%d}' % (jstr(c), acked, jstr(moved), jstr(name),
                                                                   pct, behind))
        out = "".join(r + "\n" for r in rows) if nd else "[" + ",".join(rows) + "]\n"
        expect(got, 0, out)

    def st_list(self):
        m = self.m
        got = self.aggr_run(["stream", "list"])
        rows = []
        for name in sorted(STREAMS):
            s = m.streams[name]
            if not s.exists:
                continue
            live = m.live(s)
            first = jstr(fmt_utc(min(e.ingest for e in live), True)) if live else "null"
            last = jstr(fmt_utc(max(e.ingest for e in live), True)) if live else "null"
            rows.append('{"stream":%s,"owner":%s,"events":%d,"firstPublished":%s,"lastPublished":%s}' % (
                jstr(name), jstr(s.owner), len(live), first, last))
        expect(got, 0, "[" + ",".join(rows) + "]\n")

    def verify_cat(self, s):
        got = self.aggr_run(["cat", "streams/" + s.name])
        if not s.exists:
            return expect(got, 4, "", "aggr: cat: streams/%s: no such stream\n" % s.name)
        expect(got, 0, "".join(e.stored() + "\n" for e in self.m.live(s)))

    def st_cat(self):
        self.verify_cat(self.pick_stream())

    def st_check(self):
        s = self.pick_stream()
        if not s.exists:
            return
        expect(self.aggr_run(["check", "streams/" + s.name]), 0)

    def st_advance(self):
        m, rnd = self.m, self.rnd
        edge = [e.ingest + s.retention for s in m.streams.values() if s.retention
                for e in m.live(s) if e.ingest + s.retention >= m.now]
        if edge and rnd.random() < 0.25:
            # to the last microsecond of an event's life, or just past it
            m.now = min(edge) + rnd.choice([0, 1])
            if self.skip:
                self.retain_all()
            return
        m.now += rnd.choices([
            rnd.randint(0, 59) * 10**6 + rnd.choice([0, 0, rnd.randint(1, 999999)]),
            rnd.randint(1, 120) * 60 * 10**6,
            rnd.randint(1, 48) * 3600 * 10**6,
            rnd.randint(1, 10) * 86400 * 10**6,
        ], [5, 3, 2, 1])[0]
        if self.skip:
            self.retain_all()

    def retain_all(self):
        expect(self.aggr_run(["retain"]), 0)
        for s in self.m.streams.values():
            if s.exists and s.retention:
                self.m.delete_before(s, self.m.now - s.retention)

    def st_retain_set(self):
        m, rnd = self.m, self.rnd
        ex = [s for s in m.streams.values() if s.exists]
        if not ex:
            return
        s = rnd.choice(ex)
        ages = list(AGES) + ["forever"]
        if self.seg_bytes != 1 and s.retention:
            # the model cannot follow segment boundaries: never lengthen
            ages = [a for a in AGES if AGES[a] <= s.retention]
        age = rnd.choice(ages)
        got = self.aggr_run(["retain", "streams/" + s.name, "--set", age])
        s.retention = AGES.get(age, 0)
        if s.retention:
            m.delete_before(s, m.now - s.retention)
        expect(got, 0)
        self.verify_cat(s)

    def st_retain(self):
        m, rnd = self.m, self.rnd
        ex = [s for s in m.streams.values() if s.exists]
        if not ex:
            return
        k = rnd.randrange(3 if self.seg_bytes == 1 else 2)
        if k == 0:
            self.retain_all()
        elif k == 1:
            s = rnd.choice(ex)
            expect(self.aggr_run(["retain", "streams/" + s.name]), 0)
            if s.retention:
                m.delete_before(s, m.now - s.retention)
        else:
            s = rnd.choice(ex)
            age = rnd.choice(list(AGES))
            expect(self.aggr_run(["retain", "streams/" + s.name, "--older-than", age]), 0)
            m.delete_before(s, m.now - AGES[age])
        self.verify_cat(rnd.choice(ex))

    def st_compact(self):
        ex = [s for s in self.m.streams.values() if s.exists]
        if not ex:
            return
        if self.rnd.random() < 0.5:
            expect(self.aggr_run(["compact"]), 0)
        else:
            expect(self.aggr_run(["compact", "streams/" + self.rnd.choice(ex).name]), 0)
        self.verify_cat(self.rnd.choice(ex))

    STEPS = [("publish", 14), ("consume", 16), ("ack", 18), ("seek", 5), ("consumers", 6), ("list", 2),
             ("cat", 3), ("check", 1), ("advance", 7), ("retain_set", 3), ("retain", 3), ("compact", 1)]

    def run(self):
        # a tmpfs when there is one: fsync costs nothing there, and this
        # test is about answers, not durability
        shm = "/dev/shm" if os.access("/dev/shm", os.W_OK | os.X_OK) else None
        work = tempfile.mkdtemp(prefix="aggr-stream-model.", dir=shm)
        self.r = Runner(self.aggr, work, self.seg_bytes, self.block_bytes, self.verbose)
        names, weights = zip(*self.STEPS)
        ok = False
        try:
            for self.step in range(1, self.nsteps + 1):
                what = self.rnd.choices(names, weights)[0]
                if self.verbose:
                    print("step %d: %s" % (self.step, what))
                getattr(self, "st_" + what)()
            # the end state, every stream
            for s in self.m.streams.values():
                self.verify_cat(s)
                if s.exists:
                    self.st_consumers(s, False)
            ok = True
        except Failure as f:
            print("not ok %s: seed %d step %d (AGGR_SEGMENT_BYTES=%d AGGR_BLOCK_BYTES=%d, retention %s): %s\n%s"
                  % (NAME, self.seed, self.step, self.seg_bytes, self.block_bytes,
                     "skipped" if self.skip else "on", self.last, f))
            print("  replay: AGGR_MODEL_SKIP_RETENTION=%d python3 %s --seed %d --steps %d -v --keep"
                  % (self.skip, sys.argv[0], self.seed, self.step))
        finally:
            if self.keep:
                print("  data directory kept: %s/data" % work)
            else:
                shutil.rmtree(work, ignore_errors=True)
        return ok


def main(argv):
    a = common.parse(NAME, argv, seconds=120.0, extra=[
        (["--stats"], dict(action="store_true", help="count commands by exit status")),
        (["--keep"], dict(action="store_true", help="keep the data directories"))])
    aggr = common.aggr_bin(NAME)
    if not aggr:
        return 1
    skip = os.environ.get("AGGR_MODEL_SKIP_RETENTION", "0") != "0"
    steps = a.steps or (400 if a.soak else 150)
    nsteps = ncmd = 0
    stats = {}
    t0 = time.time()

    def one(seed):
        nonlocal nsteps, ncmd
        t = Test(seed, steps, aggr, skip, a.verbose, a.keep)
        ok = t.run()
        nsteps += t.step
        ncmd += t.r.commands
        for k, v in t.r.stats.items():
            stats[k] = stats.get(k, 0) + v
        return ok

    def summary(passed, failed):
        if a.stats:
            for k in sorted(stats):
                print("  %6d %s" % (stats[k], k))
        print("%s: %d seeds, %d steps, %d commands, retention %s, %.1f s" % (
            NAME, passed + failed, nsteps, ncmd, "skipped (AGGR_MODEL_SKIP_RETENTION)" if skip else "on",
            time.time() - t0))

    return common.run(NAME, a, range(1, 7), one, summary)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
