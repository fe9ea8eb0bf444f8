"""Accounts and request hardening: login lockout, staff MFA, cookies, CSRF, CSP and `check --deploy`."""

import json
import os
import re
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from django.http import HttpResponseForbidden
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern
from django.utils.http import urlencode

from accounts.factories import PASSWORD, UserFactory
from surveys.factories import survey_page

ROOT = Path(__file__).resolve().parents[2]
LOCKED_OUT = "登录失败次数过多，请稍后重试。"
LOGIN_URLS = ["/accounts/login/", "/admin/login/"]


# --- brute force ------------------------------------------------------------------------------------------


def _login(client, url, email, password, ip="203.0.113.7", **headers):
    return client.post(url, {"login": email, "password": password}, REMOTE_ADDR=ip, **headers)


@pytest.mark.django_db
@pytest.mark.parametrize("url", LOGIN_URLS)
def test_after_five_failures_for_one_account_even_the_right_password_is_refused_with_a_clear_message(client, url):
    user = UserFactory(is_superuser=True, is_staff=True)
    for attempt in range(5):
        # From five addresses: the per-account limit must hold however the attacker spreads the guesses.
        _login(client, url, user.email, "wrong-password", ip=f"198.51.100.{attempt + 1}")
    response = _login(client, url, user.email, PASSWORD)
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)
    assert LOCKED_OUT in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("url", LOGIN_URLS)
def test_after_ten_failures_from_one_address_every_account_is_refused_from_it(client, url):
    victims = [UserFactory() for _ in range(10)]
    for victim in victims:  # one guess per account: the per-account limit is never reached
        _login(client, url, victim.email, "wrong-password")
    fresh = UserFactory(is_superuser=True, is_staff=True)
    refused = _login(client, url, fresh.email, PASSWORD)
    assert "_auth_user_id" not in client.session and LOCKED_OUT in refused.content.decode()
    # The same account from another address is let in: the address was limited, not the account.
    _login(client, url, fresh.email, PASSWORD, ip="192.0.2.44")
    assert client.session["_auth_user_id"] == str(fresh.pk)


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_address_limit(client):
    # Behind nginx, uvicorn --proxy-headers puts the real client into REMOTE_ADDR; a header sent by the
    # client itself must not give each guess a new address.
    for index in range(10):
        _login(client, LOGIN_URLS[0], UserFactory().email, "wrong", HTTP_X_FORWARDED_FOR=f"10.0.0.{index}")
    fresh = UserFactory()
    response = _login(client, LOGIN_URLS[0], fresh.email, PASSWORD, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert "_auth_user_id" not in client.session and LOCKED_OUT in response.content.decode()


def test_the_login_limits_are_the_documented_ones():
    from django.conf import settings

    assert settings.ACCOUNT_RATE_LIMITS["login_failed"] == "10/m/ip,5/5m/key"


# --- production settings ----------------------------------------------------------------------------------


def _production_env(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY", "GONGZHI_REQUIRE_STAFF_MFA"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="gongzhi.example",
        DATABASE_URL="postgres://gongzhi@db.invalid:5432/gongzhi",  # never connected to by these checks
    )
    env.update(extra)
    return env


PRODUCTION_NAMES = [
    "DEBUG",
    "GONGZHI_REQUIRE_STAFF_MFA",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE",
    "LANGUAGE_COOKIE_HTTPONLY",
    "LANGUAGE_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "X_FRAME_OPTIONS",
    "ACCOUNT_EMAIL_VERIFICATION",
    "MIDDLEWARE",
]


@pytest.fixture(scope="module")
def production():
    script = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n) for n in {PRODUCTION_NAMES!r}}}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=_production_env(), capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_production_requires_staff_mfa_and_verified_email(production):
    assert production["GONGZHI_REQUIRE_STAFF_MFA"] is True and production["DEBUG"] is False
    assert production["ACCOUNT_EMAIL_VERIFICATION"] == "mandatory"
    assert "accounts.middleware.StaffMFARequiredMiddleware" in production["MIDDLEWARE"]


def test_production_cookies_are_secure_httponly_and_same_site(production):
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert production[f"{cookie}_COOKIE_SECURE"] is True, cookie
        assert production[f"{cookie}_COOKIE_SAMESITE"] == "Lax", cookie
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    # No script of ours reads the CSRF cookie (the test below), so it is HttpOnly too.
    assert production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["SECURE_SSL_REDIRECT"] is True and production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["X_FRAME_OPTIONS"] == "DENY" and production["SECURE_CONTENT_TYPE_NOSNIFF"] is True


def test_no_script_of_the_site_reads_cookies():
    # Our scripts take the CSRF token from the form's hidden input; Wagtail's admin from its JSON config.
    scripts = [p for p in ROOT.glob("*/static/**/*.js") if ".venv" not in p.parts and "node_modules" not in p.parts]
    assert scripts
    for script in scripts:
        assert "document.cookie" not in script.read_text(encoding="utf-8"), script


