"""No personal data, by construction (docs/design.md): the schema has
nowhere to put a name, a contact, free text or an exact date of a request.

These tests fail when a model of intake or reports gains such a field. The checks are
functions of a model class, so that the last tests can show each of them failing on a
throwaway model."""

import re

import pytest
from django.apps import apps
from django.db import models
from django.db.models import Q
from django.test.utils import isolate_apps

# Fields that hold whatever anyone types or uploads.
FREE_TEXT_FIELDS = (
    models.TextField, models.JSONField, models.EmailField, models.GenericIPAddressField, models.FileField,
    models.BinaryField, models.URLField,
)  # ImageField is a FileField
PERSONAL_NAME = re.compile(
    r"(^|_)(name|phone|email|passport|address|birth|telegram|contact|comment|note|description|ip)(_|s?$)"
)
# The only exceptions, each looked at: a programme's name (in English and Russian) is the
# organisation's own; a report's figures and the grouped counts they were computed from
# (its basis) are computed counts, never typed; so are a publication's document and the
# files made of it (the disclosure-controlled figures, as JSON and CSV text).
ALLOWED = {"intake.Programme.name", "intake.Programme.name_ru", "reports.Report.body", "reports.Report.basis",
           "reports.Publication.body", "reports.Publication.files",
           # The publication log: the published files (disclosure-controlled figures), their
           # minisign signatures and trusted comments, made by the app, and the checkpoints
           # it signs. Nothing in them is typed by anyone.
           "publications.LogEntry.name", "publications.LogEntry.content", "publications.LogEntry.signature",
           "publications.LogEntry.co_signature", "publications.LogEntry.trusted_comment", "publications.Checkpoint.note",
           # A peer organisation's public documents as it signed them, and the app's own
           # words for why a fetch was refused; a peer's name is a slug staff choose, its address
           # its public site's.
           "coalition.Peer.name", "coalition.Peer.url", "coalition.Peer.last_reason", "coalition.PeerCheckpoint.note",
           "coalition.PeerDocument.name", "coalition.PeerDocument.content", "coalition.PeerDocument.signature",
           "coalition.PeerDocument.trusted_comment", "coalition.PeerDocument.checkpoint", "coalition.PeerAttempt.reason"}
FINER_THAN_A_MONTH = (models.DateTimeField, models.TimeField, models.DurationField)


def _models():
    return [model for label in ("intake", "reports", "signoff", "api", "publications", "coalition")
            for model in apps.get_app_config(label).get_models()]


def _own_fields(model):
    """The fields stored on the model's table, and the names it answers to."""
    return [field for field in model._meta.get_fields() if not field.auto_created or field.concrete]


def _allowed(model, field) -> bool:
    return f"{model._meta.label}.{field.name}" in ALLOWED


def personal_data_problems(model) -> list[str]:
    """The fields of `model` that could hold free text or personal data."""
    problems = []
    for field in _own_fields(model):
        if _allowed(model, field):
            continue
        if isinstance(field, FREE_TEXT_FIELDS):
            problems.append(f"{model._meta.label}.{field.name} is a {type(field).__name__}: free text")
        if PERSONAL_NAME.search(field.name.lower()):
            problems.append(f"{model._meta.label}.{field.name}: the name suggests personal data")
    return problems


def _requires_first_day(constraint, field_name: str) -> bool:
    """Whether a check constraint requires `field_name` to be the first of a month."""
    condition = getattr(constraint, "condition", None)
    if not isinstance(constraint, models.CheckConstraint) or not isinstance(condition, Q):
        return False
    if condition.negated or (condition.connector != Q.AND and len(condition.children) > 1):
        return False
    return (f"{field_name}__day", 1) in condition.children


def time_grain_problems(model) -> list[str]:
    """The fields of `model` that could know a time finer than a month."""
    problems = []
    for field in _own_fields(model):
        if isinstance(field, FINER_THAN_A_MONTH):
            problems.append(f"{model._meta.label}.{field.name} is a {type(field).__name__}: finer than a month")
        elif isinstance(field, models.DateField) and not any(
            _requires_first_day(constraint, field.name) for constraint in model._meta.constraints
        ):
            problems.append(f"{model._meta.label}.{field.name} is a date without a first-of-the-month constraint")
    return problems


# --- the schema as it is ------------------------------------------------------------------


def test_intake_and_reports_have_the_models_these_tests_walk():
    labels = {model._meta.label for model in _models()}
    assert {"intake.User", "intake.Programme", "intake.HelpRequest", "intake.Entry", "reports.Report"} <= labels


@pytest.mark.parametrize("model", _models(), ids=lambda model: model._meta.label)
def test_no_model_has_a_free_text_or_personal_data_field(model):
    assert personal_data_problems(model) == []


def test_a_help_request_knows_no_time_finer_than_a_month():
    from intake.models import HelpRequest

    assert time_grain_problems(HelpRequest) == []


def test_a_help_request_has_exactly_the_fields_of_the_design():
    from intake.models import HelpRequest

    names = {field.name for field in _own_fields(HelpRequest)}
    assert names == {"id", "programme", "month", "category", "status", "outcome", "closed_month", "reference", "entry"}


