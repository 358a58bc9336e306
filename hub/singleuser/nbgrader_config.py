"""nbgrader for every user of the course's hub: the exchange, the course, the student id.

An instructor's course directory (``python hub/hubctl.py course``) has its own nbgrader_config.py
(the repository's), which nbgrader reads after this one.
"""
import os

c = get_config()  # noqa: F821

c.Exchange.root = os.environ.get("I2DL_EXCHANGE", "/srv/nbgrader/exchange")
c.CourseDirectory.course_id = "i2dl-scaling-optimization"  # = the repository's nbgrader_config.py (tested)

if os.environ.get("I2DL_ROLE") == "instructor":
    # the formgrader (Grading tab) works on the instructor's course directory
    c.CourseDirectory.root = os.path.expanduser(os.environ.get("I2DL_COURSE_DIR", "~/i2dl-course"))
elif os.environ.get("JUPYTERHUB_USER"):
    # nbgrader names a submission after the unix account; on a hub that is the hub's user name
    # (with one account for everyone, as in the demo or in containers, they would all be one student)
    c.CourseDirectory.student_id = os.environ["JUPYTERHUB_USER"]
