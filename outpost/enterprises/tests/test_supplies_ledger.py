"""The donations ledger (捐赠物资台账): donations raise the stock and distributions lower it,
each a ledger line; the database refuses a negative stock, an over-draw is a form error
naming the item and what is on hand with nothing written; the ledger exports as xlsx
through the one export path; each distribution has a printable receipt."""

import io

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from outpost.core.choices import AccessAction, Role
from outpost.core.models import AccessLog
from outpost.core.tests.factories import staff_user
from outpost.core.tests.worker import run_queued_tasks
from outpost.enterprises.supplies import services
from outpost.enterprises.supplies.models import (
    Distribution,
    Donation,
    Donor,
    LedgerLine,
    Stock,
)
from outpost.enterprises.tests.factories import EnterpriseFactory, liaison_of
from outpost.enterprises.tests.factories_supplies import supply_items

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def items():
    return supply_items()


@pytest.fixture
def store(district):
    return district.community_a


def _receive(officer, store, items, quantity, item="masks"):
    donor = services.donor_register(
        acting_user=officer, unit=store, kind="person", name="王先生", phone="13904111234"
    )
    return services.donation_receive(
        acting_user=officer, unit=store, donor=donor, lines=[(items[item], quantity)]
    )


def _on_hand(store, item):
    return Stock.objects.get(unit=store, item=item).quantity


def test_a_donation_raises_the_stock_with_a_ledger_line_in(officer_a, store, items):
    _receive(officer_a, store, items, 3000)
    _receive(officer_a, store, items, 500)
    assert _on_hand(store, items["masks"]) == 3500
    lines = list(LedgerLine.objects.order_by("pk").values_list("direction", "quantity", "balance"))
    assert lines == [("in", 3000, 3000), ("in", 500, 3500)]


def test_the_database_refuses_a_negative_stock(officer_a, store, items):
    _receive(officer_a, store, items, 10)
    with pytest.raises(IntegrityError), transaction.atomic():
        Stock.objects.filter(unit=store).update(quantity=F("quantity") - 11)
    assert _on_hand(store, items["masks"]) == 10


