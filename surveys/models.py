"""Surveys: pages built from question blocks, responses stored as answer rows.

Modes (see `SurveyPage.Mode`):
- identified: `Response.user` is set; one response per user (unique constraint); editable until close;
- anonymous: a separate `Participation` row (survey, user), unique, stops a second response; the answers
  are sealed (`SealedResponse`) in the same transaction, and only the mixer (surveys/mixing.py) turns
  batches of sealed answers into `Response`/`Answer` rows, in shuffled order, with random keys and one
  date per batch: nothing in the database links a participant to a response (see docs/security.md);
- invitation: a single-use code (stored as an HMAC hash) admits one response, sealed the same way.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from core import cache as page_cache
from core import satisfaction, sealing
from core.blocks import BodyBlock
from core.pages import ChineseSearchMixin
from organizations.models import Grid, Organization
from surveys import codes
from surveys.presets import satisfaction_preset
from surveys.questions import SurveyQuestionsBlock, condition_of


class SurveyPage(ChineseSearchMixin, RoutablePageMixin, Page):
    """A survey residents answer on their phones; results, charts and exports for its editors."""

    class Mode(models.TextChoices):
        IDENTIFIED = "identified", _("Identified: answers belong to the signed-in user, who may edit them")
        ANONYMOUS = "anonymous", _("Anonymous: signed-in users answer once; answers hold no link to them")
        INVITATION = "invitation", _("Invitation codes: one anonymous response per single-use code")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone (answering needs an account or an invitation code)")
        SIGNED_IN = "signed_in", _("Signed-in users")
        GRIDS = "grids", _("Residents of the chosen grids")
        ORGANIZATIONS = "organizations", _("Members of the chosen organisations")

    class ResultsVisibility(models.TextChoices):
        EDITORS = "editors", _("Editors of this organisation only")
        PUBLIC_AFTER_CLOSE = "public_after_close", _("Everyone who may answer, after the survey closes")

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyBlock(), blank=True, verbose_name=_("body"))
    questions = StreamField(SurveyQuestionsBlock(), blank=True, verbose_name=_("questions"))
    thank_you = models.TextField(_("thank-you message"), blank=True)
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices, default=Mode.IDENTIFIED)
    audience = models.CharField(_("who may answer"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE)
    audience_grids = ParentalManyToManyField(Grid, verbose_name=_("grids"), blank=True, related_name="+")
    audience_organizations = ParentalManyToManyField(
        Organization,
        verbose_name=_("organisations"),
        blank=True,
        related_name="+",
        help_text=_("Members of these organisations and of the branches below them."),
    )
    opens_at = models.DateTimeField(_("opens at"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes at"), null=True, blank=True)
    ask_grid = models.BooleanField(
        _("ask for the respondent's grid"),
        default=False,
        help_text=_("Results can then be broken down by grid."),
    )
    results_visibility = models.CharField(
        _("who sees the results"), max_length=24, choices=ResultsVisibility.choices, default=ResultsVisibility.EDITORS
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("questions"),
        FieldPanel("thank_you"),
    ]
    settings_panels = [
        MultiFieldPanel(
            [
                FieldPanel("mode"),
                FieldRowPanel([FieldPanel("opens_at"), FieldPanel("closes_at")]),
                FieldPanel("audience"),
                FieldPanel("audience_grids"),
                FieldPanel("audience_organizations"),
                FieldPanel("ask_grid"),
                FieldPanel("results_visibility"),
            ],
            heading=_("Answering and results"),
        ),
    ] + Page.settings_panels
    search_fields = Page.search_fields + [index.SearchField("intro"), index.SearchField("search_segmented")]
    parent_page_types = ["home.HomePage", "home.BranchPage"]
    subpage_types: list[str] = []
    template = "surveys/survey_page.html"

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")

    # --- structure --------------------------------------------------------------------------------

    def question_list(self, questions=None):
        """(block id, block, value, section id) for each question, in order; sections are skipped."""
        items, section = [], None
        for child in questions if questions is not None else self.questions:
            if child.block.is_section:
                section = child.id
                continue
            items.append((child.id, child.block, child.value, section))
        return items

    def steps(self):
        """[(section child or None, [question children])]: one step per section."""
        steps = [(None, [])]
        for child in self.questions:
            if child.block.is_section:
                steps.append((child, []))
            else:
                steps[-1][1].append(child)
        return [step for step in steps if step[0] is not None or step[1]]

    def schema(self, questions=None) -> dict[str, dict]:
        return {qid: block.schema(value) for qid, block, value, _s in self.question_list(questions)}

    # --- status ------------------------------------------------------------------------------------

    def is_open(self, now=None) -> bool:
        now = now or timezone.now()
        return (self.opens_at is None or self.opens_at <= now) and (self.closes_at is None or now < self.closes_at)

    def has_closed(self, now=None) -> bool:
        return self.closes_at is not None and (now or timezone.now()) >= self.closes_at

    @cached_property
    def organization(self) -> Organization | None:
        """The organisation whose section holds the survey (its editors run it)."""
        return (
            Organization.objects.filter(page__in=Page.objects.ancestor_of(self, inclusive=False))
            .order_by("-page__depth")
            .first()
        )

    def grid_choices(self):
        """Grids a respondent may name: those chosen as audience, else the organisation's communities' grids."""
        if self.audience == self.Audience.GRIDS and self.pk:
            return Grid.objects.filter(pk__in=self.audience_grids.all()).select_related("community")
        organization = self.organization
        if organization is None:
            return Grid.objects.all().select_related("community")
        around = Organization.objects.with_ancestors(organization) | Organization.objects.within(organization)
        return Grid.objects.filter(community__in=around).select_related("community")

    # --- validation ---------------------------------------------------------------------------------

    def clean(self):
        super().clean()
        errors = {}
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            errors["closes_at"] = _("The survey must close after it opens.")
        if problem := self._check_secrecy_changes():
            errors.update(problem)
        if problem := self._check_conditions():
            errors["questions"] = problem
        elif problem := self._check_changes_to_answered_questions():
            errors["questions"] = problem
        if errors:
            raise ValidationError(errors)

    def _check_conditions(self):
        seen: dict[str, tuple] = {}
        for child in self.questions:
            condition = condition_of(child.value)
            if condition:
                key, values = condition
                if key not in seen:
                    return _(
                        "A condition refers to “%(key)s”, which is not the reference name of an earlier question."
                    ) % {"key": key}
                block, value = seen[key]
                if not block.has_choices:
                    return _("A condition refers to “%(key)s”, which is not a choice or rating question.") % {
                        "key": key
                    }
                unknown = values - set(block.choices_of(value))
                if not values or unknown:
                    return _("A condition on “%(key)s” names answers that question does not offer: %(values)s.") % {
                        "key": key,
                        "values": "、".join(sorted(unknown)) or "—",
                    }
            key = None if child.block.is_section else child.value.get("key")
            if key:
                if key in seen:
                    return _("The reference name “%(key)s” is used twice.") % {"key": key}
                seen[key] = (child.block, child.value)
        return None

    @property
    def is_sealed(self) -> bool:
        """Anonymous and invitation answers are sealed at submission and mixed before anyone reads them."""
        return self.mode in (self.Mode.ANONYMOUS, self.Mode.INVITATION)

    def box(self) -> SurveyBox | None:
        return SurveyBox.objects.filter(survey_id=self.pk).first() if self.pk else None

    def _check_secrecy_changes(self) -> dict | None:
        """The mode cannot change once anyone answered; a survey whose box was finally mixed stays closed."""
        if not self.pk:
            return None
        stored = SurveyPage.objects.filter(pk=self.pk).values("mode").first()
        answered = (
            Response.objects.filter(survey_id=self.pk).exists()
            or Participation.objects.filter(survey_id=self.pk).exists()
            or SealedResponse.objects.filter(survey_id=self.pk).exists()
            or Invitation.objects.filter(survey_id=self.pk, used=True).exists()
        )
        if stored and stored["mode"] != self.mode and answered:
            return {
                "mode": _(
                    "This survey already has responses: its mode cannot change. "
                    "Close this survey and copy it to start a new version."
                )
            }
        box = self.box()
        if box is not None and box.final_mix_on is not None and self.is_open():
            return {
                "closes_at": _(
                    "This survey's anonymous answers were mixed and their key destroyed when it closed: "
                    "it cannot be opened again. Copy it to start a new round."
                )
            }
        return None

    def _check_changes_to_answered_questions(self):
        """Refuse edits that would change the meaning of stored answers once responses exist."""
        if not self.pk:
            return None
        pending = SealedResponse.objects.filter(survey_id=self.pk).exists()
        if not pending and not Response.objects.filter(survey_id=self.pk).exists():
            return None
        stored = SurveyPage.objects.filter(pk=self.pk).values_list("questions", flat=True).first()
        if stored is None:
            return None
        old = self.schema(SurveyPage._meta.get_field("questions").to_python(stored))
        new = self.schema()
        answered = set(Answer.objects.filter(survey_id=self.pk).values_list("question", flat=True).distinct())
        if pending:  # sealed answers cannot be read: every question may have some
            answered = set(old)
        for qid, schema in old.items():
            if qid not in answered:
                continue
            if qid not in new:
                return _(
                    "This survey already has responses: a question that has answers cannot be removed. "
                    "Close this survey and copy it to start a new version."
                )
            changed = new[qid]
            if changed["type"] != schema["type"] or set(schema.get("choices", [])) - set(changed.get("choices", [])):
                return _(
                    "This survey already has responses: the type and existing choices of an answered question "
                    "cannot change (adding choices is allowed). Close this survey and copy it to start a new version."
                )
            if set(schema.get("rows", [])) - set(changed.get("rows", [])):
                return _(
                    "This survey already has responses: rows and dimensions that have answers cannot be removed "
                    "or renamed. Close this survey and copy it to start a new version."
                )
        return None

    # --- routes (the views live in surveys/views.py) -----------------------------------------------

    @path("")
    def index_route(self, request):
        from surveys import views

        return views.survey(request, self)

    @path("results/")
    def results_route(self, request):
        from surveys import views

        return views.results(request, self)

    @path("export/<slug:what>/<slug:fmt>/")
    def export_route(self, request, what, fmt):
        from surveys import views

        return views.export(request, self, what, fmt)

    def route_url(self, name: str, request=None, **kwargs) -> str:
        return self.get_url(request) + self.reverse_subpage(name, kwargs=kwargs or None)


class SatisfactionSurveyPage(SurveyPage):
    """群众满意度测评: a survey made from the satisfaction preset, for a branch, a community or a grid."""

    target_organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation rated"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="satisfaction_surveys",
    )
    target_grid = models.ForeignKey(
        Grid, verbose_name=_("grid rated"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    round_label = models.CharField(_("round"), max_length=40, blank=True, help_text=_("For example “2025年度”."))
    previous_round = models.ForeignKey(
        SurveyPage,
        verbose_name=_("previous round"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Leave empty to compare with the latest earlier survey of the same target."),
    )
    use_weighted_score = models.BooleanField(_("show a weighted score"), default=False)
    score_satisfied = models.DecimalField(_("score of 满意"), max_digits=5, decimal_places=1, default=100)
    score_basically_satisfied = models.DecimalField(_("score of 基本满意"), max_digits=5, decimal_places=1, default=75)
    score_dissatisfied = models.DecimalField(_("score of 不满意"), max_digits=5, decimal_places=1, default=0)

    settings_panels = [
        MultiFieldPanel(
            [
                FieldPanel("target_organization"),
                FieldPanel("target_grid"),
                FieldPanel("round_label"),
                FieldPanel("previous_round"),
            ],
            heading=_("What is rated"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("use_weighted_score"),
                FieldRowPanel(
                    [
                        FieldPanel("score_satisfied"),
                        FieldPanel("score_basically_satisfied"),
                        FieldPanel("score_dissatisfied"),
                    ]
                ),
            ],
            heading=_("Weighted score"),
        ),
    ] + SurveyPage.settings_panels
    template = "surveys/survey_page.html"

    class Meta:
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.pk is None and not self.questions:
            # A new satisfaction survey starts from the preset; every part of it is editable.
            self.questions = satisfaction_preset()
            self.mode = self.Mode.ANONYMOUS
            self.ask_grid = True

    def clean(self):
        super().clean()
        if self.target_organization_id and self.target_grid_id:
            raise ValidationError({"target_grid": _("Rate either an organisation or a grid, not both.")})

    @property
    def level_scores(self) -> dict[str, float]:
        return {
            satisfaction.SATISFIED: float(self.score_satisfied),
            satisfaction.BASICALLY_SATISFIED: float(self.score_basically_satisfied),
            satisfaction.DISSATISFIED: float(self.score_dissatisfied),
        }

    def find_previous_round(self) -> SatisfactionSurveyPage | None:
        if self.previous_round_id:
            return SatisfactionSurveyPage.objects.filter(pk=self.previous_round_id).first()
        if not (self.target_organization_id or self.target_grid_id):
            return None
        earlier = SatisfactionSurveyPage.objects.filter(
            target_organization_id=self.target_organization_id, target_grid_id=self.target_grid_id
        ).exclude(pk=self.pk)
        if self.opens_at:
            earlier = earlier.filter(opens_at__lt=self.opens_at)
        else:
            earlier = earlier.filter(first_published_at__lt=self.first_published_at or timezone.now())
        return earlier.order_by("-opens_at", "-first_published_at").first()


# --- responses ------------------------------------------------------------------------------------------


class ResponseQuerySet(models.QuerySet):
    def filtered(self, *, organization=None, grid=None, date_from=None, date_to=None):
        """Responses in an organisation's subtree, a grid, and a date range (all optional)."""
        qs = self
        if organization is not None:
            qs = qs.filter(organization__in=Organization.objects.within(organization))
        if grid is not None:
            qs = qs.filter(grid=grid)
        if date_from:
            qs = qs.filter(submitted_on__gte=date_from)
        if date_to:
            qs = qs.filter(submitted_on__lte=date_to)
        return qs