def test_months_of_entries_and_programmes_are_first_days_too():
    from intake.models import Entry, Programme

    assert time_grain_problems(Entry) == []
    assert time_grain_problems(Programme) == []


def test_months_of_the_counts_and_their_versions_are_first_days_too():
    from intake.models import DataVersion, MonthlyCount

    assert time_grain_problems(MonthlyCount) == []
    assert time_grain_problems(DataVersion) == []


# --- the checks fail when they should -------------------------------------------------------


@pytest.mark.parametrize(
    "make_field, name",
    [
        (lambda: models.TextField(), "details"),
        (lambda: models.JSONField(), "extra"),
        (lambda: models.EmailField(), "reply_to"),
        (lambda: models.GenericIPAddressField(), "origin"),
        (lambda: models.FileField(), "attachment"),
        (lambda: models.ImageField(), "photo"),
        (lambda: models.BinaryField(), "blob"),
        (lambda: models.URLField(), "link"),
        (lambda: models.CharField(max_length=50), "name"),
        (lambda: models.CharField(max_length=50), "first_name"),
        (lambda: models.CharField(max_length=20), "phone"),
        (lambda: models.CharField(max_length=20), "phones"),
        (lambda: models.CharField(max_length=50), "contact_handle"),
        (lambda: models.CharField(max_length=50), "telegram"),
        (lambda: models.CharField(max_length=20), "passport_number"),
        (lambda: models.CharField(max_length=50), "home_address"),
        (lambda: models.CharField(max_length=50), "note"),
        (lambda: models.CharField(max_length=50), "comments"),
        (lambda: models.CharField(max_length=50), "description"),
        (lambda: models.CharField(max_length=50), "ip"),
        (lambda: models.IntegerField(), "birth_year"),
    ],
)
def test_personal_data_check_flags_a_free_text_or_personal_field(make_field, name):
    with isolate_apps("intake"):
        Throwaway = type("Throwaway", (models.Model,), {
            "__module__": __name__,
            name: make_field(),
            "Meta": type("Meta", (), {"app_label": "intake", "managed": False}),
        })

        assert personal_data_problems(Throwaway) != []


def test_personal_data_check_allows_plain_fields_and_the_stated_exceptions():
    with isolate_apps("intake"):

        class Programme(models.Model):
            name = models.CharField(max_length=100)
            slug = models.SlugField()
            is_demo = models.BooleanField()

            class Meta:
                app_label = "intake"
                managed = False

        class Tally(models.Model):
            category = models.CharField(max_length=20)
            count = models.PositiveIntegerField()
            ipsum = models.CharField(max_length=20)  # "ip" only as a whole word

            class Meta:
                app_label = "intake"
                managed = False

        assert personal_data_problems(Programme) == []
        assert personal_data_problems(Tally) == []


def test_personal_data_check_allows_figures_only_on_reports():
    with isolate_apps("intake"):

        class Sneaky(models.Model):
            figures = models.JSONField()

            class Meta:
                app_label = "intake"
                managed = False

        assert personal_data_problems(Sneaky) != []


@pytest.mark.parametrize(
    "field",
    [
        pytest.param(models.DateTimeField(), id="datetime"),
        pytest.param(models.DateTimeField(auto_now_add=True), id="created-at"),
        pytest.param(models.TimeField(), id="time"),
        pytest.param(models.DurationField(), id="duration"),
        pytest.param(models.DateField(), id="date-without-constraint"),
    ],
)
def test_time_grain_check_flags_a_time_finer_than_a_month(field):
    with isolate_apps("intake"):
        Throwaway = type("Throwaway", (models.Model,), {
            "__module__": __name__,
            "seen": field,
            "Meta": type("Meta", (), {"app_label": "intake", "managed": False}),
        })

        assert time_grain_problems(Throwaway) != []


def test_time_grain_check_flags_a_date_whose_constraint_is_not_the_first_day():
    with isolate_apps("intake"):

        class Throwaway(models.Model):
            seen = models.DateField()
            month = models.DateField()

            class Meta:
                app_label = "intake"
                managed = False
                constraints = [
                    models.CheckConstraint(condition=Q(seen__day__lte=28), name="seen_early"),
                    models.CheckConstraint(condition=~Q(seen__day=1), name="seen_not_first"),
                    models.CheckConstraint(condition=Q(month__day=1), name="month_first_day"),
                ]

        assert time_grain_problems(Throwaway) == [
            "intake.Throwaway.seen is a date without a first-of-the-month constraint"]


def test_time_grain_check_accepts_a_date_constrained_to_the_first_day():
    from intake.models import first_of_month_constraint

    with isolate_apps("intake"):

        class Throwaway(models.Model):
            month = models.DateField()

            class Meta:
                app_label = "intake"
                managed = False
                constraints = [first_of_month_constraint("month", "throwaway_month_first_day")]

        assert time_grain_problems(Throwaway) == []


def test_a_month_review_keeps_no_time_finer_than_a_month_but_when_an_unlock_ends():
    from intake.models import MonthReview

    # When a granted unlock ends (midnight after its last day) is a time of the month's
    # lock, not of anyone's act; who did what is in the audit log, by month.
    assert time_grain_problems(MonthReview) == [
        "intake.MonthReview.unlocked_until is a DateTimeField: finer than a month"]
