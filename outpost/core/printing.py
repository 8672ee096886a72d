"""What every printed report (PDF) carries: the deployment's classification line at the
head and foot of each page (OUTPOST_CLASSIFICATION, e.g. 内部资料 注意保存) and a sign-off
block (编制人, 审核人, 日期). Templates include ``core/print/page_marks.html`` in their
<style> and ``core/print/sign_off.html`` at the end; the context comes from here."""

from __future__ import annotations

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe


def css_string(text: str) -> SafeString:
    """`text` as a quoted CSS string: every ASCII character that is not a letter, digit or
    space as a hex escape, so nothing in it can end the string or the <style> element."""
    escaped = "".join(
        ch if (ch.isalnum() or ch == " " or ord(ch) > 127) else f"\\{ord(ch):06x}"
        for ch in text
        if ch not in "\r\n"
    )
    return mark_safe(f'"{escaped}"')  # every special character is escaped


def print_context(*, acting_user=None) -> dict:
    """The classification (as text and as a CSS string) and the preparer's name."""
    classification = settings.OUTPOST_CLASSIFICATION
    profile = getattr(acting_user, "staff_profile", None) if acting_user else None
    return {
        "classification": classification,
        "classification_css": css_string(classification) if classification else "",
        "prepared_by": str(profile or acting_user or ""),
    }
