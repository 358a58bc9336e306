"""Shared test set-up: a headless matplotlib, a hypothesis profile for shared machines, and the tiers.

Two tiers (README, "Tests and benchmarks"; CONTRIBUTING, "Running the checks"):

* ``python3 course.py test`` runs everything;
* ``python3 course.py test --quick`` runs ``-m quick``, in under a minute: the tests of the maths (the
  core layers, the exercises' checks, the flat programs and the JavaScript parity checks that need no
  page), each well under a second, with no kernel, server, cluster or browser.

``quick`` is given here, at collection, to the tests of the modules in ``QUICK_MODULES`` except those
in ``NOT_QUICK`` (explorers, which draw figures, and long sweeps) and those marked ``slow`` or
``browser``. A list of the quick modules rather than of the others: a test module someone adds is in
the full run only until it is added here, so the quick tier cannot grow slow unnoticed; a quick run also
names any of its tests that took more than ``QUICK_LIMIT`` seconds. The markers every test file uses:
``@pytest.mark.slow`` (starts kernels, servers or clusters, or takes more than a few seconds) and
``@pytest.mark.browser`` (drives Chromium); collection adds them where it can tell by itself: every
notebook cell nbval collects is ``slow``, every test that asks for a browser fixture is ``browser``.

Long jobs start early: a test module that defines ``start_in_background(items)`` (and
``stop_background()``) has it called with its selected tests as soon as collection is done (tests/test_grading.py: nbgrader's
autograde runs every instructor notebook while the other tests run, using the machine's second core).
"""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

