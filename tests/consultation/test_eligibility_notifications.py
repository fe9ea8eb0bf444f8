import pytest

from django.core import mail
from django.urls import reverse

from accounts.factories import UserFactory
from consultation import actions, posting, rules
from consultation.factories import make_consultation
from consultation.models import Audience
from notifications import delivery
from notifications.models import Notification, NotificationPreference
from organizations.factories import GridFactory, RosterEntryFactory
from organizations.models import Residence

pytestmark = pytest.mark.django_db


def test_everyone_signed_in_may_take_part_in_an_open_consultation(consultation, resident):
    assert rules.is_eligible(resident, consultation)


def test_members_of_the_chosen_organisation_and_branches_below_it_may_take_part(
    branch_page, tree, member_a, member_b_user, resident
):
    consultation = make_consultation(
        branch_page, audience=Audience.BRANCHES, eligible_organizations=[tree["community"]]
    )
    assert rules.is_eligible(member_a, consultation) and rules.is_eligible(member_b_user, consultation)
    assert not rules.is_eligible(resident, consultation)
    only_a = make_consultation(
        branch_page, slug="a", audience=Audience.BRANCHES, eligible_organizations=[tree["branch_a"]]
    )
    assert not rules.is_eligible(member_b_user, only_a)


def test_members_who_left_are_not_eligible(branch_page, branch_a):
    user = UserFactory()
    RosterEntryFactory(branch=branch_a, user=user, status="left")
    consultation = make_consultation(branch_page, audience=Audience.BRANCHES, eligible_organizations=[branch_a])
    assert not rules.is_eligible(user, consultation)


def test_residents_of_the_chosen_grids_may_take_part(branch_page, tree, resident, branch_a):
    grid = tree["grid"]
    other_grid = GridFactory(community=tree["community"])
    consultation = make_consultation(branch_page, audience=Audience.GRIDS, eligible_grids=[grid])
    assert not rules.is_eligible(resident, consultation)
    Residence.objects.create(user=resident, grid=grid)
    assert rules.is_eligible(resident, consultation)
    member = UserFactory()
    RosterEntryFactory(branch=branch_a, user=member, grid=grid)
    assert rules.is_eligible(member, consultation)
    neighbour = UserFactory()
    Residence.objects.create(user=neighbour, grid=other_grid)
    assert not rules.is_eligible(neighbour, consultation)
    assert rules.eligible_count(consultation) == 2


def test_restricted_consultation_hides_its_thread_from_others(client, branch_page, branch_a, member_a, resident):
    consultation = make_consultation(branch_page, audience=Audience.BRANCHES, eligible_organizations=[branch_a])
    posting.create_post(consultation, member_a, "支部内部意见")
    client.force_login(resident)
    assert "支部内部意见" not in client.get(consultation.url).content.decode()
    with pytest.raises(actions.ActionError):
        posting.create_post(consultation, resident, "外人发言")


def test_a_reply_notifies_the_author_on_the_site_and_by_email(
    client, consultation, resident, member_a, django_capture_on_commit_callbacks
):
    post = posting.create_post(consultation, resident, "我的意见")
    with django_capture_on_commit_callbacks(execute=True):
        posting.create_post(consultation, member_a, "回复你", parent=post)
    note = Notification.objects.get(recipient=resident)
    assert note.kind == Notification.Kind.REPLY and note.post.body == "回复你"
    assert mail.outbox[-1].to == [resident.email]
    client.force_login(resident)
    html = client.get(reverse("notifications:index")).content.decode()
    assert "党员甲" in html and f"#post-{note.post_id}" in html


def test_replying_to_myself_does_not_notify_me(consultation, resident):
    post = posting.create_post(consultation, resident, "我的意见")
    posting.create_post(consultation, resident, "补充", parent=post)
    assert not Notification.objects.exists()


def test_users_may_turn_off_emails_per_kind(
    client, consultation, resident, member_a, django_capture_on_commit_callbacks
):
    client.force_login(resident)
    client.post(reverse("notifications:settings"), {"email": "immediate", "on_stage": "on"})
    post = posting.create_post(consultation, resident, "意见")
    with django_capture_on_commit_callbacks(execute=True):
        posting.create_post(consultation, member_a, "回复", parent=post)
    assert Notification.objects.filter(recipient=resident).exists()  # still listed on the site
    assert not mail.outbox


def test_daily_digest_sends_one_email_with_everything_not_yet_sent(
    consultation, resident, member_a, editor_a, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=resident, email=NotificationPreference.Email.DAILY)
    post = posting.create_post(consultation, resident, "意见")
    with django_capture_on_commit_callbacks(execute=True):
        posting.create_post(consultation, member_a, "回复一", parent=post)
        posting.create_post(consultation, editor_a, "回复二", parent=post)
    assert not mail.outbox
    assert delivery.send_digests() == 1
    assert len(mail.outbox) == 1 and mail.outbox[0].body.count("#post-") == 2
    assert delivery.send_digests() == 0


def test_digest_command_runs(consultation, resident, member_a):
    from django.core.management import call_command

    NotificationPreference.objects.create(user=resident, email=NotificationPreference.Email.DAILY)
    posting.create_post(consultation, member_a, "回复", parent=posting.create_post(consultation, resident, "意见"))
    call_command("send_notification_digest")
    assert len(mail.outbox) == 1
