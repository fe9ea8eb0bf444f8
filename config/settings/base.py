"""Settings shared by every environment. The environment is read here, once."""

import socket
from pathlib import Path

from config.env import (
    database_config,
    default_cache_redis_url,
    env_bool,
    env_email_backend,
    env_int,
    env_list,
    env_str,
    env_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SITE_DIR = BASE_DIR / "site"

SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-key-do-not-use-in-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "daphne",
    # Ground floor
    "core",
    "accounts",
    "organizations",
    "notifications",
    # Long work with progress (reports, exports), used by the features
    "jobs",
    # Features
    "home",
    "consultation",
    "surveys",
    "appeals",
    "evaluation",
    "membership",
    "accountability",
    "orglife",
    "search",
    # The demo site (seed_demo) wires data into all of the above
    "demo",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Accounts
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rules.apps.AutodiscoverRulesConfig",
    "channels",
    # Background tasks: Django's Tasks API (backport) and its database backend
    "django_tasks",
    "django_tasks_db",
    # ... and its RQ backend (production, TASKS_BACKEND=rq): RQ's queues on Redis, run by `manage.py rqworker`
    "django_rq",
    "django_tasks_rq",
    # Django
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    # Outermost: it sees the final response, cookies included (core/edge.py).
    "core.edge.EdgeCacheMiddleware",
    "config.dbrouter.ReadYourWritesMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "config.middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "config.middleware.RefuseNullCharactersMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.csp.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.StaffMFARequiredMiddleware",
    "config.middleware.AdminAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "core.cache.PageCacheMiddleware",
]

# How long nginx may keep an anonymous page that Django marked as shareable (core/edge.py); 0: never.
# Publishing, unpublishing and view restrictions reach anonymous visitors within this many seconds.
EDGE_CACHE_SECONDS = env_int("EDGE_CACHE_SECONDS", 5, minimum=0)

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SITE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "notifications.context_processors.notifications",
            ],
        },
    },
]

