"""The first answers a Python user gets from a freshly opened trace:
rondo.open(T) then t.profile(), t.call_tree() or t.loops() (each a pandas
DataFrame), best of --repeat runs, each from a new rondo.open() so that
nothing decoded is reused. With --baseline-seconds S (the OTF2 reader's flat
profile of the same trace's export, measured in the same run by
bench/analysis/bench_analysis, which bench/analysis/run_analysis_bench.sh
passes here) each time is also printed as the ratio S / time. Issue 13's
target for t.profile(): at least 100x.

    PYTHONPATH=build/python /usr/bin/python3 bench/python/bench_answers.py TRACE [--baseline-seconds S]

pandas is imported before the first timing: its import (about 0.3 s) is paid
once per Python session, not per answer. Nothing here asserts a timing.
"""
import argparse
import os
import sys
import time


def best_of(repeat, answer):
    best = float("inf")
    rows = 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = len(answer())
        best = min(best, time.perf_counter() - start)
    return best, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace")
    parser.add_argument("--baseline-seconds", type=float, default=0.0)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import pandas  # noqa: F401 - imported once, before the timings (see above)
    import rondo

    print(f"Python answers from a fresh rondo.open() of {os.path.basename(args.trace.rstrip('/'))}, "
          f"best of {args.repeat} (open included)")
    header = f"  {'what':<34} {'seconds':>10} {'rows':>6}"
    if args.baseline_seconds > 0:
        header += f" {'OTF2/Rondo':>11}"
    print(header)
    for label, method in [("t.profile()", "profile"), ("t.call_tree()", "call_tree"), ("t.loops()", "loops")]:
        seconds, rows = best_of(args.repeat, lambda: getattr(rondo.open(args.trace), method)())
        line = f"  {'rondo.open(T).' + label[2:]:<34} {seconds:>10.4f} {rows:>6}"
        if args.baseline_seconds > 0:
            line += f" {args.baseline_seconds / seconds:>10.1f}x"
        print(line)
    if args.baseline_seconds > 0:
        print(f"  (OTF2 reader's flat profile of the export: {args.baseline_seconds:.4f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
