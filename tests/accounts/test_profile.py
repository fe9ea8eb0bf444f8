"""A person changes their own display name and phone number on their profile page."""

import pytest

from django.urls import reverse
from django.utils import translation

from accounts.factories import UserFactory
from accounts.forms import normalize_phone

pytestmark = pytest.mark.django_db

URL = reverse("accounts_profile")


@pytest.fixture
def user(db):
    return UserFactory(display_name="张三", phone="")


def test_user_changes_name_and_phone_and_is_told_it_was_saved(client, user):
    client.force_login(user)
    response = client.post(URL, {"display_name": "  张  三丰 ", "phone": "138 0013 8000"}, follow=True)
    user.refresh_from_db()
    assert (user.display_name, user.phone) == ("张 三丰", "13800138000")
    assert response.redirect_chain == [(URL, 302)]
    assert "您的姓名和电话号码已保存。" in response.content.decode()
    assert 'value="13800138000"' in response.content.decode()


def test_profile_page_shows_the_form_with_current_values_in_chinese(client, user):
    user.phone = "010-62345678"
    user.save()
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert 'name="display_name"' in html and 'value="张三"' in html
    assert 'value="010-62345678"' in html and 'autocomplete="tel"' in html
    assert "姓名和电话" in html and ">保存<" in html


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 19912345678", "19912345678"),
        ("１３８００１３８０００", "13800138000"),
        ("010-62345678", "010-62345678"),
        ("0571 8765 4321", "0571-87654321"),
        ("(021)6234567", "021-6234567"),
        ("010-62345678转123", "010-62345678-123"),
        ("", ""),
    ],
)
def test_mainland_phone_numbers_are_accepted_and_written_one_way(typed, stored):
    assert normalize_phone(typed) == stored


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("call me", "请输入11位手机号码（如13800138000）或带区号的固定电话（如010-62345678）。"),
        ("1380013800", "请输入11位手机号码（如13800138000）或带区号的固定电话（如010-62345678）。"),
        ("12800138000", "请输入11位手机号码（如13800138000）或带区号的固定电话（如010-62345678）。"),
        ("62345678", "请输入11位手机号码（如13800138000）或带区号的固定电话（如010-62345678）。"),
        ("+44 20 7946 0000", "只接受中国大陆的电话号码：11位手机号码或带区号的固定电话。"),
    ],
)
def test_a_bad_phone_number_is_refused_with_a_chinese_error_and_nothing_is_saved(client, user, typed, error):
    client.force_login(user)
    response = client.post(URL, {"display_name": "李四", "phone": typed})
    assert response.status_code == 200
    html = response.content.decode()
    assert error in html
    assert 'aria-invalid="true"' in html
    user.refresh_from_db()
    assert (user.display_name, user.phone) == ("张三", "")


def test_an_empty_name_is_refused_and_the_header_keeps_the_old_name(client, user):
    client.force_login(user)
    response = client.post(URL, {"display_name": "   ", "phone": ""})
    html = response.content.decode()
    assert "请输入您的姓名。" in html
    assert 'title="张三"' in html  # the header link still shows the saved name
    user.refresh_from_db()
    assert user.display_name == "张三"


def test_a_name_longer_than_64_characters_is_refused_in_chinese(client, user):
    client.force_login(user)
    response = client.post(URL, {"display_name": "张" * 65, "phone": ""})
    assert "您的姓名最多64个字符。" in response.content.decode()


def test_errors_read_in_english_with_the_interface_in_english(user):
    from accounts.forms import ProfileForm

    with translation.override("en"):
        form = ProfileForm({"display_name": "x", "phone": "call me"}, instance=user)
        assert form.errors["phone"] == [
            "Enter a mobile number of 11 digits (e.g. 13800138000) or a landline with its area code (e.g. 010-62345678)."
        ]


def test_the_profile_form_changes_only_name_and_phone(client, user):
    client.force_login(user)
    client.post(URL, {"display_name": "王五", "phone": "", "email": "evil@example.cn", "is_staff": "on"})
    user.refresh_from_db()
    assert user.display_name == "王五" and user.email != "evil@example.cn" and not user.is_staff


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.post(URL, {"display_name": "王五"})
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_signup_stores_the_phone_number_in_its_normalised_form(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "wang@example.cn",
            "display_name": "王五",
            "phone": "+86 139 1234 5678",
            "password1": "Qiang-Zhuang-2026",
            "password2": "Qiang-Zhuang-2026",
        },
    )
    assert response.status_code == 302
    from accounts.models import User

    assert User.objects.get(email="wang@example.cn").phone == "13912345678"