class Response(models.Model):
    """One completed survey. In anonymous and invitation modes it holds no user and only a date."""

    # A random key: the order of responses says nothing about the order of participants.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="responses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="survey_responses"
    )
    submitted_on = models.DateField(_("submitted on"))
    # Identified mode only: when the user last changed the response, and how many times.
    updated_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ResponseQuerySet.as_manager()

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"], condition=Q(user__isnull=False), name="survey_one_response_per_user"
            )
        ]
        indexes = [models.Index(fields=["survey", "submitted_on"])]


class ResponseTally(models.Model):
    """How many responses a survey holds, and a number that grows with every change to them (issue 19).

    The results page keys its cached HTML on `changes` and shows `responses`, reading this one row
    instead of counting and summing a million responses on every request. Every path that writes
    responses records the change in its own transaction: `answering.submit` (a new or edited identified
    response), the mixer (a shuffled batch), the factories (bulk), and deletions through the signal below.
    The row is made with its survey, and by the migration that added it for surveys already there.
    """

    survey = models.OneToOneField(SurveyPage, primary_key=True, on_delete=models.CASCADE, related_name="+")
    responses = models.PositiveIntegerField(default=0)
    changes = models.PositiveBigIntegerField(default=0)

    @classmethod
    def record(cls, survey_id: int, added: int = 0) -> None:
        """Count `added` responses (negative when deleted) and one more change. A survey without its row
        (pages loaded raw from fixtures) is counted when it is read: see `stamp`."""
        cls.objects.filter(survey_id=survey_id).update(responses=F("responses") + added, changes=F("changes") + 1)
        page_cache.changed(results_version_key(survey_id))

    @classmethod
    def stamp(cls, survey_id: int) -> tuple[int, str]:
        """The survey's number of responses and a key part that changes whenever any response does."""
        row = cls.objects.filter(survey_id=survey_id).values_list("responses", "changes").first()
        if row is not None:
            return row[0], f"t{row[1]}"
        # No row: count as before the tally existed, keyed on the count and the sum of edit revisions.
        found = Response.objects.filter(survey_id=survey_id).aggregate(n=Count("pk"), revisions=Sum("revision"))
        return found["n"], f"a{found['n']}:{found['revisions']}"


