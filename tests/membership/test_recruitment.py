"""The recruitment time rules, the branch meeting's vote and the roster update (细则; docs/recruitment.md)."""

import datetime as dt

import pytest

from django.core.exceptions import ValidationError

from wagtail.models import ModelLogEntry

from accounts.factories import UserFactory
from evaluation.models import AppraisalCampaign
from membership import recruitment
from membership.factories import adopting_vote, convert, open_dossier, take, walk
from membership.models import Decision, Dossier, Stage, Step, StepKind
from membership.recruitment import StepRefused
from organizations.models import RosterEntry

D = dt.date
pytestmark = pytest.mark.django_db


def _fresh(dossier):
    return Dossier.objects.with_steps().get(pk=dossier.pk)


def _planned(dossier, kind, today):
    return next(p for p in recruitment.schedule(_fresh(dossier), today) if p.kind == kind)


def _activist(branch, members, became_on):
    dossier = open_dossier(branch, "李申请", became_on - dt.timedelta(days=40))
    take(dossier, StepKind.TALK, became_on - dt.timedelta(days=20))
    take(dossier, StepKind.ACTIVIST, became_on, contacts=members[:1])
    return _fresh(dossier)


def _candidate_ready_for_notice(branch, members):
    """A development candidate whose pre-review is done on 2026-09-20."""
    dossier = _activist(branch, members, D(2025, 8, 1))
    take(dossier, StepKind.CANDIDATE, D(2026, 8, 3), introducers=members[:2])
    take(dossier, StepKind.POLITICAL_REVIEW, D(2026, 8, 20))
    take(dossier, StepKind.TRAINING, D(2026, 8, 25), training_days=3)
    take(dossier, StepKind.COMMITTEE_REVIEW, D(2026, 9, 10))
    take(dossier, StepKind.PRE_REVIEW, D(2026, 9, 20))
    return _fresh(dossier)


def test_an_applicant_under_18_is_refused(branch_a):
    with pytest.raises(ValidationError, match="入党申请人在申请之日须年满十八岁"):
        open_dossier(branch_a, "少年", D(2026, 3, 9), birth_date=D(2008, 3, 10))
    assert not Dossier.objects.exists()
    assert open_dossier(branch_a, "青年", D(2026, 3, 10), birth_date=D(2008, 3, 10)).stage == Stage.APPLICANT


def test_the_talk_is_due_within_one_month_and_overdue_after(branch_a):
    dossier = open_dossier(branch_a, "王申请", D(2026, 1, 31))
    talk = _planned(dossier, StepKind.TALK, D(2026, 2, 28))
    assert talk.latest.day == D(2026, 2, 28)
    assert not talk.overdue
    assert _planned(dossier, StepKind.TALK, D(2026, 3, 1)).overdue


def test_the_activist_review_is_due_every_six_months(branch_a, full_members):
    dossier = _activist(branch_a, full_members, D(2025, 8, 31))
    assert _planned(dossier, StepKind.ACTIVIST_REVIEW, D(2026, 2, 28)).latest.day == D(2026, 2, 28)
    take(dossier, StepKind.ACTIVIST_REVIEW, D(2026, 2, 27))
    review = _planned(dossier, StepKind.ACTIVIST_REVIEW, D(2026, 3, 1))
    assert review.latest.day == D(2026, 8, 27)
    assert _planned(dossier, StepKind.ACTIVIST_REVIEW, D(2026, 8, 28)).overdue


def test_an_activist_of_ten_months_cannot_be_made_a_candidate_and_the_refusal_is_kept(branch_a, full_members):
    dossier = _activist(branch_a, full_members, D(2025, 8, 1))
    with pytest.raises(StepRefused) as refused:
        take(dossier, StepKind.CANDIDATE, D(2026, 6, 1), introducers=full_members[:2], today=D(2026, 6, 1))
    message = refused.value.messages[0]
    assert "一年以上" in message
    assert "第十三条" in message
    assert "2026年8月1日" in message
    assert _fresh(dossier).stage == Stage.ACTIVIST
    assert not Step.objects.filter(dossier=dossier, kind=StepKind.CANDIDATE).exists()
    refusal = ModelLogEntry.objects.get(action="membership.step_refused", object_id=str(dossier.pk))
    assert refusal.data["step"] == StepKind.CANDIDATE


def test_an_activist_of_exactly_one_year_becomes_a_candidate(branch_a, full_members):
    dossier = _activist(branch_a, full_members, D(2025, 8, 1))
    take(dossier, StepKind.CANDIDATE, D(2026, 8, 1), introducers=full_members[:2])
    dossier = _fresh(dossier)
    assert dossier.stage == Stage.CANDIDATE
    assert {e.pk for e in dossier.introducers.all()} == {e.pk for e in full_members[:2]}


