"""A figure as a share of its total (完成率), and the totals it is a share of.

A share is never shown rounded to a lie: 1 screened of 67,010 is "<0.1 %", not "0.0 %",
and 67,009 of 67,010 is ">99.9 %", not "100.0 %". Only none is 0 % and only all is 100 %.
"""

from __future__ import annotations

# A figure and the figure it is a share of.
SHARE_OF = {
    "households_screened": "households_total",
    "persons_screened": "persons_total",
    "dispatch_verified": "dispatch_items",
    "rooms_occupied": "rooms_total",
}


def share_percent(part: int | None, total: int | None) -> float | None:
    """`part` as a percentage of `total`; None when there is no total to be a share of."""
    if part is None or not total:
        return None
    return 100 * part / total


def format_share(part: int | None, total: int | None) -> str:
    """The share as text with one decimal, never rounded to 0 % or 100 % when it is not."""
    percent = share_percent(part, total)
    if percent is None:
        return "–"
    if part <= 0:
        return "0 %"
    if part >= total:
        return "100 %" if part == total else f"{percent:.0f} %"
    if percent < 0.1:
        return "<0.1 %"
    if percent > 99.9:
        return ">99.9 %"
    return f"{percent:.1f} %"
