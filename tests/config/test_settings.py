"""Settings come from the environment, parsed strictly; production refuses unsafe set-ups."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from django.core.exceptions import ImproperlyConfigured

from config import env

ROOT = Path(__file__).resolve().parents[2]
GOOD_SECRET = "k3y-" + "x9Q!z7Lm#2Rt" * 5


def _run(args: list[str], **environ: str) -> subprocess.CompletedProcess:
    unset = {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "CACHE_REDIS_URL", "DEBUG", "EMAIL_BACKEND", "EMAIL_HOST"}
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env={**base, **environ}, capture_output=True, text=True, timeout=120
    )


def _production(*args: str, **environ: str) -> subprocess.CompletedProcess:
    return _run(["manage.py", *args], DJANGO_SETTINGS_MODULE="config.settings.production", **environ)


@pytest.mark.parametrize("value,expected", [("true", True), ("1", True), ("on", True), ("False", False), ("0", False)])
def test_booleans_accept_the_usual_spellings(monkeypatch, value, expected):
    monkeypatch.setenv("SOME_FLAG", value)
    assert env.env_bool("SOME_FLAG") is expected


def test_a_bad_boolean_is_an_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv("SOME_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="SOME_FLAG"):
        env.env_bool("SOME_FLAG")


def test_a_bad_integer_is_an_error_naming_the_variable(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env.env_int("EMAIL_PORT", 25)
    monkeypatch.setenv("EMAIL_PORT", "0")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_PORT"):
        env.env_int("EMAIL_PORT", 25, minimum=1)


def test_lists_are_comma_separated_and_reject_empty_items(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "gongzhi.example, www.gongzhi.example")
    assert env.env_list("ALLOWED_HOSTS") == ["gongzhi.example", "www.gongzhi.example"]
    monkeypatch.setenv("ALLOWED_HOSTS", "a.example,,b.example")
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS"):
        env.env_list("ALLOWED_HOSTS")


def test_urls_must_have_an_expected_scheme(monkeypatch):
    monkeypatch.setenv("REDIS_URL", "http://127.0.0.1:6379")
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.env_url("REDIS_URL", None, schemes={"redis"})


def test_a_database_url_is_parsed_or_rejected(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi")
    config = env.database_config("DATABASE_URL", "sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql" and config["NAME"] == "gongzhi"
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/db")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.database_config("DATABASE_URL", "sqlite:///x.sqlite3")


def test_a_pool_size_gives_each_postgresql_worker_a_connection_pool(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/gongzhi")
    monkeypatch.setenv("DATABASE_POOL_SIZE", "8")
    config = env.database_config("DATABASE_URL", "sqlite:///x.sqlite3")
    assert config["OPTIONS"]["pool"]["max_size"] == 8 + 1 and config["CONN_MAX_AGE"] == 0
    monkeypatch.setenv("DATABASE_CONN_MAX_AGE", "60")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOL_SIZE"):
        env.database_config("DATABASE_URL", "sqlite:///x.sqlite3")


def test_request_threads_leave_a_pooled_connection_for_websocket_consumers():
    """With every request thread holding a connection, a consumer's query still gets one at once."""
    shown = (
        "from django.conf import settings as s; print(s.HTTP_CONCURRENCY, s.DATABASES['default']['OPTIONS']['pool'])"
    )
    result = _run(
        ["manage.py", "shell", "-c", shown],
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/gongzhi",
        DATABASE_POOL_SIZE="8",
    )
    assert result.returncode == 0, result.stderr
    threads, pool = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert int(threads) == 8 and "'max_size': 9" in pool


def test_the_default_database_is_an_sqlite_file_in_the_project(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.database_config("DATABASE_URL", f"sqlite:///{ROOT / 'db.sqlite3'}")
    assert config["ENGINE"] == "django.db.backends.sqlite3" and config["NAME"] == str(ROOT / "db.sqlite3")


def test_a_bad_value_stops_start_up_with_the_variables_name():
    result = _run(["manage.py", "check"], DEBUG="maybe", DJANGO_SETTINGS_MODULE="config.settings.dev")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_production_refuses_to_start_without_secret_key():
    result = _production("check")
    assert result.returncode != 0
    assert "The environment variable SECRET_KEY is required but not set." in result.stderr


def test_production_check_deploy_prints_no_warnings():
    result = _production("check", "--deploy", SECRET_KEY=GOOD_SECRET, ALLOWED_HOSTS="gongzhi.example")
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout
    assert "WARNINGS" not in result.stderr + result.stdout


def test_production_requires_mfa_for_staff_and_email_verification():
    code = "from django.conf import settings as s; print(s.GONGZHI_REQUIRE_STAFF_MFA, s.ACCOUNT_EMAIL_VERIFICATION, s.DEBUG)"
    result = _production("shell", "-v", "0", "-c", code, SECRET_KEY=GOOD_SECRET)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "mandatory", "False"]


