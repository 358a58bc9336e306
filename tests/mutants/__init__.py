"""Plausible wrong answers, one module per notebook (``nb01`` …), for the exercise tests.

Each module defines ``MUTANTS = {"nbNN_name": ["<body>", ...]}``: replacements for the solution
region of exercise ``nbNN_name`` (the region between ``### BEGIN SOLUTION`` and ``### END SOLUTION``,
written without its indentation). Every mutant must make at least one of the exercise's checks fail
(tests/test_exercises.py), and the grading test submits some of them (tests/test_grading.py).
Write mistakes a student would make: a sign error, a missing bias correction, overwriting instead
of accumulating a gradient, an off-by-one in the stopping rule.
"""
