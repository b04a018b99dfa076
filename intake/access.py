"""Who may work in which programme: the one place views ask."""

from django.db.models import QuerySet

from .models import Programme


def programmes_for(user) -> QuerySet[Programme]:
    """The programmes whose requests a user may work with: staff every one,
    coordinators the ones they belong to, everyone else none."""
    if user.has_perm("intake.act_in_all_programmes"):
        return Programme.objects.all()
    if user.has_perm("intake.view_helprequest"):
        return user.programmes.all()
    return Programme.objects.none()
