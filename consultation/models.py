"""Consultations (议事协商): the page, its stages, the thread, votes, outcome, ratings and live events."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, RegexValidator
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from consultation import conf
from consultation.tally import parse_ratio
from core.blocks import BodyBlock
from core.pages import ChineseSearchMixin
from core.satisfaction import Satisfaction  # the shared scale: outcome ratings use its codes
from core.tree import ancestor_paths
from organizations.models import Grid, Organization


class Stage(models.TextChoices):
    """The community procedure: 议题征集 → 协商 → 表决 (optional) → 公示 → 实施 → 评议 → 归档."""

    COLLECTING = "collecting", _("Collecting topics")
    DELIBERATING = "deliberating", _("Deliberating")
    VOTING = "voting", _("Voting")
    PUBLISHED = "published", _("Result published")
    IMPLEMENTING = "implementing", _("Implementing")
    RATING = "rating", _("Rating the outcome")
    ARCHIVED = "archived", _("Archived")


STAGE_ORDER = [s.value for s in Stage]
THREAD_STAGES = {Stage.COLLECTING, Stage.DELIBERATING}
UPDATE_STAGES = {Stage.PUBLISHED, Stage.IMPLEMENTING, Stage.RATING}

ratio_validator = RegexValidator(
    r"^\s*\d+\s*/\s*\d+\s*$|^\s*0?\.\d+\s*$|^\s*1\s*$", _("Write a ratio such as 2/3 or 0.5.")
)


class Audience(models.TextChoices):
    EVERYONE = "everyone", _("Everyone signed in")
    GRIDS = "grids", _("Residents of the chosen grids")
    BRANCHES = "branches", _("Members of the chosen organisations")


ELECTORATE_NEEDED = _(
    "A vote needs a defined electorate: choose the residents of some grids or the members of some organisations."
)


def section_organization_of(page, *, inclusive: bool = True) -> Organization | None:
    """The organisation whose section holds `page` (the page itself counted when `inclusive`): the nearest one up."""
    if page is None or not page.path:
        return None
    paths = ancestor_paths(page, inclusive=inclusive)
    return Organization.objects.filter(page__path__in=paths).order_by("-page__depth").first()


def attributable_organizations(user, section: Organization | None):
    """Organisations a consultation in `section` may be attributed to by `user`: the section's own
    organisation or one below it, and (unless a superuser) only one the user manages."""
    from organizations import roles

    organizations = roles.managed_organizations(user) if user is not None else Organization.objects.none()
    if section is not None:
        organizations = organizations.within(section)
    return organizations


class ConsultationPageForm(WagtailAdminPageForm):
    """The admin form: the organising organisation is chosen only among those the editor may attribute
    a consultation to (the organisation's staff moderate it, and its ratings count toward their 满意率)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("organization")
        if field is not None:
            field.queryset = self.attributable().order_by("path")

    def section(self) -> Organization | None:
        if self.instance.pk and self.instance.path:
            return self.instance.section_organization()
        return section_organization_of(self.parent_page)

    def attributable(self):
        return attributable_organizations(self.for_user, self.section())

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        if cleaned.get("voting_enabled") and audience == Audience.EVERYONE:
            self.add_error("audience", ELECTORATE_NEEDED)
        size = cleaned.get("electorate_size")
        if cleaned.get("voting_enabled") and size and audience in (Audience.GRIDS, Audience.BRANCHES):
            from consultation.rules import audience_count

            grids = [grid.pk for grid in cleaned.get("eligible_grids") or []]
            counted = audience_count(audience, grids, list(cleaned.get("eligible_organizations") or []))
            if size < counted:
                self.add_error(
                    "electorate_size",
                    _("The number due cannot be lower than the %(n)d people the chosen audience already counts.")
                    % {"n": counted},
                )
        return cleaned

    def clean_organization(self):
        organization = self.cleaned_data.get("organization")
        if organization is not None and not self.attributable().filter(pk=organization.pk).exists():
            raise ValidationError(
                _("Choose the organisation of this section, or one below it that you manage."), code="not_allowed"
            )
        return organization


class ConsultationPage(ChineseSearchMixin, Page):
    """One consultation topic run by a branch or community, following the community procedure."""

    summary = models.CharField(_("summary"), max_length=250, help_text=_("One or two sentences shown in lists."))
    background = StreamField(BodyBlock(), blank=True, verbose_name=_("background"))
    attachments = StreamField(
        [("document", DocumentChooserBlock(label=_("Document")))], blank=True, verbose_name=_("attachments")
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organising organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="consultations",
        help_text=_("Leave blank to use the organisation of the section the page is in."),
    )
    audience = models.CharField(
        _("who may take part"), max_length=16, choices=Audience.choices, default=Audience.EVERYONE
    )
    eligible_grids = ParentalManyToManyField(Grid, blank=True, verbose_name=_("grids"), related_name="+")
    eligible_organizations = ParentalManyToManyField(
        Organization,
        blank=True,
        verbose_name=_("organisations"),
        related_name="+",
        help_text=_("Members of these organisations and of every branch below them may take part."),
    )
    allow_oppose = models.BooleanField(_("allow opposing posts"), default=True)
    edit_window_minutes = models.PositiveIntegerField(
        _("edit window (minutes)"),
        default=15,
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text=_("Authors may edit their posts for this long after posting."),
    )
    voting_enabled = models.BooleanField(_("hold a vote"), default=False)
    vote_question = models.CharField(_("vote question"), max_length=250, blank=True)
    electorate_size = models.PositiveIntegerField(
        _("number due to vote"),
        null=True,
        blank=True,
        help_text=_(
            "应到人数. Leave blank to count those the audience names (roster members; residents with a confirmed "
            "residence). Give a number only to include people without an account; it cannot be lower than that count."
        ),
    )
    quorum = models.CharField(
        _("quorum"),
        max_length=16,
        blank=True,
        validators=[ratio_validator],
        help_text=_("Share of those due who must vote, e.g. 2/3. Blank: the site default."),
    )
    majority = models.CharField(
        _("majority"),
        max_length=16,
        blank=True,
        validators=[ratio_validator],
        help_text=_("The winning option needs more than this share of those due, e.g. 1/2. Blank: the site default."),
    )
    opinion_map_enabled = models.BooleanField(
        _("opinion map"),
        default=False,
        help_text=_("Participants mark short statements agree / disagree / pass; the platform groups opinions."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("background"),
        FieldPanel("attachments"),
        InlinePanel("stage_plans", label=_("Planned dates")),
    ]
    participation_panels = [
        FieldPanel("organization"),
        MultiFieldPanel(
            [FieldPanel("audience"), FieldPanel("eligible_grids"), FieldPanel("eligible_organizations")],
            heading=_("Who may take part"),
        ),
        FieldPanel("allow_oppose"),
        FieldPanel("edit_window_minutes"),
        FieldPanel("opinion_map_enabled"),
        MultiFieldPanel(
            [
                FieldPanel("voting_enabled"),
                FieldPanel("vote_question"),
                InlinePanel("vote_options", label=_("Options")),
                FieldPanel("electorate_size"),
                FieldPanel("quorum"),
                FieldPanel("majority"),
            ],
            heading=_("Vote (表决)"),
        ),
    ]
    edit_handler = TabbedInterface(
        [
            ObjectList(content_panels, heading=_("Content")),
            ObjectList(participation_panels, heading=_("Participation")),
            ObjectList(Page.promote_panels, heading=_("Promote")),
            ObjectList(Page.settings_panels, heading=_("Settings")),
        ]
    )

    def search_text_parts(self) -> list[str]:
        background = self.background.stream_block.get_searchable_content(self.background)
        return super().search_text_parts() + [self.summary, *(str(text) for text in background)]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("background"),
        index.SearchField("search_segmented"),
    ]
    parent_page_types = ["home.HomePage", "home.BranchPage"]
    subpage_types: list[str] = []
    base_form_class = ConsultationPageForm

    class Meta:
        verbose_name = _("consultation")
        verbose_name_plural = _("consultations")

    @classmethod
    def featured_on_home(cls, pages):
        """The home page's list is the same for every visitor: only consultations open to everyone."""
        return pages.filter(audience=Audience.EVERYONE)

    def get_sitemap_urls(self, request=None):
        # A consultation for some members or residents only is not announced to search engines.
        if self.audience != Audience.EVERYONE:
            return []
        return super().get_sitemap_urls(request)

    def clean(self):
        super().clean()
        self._check_voted_options_kept()
        self._check_organization_in_section()
        for name in ("quorum", "majority"):
            value = getattr(self, name)
            if value:
                try:
                    parse_ratio(value)
                except (ValueError, ZeroDivisionError):
                    raise ValidationError({name: _("Write a ratio between 0 and 1, such as 2/3.")})

    def _check_organization_in_section(self) -> None:
        """Whoever saves it, a consultation belongs to its section's organisation or one below it."""
        if not self.organization_id or not self.path:
            return
        section = self.section_organization()
        if section is not None and not self.organization.path.startswith(section.path):
            raise ValidationError(
                {"organization": _("Choose the organisation of this section, or one below it that you manage.")}
            )

    def _check_voted_options_kept(self) -> None:
        """Options that have votes may be neither removed nor reworded: that would change votes cast."""
        if not self.pk:
            return
        voted = dict(VoteOption.objects.filter(votes__consultation_id=self.pk).values_list("pk", "label").distinct())
        kept = {option.pk: option.label for option in self.vote_options.all() if option.pk}
        if any(kept.get(pk) != label for pk, label in voted.items()):
            raise ValidationError(_("Options that already have votes cannot be removed or reworded."))

    def save(self, *args, **kwargs):
        if self.organization_id is None and self.pk is None and self.depth:
            self.organization = self.section_organization()
        super().save(*args, **kwargs)
        ConsultationState.objects.get_or_create(consultation=self)

    def section_organization(self) -> Organization | None:
        """The organisation whose section holds this page (nearest one up the tree)."""
        return section_organization_of(self, inclusive=False)

    # --- state ---------------------------------------------------------------
    @cached_property
    def state(self) -> ConsultationState:
        return ConsultationState.objects.get_or_create(consultation=self)[0]

    def load_display_state(self) -> OpinionMap | None:
        """Read the state, the organising organisation and the opinion map in one query (the page
        shows all three), keep the first two on the page and return the map (None without one)."""
        state = (
            ConsultationState.objects.select_related("consultation__organization", "consultation__opinion_map")
            .filter(consultation=self)
            .first()
        )
        if state is None:  # pages made before states existed: the plain way
            return OpinionMap.objects.filter(consultation=self).first()
        loaded = state.consultation
        self.__dict__["state"] = state
        if self.organization_id == loaded.organization_id:
            self.organization = loaded.organization
        return getattr(loaded, "opinion_map", None)

    @property
    def stage(self) -> str:
        return self.state.stage

    def get_stage_display(self) -> str:
        return Stage(self.stage).label

    def stage_sequence(self) -> list[str]:
        return [s for s in STAGE_ORDER if self.voting_enabled or s != Stage.VOTING]

    def next_stage(self) -> str | None:
        sequence = self.stage_sequence()
        try:
            position = sequence.index(self.stage)
        except ValueError:
            return None
        return sequence[position + 1] if position + 1 < len(sequence) else None

    @property
    def thread_open(self) -> bool:
        return self.stage in THREAD_STAGES

    def quorum_ratio(self) -> Fraction:
        return parse_ratio(self.quorum or conf.get("QUORUM"))

    def majority_ratio(self) -> Fraction:
        return parse_ratio(self.majority or conf.get("MAJORITY"))

    def get_template(self, request, *args, **kwargs):
        return "consultation/consultation_page.html"

    def serve(self, request, *args, **kwargs):
        """Anonymous visitors get a cached copy, signed-in ones a copy of their own, forgotten at any change
        of the consultation (consultation/page_cache.py), any publish, or a change of the viewer's rights."""
        from consultation.page_cache import version_key
        from core import cache as page_cache

        def render():
            return super(ConsultationPage, self).serve(request, *args, **kwargs)

        return page_cache.serve_cached(request, render, depends_on=version_key(self.pk), per_viewer=True)

    def breadcrumb(self) -> list[Page]:
        """The pages above this one, the site root's own parent left out: those the home page's
        routing already read on the way here when it did (no query), else from the tree."""
        routed = getattr(self, "routed_ancestors", None)
        return routed if routed is not None else list(self.get_ancestors()[1:])

    def get_context(self, request, *args, **kwargs):
        from consultation.page import page_context  # page.py builds on these models: imported when drawn

        context = super().get_context(request, *args, **kwargs)
        context.update(page_context(self, request))
        return context


class StagePlan(Orderable):
    """The planned dates of one stage."""

    consultation = ParentalKey(ConsultationPage, on_delete=models.CASCADE, related_name="stage_plans")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)

    panels = [FieldPanel("stage"), FieldPanel("starts_on"), FieldPanel("ends_on")]

    class Meta(Orderable.Meta):
        verbose_name = _("planned stage")

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("A stage cannot end before it starts.")})


