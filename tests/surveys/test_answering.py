import datetime as dt
import io

import pytest
import rules

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from core import sealing
from organizations.models import Residence, RosterEntry
from surveys import mixing
from surveys.factories import q, qid, section, survey_page
from surveys.models import Answer, Draft, Participation, Response, SealedResponse, SurveyPage

pytestmark = pytest.mark.django_db


def _answers(page, **by_index):
    data = {}
    for index, value in by_index.items():
        data[f"q-{qid(page, int(index[1:]))}"] = value
    return data


def test_resident_submits_once_and_a_second_submit_stores_nothing(client, resident, branch_a):
    page = survey_page(branch_a.page)
    client.force_login(resident)
    data = _answers(page, a0="30–59岁", a1=["健康讲座", "志愿服务"], a2="4")
    response = client.post(page.url, data)
    assert response.status_code == 302 and response.url.endswith("?done=1")
    assert Response.objects.filter(survey=page, user=resident).count() == 1
    assert sorted(Answer.objects.filter(survey=page).values_list("choice", flat=True)) == sorted(
        ["30–59岁", "健康讲座", "志愿服务", "4"]
    )
    again = client.post(page.url, data)  # refresh or a second tab: revision 0 again
    assert again.status_code == 302
    assert Response.objects.filter(survey=page).count() == 1
    assert Answer.objects.filter(survey=page).count() == 4


