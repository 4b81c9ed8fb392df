#!/usr/bin/env python3
"""Rewrite the expected output of chosen cases of a .t file from what they
print now, for reviewing an intended change with `git diff`:

    AGGR_BIN=build/aggr python3 tests/cli/bless.py tests/cli/storage.t 6 23

Cases run in order in one fresh directory, in the environment run.sh gives
them; only the cases whose command starts on one of the given lines are
rewritten (stdout, "!" stderr lines and "[N]" status). Never run it to make
a failing test pass without reading the diff.
"""
import os
import subprocess
import sys
import tempfile


def cases(lines):
    """Yield (start, end) index ranges of each case: its command line and
    the expected lines after it, up to a blank or comment line."""
    i = 0
    while i < len(lines):
        if lines[i].startswith('$ '):
            j = i + 1
            while j < len(lines) and lines[j] != '' and not lines[j].startswith('#') \
                    and not lines[j].startswith('$ '):
                j += 1
            yield i, j
            i = j
        else:
            i += 1


def render(out, err, rc):
    res = []
    if out.endswith('\n'):
        out = out[:-1]
    if out != '' or False:
        for l in out.split('\n'):
            if l == '' or l[0] in '$![#|':
                res.append('| ' + l if l else '|')
            else:
                res.append(l)
    if err.endswith('\n'):
        err = err[:-1]
    if err:
        for l in err.split('\n'):
            res.append('! ' + l if l else '!')
    if rc:
        res.append('[%d]' % rc)
    return res


def main():
    path, want = sys.argv[1], {int(x) for x in sys.argv[2:]}
    root = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
    lines = open(path).read().split('\n')
    work = tempfile.mkdtemp()
    os.makedirs(work + '/home')
    bindir = tempfile.mkdtemp()
    os.symlink(os.path.abspath(os.environ['AGGR_BIN']), bindir + '/aggr')
    env = {'PATH': bindir + ':/usr/bin:/bin', 'HOME': work + '/home', 'LC_ALL': 'C.UTF-8', 'TZ': 'UTC',
           'AGGR_DIR': work + '/data', 'AGGR_NOW': '2022-01-15T22:00:00Z',
           'SEED': root + '/tests/seed-data', 'SAMPLES': root + '/samples', 'TESTS': root + '/tests'}
    out_lines = list(lines)
    shift = 0
    for a, b in list(cases(lines)):
        cmd = lines[a][2:]
        p = subprocess.run(['bash', '-c', cmd], cwd=work, env=env, capture_output=True)
        if a + 1 not in want:
            continue
        new = render(p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace'), p.returncode)
        out_lines[a + 1 + shift:b + shift] = new
        shift += len(new) - (b - a - 1)
    open(path, 'w').write('\n'.join(out_lines))


main()