class Answer(models.Model):
    """One stored value of a response: a choice, a matrix cell, a ranked item, a number, a text or a date."""

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    # Denormalised so that aggregates of a survey read one index.
    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="+")
    question = models.CharField(max_length=64)
    row = models.CharField(max_length=200, blank=True)
    choice = models.CharField(max_length=200, blank=True)
    number = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [models.Index(fields=["survey", "question", "row", "choice"])]


class Participation(models.Model):
    """That a user answered an anonymous survey: no link to the response, no time finer than the date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="participations")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_participations")
    participated_on = models.DateField()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="survey_one_participation_per_user")]


class InvitationQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(used=False, revoked_at__isnull=True)

    def matching(self, code: str):
        return self.filter(code_hash=codes.hash_code(code, invitation_pepper()))


def invitation_pepper() -> str:
    return "surveys.invitation:" + settings.SECRET_KEY


class Invitation(models.Model):
    """A single-use code admitting one response. Only its HMAC is stored; using it records no date or link."""

    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="invitations")
    code_hash = models.CharField(max_length=64, unique=True)
    label = models.CharField(
        pgettext_lazy("invitation batch", "label"),
        max_length=100,
        blank=True,
        help_text=_("Whom it was given to, or the print batch."),
    )
    grid = models.ForeignKey(
        Grid, verbose_name=_("grid"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    used = models.BooleanField(_("used"), default=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")
        ordering = ["created_at", "pk"]

    @property
    def status(self):
        if self.revoked_at:
            return _("Revoked")
        return _("Used") if self.used else _("Not used yet")


class SurveyBox(models.Model):
    """The sealed ballot box of an anonymous or invitation survey: its public key and the name of its
    private key in the server's secrets (core/sealing.py). Made at the first sealed submission.

    `scope` is random (never the survey's id), so key files say nothing and never clash across databases.
    `final_mix_on` is set when the survey closed, every sealed answer was mixed and the key destroyed.
    """

    survey = models.OneToOneField(SurveyPage, on_delete=models.CASCADE, related_name="sealed_box")
    scope = models.CharField(max_length=90, unique=True)
    public_key = models.BinaryField()
    final_mix_on = models.DateField(null=True, blank=True)

    class Meta:
        verbose_name = _("sealed box")
        verbose_name_plural = _("sealed boxes")


class SealedResponse(models.Model):
    """One submitted response of an anonymous or invitation survey, encrypted to the survey's public key.

    No user, no time, a random key: written in the same transaction as the participation (or the code's
    use), it says only that someone answered. The mixer opens these in batches and deletes them.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="+")
    blob = models.BinaryField()

    class Meta:
        verbose_name = _("sealed response")
        verbose_name_plural = _("sealed responses")


