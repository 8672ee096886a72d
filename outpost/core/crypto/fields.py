"""Model fields encrypted at rest, and the columns kept beside them for searching.

``EncryptedCharField``, ``EncryptedTextField``, ``EncryptedDecimalField`` and
``EncryptedJSONField`` behave like their plain Django fields to Python code (forms,
validators, ``full_clean``, history, templates): the value is encrypted when it is written
(``get_db_prep_value``) and decrypted when it is read (``from_db_value``), whatever reads it
(instances, ``values_list``, ``select_related``, a subquery annotation). A stored value that
does not decrypt raises ``DecryptionError``: a ciphertext is never shown as if it were the
value.

Beside a searchable field, a ``BlindIndexField`` holds the keyed index of its normalised
value and ``Last4Field`` its last four characters (the masked display shows them anyway).
Both are derived from the field on the instance itself (a descriptor), so they are right
for ``save``, ``bulk_create``, ``bulk_update`` with them, and constraint validation before
a save. On the encrypted field, ``exact`` and ``in`` lookups become lookups of the index
(``Resident.objects.filter(id_number=x)`` works, by index); any other lookup (contains,
ordering ranges, transforms) is an error rather than a silent scan of ciphertext.
"""

from __future__ import annotations

import json
from decimal import Decimal

from django.core.exceptions import FieldError
from django.db import models
from django.db.models.expressions import Col
from django.db.models.lookups import Lookup
from django.db.models.query_utils import DeferredAttribute

from outpost.core.crypto import cipher
from outpost.core.identity import (
    canonical_number,
    normalize_document_number,
    normalize_id_number,
    normalize_phone,
)

# How a value is normalised before it is indexed: by name, so migrations can name it.
NORMALISERS = {
    "exact": lambda value: value,
    "id_number": normalize_id_number,
    "document": normalize_document_number,
    "canonical": canonical_number,
    "phone": normalize_phone,
    "text": str.strip,
}


def _normalise(name: str, value) -> str:
    if value is None:
        return ""
    return NORMALISERS[name](str(value))


# ---------------------------------------------------------------------------- lookups


def _plain_rhs(lookup) -> None:
    if hasattr(lookup.rhs, "resolve_expression") or hasattr(lookup.rhs, "as_sql"):
        raise FieldError(
            f"{lookup.lhs.target.name} is encrypted: it can be compared with a value, "
            "not with another column or expression."
        )


def _lhs_col(lookup) -> Col:
    if not isinstance(lookup.lhs, Col):
        raise FieldError(f"An encrypted field can only be looked up as a column ({lookup.lhs}).")
    return lookup.lhs


class EncryptedExact(Lookup):
    """``field = value``: the blind index (every index key while a rotation runs); a blank
    value is compared as it is stored (blank)."""

    lookup_name = "exact"
    prepare_rhs = False
    can_use_none_as_rhs = False

    def as_sql(self, compiler, connection):
        _plain_rhs(self)
        lhs = _lhs_col(self)
        field = lhs.target
        if self.rhs == "":
            sql, params = compiler.compile(lhs)
            return f"{sql} = %s", [*params, ""]
        index = field.search_index
        if index is None:
            raise FieldError(
                f"{field.model.__name__}.{field.name} is encrypted and not searchable."
            )
        sql, params = compiler.compile(Col(lhs.alias, index))
        values = cipher.index_values(_normalise(index.normaliser, self.rhs))
        placeholders = ", ".join(["%s"] * len(values))
        return f"{sql} IN ({placeholders})", [*params, *values]


class EncryptedIn(Lookup):
    """``field IN (values)``: by the blind index."""

    lookup_name = "in"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        _plain_rhs(self)
        lhs = _lhs_col(self)
        field = lhs.target
        index = field.search_index
        if index is None:
            raise FieldError(
                f"{field.model.__name__}.{field.name} is encrypted and not searchable."
            )
        values = sorted(
            {v for raw in self.rhs for v in cipher.index_values(_normalise(index.normaliser, raw))}
        )
        if not values:
            return "1 = 0", []
        sql, params = compiler.compile(Col(lhs.alias, index))
        return f"{sql} IN ({', '.join(['%s'] * len(values))})", [*params, *values]


class EncryptedFieldMixin:
    """Encrypt on the way in, decrypt on the way out; store as text."""

    encrypted = True

    def get_internal_type(self):
        return "TextField"

    def db_type(self, connection):
        return connection.data_types["TextField"]

    def rel_db_type(self, connection):
        return self.db_type(connection)

    def cast_db_type(self, connection):
        return self.db_type(connection)

    def to_text(self, value) -> str:
        return str(value)

    def from_text(self, text: str):
        return text

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None or hasattr(value, "as_sql"):
            return value
        if not prepared:
            value = self.get_prep_value(value)
        if value is None:
            return None
        return cipher.encrypt(self.to_text(value))

    def get_db_prep_save(self, value, connection):
        if value is None or hasattr(value, "as_sql"):
            return value
        return self.get_db_prep_value(value, connection, prepared=False)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.from_text(cipher.decrypt(value))

    @property
    def search_index(self):
        """The ``BlindIndexField`` searched by ``exact``/``in`` lookups of this field."""
        cached = self.__dict__.get("_search_index", False)
        if cached is False:
            cached = next(
                (
                    f
                    for f in self.model._meta.concrete_fields
                    if isinstance(f, BlindIndexField) and f.source == self.name and f.search
                ),
                None,
            )
            self.__dict__["_search_index"] = cached
        return cached

    def get_lookup(self, lookup_name):
        return {"exact": EncryptedExact, "in": EncryptedIn, "isnull": models.lookups.IsNull}.get(
            lookup_name
        )

    def get_transform(self, name):
        return None