@pytest.mark.django_db
@override_settings(CSRF_COOKIE_HTTPONLY=True, SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True)
def test_the_cookies_sent_carry_the_flags(client):
    response = client.get("/accounts/login/")
    csrf = response.cookies["csrftoken"]
    assert csrf["httponly"] and csrf["secure"] and csrf["samesite"] == "Lax"
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["secure"] and session["samesite"] == "Lax"


def test_check_deploy_with_production_settings_reports_nothing():
    done = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues" in output, output
    assert "WARNING" not in output and "ERROR" not in output, output


# --- staff MFA --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(GONGZHI_REQUIRE_STAFF_MFA=True)
@pytest.mark.parametrize("path", ["/admin/", "/admin/pages/", "/admin/users/", "/admin/api/main/pages/"])
def test_with_production_mfa_staff_without_totp_reach_no_admin_page(client, org_admin, path):
    client.force_login(org_admin)
    response = client.get(path)
    assert response.status_code == 302 and response.url.startswith("/accounts/2fa/totp/activate")


@pytest.mark.django_db
@override_settings(GONGZHI_REQUIRE_STAFF_MFA=True)
def test_with_production_mfa_a_staff_password_alone_does_not_open_the_admin(client):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    response = client.post("/admin/login/?next=/admin/", {"login": superuser.email, "password": PASSWORD}, follow=True)
    # /admin/ answers with a redirect to enrol TOTP (allauth asks for the password again first).
    chain = [url for url, _status in response.redirect_chain]
    assert chain[0] == "/admin/" and chain[1].startswith("/accounts/2fa/totp/activate/")
    assert response.status_code == 200 and response.wsgi_request.path.startswith("/accounts/")


@pytest.mark.django_db
@override_settings(GONGZHI_REQUIRE_STAFF_MFA=True)
def test_with_production_mfa_staff_without_totp_reach_no_staff_page_outside_the_admin_either(
    client, secretary_a, branch_a
):
    survey = survey_page(branch_a.page)
    client.force_login(secretary_a)
    for path in ["/evaluation/new/", "/evaluation/", survey.url + "results/?a=1&b=2", "/"]:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.url == "/accounts/2fa/totp/activate/?" + urlencode({"next": path}), path
    # What enrolment itself needs stays open.
    assert client.get("/accounts/2fa/totp/activate/").status_code in (200, 302)
    assert "/2fa/totp/activate" not in client.get("/accounts/logout/").get("Location", "")


@pytest.mark.django_db
@override_settings(GONGZHI_REQUIRE_STAFF_MFA=True)
def test_with_production_mfa_enrolled_staff_and_residents_use_the_site(client, secretary_a, resident, branch_a):
    TOTP.activate(secretary_a, generate_totp_secret())
    for user in (secretary_a, resident):
        client.force_login(user)
        assert client.get("/evaluation/").status_code == 200
        assert client.get(survey_page(branch_a.page).url).status_code == 200


# --- CSRF -------------------------------------------------------------------------------------------------


def _csrf_rejected(request, reason=""):
    return HttpResponseForbidden(f"csrf-rejected: {reason}")


# (regex) → an example that resolves, for the few patterns that are regular expressions.
REGEX_EXAMPLES = {
    r"^pages/": "pages/",
    r"^documents/": "documents/",
    r"^images/": "images/",
    r"^(?P<pk>\d+)/revisions/compare/(?P<revision_id_a>live|earliest|\d+)\.\.\.(?P<revision_id_b>live|latest|\d+)/$": (
        "1/revisions/compare/earliest...latest/"
    ),
    r"^.*/$": "anything/",
    r"^(\d+)/(.*)$": "1/file.pdf",
    r"^confirm-email/(?P<key>[-:\w]+)/$": "confirm-email/key/",
    r"^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "password/reset/key/1-key/",
    r"^((?:[\w\-]+/)*)$": "some/page/",
}
SAMPLES = {"int": "1", "str": "x", "slug": "x", "path": "x/y", "uuid": str(uuid.UUID(int=1))}
# Endpoints that take no form posts from a browser session and are exempt on purpose.

CSRF_EXEMPT = {
    # Wagtail's read-only admin API (Django REST framework views; the admin reads them with GET only).
    "/admin/api/main/pages/",
    "/admin/api/main/pages/1/",
    "/admin/api/main/pages/find/",
    "/admin/api/main/pages/1/action/x/",
    "/admin/api/main/documents/",
    "/admin/api/main/documents/1/",
    "/admin/api/main/documents/find/",
    "/admin/api/main/images/",
    "/admin/api/main/images/1/",
    "/admin/api/main/images/find/",
}


def _example(pattern) -> str:
    if isinstance(pattern, RegexPattern):
        assert pattern._regex in REGEX_EXAMPLES, f"add an example URL for {pattern._regex!r} to REGEX_EXAMPLES"
        return REGEX_EXAMPLES[pattern._regex]
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: SAMPLES[m.group(1) or "str"], str(pattern))