# --- Data stores -----------------------------------------------------------
DATABASES = {"default": database_config("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
# A streaming replica for reads (config/dbrouter.py): `make run-prod REPLICA=1` starts one on this machine.
if env_str("REPLICA_DATABASE_URL", None):
    DATABASES["replica"] = database_config("REPLICA_DATABASE_URL", "")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["config.dbrouter.ReplicaRouter"]
# After a write, the writer's reads go to the primary this long (the replica's lag is far below it).
READ_YOUR_WRITES_SECONDS = env_int("READ_YOUR_WRITES_SECONDS", 10, minimum=1)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Threads one ASGI worker runs HTTP requests on, so requests inside Django at once (config/http.py): at
# most DATABASE_POOL_SIZE, its default (the pool keeps one connection more, for WebSocket consumers);
# 16 without a pool.
_DATABASE_POOL = DATABASES["default"].get("OPTIONS", {}).get("pool")
HTTP_CONCURRENCY = env_int("HTTP_CONCURRENCY", _DATABASE_POOL["max_size"] - 1 if _DATABASE_POOL else 16, minimum=1)

REDIS_URL = env_url("REDIS_URL", None, schemes={"redis", "rediss", "unix"})
# Two stores: "default" (the main Redis) holds what must never be evicted — sessions, rate limits,
# permission versions — and the channel layer; "pages" holds rendered pages and result fragments, which
# anyone can multiply, in a bounded store that evicts (a separate redis-server with maxmemory and
# allkeys-lru in production: `make run-prod` starts one). CACHE_REDIS_URL defaults to the next database
# of the main Redis.
CACHE_REDIS_URL = env_url("CACHE_REDIS_URL", default_cache_redis_url(REDIS_URL), schemes={"redis", "rediss", "unix"})
# redis-py (≥ 7) caps a pool at 100 connections and raises past it: with hundreds of sockets on a worker
# joining, leaving and receiving at once, the consumers that drew the 101st connection died and their
# clients lost every later event (P5, issue 19). Each socket holds at most one connection at a time, so
# the cap is the sockets a worker may hold; Redis itself accepts 10,000 clients by default.
CHANNEL_LAYER_MAX_CONNECTIONS = env_int("CHANNEL_LAYER_MAX_CONNECTIONS", 4000, minimum=100)
# The channel layer's connections have no socket timeout:
# - redis-py's default (5 s) equals channels-redis's blocking pop (BZPOPMIN, 5 s): on a busy worker the
#   empty answer arrived just late, the read timed out and the consumer died (lost events);
# - any socket timeout makes redis-py send each command under `asyncio.wait_for`, which on Python 3.11
#   swallows a cancellation that arrives as the send completes (CPython gh-86296, fixed in 3.12). A closed
#   socket's receive loop then outlived its consumer, popping forever; in the suite, an event loop's
#   shutdown waited for it forever.
# Every read is bounded by the pop's own 5 s; a server gone without a word is found by TCP keepalive
# (about 25 s), and connecting gives up after 5 s.
CHANNEL_LAYER_HOST_OPTIONS = {
    "max_connections": CHANNEL_LAYER_MAX_CONNECTIONS,
    "socket_timeout": None,
    "socket_connect_timeout": 5,
    "socket_keepalive": True,
    "socket_keepalive_options": {socket.TCP_KEEPIDLE: 10, socket.TCP_KEEPINTVL: 5, socket.TCP_KEEPCNT: 3},
}
# Pages kept for each signed-in viewer (core/cache.py): only where every process shares the page store
# (Redis), since the versions that forget them are bumped by task workers and commands too.
PAGE_CACHE_VIEWER_COPIES = env_bool("PAGE_CACHE_VIEWER_COPIES", bool(REDIS_URL))
# With a read replica, cached pages (anonymous or a viewer's) may be drawn from data a fraction of a
# second behind a change already invalidated: they are kept this long at most (core/cache.py).
PAGE_CACHE_REPLICA_SECONDS = env_int("PAGE_CACHE_REPLICA_SECONDS", 2, minimum=0)

if REDIS_URL:
    # Django's Redis cache with one connection pool per process, not one per request (core/redis_pool.py).
    # A pool opens a connection when every open one is busy and keeps it; past max_connections redis-py
    # raises, so the cap is high.
    _REDIS_CACHE_OPTIONS = {"max_connections": 1000}
    CACHES = {
        "default": {"BACKEND": "core.redis_pool.RedisCache", "LOCATION": REDIS_URL, "OPTIONS": _REDIS_CACHE_OPTIONS},
        "pages": {
            "BACKEND": "core.redis_pool.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "OPTIONS": _REDIS_CACHE_OPTIONS,
        },
    }
    # Sessions read from Redis, written through to the database: one query less on every signed-in page.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": REDIS_URL, **CHANNEL_LAYER_HOST_OPTIONS}],
                "capacity": 1000,
                "expiry": 30,
            },
        }
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "pages",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Accounts --------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "accounts.backends.CachedPermissionsBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, stated so they are visible and testable.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
# Cookies: no script reads them (ours take the CSRF token from the form's hidden input, Wagtail's admin
# from its JSON config), so all are HttpOnly; SameSite=Lax keeps them off cross-site POSTs.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Gongzhi"
# Staff (anyone who can open the Wagtail admin) must enrol a TOTP device first.
GONGZHI_REQUIRE_STAFF_MFA = env_bool("GONGZHI_REQUIRE_STAFF_MFA", False)

# Admin login goes through allauth so its rate limits and MFA apply there too;
# password reset and change happen in allauth's views for the same reason.
WAGTAILADMIN_LOGIN_URL = "account_login"
# Private pages too: Wagtail's default front-end login is Django's LoginView (no rate limits, no MFA).
WAGTAIL_FRONTEND_LOGIN_URL = "account_login"
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = False

