"""Benchmarks (`make bench`): the production settings plus one trivial view to compare pages against."""

from .production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The bench measures pages, ballots and live delivery, not mail: the demo it seeds and the flows it drives
# notify people, and this machine has no SMTP server. Mail is kept in memory (and dropped).
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
