"""Month sign-off in a real browser, at desktop and phone width: staff submit November
2023, an auditor returns it with a reason, staff reopen it, correct it, make its report
again and submit it anew, the auditor accepts it, and a coordinator's attempt to log a
request into it is refused with the reason. In English; the same pages in Russian, all
but the correction's."""

import io

from django.core.management import call_command
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Page, expect

from intake import demo
from intake.models import AuditEvent, HelpRequest, MonthReview, Programme
from reports.demo import load_reference_figures
from reports.models import Report
from tests.conftest import make_user

from .helpers import DESKTOP, PHONE, check_accessibility, log_in, screenshot

REVIEW = "/review/desertion-help/2023-11/"


def said(language: str, text: str, **values) -> str:
    """What the page says for `text` in `language`."""
    with translation.override(language):
        return gettext(text) % values if values else gettext(text)


def check_at_both_widths(page: Page) -> None:
    """axe-core on the page at phone width, then at desktop width."""
    page.set_viewport_size(PHONE)
    check_accessibility(page)
    page.set_viewport_size(DESKTOP)
    check_accessibility(page)


def log_out(page: Page) -> None:
    page.locator("nav form[action='/logout/'] button").click()
    expect(page.locator("input[name=username]")).to_be_visible()  # back on the login page


def success(page: Page):
    return page.locator("main .alert-success[role=alert]")


def test_a_month_is_submitted_returned_corrected_resubmitted_accepted_and_then_refuses_changes(
    page, live_server, celery_worker, staff, auditor, demo_programme
):
    review_journey(page, live_server, staff, auditor, demo_programme, "en", correct=True)


def test_the_pages_of_the_review_in_russian_at_desktop_and_phone_width(
    page, live_server, committed_db, staff, auditor, demo_programme
):
    """The same pages in Russian, each checked as in English: its words, axe-core at the
    same widths, its screenshot. The correction between the return and the second
    submission (requests logged, a new version of the report made by the worker) is the
    English run's: here staff submit the reopened month again on version 1."""
    review_journey(page, live_server, staff, auditor, demo_programme, "ru", correct=False)


