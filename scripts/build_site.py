"""Build a static course site with live explorers: execute every notebook and export it to ``site/``.

    python scripts/build_site.py                  # all of notebooks/ -> site/
    python scripts/build_site.py --out /tmp/site notebooks/02_gradient_descent_1d.ipynb

Each notebook is executed in a fresh kernel with its widget state stored
(nbclient ``store_widget_state=True``) and exported with nbconvert's lab
template. The page embeds that state, so the widgets render in the browser
with no Jupyter server: ipywidgets' controls through
``@jupyter-widgets/html-manager`` (``embed-amd.js``), the explorers' canvases
through the ``anywidget`` front end, both loaded by require.js. Formulas are
typeset by MathJax 2.7.7 (the version and configuration of nbconvert's
template). None of these come from a CDN: the build downloads them from the
npm registry (pinned versions, each tarball checked against its sha512
``integrity``), keeps the tarballs in a cache outside git
(``$I2DL_VENDOR_CACHE``, default ``~/.cache/i2dl-site-vendor``) and copies the
files a page needs into ``site/npm/<package>@<version>/``. Pages refer to them
by relative URLs, so the site works offline and from any folder of any static
host (``python -m http.server`` in ``site/`` is enough).

Every explorer's output keeps its static PNG (``Explorer._repr_mimebundle_``):
the page shows it until the live widget has rendered, and it is what a reader
without JavaScript sees. Sliders that only move the path work in the browser;
controls that change the figure's background (another function, a typed
function) need a running kernel.

The build prints one line per notebook (explorers, page size, time) and the
site's total size and largest page. Only the standard library downloads
(no node or npm needed); nbclient and nbconvert come with JupyterLab.
"""
from __future__ import annotations

import argparse
import base64
import fnmatch
import hashlib
import html
import io
import json
import os
import re
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
STATE_MIME = "application/vnd.jupyter.widget-state+json"
REGISTRY = "https://registry.npmjs.org"
#: the folder of the site that holds the vendored packages (relative to every page)
NPM_DIR = "npm"

#: nbconvert's lab template loads MathJax 2.7.7 with this ?config= (each name is a file config/<name>.js)
MATHJAX_CONFIG = "TeX-AMS_CHTML-full,Safe"
#: What the pages load, pinned by exact version. ``integrity`` is the npm registry's
#: ``dist.integrity`` of that version's tarball (checked when downloading and on every use);
#: ``files`` are glob patterns inside the package of the files the site needs.
VENDOR: dict[str, dict] = {
    "requirejs": {
        "version": "2.3.8",
        "integrity": "sha512-7/cTSLOdYkNBNJcDMWf+luFvMriVm7eYxp4BcFCsAX0wF421Vyce5SXP17c+Jd5otXKGNehIonFlyQXSowL6Mw==",
        "files": ["require.js", "package.json"],
    },
    "@jupyter-widgets/html-manager": {
        "version": "1.0.15",
        "integrity": "sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA==",
        # embed-amd.js bundles the controls, their CSS and the widget manager; the Font Awesome
        # fonts (icons on buttons) are loaded from the script's own folder.
        "files": ["dist/embed-amd.js", "dist/*.woff2", "dist/*.woff", "package.json"],
    },
    "anywidget": {
        "version": "0.11.0",
        "integrity": "sha512-LHZgW2j5UjyerZSZcO+BtZPXGMSORQV2bUT480hOR5x/BXS8sOradi/71amJfMueSEnKX0dqPwTfsOGHTsyZpQ==",
        "files": ["dist/index.js", "package.json"],  # an AMD module (define(["@jupyter-widgets/base"], ...))
    },
    "mathjax": {
        # nbconvert's lab template: MathJax 2.7.7 with ?config=TeX-AMS_CHTML-full,Safe
        "version": "2.7.7",
        "integrity": "sha512-OOl0B2/0tSJAtAZarXnQuLDBLgTNRqiI9VqHTQzPsxf4okT2iIpDrvaklK9x2QEMD1sDj4yRn11Ygci41DxMAQ==",
        "files": ["MathJax.js", *(f"config/{name}.js" for name in MATHJAX_CONFIG.split(",")),
                  "extensions/*.js", "extensions/TeX/*.js", "extensions/HTML-CSS/*.js", "jax/input/TeX/*.js",
                  "jax/element/mml/*.js", "jax/element/mml/optable/*.js", "jax/output/CommonHTML/*.js",
                  "jax/output/CommonHTML/autoload/*.js", "jax/output/CommonHTML/fonts/TeX/*.js",
                  "jax/output/PreviewHTML/*.js", "fonts/HTML-CSS/TeX/woff/*.woff", "LICENSE", "package.json"],
    },
}
#: Packages the tests load into the pages they check (not copied into the site), pinned and checked
#: like ``VENDOR``: axe-core, the accessibility rules engine of tests/browser/test_accessibility.py.
TEST_VENDOR: dict[str, dict] = {
    "axe-core": {
        "version": "4.14.1",
        "integrity": "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ==",
        "files": ["axe.min.js", "package.json", "LICENSE"],
    },
}
#: widget front ends the html-manager has built in; any other model module must be vendored
BUILTIN_MODULES = ("@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output")


