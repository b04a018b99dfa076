"""Forms for coordinators: one per action, turning input into domain values.

The rules themselves live on the model (HelpRequest.clean) and in the services; a
form only converts, limits choices to the user's programmes and shows the errors.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import localize
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from .imports import MAX_BYTES, ImportRefused, check_size
from .models import Category, Outcome, Status
from .months import MONTH_PATTERN, current_month, format_month, parse_month
from .services import MAX_COUNT, Move, RequestSpec, count_allowed, max_count_text, parse_count


def submitted(request):
    """The posted data, or None for a GET: an empty POST is still a submission, to
    be refused with errors, not shown as a blank form."""
    return request.POST if request.method == "POST" else None


def _attrs_html(attrs: dict) -> SafeString:
    """A tag's attributes as Django's attrs.html writes them: a True one by its name alone,
    a False one left out."""
    parts = (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
             for name, value in attrs.items() if value is not False)
    return format_html_join("", "{}", ((part,) for part in parts))


class Select(forms.Select):
    """Django's select, written in Python: the same HTML, to the newline its option
    template ends with (option groups are left to Django), without rendering a template
    for each option and another for its attributes, which for a list of dozens of
    choices costs more than the rest of the page's form. Named as Django's is: crispy
    gives a field the CSS class of its widget's class name."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        if any(group for group, _choices, _index in widget["optgroups"]):
            return super().render(name, value, attrs, renderer)
        options = format_html_join(
            "", '\n  <option value="{}"{}>{}</option>\n',
            ((option["value"], _attrs_html(option["attrs"]), localize(option["label"]))
             for _group, choices, _index in widget["optgroups"] for option in choices),
        )
        return format_html('<select name="{}"{}>{}\n</select>', widget["name"], _attrs_html(widget["attrs"]), options)


