"""The demo's questions and answers: questions over fourteen days through every channel,
most answered, the FAQ citing the demo's notices, one entry stale."""

import datetime

import pytest

from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.demo.enterprise_notices import notices_build
from outpost.demo.inquiries import build_inquiries
from outpost.enterprises.tests.factories import EnterpriseFactory
from outpost.inquiries import search
from outpost.inquiries.choices import Channel, FaqStatus, QuestionStatus
from outpost.inquiries.models import FaqEntry, Question

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 2, 14)


def test_the_demo_asks_questions_on_every_channel_and_keeps_one_faq_entry_stale(district):
    leader = staff_user(role=Role.STATION_LEADER, unit=district.station, username="leader")
    staff_user(role=Role.COMMUNITY_CADRE, unit=district.community_a, username="cadre01")
    staff_user(role=Role.COMMUNITY_CADRE, unit=district.community_b, username="cadre02")
    notices_build(
        enterprises=[EnterpriseFactory(unit=district.grid_a1)], author=leader, today=TODAY
    )
    assert build_inquiries(seed=1, today=TODAY) > 0
    questions = Question.objects.all()
    assert questions.count() > 50
    assert set(questions.values_list("channel", flat=True)) == set(Channel.values)
    assert questions.filter(status=QuestionStatus.ANSWERED).count() > questions.count() / 2
    assert questions.filter(faq_used__notice__isnull=False).exists()
    assert FaqEntry.objects.filter(status=FaqStatus.STALE, stale_notice__isnull=False).count() == 1
    hits = search.search_faq("出入证在哪办", FaqEntry.objects.all())
    assert hits[0].record.question == "小区出入证怎么办理"
