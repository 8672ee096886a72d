"""The daily report's PDF carries the deployment's classification on every page and the
sign-off block, like every printed report."""

import pypdfium2
import pytest
from django.utils import timezone, translation

from outpost.briefing.exports import daily_report_pdf
from outpost.briefing.reports import daily_report
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user


@pytest.mark.django_db
def test_the_daily_report_pdf_is_marked_and_signed_off(district, settings):
    settings.OUTPOST_CLASSIFICATION = "内部资料 注意保存"
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    with translation.override("zh-hans"):
        report = daily_report(user=leader, unit=district.station, day=timezone.localdate())
        content = daily_report_pdf(report, acting_user=leader)

    document = pypdfium2.PdfDocument(content)
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    document.close()
    assert all(page.count("内部资料 注意保存") == 2 for page in pages)  # head and foot
    assert all(word in pages[-1] for word in ("编制人", "审核人", "日期"))
    assert str(leader.staff_profile) in pages[-1]  # the preparer, by name