def test_redis_url_switches_cache_and_channel_layer_to_redis():
    code = "from django.conf import settings as s; print(s.CACHES['default']['BACKEND'], s.CHANNEL_LAYERS['default']['BACKEND'])"
    result = _run(["manage.py", "shell", "-v", "0", "-c", code], REDIS_URL="redis://127.0.0.1:6379/3")
    assert result.stdout.split() == [
        "core.redis_pool.RedisCache",  # Django's, on one pool per process
        "channels_redis.core.RedisChannelLayer",
    ]
    result = _run(["manage.py", "shell", "-v", "0", "-c", code])
    assert result.stdout.split() == [
        "django.core.cache.backends.locmem.LocMemCache",
        "channels.layers.InMemoryChannelLayer",
    ]


# --- Issue 13: mail by SMTP in production (L5), a bounded page store (L3), connect-src 'self' ----------

_MAIL = "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS)"


def test_production_sends_mail_by_smtp_from_the_environment():
    result = _production(
        "shell", "-v", "0", "-c", _MAIL, SECRET_KEY=GOOD_SECRET, EMAIL_HOST="smtp.gongzhi.example",
        EMAIL_PORT="587", EMAIL_USE_TLS="true",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.gongzhi.example",
        "587",
        "True",
    ]


def test_production_prints_mail_only_when_told_to():
    result = _production("shell", "-v", "0", "-c", _MAIL, SECRET_KEY=GOOD_SECRET)
    assert result.stdout.split()[0] == "django.core.mail.backends.smtp.EmailBackend"
    result = _production("shell", "-v", "0", "-c", _MAIL, SECRET_KEY=GOOD_SECRET, EMAIL_BACKEND="console")
    assert result.stdout.split()[0] == "django.core.mail.backends.console.EmailBackend"


def test_email_backend_names_are_checked(monkeypatch):
    monkeypatch.setenv("EMAIL_BACKEND", "SMTP")
    assert env.env_email_backend("EMAIL_BACKEND", "console") == "django.core.mail.backends.smtp.EmailBackend"
    monkeypatch.setenv("EMAIL_BACKEND", "sendmail")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_BACKEND"):
        env.env_email_backend("EMAIL_BACKEND", "console")
    monkeypatch.delenv("EMAIL_BACKEND")
    assert env.env_email_backend("EMAIL_BACKEND", "smtp") == "django.core.mail.backends.smtp.EmailBackend"


def test_production_refuses_tls_and_ssl_together():
    result = _production("check", SECRET_KEY=GOOD_SECRET, EMAIL_USE_TLS="true", EMAIL_USE_SSL="true")
    assert result.returncode != 0 and "EMAIL_USE_SSL" in result.stderr


_STORES = (
    "from django.conf import settings as s; print(s.CACHES['default']['LOCATION'], s.CACHES['pages']['LOCATION'],"
    " s.CHANNEL_LAYERS['default']['CONFIG']['hosts'][0]['address'], s.SESSION_ENGINE)"
)


def test_pages_are_cached_in_a_redis_of_their_own_apart_from_sessions_and_channels():
    # The shared settings (the test settings keep the page store in memory unless CACHE_REDIS_URL is set).
    dev = {"DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    result = _run(["manage.py", "shell", "-v", "0", "-c", _STORES], REDIS_URL="redis://127.0.0.1:6379/3", **dev)
    assert result.stdout.split() == [
        "redis://127.0.0.1:6379/3",
        "redis://127.0.0.1:6379/4",
        "redis://127.0.0.1:6379/3",
        "django.contrib.sessions.backends.cached_db",
    ]
    result = _run(
        ["manage.py", "shell", "-v", "0", "-c", _STORES],
        REDIS_URL="redis://127.0.0.1:6379/0",
        CACHE_REDIS_URL="redis://127.0.0.1:6380/0",
        **dev,
    )
    assert result.stdout.split()[:3] == [
        "redis://127.0.0.1:6379/0",
        "redis://127.0.0.1:6380/0",
        "redis://127.0.0.1:6379/0",
    ]


def test_the_default_cache_redis_is_the_next_database():
    assert env.default_cache_redis_url("redis://:pw@cache.example:6379/15") == "redis://:pw@cache.example:6379/0"
    assert env.default_cache_redis_url("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379/1"
    assert env.default_cache_redis_url("unix:///run/redis.sock?db=2") == "unix:///run/redis.sock?db=3"
    assert env.default_cache_redis_url(None) is None


def test_without_redis_the_page_store_is_bounded_in_memory():
    from django.conf import settings

    assert settings.CACHES["pages"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert settings.CACHES["pages"].get("LOCATION") == "pages"


def test_websockets_may_connect_to_this_site_only():
    from django.conf import settings

    connect = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["connect-src"]
    assert connect == ["'self'"]
