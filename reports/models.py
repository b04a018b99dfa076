"""Monthly reports: immutable snapshots of figures for one month and one scope."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from intake.models import Localized, Programme, first_of_month_constraint
from intake.months import format_month, to_the_minute_now

from .document import in_contract_order


class ReportQuerySet(models.QuerySet):
    def for_scope(self, programme: Programme | None) -> "ReportQuerySet":
        return self.filter(programme=programme) if programme else self.filter(programme__isnull=True)

    def with_basis(self) -> "ReportQuerySet":
        """Reports with the counts they were computed from (Report.basis): for verifying
        one, the only reader of that column."""
        return self.defer(None)

    def listed(self) -> "ReportQuerySet":
        """Reports as lists of versions show them: without their documents either."""
        return self.defer("body", "basis")


class ReportManager(models.Manager.from_queryset(ReportQuerySet)):
    """Every query of reports leaves out `basis`, the largest column (0.5 to 2 MB of
    JSON a report over years of data), which only verification reads
    (`with_basis()`, or reading the attribute, which fetches it)."""

    def get_queryset(self) -> ReportQuerySet:
        return super().get_queryset().defer("basis")


class Report(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    # null means all programmes together.
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="reports", verbose_name=_("programme")
    )
    month = models.DateField(_("month"))
    version = models.PositiveIntegerField(_("version"))
    window = models.PositiveSmallIntegerField(_("window in months"), default=3)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    failure = models.CharField(_("reason for failure"), max_length=300, blank=True)
    # The report document as stored (jsonb keeps its values, not its key order): read it
    # through `document`. Empty until the report is ready.
    body = models.JSONField(_("document"), null=True, blank=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=80, blank=True)
    # The stamp of the data the figures were computed from (intake.counts.data_version):
    # the report page compares it with the current one instead of recomputing anything.
    data_version = models.PositiveBigIntegerField(_("data version"), null=True, blank=True, editable=False)
    # The grouped counts the fingerprint is the hash of (document.fingerprint_basis):
    # what "Verify" compares the data with. Not part of the report's JSON; empty for
    # reports made before it was kept.
    basis = models.JSONField(_("counts computed from"), null=True, blank=True, editable=False)
    # The worker's run, to the minute (intake.months.to_the_minute): when the report was
    # queued, started and finished. Who asked is in the audit log, by month, not here.
    created_at = models.DateTimeField(_("requested at"), default=to_the_minute_now, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = ReportManager()

    class Meta:
        ordering = ["-month", "programme__name", "-version"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        permissions = [
            ("generate_report", _("Can generate reports")),
            ("export_report", _("Can export reports")),
        ]
        constraints = [
            first_of_month_constraint("month", "report_month_is_first_day"),
            models.UniqueConstraint(
                fields=["programme", "month", "version"],
                condition=Q(programme__isnull=False),
                name="report_one_version_per_programme_month",
            ),
            models.UniqueConstraint(
                fields=["month", "version"],
                condition=Q(programme__isnull=True),
                name="report_one_version_per_month_for_all",
            ),
            models.CheckConstraint(
                condition=Q(state="ready", body__isnull=False) | ~Q(state="ready"),
                name="report_ready_has_figures",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope_slug} {format_month(self.month)} v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse("report_detail", args=[self.scope_slug, self.month, self.version])

    @property
    def scope_slug(self) -> str:
        return self.programme.slug if self.programme_id else "all"

    @property
    def file_name(self) -> str:
        return f"report-{self.scope_slug}-{format_month(self.month)}-v{self.version}"

    @property
    def document(self) -> dict | None:
        """The stored document in its documented key order (jsonb keeps values, not
        order): what every output of the report reads. None until it is ready."""
        return in_contract_order(self.body) if self.body is not None else None

    @property
    def is_pending(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)


IN_RUSSIAN = _("Shown on Russian pages; if empty, they show the English text.")


class ReferenceFigure(Localized, models.Model):
    """A figure published by another source (a court tally, a surrender programme's
    count), shown beside the organisation's own figures and never added to them."""

    class Per(models.TextChoices):
        PERIOD = "period", _("in the whole period")
        DAY = "day", _("a day")
        YEAR = "year", _("over a year")

    source = models.CharField(_("source"), max_length=200)
    source_ru = models.CharField(_("source in Russian"), max_length=200, blank=True, help_text=IN_RUSSIAN)
    period = models.CharField(_("period"), max_length=100)
    period_ru = models.CharField(_("period in Russian"), max_length=100, blank=True, help_text=IN_RUSSIAN)
    measure = models.CharField(_("what is counted"), max_length=200)
    measure_ru = models.CharField(_("what is counted, in Russian"), max_length=200, blank=True, help_text=IN_RUSSIAN)
    value = models.PositiveIntegerField(_("value"))
    value_high = models.PositiveIntegerField(
        _("upper value"), null=True, blank=True, help_text=_("For a range such as 3–5; otherwise empty.")
    )
    per = models.CharField(_("per"), max_length=10, choices=Per.choices, default=Per.PERIOD)
    out_of = models.PositiveIntegerField(
        _("out of"), null=True, blank=True, help_text=_("The whole the value is part of, e.g. 4,121 cases.")
    )
    citation = models.CharField(_("citation"), max_length=300, help_text=_("Where it was published."))
    citation_ru = models.CharField(_("citation in Russian"), max_length=300, blank=True, help_text=IN_RUSSIAN)

    class Meta:
        ordering = ["source", "pk"]
        verbose_name = _("reference figure")
        verbose_name_plural = _("reference figures")
        constraints = [
            models.CheckConstraint(
                condition=Q(value_high__isnull=True) | Q(value_high__gte=models.F("value")),
                name="referencefigure_range_ordered",
            ),
            models.CheckConstraint(
                condition=Q(out_of__isnull=True) | Q(out_of__gte=models.F("value")), name="referencefigure_part_of_whole"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.measure}"

    @property
    def derived(self) -> dict:
        from .figures import reference_derived

        return reference_derived(value=self.value, value_high=self.value_high, per=self.per, out_of=self.out_of)
