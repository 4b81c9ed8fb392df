#!/usr/bin/env python3
"""Signals at many points of a large ingest, a stream publish and a
compaction of events (tests/crash/signals.sh runs this).

For each of SIGINT, SIGTERM, SIGHUP and SIGPIPE, a writer gets the signal
  - just before one of its sync points or renames (sigshim.so,
    deterministic: the commit point and the steps after it included),
    every other one, SIGINT and SIGHUP the odd ones, SIGTERM and SIGPIPE
    the even ones;
  - when the log's files have grown past thresholds spread over the run
    (polled), and after fixed delays;
  - publish only: a real SIGPIPE, its standard output a pipe nobody reads.
Then, without running any writer:
  - the exit status is 0 (the run finished first) or 128+N (stopped);
  - `aggr check` exits 0 silently and `aggr -v check` reports no
    interrupted run; the data files hold exactly the bytes the index and
    MANIFEST commit (sealed: their bytes plus one seal block; active: the
    rest), and no segment file is left that the MANIFEST does not list;
  - `zcat DIR/LOG/*.jsonl.gz*` counts exactly the records `aggr cat` prints;
  - a stopped run left every file of the log byte-identical (md5) to before
    it; a finished one stored the whole run.
A writer that starts with the signal ignored (nohup) ignores it and
finishes. Prints "not ok" lines, the points tried and the uncommitted bytes
found (must be 0), and "signals: N passed, M failed".
"""
import glob
import hashlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

AGGR = os.environ['AGGR_BIN']
HERE = os.path.dirname(os.path.abspath(__file__))
SIGS = [signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE]
ENV = dict(os.environ, AGGR_NOW='2022-01-15T22:00:00Z', TZ='UTC', LC_ALL='C')
# the shim is not built with the sanitizers: let ASan start after it
ENV['ASAN_OPTIONS'] = ':'.join(filter(None, [ENV.get('ASAN_OPTIONS'), 'verify_asan_link_order=0']))
# small blocks and segments: the runs span segments, so signals meet rolls
SMALL = {'AGGR_BLOCK_BYTES': '16384', 'AGGR_SEGMENT_BYTES': '200000'}
# the steps of a run, whatever the deflate threads, are the same every time
THREADS = {'AGGR_THREADS': '2'}

passed = failed = points = 0
outcomes = {'stopped': 0, 'finished': 0}
uncommitted = 0  # bytes past the last commit found after a stopped run
work = tempfile.mkdtemp(prefix='aggr-signals.')
shim = os.path.join(work, 'sigshim.so')


def not_ok(what):
    global failed
    failed += 1
    print('not ok ' + what, flush=True)


def ok():
    global passed
    passed += 1


def aggr(d, *args, env=None, stdin=None):
    e = dict(ENV, AGGR_DIR=d, **(env or {}))
    return subprocess.run([AGGR, *args], env=e, stdin=stdin, capture_output=True)


def default_signals():
    # the child starts with every signal at its default, whatever ours
    # are (a shell starts background jobs with SIGINT ignored, Python
    # ignores SIGPIPE): aggr catches only those not ignored at start
    for s in SIGS:
        signal.signal(s, signal.SIG_DFL)


def ignore_signal(s):
    def f():
        default_signals()
        signal.signal(s, signal.SIG_IGN)
    return f


def files_md5(logdir):
    """{relative path: md5} of every file under logdir."""
    out = {}
    for root, _, names in os.walk(logdir):
        for n in names:
            p = os.path.join(root, n)
            with open(p, 'rb') as f:
                out[os.path.relpath(p, logdir)] = hashlib.md5(f.read()).hexdigest()
    return out


def dir_bytes(logdir):
    n = 0
    try:
        for e in os.scandir(logdir):
            if e.name.endswith(('.jsonl.gz', '.jsonl.gz.open')):
                n += e.stat().st_size
    except FileNotFoundError:
        pass
    return n


def manifest(logdir):
    """[(base, gen, sealed, bytes)] of the MANIFEST's segments."""
    segs = []
    with open(os.path.join(logdir, 'MANIFEST')) as f:
        for line in f:
            w = line.split()
            if w[0] != 'segment':
                continue
            gen = int(w[w.index('gen') + 1]) if 'gen' in w else 0
            sealed = w[2] == 'sealed'
            segs.append((w[1], gen, sealed, int(w[w.index('bytes') + 1]) if sealed else None))
    return segs


SEAL = None  # bytes of a seal block, measured on a store made in setup


