"""Each page of the app in words, by its URL name: what the audit log shows for a refused
access, instead of a code such as request_detail. tests/shell/test_audit_log.py checks
that every route has a name here."""

from django.utils.translation import gettext_lazy as _

PAGE_NAMES = {
    "home": _("The home page"),
    "login": _("The login page"),
    "logout": _("Log out"),
    "set_language": _("The language switch"),
    "two_factor_setup": _("Second factor set-up"),
    "two_factor_verify": _("The second factor's code"),
    "two_factor_backup_codes": _("New backup codes"),
    "audit_log": _("The audit log"),
    "audit_log_csv": _("The audit log as CSV"),
    "audit_log_xlsx": _("The audit log as an Excel file"),
    "request_new": _("Log a request"),
    "counts_new": _("Log counts"),
    "requests_move": _("Move requests"),
    "request_find": _("Find a request"),
    "requests_import": _("Import a CSV file"),
    "requests_import_template": _("The CSV template"),
    "month_pick": _("Choose a month"),
    "month_page": _("A programme's month"),
    "entry_undo": _("Undo an entry"),
    "request_detail": _("A request's page"),
    "request_start": _("Start a request"),
    "request_close": _("Close a request"),
    "request_reopen": _("Reopen a request"),
    "report_list": _("The list of reports"),
    "report_generate": _("Generate a report"),
    "report_latest": _("A report's page"),
    "report_detail": _("A report's page"),
    "report_json": _("A report's JSON export"),
    "report_csv": _("A report's CSV export"),
    "report_xlsx": _("A report's Excel export"),
    "report_print": _("A report's printable page"),
    "report_compare": _("A comparison of two report versions"),
    "report_verify": _("Verify a report's data"),
    "export_verify": _("Check a JSON export"),
    "reference_list": _("The reference figures"),
    "reference_new": _("Add a reference figure"),
    "reference_edit": _("Edit a reference figure"),
    "reference_delete": _("Delete a reference figure"),
    "review_queue": _("The months to review"),
    "review_month": _("A month's review"),
    "collapse_month": _("Collapsing a month to counts"),
    "api_token_list": _("The API tokens"),
    "api_token_new": _("Issuing an API token"),
    "api_token_revoke": _("Revoking an API token"),
}


# The last word of the subject of a report exported or verified ("desertion-help
# 2023-11 v1 csv"): how it was taken away, or what it was checked against.
REPORT_KINDS = {
    "json": "JSON",
    "csv": "CSV",
    "print": _("printable page"),
    "data": _("checked against the data"),
    "file": _("checked against a JSON file"),
}


def event_subject(action: str, subject: str) -> str:
    """What an audit event concerned, for people: a refused page by its name, a
    report's export or check by its kind."""
    if action == "access_refused":
        return str(PAGE_NAMES.get(subject, subject))
    report, _space, kind = subject.rpartition(" ")
    if action in ("report_exported", "report_verified") and kind in REPORT_KINDS:
        return f"{report}, {REPORT_KINDS[kind]}"
    return subject
