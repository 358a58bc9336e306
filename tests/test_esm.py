"""The browser's JavaScript is real ES modules, linked into one by i2dl_helpers/esm.py.

Each ``widgets/*.js`` parses as a module and runs as one in Node.js (with the generated ``rules.js`` and
``formulas_data.js``); the
linked bundle keeps every file in its own scope (no file's top-level name is visible to another or to the
page) and exports what the modules export; every import/export form the linker does not know is refused.
"""
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from i2dl_helpers import esm, flatprog, objectives
from i2dl_helpers.flatprog.browser import browser_source
from i2dl_helpers.widgets import figure_canvas, statuses

WIDGETS = Path(figure_canvas.__file__).parent
MODULES = sorted(p.name for p in WIDGETS.glob("*.js"))
NODE = shutil.which("node")
needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed")


def _node(cwd: Path, script: str) -> str:
    out = subprocess.run([NODE, "--input-type=module", "-e", script], cwd=cwd, capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]
    return out.stdout


def _top_level_names(text: str) -> set[str]:
    """The names a file declares at its top level (its declarations start at column 0)."""
    return set(re.findall(r"^(?:export )?(?:async )?(?:function\*? ?|const |let |var |class )([A-Za-z_$][\w$]*)",
                          text, re.M))


def test_there_are_modules_and_the_widget_links_them_all():
    assert {"flatprog.js", "scenes.js", "figure_canvas.js"} <= set(MODULES)
    bundle = figure_canvas._bundle()
    for name in [*MODULES, "rules.js"]:
        assert f"// ---- {name} ----\nconst {esm.PREFIX}{name[:-3]} = (() => {{" in bundle, name
    assert bundle.rstrip().endswith(f"export default {esm.PREFIX}figure_canvas.default;")


