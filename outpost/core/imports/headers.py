"""Finding the header row in the first rows of a sheet.

Sheets that communities keep start with a title row or two, blank rows, sometimes a
two-row header whose upper row groups columns in merged cells ("联系方式" over "手机" and
"固话"). The header is the row (or pair of rows) in the first `SCAN_ROWS` whose cells name
the most known columns; a merged cell's value, which a reader gives only in its first
cell, is spread over the cells it covers first.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from outpost.core.imports.base import cell_text
from outpost.core.imports.readers import ImportFileError

SCAN_ROWS = 15
GROUP_SEPARATOR = "/"
_DIGIT_RUN = re.compile(r"[0-9]{5,}")


@dataclass
class Header:
    row: int  # Excel row number of the (last) header row; data starts below it
    headings: list[str]  # one per column from column A, "" where the column has none
    score: int  # how many known fields the headings name


def _is_data_like(value) -> bool:
    if isinstance(value, (int, float, datetime.date, datetime.datetime)) and value != "":
        return not isinstance(value, bool)
    return bool(_DIGIT_RUN.search(cell_text(value)))


def find_header(
    rows: list[list],
    merged: list[tuple[int, int, int, int]],
    field_of: Callable[[str], str | None],
) -> Header:
    """The header among ``rows`` (the first rows of a sheet, from row 1).

    ``field_of(heading)`` says which field a heading names, or None.
    """
    rows = [list(r) for r in rows[:SCAN_ROWS]]
    width = max((len(r) for r in rows), default=0)
    if width == 0:
        raise ImportFileError(_("The sheet is empty."))
    original = [[cell_text(c) for c in r] + [""] * (width - len(r)) for r in rows]
    texts = [list(r) for r in original]
    horizontal: set[tuple[int, int]] = set()  # cells covered by a merge from their left
    for first_row, first_col, last_row, last_col in merged:
        if first_row >= len(texts):
            continue
        value = texts[first_row][first_col] if first_col < width else ""
        for r in range(first_row, min(last_row, len(texts) - 1) + 1):
            for c in range(first_col, min(last_col, width - 1) + 1):
                if (r, c) != (first_row, first_col) and not texts[r][c]:
                    texts[r][c] = value
                    if c > first_col:
                        horizontal.add((r, c))

    def score(headings: list[str]) -> int:
        return len({f for f in (field_of(h) for h in headings if h) if f})

    scores = [score(r) for r in texts]
    best = max(range(len(texts)), key=lambda i: (scores[i], -i))
    if scores[best] == 0:
        # Nothing known: the first row of several text cells and no numbers.
        candidates = [
            i
            for i, r in enumerate(rows)
            if sum(1 for t in original[i] if t) >= 2 and not any(_is_data_like(c) for c in r)
        ]
        if not candidates:
            raise ImportFileError(
                _(
                    "No header row found in the first %(n)d rows: the columns need headings "
                    "such as 姓名, 身份证号, 联系电话, 住址."
                )
                % {"n": SCAN_ROWS}
            )
        best = candidates[0]

    headings = texts[best]
    last = best
    below = best + 1
    if below < len(rows) and _is_sub_header(
        top=texts[best],
        sub_original=original[below],
        sub_cells=rows[below],
        horizontal=horizontal,
        below=below,
        field_of=field_of,
    ):
        headings = _combine(texts[best], texts[below])
        last = below
    headings = _number_repeats(headings)
    return Header(row=last + 1, headings=headings, score=score(headings))


def _is_sub_header(*, top, sub_original, sub_cells, horizontal, below, field_of) -> bool:
    """Is the row below the header the lower half of a two-row header?

    Yes when it holds no numbers, has a heading under a group (a merged or empty upper
    cell), and leaves a known upper column empty, as a vertically merged one would.
    """
    if not any(sub_original) or any(_is_data_like(c) for c in sub_cells):
        return False

    def grouped(c: int) -> bool:
        return not top[c] or (below - 1, c) in horizontal or _continues(top, c)

    # Text under a plain heading that names no field itself is data (a name under 姓名).
    if any(t and not grouped(c) and not field_of(t) for c, t in enumerate(sub_original)):
        return False
    under_group = any(text and grouped(c) for c, text in enumerate(sub_original))
    known_above_empty = any(
        top[c] and field_of(top[c]) and not sub_original[c] for c in range(len(top))
    )
    return under_group and (known_above_empty or any(field_of(t) for t in sub_original if t))


def _continues(top: list[str], c: int) -> bool:
    return c > 0 and top[c] == top[c - 1]


def _combine(top: list[str], sub: list[str]) -> list[str]:
    headings = []
    for upper, lower in zip(top, sub, strict=False):
        if upper and lower and upper != lower:
            headings.append(f"{upper}{GROUP_SEPARATOR}{lower}")
        else:
            headings.append(lower or upper)
    return headings


def _number_repeats(headings: list[str]) -> list[str]:
    """A heading spread over several columns by a merge: ``住址``, ``住址 (2)``, …"""
    seen: dict[str, int] = {}
    result = []
    for heading in headings:
        if heading and heading in seen:
            seen[heading] += 1
            result.append(f"{heading} ({seen[heading]})")
        else:
            if heading:
                seen[heading] = 1
            result.append(heading)
    return result
