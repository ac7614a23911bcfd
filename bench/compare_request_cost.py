"""Before/after table of ``request_cost.py``: runs it alternately on two checkouts, ``--runs`` times each, and
prints the median over the runs of each page's CPU ratio to ``probe-layout`` (and its CPU ms per request).

    .venv/bin/python bench/compare_request_cost.py --before /tmp/main-tree [--after .] [--runs 3]
        [--requests 300] [--rounds 3]

``--before`` is typically ``git archive main | tar -x -C DIR``. The runs alternate (before, after, before, …)
so that a burst of load elsewhere on a shared machine hits both sides alike. Each run is a fresh process
measuring with the same script (this tree's ``request_cost.py``, ``--root`` set to the side's code).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _run(root: Path, args) -> dict[str, float]:
    out = subprocess.run([sys.executable, str(HERE / "request_cost.py"), "--root", str(root), "--requests",
                          str(args.requests), "--rounds", str(args.rounds)],
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True)
    parser.add_argument("--after", type=Path, default=HERE.parent)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sides = {"before": args.before.resolve(), "after": args.after.resolve()}
    runs: dict[str, list[dict[str, float]]] = {side: [] for side in sides}
    for n in range(args.runs):
        for side, root in sides.items():
            runs[side].append(_run(root, args))
            print(f"run {n + 1}/{args.runs} {side} done; load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print(f"before: {sides['before']}\nafter:  {sides['after']}\nmedian of {args.runs} runs per side (each run: "
          f"{args.requests} requests per page, best of {args.rounds} interleaved rounds, CPU time, SQLite)")
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
