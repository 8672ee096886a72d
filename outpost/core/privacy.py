"""The processing register (个人信息处理活动记录, PIPL Art. 51): which personal data Outpost
holds, why, on what legal basis, how long, and who may read, reveal and export it.

Each app declares its models in its own ``privacy.py`` (`ProcessingDeclaration`: every
concrete field, personal or not; for the personal ones a `DataCategory` and whether the
field is sensitive under PIPL Art. 28) and registers them from its ``AppConfig.ready()``
with `register_processing`; core never imports an app. What is *derived* is never
declared: the roles come from `outpost.core.roles` (the model's view permission, the
reveal permission, the permissions of the exports that write the field), encryption at
rest from the field class (`encrypted = True`), the retention policy from the retention
registry (`retention_label`).

`register_problems()` is the check the test suite runs: a model of an Outpost app with a
field that looks personal (by its name or type) must be declared, and a declared model
must classify every concrete field. `register_rows()` is the one list the page and its
xlsx show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from outpost.core.choices import RetentionAction, Role
from outpost.core.crypto.fields import BlindIndexField
from outpost.core.exports.base import (
    EXPORT_PERMISSION,
    ExportDefinition,
    ExportRequest,
    Masking,
    Written,
    registered_exports,
    safe_filename,
)
from outpost.core.exports.xlsx import Column, LedgerSheet, export_subtitle
from outpost.core.roles import role_permission_sets

REVEAL_PERMISSION = "core.reveal_personal_data"


class DataCategory(models.TextChoices):
    """What kind of personal information a field holds (个人信息种类)."""

    NAME = "name", _("Name")  # 姓名
    IDENTITY_NUMBER = "identity_number", _("Identity document number")  # 身份证件号码
    PHONE = "phone", _("Phone number")  # 电话号码
    ADDRESS = "address", _("Address")  # 住址
    BIRTH_SEX = "birth_sex", _("Birth date and sex")  # 出生日期、性别
    FAMILY = "family", _("Household registration and family relations")  # 户籍及家庭关系
    WORK = "work", _("Workplace")  # 工作单位
    HEALTH = "health", _("Health")  # 健康生理信息
    WHEREABOUTS = "whereabouts", _("Whereabouts and travel")  # 行踪轨迹
    CONTROL_MEASURE = "control_measure", _("Epidemic-control measures")  # 防控管理措施
    NOTE = "note", _("Free-text note")  # 备注
    CONTACT = "contact", _("Contact address (phone or email)")  # 联系方式
    ONLINE = "online", _("Online identifiers and account activity")  # 网络身份标识及操作记录
    PSEUDONYM = "pseudonym", _("Pseudonymised identity key")  # 去标识化身份键
    RECORDS = "records", _("Lists of people as received (file or rows)")  # 原始名单（文件或行）
    POLITICAL = "political", _("Political affiliation")  # 政治面貌


# Sensitive personal information under PIPL Art. 28 (medical health, whereabouts, specific
# identity) and GB/T 35273 Annex B (identity document numbers): a field of these
# categories is sensitive unless its declaration says otherwise.
SENSITIVE_CATEGORIES = frozenset(
    {
        DataCategory.IDENTITY_NUMBER,
        DataCategory.HEALTH,
        DataCategory.WHEREABOUTS,
        DataCategory.CONTROL_MEASURE,
        DataCategory.RECORDS,
        DataCategory.POLITICAL,
    }
)
# Shown masked by default (DESIGN rule 2): revealing one is an action of its own.
MASKED_CATEGORIES = frozenset(
    {DataCategory.IDENTITY_NUMBER, DataCategory.PHONE, DataCategory.ADDRESS}
)


class LegalBasis(models.TextChoices):
    """Why processing is lawful (处理依据)."""

    STAFF_MANAGEMENT = "pipl_13_1_2", _("PIPL Art. 13(1)(2): human resources management")
    STATUTORY_DUTY = "pipl_13_1_3", _("PIPL Art. 13(1)(3): statutory duties")
    PUBLIC_HEALTH_EMERGENCY = (
        "pipl_13_1_4",
        _("PIPL Art. 13(1)(4): response to a public health emergency"),
    )
    OTHER_LAW = "pipl_13_1_7", _("PIPL Art. 13(1)(7): other laws and regulations")
    INFECTIOUS_DISEASE_LAW = (
        "infectious_disease_law",
        _("Law on the Prevention and Control of Infectious Diseases, Art. 12"),
    )
    EMERGENCY_RESPONSE_LAW = "emergency_response_law", _("Emergency Response Law")
    NETWORK_LOGS = "csl_21", _("Cybersecurity Law Art. 21(3): network logs")


# The bases most declarations share.
EPIDEMIC_RESPONSE = (
    LegalBasis.PUBLIC_HEALTH_EMERGENCY,
    LegalBasis.OTHER_LAW,
    LegalBasis.INFECTIOUS_DISEASE_LAW,
)
POLICE_DUTY = (LegalBasis.STATUTORY_DUTY, LegalBasis.PUBLIC_HEALTH_EMERGENCY)


@dataclass(frozen=True)
class PersonalField:
    """One personal field: its category and whether it is sensitive (PIPL Art. 28;
    by default from the category)."""

    category: DataCategory
    sensitive: bool | None = None

    @property
    def is_sensitive(self) -> bool:
        if self.sensitive is not None:
            return self.sensitive
        return self.category in SENSITIVE_CATEGORIES


def personal(category: DataCategory, *, sensitive: bool | None = None) -> PersonalField:
    return PersonalField(category=category, sensitive=sensitive)


@dataclass(frozen=True)
class ProcessingDeclaration:
    """What one model holds. `personal` maps each personal field to its category (or a
    `PersonalField`); `other` names every other concrete field, so that a field added
    later is neither personal nor not until someone says which. A model that looks
    personal but holds none (a unit's name) declares only `other`.

    `read_permission` is the permission that reads the model's rows ("" for the
    model's own view permission, None when no role reads them: each user their own,
    said in `readers_note`)."""

    model: str  # "app_label.ModelName"
    other: Iterable[str]
    personal: Mapping[str, PersonalField | DataCategory] = field(default_factory=dict)
    purpose: Promise | str = ""
    legal_basis: tuple[LegalBasis, ...] = ()
    retention: str = ""  # a retention kind, e.g. "observation.episode"
    read_permission: str | None = ""
    readers_note: Promise | str = ""

    def personal_fields(self) -> dict[str, PersonalField]:
        return {
            name: value if isinstance(value, PersonalField) else PersonalField(value)
            for name, value in self.personal.items()
        }

    def model_class(self) -> type[models.Model]:
        return apps.get_model(self.model)

    def reading_permission(self) -> str | None:
        if self.read_permission is None:
            return None
        if self.read_permission:
            return self.read_permission
        meta = self.model_class()._meta
        return f"{meta.app_label}.view_{meta.model_name}"


_DECLARATIONS: dict[str, ProcessingDeclaration] = {}


def register_processing(*declarations: ProcessingDeclaration) -> None:
    """Make an app's declarations known; call from ``AppConfig.ready()``."""
    for declaration in declarations:
        label = apps.get_model(declaration.model)._meta.label
        _DECLARATIONS[label] = declaration