class VoteOption(Orderable):
    """One choice on the ballot of a consultation's vote."""

    consultation = ParentalKey(ConsultationPage, on_delete=models.CASCADE, related_name="vote_options")
    label = models.CharField(_("option"), max_length=200)

    panels = [FieldPanel("label")]

    class Meta(Orderable.Meta):
        verbose_name = _("vote option")

    def __str__(self) -> str:
        return self.label


class ConsultationState(models.Model):
    """What changes while a consultation runs (kept out of page revisions, so publishing cannot undo it).

    The row is also the lock that orders the consultation's live events: `last_seq` is incremented
    in the transaction that records an event, so events commit in sequence order.
    """

    consultation = models.OneToOneField(ConsultationPage, on_delete=models.CASCADE, primary_key=True, related_name="+")
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.COLLECTING)
    stage_changed_at = models.DateTimeField(null=True, blank=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    opinion_map_stale = models.BooleanField(default=False)
    # Opinion-map votes since the map was last computed: at OPINION_MAP_RECOMPUTE_AFTER a recompute is enqueued.
    opinion_map_new_votes = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("consultation state")


class StageTransition(models.Model):
    """A stage change: who moved the consultation, from where to where, and when."""

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(_("from"), max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("to"), max_length=16, choices=Stage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # When this change closes a vote: the result as it stood (options and counts, turnout, the rule's verdict),
    # kept in the timeline even if the vote is re-opened and closed again.
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("stage change")


# --- Thread ---------------------------------------------------------------------


class PostQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(status=Post.Status.VISIBLE)

    def visible_to(self, user):
        """Visible posts, plus the user's own held or hidden ones (they see why)."""
        if user is not None and user.is_authenticated:
            return self.filter(Q(status=Post.Status.VISIBLE) | Q(author=user))
        return self.visible()

    def with_reaction_of(self, user):
        """Annotate `my_reaction` (1, -1 or None) in the same query: no query per post."""
        if user is None or not user.is_authenticated:
            return self.annotate(my_reaction=models.Value(None, output_field=models.SmallIntegerField()))
        return self.annotate(
            my_reaction=Subquery(Reaction.objects.filter(post=OuterRef("pk"), user=user).values("value")[:1])
        )

    def sorted(self, sort: str):
        if sort == "supported":
            return self.order_by("-is_pinned", "-support_count", "-created_at", "-pk")
        return self.order_by("-is_pinned", "-created_at", "-pk")


class Post(models.Model):
    """An opinion, proposal or reply in a consultation's thread. Plain text; links are made safe on display."""

    class Kind(models.TextChoices):
        OPINION = "opinion", _("Opinion")
        PROPOSAL = "proposal", _("Proposal")

    class Status(models.TextChoices):
        VISIBLE = "visible", _("Visible")
        HELD = "held", _("Held for review")
        HIDDEN = "hidden", _("Hidden by a moderator")

    class HoldReason(models.TextChoices):
        NONE = "", _("None")
        KEYWORD = "keyword", _("Contains a word on the review list")
        REPORTS = "reports", _("Reported by several users")

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="posts")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consultation_posts")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    root = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="descendants")
    depth = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OPINION)
    body = models.TextField(_("text"))
    is_official = models.BooleanField(_("official reply"), default=False)
    is_pinned = models.BooleanField(_("pinned"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.VISIBLE)
    hold_reason = models.CharField(max_length=16, choices=HoldReason.choices, blank=True, default="")
    moderation_reason = models.CharField(_("moderation reason"), max_length=500, blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    support_count = models.PositiveIntegerField(default=0)
    oppose_count = models.PositiveIntegerField(default=0)
    report_count = models.PositiveIntegerField(default=0)
    reply_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        indexes = [
            models.Index(
                fields=["consultation", "parent", "status", "-is_pinned", "-created_at"], name="post_thread_newest"
            ),
            models.Index(
                fields=["consultation", "parent", "status", "-is_pinned", "-support_count"],
                name="post_thread_supported",
            ),
            models.Index(fields=["root", "created_at"], name="post_replies"),
        ]

    def __str__(self) -> str:
        return self.body[:40]

    @property
    def is_reply(self) -> bool:
        return self.parent_id is not None

    def editable_by(self, user) -> bool:
        if not user.is_authenticated or user.pk != self.author_id:
            return False
        window = dt.timedelta(minutes=self.consultation.edit_window_minutes)
        return self.status != Post.Status.HIDDEN and timezone.now() - self.created_at <= window

    def as_event(self) -> dict:
        """What a live event says about a post: where it goes, never what it says.

        Open pages fetch the post itself (rendered like after a reload, for the viewer, if still
        visible), so the event log keeps no text a moderator hid or an author edited away.
        """
        return {"id": self.pk, "parent": self.parent_id, "root": self.root_id, "depth": self.depth}


class Reaction(models.Model):
    """Support (+1) or opposition (−1) of one user to one post. One per user and post, changeable."""

    SUPPORT, OPPOSE = 1, -1
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reactions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=[(1, _("Support")), (-1, _("Oppose"))])
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["post", "user"], name="reaction_one_per_user_and_post"),
            models.CheckConstraint(condition=Q(value__in=[1, -1]), name="reaction_value_is_plus_or_minus_one"),
        ]


