"""Selects written in Python are the markup Django's templates write."""

from django import forms
from django.forms.renderers import DjangoTemplates
from django.test.html import parse_html
from hypothesis import given
from hypothesis import strategies as st

from outpost.core.renderers import FormRenderer

HOSTILE = ["<b>unit</b>", 'a "quoted" & amp', "　　第一网格", "it's"]


class Choices(forms.Form):
    plain = forms.ChoiceField(choices=[("", "请选择"), ("1", "一"), ("2", "<二>")])
    grouped = forms.ChoiceField(
        choices=[("", "全部"), ("社区 <A>", [("3", "三"), ("4", "四 & 五")]), ("6", "六")]
    )
    many = forms.MultipleChoiceField(choices=[(str(n), f"单位{n}") for n in range(30)])


def both(form_class, data, field):
    django_form = form_class(data=data, renderer=DjangoTemplates())
    our_form = form_class(data=data, renderer=FormRenderer())
    return str(django_form[field]), str(our_form[field])


def test_select_with_groups_selection_and_attributes_matches_django():
    class Form(Choices):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["plain"].widget.attrs.update(
                {"disabled": True, "hidden": False, "data-x": 'say "hi"'}
            )

    data = {"plain": "2", "grouped": "4", "many": ["3", "17"]}
    for field in ("plain", "grouped", "many"):
        theirs, ours = both(Form, data, field)
        assert parse_html(ours) == parse_html(theirs), field
    assert "&lt;二&gt;" in both(Form, data, "plain")[1]
    assert " disabled" in both(Form, data, "plain")[1]


@given(st.lists(st.sampled_from(HOSTILE) | st.text(max_size=8), min_size=1, max_size=5))
def test_any_labels_are_escaped_as_django_escapes_them(labels):
    class Form(forms.Form):
        unit = forms.ChoiceField(choices=[(str(n), label) for n, label in enumerate(labels)])

    theirs, ours = both(Form, {"unit": "0"}, "unit")
    assert parse_html(ours) == parse_html(theirs)
