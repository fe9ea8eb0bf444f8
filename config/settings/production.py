"""Production: secrets are required, HTTPS is assumed, staff must use MFA."""

from .base import *  # noqa: F403
from .base import REDIS_URL, env_bool, env_email_backend, env_int, env_str, tasks_setting

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY", required=True)

ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Mail leaves by SMTP (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS or
# EMAIL_USE_SSL). Printing it — password-reset links in the server's logs — only when EMAIL_BACKEND=console
# says so.
EMAIL_BACKEND = env_email_backend("EMAIL_BACKEND", "smtp")
if EMAIL_USE_TLS and EMAIL_USE_SSL:  # noqa: F405
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL cannot both be true.")
GONGZHI_REQUIRE_STAFF_MFA = env_bool("GONGZHI_REQUIRE_STAFF_MFA", True)

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# Every cookie travels over HTTPS only; HttpOnly and SameSite=Lax are set in base.py for all environments.
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True

# Background tasks on RQ (Redis) when there is a Redis, unless TASKS_BACKEND says otherwise: workers scale out
# on other machines and the database is not polled. `make run-prod` starts WORKERS_TASKS `rqworker`s.
TASKS_BACKEND = env_str("TASKS_BACKEND", "rq" if REDIS_URL else "database")
TASKS = tasks_setting(TASKS_BACKEND)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
