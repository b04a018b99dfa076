"""Changes to accounts and to programmes' coordinators, as the admin makes them. Each is
saved with its audit event in one transaction, noted with the acting account."""

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.db import transaction

from . import audit
from .models import Programme, User

Action = audit.Action

# The account flags that go with a role, as the audit log names them.
ROLE_FLAGS = {"is_staff": "admin pages", "is_superuser": "superuser"}


def added_and_removed(before: set[str], after: set[str]) -> str:
    """"+Staff −Coordinator": what a change added and removed, for the audit log."""
    return " ".join([*(f"+{name}" for name in sorted(after - before)), *(f"−{name}" for name in sorted(before - after))])


def _roles(account: User) -> set[str]:
    flags = {label for field, label in ROLE_FLAGS.items() if getattr(account, field)}
    return flags | set(account.groups.values_list("name", flat=True))


def account_save(*, account: User, actor: User, groups: Iterable[Group] | None = None) -> None:
    """Save a new or changed account, with `groups` as its roles when given. The audit
    log notes a new account, a change of activation, and a change of roles (its groups
    and its admin flags)."""
    with transaction.atomic():
        stored = User.objects.filter(pk=account.pk).first() if account.pk is not None else None
        before = _roles(stored) if stored is not None else set()
        account.save()
        if groups is not None:
            account.groups.set(groups)
        if stored is None:
            audit.record(actor, Action.ACCOUNT_CREATED, account.username)
        elif stored.is_active != account.is_active:
            audit.record(actor, Action.ACCOUNT_ACTIVATED if account.is_active else Action.ACCOUNT_DEACTIVATED,
                         account.username)
        after = _roles(account)
        if before != after:
            audit.record(actor, Action.ROLE_CHANGED, f"{account.username}: {added_and_removed(before, after)}")


def programme_save(*, programme: Programme, members: Iterable[User], actor: User) -> None:
    """Save a new or changed programme with `members` as its coordinators; the audit log
    notes who was added and who removed."""
    with transaction.atomic():
        before = set(programme.members.values_list("username", flat=True)) if programme.pk is not None else set()
        programme.save()
        programme.members.set(members)
        after = set(programme.members.values_list("username", flat=True))
        if before != after:
            audit.record(actor, Action.MEMBERSHIP_CHANGED, f"{programme.slug}: {added_and_removed(before, after)}")


def account_password_changed(*, account: User, actor: User) -> None:
    """Note a new password, in the transaction that saved it. (The change itself is made
    by Django's own password pages, which offer no place to pass the acting account.)"""
    audit.record(actor, Action.PASSWORD_CHANGED, account.username)