class Draft(models.Model):
    """Answers saved to continue later (identified surveys only: a draft names its author, so anonymous
    and invitation surveys keep none); deleted when the response is submitted."""

    survey = models.ForeignKey(SurveyPage, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict)
    step = models.PositiveSmallIntegerField(default=0)
    saved_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "user"], name="survey_one_draft_per_user")]


@receiver(post_delete, sender=SurveyBox)
def _destroy_key_of_deleted_box(sender, instance: SurveyBox, **kwargs):
    """A deleted survey's key goes with it (once the deletion is committed)."""
    scope = instance.scope
    transaction.on_commit(lambda: sealing.destroy(scope))


@receiver(post_save, sender=SurveyPage)
def _tally_of_new_survey(sender, instance: SurveyPage, created: bool, raw: bool = False, **kwargs):
    if created and not raw:
        ResponseTally.objects.get_or_create(survey=instance)


@receiver(post_delete, sender=Response)
def _tally_deleted_response(sender, instance: Response, **kwargs):
    ResponseTally.record(instance.survey_id, -1)


def results_version_key(survey_id: int) -> str:
    """The version the results page's kept copies depend on (core/cache.py): the responses, counted or waiting."""
    return f"surveys:results-version:{survey_id}"


@receiver(post_save, sender=SealedResponse)
@receiver(post_delete, sender=SealedResponse)
def _results_wait_for_another(sender, instance: SealedResponse, **kwargs):
    """A sealed response submitted or mixed changes the number the results page says is waiting."""
    page_cache.changed(results_version_key(instance.survey_id))
