"""A blank page to run the widgets' JavaScript in: Chromium's, or Node.js's (the same V8 engine).

The parity tests (``test_flatprog_parity.py``, ``test_basin_parity.py``, ``test_scenes.py``) load the
browser half of the explorers into an empty page and call its functions: they need a JavaScript
engine, not a page. :class:`NodePage` offers the part of Playwright's ``Page`` they use
(``set_content``, ``add_script_tag``, ``wait_for_function``, ``evaluate``) on one Node.js process, so
they run in the quick tier (no browser) too. ``page.evaluate`` returns what Playwright returns for
the values these tests exchange: numbers (NaN, ±Infinity and −0 included), strings, booleans, null /
undefined (None), arrays and plain objects.

The engine of a run (``tests/browser/conftest.py``'s ``js_engine``): Chromium when the run drives the
browser anyway (it selected a ``browser`` test) and Chromium is installed, Node.js otherwise;
``I2DL_JS_ENGINE=chromium`` or ``=node`` chooses.
"""
from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

#: the driver: one request per line on stdin ({id, op, ...}), one answer per line on stdout
_DRIVER = r"""
import {createInterface} from 'node:readline';
import {writeFileSync} from 'node:fs';
import {pathToFileURL} from 'node:url';
import vm from 'node:vm';

globalThis.window = globalThis;
const dir = process.argv[2];
let modules = 0;

__ENCODE__
async function handle(req) {
  if (req.op === 'module') {  // an ES module, as <script type="module"> loads it
    const file = `${dir}/module${modules++}.mjs`;
    writeFileSync(file, req.source);
    await import(pathToFileURL(file).href);
    return null;
  }
  if (req.op === 'script') {  // a classic script, in the global scope
    vm.runInThisContext(req.source);
    return null;
  }
  // evaluate: a function expression is called with the argument, anything else is evaluated
  const value = (0, eval)(`(${req.expression})`);
  return encode(typeof value === 'function' ? await value(req.arg) : await value);
}

const lines = createInterface({input: process.stdin, crlfDelay: Infinity});
for await (const line of lines) {
  const req = JSON.parse(line, decode);
  let answer;
  try {
    answer = {id: req.id, value: await handle(req)};
  } catch (err) {
    answer = {id: req.id, error: String(err && err.stack || err)};
  }
  process.stdout.write(JSON.stringify(answer) + '\n');
}
// stdin closed (NodePage.close): end now, not when the page's timers (a coalescer's, say) have all run
process.exit(0);
"""

#: the page's half of the transport both engines share: numbers JSON cannot carry (and undefined) as tagged
#: objects, which ``_decode`` turns back, and the reviver that turns Python's tagged floats (``_encode``) back
_ENCODE = r"""// numbers JSON cannot carry (and undefined) as tagged objects; Python turns them back
const encode = (v) => {
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return {__js__: 'NaN'};
    if (v === Infinity) return {__js__: 'Infinity'};
    if (v === -Infinity) return {__js__: '-Infinity'};
    if (Object.is(v, -0)) return {__js__: '-0'};
    return v;
  }
  if (v === undefined || typeof v === 'function' || typeof v === 'symbol') return null;
  if (typeof v === 'bigint') return {__js__: 'bigint', value: v.toString()};
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return Array.from(v, encode);
  if (v !== null && typeof v === 'object') {
    const out = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encode(x);
    return out;
  }
  return v;
};

const SPECIAL = {'NaN': NaN, 'Infinity': Infinity, '-Infinity': -Infinity, '-0': -0};
const decode = (key, v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && v.__js__ in SPECIAL
                            && Object.keys(v).length === 1 ? SPECIAL[v.__js__] : v);
"""
_DRIVER = _DRIVER.replace("__ENCODE__\n", _ENCODE)

_SPECIAL = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf, "-0": -0.0}


def node_path() -> str | None:
    """Node.js (``$I2DL_NODE``, or ``node`` / ``nodejs`` on the PATH)."""
    for candidate in (os.environ.get("I2DL_NODE"), shutil.which("node"), shutil.which("nodejs")):
        if candidate and Path(candidate).exists():
            return candidate
    return None


