"""Django's admin site, with one change: changing one's own password there is audited."""

from django.contrib import admin
from django.db import transaction

from intake import audit


class AdminSite(admin.AdminSite):
    def password_change(self, request, extra_context=None):
        with transaction.atomic():
            stored = request.user.password
            response = super().password_change(request, extra_context)
            # The form sets the new password on request.user itself.
            if request.user.password != stored:
                audit.record(request.user, audit.Action.PASSWORD_CHANGED, request.user.username)
        return response