def test_an_overdraw_is_a_form_error_naming_the_item_and_nothing_is_written(
    client, officer_a, store, district, items
):
    _receive(officer_a, store, items, 100)
    firm = EnterpriseFactory(unit=district.grid_a1)
    before = (Distribution.objects.count(), LedgerLine.objects.count())
    client.force_login(officer_a)
    response = client.post(
        reverse("supplies:distribution_new"),
        {
            "unit": store.pk,
            "recipient": firm.pk,
            "signed_for_by": "张签收",
            "qty_masks": "150",
            "qty_disinfectant": "5",
        },
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Masks: 100 pcs on hand in 甲社区, fewer than the 150 asked for." in page
    assert (Distribution.objects.count(), LedgerLine.objects.count()) == before
    assert _on_hand(store, items["masks"]) == 100
    # Disinfectant was never in store: refused too, and no stock row of it went below zero.
    assert not Stock.objects.filter(item=items["disinfectant"], quantity__lt=0).exists()


def test_a_second_item_short_undoes_the_first_items_movement(officer_a, store, district, items):
    _receive(officer_a, store, items, 100)
    _receive(officer_a, store, items, 5, item="disinfectant")
    firm = EnterpriseFactory(unit=district.grid_a1)
    with pytest.raises(Exception, match="Disinfectant: 5 bottles on hand"):
        services.distribution_make(
            acting_user=officer_a,
            unit=store,
            recipient=firm,
            lines=[(items["masks"], 60), (items["disinfectant"], 6)],
            signed_for_by="张签收",
        )
    assert _on_hand(store, items["masks"]) == 100
    assert not Distribution.objects.exists()


def test_the_api_refuses_an_overdraw_with_a_422(client, officer_a, store, district, items):
    _receive(officer_a, store, items, 10)
    client.force_login(officer_a)
    response = client.post(
        "/api/v1/enterprises/donations/distributions",
        {
            "unit_id": store.pk,
            "recipient_unit_id": district.grid_a1.pk,
            "signed_for_by": "李签收",
            "lines": [{"item": "masks", "quantity": 11}],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "10 pcs on hand" in response.json()["detail"]
    assert _on_hand(store, items["masks"]) == 10


def test_a_liaison_sees_what_its_enterprise_received_and_none_of_the_store(
    client, officer_a, store, district, items
):
    firm = EnterpriseFactory(unit=district.grid_a1)
    other = EnterpriseFactory(unit=district.grid_a1)
    _receive(officer_a, store, items, 100)
    own = services.distribution_make(
        acting_user=officer_a,
        unit=store,
        recipient=firm,
        lines=[(items["masks"], 10)],
        signed_for_by="甲",
    )
    services.distribution_make(
        acting_user=officer_a,
        unit=store,
        recipient=other,
        lines=[(items["masks"], 10)],
        signed_for_by="乙",
    )
    liaison = liaison_of(firm)
    client.force_login(liaison)
    listed = client.get("/api/v1/enterprises/donations/distributions").json()["items"]
    assert [row["id"] for row in listed] == [own.pk]
    assert client.get("/api/v1/enterprises/donations/stock").json()["items"] == []
    assert client.get("/api/v1/enterprises/donations/ledger").json()["items"] == []
    assert client.get(reverse("supplies:distribution_receipt", args=[own.pk])).status_code == 200


def test_a_person_donors_phone_is_masked_and_revealed_with_a_purpose(
    client, officer_a, store, items
):
    donation = _receive(officer_a, store, items, 10)
    donor = Donor.objects.get()
    client.force_login(officer_a)
    page = client.get(donation.get_absolute_url()).content.decode()
    assert "139****1234" in page and "13904111234" not in page
    revealed = client.post(
        reverse("supplies:donor_reveal", args=[donor.pk]), {"purpose": "phone_contact"}
    )
    assert "13904111234" in revealed.content.decode()
    assert AccessLog.objects.filter(action=AccessAction.REVEAL).count() == 1


def test_a_donation_page_receives_from_a_new_enterprise_donor(
    client, officer_a, store, district, items
):
    firm = EnterpriseFactory(unit=district.grid_a1)
    client.force_login(officer_a)
    response = client.post(
        reverse("supplies:donation_new"),
        {"unit": store.pk, "donor_kind": "enterprise", "enterprise": firm.pk, "qty_masks": "2000"},
    )
    donation = Donation.objects.get()
    assert response["Location"] == donation.get_absolute_url()
    assert donation.donor.enterprise == firm
    assert _on_hand(store, items["masks"]) == 2000


def test_a_bad_donor_phone_is_named_and_nothing_is_received(client, officer_a, store, items):
    client.force_login(officer_a)
    response = client.post(
        reverse("supplies:donation_new"),
        {
            "unit": store.pk,
            "donor_kind": "person",
            "donor_name": "王",
            "donor_phone": "12345",
            "qty_masks": "5",
        },
    )
    assert response.status_code == 422
    assert "Donor&#x27;s phone" in response.content.decode() or "phone" in response.content.decode()
    assert not Donor.objects.exists() and not Stock.objects.exists()


@pytest.fixture
def export_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return settings


def test_the_ledger_exports_as_xlsx_with_text_kept_as_text(
    client, officer_a, store, district, items, export_settings
):
    _receive(officer_a, store, items, 100)
    firm = EnterpriseFactory(unit=district.grid_a1)
    services.distribution_make(
        acting_user=officer_a,
        unit=store,
        recipient=firm,
        lines=[(items["masks"], 40)],
        signed_for_by="=HYPERLINK(1)",
    )
    client.force_login(officer_a)
    today = timezone.localdate().isoformat()
    form = {"unit": store.pk, "since": today, "until": today}
    refused = client.post(reverse("supplies:ledger_export"), form)
    assert refused.status_code == 422  # no purpose given
    response = client.post(reverse("supplies:ledger_export"), {**form, "purpose": "work_ledger"})
    assert response.status_code == 302
    run_queued_tasks()
    export_id = client.get(response["Location"]).context["export"].id
    download = client.get(reverse("core:export_download", args=[export_id]))
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = [[cell for cell in row] for row in sheet.iter_rows(min_row=4, max_row=5)]
    assert [row[5].value for row in rows] == [100, None]
    assert [row[6].value for row in rows] == [None, 40]
    assert [row[7].value for row in rows] == [100, 60]
    signed = rows[1][10]
    assert (signed.value, signed.data_type) == ("=HYPERLINK(1)", "s")
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert (log.actor, log.row_count, log.purpose) == (officer_a, 2, "work_ledger")


def test_the_receipt_is_printable_with_the_classification(
    client, officer_a, store, district, items, settings
):
    settings.OUTPOST_CLASSIFICATION = "内部资料 注意保存"
    _receive(officer_a, store, items, 100)
    distribution = services.distribution_make(
        acting_user=officer_a,
        unit=store,
        recipient=EnterpriseFactory(unit=district.grid_a1),
        lines=[(items["masks"], 40)],
        signed_for_by="赵签收",
    )
    client.force_login(officer_a)
    page = client.get(reverse("supplies:distribution_receipt", args=[distribution.pk]))
    text = page.content.decode()
    assert "内部资料 注意保存" in text and "赵签收" in text and distribution.reference in text
    assert 'data-testid="sign-off"' in text


def test_a_cadre_is_not_offered_to_receive_or_distribute(client, district, items):
    cadre = staff_user(role=Role.COMMUNITY_CADRE, unit=district.community_a)
    client.force_login(cadre)
    page = client.get(reverse("supplies:store")).content.decode()
    assert reverse("supplies:donation_new") not in page
    assert reverse("supplies:distribution_new") not in page
    assert client.get(reverse("supplies:donation_new")).status_code == 403
