"""The handling rules of 接诉即办: routing, first receiver, objection, transfer, 吹哨, extension, merge, rating."""

import datetime

import pytest

from django.utils import timezone

from wagtail.models import ModelLogEntry

from appeals import handling
from appeals.models import Appeal, Entry, Level, Status
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def report(neighbour, category, grid, **kwargs):
    return handling.report(neighbour, category=category, grid=grid, description="3号楼门口路灯不亮", **kwargs)


def test_a_new_request_goes_to_the_branch_owning_the_grid_and_its_worker_is_told(
    neighbour, lamp, grids, worker_1, branch_a
):
    appeal = report(neighbour, lamp, grids[0])
    assert appeal.status == Status.PENDING and appeal.level == Level.GRID and appeal.unit == branch_a
    assert Notification.objects.filter(
        recipient=worker_1, kind=Notification.Kind.APPEAL, link=f"/appeals/{appeal.pk}/"
    ).exists()
    assert appeal.accept_due > appeal.created_at and appeal.finish_due > appeal.accept_due


def test_a_category_above_the_grid_starts_at_its_own_level(neighbour, street_category, grids, worker_1, tree):
    appeal = report(neighbour, street_category, grids[0])
    assert appeal.level == Level.STREET and appeal.unit == tree["street"]


def test_a_complaint_about_a_branch_starts_above_it(neighbour, lamp, grids, worker_1, branch_a, tree):
    appeal = report(neighbour, lamp, grids[0], complaint="grid")
    assert appeal.level == Level.COMMUNITY and appeal.unit == tree["community"]


def test_accepting_makes_the_handler_the_owner_and_logs_the_status(neighbour, lamp, grids, worker_1):
    appeal = report(neighbour, lamp, grids[0])
    handling.accept(appeal, worker_1)
    appeal.refresh_from_db()
    assert appeal.status == Status.IN_PROGRESS and appeal.owner == worker_1 and appeal.accepted_at
    logged = ModelLogEntry.objects.filter(action="appeals.status", object_id=str(appeal.pk))
    assert {entry.data["to"] for entry in logged} == {Status.PENDING, Status.IN_PROGRESS}
    assert Notification.objects.filter(recipient=neighbour, kind=Notification.Kind.APPEAL).exists()


def test_the_first_receiver_keeps_the_request_until_it_is_accepted_elsewhere(
    neighbour, lamp, grids, worker_1, tree, org_admin
):
    appeal = report(neighbour, lamp, grids[0])
    handling.accept(appeal, worker_1)
    handling.transfer(appeal, worker_1, tree["community"], "需社区协调物业")
    appeal.refresh_from_db()
    assert appeal.status == Status.TRANSFERRED and appeal.unit == tree["community"]
    assert appeal.owner == worker_1 and worker_1.has_perm("appeals.handle", appeal)
    handling.accept(appeal, org_admin)
    appeal.refresh_from_db()
    assert appeal.owner == org_admin and not worker_1.has_perm("appeals.handle", appeal)


def test_a_street_matter_cannot_be_pushed_down_to_the_community(
    neighbour, street_category, grids, worker_1, tree, org_admin
):
    appeal = report(neighbour, street_category, grids[0])
    with pytest.raises(handling.ActionError):
        handling.transfer(appeal, org_admin, tree["community"], "请社区处理")
    appeal.refresh_from_db()
    assert appeal.unit == tree["street"]


def test_an_objection_sends_the_request_back_to_who_dispatched_it(
    neighbour, lamp, grids, worker_1, worker_2, branch_a, branch_b, editor_b
):
    appeal = report(neighbour, lamp, grids[0])
    handling.transfer(appeal, worker_1, branch_b, "属于第二网格")
    # branch_b's editor handles it there; worker_2 works another grid and never sees grid 1's requests.
    with pytest.raises(handling.NotPermitted):
        handling.object_to_dispatch(appeal, worker_2, "该楼栋属第一网格")
    handling.object_to_dispatch(appeal, editor_b, "该楼栋属第一网格")
    appeal.refresh_from_db()
    assert appeal.unit == branch_a and appeal.status == Status.TRANSFERRED
    objection = appeal.entries.get(kind=Entry.Kind.OBJECTION)
    assert objection.body == "该楼栋属第一网格" and not objection.public


def test_an_objection_needs_a_reason(neighbour, lamp, grids, worker_1):
    appeal = report(neighbour, lamp, grids[0])
    with pytest.raises(handling.ActionError):
        handling.object_to_dispatch(appeal, worker_1, "  ")


