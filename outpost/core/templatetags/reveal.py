"""What the reveal dialog offers: the preset purposes of revealing (查看目的)."""

from django import template

from outpost.core.choices import REVEAL_PURPOSES

register = template.Library()


@register.simple_tag
def reveal_purposes():
    """(value, label) of every preset purpose of revealing, "other" last."""
    return [(purpose.value, purpose.label) for purpose in REVEAL_PURPOSES]
