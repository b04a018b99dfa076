from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import router, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import audit
from .models import Programme, User

Action = audit.Action

# The account flags that go with a role, as the audit log names them.
ROLE_FLAGS = {"is_staff": "admin pages", "is_superuser": "superuser"}


def added_and_removed(before: set[str], after: set[str]) -> str:
    """"+Staff −Coordinator": what a change added and removed, for the audit log."""
    return " ".join([*(f"+{name}" for name in sorted(after - before)), *(f"−{name}" for name in sorted(before - after))])


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Access"), {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        (_("Activity"), {"fields": ("last_login",)}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "password1", "password2")}),)
    readonly_fields = ("last_login",)
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
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(request.user, Action.ACCOUNT_CREATED, obj.username)
        elif "is_active" in form.changed_data:
            action = Action.ACCOUNT_ACTIVATED if obj.is_active else Action.ACCOUNT_DEACTIVATED
            audit.record(request.user, action, obj.username)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        account = form.instance
        before = {group.name for group in form.initial.get("groups", [])}
        after = set(account.groups.values_list("name", flat=True))
        for field, label in ROLE_FLAGS.items():
            if form.initial.get(field, getattr(account, field)):
                before.add(label)
            if getattr(account, field):
                after.add(label)
        if before != after:
            audit.record(request.user, Action.ROLE_CHANGED, f"{account.username}: {added_and_removed(before, after)}")

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic(using=router.db_for_write(self.model)):
            account = self.get_object(request, unquote(id))
            response = super().user_change_password(request, id, form_url)
            if account is not None and request.method == "POST":
                stored = account.password
                account.refresh_from_db(fields=["password"])
                if account.password != stored:
                    audit.record(request.user, Action.PASSWORD_CHANGED, account.username)
        return response


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "first_month")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        programme = form.instance
        before = {member.username for member in form.initial.get("members", [])}
        after = set(programme.members.values_list("username", flat=True))
        if before != after:
            audit.record(request.user, Action.MEMBERSHIP_CHANGED, f"{programme.slug}: {added_and_removed(before, after)}")


class SecondFactorAdmin(admin.ModelAdmin):
    """Whose devices there are, so that a superuser can delete a lost one; never a key
    or a backup code, and no adding one for someone else (whoever knows a device's
    secret passes as its owner)."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    fields = list_display
    readonly_fields = list_display
    list_select_related = ("user",)
    search_fields = ("user__username",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


# Replaces django-otp's own admin pages, which show keys and backup codes.
for _device in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device):
        admin.site.unregister(_device)
    admin.site.register(_device, SecondFactorAdmin)
