import random
import re

import pytest

from django.core.management import call_command

from accounts.factories import UserFactory
from consultation.factories import make_consultation
from consultation.models import OpinionMap, Stage, Statement, StatementVote
from consultation.opinion_map import opinion_groups
from consultation.statements import add_statement, vote_statement
from core import cache as page_cache

# k-means asked for more groups than there are different ways of voting warns, and wastes the work.
pytestmark = pytest.mark.filterwarnings("error::sklearn.exceptions.ConvergenceWarning")

AGREE, DISAGREE, PASS = 1, -1, 0


def _two_camps(size=20, seed=1):
    """Camp A agrees with s0–s4 and rejects s5–s9, camp B the reverse; everyone agrees with s10."""
    rng = random.Random(seed)
    statements = [f"s{i}" for i in range(11)]
    votes, camps = {}, {}
    for person in range(2 * size):
        camp = "A" if person < size else "B"
        row = {}
        for i in range(10):
            favoured = (i < 5) == (camp == "A")
            value = AGREE if favoured else DISAGREE
            if rng.random() < 0.1:  # a little noise: people are not robots
                value = rng.choice([PASS, -value])
            row[f"s{i}"] = value
        row["s10"] = AGREE if rng.random() > 0.05 else PASS
        votes[f"p{person}"], camps[f"p{person}"] = row, camp
    return votes, statements, camps


def test_opinion_map_finds_two_opposed_camps_and_their_shared_statement():
    votes, statements, camps = _two_camps()
    result = opinion_groups(votes, statements)
    assert len(result.groups) == 2
    by_group = {}
    for participant, label in zip(result.participants, result.labels):
        by_group.setdefault(label, set()).add(camps[participant])
    assert sorted(map(sorted, by_group.values())) == [["A"], ["B"]]
    assert result.consensus == ["s10"]
    for group in result.groups:
        assert group["representative"] and "s10" not in [r["statement"] for r in group["representative"]]


def test_opinion_map_without_structure_is_one_group():
    rng = random.Random(3)
    statements = [f"s{i}" for i in range(6)]
    votes = {f"p{i}": {s: AGREE for s in statements} for i in range(12)}
    for row in votes.values():
        row[rng.choice(statements)] = PASS
    result = opinion_groups(votes, statements)
    assert len(result.groups) == 1 and set(result.consensus) == set(statements)


def test_opinion_map_needs_enough_participants():
    votes, statements, _camps = _two_camps(size=3)
    assert opinion_groups(votes, statements, min_participants=8) is None


@pytest.mark.django_db
def test_opinion_map_is_computed_by_the_command_and_shown_as_svg_and_table(client, branch_page, editor_a):
    consultation = make_consultation(branch_page, opinion_map_enabled=True, stage=Stage.DELIBERATING)
    votes, statement_keys, _camps = _two_camps(size=6)
    statements = {
        key: Statement.objects.create(consultation=consultation, text=f"观点{key}", approved=True)
        for key in statement_keys
    }
    for row in votes.values():
        user = UserFactory()
        for key, value in row.items():
            vote_statement(statements[key], user, value)
    call_command("compute_opinion_maps")
    opinion_map = OpinionMap.objects.get(consultation=consultation)
    assert opinion_map.participant_count == 12 and len(opinion_map.result["groups"]) == 2
    html = client.get(consultation.url).content.decode()
    counts = [int(n) for n in re.findall(r'<circle [^>]*data-count="(\d+)"', html)]
    assert "<svg" in html and sum(counts) == 12 and "观点s10" in html
    assert StatementVote.objects.count() == 12 * 11


@pytest.mark.django_db
def test_participants_statements_wait_for_review(branch_page, resident, editor_a):
    consultation = make_consultation(branch_page, opinion_map_enabled=True)
    assert not add_statement(consultation, resident, "应优先解决停车问题").approved
    assert add_statement(consultation, editor_a, "电梯费用应由政府补贴一部分").approved


def _identical_camps(consultation, size=20):
    """Two camps of `size` people each, everyone in a camp voting exactly alike (as real voters often do)."""
    statements = [Statement.objects.create(consultation=consultation, text=f"观点{i}", approved=True) for i in range(4)]
    users = []
    for person in range(2 * size):
        user = UserFactory()
        favoured = person < size
        for i, statement in enumerate(statements):
            value = AGREE if (i < 2) == favoured else DISAGREE
            StatementVote.objects.create(statement=statement, user=user, value=value)
        users.append(user)
    return statements, users


