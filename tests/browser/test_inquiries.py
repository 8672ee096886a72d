"""Questions and answers end to end: a resident at 360 px asks on the community's public
page with no account and later reads the answer by the private link; a cadre answers a
question from the queue with a suggested FAQ entry, proposes the answer for the FAQ, an
officer publishes it, and a replaced notice then makes the entry stale."""

import pytest
from django.urls import reverse

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.enterprises.tests import factories as _enterprise_factories  # noqa: F401
from outpost.enterprises.tests.factories_notices import notice_make
from outpost.inquiries import services
from outpost.inquiries.choices import FaqStatus, QuestionStatus
from outpost.inquiries.models import FaqEntry, Question
from outpost.inquiries.tests.factories import faq_make, question_make
from tests.browser.support import log_in, menu_click

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_resident_asks_at_360px_and_reads_the_answer_by_the_private_link(
    browser, live_server, district, officer_a, screenshot
):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + reverse("inquiries_public:ask", args=[district.community_a.pk]))
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.fill("textarea[name=text]", "外地返连需要隔离几天？<b>急</b>")
    page.fill("input[name=phone]", "13800138000")
    screenshot(page, "inquiries-ask-360")
    page.click("button.qa-submit")
    link = page.locator("[data-testid=private-link]")
    href = link.get_attribute("href")
    assert href.startswith("/ask/a/")
    page.goto(live_server.url + href)
    assert page.locator("[data-testid=no-answer-yet]").is_visible()
    assert "<b>急</b>" in page.inner_text("[data-testid=question-text]")  # text, not markup

    question = Question.objects.get()
    services.question_answer(acting_user=officer_a, question=question, answer="请居家隔离14天。")
    page.reload()
    assert page.inner_text("[data-testid=answer-text]") == "请居家隔离14天。"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "inquiries-answer-360")
    context.close()


def test_cadre_answers_with_a_suggested_faq_entry_officer_publishes_and_a_new_notice_makes_it_stale(
    browser, live_server, district, officer_a, screenshot
):
    cadre = staff_user(role=Role.COMMUNITY_CADRE, unit=district.community_a, username="cadre_a")
    notice = notice_make(unit=district.community_a, author=officer_a, title="返连人员隔离14天")
    faq_make(
        unit=district.community_a,
        question="外地返连要隔离几天",
        answer="居家隔离14天。",
        notice=notice,
    )
    question, _token = question_make(unit=district.grid_a1, text="我刚从外地回来，要隔离几天？")

    context, page = log_in(browser, live_server, cadre, 1280)
    menu_click(page, reverse("inquiries:queue"))
    page.click(f"a[href='{question.get_absolute_url()}']")
    page.locator("[data-testid=faq-suggestion]").first.wait_for()
    page.locator("[data-testid=faq-suggestion] .use-faq").first.click()
    assert page.input_value("#id_answer") == "居家隔离14天。"
    page.uncheck("#id_send_sms")
    page.click("[data-testid=send-answer]")
    page.wait_for_url(f"**{question.get_absolute_url()}")
    question.refresh_from_db()
    assert question.status == QuestionStatus.ANSWERED and question.notice == notice
    page.click("[data-testid=propose-faq]")
    page.select_option("select[name=category]", "travel")
    page.fill("input[name=question]", "刚从外地回来要隔离几天")
    page.click("main form button[type=submit]")
    page.wait_for_url("**/inquiries/faq/*/")
    entry = FaqEntry.objects.get(status=FaqStatus.PENDING)
    screenshot(page, "inquiries-proposed-1280")
    context.close()

    context, page = log_in(browser, live_server, officer_a, 1280)
    page.goto(live_server.url + entry.get_absolute_url())
    page.click("[data-testid=review]")
    page.check("input[name=decision][value=publish]")
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{entry.get_absolute_url()}")
    entry.refresh_from_db()
    assert entry.status == FaqStatus.PUBLISHED
    context.close()

    # A new version of the notice: the entry goes stale, listed for review.
    notice_make(unit=district.community_a, author=officer_a, supersedes=notice, version=2)
    entry.refresh_from_db()
    assert entry.status == FaqStatus.STALE
