"""Event iteration from Python: the t.events() iterator (one Python object per
event) against the numpy columns of t.thread() (timestamps() and event_ids(),
filled in C++ in one pass), over one thread of a trace of at least 1M events.
Every path is timed in the same run and the ratios printed come from it.

Runner (repository root, after
`make -C build rondo_python rondo_cli rondo-compiler nested_loops`):

    /usr/bin/python3 bench/python/bench_events.py --build build

records examples/c_loops/nested_loops with 120000 steps (about 1.1M events) in
a temporary directory. With a trace of your own:

    PYTHONPATH=build/python /usr/bin/python3 bench/python/bench_events.py TRACE [--rank R] [--thread T]

Paths timed (best of --repeat runs, each from a freshly opened trace so that
nothing decoded is reused):
  iterate        for e in t.events(): read e.time_ns
  iterate+count  the same, counting ENTER events of the busiest region
  numpy          t.thread().timestamps() and event_ids()
  numpy+count    the same, then the count with numpy (np.isin on event ids)
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("trace", nargs="?", help="trace directory (default: record nested_loops)")
    p.add_argument("--build", default="build", help="build directory (for the rondo module and the recording)")
    p.add_argument("--steps", type=int, default=120000, help="nested_loops steps when recording (9.2 events each)")
    p.add_argument("--rank", type=int, default=0)
    p.add_argument("--thread", type=int, default=0)
    p.add_argument("--repeat", type=int, default=3)
    return p.parse_args()


def record(build, steps, where):
    out = os.path.join(where, "trace")
    cli = os.path.join(build, "cli", "rondo")
    program = os.path.join(build, "examples", "nested_loops")
    subprocess.run([cli, "record", "-o", out, "--", program, str(steps)], check=True, stdout=subprocess.DEVNULL)
    return out


def best_of(repeat, fn):
    """(best seconds, result) of `repeat` calls."""
    best, result = None, None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - start
        best = elapsed if best is None else min(best, elapsed)
    return best, result


def main():
    args = parse_args()
    sys.path.insert(0, os.path.join(os.path.abspath(args.build), "python"))
    import numpy as np
    import rondo

    with tempfile.TemporaryDirectory(prefix="rondo-bench-") as tmp:
        trace = args.trace or record(args.build, args.steps, tmp)
        probe = rondo.open(trace)
        n = probe.thread(args.rank, args.thread).event_count
        defs = probe.event_defs(args.rank, args.thread)
        busiest = probe.profile().sort_values("calls", ascending=False)["name"].iloc[0]
        enter_ids = defs[(defs["kind"] == "ENTER") & (defs["region"] == busiest)]["id"].to_numpy()
        if n < 1_000_000:
            print("warning: %d events, fewer than 1M" % n, file=sys.stderr)

        def iterate():
            count = 0
            for e in rondo.open(trace).events(args.rank, args.thread):
                e.time_ns
                count += 1
            return count

        def iterate_count():
            enters = 0
            for e in rondo.open(trace).events(args.rank, args.thread):
                e.time_ns
                if e.kind == "ENTER" and e.region == busiest:
                    enters += 1
            return enters

        def columns():
            th = rondo.open(trace).thread(args.rank, args.thread)
            th.event_ids()
            return len(th.timestamps())

        def columns_count():
            th = rondo.open(trace).thread(args.rank, args.thread)
            th.timestamps()
            return int(np.isin(th.event_ids(), enter_ids).sum())

        results = {}
        for name, fn in (("iterate", iterate), ("iterate+count", iterate_count), ("numpy", columns),
                         ("numpy+count", columns_count)):
            results[name] = best_of(args.repeat, fn)

        assert results["iterate"][1] == n and results["numpy"][1] == n, "paths saw different event counts"
        assert results["iterate+count"][1] == results["numpy+count"][1], "paths counted differently"
        print("trace %s, rank %d thread %d: %d events; count: %d ENTER %s (best of %d)" %
              (trace if args.trace else "nested_loops %d steps" % args.steps, args.rank, args.thread, n,
               results["numpy+count"][1], busiest, args.repeat))
        print("%-14s %10s %14s" % ("path", "seconds", "events/s"))
        for name, (seconds, _) in results.items():
            print("%-14s %10.4f %14.0f" % (name, seconds, n / seconds))
        print("numpy / iterate:             %.1fx" % (results["iterate"][0] / results["numpy"][0]))
        print("numpy+count / iterate+count: %.1fx" % (results["iterate+count"][0] / results["numpy+count"][0]))


if __name__ == "__main__":
    main()
