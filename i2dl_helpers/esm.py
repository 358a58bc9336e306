"""Link the browser's ES modules (``widgets/*.js``) into the one module text anywidget and the static site load.

Each ``.js`` file is a real ES module: it imports what it uses from the others by relative path and exports
its API. anywidget loads a single module, so :func:`link` resolves the static import graph from the entry
modules and emits one module in which every file keeps its own scope::

    const __esm_flatprog = (() => {
    const { OPTIMIZER_RULES } = __esm_rules;
    ...flatprog.js, its import statements removed and ``export`` taken off its declarations...
    return Object.freeze({ evaluate, pyfmt, ... });
    })();

so no two files share a top-level name. The entries' named exports become the bundle's own exports (and
top-level names, which a test's appended script may use); the first entry's ``export default`` its default.

Only these forms are understood (anything else that says ``import`` or ``export`` is refused with
:class:`LinkError`, never passed through or cut by pattern):

- ``import { a, b as c } from './x.js';`` and ``import './x.js';`` (run ``x.js`` first, for its effects)
- ``export function f`` / ``export async function f`` / ``export class C`` / ``export const NAME = ...;``
  (one name, ended by ``;``)
- ``export { a, b as c };``
- ``export default <expression>;``

``export let`` and ``export var`` are refused: an importer here gets the value at import time, not a live
binding. Imports must be at the top level, of modules in the same directory or given as ``virtual`` texts
(e.g. the generated ``rules.js``), and must not form a cycle. The lexer knows comments, strings, template
literals (with ``${...}``) and regular expression literals, so an ``import`` in a string or a comment is text.
"""
from __future__ import annotations

import re
from pathlib import Path

from . import formulas
from .optim.rules import browser_prelude

__all__ = ["LinkError", "Module", "formulas_module", "link", "parse", "rules_module"]

PREFIX = "__esm_"
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_SPEC = re.compile(r"\./([A-Za-z0-9_][\w.-]*\.js)")
#: after these tokens a "/" starts a regular expression, not a division
_BEFORE_REGEX = set("(,=:[!&|?{};+-*%<>~^") | {"return", "typeof", "case", "do", "else", "in", "of", "new", "delete",
                                                 "void", "throw", "yield", "await", "instanceof", "=>"}


_SKIP = re.compile(r"(?:\s+|//[^\n]*|/\*.*?\*/)+", re.S)
_STRING = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"", re.S)
#: a template literal's text after its ` (or after the } that closes a ${), up to its end or the next ${
_TEMPLATE_TEXT = re.compile(r"(?:[^`\\$]|\\.|\$(?!\{))*(`|\$\{)", re.S)
_REGEX = re.compile(r"/(?:[^/\\\[\n]|\\.|\[(?:[^\]\\\n]|\\.)*\])+/[A-Za-z]*")
_NUMBER = re.compile(r"\d[\w.]*|\.\d[\w.]*")


class LinkError(ValueError):
    """A module the linker does not understand (an unsupported import or export form, a cycle, ...)."""


class Module:
    """One parsed module: ``body`` (its text without import statements, ``export`` taken off), ``imports``
    [(file, [(imported, local), ...] or None for a bare import)], ``exports`` {exported name: local name}."""

    def __init__(self, name: str, body: str, imports: list, exports: dict):
        self.name, self.body, self.imports, self.exports = name, body, imports, exports


class _Lexer:
    """The significant tokens of a module's text, as (kind, start, end, depth): kind "id", "punct", "str",
    "tpl", "regex" or "num"; depth counts the ( [ { open around the token (a template's ${ counts as one).
    Comments and whitespace are skipped; a / after an operator, an opening bracket or a keyword such as
    ``return`` starts a regular expression, elsewhere it divides."""

    def __init__(self, text: str):
        self.text, self.i, self.depth, self.stack, self.prev = text, 0, 0, [], None

    def __iter__(self):
        while self.i < len(self.text):
            skip = _SKIP.match(self.text, self.i)
            if skip:
                self.i = skip.end()
            elif self.text.startswith("/*", self.i):
                raise LinkError(f"unterminated comment at {self.i}")
            else:
                token = self._next()
                if token:
                    yield token
        if self.depth or self.stack:
            raise LinkError("unbalanced brackets at the end")

    def _next(self):
        c = self.text[self.i]
        if c in "'\"":
            return self._match("str", _STRING)
        if c == "`" or (c == "}" and self.stack and self.stack[-1] == self.depth):
            return self._template(c)
        if c == "/" and (self.prev is None or self.prev in _BEFORE_REGEX):
            return self._match("regex", _REGEX)
        word = _IDENT.match(self.text, self.i)
        if word:
            token = ("id", self.i, word.end(), self.depth)
            self.prev, self.i = word.group(), word.end()
            return token
        if _NUMBER.match(self.text, self.i):
            return self._match("num", _NUMBER)
        return self._punct(c)

    def _match(self, kind: str, pattern):
        m = pattern.match(self.text, self.i)
        if not m:
            raise LinkError(f"unterminated {kind} at {self.i}: {self.text[self.i:self.i + 40]!r}")
        token = (kind, self.i, m.end(), self.depth)
        self.prev, self.i = kind, m.end()
        return token

    def _template(self, c: str):
        start = self.i
        if c == "}":  # the end of a ${...}: the template's text resumes
            self.stack.pop()
            self.depth -= 1
        m = _TEMPLATE_TEXT.match(self.text, self.i + 1)
        if not m:
            raise LinkError(f"unterminated template literal at {start}")
        self.i = m.end()
        if m.group(1) == "`":
            self.prev = "tpl"
            return ("tpl", start, m.end(), self.depth)
        self.depth += 1
        self.stack.append(self.depth)
        self.prev = "{"
        return None

    def _punct(self, c: str):
        width = 2 if self.text.startswith("=>", self.i) else 1
        depth = self.depth
        if c in "([{":
            self.depth += 1
        elif c in ")]}":
            self.depth = depth = self.depth - 1
            if depth < 0:
                raise LinkError(f"unbalanced {c!r} at {self.i}")
        token = ("punct", self.i, self.i + width, depth)
        self.prev, self.i = self.text[self.i:self.i + width], self.i + width
        return token


