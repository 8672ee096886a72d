"""Language: the names of configuration rows in the user's language, and each user's chosen
language kept across logins (DESIGN rule 5: Chinese first, English complete)."""

from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation


def in_english() -> bool:
    return (translation.get_language() or "").startswith("en")


def data_name(name: str, name_en: str) -> str:
    """A configuration row's name (a team role, an origin category): the station's Chinese
    name, or its English name on an English page when one is set."""
    return name_en if name_en and in_english() else name


def data_name_expression(prefix: str = ""):
    """`data_name` as an ORM expression, for values() and subqueries; `prefix` is the path
    to the row, e.g. "role__"."""
    if in_english():
        return Coalesce(NullIf(F(f"{prefix}name_en"), Value("")), F(f"{prefix}name"))
    return F(f"{prefix}name")