def test_an_activist_of_29_february_may_become_a_candidate_on_28_february(branch_a, full_members):
    dossier = _activist(branch_a, full_members, D(2024, 2, 29))
    assert _planned(dossier, StepKind.CANDIDATE, D(2025, 3, 1)).earliest.day == D(2025, 2, 28)


def test_contacts_are_one_or_two_full_members_of_the_branch(branch_a, full_members, probationary_member):
    dossier = open_dossier(branch_a, "赵申请", D(2025, 1, 6))
    take(dossier, StepKind.TALK, D(2025, 1, 20))
    for wrong, message in (
        ([], "须选择1至2名培养联系人"),
        (full_members[:3], "须选择1至2名培养联系人"),
        ([probationary_member], "培养联系人须为本支部花名册上的正式党员"),
    ):
        with pytest.raises(ValidationError, match=message):
            take(dossier, StepKind.ACTIVIST, D(2025, 2, 1), contacts=wrong)
    take(dossier, StepKind.ACTIVIST, D(2025, 2, 1), contacts=full_members[:2])
    assert _fresh(dossier).contacts.count() == 2


def test_introducers_are_exactly_two_full_members(branch_a, full_members):
    dossier = _activist(branch_a, full_members, D(2025, 1, 6))
    with pytest.raises(ValidationError, match="须选择2名入党介绍人"):
        take(dossier, StepKind.CANDIDATE, D(2026, 1, 6), introducers=full_members[:1])
    assert _fresh(dossier).stage == Stage.ACTIVIST


def test_training_lasts_three_days_or_24_class_hours(branch_a, full_members):
    dossier = _activist(branch_a, full_members, D(2025, 1, 6))
    take(dossier, StepKind.CANDIDATE, D(2026, 1, 6), introducers=full_members[:2])
    with pytest.raises(StepRefused, match="二十四个学时"):
        take(dossier, StepKind.TRAINING, D(2026, 1, 20), training_days=2, training_hours=20)
    take(dossier, StepKind.TRAINING, D(2026, 1, 20), training_days=2, training_hours=24)
    assert _fresh(dossier).last(StepKind.TRAINING).training_hours == 24


def test_a_step_dated_in_the_future_is_refused(branch_a):
    dossier = open_dossier(branch_a, "钱申请", D(2026, 1, 5))
    with pytest.raises(StepRefused):
        take(dossier, StepKind.TALK, D(2026, 1, 10), today=D(2026, 1, 9))


def test_a_step_out_of_order_is_refused(branch_a, full_members):
    dossier = open_dossier(branch_a, "孙申请", D(2026, 1, 5))
    with pytest.raises(StepRefused):
        take(dossier, StepKind.CANDIDATE, D(2026, 1, 10), introducers=full_members[:2])


def test_the_meeting_waits_for_five_working_days_of_notice_over_national_day(branch_a, full_members):
    dossier = _candidate_ready_for_notice(branch_a, full_members)
    take(dossier, StepKind.NOTICE, D(2026, 9, 28))
    take(dossier, StepKind.APPLICATION_FORM, D(2026, 9, 29))
    meeting = _planned(dossier, StepKind.ADMISSION_MEETING, D(2026, 10, 20))
    assert meeting.earliest.day == D(2026, 10, 10)  # notice 28, 29, 30 Sep, 8, 9 Oct
    with pytest.raises(StepRefused, match="2026年10月9日"):
        take(dossier, StepKind.ADMISSION_MEETING, D(2026, 10, 9), **adopting_vote(5))
    take(dossier, StepKind.ADMISSION_MEETING, D(2026, 10, 10), **adopting_vote(5))


def test_notice_working_days_are_a_setting(branch_a, full_members, settings):
    settings.MEMBERSHIP_NOTICE_WORKDAYS = 7
    dossier = _candidate_ready_for_notice(branch_a, full_members)
    take(dossier, StepKind.NOTICE, D(2026, 9, 28))
    take(dossier, StepKind.APPLICATION_FORM, D(2026, 9, 29))
    # 28, 29, 30 Sep, 8, 9, 10 (Saturday worked), 12 Oct.
    assert _planned(dossier, StepKind.ADMISSION_MEETING, D(2026, 10, 20)).earliest.day == D(2026, 10, 13)