def declarations() -> dict[str, ProcessingDeclaration]:
    return dict(_DECLARATIONS)


def declaration_of(model: type[models.Model]) -> ProcessingDeclaration | None:
    """A model's declaration; a simple-history model is declared by its base model."""
    base = getattr(model, "instance_type", None) or model
    return _DECLARATIONS.get(base._meta.label)


# Records no retention job purges: kept while their purpose lasts, and what ends them.
STANDING_RETENTION = {
    "registry.household": _(
        "While the household lives in the jurisdiction; corrected or anonymised on a "
        "person's request"
    ),
    "registry.resident": _(
        "While the person lives in the jurisdiction; corrected or anonymised on their request"
    ),
    "registry.landlord": _(
        "While the landlord lets property in the jurisdiction; anonymised on their request"
    ),
    "screening.match_decision": _(
        "While the resident it links is in the registry (a decision is not asked twice)"
    ),
    "core.organisation": _("While the organisation works with the station"),
    "core.staff": _("While the account exists; accounts are deactivated, not deleted"),
    "core.account_event": _("Three years, as the access log"),
    "core.rate_counter": _("Minutes: pruned by the nightly prune job"),
    "core.subject_request": _(
        "Three years after it was answered, as proof the request was handled (masked ID only)"
    ),
}


def retention_label(key: str, policies: dict | None = None) -> str:
    """What the register shows of a retention kind: the policy in force (period and action,
    as administrators set it) of a kind the retention job purges, or the standing rule of
    records kept while their purpose lasts. `policies`: every kind's policy by key, read
    once for a whole register (`effective_policies`)."""
    from outpost.core.retention import get_kind
    from outpost.core.retention.selectors import effective_policy

    try:
        kind = get_kind(key)
    except LookupError:
        return str(STANDING_RETENTION.get(key, key))
    policy = policies[key] if policies is not None else effective_policy(kind)
    action = str(RetentionAction(policy.action).label).lower()
    return _("%(kind)s: %(days)s days after %(reference)s, then %(action)s") % {
        "kind": kind.label,
        "days": policy.applied_days,
        "reference": kind.reference_label,
        "action": action,
    }


