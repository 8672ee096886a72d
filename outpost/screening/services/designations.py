"""Risk designations (风险地区认定): create and change."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.screening.models import (
    OriginCategory,
    Region,
    RiskDesignation,
)

DESIGNATION_FIELDS = ("region", "level", "start_date", "end_date", "category", "note")


def _check_window(start_date: datetime.date, end_date: datetime.date) -> None:
    if start_date and end_date and end_date < start_date:
        raise ValidationError({"end_date": _("The end date must not be before the start date.")})


def _check_may_designate(user, action: str) -> None:
    if not user.has_perm(f"screening.{action}_riskdesignation"):
        raise PermissionDenied(_("Your role may not change risk designations."))


@transaction.atomic
def risk_designation_create(
    *,
    acting_user,
    region: Region | None,
    level: str,
    start_date: datetime.date,
    end_date: datetime.date,
    category: OriginCategory,
    note: str = "",
) -> RiskDesignation:
    """A new risk designation; the history row names the acting user."""
    _check_may_designate(acting_user, "add")
    _check_window(start_date, end_date)
    designation = RiskDesignation(
        region=region,
        level=level,
        start_date=start_date,
        end_date=end_date,
        category=category,
        note=note,
    )
    designation.full_clean()
    save_audited(designation, acting_user=acting_user)
    return designation


@transaction.atomic
def risk_designation_update(
    *, acting_user, designation: RiskDesignation, **changes
) -> RiskDesignation:
    """Change a designation's region, level, window, category or note."""
    _check_may_designate(acting_user, "change")
    unknown = set(changes) - set(DESIGNATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(designation, name, value)
    _check_window(designation.start_date, designation.end_date)
    designation.full_clean()
    save_audited(
        designation, acting_user=acting_user, update_fields=[*changes] if changes else None
    )
    return designation
