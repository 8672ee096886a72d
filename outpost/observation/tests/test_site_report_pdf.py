"""The site daily report prints: a PDF with the site's name, its figures, the day's alerts
masked, the deployment's classification on every page and the sign-off block."""

import datetime

import pypdfium2
import pytest
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation

from outpost.core.models import AccessLog
from outpost.core.printing import css_string
from outpost.core.tests.worker import run_queued_tasks
from outpost.observation.exports import site_day_pdf
from outpost.observation.services.reports import site_day_close, site_day_report
from outpost.observation.tests.factories import IsolationSiteFactory
from outpost.observation.tests.test_reports import at, busy_day

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> list[str]:
    document = pypdfium2.PdfDocument(content)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    document.close()
    return pages


def _download_pdf(client, site, day, reason="打印上报"):
    asked = client.post(
        reverse("observation:site_report_xlsx", args=[site.pk]),
        {"day": day.isoformat(), "purpose": "other", "reason": reason, "file_format": "pdf"},
    )
    assert asked.status_code == 302, asked.content.decode()[:500]
    run_queued_tasks()
    download = client.get(asked["Location"] + "download/")
    response = HttpResponse(b"".join(download.streaming_content), status=download.status_code)
    response["Content-Disposition"] = download["Content-Disposition"]
    return response


def test_the_site_report_pdf_has_the_site_the_sign_off_and_the_classification(
    client, officer_a, district, settings
):
    settings.OUTPOST_CLASSIFICATION = "内部资料 注意保存"
    day = timezone.localdate() - datetime.timedelta(days=1)
    site, people = busy_day(district.grid_a1, day=day)
    site_day_close(site=site, day=day, now=at(timezone.localdate(), "00:05"))
    client.force_login(officer_a)

    with translation.override("zh-hans"):
        response = _download_pdf(client, site, day)

    assert response.status_code == 200
    assert ".pdf" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    pages = _text(response.content)
    text = "".join(pages)
    assert site.name in text
    for label in ("编制人", "审核人", "日期"):
        assert label in text
    assert all("内部资料 注意保存" in page for page in pages)  # every page, head and foot
    person = people["b"].key_person
    assert person.masked_id_number in text
    assert person.resident.id_number not in text
    log = AccessLog.objects.get()
    assert log.reason == "打印上报"


def test_a_long_report_carries_the_classification_on_every_page(district, officer_a, settings):
    settings.OUTPOST_CLASSIFICATION = "秘密★1年"
    day = timezone.localdate() - datetime.timedelta(days=1)
    site, _people = busy_day(district.grid_a1, day=day)
    report = site_day_report(site=site, day=day, now=timezone.now())
    # Many alert rows: the list runs over several pages.
    report.figures["alert_rows"] = report.figures["alert_rows"] * 120

    with translation.override("en"):
        content, _rows = site_day_pdf(acting_user=officer_a, report=report, now=timezone.now())

    pages = _text(content)
    assert len(pages) > 2
    assert all(page.count("秘密★1年") == 2 for page in pages)
    assert "Prepared by" in pages[-1] and "Reviewed by" in pages[-1]


def test_no_classification_when_the_deployment_sets_none(district, officer_a, settings):
    settings.OUTPOST_CLASSIFICATION = ""
    site = IsolationSiteFactory(unit=district.community_a)
    report = site_day_report(site=site, day=timezone.localdate(), now=timezone.now())

    content, _rows = site_day_pdf(acting_user=officer_a, report=report, now=timezone.now())

    assert "内部资料" not in "".join(_text(content))


def test_the_report_page_shows_the_classification(client, officer_a, district, settings):
    settings.OUTPOST_CLASSIFICATION = "内部资料 注意保存"
    site = IsolationSiteFactory(unit=district.community_a)
    client.force_login(officer_a)

    content = client.get(reverse("observation:site_report", args=[site.pk])).content.decode()

    assert 'data-testid="classification">内部资料 注意保存<' in content


def test_a_classification_cannot_break_out_of_the_css_string():
    assert (
        css_string('a"}</style><b>')
        == '"a\\000022\\00007d\\00003c\\00002fstyle\\00003e\\00003cb\\00003e"'
    )
