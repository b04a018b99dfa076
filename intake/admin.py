from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import router, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .accounts import account_password_changed, account_save, programme_save
from .models import Programme, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),)
    list_display = ("username", "is_active", "is_staff")
    list_filter = ("is_active", "is_staff", "groups")
    search_fields = ("username",)
    ordering = ("username",)
    filter_horizontal = ("groups",)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not request.user.is_superuser:
            # Superuser rights are every permission at once: only a superuser gives them.
            readonly = (*readonly, "is_superuser")
        return readonly

    def has_change_permission(self, request, obj=None):
        # Whoever may set a superuser's password may act as that superuser.
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        """Saved in save_related, with its roles, by one service: one change, audited once."""

    def save_related(self, request, form, formsets, change):
        # Groups are the forms' only many-to-many field, and there are no inlines.
        account_save(account=form.instance, groups=form.cleaned_data.get("groups"), actor=request.user)

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic(using=router.db_for_write(self.model)):
            account = self.get_object(request, unquote(id))
            response = super().user_change_password(request, id, form_url)
            if account is not None and request.method == "POST":
                stored = account.password
                account.refresh_from_db(fields=["password"])
                if account.password != stored:
                    account_password_changed(account=account, actor=request.user)
        return response


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "name_ru", "slug", "first_month")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)

    def save_model(self, request, obj, form, change):
        """Saved in save_related, with its coordinators, by one service."""

    def save_related(self, request, form, formsets, change):
        # Members are the form's only many-to-many field, and there are no inlines.
        programme_save(programme=form.instance, members=form.cleaned_data["members"], actor=request.user)


class SecondFactorAdmin(admin.ModelAdmin):
    """Whose devices there are, so that a superuser can delete a lost one; never a key
    or a backup code, and no adding one for someone else (whoever knows a device's
    secret passes as its owner)."""

    list_display = ("user", "name", "confirmed", "set_up_in", "last_used_in")
    fields = list_display
    readonly_fields = list_display
    list_select_related = ("user",)
    search_fields = ("user__username",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    # Only months are kept (shell/time_policy.py): shown as months, not as midnight on the 1st.
    @admin.display(description=_("set up in"))
    def set_up_in(self, device) -> str:
        return _month_of(device.created_at)

    @admin.display(description=_("last used in"))
    def last_used_in(self, device) -> str:
        return _month_of(device.last_used_at)


def _month_of(moment) -> str:
    return date_format(timezone.localtime(moment), "F Y") if moment else "-"


# Replaces django-otp's own admin pages, which show keys and backup codes.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)
    admin.site.register(_device, SecondFactorAdmin)