def seal_len(logdir):
    for base, gen, sealed, nbytes in manifest(logdir):
        if sealed:
            stem = base + ('-%d' % gen if gen else '')
            return os.path.getsize(os.path.join(logdir, stem + '.jsonl.gz')) - nbytes
    return None


def committed_state(d, log, where):
    """Check d/log without any writer; return its record count, or None
    after a not ok."""
    global uncommitted
    logdir = os.path.join(d, log)
    # check: exit 0, and with -v only its "ok" line (no "interrupted run")
    r = aggr(d, '-v', 'check', log)
    err = r.stderr.decode()
    if r.returncode != 0 or len(err.splitlines()) != 1 or not err.startswith('aggr: check: %s: ok: ' % log):
        for m in re.finditer(r'(\d+) bytes of an interrupted run', err):
            uncommitted += int(m.group(1))
        not_ok('%s: check exits %d: %s' % (where, r.returncode, ' | '.join(err.splitlines())[:300]))
        return None
    info = json.loads(aggr(d, 'info', log, '--format', 'ndjson').stdout)
    segs = manifest(logdir)
    listed, data_total, sealed_total, nsealed = set(), 0, 0, 0
    for base, gen, sealed, nbytes in segs:
        stem = base + ('-%d' % gen if gen else '')
        listed.add(stem)
        names = [n for n in (stem + '.jsonl.gz', stem + '.jsonl.gz.open')
                 if os.path.exists(os.path.join(logdir, n))]
        if len(names) != 1:
            not_ok('%s: segment %s has data files %s' % (where, stem, names))
            return None
        size = os.path.getsize(os.path.join(logdir, names[0]))
        data_total += size
        if sealed:
            nsealed += 1
            sealed_total += nbytes
            if size != nbytes + SEAL:
                not_ok('%s: sealed %s is %d bytes, its MANIFEST line says %d plus a seal of %d'
                       % (where, names[0], size, nbytes, SEAL))
                uncommitted += max(0, size - nbytes - SEAL)
                return None
    want = info['compressed_bytes'] + nsealed * SEAL
    if data_total != want:
        uncommitted += max(0, data_total - want)
        not_ok('%s: data files hold %d bytes, the index commits %d' % (where, data_total, want))
        return None
    for p in glob.glob(os.path.join(logdir, '0*')):
        stem = os.path.basename(p).split('.')[0]
        if stem not in listed:
            not_ok('%s: %s is not in the MANIFEST' % (where, os.path.basename(p)))
            return None
    cat = aggr(d, 'cat', log)
    n_cat = cat.stdout.count(b'\n')
    z = subprocess.run('zcat %s/*.jsonl.gz* | wc -l' % logdir, shell=True, capture_output=True)
    n_z = int(z.stdout)
    if cat.returncode != 0 or n_z != n_cat:
        not_ok('%s: zcat counts %d records, cat %d (exit %d)' % (where, n_z, n_cat, cat.returncode))
        return None
    return n_cat


