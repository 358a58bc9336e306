"""Instructions of the exercises that the checks grade: "without a Python loop", "do not invert H".

* :func:`expect_no_loop` reads the student's function's bytecode: a loop (``for``, ``while``, a
  comprehension) always compiles to a backward jump, in every Python version, whatever the source
  looks like; the function's own code and the code nested in it (comprehensions, inner functions)
  are read, not the functions it calls (numpy's loops are in C and fine).
* :func:`forbid` makes named routines fail while the student's function runs, with a
  :class:`ForbiddenCall` (a :class:`WrongAnswer`) that says which instruction was broken. The routine is
  replaced where the student's function can reach it: on its module (``np.linalg.inv``) and under any
  global name of the student's cell bound to it (``from numpy.linalg import inv``).
"""
from __future__ import annotations

import contextlib
import dis
import importlib
import types
from typing import Callable, Iterator

from ._answers import WrongAnswer

__all__ = ["ForbiddenCall", "expect_no_loop", "forbid", "has_python_loop"]


class ForbiddenCall(WrongAnswer):
    """Raised by a routine the exercise asks the student not to use (also after the call, should the
    student's code have caught the first one)."""


def _codes(code: types.CodeType) -> Iterator[types.CodeType]:
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def has_python_loop(fn: Callable) -> bool:
    """Whether ``fn``'s own code (or code nested in it) contains a loop: a jump to an earlier instruction."""
    code = getattr(getattr(fn, "__func__", fn), "__code__", None)
    if code is None:
        return False
    jumps = set(dis.hasjrel) | set(dis.hasjabs)
    for sub in _codes(code):
        for ins in dis.get_instructions(sub):
            if ins.opname == "FOR_ITER":
                return True
            if ins.opcode in jumps and isinstance(ins.argval, int) and ins.argval <= ins.offset:
                return True
    return False


def expect_no_loop(fn: Callable, instruction: str = "without a Python loop") -> None:
    """A :class:`WrongAnswer` if ``fn`` contains a Python loop although the exercise says ``instruction``."""
    if has_python_loop(fn):
        raise WrongAnswer(
            f"`{getattr(fn, '__name__', 'your function')}` works, but it uses a Python loop (for, while or a "
            f"comprehension), and the exercise asks for it {instruction}.\n"
            "Hint: let numpy do the repetition: apply the formula to whole arrays at once (broadcasting), "
            "as the notebook's examples do.")


def _resolve(path: str):
    module_name, _, attr = path.rpartition(".")
    return importlib.import_module(module_name), attr


@contextlib.contextmanager
def forbid(fn: Callable, routines: dict[str, str]):
    """While the block runs, each routine of ``routines`` (dotted path → the exercise's instruction, e.g.
    ``{"numpy.linalg.inv": "do not invert H: solve the linear system"}``) raises :class:`ForbiddenCall`,
    both on its module and under any global name of ``fn``'s module bound to it."""
    fn_globals = getattr(getattr(fn, "__func__", fn), "__globals__", {})
    restore, broken = [], []
    for path, instruction in routines.items():
        module, attr = _resolve(path)
        original = getattr(module, attr)
        name = path.replace("numpy.", "np.")

        def blocked(*args, _message=f"your function calls {name}, and the exercise says: {instruction}.",
                    **kwargs):
            broken.append(_message)
            raise ForbiddenCall(_message)

        restore.append((module, attr, original))
        setattr(module, attr, blocked)
        for key, value in list(fn_globals.items()):
            if value is original:
                restore.append((fn_globals, key, original))
                fn_globals[key] = blocked
    try:
        yield
    finally:
        for owner, key, original in reversed(restore):
            if isinstance(owner, dict):
                owner[key] = original
            else:
                setattr(owner, key, original)
    if broken:                                  # the student's code caught the ForbiddenCall and went on
        raise ForbiddenCall(broken[0])
