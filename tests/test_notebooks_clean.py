"""Notebooks are committed without outputs, open with what the student will learn, link onwards."""
import json
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[1]
#: the student notebooks and the instructor notebooks they are made from
NOTEBOOKS = sorted([*(_ROOT / "notebooks").glob("*.ipynb"), *(_ROOT / "source" / "scaling_optimization").glob("*.ipynb")])


def test_there_are_notebooks():
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_committed_without_outputs(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"cell {i} has stored outputs: run `python3 course.py strip`"
            assert cell.get("execution_count") is None, f"cell {i} has an execution count"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_opens_with_what_you_will_learn_and_has_asserts(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    first = "".join(nb["cells"][0]["source"])
    assert first.startswith("# "), "the first cell is a title"
    assert "What you'll learn" in first and "What you need" in first
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    assert "assert " in code, "key numbers are checked by assert cells"
    assert path.name[:2].isdigit(), "notebooks are numbered NN_topic.ipynb"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_links_to_other_notebooks_resolve(path):
    import re

    text = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                     if c["cell_type"] == "markdown")
    for target in re.findall(r"\]\(([^)#]+\.ipynb)", text):
        assert (path.parent / target).exists(), f"{path.name} links to missing {target}"
