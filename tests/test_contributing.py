"""CONTRIBUTING.md's explorer example runs as written (so the guide cannot rot)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_explorer_example_in_contributing_runs():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    section = text[text.index("## Adding an explorer"):text.index("## Adding a notebook")]
    (code,) = re.findall(r"```python\n(.*?)```", section, re.S)
    scope: dict = {"__name__": "contributing_example"}
    exec(compile(code, "CONTRIBUTING.md", "exec"), scope)
    explorer = scope["explorer"]
    assert explorer.error_text == ""
    explorer.controls["steps"].value = 3         # a declared redraw control: a full redraw, no error
    assert explorer.error_text == ""
    explorer.close()
