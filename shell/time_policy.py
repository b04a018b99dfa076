"""What time each date or time field of every installed app may know (issue 17): the
finest time stored about anyone's action is the month.

POLICY names every such field, ours and those of the apps we install; the test of
tests/test_month_only_time.py fails on a field it does not name, and proves each policy
by using the app and reading back what was stored."""

from django.db import models

MONTH = "month"  # only first-of-month values (a date, or midnight of the 1st, local time)
MINUTE = "minute"  # the report worker's run times, cut to the minute
EXPIRY = "expiry"  # when something ends, deleted or forgotten once it has (shell.tasks.clean_up)
CHOSEN = "a day chosen ahead"  # a day someone sets for the future, not when anyone did anything
NEVER = "never written"  # a table or field of an installed app that this app leaves empty

POLICY = {
    # Django's admin: its change log, one line per change an administrator makes.
    "admin.LogEntry.action_time": MONTH,
    # Sessions: when an idle one ends (30 minutes after the last request, at most 12 hours
    # after login), so it tells when its owner was last active; deleted once past.
    "sessions.Session.expire_date": EXPIRY,
    # django-axes counts failed logins in the cache (AXES_HANDLER): its tables stay empty.
    "axes.AccessAttempt.attempt_time": NEVER,
    "axes.AccessAttemptExpiration.expires_at": NEVER,
    "axes.AccessFailureLog.attempt_time": NEVER,
    "axes.AccessLog.attempt_time": NEVER,
    "axes.AccessLog.logout_time": NEVER,
    # django-otp: when a device was set up and last used, by month; wrong codes are
    # counted in the cache (shell.two_factor), never in the database.
    "otp_totp.TOTPDevice.created_at": MONTH,
    "otp_totp.TOTPDevice.last_used_at": MONTH,
    "otp_totp.TOTPDevice.throttling_failure_timestamp": NEVER,
    "otp_static.StaticDevice.created_at": MONTH,
    "otp_static.StaticDevice.last_used_at": MONTH,
    "otp_static.StaticDevice.throttling_failure_timestamp": NEVER,
    # intake: months only, each held to the first day by a database constraint.
    "intake.Programme.first_month": MONTH,
    "intake.Entry.month": MONTH,
    "intake.MovedRequest.from_closed_month": MONTH,
    "intake.MovedRequest.to_closed_month": MONTH,
    "intake.HelpRequest.month": MONTH,
    "intake.HelpRequest.closed_month": MONTH,
    "intake.MonthlyCount.month": MONTH,
    "intake.MonthlyCount.closed_month": MONTH,
    "intake.DataVersion.month": MONTH,
    "intake.MonthWriter.month": MONTH,
    "intake.MonthReview.month": MONTH,
    "intake.MonthReview.accepted_in": MONTH,
    "intake.AuditEvent.month": MONTH,
    # When a granted unlock ends: midnight after its last day (it tells the day of the
    # grant, not the moment); forgotten once past.
    "intake.MonthReview.unlocked_until": EXPIRY,
    # API tokens: the month issued, uses counted by month, and the last day it works
    # (chosen by staff when issuing it).
    "api.ApiToken.created_in": MONTH,
    "api.ApiToken.expires_on": CHOSEN,
    "api.ApiUse.month": MONTH,
    # reports: the month reported on, and the worker's run, to the minute.
    "reports.Report.month": MONTH,
    "reports.Report.created_at": MINUTE,
    "reports.Report.started_at": MINUTE,
    "reports.Report.finished_at": MINUTE,
    # coalition: the month a peer's document is about, the month it (and a checkpoint)
    # was fetched, the month of a refused attempt.
    "coalition.PeerCheckpoint.month": MONTH,
    "coalition.PeerDocument.month": MONTH,
    "coalition.PeerDocument.fetched_month": MONTH,
    "coalition.PeerAttempt.month": MONTH,
    # reports: what was published, and in which month (it tells when a month was accepted).
    "reports.Publication.month": MONTH,
    "reports.Publication.published_at": MONTH,
    "reports.PublicationAttempt.month": MONTH,
}

TIME_FIELDS = (models.DateField, models.TimeField, models.DurationField)  # DateTimeField is a DateField


def unpoliced_fields(model_classes) -> list[str]:
    """The date and time fields of these models that POLICY does not name."""
    return [
        label
        for model in model_classes
        for field in model._meta.fields
        if isinstance(field, TIME_FIELDS) and (label := f"{model._meta.label}.{field.name}") not in POLICY
    ]


def install() -> None:
    """Make the installed apps keep to POLICY (called once, when the apps are ready):
    their month fields are cut to the month as they are saved, whatever sets them (the
    admin's log, django-otp's auto_now_add and last use), and django-otp's devices keep
    no throttling time and no step of the last code used (shell.two_factor keeps both
    in the cache)."""
    from django.apps import apps
    from django.db.models.signals import pre_save
    from django_otp.models import ThrottlingMixin

    for label, policy in POLICY.items():
        model_label, name = label.rsplit(".", 1)
        field = apps.get_model(model_label)._meta.get_field(name)
        if policy == MONTH and isinstance(field, models.DateTimeField) and not getattr(field, "_month_only", False):
            _cut_to_the_month(field)
    for model in apps.get_models():
        if issubclass(model, ThrottlingMixin):
            pre_save.connect(_no_times_on_devices, sender=model, dispatch_uid=f"month-only-{model._meta.label}")


def _cut_to_the_month(field: models.DateTimeField) -> None:
    from intake.months import start_of_month

    original = field.pre_save

    def pre_save(model_instance, add):
        value = original(model_instance, add)
        if value is not None:
            value = start_of_month(value)
            setattr(model_instance, field.attname, value)
        return value

    field.pre_save = pre_save
    field._month_only = True


def _no_times_on_devices(sender, instance, **kwargs) -> None:
    instance.throttling_failure_timestamp = None
    instance.throttling_failure_count = 0
    if hasattr(instance, "last_t"):
        instance.last_t = -1
