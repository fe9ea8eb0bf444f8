"""Party dues: every bracket boundary and category, a local rule from its date, arrears, reliefs, visibility."""

import datetime as dt
from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse

from membership import dues
from membership.models import DuesCategory, DuesKeeper, DuesPayment, DuesRelief, DuesRule
from organizations.factories import RosterEntryFactory
from organizations.models import RosterEntry

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(branch_a):
    return RosterEntryFactory(branch=branch_a, name="交费党员")


@pytest.mark.parametrize(
    ("category", "base", "expected"),
    [
        (DuesCategory.SERVING, "0", "0.00"),
        (DuesCategory.SERVING, "2999.99", "15.00"),
        (DuesCategory.SERVING, "3000", "15.00"),  # ≤ 3,000: 0.5%
        (DuesCategory.SERVING, "3000.01", "30.00"),  # above: 1%
        (DuesCategory.SERVING, "5000", "50.00"),
        (DuesCategory.SERVING, "5000.01", "75.00"),  # 1.5%, 75.00015 rounded
        (DuesCategory.SERVING, "10000", "150.00"),
        (DuesCategory.SERVING, "10000.01", "200.00"),  # 2%
        (DuesCategory.SERVING, "4321.50", "43.22"),  # half up to the fen
        (DuesCategory.RETIRED, "5000", "25.00"),  # ≤ 5,000: 0.5%
        (DuesCategory.RETIRED, "5000.01", "50.00"),  # above: 1%
        (DuesCategory.RETIRED, "2800", "14.00"),
        (DuesCategory.FARMER, "0", "0.50"),
        (DuesCategory.STUDENT, "0", "0.20"),
        (DuesCategory.UNEMPLOYED, "0", "0.20"),
        (DuesCategory.SUBSISTENCE, "0", "0.20"),
    ],
)
def test_the_national_brackets_at_every_boundary_and_category(entry, category, base, expected):
    assessment = dues.assess(entry, 2026, category, Decimal(base), None)
    assert assessment.monthly_amount == Decimal(expected)


def test_a_fixed_category_ignores_any_declared_base(entry):
    assert dues.assess(entry, 2026, DuesCategory.STUDENT, Decimal("8000"), None).declared_base == 0


def test_a_local_rule_takes_effect_from_its_date_and_only_below_its_organisation(tree, entry, branch_b):
    community = tree["community"]
    # The community raises farmers' dues to 1 元 from 1 July 2026.
    DuesRule.objects.create(
        organization=community, valid_from=D(2026, 7, 1), category=DuesCategory.FARMER, fixed=Decimal("1.00")
    )
    assert dues.assess(entry, 2026, DuesCategory.FARMER, Decimal("0"), None).monthly_amount == Decimal("0.50")
    rows = dues.ledger(entry.branch, 2026, D(2026, 12, 15), entries=[entry])
    assert rows[0].due[D(2026, 6, 1)] == Decimal("0.50")
    assert rows[0].due[D(2026, 7, 1)] == Decimal("1.00")
    assert dues.assess(entry, 2027, DuesCategory.FARMER, Decimal("0"), None).monthly_amount == Decimal("1.00")
    # Another community's branch keeps the national rule.
    other = RosterEntryFactory(
        branch=tree["street"]
        .add_child(name="别的社区", code="other", kind="community")
        .add_child(name="别的支部", code="other-1", kind="branch")
    )
    assert dues.assess(other, 2027, DuesCategory.FARMER, Decimal("0"), None).monthly_amount == Decimal("0.50")


def test_a_probationary_member_pays_from_the_month_of_the_meeting(branch_a):
    new = RosterEntryFactory(branch=branch_a, member_type=RosterEntry.MemberType.PROBATIONARY, joined_on=D(2026, 5, 20))
    assessment = dues.assess(new, 2026, DuesCategory.SERVING, Decimal("4000"), None)
    assert assessment.starts_on == D(2026, 5, 20)
    row = dues.ledger(branch_a, 2026, D(2026, 8, 10), entries=[new])[0]
    assert sorted(row.due) == [D(2026, m, 1) for m in (5, 6, 7, 8)]


def _pay(entry, *months, year=2026):
    for month in months:
        DuesPayment.objects.create(
            entry=entry, month=D(year, month, 1), amount=Decimal("15.00"), paid_on=D(year, month, 5)
        )


def test_three_unpaid_months_are_flagged_well_before_six(entry):
    dues.assess(entry, 2026, DuesCategory.SERVING, Decimal("3000"), None)
    _pay(entry, 1, 2, 3, 4, 5, 6, 7)
    row = dues.ledger(entry.branch, 2026, D(2026, 10, 20), entries=[entry])[0]
    assert row.arrears == 2 and not row.flagged  # August, September (October is not over)
    row = dues.ledger(entry.branch, 2026, D(2026, 11, 2), entries=[entry])[0]
    assert row.arrears == 3 and row.flagged
    assert row.total_due == Decimal("165.00") and row.total_paid == Decimal("105.00")


def test_arrears_run_across_the_new_year(entry):
    dues.assess(entry, 2026, DuesCategory.SERVING, Decimal("3000"), None)
    dues.assess(entry, 2027, DuesCategory.SERVING, Decimal("3000"), None)
    _pay(entry, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, year=2026)
    row = dues.ledger(entry.branch, 2027, D(2027, 3, 10), entries=[entry])[0]
    assert row.arrears == 4 and row.flagged  # November, December 2026, January, February 2027


