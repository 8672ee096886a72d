"""Cases, measures, seized items and their custody chain, through the services."""

import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from outpost.cases import services
from outpost.cases.choices import CaseState, ItemState, MeasureKind, MoveKind, PartyKind
from outpost.cases.models import CustodyMove, DisposalRequest, Measure, Party, SeizedItem
from outpost.cases.tests.factories import case_in, png_bytes
from outpost.core.audit import record_history
from outpost.core.choices import Role
from outpost.core.tests.factories import staff_user
from outpost.registry.tests.factories import valid_id_number

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
CHINA = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def colleague(district):
    return staff_user(role=Role.POLICE_OFFICER, unit=district.community_a, username="officer_a2")


@pytest.fixture
def case(district):
    return case_in(district.grid_a1)


@pytest.fixture
def person(case, officer_a):
    return services.party_add(
        acting_user=officer_a,
        case=case,
        kind=PartyKind.PERSON,
        name="张某",
        id_number=valid_id_number(7, born=datetime.date(1980, 5, 6)),
    )


def test_a_person_is_added_by_a_valid_id_number_stored_encrypted_and_shown_masked(person):
    assert person.masked_id_number.startswith("210204") and "*" in person.masked_id_number
    assert Party.objects.get(id_number_index__isnull=False, pk=person.pk).id_number


def test_a_wrong_id_number_or_credit_code_is_refused_by_field(case, officer_a):
    with pytest.raises(ValidationError) as caught:
        services.party_add(
            acting_user=officer_a,
            case=case,
            kind=PartyKind.PERSON,
            name="李某",
            id_number="210204198005060000",
        )
    assert "id_number" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        services.party_add(
            acting_user=officer_a,
            case=case,
            kind=PartyKind.ORGANISATION,
            name="某厂",
            credit_code="91210200XXXXXXXXXX",
        )
    assert "credit_code" in caught.value.message_dict
    assert not Party.objects.filter(case=case).exists()


def test_detention_deferred_30_days_gets_its_dates_from_the_engine(case, person, officer_a):
    measure = services.measure_record(
        acting_user=officer_a,
        case=case,
        party=person,
        kind=MeasureKind.DETENTION,
        decided_on=datetime.date(2020, 2, 10),
        detention_days=15,
        detention_start=datetime.datetime(2020, 2, 10, 15, 0, tzinfo=CHINA),
        deferral_days=30,
        deferral_reason="疫情期间暂缓执行",
    )
    plan = measure.plan
    assert (plan.deferral_until, plan.starts_on, plan.ends_on) == (
        datetime.date(2020, 3, 10),
        datetime.date(2020, 3, 11),
        datetime.date(2020, 3, 25),
    )


@pytest.mark.parametrize("deferral_days", [0, -5])
def test_a_deferral_ending_before_it_starts_writes_nothing(case, person, officer_a, deferral_days):
    with pytest.raises(ValidationError) as caught:
        services.measure_record(
            acting_user=officer_a,
            case=case,
            party=person,
            kind=MeasureKind.DETENTION,
            decided_on=datetime.date(2020, 2, 10),
            detention_days=15,
            detention_start=datetime.datetime(2020, 2, 10, 15, 0, tzinfo=CHINA),
            deferral_days=deferral_days,
            deferral_reason="疫情",
        )
    assert "before it starts" in caught.value.message_dict["deferral_days"][0]
    assert not Measure.objects.exists()


def test_a_fine_below_zero_is_refused_and_a_paid_fine_is_recorded(case, person, officer_a):
    with pytest.raises(ValidationError) as caught:
        services.measure_record(
            acting_user=officer_a,
            case=case,
            party=person,
            kind=MeasureKind.FINE,
            decided_on=datetime.date(2020, 2, 10),
            fine_amount=Decimal("-1"),
        )
    assert caught.value.message_dict["fine_amount"] == ["A fine cannot be below zero."]
    assert not Measure.objects.exists()
    fine = services.measure_record(
        acting_user=officer_a,
        case=case,
        party=person,
        kind=MeasureKind.FINE,
        decided_on=datetime.date(2020, 2, 14),
        fine_amount=Decimal("1000"),
    )
    assert fine.fine_due == datetime.date(2020, 2, 29)
    services.fine_mark_paid(acting_user=officer_a, measure=fine, paid_on=datetime.date(2020, 2, 20))
    fine.refresh_from_db()
    assert fine.fine_paid and fine.fine_paid_on == datetime.date(2020, 2, 20)


