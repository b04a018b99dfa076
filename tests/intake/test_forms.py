"""Forms: rendered by crispy with Bootstrap classes, on pages made for phones, with
every label and help text marked for translation."""

import inspect
import re

import pytest
from django import forms
from django.template import Context, Template
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from intake import forms as intake_forms
from intake.months import format_month
from tests.conftest import add_request

FORM_CLASSES = [
    cls for _name, cls in inspect.getmembers(intake_forms, inspect.isclass)
    if issubclass(cls, forms.BaseForm) and cls.__module__ == intake_forms.__name__ and cls.base_fields
]

# (persona, URL of a page with a form)
FORM_PAGES = [
    ("coordinator", "/requests/new/"),
    ("coordinator", "/requests/counts/"),
    ("coordinator", "/requests/move/"),
    ("coordinator", "/requests/find/"),
    ("coordinator", "/requests/{reference}/"),
    ("coordinator", "/"),
    ("staff", "/requests/import/"),
]


@pytest.fixture
def reference(programme) -> str:
    return add_request(programme=programme, month=programme.first_month, category="legal").reference


def test_every_form_of_the_module_is_checked():
    names = {cls.__name__ for cls in FORM_CLASSES}
    assert {"LogRequestForm", "LogCountsForm", "FindForm", "CloseForm", "MoveForm", "ImportForm"} <= names


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: cls.__name__)
def test_every_label_is_marked_for_translation(form_class):
    for name, field in form_class.base_fields.items():
        assert field.label, f"{form_class.__name__}.{name} has no label"
        assert isinstance(field.label, Promise), f"{form_class.__name__}.{name}: {field.label!r} is not translated"


@pytest.mark.parametrize("form_class", FORM_CLASSES, ids=lambda cls: cls.__name__)
def test_every_help_text_is_marked_for_translation(form_class):
    for name, field in form_class.base_fields.items():
        if field.help_text:
            assert isinstance(field.help_text, Promise), f"{form_class.__name__}.{name}: {field.help_text!r}"


@pytest.mark.parametrize("persona, url", FORM_PAGES, ids=[url for _persona, url in FORM_PAGES])
def test_form_pages_are_rendered_by_crispy_for_phones(request, client_for, programme, reference, persona, url):
    user = request.getfixturevalue(persona)
    programme.members.add(user)

    response = client_for(user).get(url.format(reference=reference))

    assert response.status_code == 200
    page = response.content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert re.search(r'class="[^"]*\bform-(control|select)\b', page)
    assert 'class="mb-3"' in page
    assert "<form" in page


def test_month_fields_are_text_in_the_pages_language_not_the_browsers_picker(client_for, coordinator, programme):
    page = client_for(coordinator).get("/requests/counts/").content.decode()
    russian = client_for(coordinator).get("/requests/counts/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()

    assert 'type="month"' not in page
    assert 'placeholder="YYYY-MM"' in page and 'inputmode="numeric"' in page
    assert 'placeholder="ГГГГ-ММ"' in russian


def test_forms_start_with_the_current_month_and_the_only_programme(this_month, client_for, coordinator, programme):
    response = client_for(coordinator).get("/requests/new/")

    form = response.context["form"]
    assert form["month"].value() == format_month(this_month)
    assert f'value="{format_month(this_month)}"' in response.content.decode()
    assert form["programme"].value() == "help"



class _SelectForm(forms.Form):
    # Values and labels a template escapes, a lazy label, and values that are not strings.
    choice = forms.ChoiceField(required=False, choices=[("", "Any"), ("a&b", 'Say "<b>"'),
                                                        ("login", gettext_lazy("Logged in"))])
    number = forms.TypedChoiceField(required=False, coerce=int, choices=[(1, "one"), (2, "two")])


@pytest.mark.parametrize("data", [None, {"choice": "a&b", "number": "2"}, {"choice": "nonsense"}])
@pytest.mark.parametrize("attrs", [None, {"class": "form-select is-invalid", "required": True, "disabled": False}])
def test_the_app_s_select_writes_the_same_html_as_django_s_select(data, attrs):
    django_s, plain = _SelectForm(data), _SelectForm(data)
    for field in plain.fields.values():
        field.widget = intake_forms.Select(choices=field.choices)

    crispy = Template("{% load crispy_forms_tags %}{{ field|as_crispy_field }}")
    for name in ("choice", "number"):
        assert plain[name].as_widget(attrs=attrs) == django_s[name].as_widget(attrs=attrs)
        assert str(plain[name]) == str(django_s[name])
        assert (crispy.render(Context({"field": plain[name]}))
                == crispy.render(Context({"field": django_s[name]})))
