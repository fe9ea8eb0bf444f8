"""The opinion map's statements: participants add them and answer agree, disagree or pass; enough new
answers enqueue a recompute of the map."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from consultation import conf, page_cache
from consultation.actions import permit, rate_limited, require
from consultation.models import ConsultationPage, ConsultationState, Keyword, Stage, Statement, StatementVote
from consultation.tasks import recompute_opinion_map


def add_statement(consultation: ConsultationPage, user, text: str) -> Statement:
    require(
        consultation.opinion_map_enabled and consultation.stage == Stage.DELIBERATING, _("Statements are not open.")
    )
    permit(user.has_perm("consultation.take_part", consultation), _("You cannot take part in this consultation."))
    text = (text or "").strip()
    require(0 < len(text) <= 200, _("A statement is one short sentence (up to 200 characters)."))
    require(not rate_limited(user), _("You are posting too fast. Please wait a minute."))
    manager = user.has_perm("consultation.manage_consultation", consultation)
    held = Keyword.matching(consultation, text)
    # Participants' statements are moderated; the organisers' appear at once.
    return Statement.objects.create(consultation=consultation, text=text, author=user, approved=manager and not held)


def vote_statement(statement: Statement, user, value: int) -> StatementVote:
    consultation = statement.consultation
    require(
        consultation.opinion_map_enabled and consultation.stage == Stage.DELIBERATING, _("Statements are not open.")
    )
    require(statement.approved, _("That statement is awaiting review."))
    permit(user.has_perm("consultation.take_part", consultation), _("You cannot take part in this consultation."))
    require(value in (StatementVote.AGREE, StatementVote.DISAGREE, StatementVote.PASS), _("Unknown choice."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                vote, _created = StatementVote.objects.update_or_create(
                    statement=statement, user=user, defaults={"value": value}
                )
        except IntegrityError:
            StatementVote.objects.filter(statement=statement, user=user).update(value=value)
            vote = StatementVote.objects.get(statement=statement, user=user)
        state = ConsultationState.objects.filter(consultation=consultation)
        state.update(opinion_map_stale=True, opinion_map_new_votes=F("opinion_map_new_votes") + 1)
        page_cache.changed(consultation.pk)  # the voter's page shows their answer (queryset updates send no signal)
        # Exactly one vote reaches the threshold: it enqueues the recompute, which resets the count.
        if state.values_list("opinion_map_new_votes", flat=True).first() == conf.get("OPINION_MAP_RECOMPUTE_AFTER"):
            transaction.on_commit(lambda: recompute_opinion_map.enqueue(consultation.pk))
    return vote
