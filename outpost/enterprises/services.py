"""Every write of the enterprises module: one function per use case, transactional,
validated, audited (simple-history names the acting user), re-checked in scope."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outpost.core.audit import save_audited
from outpost.core.choices import Role
from outpost.core.identity import validate_phone
from outpost.core.models import Unit
from outpost.core.roles import user_roles
from outpost.core.scoping import assert_in_scope
from outpost.enterprises.models import Enterprise, EnterpriseContact, EnterpriseLiaison
from outpost.enterprises.validators import validate_credit_code

# The fields an officer sets on an enterprise (create and edit).
ENTERPRISE_FIELDS = (
    "name",
    "credit_code",
    "sector",
    "address",
    "employees",
    "is_essential",
    "status",
)


def _check_unit(acting_user, unit: Unit) -> None:
    if not Unit.objects.visible_to(acting_user).filter(pk=unit.pk).exists():
        raise PermissionDenied("unit outside the user's jurisdiction")


def _clean_code(value: str) -> str:
    try:
        return validate_credit_code(value)
    except ValidationError as exc:
        raise ValidationError({"credit_code": exc.error_list}) from exc


@transaction.atomic
def enterprise_create(
    *,
    acting_user,
    unit: Unit,
    name: str,
    credit_code: str,
    sector: str,
    address: str = "",
    employees: int | None = None,
    is_essential: bool = False,
    status: str = "",
) -> Enterprise:
    """Register an enterprise of `unit` (a unit of the acting user's jurisdiction)."""
    _check_unit(acting_user, unit)
    enterprise = Enterprise(
        unit=unit,
        name=name.strip(),
        credit_code=_clean_code(credit_code),
        sector=sector,
        address=address.strip(),
        employees=employees,
        is_essential=is_essential,
        created_by=acting_user,
    )
    if status:
        enterprise.status = status
    enterprise.full_clean()
    save_audited(enterprise, acting_user=acting_user)
    assert_in_scope(enterprise, acting_user, "add")
    return enterprise


@transaction.atomic
def enterprise_update(*, acting_user, enterprise: Enterprise, unit: Unit | None = None, **values):
    """Change an enterprise's registered facts (any of `ENTERPRISE_FIELDS`, and its unit);
    only the changed fields are written."""
    unknown = set(values) - set(ENTERPRISE_FIELDS)
    if unknown:
        raise TypeError(f"not enterprise fields: {sorted(unknown)}")
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if "credit_code" in values:
        values["credit_code"] = _clean_code(values["credit_code"])
    for text in ("name", "address"):
        if text in values:
            values[text] = values[text].strip()
    changed = [name for name, value in values.items() if getattr(enterprise, name) != value]
    for name in changed:
        setattr(enterprise, name, values[name])
    if unit is not None and unit.pk != enterprise.unit_id:
        _check_unit(acting_user, unit)
        enterprise.unit = unit
        changed.append("unit")
    if not changed:
        return enterprise
    enterprise.full_clean()
    save_audited(enterprise, acting_user=acting_user, update_fields=[*changed, "updated_at"])
    assert_in_scope(enterprise, acting_user, "change")
    return enterprise


@transaction.atomic
def contact_add(
    *, acting_user, enterprise: Enterprise, name: str, title: str = "", phone: str = ""
) -> EnterpriseContact:
    """Add a contact person to an enterprise the acting user may see (a liaison its own)."""
    if not acting_user.has_perm("enterprises.add_enterprisecontact"):
        raise PermissionDenied("may not add contacts")
    if phone:
        try:
            phone = validate_phone(phone)
        except ValidationError as exc:
            raise ValidationError({"phone": exc.error_list}) from exc
    contact = EnterpriseContact(
        enterprise=enterprise,
        name=name.strip(),
        title=title.strip(),
        phone=phone,
        created_by=acting_user,
    )
    contact.full_clean()
    save_audited(contact, acting_user=acting_user)
    assert_in_scope(contact, acting_user, "add")
    return contact


@transaction.atomic
def contact_archive(*, acting_user, contact: EnterpriseContact) -> EnterpriseContact:
    """The person is no longer the enterprise's contact: archived, kept for the record
    (and anonymised by the retention job a year later)."""
    contact = EnterpriseContact.objects.select_for_update().get(pk=contact.pk)
    if not contact.is_active:
        return contact
    contact.is_active = False
    contact.archived_at = timezone.now()
    save_audited(contact, acting_user=acting_user, update_fields=["is_active", "archived_at"])
    assert_in_scope(contact, acting_user, "change")
    return contact


@transaction.atomic
def liaison_bind(*, acting_user, enterprise: Enterprise, user) -> EnterpriseLiaison:
    """Bind a login with the enterprise liaison role to `enterprise`: from now on it sees
    that enterprise's records and nothing else. A login is bound to one enterprise."""
    if not acting_user.has_perm("enterprises.add_enterpriseliaison"):
        raise PermissionDenied("may not bind liaisons")
    profile = getattr(user, "staff_profile", None)
    if profile is None or Role.ENTERPRISE_LIAISON not in user_roles(user):
        raise ValidationError({"user": _("This login does not have the enterprise liaison role.")})
    if EnterpriseLiaison.objects.filter(user=user).exists():
        raise ValidationError({"user": _("This login is already the liaison of an enterprise.")})
    _check_unit(acting_user, profile.unit)
    liaison = EnterpriseLiaison(enterprise=enterprise, user=user, bound_by=acting_user)
    save_audited(liaison, acting_user=acting_user)
    assert_in_scope(liaison, acting_user, "add")
    return liaison
