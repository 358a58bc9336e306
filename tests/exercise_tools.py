"""Read the exercises of the instructor notebooks (nbgrader markup) for the exercise tests.

An exercise is a solution cell (nbgrader ``solution: true``, grade_id ``nbNN_name``) followed by one
or more autograded test cells (``grade: true``, grade_id ``nbNN_name_test…``) that call a check of
``i2dl_helpers.exercises``. Solution and test cells are self-contained: they need nothing from the
notebook but imports, so each exercise can be executed on its own (see ``run_exercise``).

Wrong answers for the mutation and grading tests live in ``tests/mutants/nbNN.py`` (module ``mutants.nbNN``) as
``MUTANTS = {"nbNN_name": ["<replacement for the solution region>", ...]}``.
"""
from __future__ import annotations

import importlib
import json
import re
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "source" / "scaling_optimization"
STUDENT = ROOT / "notebooks"
SOURCE_NOTEBOOKS = sorted(SOURCE.glob("[0-9]*.ipynb"))

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
#: what nbgrader puts in place of a solution region (nbgrader_config.py's code stub)
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def source_of(cell: dict) -> str:
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@dataclass
class Exercise:
    notebook: str
    grade_id: str
    solution: str                      # the solution cell's source, markers included
    tests: list[tuple[str, str, float]] = field(default_factory=list)  # (grade_id, source, points)

    @property
    def is_implementation(self) -> bool:
        """The student writes code (a function), not just a number."""
        return bool(re.search(r"^\s*def \w+\(", self.solution, re.M))

    def solution_region(self) -> str:
        return region(self.solution)

    def with_region(self, body: str) -> str:
        """The solution cell with its solution region replaced by ``body`` (re-indented)."""
        lines = self.solution.splitlines()
        b = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
        e = next(i for i, line in enumerate(lines) if line.strip() == END)
        indent = re.match(r"\s*", lines[b]).group(0)
        new = textwrap.indent(textwrap.dedent(body).strip("\n"), indent).splitlines()
        return "\n".join(lines[:b] + new + lines[e + 1:])

    def student_version(self) -> str:
        return self.with_region(STUB)


def region(src: str) -> str:
    lines = src.splitlines()
    b = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
    e = next(i for i, line in enumerate(lines) if line.strip() == END)
    return textwrap.dedent("\n".join(lines[b + 1:e]))


def nbgrader_meta(cell: dict) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def exercises(path: Path) -> list[Exercise]:
    nb = load(path)
    found: list[Exercise] = []
    for cell in nb["cells"]:
        meta = nbgrader_meta(cell)
        if cell["cell_type"] != "code":
            continue
        if meta.get("solution") and not meta.get("grade"):
            found.append(Exercise(path.name, meta["grade_id"], source_of(cell)))
        elif meta.get("grade") and not meta.get("solution"):
            if not found:
                raise AssertionError(f"{path.name}: test cell {meta.get('grade_id')} before any solution cell")
            found[-1].tests.append((meta["grade_id"], source_of(cell), float(meta.get("points", 0))))
    return found


def all_exercises() -> list[Exercise]:
    return [ex for path in SOURCE_NOTEBOOKS for ex in exercises(path)]


def _recorded(ex: Exercise, table: str) -> list[str]:
    module = f"mutants.{ex.grade_id.split('_')[0]}"
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError:
        return []
    return list(getattr(mod, table, {}).get(ex.grade_id, []))


def mutants(ex: Exercise) -> list[str]:
    """The wrong answers recorded for ``ex`` in tests/mutants/nbNN.py (``MUTANTS``)."""
    return _recorded(ex, "MUTANTS")


def variants(ex: Exercise) -> list[str]:
    """Right answers in another style recorded for ``ex`` in tests/mutants/nbNN.py (``VARIANTS``):
    a list for a tuple, a loop for a vectorised line, numpy scalars, an in-place update…"""
    return _recorded(ex, "VARIANTS")


CHECK_CALL = re.compile(r"^(nb\d\d)\.(check_\w+)\((\w+)", re.M)


def checks_of(ex: Exercise) -> list[tuple[str, str, str]]:
    """The checks the test cells call, as (module, check function, student function name), once each."""
    found = []
    for _, src, _ in ex.tests:
        for call in CHECK_CALL.findall(src):
            if call not in found:
                found.append(call)
    return found


def load_function(ex: Exercise, body: str | None, name: str):
    """The student's function ``name`` defined by the solution cell with its region replaced by ``body``
    (the solution itself when ``body`` is None), in a fresh namespace."""
    import contextlib
    import io

    ns: dict = {"__name__": "__exercise__"}
    code = ex.solution if body is None else ex.with_region(body)
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile("import numpy as np\n" + code, f"<{ex.grade_id}>", "exec"), ns)
    return ns[name]


def run_exercise(solution_code: str, test_codes: list[str]) -> list[BaseException | None]:
    """Execute one exercise in a fresh namespace; the outcome of each test cell (None = passed)."""
    import contextlib
    import io

    ns: dict = {"__name__": "__exercise__"}
    outcomes: list[BaseException | None] = []
    with contextlib.redirect_stdout(io.StringIO()):
        try:
            exec(compile("import numpy as np\n" + solution_code, "<solution>", "exec"), ns)
        except Exception as exc:  # a stub at top level raises here
            return [exc] * len(test_codes)
        for code in test_codes:
            try:
                exec(compile(code, "<test>", "exec"), ns)
                outcomes.append(None)
            except Exception as exc:
                outcomes.append(exc)
    return outcomes
