"""A signed-in person without admin rights is told so, in their language, instead of looping on logins."""

import pytest

from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_resident_opening_the_admin_gets_a_403_page_in_chinese_not_a_redirect_loop(client, resident, home_page):
    client.force_login(resident)
    for path in ("/admin/", f"/admin/pages/{home_page.pk}/"):
        response = client.get(path)
        assert response.status_code == 403
        assert "无权访问管理后台" in response.content.decode()


def test_editor_still_reaches_the_admin(client, editor_a):
    client.force_login(editor_a)
    assert client.get(reverse("wagtailadmin_home")).status_code == 200


def test_anonymous_visitor_is_still_sent_to_the_login(client, home_page):
    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
