import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value, yield_hotp_counters_from_time

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from accounts.factories import PASSWORD, UserFactory
from accounts.models import User

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "zhang@example.cn",
    "display_name": "张三",
    "phone": "",
    "password1": "Qiang-Zhuang-2026",
    "password2": "Qiang-Zhuang-2026",
}


def test_signup_creates_a_user_with_display_name_and_sends_a_verification_email(client):
    response = client.post(reverse("account_signup"), SIGNUP)
    assert response.status_code == 302
    user = User.objects.get(email="zhang@example.cn")
    assert user.display_name == "张三" and user.get_full_name() == "张三"
    assert user.username == "zhang@example.cn"
    assert len(mail.outbox) == 1 and "zhang@example.cn" in mail.outbox[0].to


@override_settings(ACCOUNT_EMAIL_VERIFICATION="mandatory")
def test_with_mandatory_verification_the_user_signs_in_only_after_confirming(client):
    client.post(reverse("account_signup"), SIGNUP)
    assert "_auth_user_id" not in client.session
    key_url = re.search(r"https?://[^/]+(/accounts/confirm-email/[^\s]+/)", mail.outbox[0].body).group(1)
    client.post(key_url)
    assert EmailAddress.objects.get(email="zhang@example.cn").verified
    assert client.session["_auth_user_id"] == str(User.objects.get(email="zhang@example.cn").pk)


def test_signup_rejects_a_bad_phone_number_and_stores_nothing(client):
    response = client.post(reverse("account_signup"), {**SIGNUP, "phone": "call me"})
    assert response.status_code == 200
    assert "phone" in response.context["form"].errors
    assert not User.objects.filter(email="zhang@example.cn").exists()


def test_login_and_logout(client):
    user = UserFactory()
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    client.post(reverse("account_logout"))
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_a_link_that_sets_a_new_password(client):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/[^\s]+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # allauth moves the key out of the URL before showing the form
    response = client.post(form_url, {"password1": "Xin-Mi-Ma-2026!", "password2": "Xin-Mi-Ma-2026!"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Xin-Mi-Ma-2026!")


def test_password_change_requires_the_old_password(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "wrong", "password1": "Xin-Mi-Ma-2026!", "password2": "Xin-Mi-Ma-2026!"},
    )
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def _fail_logins(client, url: str, email: str, times: int) -> None:
    for _ in range(times):
        client.post(url, {"login": email, "password": "wrong-password"})


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_repeated_failed_logins_are_limited_even_with_the_right_password_afterwards(client, url):
    user = UserFactory(is_superuser=True, is_staff=True)
    _fail_logins(client, url, user.email, 5)
    response = client.post(url, {"login": user.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_a_few_failed_logins_do_not_lock_the_user_out(client, url):
    user = UserFactory(is_superuser=True, is_staff=True)
    _fail_logins(client, url, user.email, 2)
    client.post(url, {"login": user.email, "password": PASSWORD})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_admin_login_is_allauths_and_returns_to_the_admin(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/login/" in response.url
    response = client.post("/admin/login/?next=/admin/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def _current_code(secret: str) -> str:
    counter = next(iter(yield_hotp_counters_from_time()))
    return f"{hotp_value(secret, counter):06d}"


@override_settings(GONGZHI_REQUIRE_STAFF_MFA=True)
def test_staff_without_totp_are_sent_to_enrol_before_the_admin(client, editor_a):
    client.force_login(editor_a)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("mfa_activate_totp"))


@override_settings(GONGZHI_REQUIRE_STAFF_MFA=True)
def test_staff_with_totp_enter_the_admin(client, editor_a):
    TOTP.activate(editor_a, generate_totp_secret())
    client.force_login(editor_a)
    assert client.get("/admin/").status_code == 200


@override_settings(GONGZHI_REQUIRE_STAFF_MFA=True)
def test_residents_are_not_asked_for_mfa_on_the_public_site(client, resident, home_page):
    client.force_login(resident)
    assert client.get("/").status_code == 200


def test_login_of_a_user_with_totp_asks_for_the_code(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    response = client.post("/admin/login/?next=/admin/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    client.post(reverse("mfa_authenticate"), {"code": _current_code(secret)})
    assert client.session["_auth_user_id"] == str(user.pk)
