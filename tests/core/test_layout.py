"""The page frame: the Japanese brand name is marked as Japanese and never replaces the Latin one."""

from __future__ import annotations


def test_brand_keeps_the_latin_name_and_marks_the_japanese_one(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<span class="brand-ja" lang="ja">架け橋</span> Kakehashi</a>' in html



def test_no_template_has_an_empty_table_header_cell():
    """axe's empty-table-header: a header cell over buttons or radio buttons still names its column (visually
    hidden when the column speaks for itself)."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    empty = re.compile(r"<th(\s[^>]*)?>\s*</th>")
    offenders = [str(path.relative_to(root)) for path in root.rglob("templates/**/*.html")
                 if ".venv" not in path.parts and empty.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
