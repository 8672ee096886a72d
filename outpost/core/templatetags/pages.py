"""{% page_links page_obj as links %}: the page numbers to show around a page."""

from django import template

register = template.Library()


@register.simple_tag
def page_links(page) -> list:
    """The first and last page, two on each side of `page`, and the paginator's ELLIPSIS
    between runs."""
    return list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))


@register.filter
def last_pk(rows):
    """The key of the last row of a page (where "Next" continues from)."""
    rows = list(rows)
    return getattr(rows[-1], "pk", None) if rows else None
