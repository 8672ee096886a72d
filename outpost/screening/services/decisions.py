"""Match decisions (比对人工确认), remembered across runs."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from outpost.core.scoping import assert_in_scope, user_scope_unit
from outpost.registry.models import Resident
from outpost.screening.models import (
    MatchDecision,
)


@transaction.atomic
def match_decision_record(
    *, acting_user, identity_key: str, resident: Resident | None, rejected: bool = False
) -> MatchDecision:
    """Remember a user's decision on a feed identity for every later run: accept the link
    to `resident`, or reject it (reject every candidate when `resident` is None)."""
    if not acting_user.has_perm("screening.add_matchdecision"):
        raise PermissionDenied(_("Your role may not decide matches."))
    if resident is not None:
        assert_in_scope(resident, acting_user, "view")
        unit_id = resident.unit_id
    else:
        unit = user_scope_unit(acting_user)
        if unit is None:
            raise PermissionDenied(_("You have no jurisdiction to decide matches in."))
        unit_id = unit.pk
    decision = MatchDecision(
        unit_id=unit_id,
        identity_key=identity_key,
        resident=resident,
        rejected=rejected or resident is None,
        decided_by=acting_user,
    )
    decision.full_clean()
    decision.save()
    assert_in_scope(decision, acting_user, "view")
    return decision