# --- Email -----------------------------------------------------------------
# Development prints mail; production (production.py) sends it by SMTP unless EMAIL_BACKEND says otherwise.
EMAIL_BACKEND = env_email_backend("EMAIL_BACKEND", "console")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
# A slow mail server must not hold a request (and its worker) for ever.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "共治 Gongzhi <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Language --------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# site/locale_wagtail supplies what Wagtail 8.0.1 leaves untranslated in zh_Hans (admin and its JavaScript);
# LOCALE_PATHS come before every app's catalogue (docs/translations.md).
LOCALE_PATHS = [SITE_DIR / "locale", SITE_DIR / "locale_wagtail"]
# The admin's own time-zone choice (account settings): China's zones, not every name the system's
# zoneinfo holds (it includes "localtime", which the browser's Intl refuses with a console error).
WAGTAIL_USER_TIME_ZONES = ["Asia/Shanghai", "Asia/Urumqi", "Asia/Hong_Kong", "Asia/Macau", "Asia/Taipei", "UTC"]
TIME_ZONE = "Asia/Shanghai"
# zh-hans input formats with ISO first (config/formats/zh_Hans/formats.py): date inputs take only yyyy-mm-dd.
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
WAGTAIL_CONTENT_LANGUAGES = [("zh-hans", "简体中文")]

# --- Static and media ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
STATICFILES_DIRS = [SITE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Personal files (dossier papers, request photos, minutes and evidence attachments): never under MEDIA_ROOT,
# handed out only by permission-checked views (core/private_files.py).
PRIVATE_ROOT = Path(env_str("PRIVATE_ROOT", str(BASE_DIR / "var" / "private")))

# Sealed ballot boxes (core/sealing.py): private keys live here, wrapped with SEALING_WRAP_KEY (32 bytes,
# base64; when unset, a key derived from SECRET_KEY: set it in production so that rotating SECRET_KEY
# cannot orphan an open ballot box), never in the database. The mixer opens sealed ballots and anonymous
# answers in shuffled batches of at least SEALING_MIX_BATCH, and always at the close.
SEALING_KEY_DIR = Path(env_str("SEALING_KEY_DIR", str(BASE_DIR / "var" / "sealing-keys")))
SEALING_WRAP_KEY = env_str("SEALING_WRAP_KEY", None)
SEALING_MIX_BATCH = env_int("SEALING_MIX_BATCH", 5, minimum=2)

# An intranet admin: no avatars from gravatar, no update check against releases.wagtail.org.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAIL_ENABLE_UPDATE_CHECK = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Wagtail ---------------------------------------------------------------
WAGTAIL_SITE_NAME = "共治 Gongzhi"
WAGTAILADMIN_BASE_URL = env_str("WAGTAILADMIN_BASE_URL", "http://127.0.0.1:8000")
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
# Documents go through Wagtail's view, which checks collection privacy; never straight from /media/.
# Behind nginx, DOCUMENTS_X_ACCEL_PREFIX (e.g. /_protected_media/, an `internal` nginx location for
# MEDIA_ROOT) lets nginx send the file once Django has said yes (config/sendfile.py).
WAGTAILDOCS_SERVE_METHOD = "serve_view"
DOCUMENTS_X_ACCEL_PREFIX = env_str("DOCUMENTS_X_ACCEL_PREFIX", "")
if DOCUMENTS_X_ACCEL_PREFIX:
    if not (DOCUMENTS_X_ACCEL_PREFIX.startswith("/") and DOCUMENTS_X_ACCEL_PREFIX.endswith("/")):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("DOCUMENTS_X_ACCEL_PREFIX must start and end with '/'.")
    SENDFILE_BACKEND = "config.sendfile"
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "key", "odt", "pdf", "pptx", "rtf", "txt", "xlsx", "zip"]
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