def test_calling_the_community_puts_the_request_on_its_list_until_it_answers(neighbour, lamp, grids, worker_1, tree):
    from accounts.factories import UserFactory
    from organizations import roles

    community_admin = UserFactory()
    roles.grant(community_admin, tree["community"], roles.Role.ADMIN)
    appeal = report(neighbour, lamp, grids[0])
    handling.accept(appeal, worker_1)
    handling.escalate(appeal, worker_1, Level.COMMUNITY, "涉及供电部门，网格无法解决")
    appeal.refresh_from_db()
    assert appeal.level == Level.COMMUNITY and appeal.unit == tree["community"] and appeal.answer_due
    assert Notification.objects.filter(recipient=community_admin).exists()
    handling.reply(appeal, community_admin, "社区已联系供电所，明日上门。", public=True)
    appeal.refresh_from_db()
    assert appeal.answer_due is None and appeal.entries.filter(kind=Entry.Kind.ANSWER).exists()


def test_an_extension_needs_a_reason_and_the_resident_is_told(neighbour, lamp, grids, worker_1):
    appeal = report(neighbour, lamp, grids[0])
    handling.accept(appeal, worker_1)
    before = appeal.finish_due
    with pytest.raises(handling.ActionError):
        handling.extend(appeal, worker_1, 3, "")
    handling.extend(appeal, worker_1, 3, "需等待灯具到货")
    appeal.refresh_from_db()
    assert appeal.finish_due > before
    note = Notification.objects.filter(recipient=neighbour).first()
    assert "需等待灯具到货" in note.detail
    assert appeal.entries.get(kind=Entry.Kind.EXTEND).public


def test_a_repeat_is_merged_and_its_reporter_gets_a_progress_reply(neighbour, lamp, grids, worker_1):
    from accounts.factories import UserFactory

    other = UserFactory()
    original = report(neighbour, lamp, grids[0])
    repeat = handling.report(other, category=lamp, grid=grids[0], description="路灯坏了")
    handling.merge(repeat, worker_1, original, "已派电工，预计周五修好")
    repeat.refresh_from_db()
    original.refresh_from_db()
    assert repeat.status == Status.MERGED and repeat.merged_into == original and original.support_count == 1
    assert Notification.objects.filter(recipient=other, detail__contains="预计周五修好").exists()


def test_merging_counts_each_resident_once_on_the_original(neighbour, lamp, grids, worker_1):
    from accounts.factories import UserFactory
    from appeals.models import Support

    both, only_repeat, repeat_reporter = UserFactory(), UserFactory(), UserFactory()
    original = report(neighbour, lamp, grids[0])
    repeat = handling.report(repeat_reporter, category=lamp, grid=grids[0], description="路灯又坏了")
    handling.support(original, both)
    handling.support(original, repeat_reporter)  # the repeat's reporter had already added +1 to the original
    handling.support(repeat, both)
    handling.support(repeat, only_repeat)
    handling.support(repeat, neighbour)  # the original's reporter never supports their own request
    handling.merge(repeat, worker_1, original, "已派电工")
    original.refresh_from_db()
    supporters = set(Support.objects.filter(appeal=original).values_list("user_id", flat=True))
    assert supporters == {both.pk, only_repeat.pk, repeat_reporter.pk}
    assert original.support_count == 3


def test_a_request_merged_into_another_takes_its_own_repeats_along(neighbour, lamp, grids, worker_1):
    from accounts.factories import UserFactory

    first, second, third = UserFactory(), UserFactory(), UserFactory()
    original = report(neighbour, lamp, grids[0])
    middle = handling.report(first, category=lamp, grid=grids[0], description="路灯坏了")
    late = handling.report(second, category=lamp, grid=grids[0], description="路灯还是坏的")
    handling.support(middle, third)
    handling.merge(late, worker_1, middle, "已登记")
    handling.merge(middle, worker_1, original, "已派电工")
    late.refresh_from_db()
    original.refresh_from_db()
    assert late.merged_into == original and original.support_count == 3
    with pytest.raises(handling.ActionError):
        handling.merge(original, worker_1, middle, "反向合并")


def _community_admin(tree):
    from accounts.factories import UserFactory
    from organizations import roles

    admin = UserFactory(display_name="社区管理员")
    roles.grant(admin, tree["community"], roles.Role.ADMIN)
    return admin