class Op:
    """A write operation on a copy of the store base: args, stdin file,
    the log it writes, and the record count it leaves when it finishes."""

    def __init__(self, name, base, log, args, stdin=None, env=None):
        self.name, self.base, self.log, self.args = name, base, log, args
        self.stdin, self.env = stdin, dict(SMALL, **(env or {}))
        self.before = files_md5(os.path.join(base, log))
        self.n_before = committed_state(base, log, name + ': base')
        d = self.fresh()
        r = self.run(d, {})
        self.n_after = committed_state(d, log, name + ': uncut') if r.returncode == 0 else None
        if r.returncode != 0 or self.n_after is None:
            not_ok('%s: uncut run exits %d: %s' % (name, r.returncode, r.stderr.decode()[:200]))
        self.growth = dir_bytes(os.path.join(d, log)) - dir_bytes(os.path.join(base, log))
        r = self.run(self.fresh(), dict(THREADS, LD_PRELOAD=shim, SIGSHIM_COUNT=os.path.join(work, 'n')))
        with open(os.path.join(work, 'n')) as f:
            self.steps = int(f.read())

    def fresh(self):
        d = os.path.join(work, 'cut')
        shutil.rmtree(d, ignore_errors=True)
        shutil.copytree(self.base, d, symlinks=True)
        return d

    def popen(self, d, env, preexec=default_signals):
        e = dict(ENV, AGGR_DIR=d, **self.env, **env)
        f = open(self.stdin, 'rb') if self.stdin else subprocess.DEVNULL
        p = subprocess.Popen([AGGR, *self.args], env=e, stdin=f, stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, preexec_fn=preexec)
        if self.stdin:
            f.close()
        return p

    def run(self, d, env, preexec=default_signals):
        p = self.popen(d, env, preexec)
        _, err = p.communicate()
        return subprocess.CompletedProcess(p.args, p.returncode, b'', err)

    def judge(self, d, sig, rc, where, output_failed=False):
        global points
        points += 1
        n = committed_state(d, self.log, where)
        if n is None:
            return
        if output_failed and rc == 1:
            # stored, then the output (the ids) could not be written: the
            # run is whole and the failure is reported, as for a full disk
            if n != self.n_after:
                not_ok('%s: exit 1 with %d records, want %d' % (where, n, self.n_after))
                return
            outcomes['finished'] += 1
            ok()
            return
        if rc == -sig:
            # stopped: not one byte of the log changed
            now = files_md5(os.path.join(d, self.log))
            if now != self.before:
                diff = sorted(k for k in set(now) | set(self.before) if now.get(k) != self.before.get(k))
                not_ok('%s: died by the signal, but changed %d files (%s...): %d records, %d before'
                       % (where, len(diff), ' '.join(diff[:2]), n, self.n_before))
                return
            outcomes['stopped'] += 1
        elif rc == 0:
            # finished first (or the signal came after its commit point)
            if n != self.n_after:
                not_ok('%s: finished with %d records, want %d' % (where, n, self.n_after))
                return
            outcomes['finished'] += 1
        else:
            not_ok('%s: exit %s, want 0 or 128+%d' % (where, rc if rc >= 0 else 128 - rc, sig))
            return
        ok()

    def closed_stdout(self):
        """A real SIGPIPE: standard output is a pipe nobody reads."""
        d = self.fresh()
        rd, wr = os.pipe()
        os.close(rd)
        e = dict(ENV, AGGR_DIR=d, **self.env)
        with open(self.stdin, 'rb') as f:
            p = subprocess.Popen([AGGR, *self.args], env=e, stdin=f, stdout=wr, stderr=subprocess.PIPE,
                                 preexec_fn=default_signals)
        os.close(wr)
        p.communicate()
        self.judge(d, signal.SIGPIPE, p.returncode, '%s: stdout a closed pipe' % self.name, output_failed=True)

    def at_steps(self, sig, every=1, first=1):
        """A signal just before each sync point or rename (every n-th from
        first; the signals take turns, so that each step gets some)."""
        for i in range(first, self.steps + 1, every):
            d = self.fresh()
            r = self.run(d, dict(THREADS, LD_PRELOAD=shim, SIGSHIM_AT=str(i), SIGSHIM_SIG=str(int(sig))))
            self.judge(d, sig, r.returncode, '%s: %s at step %d/%d' % (self.name, sig.name, i, self.steps))

    def at_sizes(self, sig, fractions):
        """A signal once the log's data files grew by each fraction of the
        run's bytes (polled)."""
        for frac in fractions:
            d = self.fresh()
            logdir = os.path.join(d, self.log)
            start = dir_bytes(logdir)
            p = self.popen(d, {})
            while p.poll() is None and dir_bytes(logdir) - start < frac * self.growth:
                time.sleep(0.0002)  # leave the CPU to the writer
            try:
                p.send_signal(sig)
            except ProcessLookupError:
                pass
            _, err = p.communicate()
            self.judge(d, sig, p.returncode, '%s: %s at %d%% of its bytes' % (self.name, sig.name, frac * 100))

    def at_delays(self, sig, delays):
        for t in delays:
            d = self.fresh()
            p = self.popen(d, {})
            time.sleep(t)
            try:
                p.send_signal(sig)
            except ProcessLookupError:
                pass
            p.communicate()
            self.judge(d, sig, p.returncode, '%s: %s after %d ms' % (self.name, sig.name, t * 1000))

    def ignored(self, sig):
        """Started with sig ignored (nohup): the signal changes nothing."""
        d = self.fresh()
        p = self.popen(d, {}, preexec=ignore_signal(sig))
        time.sleep(0.01)
        p.send_signal(sig)
        p.communicate()
        global points
        points += 1
        n = committed_state(d, self.log, '%s: %s ignored' % (self.name, sig.name))
        if n is None:
            return
        if p.returncode != 0 or n != self.n_after:
            not_ok('%s: started with %s ignored: exit %d, %d records' % (self.name, sig.name, p.returncode, n))
        else:
            ok()