@needs_node
@pytest.mark.parametrize("name", MODULES)
def test_each_file_parses_as_a_module(name, tmp_path):
    copy = tmp_path / (name[:-3] + ".mjs")
    copy.write_text((WIDGETS / name).read_text(encoding="utf-8"), encoding="utf-8")
    out = subprocess.run([NODE, "--check", str(copy)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]


@needs_node
def test_the_files_run_as_modules_in_node_and_export_what_the_linker_reads(tmp_path):
    """The files themselves, imported by Node.js's own module loader (the linker is not involved), export
    exactly the names the linker finds; the linked bundle and the real modules compute alike."""
    for name in MODULES:
        shutil.copy(WIDGETS / name, tmp_path / name)
    for name, text in (esm.rules_module() | esm.formulas_module(statuses.BROWSER)).items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    (tmp_path / "package.json").write_text('{"type": "module"}')
    (tmp_path / "bundle.js").write_text(browser_source(("flatprog.js", "flatbatch.js")), encoding="utf-8")
    names = json.dumps(MODULES)
    got = json.loads(_node(tmp_path, f"""
        const out = {{}};
        for (const name of {names}) out[name] = Object.keys(await import('./' + name)).sort();
        const real = await import('./flatprog.js'), linked = await import('./bundle.js');
        const program = {json.dumps(flatprog.compile_objective(objectives.get('rosenbrock')))};
        out.same = JSON.stringify(real.runOptimizer(program, 'Adam', {{lr: 0.01}}, [-1, 1], 30))
            === JSON.stringify(linked.runOptimizer(program, 'Adam', {{lr: 0.01}}, [-1, 1], 30));
        out.pyfmt = [real.pyfmt(0.000123456, '.3g'), linked.pyfmt(0.000123456, '.3g')];
        console.log(JSON.stringify(out));"""))
    for name in MODULES:
        parsed = esm.parse(name, (WIDGETS / name).read_text(encoding="utf-8"))
        assert got[name] == sorted(parsed.exports), name
    assert got["same"] and got["pyfmt"] == ["0.000123", "0.000123"]


@needs_node
def test_no_top_level_name_of_a_file_is_visible_outside_it(tmp_path):
    """Appended to the widget's bundle, a script sees none of the files' own top-level names, only the
    bundle's exports (the entry's, and those of the modules a test asks to expose)."""
    declared = set().union(*(_top_level_names((WIDGETS / n).read_text(encoding="utf-8")) for n in MODULES))
    declared.add("OPTIMIZER_RULES")
    assert {"SCENES", "pyfmt", "LOGE2", "Coalescer", "FONT_FALLBACK"} <= declared
    bundle = figure_canvas._bundle(expose=("flatprog.js",))
    exported = set(esm.parse("flatprog.js", (WIDGETS / "flatprog.js").read_text(encoding="utf-8")).exports) \
        | {"controlValue", "frameOps", "statusHtml", "render"}
    probe = "\nglobalThis.seen = {" + ", ".join(f"{n}: typeof {n}" for n in sorted(declared)) + "};\n"
    (tmp_path / "bundle.mjs").write_text(bundle + probe, encoding="utf-8")
    seen = json.loads(_node(tmp_path, "await import('./bundle.mjs'); console.log(JSON.stringify(globalThis.seen));"))
    visible = {n for n, t in seen.items() if t != "undefined"}
    assert visible == exported & declared


def test_files_may_declare_the_same_names(tmp_path):
    (tmp_path / "a.js").write_text("const helper = () => 1;\nexport function one() { return helper(); }\n")
    (tmp_path / "b.js").write_text("import { one as first } from './a.js';\nconst helper = () => 2;\n"
                                   "export const two = first() + helper();\nexport default { two };\n")
    text = esm.link("b.js", tmp_path)
    assert text.count("const helper") == 2
    assert "const { one: first } = __esm_a;" in text
    if NODE:
        (tmp_path / "bundle.mjs").write_text(text)
        script = "const m = await import('./bundle.mjs'); console.log(m.two, JSON.stringify(m.default));"
        assert _node(tmp_path, script).split() == ["3", '{"two":3}']


def test_import_and_export_in_strings_comments_templates_and_regexes_are_text(tmp_path):
    text = ("// import x from 'y'; export let z\n/* export * from './q.js' */\n"
            "const s = 'export let a = 1', t = `import ${'b'} ${`export var ${1}`}`, r = /export let \\/ c/g;\n"
            "const half = 4 / 2 / 1, o = { a: { b: `${1}` } };\n"
            "export const SOURCE = [s, t, r.source, half, o];\n")
    module = esm.parse("m.js", text)
    assert module.exports == {"SOURCE": "SOURCE"} and module.imports == []
    assert module.body == text.replace("export const SOURCE", "const SOURCE")


@pytest.mark.parametrize("text,message", [
    ("export let x = 1;", "unsupported export form"),
    ("export var x = 1;", "unsupported export form"),
    ("export * from './a.js';", "unsupported export form"),
    ("export { a } from './a.js';", "unsupported export form"),
    ("export default function f() {}", "unsupported export form"),
    ("export default class A {}", "unsupported export form"),
    ("export const a = 1, b = 2;", "one name per 'export const'"),
    ("export const { a, b } = o;", "unsupported export form"),
    ("export const a = 1\nexport const b = 2;", "end 'export const' with ';'"),
    ("import a from './a.js';", "unsupported import form"),
    ("import * as a from './a.js';", "unsupported import form"),
    ("import { default as a } from './a.js';", "unsupported import specifier"),
    ("import { a } from 'lodash';", "unsupported module specifier"),
    ("import { a } from '../a.js';", "unsupported module specifier"),
    ("import { a } from './a.js'", "unsupported import form"),
    ("const m = import('./a.js');", "dynamic import() and import.meta"),
    ("const u = import.meta.url;", "dynamic import() and import.meta"),
    ("const f = () => import ('./a.js');", "dynamic import() and import.meta"),
    ("const o = { import: 1 };", "inside a block or expression"),
    ("function f() { export const a = 1; }", "inside a block or expression"),
    ("const __esm_x = 1;", "is the linker's"),
])
def test_an_unsupported_form_is_refused(text, message):
    with pytest.raises(esm.LinkError, match=re.escape(message)):
        esm.parse("m.js", text)


def test_a_cycle_a_missing_module_and_a_missing_export_are_refused(tmp_path):
    (tmp_path / "a.js").write_text("import { b } from './b.js';\nexport const a = 1;\n")
    (tmp_path / "b.js").write_text("import { a } from './a.js';\nexport const b = 2;\n")
    with pytest.raises(esm.LinkError, match="import cycle: a.js -> b.js -> a.js"):
        esm.link("a.js", tmp_path)
    (tmp_path / "c.js").write_text("import { nope } from './d.js';\n")
    (tmp_path / "d.js").write_text("export const d = 1;\n")
    with pytest.raises(esm.LinkError, match=r"c.js imports \['nope'\] which d.js does not export"):
        esm.link("c.js", tmp_path)
    (tmp_path / "e.js").write_text("import './missing.js';\n")
    with pytest.raises(esm.LinkError, match="no module 'missing.js'"):
        esm.link("e.js", tmp_path)
    with pytest.raises(esm.LinkError, match="both export"):
        esm.link(("d.js", "d.js"), tmp_path)
