"""Django's admin site, with one change: changing one's own password there is audited."""

from django.contrib import admin
from django.db import transaction

from intake.accounts import account_password_changed


class AdminSite(admin.AdminSite):
    def password_change(self, request, extra_context=None):
        with transaction.atomic():
            stored = request.user.password
            response = super().password_change(request, extra_context)
            # The form sets the new password on request.user itself.
            if request.user.password != stored:
                account_password_changed(account=request.user, actor=request.user)
        return response
