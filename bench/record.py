"""Write one bench script's section of bench/RESULTS.md (`## <name>`), keeping the others.

Several scripts share the file, so the section is replaced in the text read just before the
write, and the file is replaced atomically (temp file, then os.replace).
"""
from __future__ import annotations

import re
from pathlib import Path

from rsi.atomic import write_text_atomic

RESULTS = Path(__file__).with_name("RESULTS.md")


def record_section(name: str, command: str, body: str) -> None:
    """Replace (or append) the section `## name` with the command that produced it and `body`."""
    section = f"## {name}\n\nCommand: `{command}`\n\n{body.strip()}\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else "# Benchmark results\n"
    pattern = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + section
    write_text_atomic(RESULTS, text.rstrip("\n") + "\n", create_parents=True)
