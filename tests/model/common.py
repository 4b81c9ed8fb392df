"""What the model tests under tests/model share: their command line and
their loop over seeds.

Every model test takes
  --seed N        run this one seed
  --seeds K       the seeds 1..K instead of the test's fixed seeds
  --steps N       steps per seed (the test's default when absent or 0)
  --soak [S]      random seeds until S seconds have passed
  --seconds S     the soak time, as an option of its own
  -v, --verbose   print every step and command, where the test can
and prints "NAME: P passed, F failed" last, one count per seed; the exit
status is 1 when a seed failed, 2 for a bad command line.
"""
import argparse
import os
import random
import time


def parse(name, argv, seconds, extra=()):
    """The options of argv (without the program name): an argparse
    namespace whose soak is True or False and whose seconds is the soak
    time. extra lists (flags, kwargs) of options only this test takes.
    A bad command line prints the usage and exits 2."""
    ap = argparse.ArgumentParser(prog=name + ".py")
    ap.add_argument("--seed", type=int, help="run this one seed")
    ap.add_argument("--seeds", type=int, help="the seeds 1..K instead of the fixed ones")
    ap.add_argument("--steps", type=int, default=0, help="steps per seed")
    ap.add_argument("--soak", nargs="?", type=float, const=True, default=False, metavar="S",
                    help="random seeds until S seconds have passed (default %g)" % seconds)
    ap.add_argument("--seconds", type=float, help="the soak time")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every step and command")
    for flags, kw in extra:
        ap.add_argument(*flags, **kw)
    a = ap.parse_args(argv)
    # "--soak 30" gives a float; a bare "--soak" gives True
    if a.seconds is None:
        a.seconds = a.soak if a.soak is not True and a.soak is not False else seconds
    a.soak = a.soak is not False
    return a


def aggr_bin(name):
    """The absolute path of $AGGR_BIN, or None after printing why and a
    "0 passed, 1 failed" line."""
    aggr = os.environ.get("AGGR_BIN")
    if not aggr:
        print("%s: set AGGR_BIN to the aggr binary" % name)
        print("%s: 0 passed, 1 failed" % name)
        return None
    return os.path.abspath(aggr)


def seeds(a, fixed):
    """The seeds to run: --seed's, the random ones of a soak (until its
    time is up; a soak checks the clock before each seed), 1..--seeds, or
    fixed."""
    if a.seed is not None:
        yield a.seed
    elif a.soak:
        master = random.SystemRandom()
        t_end = time.time() + a.seconds
        while time.time() < t_end:
            yield master.getrandbits(32)
    elif a.seeds:
        yield from range(1, a.seeds + 1)
    else:
        yield from fixed


def run(name, a, fixed, one, summary=None):
    """Calls one(seed) for every seed of seeds(a, fixed); one prints its
    own "ok"/"not ok" lines and returns whether the seed passed.
    summary(passed, failed), if given, prints lines before the last one.
    Returns the exit status: 0 when every seed passed, else 1."""
    passed = failed = 0
    for seed in seeds(a, fixed):
        if one(seed):
            passed += 1
        else:
            failed += 1
    if summary:
        summary(passed, failed)
    print("%s: %d passed, %d failed" % (name, passed, failed))
    return 1 if failed else 0


def again(argv0, seed, *more):
    """The line that runs one seed again."""
    return "  again: AGGR_BIN=%s python3 %s --seed %d%s" % (
        os.environ.get("AGGR_BIN"), argv0, seed, "".join(" " + m for m in more))