def test_dissatisfied_reopens_once_at_the_level_above(neighbour, lamp, grids, worker_1, tree):
    appeal = report(neighbour, lamp, grids[0])
    handling.accept(appeal, worker_1)
    handling.finish(appeal, worker_1, "已更换灯泡")
    handling.rate(appeal, neighbour, "dissatisfied", "还是不亮")
    appeal.refresh_from_db()
    assert appeal.status == Status.TRANSFERRED and appeal.reopened and appeal.level == Level.COMMUNITY
    assert appeal.unit == tree["community"] and appeal.rating == "" and appeal.owner is None
    # The community accepts it (and owns it), finishes it; a second 不满意 stands, nothing reopens again.
    admin = _community_admin(tree)
    handling.accept(appeal, admin)
    handling.finish(appeal, admin, "已更换线路")
    handling.rate(appeal, neighbour, "dissatisfied", "")
    appeal.refresh_from_db()
    assert appeal.status == Status.DONE and appeal.rating == "dissatisfied" and appeal.owner == admin
    assert appeal.entries.filter(kind=Entry.Kind.REOPEN).count() == 1


def test_the_handler_rated_dissatisfied_can_no_longer_act_on_the_reopened_request(
    client, neighbour, lamp, grids, worker_1, tree
):
    appeal = report(neighbour, lamp, grids[0])
    handling.accept(appeal, worker_1)
    handling.finish(appeal, worker_1, "已更换灯泡")
    handling.rate(appeal, neighbour, "dissatisfied", "还是不亮")
    appeal.refresh_from_db()
    assert not worker_1.has_perm("appeals.handle", appeal)
    for act in (
        lambda: handling.accept(appeal, worker_1),
        lambda: handling.reply(appeal, worker_1, "我再去看看", public=True),
        lambda: handling.transfer(appeal, worker_1, tree["street"], "请街道处理"),
        lambda: handling.object_to_dispatch(appeal, worker_1, "不是我的"),
        lambda: handling.extend(appeal, worker_1, 3, "再等等"),
        lambda: handling.reject(appeal, worker_1, "不予受理"),
    ):
        with pytest.raises(handling.NotPermitted):
            act()
    client.force_login(worker_1)
    assert client.post(f"/appeals/{appeal.pk}/act/", {"action": "accept"}).status_code == 404
    assert f"appeal-{appeal.pk}" not in client.get("/appeals/handle/").content.decode()
    appeal.refresh_from_db()
    assert appeal.status == Status.TRANSFERRED and appeal.owner is None and appeal.unit == tree["community"]


def test_a_reopened_request_is_not_sent_back_down_to_the_level_rated(neighbour, lamp, grids, worker_1, tree):
    from appeals import dispatch

    appeal = report(neighbour, lamp, grids[0])
    handling.accept(appeal, worker_1)
    handling.finish(appeal, worker_1, "已更换灯泡")
    handling.rate(appeal, neighbour, "dissatisfied", "")
    appeal.refresh_from_db()
    admin = _community_admin(tree)
    assert [unit.pk for unit in dispatch.transfer_targets(appeal)] == [tree["street"].pk]
    with pytest.raises(handling.ActionError):
        handling.transfer(appeal, admin, worker_1.grid_duties.get().branch, "请支部再处理")
    # An objection at the level above sends it further up, never back to the handler who was rated.
    handling.object_to_dispatch(appeal, admin, "属街道职责")
    appeal.refresh_from_db()
    assert appeal.unit == tree["street"] and not worker_1.has_perm("appeals.handle", appeal)


def test_a_community_rated_dissatisfied_leaves_the_request_to_the_street(neighbour, lamp, grids, worker_1, tree):
    appeal = report(neighbour, lamp, grids[0])
    admin = _community_admin(tree)
    handling.escalate(appeal, worker_1, Level.COMMUNITY, "网格无法解决")
    handling.accept(appeal, admin)
    handling.finish(appeal, admin, "已协调物业")
    handling.rate(appeal, neighbour, "dissatisfied", "物业没来")
    appeal.refresh_from_db()
    assert appeal.level == Level.STREET and appeal.unit == tree["street"] and appeal.owner is None
    assert not admin.has_perm("appeals.handle", appeal) and not worker_1.has_perm("appeals.handle", appeal)
    with pytest.raises(handling.NotPermitted):
        handling.finish(appeal, admin, "已办结")


def test_only_the_reporter_rates_and_only_once(neighbour, lamp, grids, worker_1):
    appeal = report(neighbour, lamp, grids[0])
    handling.accept(appeal, worker_1)
    handling.finish(appeal, worker_1, "已修好")
    with pytest.raises(handling.NotPermitted):
        handling.rate(appeal, worker_1, "satisfied")
    handling.rate(appeal, neighbour, "satisfied", "很及时")
    with pytest.raises(handling.NotPermitted):
        handling.rate(appeal, neighbour, "satisfied")


