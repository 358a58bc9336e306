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
# Exercises run the course's own code; give slow machines time.
c.ExecutePreprocessor.timeout = 300
