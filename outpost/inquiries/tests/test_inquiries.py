"""The questions and answers: asking without an account, logging, answering with
suggestions and by SMS, the FAQ's review, stale entries when a notice is replaced, search,
figures, and bad input."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

import outpost.enterprises.tests.factories  # noqa: F401  (before its notices module: import order)
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.enterprises.tests.factories_notices import notice_make
from outpost.inquiries import search, selectors, services
from outpost.inquiries.choices import Channel, FaqStatus, QuestionStatus
from outpost.inquiries.models import FaqEntry, Question
from outpost.inquiries.tests.factories import faq_make, question_make
from outpost.notify.models import OutboundMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre_a(district):
    return staff_user(role=Role.COMMUNITY_CADRE, unit=district.community_a, username="cadre_a")


def _ask(client, unit, **data):
    return client.post(
        reverse("inquiries_public:ask", args=[unit.pk]),
        data,
        REMOTE_ADDR=data.pop("addr", "10.0.0.1") if "addr" in data else "10.0.0.1",
    )


# ---------------------------------------------------------------------------- public page


def test_a_resident_asks_without_an_account_and_reads_the_answer_by_the_private_link(
    client, district, officer_a
):
    response = client.post(
        reverse("inquiries_public:ask", args=[district.community_a.pk]),
        {"text": "从外地返回需要隔离几天？", "phone": "138 0013 8000"},
    )
    assert response.status_code == 200
    link = response.context["link"]
    question = Question.objects.get()
    assert question.channel == Channel.PUBLIC_PAGE and question.phone == "13800138000"
    page = client.get(link)
    assert "Not answered yet" in page.content.decode() or "尚未答复" in page.content.decode()
    services.question_answer(acting_user=officer_a, question=question, answer="请居家观察14天。")
    page = client.get(link).content.decode()
    assert "请居家观察14天。" in page
    sms = OutboundMessage.objects.get()
    assert sms.channel == "sms" and "请居家观察14天。" in sms.body


def test_a_question_is_shown_as_text_never_as_html(client, district):
    response = client.post(
        reverse("inquiries_public:ask", args=[district.community_a.pk]),
        {"text": "<script>alert(1)</script>能出门吗"},
    )
    page = client.get(response.context["link"]).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"text": "   "}, "text"),
        ({"text": "问" * 5000}, "text"),
        ({"text": "能出门吗", "phone": "12345"}, "phone"),
        ({"text": "能出门吗", "phone": "电话是一三八"}, "phone"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_stored(client, district, data, field):
    response = client.post(reverse("inquiries_public:ask", args=[district.community_a.pk]), data)
    assert response.status_code == 422
    assert field in response.context["errors"]
    assert not Question.objects.exists()


def test_a_robot_filling_the_honeypot_is_thanked_and_nothing_is_stored(client, district):
    response = client.post(
        reverse("inquiries_public:ask", args=[district.community_a.pk]),
        {"text": "便宜发票", "website": "http://spam.example"},
    )
    assert response.status_code == 200 and not Question.objects.exists()


def test_a_flood_from_one_address_is_refused_after_the_limit_and_others_are_unaffected(
    client, district
):
    url = reverse("inquiries_public:ask", args=[district.community_a.pk])
    statuses = [
        client.post(url, {"text": f"第{i}个问题"}, REMOTE_ADDR="10.9.9.9").status_code
        for i in range(services.PER_ADDRESS.hits + 5)
    ]
    assert statuses.count(200) == services.PER_ADDRESS.hits
    assert statuses[-1] == 429
    assert Question.objects.count() == services.PER_ADDRESS.hits
    other = client.post(url, {"text": "别处的问题"}, REMOTE_ADDR="10.1.1.1")
    assert other.status_code == 200


def test_one_phone_is_limited_across_addresses(client, district):
    url = reverse("inquiries_public:ask", args=[district.community_a.pk])
    statuses = [
        client.post(
            url, {"text": f"问题{i}", "phone": "13800138000"}, REMOTE_ADDR=f"10.2.0.{i}"
        ).status_code
        for i in range(services.PER_PHONE.hits + 1)
    ]
    assert statuses[-1] == 429 and statuses.count(200) == services.PER_PHONE.hits


def test_an_unknown_private_link_is_a_404(client, district):
    assert client.get(reverse("inquiries_public:answer", args=["nope"])).status_code == 404


def test_the_public_faq_shows_published_entries_of_the_unit_and_above_and_searches(
    client, district
):
    faq_make(unit=district.station, question="外地返连需要隔离吗", answer="需居家隔离14天。")
    faq_make(unit=district.community_a, question="快递可以送到小区吗", answer="放在门口快递架。")
    faq_make(unit=district.community_b, question="乙社区的停车问题", answer="另行通知。")
    faq_make(unit=district.community_a, question="待审核的条目", status=FaqStatus.PENDING)
    url = reverse("inquiries_public:faq", args=[district.community_a.pk])
    page = client.get(url).content.decode()
    assert "外地返连需要隔离吗" in page and "快递可以送到小区吗" in page
    assert "乙社区的停车问题" not in page and "待审核的条目" not in page
    found = client.get(url, {"q": "快递能送吗"}).context["entries"]
    assert found[0].question == "快递可以送到小区吗"


def test_the_qr_code_is_an_svg_of_the_public_page(client, district):
    pytest.importorskip("segno")
    response = client.get(reverse("inquiries_public:qr", args=[district.community_a.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert b"<svg" in response.content


# ---------------------------------------------------------------------------- staff


def test_quick_log_remembers_unit_and_channel_for_the_next_question(client, district, cadre_a):
    client.force_login(cadre_a)
    url = reverse("inquiries:log")
    response = client.post(
        url,
        {
            "unit": district.community_a.pk,
            "channel": "chat",
            "text": "小区几点封闭？",
            "urgency": "normal",
        },
    )
    assert response.status_code == 302
    next_form = client.get(response["Location"]).context["form"]
    assert str(next_form.initial["unit"]) == str(district.community_a.pk)
    assert next_form.initial["channel"] == "chat"
    question = Question.objects.get()
    assert question.created_by == cadre_a and question.channel == Channel.CHAT_GROUP


def test_quick_log_shows_likely_duplicates_as_the_text_is_typed(client, district, cadre_a):
    question_make(unit=district.community_a, text="小区几点封闭大门？")
    client.force_login(cadre_a)
    response = client.get(
        reverse("inquiries:log"),
        {"unit": district.community_a.pk, "text": "小区几点封闭大门"},
        HTTP_HX_REQUEST="true",
    )
    assert "小区几点封闭大门？" in response.content.decode()


def test_quick_log_refuses_a_unit_outside_the_users_scope(client, district, cadre_a):
    client.force_login(cadre_a)
    response = client.post(
        reverse("inquiries:log"),
        {"unit": district.community_b.pk, "channel": "phone", "text": "问题", "urgency": "normal"},
    )
    assert response.status_code == 422 and not Question.objects.exists()


def test_deadlines_follow_urgency_and_the_day():
    day = timezone.make_aware(datetime.datetime(2026, 2, 1, 10, 0))
    night = timezone.make_aware(datetime.datetime(2026, 2, 1, 23, 0))
    assert services.answer_due(day, "normal") == day + datetime.timedelta(hours=2)
    assert services.answer_due(day, "urgent") == day + datetime.timedelta(hours=1)
    assert timezone.localtime(services.answer_due(night, "normal")).hour == 10
    assert services.answer_due(night, "urgent") == night + datetime.timedelta(hours=1)


def test_overdue_questions_are_on_the_home_to_do(client, district, cadre_a):
    past = timezone.now() - datetime.timedelta(hours=5)
    question_make(unit=district.community_a, now=past, due_at=past + datetime.timedelta(hours=2))
    question_make(unit=district.community_a)
    from outpost.inquiries.todo import question_lines

    lines = {line.label: line for line in question_lines(user=cadre_a)}
    overdue = next(
        line
        for label, line in lines.items()
        if "deadline" in label or "超时" in label or "逾期" in label
    )
    assert overdue.count == 1
    client.force_login(cadre_a)
    assert len(client.get(overdue.url).context["object_list"]) == 1


def test_answering_with_a_suggested_faq_entry_counts_it_and_cites_its_notice(
    client, district, officer_a, cadre_a
):
    notice = notice_make(unit=district.station, author=officer_a)
    entry = faq_make(
        unit=district.station, question="返连人员要隔离几天", answer="居家隔离14天。", notice=notice
    )
    question, _token = question_make(
        unit=district.grid_a1, text="我刚从外地返连，要隔离几天？", phone="13900139000"
    )
    client.force_login(cadre_a)
    page = client.get(reverse("inquiries:detail", args=[question.pk]))
    assert [hit.record for hit in page.context["suggestions"].faq] == [entry]
    response = client.post(
        reverse("inquiries:answer", args=[question.pk]),
        {"answer": entry.answer, "faq_used": entry.pk, "send_sms": "on"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    entry.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.notice == notice
    assert entry.times_used == 1
    sms = question.answer_message
    assert sms is not None and "/ask/a/" in sms.body  # a staff-logged question gets its link


def test_a_question_is_handed_off_with_its_department(client, district, cadre_a):
    question, _token = question_make(unit=district.community_a)
    client.force_login(cadre_a)
    response = client.post(
        reverse("inquiries:hand_off", args=[question.pk]),
        {"department": "区卫健局", "note": "核酸点位"},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == QuestionStatus.HANDED_OFF and question.handed_by == cadre_a
    empty = client.post(reverse("inquiries:hand_off", args=[question.pk]), {"department": ""})
    assert empty.status_code == 422


# ---------------------------------------------------------------------------- FAQ


def test_an_answer_becomes_an_faq_entry_only_after_an_officers_review(
    client, district, cadre_a, officer_a
):
    question, _t = question_make(unit=district.community_a, text="小区超市几点开门")
    services.question_answer(acting_user=cadre_a, question=question, answer="每天8点至18点。")
    client.force_login(cadre_a)
    response = client.post(
        reverse("inquiries:faq_propose", args=[question.pk]),
        {"category": "supplies", "question": "小区超市几点开门", "answer": "每天8点至18点。"},
    )
    entry = FaqEntry.objects.get()
    assert response.status_code == 302 and entry.status == FaqStatus.PENDING
    assert client.get(reverse("inquiries:faq_review", args=[entry.pk])).status_code == 403
    client.force_login(officer_a)
    response = client.post(
        reverse("inquiries:faq_review", args=[entry.pk]), {"decision": "publish"}
    )
    entry.refresh_from_db()
    assert response.status_code == 302 and entry.status == FaqStatus.PUBLISHED
    assert entry.reviewed_by == officer_a


@pytest.mark.parametrize(
    "text", ["有事请拨打13800138000", "身份证210211199001011234的居民", "电话0411-82345678"]
)
def test_an_faq_entry_with_personal_data_is_refused(district, cadre_a, text):
    with pytest.raises(services.ValidationError) as error:
        services.faq_propose(
            acting_user=cadre_a,
            unit=district.community_a,
            category="other",
            question="问题",
            answer=text,
        )
    assert "answer" in error.value.message_dict
    assert not FaqEntry.objects.exists()


def test_a_replaced_notice_makes_the_entries_citing_it_stale_and_the_correction_reaches_those_answered(
    client, district, officer_a
):
    old = notice_make(unit=district.station, author=officer_a, title="返连人员隔离14天")
    entry = faq_make(
        unit=district.community_a, question="返连要隔离几天", answer="14天。", notice=old
    )
    question, token = question_make(unit=district.community_a, phone="13700137000", channel="page")
    services.question_answer(
        acting_user=officer_a, question=question, answer="14天。", faq_used=entry
    )
    notice_make(
        unit=district.station, author=officer_a, title="返连人员隔离7天", supersedes=old, version=2
    )
    entry.refresh_from_db()
    assert entry.status == FaqStatus.STALE and entry.stale_notice == old
    client.force_login(officer_a)
    stale = client.get(reverse("inquiries:faq_list"), {"status": "stale"}).context["object_list"]
    assert list(stale) == [entry]
    response = client.post(
        reverse("inquiries:faq_correction", args=[entry.pk]), {"text": "新规定：隔离7天。"}
    )
    assert response.status_code == 302
    page = client.get(reverse("inquiries_public:answer", args=[token])).content.decode()
    assert "新规定：隔离7天。" in page
    assert OutboundMessage.objects.filter(address="13700137000").count() == 2  # answer, correction
    # Sent once: a second send finds nobody left to correct.
    assert services.correction_recipients(entry).count() == 0


# ---------------------------------------------------------------------------- search and figures


def test_bigram_search_ranks_the_closest_short_question_first(district):
    faq_make(unit=district.station, question="居家隔离期间可以取快递吗", answer="由网格员代取。")
    faq_make(unit=district.station, question="小区出入证怎么办理", answer="到居委会办理。")
    faq_make(unit=district.station, question="核酸检测在哪里做", answer="社区卫生服务中心。")
    hits = search.search_faq("出入证在哪办", FaqEntry.objects.all())
    assert hits[0].record.question == "小区出入证怎么办理"
    assert search.terms("请问怎么办") == ["问怎", "么办"][:0] or "请问" not in search.terms(
        "请问怎么办"
    )


def test_figures_count_the_rows_of_their_lists(district, officer_a):
    # Noon: half an hour earlier is the same day whenever the test runs (at 00:14 China
    # time it was yesterday, and "today" received 1).
    today = timezone.localdate()
    now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(12)))
    q1, _ = question_make(
        unit=district.community_a, now=now - datetime.timedelta(minutes=30), channel="chat"
    )
    question_make(
        unit=district.community_a, now=now - datetime.timedelta(minutes=10), channel="page"
    )
    services.question_answer(acting_user=officer_a, question=q1, answer="好的。", now=now)
    rows = selectors.figures(user=officer_a, first=today, last=today, now=now)
    received = sum(r.received for r in rows)
    answered = sum(r.answered for r in rows)
    assert (
        received
        == selectors.figure_questions(user=officer_a, figure="received", day=today, now=now).count()
        == 2
    )
    assert answered == 1
    chat = next(r for r in rows if r.channel == "chat")
    assert chat.median_minutes == 30.0
    totals = selectors.figure_totals(user=officer_a, day=today, now=now)
    assert totals["received"] == 2 and totals["answered"] == 1 and totals["waiting"] == 1


# ---------------------------------------------------------------------------- API


def test_the_api_logs_and_answers_a_question_with_the_phone_masked(client, district, officer_a):
    client.force_login(officer_a)
    response = client.post(
        "/api/v1/inquiries/questions",
        {
            "unit_id": district.community_a.pk,
            "channel": "phone",
            "text": "能否外出买药",
            "phone": "13800138000",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "138****8000"
    answer = client.post(
        f"/api/v1/inquiries/questions/{body['id']}/answer",
        {"answer": "可以，佩戴口罩。", "send_sms": False},
        content_type="application/json",
    )
    assert answer.status_code == 200 and answer.json()["status"] == "answered"
    empty = client.post(
        "/api/v1/inquiries/questions",
        {"unit_id": district.community_a.pk, "channel": "phone", "text": ""},
        content_type="application/json",
    )
    assert empty.status_code == 422
    figures = client.get("/api/v1/inquiries/figures")
    assert figures.status_code == 200 and sum(r["received"] for r in figures.json()) == 1