def test_missing_required_answer_shows_a_message_next_to_the_question_and_stores_nothing(client, resident, branch_a):
    page = survey_page(branch_a.page)
    client.force_login(resident)
    response = client.post(page.url, _answers(page, a1=["健康讲座"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "请回答此问题" in html
    assert f'id="q-{qid(page, 0)}-error"' in html
    assert 'aria-invalid="true"' in html
    assert Response.objects.count() == 0 and Answer.objects.count() == 0
    # What was typed stays in the form.
    assert 'value="健康讲座" checked' in html


def test_answers_outside_the_choices_and_too_many_picks_are_refused(client, resident, branch_a):
    page = survey_page(branch_a.page)
    client.force_login(resident)
    response = client.post(page.url, _answers(page, a0="100岁", a1=["健康讲座", "文艺演出", "志愿服务"], a2="9"))
    errors = response.context["errors"]
    assert set(errors) == {qid(page, 0), qid(page, 1), qid(page, 2)}
    assert "最多选择 2 项" in errors[qid(page, 1)]
    assert Response.objects.count() == 0


def test_messages_are_in_the_users_language(client, resident, branch_a):
    page = survey_page(branch_a.page)
    client.force_login(resident)
    client.cookies["django_language"] = "en"
    response = client.post(page.url, {}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Please answer this question." in response.content.decode()


def test_number_date_ranking_and_matrix_are_validated_on_the_server(client, resident, branch_a):
    page = survey_page(
        branch_a.page,
        questions=[
            q("number", "家庭人口", min_value=1, max_value=20, whole_numbers=True),
            q("date", "入住时间"),
            q("ranking", "排序", choices=["停车", "绿化", "安防"]),
            q("matrix", "评价", rows=["便民服务", "文体活动"], columns=["好", "一般", "差"]),
            q("nps", "推荐", min_label="不可能", max_label="非常可能"),
            q("short_text", "楼栋", max_length=5),
        ],
    )
    client.force_login(resident)
    n, d, r, m, nps, t = (f"q-{qid(page, i)}" for i in range(6))
    bad = {
        n: "2.5",
        d: "2026-02-30",
        f"{r}-0": "1",
        f"{r}-1": "1",
        f"{r}-2": "2",
        f"{m}-0": "好",
        nps: "11",
        t: "一二三四五六",
    }
    errors = client.post(page.url, bad).context["errors"]
    assert set(errors) == {qid(page, i) for i in range(6)}
    good = {
        n: "3",
        d: "2020-05-01",
        f"{r}-0": "2",
        f"{r}-1": "1",
        f"{r}-2": "3",
        f"{m}-0": "好",
        f"{m}-1": "差",
        nps: "10",
        t: "3号楼",
    }
    assert client.post(page.url, good).status_code == 302
    stored = {(a.question, a.row, a.choice, a.number, a.text, a.date) for a in Answer.objects.all()}
    assert (qid(page, 0), "", "", 3.0, "", None) in stored
    assert (qid(page, 1), "", "", None, "", dt.date(2020, 5, 1)) in stored
    assert (qid(page, 2), "", "绿化", 1.0, "", None) in stored
    assert (qid(page, 3), "文体活动", "差", None, "", None) in stored
    assert (qid(page, 4), "", "10", 10.0, "", None) in stored


def test_identified_response_can_be_edited_until_close_and_a_stale_tab_changes_nothing(client, resident, branch_a):
    page = survey_page(branch_a.page)
    client.force_login(resident)
    client.post(page.url, _answers(page, a0="30岁以下", a1=["健康讲座"], a2="3"))
    form = client.get(page.url)
    assert form.context["revision"] == 1
    assert 'value="30岁以下" checked' in form.content.decode()
    edited = _answers(page, a0="60岁及以上", a1=["文艺演出"], a2="5") | {"revision": "1"}
    assert client.post(page.url, edited).status_code == 302
    assert set(Answer.objects.values_list("choice", flat=True)) == {"60岁及以上", "文艺演出", "5"}
    # The same edit posted again from an old tab (revision 1) is stale.
    client.post(page.url, _answers(page, a0="30岁以下", a1=["文艺演出"], a2="1") | {"revision": "1"})
    assert set(Answer.objects.values_list("choice", flat=True)) == {"60岁及以上", "文艺演出", "5"}
    assert Response.objects.get().revision == 2
    page.closes_at = timezone.now() - dt.timedelta(minutes=1)
    page.save()
    client.post(page.url, edited | {"revision": "2"})
    assert Response.objects.get().revision == 2


def test_anonymous_response_holds_no_link_to_the_participant(client, resident, branch_a):
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS)
    client.force_login(resident)
    client.post(page.url, _answers(page, a0="30岁以下", a1=["健康讲座"], a2="3"))
    client.post(page.url, _answers(page, a0="60岁及以上", a1=["健康讲座"], a2="1"))
    assert Participation.objects.filter(survey=page, user=resident).count() == 1
    # Sealed, not stored as answers: nothing readable until the mixer shuffles a batch (or the close).
    sealed = SealedResponse.objects.get(survey=page)
    assert not Response.objects.filter(survey=page).exists() and not Answer.objects.filter(survey=page).exists()
    assert "30岁以下".encode() not in bytes(sealed.blob) and sealed.pk.version == 4
    assert {f.column for f in SealedResponse._meta.concrete_fields} == {"id", "survey_id", "blob"}
    page.closes_at = timezone.now() - dt.timedelta(seconds=1)
    page.save()
    assert mixing.settle(page) == 1
    response = Response.objects.get(survey=page)
    assert response.user_id is None and response.updated_at is None
    assert isinstance(response.submitted_on, dt.date) and not isinstance(response.submitted_on, dt.datetime)
    assert set(Answer.objects.filter(survey=page).values_list("choice", flat=True)) == {"30岁以下", "健康讲座", "3"}
    # The schema: the tables that hold answers have no user, IP or time column; participation has no response.
    response_columns = {f.column for f in Response._meta.concrete_fields}
    answer_columns = {f.column for f in Answer._meta.concrete_fields}
    participation_columns = {f.column for f in Participation._meta.concrete_fields}
    for columns in (response_columns, answer_columns):
        assert not {c for c in columns if "ip" in c.split("_") or c.endswith("_at") and c != "updated_at"}
    assert participation_columns == {"id", "survey_id", "user_id", "participated_on"}
    assert not any(f.is_relation and f.related_model is Response for f in Participation._meta.get_fields())
    # The response key is random, not a sequence a participation could be matched against.
    assert response.pk.version == 4
    assert "已经回答" not in client.get(page.url).content.decode()  # closed now


def test_anonymous_survey_tells_a_participant_who_answered_and_keeps_no_draft(client, resident, branch_a):
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS)
    client.force_login(resident)
    name = f"q-{qid(page, 0)}"
    form = client.get(page.url)
    assert "稍后继续" not in form.content.decode() and not form.context["can_save"]
    # "Save and continue later" is refused: a draft would keep a named person's answers in plain text.
    client.post(page.url, {name: "30岁以下", "action": "save", "step": "0"})
    assert not Draft.objects.exists()
    client.post(page.url, _answers(page, a0="30岁以下", a1=["健康讲座"], a2="3"))
    assert not Draft.objects.exists() and SealedResponse.objects.filter(survey=page).count() == 1
    assert "已经回答" in client.get(page.url).content.decode()


def test_anonymous_answers_are_mixed_in_batches_of_at_least_k_and_k_wait_for_the_close(
    client, branch_a, settings, django_capture_on_commit_callbacks
):
    from accounts.factories import UserFactory

    settings.SEALING_MIX_BATCH = 3
    page = survey_page(branch_a.page, mode=SurveyPage.Mode.ANONYMOUS)
    ages = ["30岁以下", "30–59岁", "60岁及以上"] * 3

    def answer(index):
        client.force_login(UserFactory())
        client.post(page.url, _answers(page, a0=ages[index], a1=["健康讲座"], a2=str(1 + index % 5)))

    for index in range(5):
        answer(index)
    assert SealedResponse.objects.filter(survey=page).count() == 5 and not Response.objects.exists()
    answer(5)
    # Six wait (2k): three are mixed at once, with one date, and three stay sealed for the next batch.
    assert SealedResponse.objects.filter(survey=page).count() == 3
    assert Response.objects.filter(survey=page).count() == 3
    assert Response.objects.filter(survey=page).values("submitted_on").distinct().count() == 1
    assert Answer.objects.filter(survey=page, question=qid(page, 0)).count() == 3
    client.force_login(UserFactory())
    page.closes_at = timezone.now() - dt.timedelta(seconds=1)
    page.save()
    # At the close the rest is mixed, the key destroyed and the box final.
    with django_capture_on_commit_callbacks(execute=True):  # the key is destroyed once the mix is committed
        call_command("mix_responses", stdout=io.StringIO())
    assert not SealedResponse.objects.exists() and Response.objects.filter(survey=page).count() == 6
    assert sorted(Answer.objects.filter(survey=page, question=qid(page, 0)).values_list("choice", flat=True)) == sorted(
        ages[:6]
    )
    box = page.box()
    assert box.final_mix_on is not None and not sealing.has_key(box.scope)
    # Reopening a survey whose key is destroyed is refused.
    page.closes_at = timezone.now() + dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="不能再次开放"):
        page.full_clean()


def test_show_if_questions_and_sections_are_ignored_when_hidden_and_required_when_shown(client, resident, branch_a):
    page = survey_page(
        branch_a.page,
        questions=[
            q("single_choice", "是否有车", choices=["有", "没有"], key="car"),
            q("single_choice", "停车是否方便", choices=["方便", "不方便"], show_if={"question": "car", "values": "有"}),
            section("老年服务", show_if={"question": "car", "values": "没有"}),
            q("long_text", "您需要哪些上门服务？"),
        ],
    )
    client.force_login(resident)
    a, b, c = (f"q-{qid(page, i)}" for i in range(3))
    errors = client.post(page.url, {a: "有", c: "修理"}).context["errors"]
    assert set(errors) == {qid(page, 1)}
    assert client.post(page.url, {a: "有", b: "方便", c: "这段不该被保存"}).status_code == 302
    assert set(Answer.objects.values_list("question", flat=True)) == {qid(page, 0), qid(page, 1)}


def test_save_and_continue_restores_the_answers_and_submitting_deletes_the_draft(client, resident, branch_a):
    page = survey_page(
        branch_a.page, questions=[section("一"), q("short_text", "楼栋"), section("二"), q("long_text", "建议")]
    )
    client.force_login(resident)
    name0, name1 = f"q-{qid(page, 0)}", f"q-{qid(page, 1)}"
    response = client.post(page.url, {name0: "5号楼", "action": "save", "step": "1"})
    assert response.status_code == 302 and Response.objects.count() == 0
    form = client.get(page.url)
    assert form.context["from_draft"] and form.context["start_step"] == 1
    assert 'value="5号楼"' in form.content.decode()
    client.post(page.url, {name0: "5号楼", name1: "多种树"})
    assert Response.objects.count() == 1 and not Draft.objects.exists()


def test_survey_outside_its_open_times_takes_no_answers(client, resident, branch_a):
    page = survey_page(branch_a.page, opens_at=timezone.now() + dt.timedelta(days=1))
    client.force_login(resident)
    assert client.get(page.url).context["state"] == "not_open"
    client.post(page.url, _answers(page, a0="30岁以下", a1=["健康讲座"], a2="3"))
    assert Response.objects.count() == 0


def test_anonymous_visitor_is_asked_to_sign_in(client, branch_a):
    page = survey_page(branch_a.page)
    response = client.get(page.url)
    assert response.context["state"] == "sign_in"
    client.post(page.url, _answers(page, a0="30岁以下", a1=["健康讲座"], a2="3"))
    assert Response.objects.count() == 0


def test_audience_of_given_branches_admits_their_members_only(client, member_a, resident, branch_a, branch_b):
    page = survey_page(branch_a.page, audience=SurveyPage.Audience.ORGANIZATIONS)
    page.audience_organizations.set([branch_a])
    page.save()
    assert rules.test_rule("surveys.answer_survey", member_a, page)
    assert not rules.test_rule("surveys.answer_survey", resident, page)
    client.force_login(resident)
    assert client.get(page.url).context["state"] == "not_audience"


def test_audience_of_given_grids_admits_those_who_live_there_as_consultations_do(client, member_a, resident, tree):
    """One answer to "who lives in this grid" (organizations.residents): a confirmed residence or a roster grid."""
    grid = tree["grid"]
    page = survey_page(tree["branch_a"].page, audience=SurveyPage.Audience.GRIDS)
    page.audience_grids.set([grid])
    page.save()
    assert not rules.test_rule("surveys.answer_survey", resident, page)
    assert not rules.test_rule("surveys.answer_survey", member_a, page)
    Residence.objects.create(user=resident, grid=grid)
    RosterEntry.objects.filter(user=member_a).update(grid=grid)
    assert rules.test_rule("surveys.answer_survey", resident, page)
    assert rules.test_rule("surveys.answer_survey", member_a, page)
    client.force_login(resident)
    assert client.get(page.url).context["state"] != "not_audience"


def test_survey_index_lists_open_surveys_and_marks_the_answered_ones(client, resident, branch_a):
    open_survey = survey_page(branch_a.page, title="开放中的问卷", mode=SurveyPage.Mode.ANONYMOUS)
    survey_page(branch_a.page, title="已截止的问卷", closes_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(resident)
    client.post(open_survey.url, _answers(open_survey, a0="30岁以下", a1=["健康讲座"], a2="3"))
    response = client.get("/surveys/")
    assert [s.title for s in response.context["open_surveys"]] == ["开放中的问卷"]
    assert [s.title for s in response.context["closed_surveys"]] == ["已截止的问卷"]
    assert open_survey.pk in response.context["answered"]
    assert "您已作答" in response.content.decode()