def flows_file(path, n, tag):
    with open(path, 'w') as f:
        for i in range(n):
            f.write('{"src_app":"%s%d","dest_app":"d%d","vpc_id":"v%d","hour":%d,"bytes_tx":%d,"bytes_rx":%d}\n'
                    % (tag, i % 50, i % 7, i % 3, i % 24, i, 3 * i))


def main():
    global SEAL
    try:
        subprocess.run([os.environ.get('CC', 'cc'), '-shared', '-fPIC', '-O1', '-o', shim,
                        os.path.join(HERE, 'sigshim.c'), '-ldl'], check=True)
    except (subprocess.CalledProcessError, OSError):
        print('signals: 0 passed, 1 failed (cannot build the shim)')
        return 1
    # the store every case starts from: a committed run in sealed and
    # active segments of each log written
    base = os.path.join(work, 'base')
    small = os.path.join(work, 'small.json')
    big = os.path.join(work, 'big.json')
    flows_file(small, 10000, 'a')
    flows_file(big, int(os.environ.get('SIGNALS_RECORDS', '60000')), 'b')
    # flows: a sealed segment, then an active one the big run starts in
    aggr(base, 'ingest', 'flows', small, env=dict(SMALL, AGGR_SEAL_AGE='0'))
    aggr(base, 'ingest', 'flows', small, env=SMALL)
    sh = os.path.join(HERE, '..', '..', 'bench', 'gen-stream.sh')
    evs = os.path.join(work, 'ev.json')
    with open(evs, 'w') as f:
        subprocess.run(['sh', sh, '12000', 'E,F', '0'], stdout=f, check=True)
    with open(os.path.join(work, 'ev0.json'), 'w') as f:
        subprocess.run(['sh', sh, '2000', 'E,F', '0'], stdout=f, check=True)
    aggr(base, 'stream', 'publish', 's', '--producer', 'p', os.path.join(work, 'ev0.json'), env=SMALL)
    # events: 3000 in sealed segments, a third of them removed
    ev = os.path.join(work, 'events.json')
    with open(ev, 'w') as f:
        for i in range(3000):
            f.write('{"tags":["t%d"],"start_epoch":%d.5}\n' % (i % 3, 1642200000 + i))
    aggr(base, 'ingest', 'events', ev, env=dict(SMALL, AGGR_SEGMENT_BYTES='20000'))
    ids = [json.loads(l)['_id'] for l in aggr(base, 'events', 'list', '--tag', 't0', '--format', 'ndjson').stdout.splitlines()]
    aggr(base, 'events', 'remove', *sum((['--id', i] for i in ids), []))
    SEAL = seal_len(os.path.join(base, 'flows'))
    if not SEAL or SEAL <= 0:
        print('signals: 0 passed, 1 failed (no sealed segment in the base store)')
        return 1

    t0 = time.monotonic()
    ops = [
        Op('ingest', base, 'flows', ['ingest', 'flows', '--batch-id', 'big'], stdin=big),
        Op('publish', base, 'streams/s', ['stream', 'publish', 's', '--producer', 'p'], stdin=evs),
        Op('compact', base, 'events', ['compact', 'events'], env={'AGGR_SEGMENT_BYTES': '20000'}),
    ]
    for op in ops:
        if op.n_after is None:
            continue
        print('# %s: %d records before, %d after, %d steps, %d bytes written'
              % (op.name, op.n_before, op.n_after, op.steps, op.growth), flush=True)
    fr = [0.0, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 1.0]
    ing, pub, comp = ops
    for k, sig in enumerate(SIGS):
        ing.at_steps(sig, every=2, first=1 + k % 2)
        ing.at_sizes(sig, fr)
        ing.at_delays(sig, [0, 0.005, 0.03])
        pub.at_steps(sig, every=2, first=1 + k % 2)
        pub.at_sizes(sig, [0.1, 0.5, 0.9])
        comp.at_steps(sig, every=2, first=1 + k % 2)
        comp.at_delays(sig, [0, 0.002, 0.01])
    for sig in (signal.SIGHUP, signal.SIGINT):
        ing.ignored(sig)
    pub.closed_stdout()
    print('# %d points tried in %.1f s (%d stopped, %d finished first); uncommitted bytes left: %d'
          % (points, time.monotonic() - t0, outcomes['stopped'], outcomes['finished'], uncommitted))
    print('signals: %d passed, %d failed' % (passed, failed))
    return 1 if failed else 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    finally:
        shutil.rmtree(work, ignore_errors=True)