def test_states_move_only_forward_and_each_move_is_in_the_history(case, officer_a):
    assert services.allowed_transitions(case, officer_a) == [CaseState.INVESTIGATING]
    with pytest.raises(ValidationError):
        services.case_transition(acting_user=officer_a, case=case, to_state=CaseState.CLOSED)
    for state in (CaseState.INVESTIGATING, CaseState.DECIDED, CaseState.EXECUTING):
        services.case_transition(acting_user=officer_a, case=case, to_state=state)
    services.case_transition(
        acting_user=officer_a, case=case, to_state=CaseState.CLOSED, note="罚款已缴纳"
    )
    case.refresh_from_db()
    assert case.state == CaseState.CLOSED and case.closed_on is not None
    reasons = [entry.reason for entry in record_history(case)]
    assert any("罚款已缴纳" in reason for reason in reasons)
    assert len([e for e in record_history(case) if e.changes]) >= 4
    assert services.allowed_transitions(case, officer_a) == []


def _seize(case, officer):
    return services.item_seize(
        acting_user=officer,
        case=case,
        description="假冒84消毒液（稀释）",
        specification="3.8公斤/桶",
        quantity=Decimal("340"),
        measure="barrel",
        location="现场",
        reason="现场扣押",
    )


def test_the_chain_follows_the_goods_and_a_non_holder_cannot_move_them(case, officer_a, colleague):
    item = _seize(case, officer_a)
    services.item_move(
        acting_user=officer_a,
        item=item,
        kind=MoveKind.STORE,
        to_user=colleague,
        location="涉案物品保管室",
        reason="入库保管",
    )
    item.refresh_from_db()
    assert (item.state, item.holder, item.location) == (
        ItemState.STORED,
        colleague,
        "涉案物品保管室",
    )
    before = CustodyMove.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.item_move(
            acting_user=officer_a,
            item=item,
            kind=MoveKind.TRANSFER,
            to_outside="市场监管局",
            reason="移送",
        )
    assert "You do not hold this item" in caught.value.messages[0]
    assert CustodyMove.objects.count() == before
    item.refresh_from_db()
    assert item.holder == colleague


def test_a_custody_move_is_never_changed_nor_deleted(case, officer_a):
    item = _seize(case, officer_a)
    move = item.moves.get()
    move.reason = "改写"
    with pytest.raises(ValidationError):
        move.save()
    with pytest.raises(ValidationError):
        move.delete()
    with pytest.raises(ValidationError):
        CustodyMove.objects.filter(pk=move.pk).update(reason="改写")
    with pytest.raises(ValidationError):
        CustodyMove.objects.filter(pk=move.pk).delete()
    assert CustodyMove.objects.get(pk=move.pk).reason == "现场扣押"


def test_destruction_needs_a_second_officer(case, officer_a, colleague):
    item = _seize(case, officer_a)
    request = services.disposal_request(
        acting_user=officer_a,
        item=item,
        kind=MoveKind.DESTROY,
        to_outside="危险废物处置中心",
        reason="假冒伪劣",
    )
    with pytest.raises(ValidationError) as caught:
        services.disposal_decide(acting_user=officer_a, disposal=request, approve=True)
    assert "second officer" in caught.value.messages[0]
    item.refresh_from_db()
    assert item.state == ItemState.SEIZED
    services.disposal_decide(acting_user=colleague, disposal=request, approve=True)
    item.refresh_from_db()
    assert (item.state, item.holder) == (ItemState.DESTROYED, None)
    last = item.moves.order_by("-pk").first()
    assert (last.kind, last.from_user, last.approved_by) == (MoveKind.DESTROY, officer_a, colleague)
    assert DisposalRequest.objects.get(pk=request.pk).move == last
    with pytest.raises(ValidationError):
        services.item_move(
            acting_user=officer_a, item=item, kind=MoveKind.TRANSFER, to_outside="x", reason="y"
        )


def test_a_photo_is_re_encoded_and_a_file_that_is_not_one_is_refused(
    case, officer_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    item = _seize(case, officer_a)
    photo = services.photo_add(
        acting_user=officer_a,
        item=item,
        upload=SimpleUploadedFile("a.png", png_bytes((40, 30)), content_type="image/png"),
    )
    assert photo.image.name.endswith(".png")
    with pytest.raises(ValidationError) as caught:
        services.photo_add(
            acting_user=officer_a,
            item=item,
            upload=SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg"),
        )
    assert "photo" in caught.value.message_dict
    assert item.photos.count() == 1


def test_a_seizure_of_nothing_is_refused(case, officer_a):
    with pytest.raises(ValidationError) as caught:
        services.item_seize(
            acting_user=officer_a,
            case=case,
            description="x",
            quantity=Decimal("0"),
            measure="kg",
            location="现场",
            reason="扣押",
        )
    assert "quantity" in caught.value.message_dict
    assert not SeizedItem.objects.exists()
