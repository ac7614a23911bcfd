"""The page frame: the Japanese brand name is marked as Japanese and never replaces the Latin one."""

from __future__ import annotations


def test_brand_keeps_the_latin_name_and_marks_the_japanese_one(client):
    html = client.get("/login").get_data(as_text=True)
    assert '<span class="brand-ja" lang="ja">架け橋</span> Kakehashi</a>' in html