# ---------------------------------------------------------------------------- the check

# Names and types of fields that hold personal data wherever they appear.
PERSONAL_NAME = re.compile(
    r"(^|_)(name|id_number|document_number|id_last4|phone|phone_last4|address|email|"
    r"birth|birth_date|sex|temperature|symptoms?|health|note|origin|travel|travelled|"
    r"seat|train_or_flight|ip_address|workplace|sent_to|transport|returned_on|"
    r"relation_to_head|body|identity_key)($|_)"
)
PERSONAL_TYPES = (models.GenericIPAddressField, models.EmailField)


def looks_personal(model_field: models.Field) -> bool:
    return isinstance(model_field, PERSONAL_TYPES) or bool(PERSONAL_NAME.search(model_field.name))


def outpost_models() -> list[type[models.Model]]:
    """Every concrete model of an Outpost app but the simple-history copies (declared by
    their base model)."""
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("outpost.") and getattr(model, "instance_type", None) is None
    ]


def _blind_indexes_of(model: type[models.Model], personal_names: set[str]) -> set[str]:
    """The keyed blind indexes (HMAC) of declared personal fields: declared with their
    source, as the same data in a form only the index key can match (PIPL Art. 73:
    de-identified, still personal)."""
    return {
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, BlindIndexField) and f.source in personal_names
    }


def register_problems(models_: Iterable[type[models.Model]] | None = None) -> list[str]:
    """What the register lacks: a model with a personal-looking field and no declaration,
    a field of a declared model that is not classified, a declared name that is no field,
    a field declared both ways, a personal model without purpose, legal basis or
    retention. Empty when the register is complete."""
    problems = []
    for model in outpost_models() if models_ is None else models_:
        label = model._meta.label
        concrete = [f.name for f in model._meta.concrete_fields]
        declaration = _DECLARATIONS.get(label)
        if declaration is None:
            suspicious = [f.name for f in model._meta.concrete_fields if looks_personal(f)]
            if suspicious:
                problems.append(f"{label}: not declared, but {', '.join(suspicious)} look personal")
            continue
        personal_names = set(declaration.personal)
        other = set(declaration.other)
        problems += [
            f"{label}.{name}: neither personal nor other in its declaration"
            for name in concrete
            if name not in personal_names | other | _blind_indexes_of(model, personal_names)
        ]
        problems += [
            f"{label}.{name}: declared but not a field"
            for name in sorted((personal_names | other) - set(concrete))
        ]
        problems += [
            f"{label}.{name}: declared personal and other"
            for name in sorted(personal_names & other)
        ]
        if personal_names and not (
            declaration.purpose and declaration.legal_basis and declaration.retention
        ):
            problems.append(f"{label}: personal fields without purpose, legal basis or retention")
    return problems


# ---------------------------------------------------------------------------- the rows


@dataclass(frozen=True)
class RegisterRow:
    """One personal field as the register page and its xlsx list it."""

    app: str
    model_label: str
    model_name: str
    field_name: str
    field_label: str
    category: str
    sensitive: bool
    masked: bool
    encrypted: bool
    purpose: str
    legal_basis: tuple[str, ...]
    retention: str
    readers: tuple[str, ...]
    revealers: tuple[str, ...]
    exporters: tuple[str, ...]  # masked exports
    unmasked_exporters: tuple[str, ...]
    readers_note: str = ""


def _roles_with(
    permission_sets: dict[Role, frozenset[str]], needed: Iterable[str]
) -> tuple[Role, ...]:
    needed = tuple(needed)
    return tuple(role for role, held in permission_sets.items() if all(p in held for p in needed))


def _labels(roles: Iterable[Role]) -> tuple[str, ...]:
    return tuple(str(role.label) for role in roles)


def _export_roles(
    permission_sets, model_label: str, field_name: str
) -> tuple[list[Role], list[Role]]:
    """The roles that may export the field masked and unmasked, from the exports that
    list its model and write it."""
    masked, unmasked = set(), set()
    for definition in registered_exports().values():
        if definition.model is None or definition.model._meta.label != model_label:
            continue
        if definition.fields and field_name not in definition.fields:
            continue
        may = set(_roles_with(permission_sets, definition.permissions))
        if definition.masking != Masking.UNMASKED:
            masked |= may
        if definition.masking != Masking.MASKED:
            unmasked |= may & set(_roles_with(permission_sets, [EXPORT_PERMISSION]))
    order = list(Role)
    return (
        sorted(masked, key=order.index),
        sorted(unmasked, key=order.index),
    )