def _tokens(text: str):
    return iter(_Lexer(text))


def _names(spec: str, what: str, where: str) -> list[tuple[str, str]]:
    """``a, b as c`` -> [("a", "a"), ("b", "c")]."""
    out = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        m = re.fullmatch(r"([A-Za-z_$][\w$]*)(?:\s+as\s+([A-Za-z_$][\w$]*))?", part)
        if not m or "default" in m.groups():
            raise LinkError(f"{where}: unsupported {what} specifier {part!r}")
        out.append((m.group(1), m.group(2) or m.group(1)))
    return out


def _statement(text: str, start: int, where: str) -> int:
    """Where the statement of a ``const`` declaration whose value starts at ``start`` ends (after its ``;``);
    a comma at its own level (a second name) is refused."""
    for kind, i, j, depth in _tokens(text[start:]):
        word = text[start + i:start + j]
        if depth or kind not in ("punct", "id"):
            continue
        if word == ";":
            return start + j
        if word == ",":
            raise LinkError(f"{where}: export one name per 'export const' ({text[start:start + j]!r})")
        if word in ("import", "export"):
            break
    raise LinkError(f"{where}: end 'export const' with ';' ({text[start:start + 60]!r})")


def _import(rest: str, where: str, imports: list) -> tuple[int, str]:
    """An import statement at the start of ``rest``: recorded in ``imports``; (its length, its replacement)."""
    m = re.match(r"import\s*\{([^}]*)\}\s*from\s*(['\"])(.*?)\2\s*;", rest)
    bare = None if m else re.match(r"import\s*()(['\"])(.*?)\2\s*;", rest)
    m = m or bare
    if not m:
        raise LinkError(f"{where}: unsupported import form {rest[:60]!r} "
                        "(only: import { a, b as c } from './x.js'; and import './x.js';)")
    spec = _SPEC.fullmatch(m.group(3))
    if not spec:
        raise LinkError(f"{where}: unsupported module specifier {m.group(3)!r} (only './name.js')")
    imports.append((spec.group(1), None if bare else _names(m.group(1), "import", where)))
    return m.end(), ""


def _export(rest: str, where: str, exports: dict, text: str, at: int) -> tuple[int, str]:
    """An export statement at the start of ``rest`` (``text[at:]``): recorded in ``exports``; (the length
    of its part that goes, its replacement)."""
    m = re.match(r"export\s+(?:async\s+)?function\s*([A-Za-z_$][\w$]*)\s*\(", rest) \
        or re.match(r"export\s+class\s+([A-Za-z_$][\w$]*)[\s{]", rest)
    if m:
        exports[m.group(1)] = m.group(1)
        return len("export "), ""
    m = re.match(r"export\s+const\s+([A-Za-z_$][\w$]*)\s*=", rest)
    if m:
        _statement(text, at + m.end(), where)
        exports[m.group(1)] = m.group(1)
        return len("export "), ""
    m = re.match(r"export\s*\{([^}]*)\}\s*;", rest)
    if m:
        exports.update({exported: local for local, exported in _names(m.group(1), "export", where)})
        return m.end(), ""
    m = re.match(r"export\s+default\s+(?!(?:async\s+)?function\b|class\b)", rest)
    if m:
        exports["default"] = f"{PREFIX}default"
        return m.end(), f"const {PREFIX}default = "
    raise LinkError(f"{where}: unsupported export form {rest[:60]!r} (export let/var, export *, "
                    "export ... from and export default function/class are not supported)")


