import io
import random

import pytest

from demo import home as home_demo
from demo import organizations as organizations_demo
from demo import surveys as surveys_demo
from demo.seed import Demo
from organizations.models import Organization
from surveys import satisfaction
from surveys.models import Response, SatisfactionSurveyPage, SealedResponse, SurveyPage

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    """The demo of the floors surveys stand on, then the surveys demo (as `seed_demo` runs them)."""
    demo = Demo(members=8, residents=5, rng=random.Random(2026), stdout=io.StringIO())
    for module in (organizations_demo, home_demo, surveys_demo):
        module.seed(demo)
    return demo


def test_demo_has_two_rounds_of_satisfaction_surveys_with_500_responses_per_community(demo):
    for community in Organization.objects.filter(kind=Organization.Kind.COMMUNITY):
        rounds = SatisfactionSurveyPage.objects.filter(target_organization=community).order_by("opens_at")
        assert rounds.count() == 2
        assert Response.objects.filter(survey__in=rounds).count() >= 500
        summary = satisfaction.summarise(rounds.last())
        assert summary.previous is not None and summary.change is not None and summary.change > 0
        assert len(summary.by_grid) == 3 and summary.comments


def test_a_resident_answers_the_open_demo_survey_once(demo, client):
    from django.contrib.auth import get_user_model

    survey = SurveyPage.objects.get(slug="needs-survey")
    resident = get_user_model().objects.get(email="resident-0001@demo.gongzhi.example")
    client.force_login(resident)
    form = client.get(survey.url)
    assert form.context["state"] == "form" and len(form.context["steps"]) == 3
    ids = [qid for qid, _b, _v, _s in survey.question_list()]
    # The conditional questions are shown only when their condition is met: here neither is.
    data = {
        "grid": str(survey.grid_choices().first().pk),
        f"q-{ids[0]}": "1–5年",
        f"q-{ids[1]}": "没有",
        f"q-{ids[3]}": "没有",
        f"q-{ids[5]}-0": "1",
        f"q-{ids[5]}-1": "3",
        f"q-{ids[5]}-2": "2",
    }
    missing = client.post(survey.url, data)
    assert list(missing.context["errors"]) == [ids[6]]  # the NPS question is required
    assert "请回答此问题" in missing.content.decode()
    data[f"q-{ids[6]}"] = "9"
    assert client.post(survey.url, data).status_code == 302
    # The anonymous answer is sealed until a batch is mixed: one sealed response, whatever is posted again.
    assert SealedResponse.objects.filter(survey=survey).count() == 1
    client.post(survey.url, data)
    assert SealedResponse.objects.filter(survey=survey).count() == 1
