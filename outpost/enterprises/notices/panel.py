"""The notices' panel on an enterprise's page (the foundation's panel registry,
`outpost.enterprises.panels`): the latest notices pushed to the enterprise with whether
and when it confirmed each, and where the escalation stands."""

from __future__ import annotations

from outpost.enterprises.notices.models import NoticeReceipt

PANEL_TEMPLATE = "enterprises/notices/partials/enterprise_panel.html"
PANEL_ROWS = 5


def notices_panel(*, user, enterprise) -> dict | None:
    """The enterprise's latest receipts the user may see; None (no panel) without any."""
    receipts = list(
        NoticeReceipt.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("notice__superseded_by")
        .order_by("-notice__pushed_at", "-pk")[:PANEL_ROWS]
    )
    if not receipts:
        return None
    return {"notice_receipts": receipts}