@pytest.mark.parametrize(
    ("entitled", "present", "written", "agree", "quorum", "adopted"),
    [
        (10, 5, 0, 5, False, False),  # half present is not more than half
        (10, 5, 5, 10, False, False),  # written opinions do not make a quorum
        (10, 6, 0, 5, True, False),  # half of those due is not more than half
        (10, 6, 0, 6, True, True),
        (10, 6, 2, 6, True, True),  # 4 present + 2 written in favour
        (9, 5, 0, 5, True, True),  # 5 of 9: more than half
        (9, 5, 0, 4, True, False),
        (3, 2, 0, 2, True, True),
    ],
)
def test_quorum_and_majority_are_counted_on_the_full_members_due_with_a_vote(
    entitled, present, written, agree, quorum, adopted
):
    step = Step(entitled=entitled, present=present, written=written, agree=agree, against=0, abstain=0)
    recruitment.check_vote(step)
    assert step.has_quorum is quorum
    assert step.adopted is adopted


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        ({"entitled": 5, "present": 6, "written": 0, "agree": 3, "against": 0, "abstain": 0}, "实到人数多于应到人数"),
        (
            {"entitled": 5, "present": 3, "written": 3, "agree": 3, "against": 0, "abstain": 0},
            "书面意见只能来自未到会的有表决权的党员",
        ),
        (
            {"entitled": 5, "present": 3, "written": 0, "agree": 3, "against": 1, "abstain": 0},
            "票数多于实到人数与书面意见之和",
        ),
        (
            {"entitled": 0, "present": 0, "written": 0, "agree": 0, "against": 0, "abstain": 0},
            "支部大会至少须有一名有表决权的正式党员",
        ),
        ({"entitled": 5, "present": 3, "written": 0, "agree": 3, "against": 0}, "请填写会议的各项人数"),
    ],
)
def test_meeting_counts_that_do_not_add_up_are_refused(counts, message):
    with pytest.raises(ValidationError, match=message):
        recruitment.check_vote(Step(**counts))


def test_a_meeting_that_does_not_adopt_may_be_held_again_and_nothing_moves_on(branch_a, full_members):
    dossier = _candidate_ready_for_notice(branch_a, full_members)
    take(dossier, StepKind.NOTICE, D(2026, 9, 28))
    take(dossier, StepKind.APPLICATION_FORM, D(2026, 9, 29))
    take(
        dossier,
        StepKind.ADMISSION_MEETING,
        D(2026, 10, 12),
        entitled=5,
        present=3,
        written=0,
        agree=2,
        against=1,
        abstain=0,
    )
    dossier = _fresh(dossier)
    assert not _planned(dossier, StepKind.HIGHER_TALK, D(2026, 10, 20)).available
    assert _planned(dossier, StepKind.ADMISSION_MEETING, D(2026, 10, 20)).available
    take(dossier, StepKind.ADMISSION_MEETING, D(2026, 10, 20), **adopting_vote(5))
    assert _planned(dossier, StepKind.HIGHER_TALK, D(2026, 10, 21)).available


def test_approval_is_due_within_three_months_of_the_meeting(branch_a, full_members):
    dossier = _candidate_ready_for_notice(branch_a, full_members)
    take(dossier, StepKind.NOTICE, D(2026, 11, 2))
    take(dossier, StepKind.APPLICATION_FORM, D(2026, 11, 3))
    take(dossier, StepKind.ADMISSION_MEETING, D(2026, 11, 30), **adopting_vote(5))
    take(dossier, StepKind.HIGHER_TALK, D(2026, 12, 10), today=D(2026, 12, 10))
    approval = _planned(dossier, StepKind.ADMISSION_APPROVAL, D(2027, 2, 28))
    assert approval.latest.day == D(2027, 2, 28)
    assert not approval.overdue
    assert _planned(dossier, StepKind.ADMISSION_APPROVAL, D(2027, 3, 1)).overdue


def test_approval_puts_the_person_on_the_roster_as_probationary_from_the_meeting(
    branch_a, full_members, applicant_user
):
    dossier = open_dossier(branch_a, "周申请", D(2024, 1, 2), user=applicant_user)
    dossier = walk(dossier, StepKind.ADMISSION_APPROVAL, D(2024, 1, 2), full_members)
    meeting = dossier.last(StepKind.ADMISSION_MEETING).taken_on
    entry = dossier.roster_entry
    assert dossier.stage == Stage.PROBATIONARY
    assert entry.member_type == RosterEntry.MemberType.PROBATIONARY
    assert entry.branch == branch_a and entry.joined_on == meeting and entry.user == applicant_user
    assert dossier.probation_ends == meeting.replace(year=meeting.year + 1)
    # The appraisal reads the roster: the new member is enrolled and not graded.
    campaign = AppraisalCampaign.objects.create(
        branch=branch_a, year=2025, ballot_date=D(2025, 12, 1), study_starts=D(2025, 11, 1)
    )
    campaign.enrol_members()
    assert not campaign.appraisees.get(roster_entry=entry).is_graded


