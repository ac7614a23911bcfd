"""Every uploaded workbook goes through the one guarded reader (issue 10 part 3, issue 13 item 2)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READER = ROOT / "core" / "spreadsheets" / "reader.py"
SKIP = {"tests", "bench", "migrations", "docs", "node_modules", "static", "templates", "translations"}
FORBIDDEN = {"load_workbook", "python_calamine", "CalamineWorkbook", "pandas.read_excel", "read_excel"}


def _application_modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if parts[0] in SKIP or parts[0].startswith(".") or path == READER:
            continue
        yield path


def _uses(tree: ast.AST) -> set[str]:
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.split(".")[0] in FORBIDDEN}
        elif isinstance(node, ast.ImportFrom):
            if (node.module or "").split(".")[0] in FORBIDDEN:
                found.add(node.module)
            found |= {alias.name for alias in node.names if alias.name in FORBIDDEN}
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN:
            found.add(node.attr)
        elif isinstance(node, ast.Name) and node.id in FORBIDDEN:
            found.add(node.id)
    return found


def test_no_module_but_the_reader_opens_a_workbook_itself():
    offenders = {str(path.relative_to(ROOT)): sorted(uses) for path in _application_modules()
                 if (uses := _uses(ast.parse(path.read_text(encoding="utf-8"))))}
    assert offenders == {}, "open uploaded workbooks with core.spreadsheets.read_workbook_upload / open_workbook_upload"


def test_the_check_sees_a_direct_call():
    assert _uses(ast.parse("from openpyxl import load_workbook\nload_workbook(x)")) == {"load_workbook"}
    assert _uses(ast.parse("import python_calamine")) == {"python_calamine"}
    assert _uses(ast.parse("import openpyxl\nopenpyxl.load_workbook(b)")) == {"load_workbook"}
    assert _uses(ast.parse("import pandas as pd\npd.read_excel(b)")) == {"read_excel"}


def test_the_xlsx_content_type_is_defined_once():
    text = "spreadsheetml" + ".sheet"
    places = [str(p.relative_to(ROOT)) for p in _application_modules() if text in p.read_text(encoding="utf-8")]
    assert places == [], places  # only core/spreadsheets/reader.py (skipped above) defines XLSX_MIME
