"""`{% retention_due record %}`: when a record is due under its retention policy (保留至
2027-03-01，到期后匿名化), anonymised already, or kept by a legal hold; dates in China time."""

from django import template

from outpost.core.retention.selectors import record_due

register = template.Library()


@register.inclusion_tag("core/partials/retention_due.html")
def retention_due(record):
    return {"dues": record_due(record) if record is not None else []}
