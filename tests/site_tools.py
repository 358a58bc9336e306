"""Shared by tests/test_site.py and the browser tests: the site builder as a module, the one small
site a test run builds, and axe-core (the accessibility rules engine) from the npm registry."""
from __future__ import annotations

import atexit
import functools
import importlib.util
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: the notebook the browser tests build into a site (seven explorers and a markdown cell with formulas)
SITE_FIXTURE = ROOT / "tests" / "browser" / "site_fixture" / "explorers.ipynb"


@functools.lru_cache(maxsize=None)
def load_build_site():
    """``scripts/build_site.py`` imported as a module (scripts/ is not a package), once per process."""
    spec = importlib.util.spec_from_file_location("build_site", ROOT / "scripts" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@functools.lru_cache(maxsize=None)
def fixture_site() -> tuple[Path, tuple]:
    """(site folder, build reports) of ``SITE_FIXTURE`` built once per test process (every browser
    test module that needs the static site shares it; building takes tens of seconds). Raises the
    builder's ``VendorUnavailable`` when the npm registry is out of reach and the cache is empty."""
    build_site = load_build_site()
    out = Path(tempfile.mkdtemp(prefix="i2dl-static-site-"))
    atexit.register(shutil.rmtree, out, ignore_errors=True)
    reports = build_site.build([SITE_FIXTURE], out / "site", timeout=300)
    return out / "site", tuple(reports)


@functools.lru_cache(maxsize=None)
def axe_source() -> str:
    """axe-core's ``axe.min.js``, from the npm registry (pinned in ``build_site.TEST_VENDOR`` and
    checked against its sha512 like the site's front end; cached beside it)."""
    return load_build_site().package_files("axe-core")["axe.min.js"].decode("utf-8")
