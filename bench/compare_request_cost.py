"""Before/after table of ``request_cost.py``: runs it alternately on two checkouts, ``--runs`` times each, and
prints the median over the runs of each page's CPU ratio to ``probe-layout`` (and its CPU ms per request).

    .venv/bin/python bench/compare_request_cost.py --before /tmp/main-tree [--after .] [--runs 3]
        [--requests 300] [--rounds 3] [--pages cohort,cohorts] [--interleave]

``--before`` is typically ``git archive main | tar -x -C DIR``. The runs alternate (before, after, before, …)
so that a burst of load elsewhere on a shared machine hits both sides alike. Each run is a fresh process
measuring with the same script (this tree's ``request_cost.py``, ``--root`` set to the side's code).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(root: Path, args) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(HERE / "request_cost.py"), "--root", str(root), "--requests",
                          str(args.requests), "--rounds", str(args.rounds),
                          *(["--pages", args.pages] if args.pages else [])],
                         capture_output=True, text=True, check=True).stdout
    table, started = {}, False
    for line in out.splitlines():
        if line.startswith("page "):
            started = True
            continue
        if started and line.strip():
            name, cpu, _wall, _hello, _layout = line.split()
            table[name] = float(cpu)
    return table


def _interleaved(sides: dict[str, Path], args) -> dict[str, list[dict[str, float]]]:
    """Both sides set up once (one process each), then ``--runs`` rounds taken alternately, a round of one side
    right after the same round of the other: a slow spell of the shared machine hits both alike."""
    procs = {}
    for side, root in sides.items():
        procs[side] = subprocess.Popen(
            [sys.executable, str(HERE / "request_cost.py"), "--root", str(root), "--requests", str(args.requests),
             "--serve", *(["--pages", args.pages] if args.pages else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    for proc in procs.values():
        while proc.stdout.readline().strip() != "ready":
            pass
    rounds: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    try:
        for n in range(args.runs):
            order = list(procs) if n % 2 == 0 else list(reversed(procs))
            for side in order:
                procs[side].stdin.write("round\n")
                procs[side].stdin.flush()
                rounds[side].append(json.loads(procs[side].stdout.readline()))
    finally:
        for proc in procs.values():
            proc.stdin.close()
            proc.wait()
    return rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=HERE.parent)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--interleave", action="store_true",
                        help="one process per side, set up once; --runs rounds alternating between the sides (for "
                             "comparing two versions on a noisy machine; the acceptance figure is the runs mode's)")
    parser.add_argument("--pages", default=None, help="passed on to request_cost.py: only these pages (and the probes)")
    args = parser.parse_args()
    sides = {"before": args.before.resolve(), "after": args.after.resolve()}
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    if args.interleave:
        runs = _interleaved(sides, args)
        print(f"before: {sides['before']}\nafter:  {sides['after']}\nmedian of {args.runs} rounds per side, the "
              f"two sides' rounds alternating in two long-lived processes (each round: {args.requests} requests "
              f"per page; each page's ratio taken within its round), CPU time, SQLite")
    else:
        for n in range(args.runs):
            for side, root in sides.items():
                runs[side].append(_run(root, args))
                print(f"run {n + 1}/{args.runs} {side} done; load average {os.getloadavg()[0]:.2f}",
                      file=sys.stderr)
        print(f"before: {sides['before']}\nafter:  {sides['after']}\nmedian of {args.runs} runs per side (each "
              f"run: {args.requests} requests per page, best of {args.rounds} interleaved rounds, CPU time, SQLite)")
    print(f"{'page':<12} {'before ms':>10} {'after ms':>9} {'before × layout':>16} {'after × layout':>15}")
    for name in runs["after"][0]:
        cells = []
        for side in sides:
            cpu = statistics.median(r[name] for r in runs[side] if name in r) if any(
                name in r for r in runs[side]) else None
            ratio = statistics.median(r[name] / r["probe-layout"] for r in runs[side] if name in r) if cpu else None
            cells.append((cpu, ratio))
        fmt = [f"{c:.2f}" if c is not None else "—" for c, _r in cells]
        rat = [f"{r:.2f}" if r is not None else "—" for _c, r in cells]
        print(f"{name:<12} {fmt[0]:>10} {fmt[1]:>9} {rat[0]:>16} {rat[1]:>15}")


if __name__ == "__main__":
    main()
