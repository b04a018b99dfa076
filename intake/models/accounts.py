"""Accounts: a pseudonymous username and a password, nothing about the person."""


from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    def create_user(self, username: str, password: str | None = None, **extra) -> "User":
        user = self.model(username=username, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, username: str, password: str | None = None, **extra) -> "User":
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(username, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """An account: a pseudonymous username and a password, nothing about the person."""

    username = models.CharField(
        _("username"),
        max_length=40,
        unique=True,
        validators=[RegexValidator(r"^[\w.-]+\Z", _("Letters, digits and . - _ only."))],
        help_text=_("A pseudonym, not a real name."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("administrator"), default=False, help_text=_("Can open the administration pages.")
    )

    # No record of when anyone last logged in (issue 17: the finest time kept about
    # anyone's action is the month). Without the field, Django does not connect its
    # update_last_login; each login is in the audit log, by month.
    last_login = None

    objects = UserManager()

    USERNAME_FIELD = "username"

    class Meta:
        verbose_name = _("account")
        verbose_name_plural = _("accounts")

    def __str__(self) -> str:
        return self.username
