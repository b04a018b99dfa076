"""The demo_programme fixture copies rows made once per session (tests/demo_data.py):
the copy must be what load_demo makes."""

import threading

from django.contrib.auth.models import Group
from django.db import connection

from intake import demo
from intake.models import DataVersion, HelpRequest, MonthlyCount, Programme, User


def described() -> dict:
    """The demo as a test sees it, without ids and the random references."""
    programme = Programme.objects.get(slug=demo.SLUG)
    return {
        "programme": (programme.name, programme.name_ru, programme.first_month, programme.is_demo),
        "requests": sorted(HelpRequest.objects.filter(programme=programme).values_list(
            "month", "category", "status", "outcome", "closed_month", "entry")),
        "counts": sorted(MonthlyCount.objects.filter(programme=programme).values_list(
            "month", "category", "status", "outcome", "closed_month", "requests", "collapsed")),
        "versions": sorted(DataVersion.objects.filter(programme=programme).values_list("month", "version")),
        "accounts": sorted((user.username, user.is_staff, user.is_active, user.check_password(password),
                            tuple(user.groups.values_list("name", flat=True)), user.programmes.count())
                           for user in User.objects.filter(username__in=demo.ACCOUNTS)
                           for password in [demo.ACCOUNTS[user.username][1]]),
        "members": sorted(programme.members.values_list("username", flat=True)),
    }


def test_the_demo_fixture_holds_what_load_demo_makes(demo_programme):
    copied = described()
    references = list(HelpRequest.objects.values_list("reference", flat=True))
    # The same database without the demo, then load_demo itself.
    HelpRequest.objects.all().delete()
    MonthlyCount.objects.all().delete()
    DataVersion.objects.all().delete()
    User.objects.filter(username__in=demo.ACCOUNTS).delete()
    Programme.objects.all().delete()
    assert Group.objects.count() == 4  # the roles stay

    demo.load_demo()

    assert described() == copied
    assert len(copied["requests"]) == sum(count for count, _source in demo.MONTHS.values())
    assert len(set(references)) == len(references)
    assert all(len(reference) == 9 and reference[4] == "-" for reference in references)


def test_a_test_that_commits_gets_the_demo_committed(committed_db, demo_programme):
    """Another connection (a worker's, a live server's) sees the demo."""
    seen = []

    def count() -> None:
        seen.append(HelpRequest.objects.filter(programme=demo_programme).count())
        connection.close()

    thread = threading.Thread(target=count)
    thread.start()
    thread.join()

    assert seen == [1017]