def test_an_approved_exemption_is_not_arrears_a_refused_one_is(entry, org_admin):
    dues.assess(entry, 2026, DuesCategory.SERVING, Decimal("3000"), None)
    _pay(entry, 1, 2, 3, 4, 5, 6)
    relief = DuesRelief.objects.create(
        entry=entry,
        from_month=D(2026, 7, 1),
        to_month=D(2026, 12, 1),
        reason="重病住院",
        branch_agreed_on=D(2026, 7, 3),
    )
    assert dues.ledger(entry.branch, 2026, D(2026, 11, 2), entries=[entry])[0].flagged  # not approved yet
    dues.decide_relief(relief, True, org_admin, D(2026, 7, 10))
    row = dues.ledger(entry.branch, 2026, D(2026, 11, 2), entries=[entry])[0]
    assert row.arrears == 0 and row.due[D(2026, 8, 1)] == 0
    with pytest.raises(ValidationError):
        dues.decide_relief(relief, False, org_admin, D(2026, 7, 11))


def test_a_month_is_recorded_as_paid_once(entry, secretary_a):
    dues.record_payment(entry, D(2026, 3, 15), Decimal("15"), D(2026, 3, 20), secretary_a)
    with pytest.raises(ValidationError, match="2026-03已登记为已交"):
        dues.record_payment(entry, D(2026, 3, 1), Decimal("15"), D(2026, 3, 21), secretary_a)
    assert DuesPayment.objects.get().month == D(2026, 3, 1)


def _pay_in_the_form(client, branch, entry, day="2026-03-15"):
    data = {"action": "pay", "pay-entry": entry.pk, "pay-month": day, "pay-amount": "15", "pay-paid_on": "2026-03-20"}
    return client.post(reverse("membership:dues", args=[branch.pk]) + "?year=2026", data)


def test_the_same_month_recorded_twice_in_the_form_is_refused_in_chinese(client, entry, branch_a, secretary_a):
    from wagtail.models import ModelLogEntry

    client.force_login(secretary_a)
    assert _pay_in_the_form(client, branch_a, entry).status_code == 302
    response = _pay_in_the_form(client, branch_a, entry, day="2026-03-01")
    assert response.status_code == 400 and "2026-03已登记为已交" in response.content.decode()
    assert DuesPayment.objects.count() == 1
    assert ModelLogEntry.objects.filter(action="membership.dues.payment").count() == 1


def test_a_payment_that_loses_the_race_to_the_constraint_gets_the_message_not_a_500(
    client, entry, branch_a, secretary_a
):
    """Another keeper's payment of the same month lands between the check and the insert (simulated on
    SQLite by writing it just before this one is saved; the PostgreSQL test below races two threads)."""
    from django.db.models.signals import pre_save

    def the_other_keeper_was_faster(sender, instance, **kwargs):
        pre_save.disconnect(the_other_keeper_was_faster, sender=DuesPayment)
        DuesPayment.objects.bulk_create([DuesPayment(entry=entry, month=D(2026, 3, 1), amount=Decimal("15"))])

    pre_save.connect(the_other_keeper_was_faster, sender=DuesPayment)
    client.force_login(secretary_a)
    try:
        response = _pay_in_the_form(client, branch_a, entry)
    finally:
        pre_save.disconnect(the_other_keeper_was_faster, sender=DuesPayment)
    assert response.status_code == 400 and "2026-03已登记为已交" in response.content.decode()


def test_the_annual_report_gives_totals_not_persons(entry, branch_a):
    other = RosterEntryFactory(branch=branch_a)
    for member in (entry, other):
        dues.assess(member, 2026, DuesCategory.SERVING, Decimal("3000"), None)
    _pay(entry, 1)
    january = dues.annual_report(branch_a, 2026, D(2026, 2, 10))[0]
    assert (january.members_due, january.members_paid, january.amount_due, january.amount_paid) == (
        2,
        1,
        Decimal("30.00"),
        Decimal("15.00"),
    )


def test_ledger_queries_stay_constant(branch_a, django_assert_max_num_queries):
    def grow(count):
        for _ in range(count):
            member = RosterEntryFactory(branch=branch_a)
            dues.assess(member, 2026, DuesCategory.SERVING, Decimal("4000"), None)
            _pay(member, 1, 2)

    grow(2)
    with django_assert_max_num_queries(12) as small:
        dues.ledger(branch_a, 2026, D(2026, 6, 1))
    grow(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        dues.ledger(branch_a, 2026, D(2026, 6, 1))


def test_dues_pages_are_for_the_member_the_keeper_and_the_secretary(
    client, entry, secretary_a, editor_a, member_a, branch_a
):
    dues.assess(entry, 2026, DuesCategory.SERVING, Decimal("3000"), None)
    url = reverse("membership:dues", args=[branch_a.pk])
    client.force_login(secretary_a)
    assert "交费党员" in client.get(url).content.decode()
    client.force_login(editor_a)
    assert client.get(url).status_code == 403
    client.force_login(member_a)
    assert client.get(url).status_code == 403
    DuesKeeper.objects.create(branch=branch_a, user=member_a)
    assert client.get(url).status_code == 200
    # A member sees their own dues only.
    entry.user = editor_a
    entry.save()
    client.force_login(editor_a)
    mine = client.get(reverse("membership:my_dues")).content.decode()
    assert "15.00" in mine
