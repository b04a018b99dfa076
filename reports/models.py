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


class Publication(models.Model):
    """What was published of a scope's month for one profile (partner or public), as it
    left the organisation: the document, and the JSON and CSV files of it in each
    language, byte for byte (reports/publication.py). Append-only: a correction is a
    new row, never a change of an old one; the latest of a scope, month and profile is
    the one served, and the earlier ones stay, since anyone who saw them still knows
    them (docs/disclosure.md, "Publication")."""

    class Profile(models.TextChoices):
        PARTNER = "partner", _("partner")
        PUBLIC = "public", _("public")

    # null means all programmes together.
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("programme")
    )
    month = models.DateField(_("month"))
    report = models.ForeignKey(Report, on_delete=models.PROTECT, related_name="publications",
                               verbose_name=_("report version published"))
    version = models.PositiveIntegerField(_("version"))
    profile = models.CharField(_("profile"), max_length=10, choices=Profile.choices)
    # The published document (docs/report-json.md), with its "withheld" reasons (codes):
    # read it through `document`.
    body = models.JSONField(_("published document"))
    fingerprint = models.CharField(_("published fingerprint"), max_length=80)
    # {language: {"json": text, "csv": text}}: the exports exactly as served, made once.
    files = models.JSONField(_("published files"))
    # Cut to the month as it is saved (shell/time_policy.py): it would tell when the
    # auditor accepted the month.
    published_at = models.DateTimeField(_("published at"), default=to_the_minute_now, editable=False)

    class Meta:
        ordering = ["-month", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        default_permissions = ("view",)
        constraints = [
            first_of_month_constraint("month", "publication_month_is_first_day"),
            # One publication of a report version per profile, however many publish at once.
            models.UniqueConstraint(fields=["report", "profile"], name="publication_once_per_version_and_profile"),
            models.CheckConstraint(condition=Q(profile__in=["partner", "public"]), name="publication_profile_valid"),
        ]

    def __str__(self) -> str:
        scope = self.programme.slug if self.programme_id else "all"
        return f"{scope} {format_month(self.month)} v{self.version} {self.profile}"

    @property
    def document(self) -> dict:
        return in_contract_order(self.body)

    @property
    def reasons(self) -> dict[str, str]:
        """Figure (dotted key) -> the code of the reason it is withheld."""
        return dict(self.body.get("withheld") or {})

    def text(self, kind: str, language: str) -> str:
        """The JSON or CSV file as published, in `language` (English if it has none)."""
        return (self.files.get(language) or self.files["en"])[kind]


class PublicationAttempt(models.Model):
    """The last attempt to publish a programme's month (at its acceptance, or by
    `manage.py publish`): shown on the month's review page. It keeps no time: when it
    was queued is when the month was accepted."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme"))
    month = models.DateField(_("month"))
    version = models.PositiveIntegerField(_("version"), null=True, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress, %"), default=0)
    failure = models.CharField(_("reason for failure"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("publication attempt")
        verbose_name_plural = _("publication attempts")
        default_permissions = ()
        constraints = [
            first_of_month_constraint("month", "publicationattempt_month_is_first_day"),
            models.UniqueConstraint(fields=["programme", "month"], name="publicationattempt_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id} {format_month(self.month)} {self.state}"
