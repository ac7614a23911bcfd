"""Route and transaction-boundary statistics (issue 10): not a benchmark of speed, a measure of shape.

Prints, for the application packages (tests, bench, migrations and .venv excluded):
- ``routes``: functions decorated with ``@<blueprint>.route(...)``, and the median / max length of
  their bodies in lines (``def`` line to last line, decorators excluded);
- ``commit sites``: ``.commit()`` calls, in all code and in view modules;
- ``except ServiceError``: handler blocks, in all code and in view modules.

Run from the repository root: ``python bench/route_stats.py``.
"""

from __future__ import annotations

import ast
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {"tests", "bench", "migrations", ".venv", "instance", "node_modules"}


def _files():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in SKIP or rel.parts[0].startswith("."):
            continue
        yield rel, ast.parse(path.read_text(encoding="utf-8"), str(rel))


def _is_view_module(rel: Path) -> bool:
    return rel.name.startswith("views") or "views" in rel.parts[:-1] or rel.name.endswith("_views.py")


def _is_route(fn: ast.FunctionDef) -> bool:
    for dec in fn.decorator_list:
        call = dec if isinstance(dec, ast.Call) else None
        if call and isinstance(call.func, ast.Attribute) and call.func.attr in {"route", "get", "post"}:
            return True
    return False


def _handles_service_error(handler: ast.ExceptHandler) -> bool:
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(isinstance(t, ast.Name) and t.id == "ServiceError"
               or isinstance(t, ast.Attribute) and t.attr == "ServiceError" for t in types)


def collect() -> dict:
    lengths: list[tuple[int, str]] = []
    commits = {"all": 0, "views": 0}
    excepts = {"all": 0, "views": 0}
    for rel, tree in _files():
        view = _is_view_module(rel)
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and _is_route(node):
                lengths.append((node.end_lineno - node.lineno + 1, f"{rel}:{node.name}"))
            elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "commit" and not node.args):
                commits["all"] += 1
                commits["views"] += view
            elif isinstance(node, ast.ExceptHandler) and node.type is not None and _handles_service_error(node):
                excepts["all"] += 1
                excepts["views"] += view
    return {"lengths": sorted(lengths), "commits": commits, "excepts": excepts}


def main() -> int:
    stats = collect()
    lengths = [n for n, _ in stats["lengths"]]
    longest = stats["lengths"][-1] if stats["lengths"] else (0, "-")
    print(f"routes: {len(lengths)}  median length: {statistics.median(lengths):g}  max: {longest[0]} ({longest[1]})")
    print(f"commit sites: {stats['commits']['all']} (in view modules: {stats['commits']['views']})")
    print(f"except ServiceError: {stats['excepts']['all']} (in view modules: {stats['excepts']['views']})")
    if "-v" in sys.argv:
        for n, name in stats["lengths"][-10:]:
            print(f"  {n:4d}  {name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
