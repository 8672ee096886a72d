"""The models of the enterprise platform (企业平安之家), one module per part: the registry
of enterprises, their liaisons and contacts; idle dormitory rooms; employees' daily tests;
and (in ``notices`` and ``supplies``) notices with their receipts, requests and the
donations ledger. A part's models import the
registry's module, never this package, so that no import goes round in a circle."""

from outpost.enterprises.models.dormitories import *  # noqa: F403
from outpost.enterprises.models.employees import *  # noqa: F403
from outpost.enterprises.models.registry import *  # noqa: F403
from outpost.enterprises.notices.models import *  # noqa: F403
from outpost.enterprises.supplies.models import *  # noqa: F403