# CI machines are shared and noisy: no per-example deadline; determinism via derandomize.
settings.register_profile("course", deadline=None, derandomize=True, max_examples=100,
                          suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("course")

#: the modules of the quick tier (paths from the repository root): the maths and the exercises' checks
QUICK_MODULES = frozenset(f"tests/{name}.py" for name in """
    test_objectives test_objective_defaults test_optim test_optimizers test_optim_rules test_graph test_nn test_mlp
    test_data test_sgd test_delay test_linesearch test_linesearch_tolerance test_convexity test_expressions
    test_flatprog test_one_source test_training test_exercise_checks test_exercises test_notebooks_clean test_packaging test_contributing
    test_course_cli test_tiers test_parity_tools test_site test_colour_contrast test_notebook09_without_dask test_esm
    browser/test_flatprog_parity browser/test_basin_parity browser/test_scenes browser/test_coalesce browser/test_formulas
""".split())
#: tests of those modules that stay in the full run (node ids without parameters): explorers, which draw
#: figures, and sweeps over many cases that take seconds
NOT_QUICK = frozenset(f"tests/{name}" for name in """
    test_exercises.py::test_right_answers_pass_and_wrong_ones_fail_for_every_seed
    test_expressions.py::test_random_token_soup_raises_only_expression_errors
    test_expressions.py::test_random_text_raises_only_expression_errors
    test_expressions.py::test_random_expressions_agree_with_numpy_and_finite_differences
    test_expressions.py::test_every_explorer_with_a_text_box_accepts_a_typed_function
    test_expressions.py::test_typing_a_function_switches_the_explorer
    test_expressions.py::test_a_bad_expression_is_shown_and_the_previous_function_stays
    test_flatprog.py::test_optimisers_on_the_program_repeat_the_catalogue_run_exactly
    test_packaging.py::test_run_time_dependencies_bring_every_module_the_notebooks_import
    test_optim.py::test_batched_run_equals_one_by_one
    test_optim.py::test_no_numpy_warning_for_any_learning_rate
    test_optim.py::test_converges_below_the_critical_learning_rate
    test_optimizers.py::test_momentum_converges_matches_the_stability_region
    test_graph.py::test_random_expressions_match_torch
    test_graph.py::test_graph_figures_fit_the_notebook_column
    test_delay.py::test_staleness_explorer_follows_its_sliders
    test_delay.py::test_bound_agrees_with_a_scan_of_the_roots
    test_sgd.py::test_sgd_explorer_noise_ball
    test_linesearch.py::test_line_search_explorer_moves_the_start_without_a_full_redraw
    test_linesearch.py::test_line_search_explorer_reacts_to_controls
    test_linesearch.py::test_the_phi_panel_shows_every_backtracking_try
    test_convexity.py::test_chord_explorer_accepts_an_objective_and_shows_errors
    test_convexity.py::test_chord_explorer_finds_a_dipping_chord_and_a_good_one
    test_contributing.py::test_the_explorer_example_in_contributing_runs
""".split())
#: fixtures that start Chromium or JupyterLab (tests/browser/conftest.py): a test using one is ``browser``
BROWSER_FIXTURES = frozenset({"browser_tools", "browser", "page", "lab_server", "lab", "voila_server"})
#: a test of the quick tier slower than this (seconds: its set-up and call) is named at the end of its run
QUICK_LIMIT = 2.0


def _is_nbval_cell(item) -> bool:
    return type(item).__module__.startswith("nbval")


def _quick(config) -> bool:
    """Is this the quick tier (``-m quick``)?"""
    return (config.getoption("markexpr", "") or "").strip() == "quick"


def pytest_ignore_collect(collection_path, config):
    """The quick tier does not even import the modules it would not run (torch, nbgrader, Playwright …)."""
    if _quick(config) and collection_path.suffix == ".py" and collection_path.name.startswith("test_"):
        try:
            rel = collection_path.relative_to(config.rootpath).as_posix()
        except ValueError:  # outside the repository
            return None
        return rel not in QUICK_MODULES or None
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark before ``-m`` deselects: nbval's cells ``slow``, tests that ask for the browser ``browser``,
    and the tests of the quick tier ``quick``."""
    for item in items:
        if _is_nbval_cell(item):
            item.add_marker(pytest.mark.slow)
        elif BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)
        path, _, name = item.nodeid.partition("::")
        if (path in QUICK_MODULES and f"{path}::{name.split('[')[0]}" not in NOT_QUICK
                and not item.get_closest_marker("slow") and not item.get_closest_marker("browser")):
            item.add_marker(pytest.mark.quick)
    _long_first(items)


# -- two workers (pytest-xdist: ``course.py test`` runs ``-n 2 --dist loadscope --no-loadscope-reorder``) -------
#: modules run first, longest first, so that no long module is left for the end of a run (the scheduler hands
#: out work in the order of collection); a module not named runs after them, in the usual order
LONG_FIRST = ("tests/test_grading.py", "tests/browser/test_jupyterlab.py",
              "tests/test_hub.py", "tests/browser/test_static_site.py", "tests/browser/test_scenes.py",
              "tests/browser/test_accessibility.py", "tests/test_exercises.py")
#: modules whose tests go to either worker one by one. Every other module is one unit of work, run by one
#: worker: its tests may share a fixture that starts a server or builds something (a graded course, a site),
#: and a notebook's cells under nbval share one kernel. test_jupyterlab's tests share the JupyterLab of their
#: worker (each worker opens one, seconds) and the fresh clone the student notebooks run in (set up once per
#: run by the first worker that asks, under a file lock, and reused by the other: tests/browser/fresh_clone.py);
#: its notebooks take a minute each; the other modules' tests share no expensive fixture (test_style.py, whose two
#: classroom tests read one measure of each explorer per process, is one unit for that reason).
SPREAD = frozenset({"tests/browser/test_jupyterlab.py", "tests/test_exercises.py", "tests/test_optim.py",
                    "tests/test_expressions.py", "tests/test_widgets_gd1d.py"})


def _long_first(items) -> None:
    rank = {path: i for i, path in enumerate(LONG_FIRST)}
    order = {id(item): i for i, item in enumerate(items)}
    items.sort(key=lambda item: (rank.get(item.nodeid.split("::")[0], len(rank)), order[id(item)]))


#: modules run by the same worker as another, because they share a fixture built once per process
#: (``site_tools.fixture_site``: the test site, tens of seconds to build)
SAME_WORKER = {"tests/browser/test_accessibility.py": "tests/browser/test_static_site.py"}


def unit_of_work(nodeid: str) -> str:
    """The unit of work of a test for the two workers: its module (or the module it shares a fixture with,
    ``SAME_WORKER``), or the test itself (``SPREAD``)."""
    path = nodeid.split("::")[0]
    return nodeid if path in SPREAD else SAME_WORKER.get(path, path)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadscope`` with this suite's units of work (``unit_of_work``): pytest-xdist's ``loadgroup``
    no longer groups under pytest 9.2 (pytest-xdist issue #1386), so the grouping lives here."""
    if config.getvalue("dist") != "loadscope":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class CourseScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return unit_of_work(nodeid)

    return CourseScheduling(config, log)


def _background_modules(session) -> dict:
    """{module: its selected tests} of the modules that have long jobs to start early."""
    found: dict = {}
    for item in session.items:
        module = getattr(item, "module", None)
        if module is not None and hasattr(module, "start_in_background"):
            found.setdefault(module, []).append(item)
    return found


def _preload_torch() -> None:
    """The first torch comparison would pay for importing torch (seconds); the quick tier pays it here."""
    import importlib.util

    if importlib.util.find_spec("torch") is not None:
        import torch  # noqa: F401


def pytest_collection_finish(session):
    """Start the long jobs of the selected test modules (``start_in_background(items)``: tests/test_grading.py's
    autograde) now, on threads: their kernels use the second core while the other tests run; their
    fixtures wait for them. ``stop_background()`` ends what is left when the session ends."""
    if session.config.option.collectonly or hasattr(session.config, "workerinput"):
        return  # under pytest-xdist the other worker is the second core
    if _quick(session.config):
        _preload_torch()
    for module, items in _background_modules(session).items():
        module.start_in_background(items)


def pytest_sessionfinish(session):
    for module in _background_modules(session):
        module.stop_background()


#: seconds of set-up (its fixtures) and call of each test (that is not marked slow)
_seconds: dict[str, float] = {}


def pytest_runtest_logreport(report):
    if report.when in ("setup", "call") and "slow" not in report.keywords:
        _seconds[report.nodeid] = _seconds.get(report.nodeid, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter, config):
    slow = [(nodeid, t) for nodeid, t in _seconds.items() if t > QUICK_LIMIT]
    if _quick(config) and slow:
        terminalreporter.write_sep("-", "tests slower than the quick tier allows")
        for nodeid, seconds in sorted(slow, key=lambda x: -x[1]):
            terminalreporter.write_line(f"{seconds:6.1f} s  {nodeid}")
        terminalreporter.write_line(f"add them to NOT_QUICK in tests/conftest.py (set-up and call took more than "
                                    f"{QUICK_LIMIT:.0f} s) or make them faster: the quick tier stays under a minute")