def every_url() -> list[str]:
    """One concrete URL for every pattern the site routes (project apps, allauth, Wagtail and its admin)."""
    urls = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + _example(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                urls.append("/" + prefix + _example(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return sorted(set(urls))


@pytest.mark.django_db
def test_every_url_pattern_gets_a_concrete_example_that_resolves_to_it():
    urls = every_url()
    assert len(urls) > 300
    for url in urls:
        resolve(url)  # raises Resolver404 when an example is wrong


@pytest.mark.django_db
@override_settings(CSRF_FAILURE_VIEW="tests.security.test_accounts_hardening._csrf_rejected")
def test_every_post_without_a_csrf_token_is_refused(branch_a, resident):
    urls = every_url() + [survey_page(branch_a.page).url]
    anonymous = Client(enforce_csrf_checks=True)
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(resident)
    signed_in.get(urls[-1])  # the survey form sets a real csrftoken cookie, as in a browser session
    assert "csrftoken" in signed_in.cookies
    accepted = []
    for url in urls:
        if url in CSRF_EXEMPT:
            continue
        for client in (anonymous, signed_in):
            response = client.post(url, {"x": "1"})
            if not (response.status_code == 403 and response.content.startswith(b"csrf-rejected")):
                accepted.append(f"{url} → {response.status_code}")
    assert not accepted, "POSTs without a CSRF token that were not refused:\n" + "\n".join(accepted)


def test_the_csrf_exempt_list_names_only_wagtails_read_only_api():
    assert all(url.startswith("/admin/api/main/") for url in CSRF_EXEMPT)


FORM = re.compile(r"<form\b(?P<attrs>[^>]*)>(?P<body>.*?)</form>", re.S | re.I)


def _templates():
    for path in ROOT.rglob("*.html"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in {".venv", "node_modules", "static"} or "templates" not in relative.parts:
            continue
        yield path


def test_every_post_form_in_our_templates_carries_the_csrf_token():
    forms, missing = 0, []
    for path in _templates():
        for match in FORM.finditer(path.read_text(encoding="utf-8")):
            if not re.search(r"method\s*=\s*['\"]?post", match.group("attrs"), re.I):
                continue
            forms += 1
            if "{% csrf_token %}" not in match.group("body"):
                missing.append(f"{path.relative_to(ROOT)}: <form{match.group('attrs')}>")
    assert forms >= 15
    assert not missing, "POST forms without {% csrf_token %}:\n" + "\n".join(missing)


RENDERED_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/accounts/password/change/",
    "/accounts/email/",
    "/accounts/logout/",
    "/accounts/profile/",
    "/search/?q=党建",
    "/notifications/",
]


@pytest.mark.django_db
def test_every_post_form_on_rendered_pages_carries_the_csrf_token(client, branch_a, resident):
    client.force_login(resident)
    page = survey_page(branch_a.page)
    checked = 0
    for url in [*RENDERED_PAGES, page.url, "/"]:
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        for match in FORM.finditer(response.content.decode()):
            if re.search(r"method\s*=\s*['\"]?post", match.group("attrs"), re.I):
                checked += 1
                assert 'name="csrfmiddlewaretoken"' in match.group("body"), f"{url}: <form{match.group('attrs')}>"
    assert checked >= 8


# --- content security policy -----------------------------------------------------------------------------


def _directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.django_db
def test_the_public_site_allows_no_inline_script(client, branch_a, resident):
    page = survey_page(branch_a.page)
    client.force_login(resident)
    for url in ["/", "/accounts/login/", page.url, "/search/?q=党建", "/surveys/"]:
        response = client.get(url)
        policy = _directives(response["Content-Security-Policy"])
        assert policy["script-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
        html = response.content.decode()
        # Nothing on our pages needs the exception: no inline script, no event-handler attribute.
        for script in re.finditer(r"<script\b([^>]*)>", html):
            assert "src=" in script.group(1) or "application/json" in script.group(1), (url, script.group(0))
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url


def test_our_templates_hold_no_inline_script_or_event_handler():
    for path in _templates():
        text = path.read_text(encoding="utf-8")
        for script in re.finditer(r"<script\b([^>]*)>", text):
            assert "src=" in script.group(1) or "application/json" in script.group(1), (path, script.group(0))
        assert not re.search(r"<[a-z][^>]*\son(click|change|submit|load|input|error|focus|blur)\s*=", text), path
        assert "javascript:" not in text, path


@pytest.mark.django_db
def test_only_wagtails_admin_keeps_inline_scripts(client, org_admin):
    # Wagtail's own admin templates (date pickers, inline panels) still ship inline scripts.
    client.force_login(org_admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in _directives(response["Content-Security-Policy"])["script-src"]


@pytest.mark.django_db
def test_wagtails_admin_api_checks_the_csrf_token_itself_for_signed_in_staff():
    # Its views are exempt from the middleware; Django REST framework's session authentication
    # enforces the same check for every signed-in user.
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(UserFactory(is_superuser=True, is_staff=True))
    for url in sorted(CSRF_EXEMPT):
        response = staff.post(url, {"x": "1"})
        assert response.status_code == 403 and b"CSRF" in response.content, (url, response.status_code)