def test_the_conversion_meeting_waits_for_the_end_of_probation(branch_a, full_members):
    dossier = walk(open_dossier(branch_a, "吴申请", D(2024, 1, 2)), StepKind.OATH, D(2024, 1, 2), full_members)
    ends = dossier.probation_ends
    with pytest.raises(StepRefused, match="预备期"):
        take(
            dossier,
            StepKind.CONVERSION_MEETING,
            ends - dt.timedelta(days=1),
            decision=Decision.FULL,
            **adopting_vote(5),
        )
    assert _planned(dossier, StepKind.CONVERSION_MEETING, ends + dt.timedelta(days=1)).overdue


def test_full_membership_updates_the_roster(branch_a, full_members):
    dossier = walk(open_dossier(branch_a, "郑申请", D(2024, 1, 2)), StepKind.OATH, D(2024, 1, 2), full_members)
    dossier = convert(dossier, dossier.probation_ends)
    assert dossier.stage == Stage.FULL
    assert dossier.roster_entry.member_type == RosterEntry.MemberType.FULL


@pytest.mark.parametrize("months", [5, 13, None])
def test_an_extension_lasts_six_to_twelve_months(branch_a, full_members, months):
    dossier = walk(open_dossier(branch_a, "冯申请", D(2024, 1, 2)), StepKind.OATH, D(2024, 1, 2), full_members)
    with pytest.raises(StepRefused):
        take(
            dossier,
            StepKind.CONVERSION_MEETING,
            dossier.probation_ends,
            decision=Decision.EXTEND,
            extension_months=months,
            **adopting_vote(5),
        )


def test_an_extension_moves_the_end_of_probation_once(branch_a, full_members):
    dossier = walk(open_dossier(branch_a, "陈申请", D(2023, 1, 3)), StepKind.OATH, D(2023, 1, 3), full_members)
    ends = dossier.probation_ends
    dossier = convert(dossier, ends, Decision.EXTEND, months=6)
    assert dossier.stage == Stage.PROBATIONARY
    assert dossier.probation_ends == recruitment.add_months(ends, 6)
    assert dossier.roster_entry.member_type == RosterEntry.MemberType.PROBATIONARY
    with pytest.raises(StepRefused, match="一次"):
        take(
            dossier,
            StepKind.CONVERSION_MEETING,
            dossier.probation_ends,
            decision=Decision.EXTEND,
            extension_months=6,
            **adopting_vote(5),
        )
    dossier = convert(dossier, dossier.probation_ends, Decision.FULL)
    assert dossier.stage == Stage.FULL


def test_cancellation_takes_the_entry_off_the_active_roster(branch_a, full_members):
    dossier = walk(open_dossier(branch_a, "褚申请", D(2024, 1, 2)), StepKind.OATH, D(2024, 1, 2), full_members)
    dossier = convert(dossier, dossier.probation_ends, Decision.CANCEL)
    assert dossier.stage == Stage.CANCELLED
    assert not RosterEntry.objects.active().filter(pk=dossier.roster_entry_id).exists()


def test_every_step_is_in_the_audit_log(branch_a, full_members):
    dossier = walk(open_dossier(branch_a, "卫申请", D(2024, 1, 2)), StepKind.OATH, D(2024, 1, 2), full_members)
    logged = ModelLogEntry.objects.filter(action="membership.step", object_id=str(dossier.pk)).count()
    assert logged == Step.objects.filter(dossier=dossier).count()
    assert ModelLogEntry.objects.filter(
        action="membership.roster_update", object_id=str(dossier.roster_entry_id)
    ).exists()


def test_approval_links_the_roster_entry_only_to_an_account_that_verified_the_dossiers_email(branch_a, full_members):
    squatter = UserFactory(display_name="冒名者", email="applicant@example.org", verified=False)
    dossier = open_dossier(branch_a, "周申请", D(2024, 1, 2), user=squatter)
    dossier = walk(dossier, StepKind.ADMISSION_APPROVAL, D(2024, 1, 2), full_members)
    assert dossier.roster_entry.user is None


# --- The meeting's voting base: the roster on the meeting's date, never typed ---------------------------


