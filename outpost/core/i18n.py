"""Language: the names of configuration rows in the user's language, and each user's chosen
language kept across logins (DESIGN rule 5: Chinese first, English complete)."""

from django.conf import settings
from django.db.models import F, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils import translation

# The signed-in user's language, in their session: it outranks the browser's cookie, which
# may be the choice of whoever used the browser before.
SESSION_LANGUAGE_KEY = "outpost_language"


def is_supported(language: str | None) -> bool:
    return language in {code for code, _name in settings.LANGUAGES}


def language_restore_at_login(sender, request, user, **kwargs) -> None:
    """user_logged_in receiver: the language the user chose last time."""
    profile = getattr(user, "staff_profile", None)
    if profile is not None and is_supported(profile.language):
        request.session[SESSION_LANGUAGE_KEY] = profile.language


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
