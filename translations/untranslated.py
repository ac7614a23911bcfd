"""List the Japanese entries that still need work: untranslated, fuzzy, or with changed placeholders.

Usage (from the repository root): /work/main/.venv/bin/python translations/untranslated.py [LANG]
Exit status 1 when anything is listed, 0 when the catalogue is complete.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from babel.messages.pofile import read_po

HERE = Path(__file__).resolve().parent
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrs%]")


def problems(lang: str = "ja") -> list[str]:
    with (HERE / "messages.pot").open("rb") as fh:
        template = [m for m in read_po(fh) if m.id]
    with (HERE / lang / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalogue = read_po(fh)
    found = []
    for message in template:
        ids = message.id if isinstance(message.id, (list, tuple)) else (message.id,)
        entry = catalogue.get(ids[0])
        forms = () if entry is None else (entry.string if isinstance(entry.string, (list, tuple)) else (entry.string,))
        if entry is None or not all(forms) or not forms:
            found.append(f"untranslated: {ids[0]!r}")
        elif entry.fuzzy:
            found.append(f"fuzzy: {ids[0]!r} -> {forms[0]!r}")
        else:
            want = Counter(PLACEHOLDER.findall(ids[0]))
            for form in forms:
                if Counter(PLACEHOLDER.findall(form)) != want or form.count("%") != ids[0].count("%"):
                    found.append(f"placeholders: {ids[0]!r} -> {form!r}")
    return found


if __name__ == "__main__":
    listed = problems(sys.argv[1] if len(sys.argv) > 1 else "ja")
    print("\n".join(listed) or "complete")
    sys.exit(1 if listed else 0)
