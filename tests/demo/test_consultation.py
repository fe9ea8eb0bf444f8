import pytest

from django.core.management import call_command

from consultation.models import ConsultationPage, OpinionMap, OutcomeRating, Post, Stage

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_an_open_a_voting_and_a_finished_consultation(client):
    call_command("seed_demo", members=8, residents=5, stdout=__import__("io").StringIO())
    pages = {p.slug: p for p in ConsultationPage.objects.all()}
    open_page, voting, finished = pages["elevator-heping-3"], pages["parking-binhe"], pages["waste-xinhua"]
    assert open_page.stage == Stage.DELIBERATING and Post.objects.filter(consultation=open_page).count() >= 200
    assert Post.objects.filter(consultation=open_page, parent__isnull=False).exists()
    assert OpinionMap.objects.filter(consultation=open_page).exists()
    assert voting.stage == Stage.VOTING and voting.votes.exists()
    assert finished.stage == Stage.RATING and finished.outcome and finished.implementation_updates.count() == 3
    assert OutcomeRating.objects.filter(consultation=finished).exists()
    for page in (open_page, voting, finished):
        assert client.get(page.url).status_code == 200