def vendor_url(name: str, path: str) -> str:
    """A vendored file's URL relative to a page of the site."""
    return f"{NPM_DIR}/{name}@{VENDOR[name]['version']}/{path}"


# -- vendoring from the npm registry ------------------------------------------------------------
def cache_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "i2dl-site-vendor"
    return Path(os.environ.get("I2DL_VENDOR_CACHE") or default)


def integrity_of(data: bytes) -> str:
    """npm's Subresource-Integrity string of ``data`` (sha512, base64)."""
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


class VendorUnavailable(RuntimeError):
    """A pinned package is neither in the cache nor downloadable (no network?)."""


def _get(url: str, timeout: float = 60.0) -> bytes:
    request = urllib.request.Request(url, headers={"User-Agent": "i2dl-build-site (python urllib)"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.read()
    except (urllib.error.URLError, OSError) as error:
        raise VendorUnavailable(f"cannot download {url} ({error}); the site's front end comes from the npm "
                                f"registry once, then from the cache {cache_dir()}") from error


def tarball(name: str) -> bytes:
    """The package's tarball, from the cache or the npm registry; raises if its sha512 is not the pinned one."""
    spec = _pinned(name)
    path = cache_dir() / f"{name.replace('/', '+')}-{spec['version']}.tgz"
    if path.exists():
        data = path.read_bytes()
        if integrity_of(data) == spec["integrity"]:
            return data
        print(f"  {path} does not match its pinned sha512: downloading it again", file=sys.stderr)
    meta = json.loads(_get(f"{REGISTRY}/{urllib.parse.quote(name, safe='@')}/{spec['version']}"))
    dist = meta["dist"]
    if dist.get("integrity") != spec["integrity"]:
        raise RuntimeError(f"{name}@{spec['version']}: the registry's integrity {dist.get('integrity')} is not "
                           f"the pinned {spec['integrity']}")
    data = _get(dist["tarball"], timeout=300.0)
    if integrity_of(data) != spec["integrity"]:
        raise RuntimeError(f"{name}@{spec['version']}: the downloaded tarball's sha512 is not the pinned one")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)
    return data


def _pinned(name: str) -> dict:
    """The pin of ``name`` in ``VENDOR`` or ``TEST_VENDOR``."""
    return VENDOR[name] if name in VENDOR else TEST_VENDOR[name]


def package_files(name: str) -> dict[str, bytes]:
    """The files of ``name`` (path inside the package -> content) that match its ``files`` patterns."""
    spec = _pinned(name)
    found = {}
    with tarfile.open(fileobj=io.BytesIO(tarball(name)), mode="r:gz") as tar:
        for member in tar.getmembers():
            if not member.isfile() or "/" not in member.name:
                continue
            inner = member.name.split("/", 1)[1]  # npm tarballs hold one top folder ("package/")
            if ".." in inner.split("/") or inner.startswith("/"):
                continue
            if any(fnmatch.fnmatchcase(inner, pattern) and inner.count("/") == pattern.count("/")
                   for pattern in spec["files"]):
                found[inner] = tar.extractfile(member).read()
    for pattern in spec["files"]:
        if not any(fnmatch.fnmatchcase(p, pattern) for p in found):
            raise RuntimeError(f"{name}@{spec['version']} has no file matching {pattern!r}")
    return found


def _version_in_range(version: str, spec: str) -> bool:
    """Whether ``version`` satisfies an npm range of the simple forms the widgets use:
    ``1.2.3``, ``~1.2.*``, ``~1.2.3``, ``^1.2.3``, ``1.2.*``."""
    spec = spec.strip()
    have = [int(p) for p in version.split(".")[:3]]
    if spec.startswith("^"):
        want = [int(p) for p in spec[1:].replace("*", "0").split(".")]
        significant = next((i for i, p in enumerate(want) if p != 0), len(want) - 1)
        return have[:significant + 1] == want[:significant + 1] and have >= want
    tilde = spec.startswith("~")
    parts = spec.lstrip("~=").split(".")
    fixed = [int(p) for p in parts if p not in ("*", "x")]
    if tilde and len(fixed) == 3:
        return have[:2] == fixed[:2] and have >= fixed
    return have[:len(fixed)] == fixed


def vendor(out: Path, anywidget_ranges: set[str]) -> dict[str, int]:
    """Copy the pinned packages' files into ``out/npm/``; returns {site path: bytes}.

    anywidget goes (also) to ``npm/anywidget@<range>/dist/index.js`` for every module-version
    range the pages' anywidget models ask for (the html-manager loads ``<cdn><module>@<range>/dist/index.js``).
    """
    written = {}

    def put(rel: str, data: bytes) -> None:
        target = out / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
        written[rel] = len(data)

    for name in VENDOR:
        files = package_files(name)
        if name == "anywidget":
            version = VENDOR[name]["version"]
            for spec in sorted(anywidget_ranges):
                if not _version_in_range(version, spec):
                    raise RuntimeError(f"the pages' anywidget models ask for anywidget@{spec}, the site vendors "
                                       f"{version}: update VENDOR['anywidget'] in {Path(__file__).name}")
                for inner, data in files.items():
                    put(f"{NPM_DIR}/anywidget@{spec}/{inner}", data)
            continue
        for inner, data in files.items():
            put(vendor_url(name, inner), data)
    return written


# -- executing notebooks with their widget state ------------------------------------------------
def execute(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run ``path`` top to bottom in a fresh kernel started in its own folder, storing the widget state.

    nbclient collects the state from the kernel's comm messages into ``nb.metadata.widgets``.
    (With ``store_widget_state=False`` nbclient's mimic of the Output widget raises a KeyError:
    ``OutputWidget.output`` writes into ``executor.widget_state[comm_id]``, which only
    ``store_widget_state=True`` fills.) The state is then pruned to the models the outputs show.
    """
    nb = nbformat.read(path, as_version=4)
    env_backend = os.environ.pop("MPLBACKEND", None)  # the kernel must use the inline backend
    try:
        NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    prune_widget_state(nb)
    drop_check_failures(nb)
    return nb


def drop_check_failures(nb: nbformat.NotebookNode) -> int:
    """Remove the error outputs of the cells tagged ``raises-exception`` (the exercises' checks,
    which fail in the student notebooks until they are answered): a page of the site is read, not
    run, and "not answered yet" under every exercise would only confuse. Returns how many."""
    dropped = 0
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and "raises-exception" in cell.get("metadata", {}).get("tags", []):
            kept = [out for out in cell.get("outputs", []) if out.get("output_type") != "error"]
            dropped += len(cell.get("outputs", [])) - len(kept)
            cell["outputs"] = kept
    return dropped


def _references(value, found: set[str]) -> None:
    """Model ids that ``value`` refers to: "IPY_MODEL_<id>" strings and widget views in outputs."""
    if isinstance(value, str):
        if value.startswith("IPY_MODEL_"):
            found.add(value[len("IPY_MODEL_"):])
    elif isinstance(value, dict):
        view = value.get(WIDGET_MIME)
        if isinstance(view, dict) and "model_id" in view:
            found.add(view["model_id"])
        for item in value.values():
            _references(item, found)
    elif isinstance(value, list):
        for item in value:
            _references(item, found)


def prune_widget_state(nb: nbformat.NotebookNode) -> int:
    """Keep the widget models an output shows, those they refer to, and the links
    (``jslink``/``jsdlink``) between kept models; drop the rest (widgets made and never
    shown, e.g. in assert cells, and closed ones: nbclient keeps every model it saw).
    Returns how many models were dropped."""
    state = nb.metadata.get("widgets", {}).get(STATE_MIME, {}).get("state")
    if not state:
        nb.metadata.pop("widgets", None)
        return 0
    wanted: set[str] = set()
    for cell in nb.cells:
        _references(cell.get("outputs", []), wanted)
    links = {mid for mid, m in state.items() if str(m.get("model_name", "")).endswith("LinkModel")}
    kept: set[str] = set()
    while True:
        todo = [m for m in wanted if m in state and m not in kept]
        for mid in todo:
            kept.add(mid)
            _references(state[mid]["state"], wanted)
        for mid in links - kept:  # a link whose two ends are kept
            ends: set[str] = set()
            _references(state[mid]["state"], ends)
            if ends and ends <= kept:
                wanted.add(mid)
        if not [m for m in wanted if m in state and m not in kept]:
            break
    dropped = len(state) - len(kept)
    for mid in list(state):
        if mid not in kept:
            del state[mid]
    if not state:
        nb.metadata.pop("widgets", None)
    return dropped


def static_figures(nb: nbformat.NotebookNode) -> tuple[int, int, int]:
    """(explorer outputs, explorer outputs that carry a PNG fallback, other widget outputs).

    An explorer output is a widget view whose text/plain is ``<ExplorerName: status>``;
    other widgets (e.g. a plain ``interactive``) have no static picture.
    """
    from i2dl_helpers import widgets as explorers

    names = tuple(f"<{n}" for n in explorers.__all__)
    found = with_png = others = 0
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if WIDGET_MIME not in data:
                continue
            if str(data.get("text/plain", "")).startswith(names):
                found += 1
                with_png += "image/png" in data
            else:
                others += 1
    return found, with_png, others


def anywidget_ranges(nb: nbformat.NotebookNode) -> set[str]:
    """The ``_model_module_version`` ranges of the notebook's anywidget models; raises on a
    third-party widget module the site does not vendor."""
    ranges, unknown = set(), set()
    for model in nb.metadata.get("widgets", {}).get(STATE_MIME, {}).get("state", {}).values():
        module = model.get("model_module")
        if module == "anywidget":
            ranges.add(model["model_module_version"])
        elif module not in BUILTIN_MODULES:
            unknown.add(f"{module}@{model.get('model_module_version')}")
    if unknown:
        raise RuntimeError(f"widgets from modules the site does not vendor: {sorted(unknown)}")
    return ranges


# -- exporting ----------------------------------------------------------------------------------
#: nbconvert's lab template, plus: the widget manager told to load third-party widget modules
#: from the site's npm/ folder; an explorer's PNG shown until its live widget has rendered
#: (and for readers without JavaScript); no mermaid loader (it would import from a CDN).
PAGE_TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}
<script type="text/x-mathjax-config">
MathJax.Hub.Config({menuSettings: {inTabOrder: false}});  // formulas are read, not tab stops
</script>
{{ super() }}
<script data-jupyter-widgets-cdn="NPM_DIR/" data-jupyter-widgets-cdn-only></script>
{%- endblock html_head_js -%}
{%- block html_head_js_mermaidjs -%}
{%- endblock html_head_js_mermaidjs -%}
{% block extra_css %}
<style type="text/css">
/* widgets in the UI font, as in JupyterLab (the page's body is in the browser's default serif) */
.jupyter-widgets { font-family: var(--jp-ui-font-family); }
/* WCAG 2.1 AA contrast (1.4.3: 4.5:1 for text) on the code cells' #f5f5f5 and the page's white:
   the prompts in full colour, syntax colours of JupyterLab's light theme darkened where they fall short */
body {
  --jp-cell-prompt-opacity: 1;
  --jp-cell-prompt-not-active-opacity: 1;
  --jp-cell-prompt-not-active-font-color: #616161;
  --jp-cell-inprompt-font-color: #2a6fa8;
  --jp-cell-outprompt-font-color: #a84f35;
  --jp-mirror-editor-number-color: #007400;
  --jp-mirror-editor-operator-color: #9218e6;
  --jp-mirror-editor-meta-color: #9218e6;
  --jp-mirror-editor-comment-color: #3a7272;
  --jp-mirror-editor-atom-color: #4b4bf0;
  --jp-mirror-editor-bracket-color: #6b6b50;
  --jp-mirror-editor-quote-color: #007a00;
  --jp-mirror-editor-error-color: #d40000;
  --jp-mirror-editor-string-2-color: #b83d00;
  --jp-mirror-editor-variable-3-color: #007a4c;
}
/* links in text told apart by more than colour (1.4.1); JupyterLab's CSS removes the underline */
body .jp-RenderedHTMLCommon a:link, body .jp-RenderedHTMLCommon a:visited { text-decoration: underline; }
img.i2dl-static-figure { display: block; max-width: 100%; height: auto; }
.jupyter-widgets:has(> .widget-subarea > *) > img.i2dl-static-figure { display: none; }
</style>
{% endblock extra_css %}
{%- block data_widget_view scoped %}
{% set div_id = uuid4() %}
<div id="{{ div_id }}" class="jupyter-widgets jp-OutputArea-output {{ extra_class }}">
{%- if 'image/png' in output.data %}
<img class="i2dl-static-figure"
     alt="{{ (output.metadata.get('image/png', {}).get('alt') or output.data.get('text/plain', '')) | escape_html }}"
     src="data:image/png;base64,{{ output.data['image/png'] }}">
{%- endif %}
<script type="application/vnd.jupyter.widget-view+json">
{{ output.data['application/vnd.jupyter.widget-view+json'] | json_dumps | escape_html_script }}
</script>
</div>
{%- endblock data_widget_view -%}
""".replace("NPM_DIR", NPM_DIR)


def exporter() -> HTMLExporter:
    return HTMLExporter(
        template_name="lab", raw_template=PAGE_TEMPLATE,
        require_js_url=vendor_url("requirejs", "require.js"),
        widget_renderer_url=vendor_url("@jupyter-widgets/html-manager", "dist/embed-amd.js"),
        mathjax_url=vendor_url("mathjax", f"MathJax.js?config={MATHJAX_CONFIG}"))


#: an element that makes the browser fetch ``src``/``href`` (anchors are links, not loads)
_LOADS = re.compile(r"<(?:script|link|img|iframe|source|video|audio|embed|object)\b[^>]*?\s"
                    r"(?:src|href|data)\s*=\s*[\"']?([^\"'\s>]+)", re.IGNORECASE)
_CSS_LOADS = re.compile(r"(?:@import\s+(?:url\()?|url\()\s*[\"']?((?:https?:)?//[^\"')\s]+)", re.IGNORECASE)
_JS_IMPORTS = re.compile(r"""import\(\s*["']((?:https?:)?//[^"']+)""")


def external_loads(page: str) -> list[str]:
    """URLs outside the site that ``page`` would fetch: script/link/img/... sources, CSS
    ``url()``/``@import`` and dynamic ``import()`` of absolute URLs (data: URIs are inside)."""
    found = [u for u in _LOADS.findall(page) if re.match(r"(?:[a-z][a-z0-9+.-]*:)?//", u, re.I)
             and not u.lower().startswith("data:")]
    return found + _CSS_LOADS.findall(page) + _JS_IMPORTS.findall(page)


def export(nb: nbformat.NotebookNode, target: Path) -> int:
    """Write the page; returns its size in bytes. Raises if it would fetch anything from outside the site."""
    body, _ = exporter().from_notebook_node(nb, resources={"metadata": {"name": target.stem}})
    outside = external_loads(body)
    if outside:
        raise RuntimeError(f"{target.name} would load from outside the site: {sorted(set(outside))[:5]}")
    data = body.encode("utf-8")
    target.write_bytes(data)
    return len(data)


def write_index(out: Path, pages: list[tuple[str, str]]) -> None:
    items = "\n".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in pages)
    out.joinpath("index.html").write_text(
        "<!doctype html><html lang='en'><meta charset='utf-8'><title>Optimisation for deep learning</title>"
        "<h1>Optimisation for deep learning: the notebooks</h1>"
        "<p>These pages show the notebooks run once, with live explorers: their sliders work right here in "
        "the browser, with no Python behind them. Some controls change the figure's background (choosing "
        "another function, typing your own function); those need a running kernel: open the notebook in "
        "JupyterLab or on Binder. Without JavaScript each explorer shows a picture of its starting state.</p>"
        f"<ol>\n{items}\n</ol>\n", encoding="utf-8")


def title_of(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def build(notebooks: list[Path], out: Path, timeout: int = 600, *, echo=None) -> list[dict]:
    """Execute and export ``notebooks`` into ``out``, vendor the front end into ``out/npm/``;
    returns one report per notebook, then one for the site (``{"site": ...}``).

    ``echo`` (e.g. ``print``) gets each notebook's report line as soon as it is built.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for name in VENDOR:  # download (or check the cached copies) before spending minutes on the notebooks
        tarball(name)
    reports, pages, ranges = [], [], set()
    for path in notebooks:
        path = Path(path).resolve()
        t0 = time.perf_counter()
        nb = execute(path, timeout=timeout)
        found, with_png, others = static_figures(nb)
        ranges |= anywidget_ranges(nb)
        models = len(nb.metadata.get("widgets", {}).get(STATE_MIME, {}).get("state", {}))
        target = out / (path.stem + ".html")
        size = export(nb, target)
        pages.append((target.name, title_of(nb, path.stem)))
        report = {"notebook": path.name, "html": str(target), "bytes": size, "explorers": found,
                  "with_static_png": with_png, "other_widgets": others, "widget_models": models,
                  "seconds": time.perf_counter() - t0}
        reports.append(report)
        if echo:
            echo(report_line(report))
    vendored = vendor(out, ranges)
    write_index(out, pages)
    total = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    largest = max(reports, key=lambda r: r["bytes"]) if reports else None
    reports.append({"site": str(out), "total_bytes": total, "vendored_bytes": sum(vendored.values()),
                    "vendored_files": vendored, "largest_page": largest and Path(largest["html"]).name,
                    "largest_bytes": largest and largest["bytes"]})
    return reports


def _mb(n: int) -> str:
    return f"{n / 1e6:.2f} MB"


def report_line(r: dict) -> str:
    flag = "" if r["explorers"] == r["with_static_png"] else "   <-- explorer without a static image"
    return (f"{r['notebook']:40s} {r['explorers']:2d} explorers, {r['with_static_png']:2d} with a static PNG, "
            f"{r['other_widgets']:2d} other widgets, {r['widget_models']:4d} widget models, "
            f"page {_mb(r['bytes']):>9s}, {r['seconds']:5.1f} s{flag}")


def site_lines(site: dict) -> list[str]:
    return [f"site {site['site']}: {_mb(site['total_bytes'])} in total "
            f"({_mb(site['vendored_bytes'])} of it vendored front end in {NPM_DIR}/, "
            f"{len(site['vendored_files'])} files)",
            f"largest page: {site['largest_page']} ({_mb(site['largest_bytes'])})"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Execute the notebooks and export them to a static site "
                                                 "whose explorers work in the browser without a kernel.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "site")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    reports = build(notebooks, args.out, args.timeout, echo=lambda line: print(line, flush=True))
    *pages, site = reports
    for line in site_lines(site):
        print(line)
    print(f"site written to {args.out}/index.html (serve it with: python -m http.server -d {args.out})")
    return 1 if any(r["explorers"] != r["with_static_png"] for r in pages) else 0


if __name__ == "__main__":
    sys.exit(main())
