"""Build a static site: execute every notebook and export it to HTML in ``site/``.

    python scripts/build_site.py                  # all of notebooks/ -> site/
    python scripts/build_site.py --out /tmp/site notebooks/02_gradient_descent_1d.ipynb

For students browsing without a kernel. Every explorer's output carries a
static PNG of its figure next to the live widget (``Explorer._repr_mimebundle_``);
the widget state is dropped after execution, so the exported HTML
shows that PNG (with widget state it would try to load live widgets from a CDN
and show nothing offline). Each page also lists which explorers it shows as
images; ``site/index.html`` links the pages. Needs nbclient and nbconvert
(installed with JupyterLab).
"""
from __future__ import annotations

import argparse
import html
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbconvert import HTMLExporter

ROOT = Path(__file__).resolve().parents[1]
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"


def execute(path: Path, timeout: int = 600) -> nbformat.NotebookNode:
    """Run ``path`` top to bottom in a fresh kernel started in its own folder."""
    nb = nbformat.read(path, as_version=4)
    env_backend = os.environ.pop("MPLBACKEND", None)  # the kernel must use the inline backend
    try:
        # store_widget_state=False trips nbclient (KeyError) on Output widgets, so the state is
        # dropped afterwards instead: without it the exporter shows each explorer's PNG fallback.
        NotebookClient(nb, timeout=timeout, kernel_name="python3",
                       resources={"metadata": {"path": str(path.parent)}}).execute()
    finally:
        if env_backend is not None:
            os.environ["MPLBACKEND"] = env_backend
    nb.metadata.pop("widgets", None)
    return nb


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


def export(nb: nbformat.NotebookNode, target: Path) -> None:
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    target.write_text(body, encoding="utf-8")


def write_index(out: Path, pages: list[tuple[str, str]]) -> None:
    items = "\n".join(f'<li><a href="{html.escape(href)}">{html.escape(title)}</a></li>' for href, title in pages)
    out.joinpath("index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>Optimisation for deep learning</title>"
        "<h1>Optimisation for deep learning: the notebooks</h1>"
        "<p>Static pages: the explorers show a picture of their starting state. "
        "Open the notebooks in JupyterLab to move the sliders.</p>"
        f"<ol>\n{items}\n</ol>\n", encoding="utf-8")


def title_of(nb: nbformat.NotebookNode, fallback: str) -> str:
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return fallback


def build(notebooks: list[Path], out: Path, timeout: int = 600) -> list[dict]:
    """Execute and export ``notebooks`` into ``out``; returns one report per notebook."""
    out.mkdir(parents=True, exist_ok=True)
    reports, pages = [], []
    for path in notebooks:
        path = Path(path).resolve()
        t0 = time.perf_counter()
        nb = execute(path, timeout=timeout)
        found, with_png, others = static_figures(nb)
        target = out / (path.stem + ".html")
        export(nb, target)
        pages.append((target.name, title_of(nb, path.stem)))
        reports.append({"notebook": path.name, "html": str(target), "explorers": found,
                        "with_static_png": with_png, "other_widgets": others, "seconds": time.perf_counter() - t0})
    write_index(out, pages)
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Execute the notebooks and export them to static HTML.")
    parser.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    parser.add_argument("--out", type=Path, default=ROOT / "site")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("[0-9]*.ipynb"))
    missing = False
    for r in build(notebooks, args.out, args.timeout):
        flag = "" if r["explorers"] == r["with_static_png"] else "   <-- explorer without a static image"
        missing |= bool(flag)
        print(f"{r['notebook']:40s} {r['explorers']:2d} explorers, {r['with_static_png']:2d} with a static PNG, "
              f"{r['other_widgets']:2d} other widgets, {r['seconds']:5.1f} s{flag}")
    print(f"site written to {args.out}/index.html")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