def register_rows() -> list[RegisterRow]:
    """Every declared personal field, by app and model, with its purpose, legal basis,
    retention and the roles that may read, reveal and export it (derived from
    `outpost.core.roles` and the registered exports), in the current language. The page
    and the xlsx both list these rows."""
    from outpost.core.retention.selectors import effective_policies

    permission_sets = role_permission_sets()
    policies = {policy.kind.key: policy for policy in effective_policies()}
    rows = []
    for label, declaration in sorted(_DECLARATIONS.items()):
        fields = declaration.personal_fields()
        if not fields:
            continue
        model = declaration.model_class()
        meta = model._meta
        permission = declaration.reading_permission()
        readers = _roles_with(permission_sets, [permission]) if permission else ()
        revealers = tuple(r for r in readers if REVEAL_PERMISSION in permission_sets[r])
        retention = retention_label(declaration.retention, policies)
        for name, personal_field in fields.items():
            model_field = meta.get_field(name)
            masked = personal_field.category in MASKED_CATEGORIES
            exporters, unmasked = _export_roles(permission_sets, label, name)
            rows.append(
                RegisterRow(
                    app=str(apps.get_app_config(meta.app_label).verbose_name),
                    model_label=label,
                    model_name=str(meta.verbose_name),
                    field_name=name,
                    field_label=str(model_field.verbose_name),
                    category=str(personal_field.category.label),
                    sensitive=personal_field.is_sensitive,
                    masked=masked,
                    encrypted=bool(getattr(model_field, "encrypted", False)),
                    purpose=str(declaration.purpose),
                    legal_basis=tuple(str(LegalBasis(b).label) for b in declaration.legal_basis),
                    retention=retention,
                    readers=_labels(readers),
                    revealers=_labels(revealers) if masked else (),
                    exporters=_labels(exporters),
                    unmasked_exporters=_labels(unmasked),
                    readers_note=str(declaration.readers_note),
                )
            )
    return rows


def yes_no(value: bool) -> str:
    return str(_("yes") if value else _("no"))


def role_list(roles: Iterable[str]) -> str:
    return "、".join(roles) or "—"


# ---------------------------------------------------------------------------- the xlsx

REGISTER_COLUMNS = [
    Column(_("No."), 6),
    Column(_("Module"), 14),
    Column(_("Record type"), 14),
    Column(_("Field"), 14),
    Column(_("Category"), 14),
    Column(_("Sensitive (PIPL Art. 28)"), 10),
    Column(_("Masked"), 8),
    Column(_("Encrypted at rest"), 10),
    Column(_("Purpose"), 40),
    Column(_("Legal basis"), 30),
    Column(_("Retention"), 16),
    Column(_("Read by"), 24),
    Column(_("Revealed by"), 24),
    Column(_("Exported masked by"), 24),
    Column(_("Exported unmasked by"), 24),
]


def register_row_values(row: RegisterRow) -> list[str]:
    """One row of the xlsx, after its number: the page's columns in the same order."""
    return [
        row.app,
        row.model_name,
        row.field_label,
        row.category,
        yes_no(row.sensitive),
        yes_no(row.masked),
        yes_no(row.encrypted),
        row.purpose,
        "；".join(row.legal_basis),
        row.retention,
        row.readers_note or role_list(row.readers),
        role_list(row.revealers) if row.masked else "—",
        role_list(row.exporters),
        role_list(row.unmasked_exporters),
    ]


class ProcessingRegisterExport(ExportDefinition):
    """The processing register as an xlsx: the rows of the page (`register_rows`). It holds
    declarations, not personal data: no purpose asked, nothing in the access log."""

    name = "core.processing_register"
    label = _("Processing register")
    model = None
    permissions = ("core.view_accesslog",)
    permission_message = _("Your role may not read the processing register.")
    form_url_name = "core:processing_register"

    def write(self, *, request: ExportRequest, records: dict, target) -> Written:
        sheet = LedgerSheet(
            sheet_title=str(_("Processing register")),
            title=str(_("Record of personal information processing activities")),
            subtitle=export_subtitle(
                acting_user=request.acting_user, today=request.today, unmasked=None
            ),
            columns=REGISTER_COLUMNS,
        )
        for row in register_rows():
            sheet.append([sheet.rows + 1, *register_row_values(row)])
        sheet.save(target, footer=str(_("Total: %(count)d fields")) % {"count": sheet.rows})
        return Written(
            rows=sheet.rows,
            filename=safe_filename(
                str(_("Processing register")), request.today.isoformat(), suffix="xlsx"
            ),
        )