class Report(models.Model):
    """A user's report of a post. One per user and post."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["post", "reporter"], name="report_one_per_user_and_post")]


class Keyword(models.Model):
    """A word that holds a post for review before it appears. Applies below its organisation (or everywhere)."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    word = models.CharField(_("word or phrase"), max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("review keyword")
        verbose_name_plural = _("review keywords")
        ordering = ["word"]
        constraints = [models.UniqueConstraint(fields=["organization", "word"], name="keyword_unique_per_organization")]

    def __str__(self) -> str:
        return self.word

    @classmethod
    def matching(cls, consultation: ConsultationPage, text: str) -> list[str]:
        """Words on the review list of the consultation's organisation (or its ancestors) found in `text`."""
        lookups = Q(organization__isnull=True)
        if consultation.organization_id:
            lookups |= Q(organization__in=Organization.objects.with_ancestors(consultation.organization))
        lowered = text.casefold()
        words = cls.objects.filter(lookups).values_list("word", flat=True)
        return [w for w in words if w.strip() and w.strip().casefold() in lowered]


# --- Vote -------------------------------------------------------------------------


class Vote(models.Model):
    """One eligible person's vote in a consultation (表决). The constraint makes it one per person."""

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="votes")
    option = models.ForeignKey(VoteOption, on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["consultation", "voter"], name="vote_one_per_person")]

    @classmethod
    def cast(cls, consultation: ConsultationPage, voter, option: VoteOption) -> Vote:
        """Record or change the voter's choice; concurrent requests still leave exactly one row."""
        now = timezone.now()
        with transaction.atomic():
            if cls.objects.filter(consultation=consultation, voter=voter).update(option=option, updated_at=now):
                return cls.objects.get(consultation=consultation, voter=voter)
            try:
                with transaction.atomic():
                    return cls.objects.create(consultation=consultation, voter=voter, option=option)
            except IntegrityError:
                cls.objects.filter(consultation=consultation, voter=voter).update(option=option, updated_at=now)
                return cls.objects.get(consultation=consultation, voter=voter)


