import random

import pytest

from django.core.management import call_command

from accounts.factories import UserFactory
from consultation import lib, services
from consultation.factories import make_consultation
from consultation.models import OpinionMap, Stage, Statement, StatementVote

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
    result = lib.opinion_groups(votes, statements)
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
    result = lib.opinion_groups(votes, statements)
    assert len(result.groups) == 1 and set(result.consensus) == set(statements)


def test_opinion_map_needs_enough_participants():
    votes, statements, _camps = _two_camps(size=3)
    assert lib.opinion_groups(votes, statements, min_participants=8) is None


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
            services.vote_statement(statements[key], user, value)
    call_command("compute_opinion_maps")
    opinion_map = OpinionMap.objects.get(consultation=consultation)
    assert opinion_map.participant_count == 12 and len(opinion_map.result["groups"]) == 2
    html = client.get(consultation.url).content.decode()
    assert "<svg" in html and html.count("<circle") == 12 and "观点s10" in html
    assert StatementVote.objects.count() == 12 * 11


@pytest.mark.django_db
def test_participants_statements_wait_for_review(branch_page, resident, editor_a):
    consultation = make_consultation(branch_page, opinion_map_enabled=True)
    assert not services.add_statement(consultation, resident, "应优先解决停车问题").approved
    assert services.add_statement(consultation, editor_a, "电梯费用应由政府补贴一部分").approved