# --- Organisational life (orglife) ------------------------------------------------------
# Sign-in opens this long before a meeting starts and stays open this long after it ends.
ORGLIFE_SIGNIN_OPENS_MINUTES_BEFORE = env_int("ORGLIFE_SIGNIN_OPENS_MINUTES_BEFORE", 30, minimum=0)
ORGLIFE_SIGNIN_CLOSES_MINUTES_AFTER = env_int("ORGLIFE_SIGNIN_CLOSES_MINUTES_AFTER", 30, minimum=0)
# The secretary may tick those without a phone until this many days after the meeting ends; later ticks would
# be paperwork for the record, not attendance (the issue's 重痕迹).
ORGLIFE_TICK_GRACE_DAYS = env_int("ORGLIFE_TICK_GRACE_DAYS", 7, minimum=0)
# A scanned code is good this long; the secretary's screen renews it every minute.
ORGLIFE_QR_MAX_AGE_SECONDS = env_int("ORGLIFE_QR_MAX_AGE_SECONDS", 180, minimum=30)
# Cadence: warn this many days before a quarter (or, for yearly meetings, the year) ends.
ORGLIFE_CADENCE_WARN_DAYS = env_int("ORGLIFE_CADENCE_WARN_DAYS", 30, minimum=0)
# Term of office in years by organisation type (中办《关于党的基层组织任期的意见》, 2018): branches and general
# branches 3, Party committees of communities, villages and streets 5. Localities may override.
ORGLIFE_TERM_YEARS = {"branch": 3, "general_branch": 3, "community": 5, "street": 5}
# Remind the organisation and the level above this many months before the term ends (add more points,
# e.g. [6, 3, 1]); once overdue, monthly.
ORGLIFE_TERM_REMINDER_MONTHS = [6]

# --- Background tasks ---------------------------------------------------------
# Django's Tasks API (the django-tasks backport on Django 5.2). TASKS_BACKEND chooses where tasks wait:
# "database" (default; django-tasks-db: `make run` starts `manage.py db_worker` beside the server) or "rq"
# (django-tasks-rq: RQ on the Redis of REDIS_URL, run by `manage.py rqworker --job-class django_tasks_rq.Job`;
# production's default when REDIS_URL is set, see production.py and README "Background tasks"). Tests use the
# immediate backend (config/settings/test.py).
TASKS_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]},
    "rq": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]},
}


def tasks_setting(backend: str) -> dict:
    if backend not in TASKS_BACKENDS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(TASKS_BACKENDS)}, not {backend!r}.")
    if backend == "rq" and not REDIS_URL:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("TASKS_BACKEND=rq needs REDIS_URL.")
    return {"default": TASKS_BACKENDS[backend]}


TASKS_BACKEND = env_str("TASKS_BACKEND", "database")
TASKS = tasks_setting(TASKS_BACKEND)
# A roster file larger than this is imported by a job (organizations/jobs.py) with a progress page; a smaller
# one in the request, its problems on the same page.
ROSTER_IMPORT_JOB_BYTES = env_int("ROSTER_IMPORT_JOB_BYTES", 100_000)
# A job's result file (an export, a report) is deleted this many days after the job ended (jobs/housekeeping.py,
# `manage.py expire_job_files` on gongzhi-jobs.timer); its page then offers to make it again.
JOBS_FILES_KEPT_DAYS = env_int("JOBS_FILES_KEPT_DAYS", 7)
# RQ's queues (django-rq); only used with TASKS_BACKEND=rq. A job may take long (a city-wide export): one hour.
RQ_QUEUES = {"default": {"URL": REDIS_URL or "redis://127.0.0.1:6379/0", "DEFAULT_TIMEOUT": 3600}}

# --- Content security policy (no CDN anywhere: every asset is local) --------
from csp.constants import NONE, SELF, UNSAFE_INLINE  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        # No inline script anywhere on the site; config.csp.CSPMiddleware adds 'unsafe-inline' under
        # /admin/ only, because Wagtail's own admin templates still ship inline scripts.
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "blob:"],
        # 'self' covers WebSockets to this site's own host and port (ws: / wss:, CSP Level 3); any other
        # host is refused (issue 13).
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # One line per background task and per page save drowns the useful lines.
        "django_tasks": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        "wagtail": {"level": env_str("WAGTAIL_LOG_LEVEL", "WARNING")},
    },
}
