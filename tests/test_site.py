"""scripts/build_site.py: the static export shows every explorer as a picture, without a kernel."""
from __future__ import annotations

import base64
import importlib.util
import io
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.slow


def load_build_site():
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_exported_html_shows_the_explorer_as_an_image(tmp_path):
    PIL = pytest.importorskip("PIL.Image")
    build_site = load_build_site()
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Watch one explorer"),
                nbformat.v4.new_code_cell("from i2dl_helpers.widgets import GradientDescent1D\n"
                                          "gd = GradientDescent1D('quadratic', lr=0.3, x0=2.5, steps=20)\ngd")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    source = tmp_path / "tiny.ipynb"
    nbformat.write(nb, source)

    reports = build_site.build([source], tmp_path / "site", timeout=120)

    assert reports[0]["explorers"] == 1 and reports[0]["with_static_png"] == 1
    page = (tmp_path / "site" / "tiny.html").read_text(encoding="utf-8")
    images = re.findall(r'<img[^>]+src="data:image/png;base64,([^"]+)"', page)
    assert len(images) == 1, "the explorer should appear as exactly one embedded PNG"
    picture = np.asarray(PIL.open(io.BytesIO(base64.b64decode(images[0]))).convert("RGB")).astype(int)
    assert picture.shape[1] >= 900, f"a full-size figure, got {picture.shape}"
    # the path is drawn (moving artists included): vermillion #D55E00 pixels are present
    vermillion = np.all(np.abs(picture - [0xD5, 0x5E, 0x00]) < 40, axis=-1)
    assert vermillion.sum() > 100, "the static figure should show the gradient-descent path"
    assert len(np.unique(picture.reshape(-1, 3), axis=0)) > 50, "the figure should not be blank"
    assert "Watch one explorer" in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
