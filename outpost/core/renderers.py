"""The form renderer (表单渲染): Django's, except selects, which are written in Python.

A station's unit filter has some 260 options, and Django's template for a select resolves
each option's value, label and attributes through the template engine: about 30 ms a page
for one filter. The markup written here is the template's (`django/forms/widgets/select.html`
and its option and attribute templates), escaped the same way.
"""

from __future__ import annotations

from django.forms.renderers import DjangoTemplates
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

SELECT_TEMPLATE = "django/forms/widgets/select.html"


def _attrs(attrs: dict) -> SafeString:
    """` name="value"` per attribute; True as the bare name, False left out."""
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


def _options(choices: list[dict]) -> SafeString:
    return format_html_join(
        "",
        '\n  <option value="{}"{}>{}</option>',
        ((str(option["value"]), _attrs(option["attrs"]), option["label"]) for option in choices),
    )


def render_select(widget: dict) -> SafeString:
    """The HTML of a select widget from its context (`Select.get_context()["widget"]`)."""
    parts = []
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(
                format_html(
                    '\n  <optgroup label="{}">{}\n  </optgroup>',
                    group_name,
                    _options(group_choices),
                )
            )
        else:
            parts.append(_options(group_choices))
    return format_html(
        '<select name="{}"{}>{}\n</select>',
        widget["name"],
        _attrs(widget["attrs"]),
        mark_safe("".join(parts)),
    )


class FormRenderer(DjangoTemplates):
    """Django's templates for every widget but the select."""

    def render(self, template_name, context, request=None):
        if template_name == SELECT_TEMPLATE:
            return render_select(context["widget"])
        return super().render(template_name, context, request)