@pytest.fixture
def roster_on_12_october(branch_a, branch_b, full_members, probationary_member):
    """Branch A around the meeting of 2026-10-12, hand-counted: the five full members of 2010 vote; so do
    a mobile member and one who left for branch B on 2026-11-02 (after the meeting); a probationary member,
    a member who joined on 2026-10-13, a suspended member, one who came from branch B on 2026-11-01, and one
    whose conversion was approved on 2026-11-05 (still probationary on the 12th) do not. 5 + 2 = 7."""
    from membership.models import Transfer, TransferStatus
    from organizations.factories import RosterEntryFactory

    RosterEntryFactory(branch=branch_a, name="流动党员", status=RosterEntry.Status.MOBILE)
    RosterEntryFactory(branch=branch_a, name="新党员", joined_on=D(2026, 10, 13))
    RosterEntryFactory(branch=branch_a, name="停权党员", status=RosterEntry.Status.SUSPENDED)
    came = RosterEntryFactory(branch=branch_a, name="转入党员")
    left = RosterEntryFactory(branch=branch_b, name="转出党员")
    for entry, old, new, day in (
        (came, branch_b, branch_a, D(2026, 11, 1)),
        (left, branch_a, branch_b, D(2026, 11, 2)),
    ):
        Transfer.objects.create(
            entry=entry,
            from_branch=old,
            to_branch=new,
            status=TransferStatus.ACCEPTED,
            old_member_no=entry.member_no,
            requested_on=day,
            released_on=day,
            accepted_on=day,
        )
    converted = RosterEntryFactory(branch=branch_a, name="新转正党员", joined_on=D(2025, 11, 1))
    dossier = Dossier.objects.create(
        branch=branch_a,
        name="新转正党员",
        gender="F",
        birth_date=D(1990, 1, 1),
        stage=Stage.FULL,
        roster_entry=converted,
    )
    Step.objects.create(dossier=dossier, kind=StepKind.CONVERSION_APPROVAL, taken_on=D(2026, 11, 5))
    return 7


def test_the_voting_base_is_the_rosters_full_members_with_a_vote_on_the_meetings_date(branch_a, roster_on_12_october):
    assert recruitment.voting_base(branch_a, D(2026, 10, 12)) == roster_on_12_october
    # A month later: the newcomer, the transferred-in and the converted member count; the leaver does not.
    assert recruitment.voting_base(branch_a, D(2026, 11, 12)) == 5 + 1 + 1 + 1 + 1


def test_the_meeting_counts_those_due_from_the_roster_whatever_is_typed(branch_a, full_members, roster_on_12_october):
    dossier = _candidate_ready_for_notice(branch_a, full_members)
    take(dossier, StepKind.NOTICE, D(2026, 9, 28))
    take(dossier, StepKind.APPLICATION_FORM, D(2026, 9, 29))
    # 3 typed as due: 2 in favour would be a majority of 3, not of the roster's 7.
    take(
        dossier,
        StepKind.ADMISSION_MEETING,
        D(2026, 10, 12),
        entitled=3,
        present=4,
        written=0,
        agree=2,
        against=2,
        abstain=0,
    )
    meeting = Step.objects.get(dossier=dossier, kind=StepKind.ADMISSION_MEETING)
    assert meeting.entitled == 7 and meeting.has_quorum and not meeting.adopted


def test_members_left_out_of_those_due_need_a_reason(branch_a, full_members, roster_on_12_october):
    dossier = _candidate_ready_for_notice(branch_a, full_members)
    take(dossier, StepKind.NOTICE, D(2026, 9, 28))
    take(dossier, StepKind.APPLICATION_FORM, D(2026, 9, 29))
    counts = {"present": 3, "written": 0, "agree": 3, "against": 0, "abstain": 0}
    with pytest.raises(ValidationError, match="请说明为何有2名有表决权的正式党员不计入应到人数"):
        take(dossier, StepKind.ADMISSION_MEETING, D(2026, 10, 12), excused=2, **counts)
    with pytest.raises(ValidationError, match="2026年10月12日花名册上有7名有表决权的正式党员"):
        take(dossier, StepKind.ADMISSION_MEETING, D(2026, 10, 12), excused=8, excused_reason="x", **counts)
    assert not Step.objects.filter(dossier=dossier, kind=StepKind.ADMISSION_MEETING).exists()
    reason = "正式党员1长期病休、正式党员2在国外，经社区党委同意不计入"
    take(dossier, StepKind.ADMISSION_MEETING, D(2026, 10, 12), excused=2, excused_reason=reason, **counts)
    meeting = Step.objects.get(dossier=dossier, kind=StepKind.ADMISSION_MEETING)
    assert (meeting.entitled, meeting.excused, meeting.excused_reason) == (5, 2, reason)
    assert meeting.adopted  # 3 of the 5 due