def review_journey(page: Page, live_server, staff, auditor, programme: Programme, language: str, *, correct: bool):
    load_reference_figures()
    call_command("monthly_report", "2023-11", "--programme", demo.SLUG, "--inline", stdout=io.StringIO())
    coordinator = make_user("coord-demo", "Coordinator", [programme])
    suffix = "" if language == "en" else "-ru"
    version = 2 if correct else 1

    # Staff, from the report to the review of its month: submit it on version 1.
    log_in(page, staff.username)
    if language == "ru":
        page.locator("nav button[value=ru]").click()
        expect(page.locator("html")).to_have_attribute("lang", "ru")
        check_accessibility(page)
    page.goto("/reports/desertion-help/2023-11/")
    check_accessibility(page)
    page.locator(f"main a[href='{REVIEW}']").click()
    expect(page.locator("[data-review-state]")).to_have_attribute("data-review-state", "open")
    check_at_both_widths(page)
    screenshot(page, f"review-open{suffix}")
    expect(page.locator("#submit-version")).to_have_value("1")
    page.locator("button[name=action][value=submit]").click()
    expect(success(page)).to_contain_text(said(language, "Submitted for review on version %(version)s of the "
                                                         "report. The month is locked until an auditor accepts "
                                                         "or returns it.", version=1))
    check_at_both_widths(page)
    log_out(page)

    # The auditor, from the queue: a return without a reason is refused, then one with a reason.
    log_in(page, auditor.username)
    page.locator("nav a[href='/review/']").click()
    check_at_both_widths(page)
    screenshot(page, f"review-queue-auditor{suffix}")
    page.locator(f"[data-queue=awaiting] a[href='{REVIEW}']").click()
    check_at_both_widths(page)
    screenshot(page, f"review-submitted-auditor{suffix}")
    page.locator("button[name=action][value=return]").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text(said(language, "Choose why the month is returned."))
    check_at_both_widths(page)
    screenshot(page, f"review-return-without-reason{suffix}")
    summary.locator("a").click()
    expect(page.locator("#return-reason")).to_be_focused()
    page.locator("#return-figures_disagree").check()
    page.locator("button[name=action][value=return]").click()
    expect(success(page)).to_contain_text(said(language, "Returned to staff with the reason given."))
    expect(page.locator("[data-review-state]")).to_contain_text(said(language, "Figures disagree with the source"))
    check_at_both_widths(page)
    log_out(page)

    # Staff reopen it, log the two requests the source has and the month lacked, make
    # the report again and submit the month on the new version.
    log_in(page, staff.username)
    page.locator("nav a[href='/review/']").click()
    check_accessibility(page)
    page.locator(f"[data-queue=returned] a[href='{REVIEW}']").click()
    check_accessibility(page)
    screenshot(page, f"review-returned-staff{suffix}")
    page.locator("button[name=action][value=reopen]").click()
    expect(page.locator("[data-review-state]")).to_have_attribute("data-review-state", "open")
    check_accessibility(page)
    if correct:
        page.goto("/requests/counts/")
        check_accessibility(page)
        page.locator("input[name=month]").fill("2023-11")
        page.locator("select[name=category]").select_option("desertion")
        page.locator("input[name=count]").fill("2")
        page.locator("main button[type=submit]").click()
        expect(page.locator("main [role=alert]")).to_be_visible()
        check_accessibility(page)
        page.goto("/reports/desertion-help/2023-11/v1/")
        check_accessibility(page)
        page.locator("main form[action='/reports/generate/'] button").click()
        expect(page).to_have_url(f"{live_server.url}/reports/desertion-help/2023-11/v2/")
        expect(page.locator("main .narrative").first).to_be_visible(timeout=30_000)
        check_accessibility(page)
        page.locator(f"main a[href='{REVIEW}']").click()
    expect(page.locator("#submit-version")).to_have_value(str(version))
    check_accessibility(page)
    page.locator("button[name=action][value=submit]").click()
    expect(success(page)).to_be_visible()
    check_accessibility(page)
    log_out(page)

    # The auditor accepts; the month's reports are final.
    log_in(page, auditor.username)
    page.goto("/review/")
    check_accessibility(page)
    page.locator(f"[data-queue=awaiting] a[href='{REVIEW}']").click()
    check_accessibility(page)
    page.locator("button[name=action][value=accept]").click()
    expect(success(page)).to_contain_text(said(language, "Accepted. The month is locked, and its reports are final."))
    expect(page.locator("[data-final]")).to_be_visible()
    check_at_both_widths(page)
    screenshot(page, f"review-accepted{suffix}")
    page.locator(f"main a[href='/reports/desertion-help/2023-11/v{version}/']").click()
    expect(page.locator("[data-final]")).to_be_visible()
    check_accessibility(page)
    log_out(page)

    # A coordinator's attempt to log a request into November is refused, and says why.
    log_in(page, coordinator.username)
    page.goto("/requests/counts/")
    check_accessibility(page)
    page.locator("input[name=month]").fill("2023-11")
    page.locator("select[name=category]").select_option("desertion")
    page.locator("input[name=count]").fill("1")
    page.locator("main button[type=submit]").click()
    review = MonthReview.objects.get(programme=programme)
    with translation.override(language):
        refusal = review.locked_message()
    expect(page.locator("main form")).to_contain_text(refusal)
    check_at_both_widths(page)
    screenshot(page, f"log-into-accepted-month{suffix}")

    assert (review.state, review.report_version) == (MonthReview.State.ACCEPTED, version)
    assert HelpRequest.objects.filter(programme=programme).count() == 1017 + (2 if correct else 0)
    assert Report.objects.filter(programme=programme, state=Report.State.READY).count() == version
    assert list(AuditEvent.objects.filter(action__in=[
        "month_submitted", "month_returned", "month_reopened", "month_accepted"]).order_by("pk")
        .values_list("actor__username", "action", "subject")) == [
        (staff.username, "month_submitted", "desertion-help 2023-11 v1"),
        (auditor.username, "month_returned", "desertion-help 2023-11 figures_disagree"),
        (staff.username, "month_reopened", "desertion-help 2023-11"),
        (staff.username, "month_submitted", f"desertion-help 2023-11 v{version}"),
        (auditor.username, "month_accepted", f"desertion-help 2023-11 v{version}"),
    ]