# --- Outcome and accountability ---------------------------------------------------


class Outcome(models.Model):
    """The published result of a consultation (协商结果)."""

    consultation = models.OneToOneField(ConsultationPage, on_delete=models.CASCADE, related_name="outcome")
    text = models.TextField(_("result"))
    published_at = models.DateTimeField(default=timezone.now)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("outcome")


class ImplementationUpdate(models.Model):
    """Progress on carrying out the outcome, with the person in charge."""

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="implementation_updates")
    text = models.TextField(_("progress report"))
    progress = models.PositiveSmallIntegerField(_("progress (%)"), validators=[MaxValueValidator(100)])
    person_in_charge = models.CharField(_("person in charge"), max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("implementation update")


class OutcomeRatingQuerySet(models.QuerySet):
    def counts(self) -> dict[str, int]:
        return dict(self.values_list("rating").annotate(n=Count("pk")).values_list("rating", "n"))


class OutcomeRating(models.Model):
    """A participant's rating of how the outcome was carried out; feeds the satisfaction reports."""

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="ratings")
    organization = models.ForeignKey(
        Organization,
        null=True,
        on_delete=models.SET_NULL,
        related_name="consultation_ratings",
        verbose_name=_("rated organisation"),
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rating = models.CharField(_("rating"), max_length=24, choices=Satisfaction.choices)
    comment = models.CharField(pgettext_lazy("rating", "comment"), max_length=500, blank=True)
    rated_on = models.DateField(_("date"), default=dt.date.today)

    objects = OutcomeRatingQuerySet.as_manager()

    class Meta:
        verbose_name = _("outcome rating")
        constraints = [models.UniqueConstraint(fields=["consultation", "user"], name="rating_one_per_person")]


# --- Live events ------------------------------------------------------------------


class Event(models.Model):
    """The consultation's event log: what live clients were sent, for catch-up after a reconnect."""

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    kind = models.CharField(max_length=32)
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["consultation", "seq"], name="event_seq_unique")]

    # What each kind of event may carry. Older rows stored post bodies and outcome texts: those keys are
    # never sent again (the content is read fresh, and only if still visible).
    PAYLOAD_KEYS = {
        "post.created": ("id", "parent", "root", "depth"),
        "post.edited": ("id",),
        "post.removed": ("id",),
        "post.reactions": ("id", "support", "oppose"),
        "post.pinned": ("id", "pinned"),
        "stage.changed": ("stage", "label", "at"),
        "outcome.published": (),
        "implementation.updated": ("progress",),
    }

    def as_message(self) -> dict:
        keys = self.PAYLOAD_KEYS.get(self.kind, ())
        data = {key: self.payload[key] for key in keys if key in self.payload}
        return {"type": "event", "seq": self.seq, "kind": self.kind, "data": data}

    @classmethod
    def messages_after(cls, consultation_id: int, after: int, limit: int = 200) -> list[dict]:
        """The log after `after`, as it stands now: an event about a post that is no longer visible
        (hidden, held, deleted) reads "post.removed", so catch-up never returns what was taken down."""
        events = list(cls.objects.filter(consultation_id=consultation_id, seq__gt=after).order_by("seq")[:limit])
        messages = [event.as_message() for event in events]
        post_ids = {m["data"].get("id") for m in messages if m["kind"].startswith("post.")} - {None}
        visible = set(Post.objects.filter(pk__in=post_ids, status=Post.Status.VISIBLE).values_list("pk", flat=True))
        for message in messages:
            post_id = message["data"].get("id")
            if message["kind"].startswith("post.") and post_id not in visible:
                message["kind"], message["data"] = "post.removed", {"id": post_id}
        return messages

    @classmethod
    def record(cls, consultation: ConsultationPage, kind: str, payload: dict) -> Event:
        """Store an event and send it to open pages once the transaction commits."""
        from consultation.live import broadcast

        with transaction.atomic():
            updated = ConsultationState.objects.filter(consultation=consultation).update(last_seq=F("last_seq") + 1)
            if not updated:
                ConsultationState.objects.get_or_create(consultation=consultation)
                ConsultationState.objects.filter(consultation=consultation).update(last_seq=F("last_seq") + 1)
            seq = ConsultationState.objects.values_list("last_seq", flat=True).get(consultation=consultation)
            event = cls.objects.create(consultation=consultation, seq=seq, kind=kind, payload=payload)
        transaction.on_commit(lambda: broadcast(consultation.pk, event.as_message()))
        return event


# --- Opinion map ------------------------------------------------------------------


class Statement(models.Model):
    """A short statement for the opinion map; participants may add more (held for review)."""

    consultation = models.ForeignKey(ConsultationPage, on_delete=models.CASCADE, related_name="statements")
    text = models.CharField(_("statement"), max_length=200)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved = models.BooleanField(_("approved"), default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.text


class StatementVote(models.Model):
    AGREE, DISAGREE, PASS = 1, -1, 0
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    value = models.SmallIntegerField(choices=[(1, _("Agree")), (-1, _("Disagree")), (0, _("Pass"))])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["statement", "user"], name="statement_vote_one_per_user")]


class OpinionMap(models.Model):
    """The latest computed grouping of a consultation's participants."""

    consultation = models.OneToOneField(ConsultationPage, on_delete=models.CASCADE, related_name="opinion_map")
    computed_at = models.DateTimeField(default=timezone.now)
    participant_count = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict)
