# The job kinds of the tests (tests.echo, tests.flaky, …) are registered on import, for every test here.
import tests.jobs.kinds  # noqa: F401
