import tempfile
from pathlib import Path

from .base import *  # noqa: F403
from .base import env_str

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Background tasks run at once, inside the request or test that enqueues them.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# Each test process keeps its sealing keys in a directory of its own.
SEALING_KEY_DIR = Path(tempfile.mkdtemp(prefix="gongzhi-sealing-"))
# The page store stays in this process unless a test run names one: its default (the next Redis
# database) may belong to another run, and the suite clears every cache between tests.
if not env_str("CACHE_REDIS_URL"):
    CACHES["pages"] = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "pages"}  # noqa: F405
# Tasks run in the test's own process (above): its page store is shared by all that bumps versions.
PAGE_CACHE_VIEWER_COPIES = True
# Dossier papers written by tests go to a directory of this process.
PRIVATE_ROOT = Path(tempfile.mkdtemp(prefix="gongzhi-private-"))
