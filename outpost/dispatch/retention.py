"""Dispatch items under retention (保存期限, see README "Retention"): 180 days after their
order's deadline (an order has no closing step: its deadline ends it), the items are
anonymised (the values as sent, name, numbers, birth date, the link to the resident and
the candidates, where the person moved to and the note are blanked) and the order's
uploaded workbook is deleted. The items and their results stay, so the order's progress
and the dispatch figures do not change."""

from django.core.files.storage import default_storage
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction
from outpost.core.retention import ANONYMISED_TEXT, RetentionKind
from outpost.dispatch.choices import ItemResult


def order_files_delete(pks: list[int]) -> None:
    """The uploaded workbook of the orders of the batch's items."""
    from outpost.dispatch.models import DispatchOrder

    orders = DispatchOrder.objects.filter(items__pk__in=pks).exclude(file="").distinct()
    for order in orders:
        default_storage.delete(order.file.name)
        DispatchOrder.objects.filter(pk=order.pk).update(file="")


RETENTION_KINDS = [
    RetentionKind(
        key="dispatch.item",
        label=_("Dispatch order items (and the order's workbook)"),
        model="dispatch.DispatchItem",
        reference="order__deadline",
        reference_label=_("the order's deadline"),
        default_days=180,
        actions=(RetentionAction.ANONYMISE,),
        anonymise={
            "values": [],
            "name": ANONYMISED_TEXT,
            "id_number": "",
            "phone": "",
            "birth_date": None,
            "resident": None,
            "identity_key": "",
            "candidates": [],
            "duplicate_of": None,
            "moved_to": Case(
                When(result=ItemResult.MOVED_AWAY, then=Value(ANONYMISED_TEXT)),
                default=Value(""),
            ),
            "result_note": "",
        },
        on_purge=order_files_delete,
        holds={"registry.Resident": "resident", "keypersons.KeyPerson": "key_person"},
    )
]
