#!/usr/bin/env python3
"""Corruption sweep (issue 12): many damaged data directories x every
command. Run by tests/crash/corruption-sweep.sh.

For each kind (flows, counters, events, sessions, streams/s) it builds one
pristine data directory from tests/seed-data and small generated input,
with small blocks and segments so that every log has several segments of
several blocks. Then, for each damage (truncated segments, bytes flipped in
a block's header, body and trailer at the first, middle and last block,
.idx and MANIFEST deleted, truncated, zeroed or garbage, state files
damaged, files replaced by directories or symlinks, blocks forged with
valid CRCs around bad records, ...), it copies the pristine directory,
damages the copy and runs every command on it: the kind's queries, cat,
info, check (readers, on one copy, which must leave every file as it was),
then each writer on a fresh copy: check --repair followed by check, an
ingest or publish of one more record, compact, retain, purge, and for
streams and events their writers.

Every command must: exit with a documented status (0 to 8; never a signal,
never over 128, never a sanitizer report, never hang), print valid UTF-8 on
stdout and stderr, and start every stderr line with "aggr: ". After a
check --repair that exits 0, check must exit 0 too; after a write of one
new record that exits 0, cat must print one record more than before.
Outputs are not compared: this is a robustness sweep.

Known defects are listed in KNOWN below, each naming the defect: a
failure that matches an entry is reported as known, not failed, and an
entry that no longer matches anything is reported so that it can be
removed once the fix lands.

usage: corruption-sweep.py [-v] [--kind K] [--damage GLOB] [--keep]
Ends with "corruption-sweep: N passed, M failed" (N and M count commands
run on damaged directories, and the checks on their files).
"""
import argparse
import fnmatch
import gzip
import hashlib
import json
import os
import re
import shutil
import stat
import struct
import subprocess
import sys
import tempfile
import time
import zlib

NAME = "corruption-sweep"
HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "seed-data")
NOW = "2022-01-15T22:00:00Z"
SAN_RE = re.compile(rb"AddressSanitizer|runtime error:|LeakSanitizer")
IS_ROOT = os.geteuid() == 0

# ---- known failures ----
# Defects this sweep found that are not fixed yet, each as (kind globs,
# damage globs, command globs, defect, build): a failure matching all three
# is counted as known, not failed. build "san": only the sanitizer build
# sees it. Remove an entry when its fix lands: the sweep names each entry
# that matched nothing. Reproductions are in the comments.
KNOWN = [
    # a block with good CRCs around a record with bytes \xc3\x28; aggr cat LOG
    (("flows", "counters", "sessions", "events", "streams/s"), ("forged-record-bad-utf8",), ("cat *",),
     "K2: cat prints stored records without validating them: invalid UTF-8 on stdout, "
     "and check says clean", None),
    (("events",), ("forged-record-bad-utf8",), ("events *", "compact *"),
     "K3: 'a stored record is not an event' quotes the record's raw bytes: invalid UTF-8 on stderr", None),
    # printf '\xff\xfe\xc3\x28 x\n' > DIR/flows/batches; aggr ingest flows --batch-id b f.json
    (("flows",), ("batches-garbage", "batches-bad-utf8-name"), ("*",),
     "K4: 'LOG/batches: bad line: ...' quotes the line's raw bytes: invalid UTF-8 on stderr", None),
]


def is_sanitized(aggr):
    with open(aggr, "rb") as f:
        return b"__asan_init" in f.read()


# ---- building the pristine stores ----

