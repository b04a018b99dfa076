"""The audit log's actions of reports and reference figures, declared here (intake/models/audit_events.py,
`declare_actions`) and imported by the app's AppConfig.ready."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from intake.models.audit_events import declare_actions


@declare_actions
class ReportAction(models.TextChoices):
    REPORT_REQUESTED = "report_requested", _("Report requested")
    REPORT_GENERATED = "report_generated", _("Report generated")
    REPORT_EXPORTED = "report_exported", _("Report exported")
    REPORT_VERIFIED = "report_verified", _("Report verified")
    REFERENCE_FIGURE_ADDED = "reference_figure_added", _("Reference figure added")
    REFERENCE_FIGURE_CHANGED = "reference_figure_changed", _("Reference figure changed")
    REFERENCE_FIGURE_DELETED = "reference_figure_deleted", _("Reference figure deleted")
