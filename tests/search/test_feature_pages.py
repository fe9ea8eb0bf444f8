import pytest

from django.urls import reverse

from surveys.factories import survey_page

pytestmark = pytest.mark.django_db


def test_a_survey_is_found_by_a_word_inside_its_title(client, tree):
    page = survey_page(tree["community"].page, title="加强基层党建工作问卷", intro="请居民参与")
    response = client.get(reverse("search"), {"q": "党建"})
    assert page.pk in [result.pk for result in response.context["results"]]


def test_a_consultation_is_found_by_a_word_inside_its_summary(client, tree):
    from consultation.factories import make_consultation

    page = make_consultation(tree["community"].page, title="电梯议事", summary="关于加装电梯费用分摊的居民协商")
    response = client.get(reverse("search"), {"q": "分摊"})
    assert page.pk in [result.pk for result in response.context["results"]]
