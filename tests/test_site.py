"""scripts/build_site.py: a page with live widgets that needs nothing from outside the site.

The slow test builds one tiny notebook (one explorer, one formula) and reads the page as
text: the widget state is embedded (the explorer's canvas model with its PNG background),
every script and stylesheet is a file of the site, the vendored front end is there with the
sha512 it has on the npm registry, the explorer's PNG is kept as the picture for readers
without JavaScript, and the build prints the page's and the site's sizes. The browser side
(widgets render, sliders, MathJax, offline) is tests/browser/test_static_site.py.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import io
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nbformat
import numpy as np
import pytest
from site_tools import load_build_site

ROOT = Path(__file__).resolve().parents[1]

#: sha512 of the files the pages load, as published on the npm registry (an independent pin:
#: computed from the registry's tarballs when the versions were chosen, not by the build)
EXPECTED_SHA512 = {
    "npm/requirejs@2.3.8/require.js":
        "sha512-JXQEIOY1HZTykCkPjBDPmDi/kahYsbajQ1DtCSzEtDtm9wXrSoHOqUkVgiOe/KDYl6G5et5gcTnCwczmEdLVSg==",
    "npm/@jupyter-widgets/html-manager@1.0.15/dist/embed-amd.js":
        "sha512-vMqo0J+H00QgXd3KqzVTKCnY4nJpH/uaeJ3i9EZwzkDisyWp3m9YGawtQSX4ddhCoz7EsvMkyuq8Y+tW5Dq4qQ==",
    "npm/anywidget@~0.11.*/dist/index.js":
        "sha512-6VKFs6N8SBLqjP/j0KeCcB6FPN/+lBbUCo+oBJuVwcKyXgFggsYasWgAevmvNsWs6SsmJ8EYiWrjFtqO1faFCg==",
    "npm/mathjax@2.7.7/MathJax.js":
        "sha512-Fv0JVzxvrWFLhiUP8wZYR6VwBZQt0XqB9MhHZE+12lObqIDzg3LOJcCCiRy6g4MCX/MlG+R9IRCWZAHjo9iBgw==",
}


def sha512(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode("ascii")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """(site folder, page text, printed output, exit code) of building one tiny notebook."""
    build_site = load_build_site()
    tmp = tmp_path_factory.mktemp("site")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Watch one explorer\n\nOne step: $x_{k+1} = x_k - \\alpha L'(x_k)$."),
                nbformat.v4.new_code_cell("from i2dl_helpers.widgets import GradientDescent1D\n"
                                          "gd = GradientDescent1D('quadratic', lr=0.3, x0=2.5, steps=20)\n"
                                          "unshown = GradientDescent1D('quadratic')  # made, never displayed\ngd")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp / "tiny.ipynb"
    nbformat.write(nb, source)
    out = tmp / "site"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        try:
            code = build_site.main(["--out", str(out), "--timeout", "120", str(source)])
        except build_site.VendorUnavailable as error:
            pytest.skip(f"the npm registry is out of reach and the vendor cache is empty: {error}")
    return out, (out / "tiny.html").read_text(encoding="utf-8"), printed.getvalue(), code


def widget_state(page: str) -> dict:
    found = re.findall(r'<script type="application/vnd\.jupyter\.widget-state\+json">\s*(.*?)\s*</script>',
                       page, re.S)
    assert len(found) == 1, "the page should embed the widget state once"
    return json.loads(found[0].replace("\\/", "/"))["state"]


@pytest.mark.slow
def test_the_page_embeds_the_widget_state(built):
    _, page, _, code = built
    assert code == 0
    state = widget_state(page)
    views = [json.loads(v.replace("\\/", "/"))["model_id"] for v in re.findall(
        r'<script type="application/vnd\.jupyter\.widget-view\+json">\s*(.*?)\s*</script>', page, re.S)]
    assert len(views) == 1, "one explorer, one widget view"
    assert views[0] in state, "the view's model must be in the embedded state"
    canvases = [m for m in state.values() if m["model_module"] == "anywidget"]
    assert len(canvases) == 1, "only the shown explorer's canvas (the unshown explorer's widgets are pruned)"
    background = [b for b in canvases[0].get("buffers", []) if b["path"] == ["background"]]
    assert background and base64.b64decode(background[0]["data"]).startswith(b"\x89PNG"), \
        "the canvas's PNG background travels in the state"
    # every model the state refers to is in it
    refs = set(re.findall(r"IPY_MODEL_([0-9a-f]+)", json.dumps(state)))
    assert refs <= set(state), f"dangling references: {sorted(refs - set(state))[:3]}"


@pytest.mark.slow
def test_the_page_loads_nothing_from_outside_the_site(built):
    out, page, _, _ = built
    loads = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*?\s(?:src|href)\s*=\s*[\"']([^\"']+)", page, re.I)
    outside = [u for u in loads if urlsplit(u).scheme not in ("", "data") or u.startswith("//")]
    assert outside == [], f"URLs outside the site: {outside[:5]}"
    assert not re.search(r"(?:url\(|@import|import\()\s*[\"']?(?:https?:)?//", page), "a CSS/JS load from a host"
    for host in ("cdnjs.cloudflare.com", "cdn.jsdelivr.net", "unpkg.com"):
        assert host not in page
    # the local ones exist in the site
    local = [html.unescape(u) for u in loads if not urlsplit(u).scheme]
    renderer = re.findall(r"widgetRendererSrc = '([^']+)'", page)  # the widget manager, added after load
    assert len(local) >= 2 and renderer, f"require.js, MathJax and the widget manager should be loaded: {local}"
    for url in local + renderer:
        assert (out / unquote(urlsplit(url).path)).is_file(), f"{url} is not in the site"
    # the widget manager loads third-party widget modules (anywidget) from npm/, at the model's version range
    assert re.search(r'<script data-jupyter-widgets-cdn="npm/"', page)
    for model in widget_state(page).values():
        if model["model_module"] == "anywidget":
            assert (out / "npm" / f"anywidget@{model['model_module_version']}" / "dist" / "index.js").is_file()


@pytest.mark.slow
def test_the_vendored_files_are_the_registry_s(built):
    out, _, _, _ = built
    for rel, digest in EXPECTED_SHA512.items():
        assert (out / rel).is_file(), f"{rel} missing"
        assert sha512((out / rel).read_bytes()) == digest, f"{rel} differs from the npm registry's file"
    # the cached tarballs are the pinned ones
    build_site = load_build_site()
    for name, spec in build_site.VENDOR.items():
        tarballs = list(build_site.cache_dir().glob(f"{name.replace('/', '+')}-{spec['version']}.tgz"))
        assert len(tarballs) == 1 and sha512(tarballs[0].read_bytes()) == spec["integrity"], name
    # MathJax's fonts for the CommonHTML output are there (formulas render offline)
    assert len(list((out / "npm/mathjax@2.7.7/fonts/HTML-CSS/TeX/woff").glob("*.woff"))) >= 20


@pytest.mark.slow
def test_the_explorer_keeps_a_picture_for_readers_without_javascript(built):
    PIL = pytest.importorskip("PIL.Image")
    out, page, _, _ = built
    tags = re.findall(r'<img\b[^>]*\bclass="i2dl-static-figure"[^>]*>', page)
    assert len(tags) == 1, "the explorer should keep exactly one embedded PNG"
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', tags[0])
    assert len(images) == 1
    # the PNG sits in the same output as the widget view (hidden by CSS once the widget has rendered)
    assert re.search(r'<img\b[^>]*\bclass="i2dl-static-figure"[^>]*>\s*'
                     r'<script type="application/vnd\.jupyter\.widget-view', page)
    picture = np.asarray(PIL.open(io.BytesIO(base64.b64decode(images[0]))).convert("RGB")).astype(int)
    assert picture.shape[1] >= 900, f"a full-size figure, got {picture.shape}"
    # the path is drawn (moving artists included): vermillion #D55E00 pixels are present
    vermillion = np.all(np.abs(picture - [0xD5, 0x5E, 0x00]) < 40, axis=-1)
    assert vermillion.sum() > 100, "the static figure should show the gradient-descent path"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Watch one explorer" in index
    assert "sliders work" in index and "running kernel" in index and "static picture" not in index


@pytest.mark.slow
def test_the_build_prints_sizes(built):
    out, _, printed, _ = built
    size_mb = (out / "tiny.html").stat().st_size / 1e6
    line = next(line for line in printed.splitlines() if line.startswith("tiny.ipynb"))
    assert "1 explorers" in line and "1 with a static PNG" in line
    assert re.search(rf"page +{size_mb:.2f} MB", line), line
    total_mb = sum(f.stat().st_size for f in out.rglob("*") if f.is_file()) / 1e6
    assert re.search(rf"{total_mb:.2f} MB in total", printed), printed
    assert f"largest page: tiny.html ({size_mb:.2f} MB)" in printed, printed


def test_prune_keeps_what_is_shown_and_the_links_between_kept_models():
    build_site = load_build_site()
    view = {"application/vnd.jupyter.widget-view+json": {"model_id": "box", "version_major": 2}}

    def model(name, **state):
        return {"model_name": name, "model_module": "@jupyter-widgets/controls", "model_module_version": "2.0.0",
                "state": state}

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("x")]
    nb.cells[0].outputs = [nbformat.v4.new_output("display_data", data=view)]
    nb.metadata["widgets"] = {build_site.STATE_MIME: {"version_major": 2, "version_minor": 0, "state": {
        "box": model("VBoxModel", children=["IPY_MODEL_slider", "IPY_MODEL_out"]),
        "slider": model("FloatSliderModel", layout="IPY_MODEL_layout"),
        "layout": model("LayoutModel"),
        "out": model("OutputModel", outputs=[{"output_type": "display_data",
                                              "data": {"application/vnd.jupyter.widget-view+json":
                                                       {"model_id": "inner"}}}]),
        "inner": model("HTMLModel"),
        "link": model("LinkModel", source=["IPY_MODEL_slider", "value"], target=["IPY_MODEL_inner", "value"]),
        "stale_link": model("LinkModel", source=["IPY_MODEL_slider", "value"], target=["IPY_MODEL_gone", "value"]),
        "gone": model("FloatSliderModel"),
        "unshown": model("FloatSliderModel", layout="IPY_MODEL_layout"),
    }}}
    assert build_site.prune_widget_state(nb) == 3
    assert set(nb.metadata.widgets[build_site.STATE_MIME]["state"]) == {"box", "slider", "layout", "out",
                                                                        "inner", "link"}


def test_version_ranges_of_widget_modules():
    ok = load_build_site()._version_in_range
    assert ok("0.11.0", "~0.11.*") and ok("0.11.7", "~0.11.*") and not ok("0.12.0", "~0.11.*")
    assert ok("1.0.15", "^1.0.0") and not ok("2.0.0", "^1.0.0") and ok("0.11.3", "^0.11.1")
    assert not ok("0.12.0", "^0.11.1") and ok("2.0.0", "2.0.0") and not ok("2.0.1", "2.0.0")


def test_external_loads_are_found():
    find = load_build_site().external_loads
    assert find('<script src="https://cdn.jsdelivr.net/x.js"></script>') == ["https://cdn.jsdelivr.net/x.js"]
    assert find('<link rel="stylesheet" href="//fonts.example/a.css">') == ["//fonts.example/a.css"]
    assert find("<style>@import url('https://fonts.example/b.css');</style>") == ["https://fonts.example/b.css"]
    assert find('<img src="data:image/png;base64,AAAA"><script src="npm/a.js"></script>'
                '<a href="https://d2l.ai/">a link is not a load</a>') == []