@pytest.mark.django_db
def test_identical_voters_are_one_dot_labelled_with_their_number_and_the_axes_are_explained(
    client, branch_page, resident
):
    """Issue 12.21: 40 participants on 2 dots showed as 2 dots under "40 participants", unexplained."""
    consultation = make_consultation(branch_page, opinion_map_enabled=True, stage=Stage.DELIBERATING)
    _identical_camps(consultation)
    call_command("compute_opinion_maps", "--all")
    html = client.get(consultation.url).content.decode()
    counts = sorted(int(n) for n in re.findall(r'<circle [^>]*data-count="(\d+)"', html))
    assert counts == [20, 20]
    assert re.search(r"<text [^>]*>20</text>", html)
    assert "2 个点" in html or "2 dots" in html
    assert re.search(r"越靠[左右]，越同意“观点\d”；越靠[左右]，越不同意", html)  # the horizontal axis in words


@pytest.mark.django_db
def test_a_participant_sees_their_own_answers_and_where_they_are_on_the_map(client, branch_page):
    consultation = make_consultation(branch_page, opinion_map_enabled=True, stage=Stage.DELIBERATING)
    statements, users = _identical_camps(consultation, size=5)
    call_command("compute_opinion_maps", "--all")
    client.force_login(users[0])
    html = client.get(consultation.url).content.decode()
    assert "data-me" in html and "组最接近" in html
    assert html.count("您的回答：同意") == 2 and html.count("您的回答：不同意") == 2
    # The chosen chip is marked, the others are not.
    chip = re.search(r'<button[^>]*value="agree"[^>]*>', html.split(f'id="statement-{statements[0].pk}"')[1]).group()
    assert "chip--on" in chip and 'aria-pressed="true"' in chip


@pytest.mark.django_db
def test_the_map_is_recomputed_in_the_background_after_enough_new_votes(
    branch_page, settings, django_capture_on_commit_callbacks
):
    settings.GONGZHI_CONSULTATION = {"OPINION_MAP_RECOMPUTE_AFTER": 5, "OPINION_MAP_MIN_PARTICIPANTS": 4}
    consultation = make_consultation(branch_page, opinion_map_enabled=True, stage=Stage.DELIBERATING)
    statements = [Statement.objects.create(consultation=consultation, text=f"观点{i}", approved=True) for i in range(2)]
    voters = [UserFactory() for _ in range(6)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for number, user in enumerate(voters[:2]):
            vote_statement(statements[0], user, AGREE if number % 2 else DISAGREE)
            vote_statement(statements[1], user, DISAGREE if number % 2 else AGREE)
    # 4 votes: below the threshold, no task (only the page cache's bumps, consultation/page_cache.py).
    assert all(getattr(callback, "func", None) is page_cache.bump for callback in callbacks)
    assert not OpinionMap.objects.exists()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        for number, user in enumerate(voters[2:]):
            vote_statement(statements[0], user, AGREE if number % 2 else DISAGREE)
            vote_statement(statements[1], user, DISAGREE if number % 2 else AGREE)
    # One task for the vote that reached the threshold (besides the page cache's bumps, consultation/page_cache.py).
    tasks = [callback for callback in callbacks if getattr(callback, "func", None) is not page_cache.bump]
    assert len(tasks) == 1
    # The immediate backend ran the task after the commit: the map exists, with every voter on it.
    opinion_map = OpinionMap.objects.get(consultation=consultation)
    assert opinion_map.participant_count == 6
    from consultation.models import ConsultationState

    state = ConsultationState.objects.get(consultation=consultation)
    assert state.opinion_map_new_votes == 0 and not state.opinion_map_stale


def test_the_recompute_task_is_a_django_task_on_the_default_backend():
    from django_tasks import task_backends

    from config.settings import base
    from consultation.tasks import recompute_opinion_map

    assert recompute_opinion_map.backend == "default"
    assert type(task_backends["default"]).__name__ == "ImmediateBackend"  # in tests
    assert base.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"  # make run's worker reads these