class Env:
    def __init__(self, aggr, work):
        self.aggr = aggr
        self.env = {"PATH": "/usr/bin:/bin", "HOME": os.path.join(work, "home"), "LC_ALL": "C.UTF-8",
                    "TZ": "UTC", "AGGR_NOW": NOW, "AGGR_BLOCK_BYTES": "300", "AGGR_SEGMENT_BYTES": "1500"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]

    def run(self, data, args, stdin=b"", timeout=20):
        """(status, stdout, stderr, None) or (None, ..., why) on a hang."""
        try:
            p = subprocess.run([self.aggr, "-d", data] + args, input=stdin, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, env=self.env, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            return None, e.stdout or b"", e.stderr or b"", "hung (killed after %d s)" % timeout
        return p.returncode, p.stdout, p.stderr, None

    def must(self, data, args, stdin=b""):
        rc, out, err, _ = self.run(data, args, stdin)
        if rc != 0:
            raise SystemExit("%s: building the stores: aggr %s: exit %s: %s" % (
                NAME, " ".join(args), rc, err.decode("utf-8", "replace")))
        return out.decode()


def lines(objs):
    return "".join(json.dumps(o, separators=(",", ":")) + "\n" for o in objs).encode()


def build_flows(e, d):
    e.must(d, ["ingest", "flows", "--batch-id", "seed", os.path.join(SEED, "000-flow-aggregation/test_data1.json")])
    for run, n in ((1, 40), (2, 40), (3, 12)):
        recs = [{"src_app": "app%d" % (i % 5), "dest_app": "d%d" % (i % 3), "vpc_id": "vpc-%d" % run,
                 "hour": i % 4, "bytes_tx": i * 10, "bytes_rx": i} for i in range(n)]
        e.must(d, ["ingest", "flows", "--batch-id", "b%d" % run], lines(recs))


def build_counters(e, d):
    with open(os.path.join(SEED, "001-domain-counter/db.json")) as f:
        seed = list(json.load(f).values())
    e.must(d, ["ingest", "counters"], lines(seed))
    for run, n in ((1, 60), (2, 60), (3, 60), (4, 20)):
        recs = [{"timestamp": 1642284000 - 60 * (i % 50), "d%d.example" % (i % 7): i + 1, "x%d.example" % i: run}
                for i in range(n)]
        e.must(d, ["ingest", "counters"], lines(recs))


def build_events(e, d):
    e.must(d, ["ingest", "events", os.path.join(SEED, "002-mongo-events/postrequest_tags.json")])
    runs = [[{"tags": ["t%d" % (i % 4), "run%d" % run], "start_epoch": 1642280000 + 100 * i + run}
             for i in range(30)] for run in (1, 2, 3)]
    e.must(d, ["ingest", "events"], lines(runs[0]))
    ids = [json.loads(l)["_id"] for l in e.must(d, ["cat", "events"]).splitlines()]
    e.must(d, ["events", "stop", ids[1], "--at", "1642285000"])
    e.must(d, ["events", "remove", "--id", ids[2], "--id", ids[20]])
    e.must(d, ["events", "add", "--tag", "late", "--start", "1642284500"])
    e.must(d, ["ingest", "events"], lines(runs[1]))
    e.must(d, ["ingest", "events"], lines(runs[2][:12]))
    return {"id": ids[3], "id2": ids[5]}


def build_sessions(e, d):
    e.must(d, ["ingest", "sessions", os.path.join(SEED, "004-user-sessions/readme_batch.json")])
    with open(os.path.join(SEED, "004-user-sessions/sample_user_data.jsonl"), "rb") as f:
        data = f.read().splitlines(True)
    for a, b in ((0, 30), (30, 60), (60, 70)):
        e.must(d, ["ingest", "sessions"], b"".join(data[a:b]))
    first = json.loads(data[0])
    return {"user": first["user_id"]}


def stream_event(i):
    return {"event": {"name": "GdriveSync" if i % 3 else "Other", "version": 1},
            "system": {"id": "alv%d" % i, "name": "Houston", "time": "2017-09-06 13:58:12",
                       "timezone": "Europe/Berlin"},
            "trigger": {"type": "system", "name": "/path/to/script.go"}, "payload": {"i": i, "s": "\u00e9"}}


def build_streams(e, d):
    with open(os.path.join(SEED, "003-event-streams/go-sibling/input/receive_event.json"), "rb") as f:
        ids = e.must(d, ["stream", "publish", "s", "--producer", "p1"], f.read()).split()
    for a, b in ((0, 12), (12, 24), (24, 28)):
        ids += e.must(d, ["stream", "publish", "s", "--producer", "p1"],
                      lines([stream_event(i) for i in range(a, b)])).split()
    e.must(d, ["stream", "ack", "s", ids[0], "--consumer", "c1"])
    e.must(d, ["stream", "ack", "s", ids[1], "--consumer", "c1"])
    e.must(d, ["stream", "seek", "s", "--consumer", "c2", "--event-name", "Other", "--to", ids[4]])
    return {"id": ids[2], "id2": ids[10]}


# kind: (log name, builder, readers, writers); commands get {LOG} and
# the builder's values. Readers share one damaged copy; each writer list
# runs on a fresh copy, in order.
ONE = {
    "flows": lines([{"src_app": "z", "dest_app": "y", "vpc_id": "v", "hour": 1, "bytes_tx": 1, "bytes_rx": 2}]),
    "counters": lines([{"timestamp": 1642284000, "one.example": 1}]),
    "events": lines([{"tags": ["one"], "start_epoch": 1642284000}]),
    "sessions": lines([{"user_id": "u1", "event": "start", "session_id": "s1", "ts": "2022-01-15T10:00:00",
                        "country": "DE"}]),
    "streams/s": lines([stream_event(99)]),
}
COMMON_READERS = [["cat", "{LOG}"], ["info", "{LOG}"], ["check", "{LOG}"]]
# info and check of the whole data directory, for damage to what they walk
DIR_READERS = [["info"], ["check"]]
DIR_DAMAGE = ("log-dir-*", "symlink-log-dir", "manifest-*", "lock-*", "consumers-dir-*", "seg-orphan")
KINDS = {
    "flows": (build_flows, [["flows", "--hour", "1"], ["flows", "--hour", "2", "--page", "2", "--size", "3"]],
              [[["ingest", "flows", "--batch-id", "b9"]], [["ingest", "flows", "--batch-id", "b1"]]]),
    "counters": (build_counters, [["top", "--hour", "--at", "2022-01-15T22:30:00Z"],
                                  ["top", "--minute", "--at", "2022-01-15T22:00:30Z", "-n", "3"]],
                 [[["ingest", "counters"]]]),
    "events": (build_events, [["events", "list"], ["events", "list", "--since", "1642280500", "--until",
                                                    "1642282000"], ["events", "list", "--tag", "t1"]],
               [[["ingest", "events"]],
                [["events", "add", "--tag", "z"], ["events", "stop", "{id}"], ["events", "remove", "--id", "{id2}"]],
                [["events", "remove", "--purge"]]]),
    "sessions": (build_sessions, [["sessions", "--user", "{user}"],
                                  ["sessions", "--starts", "--days", "2000", "--at", "2019-05-01T00:00:00Z"]],
                 [[["ingest", "sessions"]]]),
    "streams/s": (build_streams, [["stream", "consume", "s", "--consumer", "c1", "--event-name", "GdriveSync",
                                   "--limit", "5"],
                                  ["stream", "consume", "s", "--consumer", "c2", "--event-name", "Other",
                                   "--limit", "50", "--format", "ndjson"],
                                  ["stream", "consumers", "s"], ["stream", "list"]],
                  [[["stream", "publish", "s", "--producer", "p1"]],
                   # p2 does not own s: nothing changes, so the rest share the copy
                   [["stream", "publish", "s", "--producer", "p2"], ["stream", "ack", "s", "{id}", "--consumer", "c1"],
                    ["stream", "ack", "s", "{id2}", "--consumer", "c3"],
                    ["stream", "seek", "s", "--consumer", "c1", "--event-name", "GdriveSync", "--to", "earliest"],
                    ["stream", "seek", "s", "--consumer", "c3", "--event-name", "Other", "--to", "{id2}"]]]),
}
# writers that add exactly one record when they exit 0 (ingest of ONE[kind]
# with a new batch id or none, publish by the owner, events add)
ADDS_ONE = [["ingest", "flows", "--batch-id", "b9"], ["ingest", "counters"], ["ingest", "events"],
            ["ingest", "sessions"], ["stream", "publish", "s", "--producer", "p1"], ["events", "add", "--tag", "z"]]
COMMON_WRITERS = [
    [["check", "{LOG}", "--repair"], ["check", "{LOG}"], ["cat", "{LOG}"]],
    [["compact", "{LOG}"]],
    [["retain", "{LOG}", "--older-than", "1s"]],
    [["purge", "{LOG}"], ["cat", "{LOG}"]],
]


# ---- the files of a log ----

def segments(ld):
    return sorted(f for f in os.listdir(ld) if f.endswith(".jsonl.gz"))


def idx_of(seg):
    return seg[:-len(".jsonl.gz")] + ".idx"


def read(p):
    with open(p, "rb") as f:
        return f.read()


def write(p, data):
    with open(p, "wb") as f:
        f.write(data)


def blocks(ld, seg):
    """[(position, block_len)] of a segment's blocks, from its index."""
    idx = read(os.path.join(ld, idx_of(seg)))
    esize = struct.unpack_from("<I", idx, 12)[0]
    out = []
    for k in range(64, len(idx) - esize + 1, esize):
        pos, blen = struct.unpack_from("<QI", idx, k)
        out.append((pos, blen))
    return out


def pick3(xs):
    """[("first", x0), ("mid", x), ("last", xn)] (fewer when xs is short)."""
    if not xs:
        return []
    out = [("first", xs[0])]
    if len(xs) > 2:
        out.append(("mid", xs[len(xs) // 2]))
    if len(xs) > 1:
        out.append(("last", xs[-1]))
    return out


def flip(p, at, mask=0xff):
    data = bytearray(read(p))
    at = max(0, min(at, len(data) - 1))
    data[at] ^= mask
    write(p, bytes(data))


def truncate(p, n):
    with open(p, "r+b") as f:
        f.truncate(max(0, n))


def manifest_crc_fix(text):
    """MANIFEST text with its crc line recomputed."""
    body = text[:text.rindex(b"crc ")] if b"\ncrc " in text else text
    return body + b"crc %08x\n" % (zlib.crc32(body) & 0xffffffff)


def manifest_edit(ld, fn):
    p = os.path.join(ld, "MANIFEST")
    text = read(p)
    body = text[:text.rindex(b"crc ")]
    write(p, manifest_crc_fix(fn(body)))


def member(summary_fields, raw):
    """A block: gzip member with the AG FEXTRA summary (aggr-format(5))."""
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    cdata = comp.compress(raw) + comp.flush()
    blen = 68 + len(cdata) + 8
    flags, count, first, kmin, kmax, ingest = summary_fields
    pay = struct.pack("<BBHIIIQqqq", 1, flags, 0, blen, len(raw), count, first, kmin, kmax, ingest)
    pay += struct.pack("<I", zlib.crc32(pay) & 0xffffffff)
    hdr = bytes([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 255]) + struct.pack("<H", 56) + b"AG" + struct.pack("<H", 52)
    return hdr + pay + cdata + struct.pack("<II", zlib.crc32(raw) & 0xffffffff, len(raw) & 0xffffffff)


def forge_last_block(ld, mangle):
    """Rewrite the last block of the last segment with its records changed by
    mangle(list of lines) (same count), every CRC and the index entry made
    valid: damage that only a reader validating records can see."""
    seg = segments(ld)[-1]
    sp, ip = os.path.join(ld, seg), os.path.join(ld, idx_of(seg))
    data, idx = read(sp), bytearray(read(ip))
    esize, bloom = struct.unpack_from("<II", idx, 12)
    k = len(idx) - esize
    pos, blen, rawlen, first, count, flags, kmin, kmax, ingest = struct.unpack_from("<QIIQIIqqq", idx, k)
    old = data[pos:pos + blen]
    raw = zlib.decompress(old[68:], -15)
    recs = raw.split(b"\n")[:-1]
    first_rec = zlib.decompress(data[68:], -15).split(b"\n")[0]   # of the segment's first block
    recs = mangle(recs) if mangle.__code__.co_argcount == 1 else mangle(recs, first_rec)
    new_raw = b"".join(r + b"\n" for r in recs)
    m = member((0, len(recs), first, kmin, kmax, ingest), new_raw)
    write(sp, data[:pos] + m + data[pos + blen:])
    struct.pack_into("<QIIQI", idx, k, pos, len(m), len(new_raw), first, len(recs))
    struct.pack_into("<I", idx, k + 60 + bloom, zlib.crc32(bytes(idx[k:k + 60 + bloom])) & 0xffffffff)
    write(ip, bytes(idx))


def idx_edit(ld, seg, k, at, fmt, value):
    """Set a field of the index header (k None) or of entry k (-1: the
    last), with its CRC made good again: values only a careful reader
    refuses."""
    p = os.path.join(ld, idx_of(seg))
    idx = bytearray(read(p))
    esize, bloom = struct.unpack_from("<II", idx, 12)
    if k is None:
        struct.pack_into(fmt, idx, at, value)
        struct.pack_into("<I", idx, 60, zlib.crc32(bytes(idx[:60])) & 0xffffffff)
    else:
        nent = (len(idx) - 64) // esize
        e0 = 64 + (k % nent) * esize
        struct.pack_into(fmt, idx, e0 + at, value)
        struct.pack_into("<I", idx, e0 + 60 + bloom, zlib.crc32(bytes(idx[e0:e0 + 60 + bloom])) & 0xffffffff)
    write(p, bytes(idx))


def blk_edit(ld, seg, k, at, fmt, value):
    """Set a field of block k's summary (payload offset at), with the
    summary CRC made good again."""
    p = os.path.join(ld, seg)
    data = bytearray(read(p))
    pos = blocks(ld, seg)[k][0]
    struct.pack_into(fmt, data, pos + 16 + at, value)
    struct.pack_into("<I", data, pos + 64, zlib.crc32(bytes(data[pos + 16:pos + 64])) & 0xffffffff)
    write(p, bytes(data))


# ---- the damages: name -> function(log dir, data dir) ----

def damages(kind, ld):
    """[(name, fn(ld, data))] for the pristine log directory ld."""
    out = []
    segs = segments(ld)
    # which segment: (truncation points, block flips); the middle one gets
    # every damage, the first and the last (active) one a few
    plan = {
        "first": (("0", "mid", "-1"), (("first", ("hdr", "body", "crc")),)),
        "mid": (("0", "1", "hdr", "mid", "boundary", "-1", "-5"),
                tuple((b, ("hdr", "magic", "body", "crc", "isize")) for b in ("first", "mid", "last"))),
        "last": (("1", "boundary", "-5"), (("first", ("body",)), ("last", ("hdr", "body", "crc")))),
    }
    for which, seg in pick3(segs):
        size = os.path.getsize(os.path.join(ld, seg))
        bl = blocks(ld, seg)
        p1 = bl[1][0] + bl[1][1] if len(bl) > 1 else size // 2
        at = {"0": 0, "1": 1, "hdr": bl[0][0] + 30, "mid": size // 2, "boundary": p1, "-1": size - 1,
              "-5": size - 5}
        truncs, flips = plan[which]
        for tname in truncs:
            out.append(("seg-%s-trunc-%s" % (which, tname),
                        lambda ld, d, seg=seg, n=at[tname]: truncate(os.path.join(ld, seg), n)))
        bwhere = dict(pick3(bl))
        for bwhich, parts in flips:
            pos, blen = bwhere[bwhich]
            for part in parts:
                off = {"hdr": pos + 20 + (pos // 7) % 48, "magic": pos + 1, "body": pos + 68 + (blen - 76) // 2,
                       "crc": pos + blen - 8, "isize": pos + blen - 2}[part]
                out.append(("seg-%s-blk-%s-flip-%s" % (which, bwhich, part),
                            lambda ld, d, seg=seg, at=off: flip(os.path.join(ld, seg), at)))
    mid, last = segs[len(segs) // 2], segs[-1]
    # fields with good CRCs and values a reader must not trust
    for name, k, at, fmt, v in (("esize-0", None, 12, "<I", 0), ("esize-1", None, 12, "<I", 1),
                                ("bloom-huge", None, 16, "<I", 0xfffffff0), ("bloom-k-huge", None, 20, "<I", 1 << 30),
                                ("base-wrong", None, 24, "<Q", 7), ("version-2", None, 8, "<I", 2)):
        out.append(("idx-mid-hdr-%s-crc-ok" % name, lambda ld, d, k=k, at=at, fmt=fmt, v=v:
                    idx_edit(ld, mid, k, at, fmt, v)))
    for which, seg in (("mid", mid), ("last", last)):
        for name, k, at, fmt, v in (("pos-beyond", 1, 0, "<Q", 1 << 40), ("pos-unaligned", 1, 0, "<Q", 3),
                                    ("blocklen-0", 1, 8, "<I", 0), ("blocklen-huge", -1, 8, "<I", 0xffffffff),
                                    ("rawlen-huge", 1, 12, "<I", 0xffffffff), ("first-offset-wrong", 1, 16, "<Q", 3),
                                    ("first-offset-max", -1, 16, "<Q", (1 << 64) - 1),
                                    ("count-0", 1, 24, "<I", 0), ("count-huge", -1, 24, "<I", 0xffffffff),
                                    ("flags-all", 1, 28, "<I", 0xffffffff), ("commit-cleared", -1, 28, "<I", 0),
                                    ("minkey-max", 1, 32, "<q", (1 << 63) - 1),
                                    ("ingest-future", -1, 48, "<q", (1 << 63) - 1)):
            out.append(("idx-%s-entry-%s-crc-ok" % (which, name), lambda ld, d, seg=seg, k=k, at=at, fmt=fmt, v=v:
                        idx_edit(ld, seg, k, at, fmt, v)))
        for name, k, at, fmt, v in (("blocklen-huge", 1, 4, "<I", 0xffffffff), ("blocklen-small", 1, 4, "<I", 10),
                                    ("rawlen-huge", 1, 8, "<I", 0xffffffff), ("rawlen-0", 1, 8, "<I", 0),
                                    ("count-huge", -1, 12, "<I", 0xffffffff), ("first-offset-wrong", 1, 16, "<Q", 0),
                                    ("seal-flag", 1, 1, "<B", 1), ("version-9", -1, 0, "<B", 9)):
            out.append(("seg-%s-blk-summary-%s-crc-ok" % (which, name),
                        lambda ld, d, seg=seg, k=k, at=at, fmt=fmt, v=v: blk_edit(ld, seg, k, at, fmt, v)))
    out += [
        ("seg-mid-deleted", lambda ld, d: os.unlink(os.path.join(ld, mid))),
        ("seg-last-deleted", lambda ld, d: os.unlink(os.path.join(ld, last))),
        ("seg-mid-empty", lambda ld, d: truncate(os.path.join(ld, mid), 0)),
        ("seg-mid-zeroed", lambda ld, d: write(os.path.join(ld, mid), bytes(os.path.getsize(os.path.join(ld, mid))))),
        ("seg-last-garbage-tail", lambda ld, d: open(os.path.join(ld, last), "ab").write(b"\xff\xfegarbage\x00" * 9)),
        ("seg-last-uncommitted-block", lambda ld, d: open(os.path.join(ld, last), "ab").write(
            read(os.path.join(ld, last))[blocks(ld, last)[-1][0]:])),
        ("seg-last-uncommitted-run", lambda ld, d: append_uncommitted(ld)),
        ("seg-last-uncommitted-run+idx-deleted", lambda ld, d: (
            append_uncommitted(ld), os.unlink(os.path.join(ld, idx_of(last))))),
        ("seg-last-uncommitted-block+idx-deleted", lambda ld, d: (
            open(os.path.join(ld, last), "ab").write(read(os.path.join(ld, last))[blocks(ld, last)[-1][0]:]),
            os.unlink(os.path.join(ld, idx_of(last))))),
        ("seg-orphan", lambda ld, d: shutil.copy(os.path.join(ld, last),
                                                 os.path.join(ld, "%020d.jsonl.gz" % 99999))),
        ("seg-mid-swapped-with-first", lambda ld, d: swap(os.path.join(ld, segs[0]), os.path.join(ld, mid))),
    ]
    for which, seg in (("first", segs[0]), ("last", last)):
        ip = lambda ld, seg=seg: os.path.join(ld, idx_of(seg))
        out += [
            ("idx-%s-deleted" % which, lambda ld, d, ip=ip: os.unlink(ip(ld))),
            ("idx-%s-zeroed" % which, lambda ld, d, ip=ip: write(ip(ld), bytes(os.path.getsize(ip(ld))))),
            ("idx-%s-trunc-0" % which, lambda ld, d, ip=ip: truncate(ip(ld), 0)),
            ("idx-%s-trunc-header" % which, lambda ld, d, ip=ip: truncate(ip(ld), 64)),
            ("idx-%s-trunc-mid-entry" % which, lambda ld, d, ip=ip: truncate(ip(ld), os.path.getsize(ip(ld)) - 30)),
            ("idx-%s-flip-header" % which, lambda ld, d, ip=ip: flip(ip(ld), 13)),
            ("idx-%s-flip-entry" % which, lambda ld, d, ip=ip: flip(ip(ld), 64 + 9)),
            ("idx-%s-flip-entry-crc" % which, lambda ld, d, ip=ip: flip(ip(ld), os.path.getsize(ip(ld)) - 1)),
            ("idx-%s-garbage-tail" % which, lambda ld, d, ip=ip: open(ip(ld), "ab").write(b"\x01" * 100)),
        ]
    out += [
        ("manifest-deleted", lambda ld, d: os.unlink(os.path.join(ld, "MANIFEST"))),
        ("manifest-trunc-0", lambda ld, d: truncate(os.path.join(ld, "MANIFEST"), 0)),
        ("manifest-trunc-half", lambda ld, d: truncate(os.path.join(ld, "MANIFEST"),
                                                       os.path.getsize(os.path.join(ld, "MANIFEST")) // 2)),
        ("manifest-garbage", lambda ld, d: write(os.path.join(ld, "MANIFEST"), b"\xc3\x28\xff garbage \xe2\x82\n" * 5)),
        ("manifest-flip", lambda ld, d: flip(os.path.join(ld, "MANIFEST"), 30)),
        ("manifest-wrong-kind", lambda ld, d: write(os.path.join(ld, "MANIFEST"), re.sub(
            rb"kind \S+", b"kind flows" if kind != "flows" else b"kind counters", read(os.path.join(ld, "MANIFEST"))))),
        ("manifest-wrong-kind-crc-ok", lambda ld, d: manifest_edit(ld, lambda b: re.sub(
            rb"kind \S+", b"kind flows" if kind != "flows" else b"kind counters", b))),
        ("manifest-unknown-kind-crc-ok", lambda ld, d: manifest_edit(ld, lambda b: re.sub(
            rb"kind \S+", b"kind \xff\xfe\xc3", b))),
        ("manifest-next-offset-0-crc-ok", lambda ld, d: manifest_edit(ld, lambda b: re.sub(
            rb"next_offset \d+", b"next_offset 0", b))),
        ("manifest-next-offset-huge-crc-ok", lambda ld, d: manifest_edit(ld, lambda b: re.sub(
            rb"next_offset \d+", b"next_offset 18446744073709551615", b))),
        ("manifest-segment-dropped-crc-ok", lambda ld, d: manifest_edit(ld, lambda b: re.sub(
            rb"segment %s[^\n]*\n" % mid[:20].encode(), b"", b))),
        ("manifest-segment-extra-crc-ok", lambda ld, d: manifest_edit(ld, lambda b: b.replace(
            b"\nsegment", b"\nsegment 00000000000000088888 sealed records 5 blocks 1 bytes 100 min_key 0 "
            b"max_key 0 min_ingest 0 max_ingest 0\nsegment", 1))),
        ("manifest-sealed-counts-crc-ok", lambda ld, d: manifest_edit(ld, lambda b: re.sub(
            rb"records \d+ blocks \d+", b"records 1 blocks 99", b, count=1))),
        ("manifest-retention-crc-ok", lambda ld, d: manifest_edit(ld, lambda b: re.sub(
            rb"(next_offset \d+\n)(retention_us \d+\n)?", rb"\1retention_us 1\n", b))),
        ("manifest-crc-line-wrong", lambda ld, d: write(os.path.join(ld, "MANIFEST"), re.sub(
            rb"crc [0-9a-f]+", b"crc 00000000", read(os.path.join(ld, "MANIFEST"))))),
        ("manifest-tmp-leftover", lambda ld, d: write(os.path.join(ld, "MANIFEST.tmp"), b"\xff\xfe half")),
        ("lock-deleted", lambda ld, d: os.unlink(os.path.join(ld, "LOCK"))),
        ("lock-is-dir", lambda ld, d: (os.unlink(os.path.join(ld, "LOCK")), os.mkdir(os.path.join(ld, "LOCK")))),
        ("symlink-manifest", lambda ld, d: symlink_copy(ld, "MANIFEST", d)),
        ("symlink-seg-first", lambda ld, d: symlink_copy(ld, segs[0], d)),
        ("symlink-seg-last", lambda ld, d: symlink_copy(ld, last, d)),
        ("symlink-idx-last", lambda ld, d: symlink_copy(ld, idx_of(last), d)),
        ("symlink-lock", lambda ld, d: symlink_copy(ld, "LOCK", d)),
        ("symlink-log-dir", lambda ld, d: symlink_dir(ld, d)),
        ("symlink-dangling-manifest", lambda ld, d: (os.unlink(os.path.join(ld, "MANIFEST")),
                                                     os.symlink("/nonexistent/x", os.path.join(ld, "MANIFEST")))),
        ("forged-record-bad-utf8", lambda ld, d: forge_last_block(ld, lambda r: r[:-1] + [
            r[-1].replace(b'"', b'"\xc3\x28\xff', 1)])),
        ("forged-record-not-json", lambda ld, d: forge_last_block(ld, lambda r: r[:-1] + [b"{not json"])),
        ("forged-record-empty-object", lambda ld, d: forge_last_block(ld, lambda r: r[:-1] + [b"{}"])),
        ("forged-record-control-chars", lambda ld, d: forge_last_block(ld, lambda r: r[:-1] + [
            r[-1].replace(b'"', b'"\x1b[31m\x07', 1)])),
        ("forged-record-duplicate", lambda ld, d: forge_last_block(ld, lambda r, f: r[:-1] + [f])),
        ("forged-record-deep-nesting", lambda ld, d: forge_last_block(ld, lambda r: r[:-1] + [
            b"[" * 5000 + b"]" * 5000])),
        ("forged-record-huge-number", lambda ld, d: forge_last_block(ld, lambda r: r[:-1] + [huge(r[-1])])),
    ]
    if IS_ROOT:
        # root reads everything: other damage in place of unreadable files
        out += [
            ("manifest-is-dir", lambda ld, d: (os.unlink(os.path.join(ld, "MANIFEST")),
                                               os.mkdir(os.path.join(ld, "MANIFEST")))),
            ("seg-mid-is-dir", lambda ld, d: (os.unlink(os.path.join(ld, mid)), os.mkdir(os.path.join(ld, mid)))),
            ("idx-last-is-dir", lambda ld, d: (os.unlink(os.path.join(ld, idx_of(last))),
                                               os.mkdir(os.path.join(ld, idx_of(last))))),
            ("log-dir-is-file", lambda ld, d: (shutil.rmtree(ld), write(ld, b"not a directory\n"))),
        ]
    else:
        out += [
            ("log-dir-unreadable", lambda ld, d: os.chmod(ld, 0)),
            ("log-dir-not-searchable", lambda ld, d: os.chmod(ld, stat.S_IRUSR)),
            ("manifest-unreadable", lambda ld, d: os.chmod(os.path.join(ld, "MANIFEST"), 0)),
            ("seg-mid-unreadable", lambda ld, d: os.chmod(os.path.join(ld, mid), 0)),
            ("idx-last-unreadable", lambda ld, d: os.chmod(os.path.join(ld, idx_of(last)), 0)),
            ("log-dir-read-only", lambda ld, d: os.chmod(ld, stat.S_IRUSR | stat.S_IXUSR)),
        ]
    # state files of the kinds that have them
    garbage = [("garbage", b"\xff\xfe\xc3\x28 not a line\x00\n"), ("empty", b""),
               ("trunc", None), ("long-line", b"x" * 70000 + b"\n"), ("bad-utf8-name", b"\xc3\x28\xff 0 5\n")]
    for fname in ("batches", "keys", "producers"):
        if not os.path.exists(os.path.join(ld, fname)):
            continue
        for gname, content in garbage:
            def fn(ld, d, fname=fname, content=content):
                p = os.path.join(ld, fname)
                if content is None:
                    truncate(p, os.path.getsize(p) // 2)
                else:
                    write(p, content)
            out.append(("%s-%s" % (fname, gname), fn))
        out.append(("%s-deleted" % fname, lambda ld, d, fname=fname: os.unlink(os.path.join(ld, fname))))
        out.append(("symlink-%s" % fname, lambda ld, d, fname=fname: symlink_copy(ld, fname, d)))
        out.append(("%s-is-dir" % fname, lambda ld, d, fname=fname: (os.unlink(os.path.join(ld, fname)),
                                                                      os.mkdir(os.path.join(ld, fname)))))
    if os.path.isdir(os.path.join(ld, "consumers")):
        cd = os.path.join(ld, "consumers")
        cfiles = sorted(f for f in os.listdir(cd) if f != "LOCK")
        cf = cfiles[0]
        pos = json.loads(read(os.path.join(cd, cf)))

        def cset(**kw):
            return lambda ld, d: write(os.path.join(ld, "consumers", cf),
                                       (json.dumps(dict(pos, **kw), ensure_ascii=False) + "\n").encode())
        out += [
            ("consumer-garbage", lambda ld, d: write(os.path.join(ld, "consumers", cf), b"\xff\xfe{\n")),
            ("consumer-empty", lambda ld, d: write(os.path.join(ld, "consumers", cf), b"")),
            ("consumer-offset-negative", cset(offset=-1)),
            ("consumer-next-beyond-end", cset(next=10**15)),
            ("consumer-next-huge", cset(next=2**63 - 1, offset=2**63 - 1)),
            ("consumer-name-mismatch", cset(eventName="Elsewhere")),
            ("consumer-moved-bad-utf8", lambda ld, d: write(os.path.join(ld, "consumers", cf), read(
                os.path.join(ld, "consumers", cf)).replace(b'"movedAt":"', b'"movedAt":"\xc3\x28'))),
            ("consumer-moved-control", cset(movedAt="\x1b[2J\x07")),
            ("consumer-stray-file", lambda ld, d: write(os.path.join(ld, "consumers", "zz,Q"), b"\xff\n")),
            ("consumer-tmp-leftover", lambda ld, d: write(os.path.join(ld, "consumers", cf + ".tmp"), b"{")),
            ("consumer-is-dir", lambda ld, d: (os.unlink(os.path.join(ld, "consumers", cf)),
                                               os.mkdir(os.path.join(ld, "consumers", cf)))),
            ("symlink-consumer", lambda ld, d: symlink_copy(os.path.join(ld, "consumers"), cf, d)),
            ("consumers-dir-is-file", lambda ld, d: (shutil.rmtree(os.path.join(ld, "consumers")),
                                                     write(os.path.join(ld, "consumers"), b"x"))),
        ]
    return out


def huge(rec):
    """The record with its first number (or, with none, its first string
    value) replaced by a number beyond 64 bits."""
    out = re.sub(rb":(-?\d+)([,}])", rb":99999999999999999999999\2", rec, count=1)
    return out if out != rec else re.sub(rb':"[^"]*"', b":99999999999999999999999", rec, count=1)


def append_uncommitted(ld):
    """Append to the last segment a good block continuing its offsets (a
    copy of the last block's records) with no index entry: what an ingest
    killed before its commit leaves."""
    seg = segments(ld)[-1]
    sp, ip = os.path.join(ld, seg), os.path.join(ld, idx_of(seg))
    data, idx = read(sp), read(ip)
    esize = struct.unpack_from("<I", idx, 12)[0]
    k = len(idx) - esize
    pos, blen, rawlen, first, count, flags, kmin, kmax, ingest = struct.unpack_from("<QIIQIIqqq", idx, k)
    raw = zlib.decompress(data[pos + 68:pos + blen], -15)
    with open(sp, "ab") as f:
        f.write(member((0, count, first + count, kmin, kmax, ingest), raw))


def swap(a, b):
    da, db = read(a), read(b)
    write(a, db)
    write(b, da)


def symlink_copy(ld, name, d):
    """name becomes a symlink to a copy of itself outside the log."""
    p = os.path.join(ld, name)
    t = os.path.join(os.path.dirname(d), "outside-" + name.replace("/", "_"))
    shutil.copy(p, t)
    os.unlink(p)
    os.symlink(t, p)


def symlink_dir(ld, d):
    t = os.path.join(os.path.dirname(d), "outside-logdir")
    shutil.move(ld, t)
    os.symlink(t, ld)


# ---- checking one command ----

def tree_state(d):
    """Every file under d with its content hash and mode: readers must not
    change it."""
    st = {}
    for root, dirs, files in os.walk(d):
        for n in dirs + files:
            p = os.path.join(root, n)
            try:
                s = os.lstat(p)
            except OSError:
                continue
            if stat.S_ISREG(s.st_mode):
                try:
                    h = hashlib.sha1(read(p)).hexdigest()
                except OSError:
                    h = "unreadable"
            elif stat.S_ISLNK(s.st_mode):
                h = "-> " + os.readlink(p)
            else:
                h = "dir"
            st[os.path.relpath(p, d)] = (stat.S_IFMT(s.st_mode), s.st_mode & 0o7777, h)
    return st


class NoDamage(Exception):
    pass


class Sweep:
    def __init__(self, aggr, verbose):
        self.aggr, self.verbose = aggr, verbose
        self.san = is_sanitized(aggr)
        self.passed = self.failed = self.known = 0
        self.failures, self.known_hits = [], set()
        self.cases = 0
        self.check_clean = []     # damages plain check did not report
        self.repair_failed = []   # damages check --repair could not repair
        self.purge_failed = []    # damages that purge could not clear
        self.skipped = []         # damages that changed nothing here

    def fail(self, kind, damage, cmd, why):
        for i, (ks, ds, cs, defect, build) in enumerate(KNOWN):
            if build == "san" and not self.san:
                continue
            if any(fnmatch.fnmatchcase(kind, k) for k in ks) and any(fnmatch.fnmatchcase(damage, d) for d in ds) \
                    and any(fnmatch.fnmatchcase(cmd, c) for c in cs):
                self.known += 1
                self.known_hits.add(i)
                if self.verbose:
                    print("known %s / %s: aggr %s: %s [%s]" % (kind, damage, cmd, why, defect.split(":")[0]))
                return
        self.failed += 1
        self.failures.append("not ok %s / %s: aggr %s: %s" % (kind, damage, cmd, why))

    def no_new_records(self, kind, damage, cmd, out):
        """cat prints only records that were committed: each line at most
        as often as in the pristine store (forged blocks excepted)."""
        if damage.startswith("forged-"):
            return
        seen = {}
        for l in out.splitlines():
            seen[l] = seen.get(l, 0) + 1
        extra = [l for l, n in seen.items() if n > self.pristine_lines.get(l, 0)]
        if extra:
            self.fail(kind, damage, cmd, "printed %d records the store never committed (or too often): %r" % (
                len(extra), extra[0][:100]))
        else:
            self.passed += 1

    def one(self, e, data, kind, damage, args):
        cmd = " ".join(args)
        rc, out, err, hung = e.run(data, args, ONE[kind] if args[0] in ("ingest", "stream") and
                                   args[1] in ("flows", "counters", "events", "sessions", "publish") else b"")
        why = hung
        if not why and (rc < 0 or rc > 128):
            why = "killed by signal %d" % -rc if rc < 0 else "exit %d" % rc
        if not why and SAN_RE.search(err):
            rep = err.decode("utf-8", "replace").splitlines()
            what = [l for l in rep if "ERROR: " in l or "runtime error:" in l][:1]
            where = [l.strip() for l in rep if re.search(r"#\d+ .* src/", l)][:1]
            why = "sanitizer report (exit %d): %s" % (rc, " ".join(what + where)[:300])
        # 9: check found only uncommitted bytes of an interrupted run
        if not why and (rc > 9 or (rc == 9 and args[0] != "check")):
            why = "undocumented exit status %d" % rc
        if not why:
            for what, b in (("stdout", out), ("stderr", err)):
                try:
                    b.decode("utf-8")
                except UnicodeDecodeError as x:
                    why = "%s is not UTF-8 (exit %d): %r" % (what, rc, b[max(0, x.start - 40):x.end + 20])
                    break
        if not why:
            bad = [l for l in err.decode().splitlines() if not l.startswith("aggr: ")
                   and not l.startswith("Try 'aggr help")]
            if bad:
                why = "stderr line without 'aggr: ' (exit %d): %r" % (rc, bad[0][:120])
        if not why and rc != 0 and not err:
            why = "exit %d with nothing on stderr" % rc
        if why:
            self.fail(kind, damage, cmd, why)
        else:
            self.passed += 1
            if args[0] == "cat" and rc == 0 and not self.after_write:
                self.no_new_records(kind, damage, cmd + self.after, out)
        return rc, err

    def case(self, e, kind, damage, fn, pristine, vals, work):
        """Run every command on copies of pristine damaged by fn."""
        self.cases += 1
        log = kind
        subst = lambda args: [a.replace("{LOG}", log).format(**vals) if "{" in a else a for a in args]

        damaged_once = []

        def fresh():
            d = os.path.join(work, "d")
            clean(work)
            shutil.copytree(pristine, d, symlinks=True)
            if not damaged_once:
                before = tree_state(d)
            fn(os.path.join(d, log), d)
            if not damaged_once:
                damaged_once.append(1)
                if tree_state(d) == before:
                    raise NoDamage()
            return d

        # readers on one copy: they must not change a file
        try:
            d = fresh()
        except NoDamage:
            # a layout where this damage is a no-op (say, no COMMIT flag to clear)
            self.cases -= 1
            self.skipped.append("%s / %s" % (kind, damage))
            return
        self.after_write, self.after = False, ""
        before = tree_state(d)
        dirwide = DIR_READERS if any(fnmatch.fnmatchcase(damage, g) for g in DIR_DAMAGE) else []
        for args in KINDS[kind][1] + COMMON_READERS + dirwide:
            rc, _ = self.one(e, d, kind, damage, subst(args))
            if args in (["check", "{LOG}"], ["check"]) and rc == 0:
                self.check_clean.append("%s / %s: aggr %s" % (kind, damage, " ".join(subst(args))))
        after = tree_state(d)
        if before != after:
            changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
            self.fail(kind, damage, "(readers)", "readers changed files: %s" % ", ".join(changed[:4]))
        else:
            self.passed += 1
        # each writer sequence on a fresh copy
        for seq in KINDS[kind][2] + COMMON_WRITERS:
            d = fresh()
            rcs = []
            # a write of one new record that reports success must be there
            # for the next reader: cat prints one more record than before
            adds_one = seq[0] in ADDS_ONE
            if adds_one:
                brc, bout, _, _ = e.run(d, ["cat", log])
            self.after_write = False
            for i, args in enumerate(seq):
                self.after = " (after %s)" % "; ".join(" ".join(subst(a)) for a in seq[:i]) if i else ""
                rcs.append(self.one(e, d, kind, damage, subst(args)))
                # what a write stores may show from now on; purge and repair add nothing
                self.after_write |= args[0] not in ("check", "purge", "compact", "retain", "cat")
                if adds_one and len(rcs) == 1 and brc == 0 and rcs[0][0] == 0:
                    arc, aout, aerr, _ = e.run(d, ["cat", log])
                    nb, na = bout.count(b"\n"), aout.count(b"\n")
                    if arc != 0 or na != nb + 1:
                        self.fail(kind, damage, "cat %s after %s" % (log, " ".join(subst(seq[0]))),
                                  "the write exited 0, then cat exited %d with %d records, %d before%s" % (
                                      arc, na, nb, ": " + aerr.decode("utf-8", "replace").strip()[:120] if arc else ""))
                    else:
                        self.passed += 1
            if seq[0][0] == "purge" and rcs[0][0] != 0:
                self.purge_failed.append("%s / %s: exit %d: %s" % (
                    kind, damage, rcs[0][0], rcs[0][1].decode("utf-8", "replace").strip().split("\n")[-1][:150]))
            if seq[0][1:] == ["{LOG}", "--repair"]:
                (rrc, rerr), (crc, cerr) = rcs[0], rcs[1]
                if rrc == 0 and crc != 0:
                    self.fail(kind, damage, "check %s after check --repair" % log,
                              "repair exited 0, then check exited %d: %s" % (
                                  crc, cerr.decode("utf-8", "replace").strip()[:160]))
                else:
                    self.passed += 1
                if rrc != 0:
                    self.repair_failed.append("%s / %s: exit %d: %s" % (
                        kind, damage, rrc, rerr.decode("utf-8", "replace").strip().split("\n")[-1][:150]))
        # note what check let through: plain check clean on a damaged log
        return


def clean(work):
    for n in os.listdir(work):
        p = os.path.join(work, n)
        if n in ("home",):
            continue
        make_writable(p)
        if os.path.isdir(p) and not os.path.islink(p):
            shutil.rmtree(p)
        else:
            os.unlink(p)


def make_writable(p):
    if os.path.islink(p):
        return
    try:
        os.chmod(p, 0o700)
    except OSError:
        pass
    if os.path.isdir(p):
        for root, dirs, files in os.walk(p):
            for n in dirs + files:
                q = os.path.join(root, n)
                if not os.path.islink(q):
                    try:
                        os.chmod(q, 0o700)
                    except OSError:
                        pass


def fast_tmp():
    """A tmpfs when there is one (fsync costs nothing there, and this sweep
    is not about durability), else the usual temporary directory."""
    for d in ("/dev/shm",):
        if os.path.isdir(d) and os.access(d, os.W_OK | os.X_OK):
            return d
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--kind", action="append", help="only this kind (repeat)")
    ap.add_argument("--damage", default="*", help="only damages matching this glob")
    ap.add_argument("--keep", action="store_true", help="keep the pristine stores")
    a = ap.parse_args()
    aggr = os.environ.get("AGGR_BIN")
    if not aggr:
        print("%s: set AGGR_BIN" % NAME)
        print("%s: 0 passed, 1 failed" % NAME)
        return 1
    aggr = os.path.abspath(aggr)
    # the sanitizer build is ten times slower: make check samples every
    # fourth damage there (AGGR_SWEEP_EVERY=1 runs them all)
    every = int(os.environ.get("AGGR_SWEEP_EVERY", "4" if is_sanitized(aggr) else "1"))
    t0 = time.time()
    top = tempfile.mkdtemp(prefix="aggr-corruption-sweep.", dir=fast_tmp())
    s = Sweep(aggr, a.verbose)
    try:
        for kind in a.kind or list(KINDS):
            kdir = os.path.join(top, kind.replace("/", "_"))
            os.makedirs(os.path.join(kdir, "pristine"))
            work = os.path.join(kdir, "work")
            os.makedirs(os.path.join(work, "home"))
            e = Env(aggr, work)
            pristine = os.path.join(kdir, "pristine", "data")
            vals = KINDS[kind][0](e, pristine) or {}
            ld = os.path.join(pristine, kind)
            # several segments of several blocks
            segs = segments(ld)
            if len(segs) < 3 or min(len(blocks(ld, sg)) for sg in segs) < 2:
                raise SystemExit("%s: the pristine %s store is not several segments of several blocks"
                                 % (NAME, kind))
            rc, out, err, _ = e.run(pristine, ["check", kind])
            if rc != 0:
                raise SystemExit("%s: the pristine %s store does not check clean: %s" % (NAME, kind, err))
            if a.verbose:
                print("%s: %s" % (kind, ", ".join("%s: %d blocks" % (sg, len(blocks(ld, sg))) for sg in segments(ld))))
            s.pristine_lines = {}
            for l in e.must(pristine, ["cat", kind]).encode().splitlines():
                s.pristine_lines[l] = s.pristine_lines.get(l, 0) + 1
            for i, (damage, fn) in enumerate(damages(kind, ld)):
                if not fnmatch.fnmatchcase(damage, a.damage) or i % every:
                    continue
                t1 = time.time()
                s.case(e, kind, damage, fn, pristine, vals, work)
                if a.verbose:
                    print("%s / %s: %.2f s" % (kind, damage, time.time() - t1))
    finally:
        if a.keep:
            print("pristine stores kept under %s" % top)
        else:
            make_writable(top)
            shutil.rmtree(top, ignore_errors=True)
    for f in s.failures:
        print(f)
    if a.verbose:
        print("check exited 0 on %d damaged directories:" % len(s.check_clean))
        for c in s.check_clean:
            print("  " + c)
        print("check --repair exited non-zero on %d damaged directories:" % len(s.repair_failed))
        for c in s.repair_failed:
            print("  " + c)
        print("purge exited non-zero on %d damaged directories:" % len(s.purge_failed))
        for c in s.purge_failed:
            print("  " + c)
    for i, (ks, ds, cs, defect, build) in enumerate(KNOWN):
        if i not in s.known_hits and a.damage == "*" and not a.kind and (build != "san" or s.san):
            print("%s: KNOWN entry matched nothing (fixed? remove it): %s" % (NAME, defect))
    if s.skipped:
        print("%s: skipped %d damages that change nothing in this layout: %s" % (
            NAME, len(s.skipped), ", ".join(s.skipped)))
    print("%s: %d damaged directories, %d known failures (KNOWN), %.1f s" % (
        NAME, s.cases, s.known, time.time() - t0))
    print("%s: %d passed, %d failed" % (NAME, s.passed, s.failed))
    return 1 if s.failed else 0


if __name__ == "__main__":
    sys.exit(main())
