from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from shell import two_factor
from shell import views as shell_views

handler403 = "shell.views.permission_denied"
handler404 = "shell.views.page_not_found"
handler500 = "shell.views.server_error"

urlpatterns = [
    path("", shell_views.home, name="home"),
    path("audit/", shell_views.audit_log, name="audit_log"),
    path("audit/export.csv", shell_views.audit_log_csv, name="audit_log_csv"),
    path("audit/export.xlsx", shell_views.audit_log_xlsx, name="audit_log_xlsx"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/two-factor/", two_factor.setup, name="two_factor_setup"),
    path("account/verify/", two_factor.verify, name="two_factor_verify"),
    path("account/backup-codes/", two_factor.backup_codes, name="two_factor_backup_codes"),
    path("requests/", include("intake.urls")),
    path("reports/", include("reports.urls")),
    path("reports/", include("publications.report_urls")),  # the exports' .minisig signatures
    path("review/", include("signoff.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api-tokens/", include("api.staff_urls")),
    path("api/", include("api.urls")),
    path("publications/", include("publications.urls")),
    path("coalition/", include("coalition.urls")),
]