class MonthField(forms.CharField):
    """A month typed or picked as YYYY-MM, cleaned to the date of its first day."""

    # A text input, not type=month: a browser's month picker speaks the browser's
    # language, not the page's, and the hint below says the form in the page's.
    widget = forms.TextInput(attrs={"placeholder": _("YYYY-MM"), "inputmode": "numeric", "autocomplete": "off",
                                    "pattern": MONTH_PATTERN, "size": "8"})
    default_error_messages = {"required": _("Enter the month, as YYYY-MM, e.g. 2023-11.")}

    def __init__(self, **kwargs):
        # No max_length: its validator runs on the cleaned value, a date, which has no
        # length; parse_month's pattern already bounds what is accepted.
        kwargs.setdefault("help_text", _("As YYYY-MM, e.g. 2023-11."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return format_month(value) if hasattr(value, "year") else value

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        try:
            return parse_month(value)
        except ValueError:
            raise ValidationError(_("Enter a month as YYYY-MM, e.g. 2023-11."), code="invalid") from None


class CountField(forms.IntegerField):
    """A whole number typed in the digits 0-9; Django's IntegerField also takes "٥",
    "1_0", "+5" and "5.0", which no one means as a count."""

    default_error_messages = {"invalid": _("Enter the count in digits, e.g. 12.")}
    # Text, not type=number: a number input silently empties what is not a number
    # ("4e"), where this form says what is wrong.
    widget = forms.TextInput

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        for attr in ("min", "max", "step"):
            attrs.pop(attr, None)
        return {**attrs, "inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_count(str(value))
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class RequestCountField(CountField):
    """How many requests: from 1 to MAX_COUNT, said as such when missing or out of range."""

    def __init__(self, **kwargs):
        # min and max are the browser's hints; the range is checked in validate.
        kwargs.setdefault("help_text", _count_help())
        super().__init__(min_value=1, max_value=MAX_COUNT, **kwargs)
        self.validators = []  # the range is checked in validate, with one message

    def validate(self, value):
        if value in self.empty_values or not count_allowed(value):
            raise ValidationError(_("Enter a count from 1 to %(max)s."), code="range",
                                  params={"max": max_count_text()})


# The hint under a count's field, in the language of the page it is shown on.
_count_help = lazy(lambda: _("From 1 to %(max)s.") % {"max": max_count_text()}, str)


def _choices(choices, blank_label=None):
    return ([("", blank_label)] if blank_label else []) + list(choices)


class _ChoicesInOneQuery(forms.models.ModelChoiceIterator):
    """The choices read by one plain query. Django's own iterator reads them with
    .iterator(), which on PostgreSQL is a server-side cursor: four round trips (DECLARE,
    two FETCHes, CLOSE) for a handful of programmes, on every page showing the form."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for programme in self.queryset:
            yield self.choice(programme)


class ProgrammeChoiceField(forms.ModelChoiceField):
    """A choice of one programme, by slug."""

    iterator = _ChoicesInOneQuery

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, to_field_name="slug", **kwargs)


class ProgrammeForm(forms.Form):
    """A form whose programme choice is limited to the programmes a user works in."""

    programme = ProgrammeChoiceField(queryset=None, label=_("Programme"),
                                     error_messages={"required": _("Choose the programme.")})

    def __init__(self, *args, programmes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["programme"].queryset = programmes
        if len(programmes) == 1:
            self.fields["programme"].initial = programmes[0].slug
        if "month" in self.fields:
            self.fields["month"].initial = current_month()


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Show the model's errors beside the fields they concern, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


MONTH_RECEIVED_REQUIRED = {"required": _("Enter the month received, as YYYY-MM, e.g. 2023-11.")}
MONTH_CLOSED_REQUIRED = {"required": _("Enter the month closed, as YYYY-MM, e.g. 2023-11.")}
CATEGORY_REQUIRED = {"required": _("Choose a category.")}
OUTCOME_REQUIRED = {"required": _("Choose an outcome.")}


class LogRequestForm(ProgrammeForm):
    month = MonthField(label=_("Month received"), error_messages=MONTH_RECEIVED_REQUIRED)
    category = forms.ChoiceField(label=_("Category"), choices=_choices(Category.choices, _("Choose…")),
                                 error_messages=CATEGORY_REQUIRED)

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                # The month's lock is checked once, by the write (cells_apply), whose
                # refusal the view shows on this form.
                self.spec().validate(adding=False)
            except ValidationError as exc:
                apply_errors(self, exc)
        return cleaned

    def spec(self) -> RequestSpec:
        data = self.cleaned_data
        return RequestSpec(programme=data["programme"], month=data["month"], category=data["category"])


class LogCountsForm(LogRequestForm):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices, initial=Status.NEW)
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=_choices(Outcome.choices, _("— (only for closed requests)")), required=False
    )
    closed_month = MonthField(label=_("Month closed"), required=False, help_text=_("Only for closed requests."))
    count = RequestCountField(label=_("How many requests"))

    field_order = ["programme", "month", "category", "status", "outcome", "closed_month", "count"]

    def spec(self) -> RequestSpec:
        data = self.cleaned_data
        return RequestSpec(
            programme=data["programme"], month=data["month"], category=data["category"], status=data["status"],
            outcome=data["outcome"], closed_month=data["closed_month"],
        )


class MonthPickForm(forms.Form):
    month = MonthField(label=_("Month"))

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > current_month():
            raise ValidationError(_("%(month)s has not begun yet, so it has no requests: enter %(current)s or an "
                                    "earlier month.") % {"month": format_month(month),
                                                         "current": format_month(current_month())}, code="future")
        return month


class FindForm(forms.Form):
    reference = forms.CharField(label=_("Reference"), max_length=20, help_text=_("As given when it was logged, e.g. K7Q2-9XWD."))

    def clean_reference(self):
        # People copy references with spaces or in lower case; the stored form is K7Q2-9XWD.
        value = "".join(self.cleaned_data["reference"].split()).upper().replace("-", "")
        return f"{value[:4]}-{value[4:]}" if len(value) == 8 else value


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=_choices(Outcome.choices, _("Choose…")),
                                error_messages=OUTCOME_REQUIRED)
    month = MonthField(label=_("Month closed"), error_messages=MONTH_CLOSED_REQUIRED)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].initial = current_month()


class SeenForm(forms.Form):
    """The status a request had on the page the person acted from: a change is saved
    only if the request is still in it."""

    seen = forms.ChoiceField(label=_("Status seen"), choices=Status.choices, widget=forms.HiddenInput)


class MoveForm(ProgrammeForm):
    month = MonthField(label=_("Month received"), error_messages=MONTH_RECEIVED_REQUIRED)
    category = forms.ChoiceField(label=_("Category"), choices=_choices(Category.choices, _("Choose…")),
                                 error_messages=CATEGORY_REQUIRED)
    # No default either: the person says which requests they mean (a link from the grid
    # or the waiting list prefills it).
    from_status = forms.ChoiceField(label=_("Current status"), choices=_choices(Status.choices, _("Choose…")),
                                    error_messages={"required": _("Choose the current status of the requests to move.")})
    count = RequestCountField(label=_("How many"))
    # No default: nothing is closed unless the person chooses it.
    to_status = forms.ChoiceField(label=_("New status"), choices=_choices(Status.choices, _("Choose…")),
                                  error_messages={"required": _("Choose the new status.")})
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=_choices(Outcome.choices, _("— (only when closing)")), required=False
    )
    closed_month = MonthField(label=_("Month closed"), required=False, help_text=_("Only when closing."))

    def move(self) -> Move:
        data = self.cleaned_data
        return Move(
            programme=data["programme"], month=data["month"], category=data["category"],
            from_status=data["from_status"], count=data["count"], to_status=data["to_status"],
            outcome=data["outcome"], closed_month=data["closed_month"],
        )


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or Excel file"),
                           help_text=_("Header: month,programme,category,status,outcome,closed_month,count"),
                           error_messages={"required": _("Choose a CSV or Excel file to import.")})

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            check_size(upload.size)  # the size the upload arrived with: nothing is read yet
        except ImportRefused as exc:
            raise ValidationError([message for _line, message in exc.errors]) from None
        return upload

    def contents(self) -> bytes:
        """The file's bytes, no more than an import takes (read_csv refuses more)."""
        return self.cleaned_data["file"].read(MAX_BYTES + 1)