class JSError(RuntimeError):
    """An exception thrown by the page's JavaScript (the message carries its stack)."""


def _decode(value):
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        tag = value.get("__js__")
        if tag is not None and len(value) <= 2:
            return int(value["value"]) if tag == "bigint" else _SPECIAL[tag]
        return {k: _decode(v) for k, v in value.items()}
    return value


def _encode(value):
    """Python's argument as JSON: the floats JSON cannot carry as tagged objects (the driver's ``decode``)."""
    if isinstance(value, float) and (not math.isfinite(value) or (value == 0 and math.copysign(1, value) < 0)):
        return {"__js__": "NaN" if math.isnan(value) else "-0" if value == 0 else
                "Infinity" if value > 0 else "-Infinity"}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value


#: ``PackedPage.evaluate``'s function in the page: the argument and the answer cross as one JSON text each
_PACKED = ("async ([expression, arg]) => {\n" + _ENCODE + """
  const value = (0, eval)(`(${expression})`);
  const given = JSON.parse(arg, decode);
  return JSON.stringify(encode(typeof value === 'function' ? await value(given) : await value));
}""")


class PackedPage:
    """A Playwright ``Page`` whose ``evaluate`` carries the argument and the answer as one JSON text each,
    in :class:`NodePage`'s encoding (NaN, ±Infinity and −0 tagged): the same values come back. Playwright
    checks every element of a structured answer against its protocol in Python; for the parity tests'
    answers (tens of thousands of numbers) that cost more CPU than the JavaScript they test. Everything
    else is the page's own."""

    def __init__(self, page):
        self._page = page

    def __getattr__(self, name):
        return getattr(self._page, name)

    def evaluate(self, expression: str, arg=None):
        text = self._page.evaluate(_PACKED, [expression, json.dumps(_encode(arg), allow_nan=False)])
        return _decode(json.loads(text))


class NodePage:
    """The Playwright ``Page`` methods the parity tests use, on a Node.js process (one per page)."""

    def __init__(self, node: str):
        self._dir = tempfile.mkdtemp(prefix="i2dl-node-page-")
        driver = Path(self._dir) / "driver.mjs"
        driver.write_text(_DRIVER, encoding="utf-8")
        self._proc = subprocess.Popen([node, str(driver), self._dir], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                      encoding="utf-8", bufsize=1)
        self._next = 0

    def _ask(self, **request):
        self._next += 1
        request["id"] = self._next
        try:
            self._proc.stdin.write(json.dumps(_encode(request), allow_nan=False) + "\n")
            self._proc.stdin.flush()
            line = self._proc.stdout.readline()
        except (BrokenPipeError, OSError):
            line = ""
        if not line:
            raise JSError(f"Node.js stopped:\n{self._proc.stderr.read()[-3000:]}")
        answer = json.loads(line)
        if "error" in answer:
            raise JSError(answer["error"])
        return _decode(answer["value"])

    # -- the Page API ---------------------------------------------------------------------------
    def set_content(self, html: str) -> None:
        """A blank page has nothing to show: only an empty document is accepted."""
        if "<script" in html.lower() or "http-equiv" in html.lower():
            raise ValueError("NodePage has no document: load scripts with add_script_tag")

    def add_script_tag(self, *, content: str, type: str = "") -> None:  # noqa: A002 (Playwright's name)
        self._ask(op="module" if type == "module" else "script", source=content)

    def evaluate(self, expression: str, arg=None):
        return self._ask(op="evaluate", expression=expression, arg=arg)

    def wait_for_function(self, expression: str, timeout: float = 30_000) -> None:
        deadline = time.monotonic() + timeout / 1000
        while not self.evaluate(expression):
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression} stayed false for {timeout / 1000:.0f} s")
            time.sleep(0.01)

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        for stream in (self._proc.stdout, self._proc.stderr):
            stream.close()
        shutil.rmtree(self._dir, ignore_errors=True)