class EncryptedCharField(EncryptedFieldMixin, models.CharField):
    """A ``CharField`` encrypted at rest (``max_length`` bounds the value, not the column)."""


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """A ``TextField`` encrypted at rest."""


class EncryptedDecimalField(EncryptedFieldMixin, models.DecimalField):
    """A ``DecimalField`` encrypted at rest (e.g. a temperature)."""

    def to_text(self, value) -> str:
        return str(self.to_python(value))

    def from_text(self, text: str):
        return Decimal(text) if text else None


class EncryptedJSONField(EncryptedFieldMixin, models.JSONField):
    """A ``JSONField`` encrypted at rest (e.g. symptoms, the raw cells of a row as sent)."""

    def get_prep_value(self, value):
        return value

    def to_text(self, value) -> str:
        return json.dumps(value, cls=self.encoder, ensure_ascii=False, separators=(",", ":"))

    def from_text(self, text: str):
        return json.loads(text, cls=self.decoder)

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return self.from_text(cipher.decrypt(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None or hasattr(value, "as_sql"):
            return value
        return cipher.encrypt(self.to_text(value))

    def select_format(self, compiler, sql, params):
        return sql, params


# ---------------------------------------------------------------------------- derived columns


class DerivedAttribute(DeferredAttribute):
    """The value of a derived column, computed from its source on the instance whenever the
    source is loaded (and kept while the source does not change); the stored value only
    when the source was not loaded."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        data = instance.__dict__
        source = self.field.source_attname
        if source in data:
            value = data[source]
            cache_name = f"_derived_{self.field.attname}"
            cached = data.get(cache_name)
            if cached is not None and cached[0] == value:
                return cached[1]
            derived = self.field.derive(value)
            data[cache_name] = (value, derived)
            return derived
        return super().__get__(instance, cls)

    def __set__(self, instance, value):
        instance.__dict__[self.field.attname] = value


class DerivedField(models.CharField):
    """A plain column derived from another field of the same model (never edited)."""

    descriptor_class = DerivedAttribute

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    @property
    def source_attname(self) -> str:
        return self.model._meta.get_field(self.source).attname

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key, default in (("editable", False), ("blank", True), ("default", "")):
            if kwargs.get(key, default) == default:
                kwargs.pop(key, None)
        return name, path, args, kwargs

    def derive(self, value) -> str:
        raise NotImplementedError


class BlindIndexField(DerivedField):
    """The keyed blind index of a field: HMAC-SHA256 of its normalised value under the
    current index key (see ``cipher.index_value``); '' for a blank value. ``search`` marks
    the index the field's ``exact`` and ``in`` lookups use."""

    def __init__(self, *args, normaliser: str = "text", search: bool = True, **kwargs):
        self.normaliser = normaliser
        self.search = search
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["normaliser"] = self.normaliser
        if not self.search:
            kwargs["search"] = False
        if kwargs.get("max_length") == 40:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def derive(self, value) -> str:
        return cipher.index_value(_normalise(self.normaliser, value))


class Last4Field(DerivedField):
    """The last four characters of a field, in clear, for the search by 尾号 (the masked
    forms show them on every page anyway)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 4)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 4:
            kwargs.pop("max_length")
        return name, path, args, kwargs

    def derive(self, value) -> str:
        return (value or "")[-4:]


def encrypted_fields(model) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if getattr(f, "encrypted", False)]


def derived_fields(model) -> list[DerivedField]:
    return [f for f in model._meta.concrete_fields if isinstance(f, DerivedField)]


def with_derived_names(model, names):
    """``names`` (fields to save) with the derived columns of the encrypted ones among them."""
    names = list(names)
    derived = derived_fields(model)
    if not derived:
        return names
    given = set(names)
    for field in derived:
        if field.source in given and field.name not in given and field.attname not in given:
            names.append(field.name)
            given.add(field.name)
    return names


def with_derived_values(model, values: dict) -> dict:
    """``QuerySet.update`` keywords with the derived columns of the encrypted ones."""
    derived = [f for f in derived_fields(model) if f.source in values and f.name not in values]
    if not derived:
        return values
    values = dict(values)
    for field in derived:
        value = values[field.source]
        if hasattr(value, "resolve_expression"):
            raise FieldError(
                f"{model.__name__}.{field.source} is encrypted: update it with a value, "
                "not an expression."
            )
        values[field.name] = field.derive(value)
    return values
