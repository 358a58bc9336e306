"""nbgrader configuration: this repository is an nbgrader course directory.

    source/scaling_optimization/   the instructor notebooks (solutions, hidden tests): the one source
    notebooks/                     the student notebooks, made by `python3 course.py release`

On JupyterHub an instructor runs nbgrader from this folder (see README, "For instructors");
`release/`, `submitted/`, `autograded/`, `feedback/` and `gradebook.db` are created here then
and are not committed.
"""
c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "i2dl-scaling-optimization"
# The assignment: every notebook in source/scaling_optimization/ (one assignment, graded per notebook).
# What replaces a solution region in the student notebook (nbgrader's default, spelled out):
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"
# Per cell: the slowest cells of the course (08, 09) took 38-39 s on a 2-core machine at load 10;
# a cell that runs away (a student's endless loop) is interrupted after 3 minutes instead of 5.
c.ExecutePreprocessor.timeout = 180
# nbclient now and then misses a cell's reply and notices it only when this timeout fires (autograde
# stalled for exactly the timeout, with no error, after widget cells): look for replies every second.
try:
    from i2dl_helpers_server.replies import poll_replies_in_slices
except ImportError:  # the course package is not installed in this environment
    pass
else:
    poll_replies_in_slices()