def parse(name: str, text: str) -> Module:
    """The module ``name`` (its file name, for messages) of source ``text``, or :class:`LinkError`."""
    if PREFIX in text:
        raise LinkError(f"{name}: the name prefix {PREFIX} is the linker's")
    imports, exports, body, at, prev = [], {}, [], 0, None
    for kind, i, j, depth in _tokens(text):
        word, after_dot = text[i:j], prev == "."
        prev = word if kind in ("punct", "id") else kind
        if kind != "id" or word not in ("import", "export") or after_dot:
            continue
        where = f"{name}:{text.count(chr(10), 0, i) + 1}"
        if word == "import" and re.match(r"import\s*[(.]", text[i:]):
            raise LinkError(f"{where}: dynamic import() and import.meta are not supported")
        if depth:
            raise LinkError(f"{where}: '{word}' inside a block or expression is not supported")
        if word == "import":
            length, replacement = _import(text[i:], where, imports)
        else:
            length, replacement = _export(text[i:], where, exports, text, i)
        body.append(text[at:i] + replacement)
        at = i + length
    body.append(text[at:])
    return Module(name, "".join(body), imports, exports)


def _order(entries, load) -> list[Module]:
    """The modules reachable from ``entries``, each after the modules it imports."""
    done, visiting, out = {}, [], []

    def visit(name):
        if name in done:
            return
        if name in visiting:
            raise LinkError("import cycle: " + " -> ".join(visiting[visiting.index(name):] + [name]))
        visiting.append(name)
        module = load(name)
        for dep, names in module.imports:
            visit(dep)
            missing = [n for n, _ in names or () if n not in done[dep].exports]
            if missing:
                raise LinkError(f"{name} imports {missing} which {dep} does not export")
        visiting.pop()
        done[name] = module
        out.append(module)

    for entry in entries:
        visit(entry)
    return out


def _var(name: str) -> str:
    return PREFIX + re.sub(r"\W", "_", name[:-3] if name.endswith(".js") else name)


def _wrap(m: Module) -> str:
    """A module as a constant of the bundle: its body in a function of its own, the imports destructured
    from the modules before it, its exports the frozen object the function returns."""
    head = "".join(f"const {{ {', '.join(n if n == local else f'{n}: {local}' for n, local in names)} }} = "
                   f"{_var(dep)};\n" for dep, names in m.imports if names)
    fields = ", ".join(e if e == local else f"{e}: {local}" for e, local in m.exports.items())
    return (f"// ---- {m.name} ----\nconst {_var(m.name)} = (() => {{\n{head}{m.body.rstrip()}\n"
            f"return Object.freeze({{ {fields} }});\n}})();\n")


def _tail(entries: list, by_name: dict) -> list[str]:
    """The bundle's exports: the entries' named exports (no name twice), the first entry's default."""
    parts, shown = [], {}
    for entry in entries:
        names = [e for e in by_name[entry].exports if e != "default"]
        clash = [n for n in names if n in shown]
        if clash:
            raise LinkError(f"{entry} and {shown[clash[0]]} both export {clash}")
        shown.update({n: entry for n in names})
        if names:
            parts.append(f"export const {{ {', '.join(names)} }} = {_var(entry)};\n")
    if "default" in by_name[entries[0]].exports:
        parts.append(f"export default {_var(entries[0])}.default;\n")
    return parts


def link(entries, directory: Path | str, virtual: dict[str, str] | None = None) -> str:
    """One ES module running ``entries`` (file names in ``directory``) and everything they import, each in
    its own scope. ``virtual``: module texts by file name that are not files (e.g. generated ones)."""
    virtual = dict(virtual or {})
    entries = [entries] if isinstance(entries, str) else list(entries)

    def load(name):
        if name in virtual:
            return parse(name, virtual[name])
        path = Path(directory) / name
        if not path.is_file():
            raise LinkError(f"no module {name!r} in {directory}")
        return parse(name, path.read_text(encoding="utf-8"))

    modules = _order(entries, load)
    if len({_var(m.name) for m in modules}) < len(modules):
        raise LinkError("two modules whose names differ only in punctuation")
    return "".join([_wrap(m) for m in modules] + _tail(entries, {m.name: m for m in modules}))


def rules_module(rules=None) -> dict[str, str]:
    """The generated module ``rules.js`` (``{"rules.js": text}``, a ``virtual`` of :func:`link`): the update
    rules' declarations as the constant ``OPTIMIZER_RULES`` (``optim.rules.browser_prelude(rules)``)."""
    return {"rules.js": browser_prelude(rules) + "export { OPTIMIZER_RULES };\n"}


def formulas_module(roots) -> dict[str, str]:
    """The generated module ``formulas_data.js`` (``{"formulas_data.js": text}``, a ``virtual`` of :func:`link`):
    the formulas ``roots`` and those they call (:mod:`i2dl_helpers.formulas`) as the constant ``FORMULAS``,
    which ``widgets/formulas.js`` interprets."""
    return {"formulas_data.js": formulas.browser_prelude(roots) + "export { FORMULAS };\n"}