def test_overdue_requests_escalate_once_and_appear_on_the_communitys_list(neighbour, lamp, grids, worker_1, tree):
    appeal = report(neighbour, lamp, grids[0])
    later = timezone.now() + datetime.timedelta(days=30)
    assert handling.escalate_overdue(later) == 1
    assert handling.escalate_overdue(later) == 0
    appeal.refresh_from_db()
    assert appeal.level == Level.COMMUNITY and appeal.unit == tree["community"] and appeal.overdue_escalated
    assert appeal.entries.filter(kind=Entry.Kind.OVERDUE).count() == 1


def test_the_management_command_escalates_overdue_requests(neighbour, lamp, grids, worker_1):
    from django.core.management import call_command

    appeal = report(neighbour, lamp, grids[0])
    Appeal.objects.filter(pk=appeal.pk).update(accept_due=timezone.now() - datetime.timedelta(hours=1))
    call_command("escalate_overdue_appeals", stdout=open("/dev/null", "w"))
    appeal.refresh_from_db()
    assert appeal.level == Level.COMMUNITY


def test_a_resident_can_add_one_plus_one_per_request(neighbour, lamp, grids, worker_1):
    from accounts.factories import UserFactory

    appeal = report(neighbour, lamp, grids[0])
    other = UserFactory()
    assert handling.support(appeal, other) is True
    assert handling.support(appeal, other) is False
    appeal.refresh_from_db()
    assert appeal.support_count == 1
    with pytest.raises(handling.ActionError):
        handling.support(appeal, neighbour)


def test_reports_per_day_are_limited(settings, neighbour, lamp, grids, worker_1):
    settings.GONGZHI_APPEALS = {"REPORTS_PER_DAY": 2}
    report(neighbour, lamp, grids[0])
    report(neighbour, lamp, grids[0])
    with pytest.raises(handling.ActionError):
        report(neighbour, lamp, grids[0])
    assert Appeal.objects.filter(reporter=neighbour).count() == 2


def test_a_rejection_needs_a_reason_the_resident_sees(neighbour, lamp, grids, worker_1):
    appeal = report(neighbour, lamp, grids[0])
    handling.reject(appeal, worker_1, "属于私人物业内部维修")
    appeal.refresh_from_db()
    assert appeal.status == Status.REJECTED and appeal.entries.get(kind=Entry.Kind.REJECT).public


def test_promotion_creates_a_draft_consultation_linked_both_ways(neighbour, lamp, grids, worker_1, branch_a):
    appeal = report(neighbour, lamp, grids[0])
    page = handling.promote(appeal, worker_1)
    appeal.refresh_from_db()
    assert appeal.consultation_id == page.pk and list(page.promoted_appeals.all()) == [appeal]
    assert not page.live and page.organization == branch_a and list(page.eligible_grids.all()) == [grids[0]]
    assert f"/appeals/{appeal.pk}/" in str(page.background)
    with pytest.raises(handling.ActionError):
        handling.promote(appeal, worker_1)


def test_volunteer_hours_are_recorded_for_a_registered_member(neighbour, lamp, grids, worker_1, member_a, tree):
    from appeals.models import Volunteer

    volunteer = handling.register_volunteer(
        member_a, community=tree["community"], grid=grids[0], workplace="区医院", skills="量血压", availability="周末"
    )
    appeal = report(neighbour, lamp, grids[0])
    handling.offer(appeal, worker_1, True)
    handling.record_hours(appeal, worker_1, volunteer, "2.5", "陪同就医")
    assert Volunteer.objects.hours_of(member_a, timezone.localdate().year) == 2.5
    with pytest.raises(handling.NotPermitted):
        handling.register_volunteer(
            neighbour, community=tree["community"], grid=None, workplace="", skills="x", availability=""
        )


def test_a_private_request_is_never_offered_to_volunteers(
    client, neighbour, lamp, private_category, grids, worker_1, member_a, tree
):
    handling.register_volunteer(
        member_a, community=tree["community"], grid=grids[0], workplace="区医院", skills="量血压", availability="周末"
    )
    private = report(neighbour, private_category, grids[0])
    with pytest.raises(handling.ActionError, match="不能交给双报到党员"):
        handling.offer(private, worker_1, True)
    private.refresh_from_db()
    assert not private.offered_to_volunteers
    type(private).objects.filter(pk=private.pk).update(offered_to_volunteers=True)  # offered before the rule
    public = handling.report(neighbour, category=lamp, grid=grids[0], description="路灯坏了请帮忙")
    handling.offer(public, worker_1, True)
    client.force_login(member_a)
    page = client.get("/appeals/volunteer/").content.decode()
    assert "路灯坏了请帮忙" in page
    assert "邻里求助" not in page and "3号楼门口路灯不亮" not in page
