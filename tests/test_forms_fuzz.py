"""Random input to every form of the app, posted by the person allowed to use it: never
a server error, and never a partial write. A form either writes all it was given
(as many requests as the count posted, one report, one reference figure) or nothing.

Each form starts from a plausible filling, so that some examples are accepted, then
has random fields replaced by garbage, dropped, or joined by fields it does not know.
"""

import csv
import datetime as dt
import io
import json
from collections import Counter
from decimal import Decimal
from urllib.parse import quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake.imports import COLUMNS
from intake.models import AuditEvent, Category, Entry, HelpRequest, MonthReview, Outcome, Status, User
from intake.months import add_months, format_month, month_range
from intake.services import MAX_COUNT, RequestSpec, request_move, requests_log
from reports.models import ReferenceFigure, Report
from reports.services import report_generate, report_request
from tests.conftest import THIS_MONTH

# Anything but a server error: 429 is the login throttle.
ANSWERS = {200, 302, 400, 403, 404, 429}
# The months below are fixed when the module loads; every test runs with the clock set
# in THIS_MONTH, so that the app agrees which of them are in the future.
pytestmark = pytest.mark.usefixtures("this_month")
# The months both test programmes have (the coordinator's "help" starts in 2023-04).
MONTHS = [format_month(month) for month in month_range(dt.date(2023, 4, 1), THIS_MONTH)]
NEXT_MONTH = format_month(add_months(THIS_MONTH, 1))
# Well formed, but against the rules: before any programme began, or in the future.
RULE_BREAKING_MONTHS = ["2022-12", NEXT_MONTH]
ODD_MONTHS = ["2023-13", "0000-00", "0000-01", "0001-01", "9999-12", "2023-00", "2023-1", "23-11", "2023/11",
              "2023-11-01", " 2023-11 ", "２０２３-１１", *RULE_BREAKING_MONTHS]
ODD_NUMBERS = ["0", "-1", "5001", str(10**30), "-" + str(10**30), "1e3", "7.0", "7.5", "NaN", "inf", "٣", " 3 ",
               "0x10", "1_000", str(2**31), str(2**63)]

month_like = st.one_of(st.sampled_from(MONTHS + ODD_MONTHS), st.from_regex(r"\A\d{4}-\d{2}\Z"))
garbage = st.one_of(
    st.text(max_size=30),
    st.just(""),
    st.integers().map(str),
    st.sampled_from(ODD_NUMBERS + ODD_MONTHS + ["\x00", "x" * 400, "<script>alert(1)</script>", "' OR 1=1 --"]),
    month_like,
)
extra_fields = st.dictionaries(st.text(min_size=1, max_size=12), st.text(max_size=20), max_size=3)

# A few seconds a test on SQLite. Each test runs hypothesis on an inner function, so its
# fixtures are made once and the database carries over between examples: every example
# compares the rows before and after its own post. No example database is kept.
fuzz = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def fuzzed(draw, plausible):
    """A form filled from `plausible`, then a few fields made garbage, some dropped,
    and a few unknown fields added."""
    form = draw(plausible)
    for name in draw(st.sets(st.sampled_from(sorted(form)), max_size=3)):
        form[name] = draw(garbage)
    for name in draw(st.sets(st.sampled_from(sorted(form)), max_size=1)):
        del form[name]
    return draw(extra_fields) | form


@st.composite
def plausible_request(draw, programmes=("help",), slips: bool = True) -> dict:
    """A request's fields as a coordinator would fill them in: with `slips`, half the
    months are ones the rules refuse (too early, in the future, closed before received)."""
    months = st.sampled_from(MONTHS)
    if slips:
        months = st.one_of(months, st.sampled_from(RULE_BREAKING_MONTHS))
    month = draw(months)
    status = draw(st.sampled_from(Status.values))
    closed = status == Status.CLOSED
    return {
        "programme": draw(st.sampled_from(programmes)),
        "month": month,
        "category": draw(st.sampled_from(Category.values)),
        "status": status,
        "outcome": draw(st.sampled_from(Outcome.values)) if closed else "",
        "closed_month": draw(months if slips else st.sampled_from([m for m in MONTHS if m >= month])) if closed else "",
    }


def whole_number(text: str) -> int:
    """The number a person meant by a count the form accepted ("12", " 12", "12.0")."""
    return int(Decimal(text.strip()))


def as_month(text: str) -> dt.date:
    """The month a person meant by a month the form accepted ("2023-11", " 2023-11")."""
    year, month = text.strip().split("-")
    return dt.date(int(year), int(month), 1)


def post(client, url: str, form: dict):
    """A form as a browser sends it (application/x-www-form-urlencoded)."""
    response = client.post(url, urlencode(form), content_type="application/x-www-form-urlencoded")
    assert response.status_code in ANSWERS, (response.status_code, form)
    return response


def rows() -> tuple[int, int]:
    return HelpRequest.objects.count(), Entry.objects.count()


def assert_some_accepted_and_some_refused(outcomes: Counter) -> None:
    assert outcomes["accepted"] and outcomes["refused"], outcomes


# --- coordinators' forms -------------------------------------------------------------


@pytest.fixture
def coordinator_browser(client_for, coordinator, programme, other_programme):
    return client_for(coordinator)


def test_logging_counts_writes_the_count_posted_or_nothing(coordinator_browser):
    outcomes = Counter()
    plausible = plausible_request(programmes=("help", "help", "other")).flatmap(
        # Now and then the largest count allowed: thousands of rows in one transaction.
        lambda form: st.sampled_from([*range(1, 31), MAX_COUNT]).map(lambda n: form | {"count": str(n)})
    )

    @settings(fuzz, max_examples=70)
    @given(form=fuzzed(plausible))
    def log_counts(form):
        before = rows()
        response = post(coordinator_browser, "/requests/counts/", form)
        after = rows()
        if response.status_code == 302:
            outcomes["accepted"] += 1
            assert (after[0] - before[0], after[1] - before[1]) == (whole_number(form["count"]), 1), form
        else:
            outcomes["refused"] += 1
            assert after == before, form

    log_counts()
    assert_some_accepted_and_some_refused(outcomes)


def test_logging_one_request_writes_one_or_nothing(coordinator_browser):
    outcomes = Counter()
    plausible = plausible_request(programmes=("help", "help", "other")).map(
        lambda form: {name: form[name] for name in ("programme", "month", "category")}
    )

    @fuzz
    @given(form=fuzzed(plausible))
    def log_one(form):
        before = rows()
        response = post(coordinator_browser, "/requests/new/", form)
        after = rows()
        accepted = response.status_code == 302
        outcomes["accepted" if accepted else "refused"] += 1
        assert (after[0] - before[0], after[1] - before[1]) == ((1, 1) if accepted else (0, 0)), form

    log_one()
    assert_some_accepted_and_some_refused(outcomes)


def request_states() -> dict:
    return dict((pk, rest) for pk, *rest in HelpRequest.objects.values_list("pk", "status", "outcome", "closed_month"))


def test_moving_requests_moves_the_count_posted_or_none(coordinator_browser, programme):
    # Plenty of legal requests to move; a few "other" ones, fewer than some moves ask for.
    for category, status, count in (("legal", Status.NEW, 150), ("legal", Status.IN_PROGRESS, 30),
                                    ("other", Status.NEW, 5)):
        requests_log(spec=RequestSpec(programme=programme, month=dt.date(2023, 10, 1), category=category,
                                      status=status), count=count, author=None)
    outcomes = Counter()

    @st.composite
    def plausible(draw):
        from_status, to_status = draw(st.sampled_from(
            [("new", "in_progress"), ("new", "closed"), ("in_progress", "closed"), ("closed", "in_progress")]))
        closing = to_status == "closed"
        return {
            "programme": "help", "month": draw(st.sampled_from(["2023-10", "2023-10", "2023-11"])),
            "category": draw(st.sampled_from(["legal", "legal", "other"])), "from_status": from_status,
            "count": str(draw(st.integers(1, 12))), "to_status": to_status,
            "outcome": draw(st.sampled_from(Outcome.values)) if closing else "",
            "closed_month": draw(st.sampled_from(["2023-10", "2023-12", "2023-09", NEXT_MONTH])) if closing else "",
        }

    @fuzz
    @given(form=fuzzed(plausible()))
    def move(form):
        before, total = request_states(), HelpRequest.objects.count()
        response = post(coordinator_browser, "/requests/move/", form)
        after = request_states()
        changed = sum(1 for pk, state in after.items() if before[pk] != state)
        assert HelpRequest.objects.count() == total
        if response.status_code == 302:
            outcomes["accepted"] += 1
            assert changed == whole_number(form["count"]), form
        else:
            outcomes["refused"] += 1
            assert changed == 0, form

    move()
    assert_some_accepted_and_some_refused(outcomes)


def test_closing_a_request_closes_it_or_leaves_it_as_it_was(coordinator_browser, programme):
    entry = requests_log(spec=RequestSpec(programme=programme, month=dt.date(2023, 10, 1), category="legal",
                                          status=Status.IN_PROGRESS), author=None)
    help_request = entry.requests.get()
    outcomes = Counter()
    plausible = st.fixed_dictionaries({
        "seen": st.just(Status.IN_PROGRESS.value),
        "outcome": st.sampled_from(Outcome.values),
        "month": st.one_of(st.sampled_from([m for m in MONTHS if m >= "2023-10"]),
                           st.sampled_from(["2023-09", NEXT_MONTH])),  # closed before received, or in the future
    })
    # Mostly the request's own reference, so that most examples reach the form.
    references = st.one_of(st.just(help_request.reference), st.one_of(
        st.just(help_request.reference.lower()),
        st.sampled_from(["\x00", f"{help_request.reference[:8]}\x00", "..", "%", "find"]),
        st.text(min_size=1, max_size=12),
    ))

    @settings(fuzz, max_examples=55)
    @given(form=fuzzed(plausible), reference=references)
    def close(form, reference):
        before = rows()
        response = post(coordinator_browser, f"/requests/{quote(reference, safe='')}/close/", form)
        help_request.refresh_from_db()
        assert rows() == before
        if response.status_code == 302:
            outcomes["accepted"] += 1
            assert (help_request.status, help_request.outcome, help_request.closed_month) == (
                "closed", form["outcome"], as_month(form["month"])), form
        else:
            outcomes["refused"] += 1
            assert (help_request.status, help_request.outcome, help_request.closed_month) == ("in_progress", "", None)
        # Open again for the next example.
        if help_request.status == Status.CLOSED:
            request_move(help_request, Status.IN_PROGRESS)

    close()
    assert_some_accepted_and_some_refused(outcomes)


# --- staff's forms ---------------------------------------------------------------------


@pytest.fixture
def staff_browser(client_for, staff, programme, other_programme):
    return client_for(staff)


@st.composite
def csv_files(draw) -> bytes:
    """A CSV file of counts: a header in any order and case (sometimes with a column
    too many or too few), rows mostly as the format wants them."""
    # Now and then, not always: most files should get past the header to the rows.
    now_and_then = st.sampled_from([False] * 5 + [True])
    header = list(draw(st.permutations(COLUMNS)))
    if draw(now_and_then):
        header = [draw(st.sampled_from([name, name.upper(), f" {name} "])) for name in header]
    if draw(now_and_then):
        header.append(draw(st.one_of(st.sampled_from(["name", "phone", "notes", "count"]), st.text(max_size=10))))
    if draw(now_and_then):
        del header[draw(st.integers(0, len(header) - 1))]
    plausible_row = st.builds(lambda form, count: form | {"count": str(count)},
                              plausible_request(programmes=("help", "other"), slips=False), st.integers(1, 40))
    lines = []
    body = st.lists(fuzzed(plausible_row) if draw(now_and_then) else plausible_row,
                    min_size=0 if draw(now_and_then) else 1, max_size=5)
    for row in draw(body):
        lines.append([row.get(name.strip().lower(), "") for name in header])
    if draw(now_and_then):
        lines.append(draw(st.lists(st.text(max_size=10), max_size=8)))
    text = io.StringIO()
    csv.writer(text, lineterminator=draw(st.sampled_from(["\n", "\r\n"]))).writerows([header, *lines])
    return text.getvalue().encode(draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16"])))


def posted_counts(data: bytes) -> tuple[int, int]:
    """(requests, entries) of a CSV file the import accepted."""
    text = data.decode("utf-16" if data[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig")
    lines = csv.reader(io.StringIO(text, newline=""))
    table = [row for row in lines if any(cell.strip() for cell in row)]
    header = [name.strip().lower() for name in table[0]]
    records = [dict(zip(header, (cell.strip() for cell in row))) for row in table[1:]]
    return sum(int(record["count"]) for record in records), 1  # one entry per import, whatever its programmes


def test_importing_a_file_writes_all_its_rows_or_none(staff_browser):
    outcomes = Counter()

    def uploads(contents):
        return st.builds(
            SimpleUploadedFile,
            name=st.from_regex(r"\A\w[\w -]{0,15}(\.csv|\.txt|\.png)?\Z"),
            content=contents,
            content_type=st.sampled_from(["text/csv", "application/octet-stream", "text/plain", "image/png"]),
        ).flatmap(lambda upload: extra_fields.map(lambda extra: extra | {"file": upload}))

    # Half the posts a CSV file, the other half anything else.
    forms = st.one_of(uploads(csv_files()), st.one_of(
        uploads(st.one_of(st.binary(max_size=300), st.text(max_size=200).map(str.encode))),
        st.builds(lambda text, extra: extra | {"file": text}, st.text(max_size=30), extra_fields),  # not a file
        extra_fields,  # no file at all
    ))

    @settings(fuzz, max_examples=55)
    @given(form=forms)
    def upload(form):
        before = rows()
        content = form["file"].read() if isinstance(form.get("file"), SimpleUploadedFile) else None
        if content is not None:
            form["file"].seek(0)
        response = staff_browser.post("/requests/import/", form)
        assert response.status_code in ANSWERS, (response.status_code, form)
        if response.status_code == 200 and response.context and "key" in response.context:
            assert rows() == before  # the preview writes nothing
            response = staff_browser.post("/requests/import/", {"preview": response.context["key"]})
        after = rows()
        if response.status_code == 302:
            outcomes["accepted"] += 1
            assert (after[0] - before[0], after[1] - before[1]) == posted_counts(content), content
        else:
            outcomes["refused"] += 1
            assert after == before, content

    upload()
    assert_some_accepted_and_some_refused(outcomes)


def test_generating_a_report_queues_one_or_none(staff_browser):
    outcomes = Counter()
    plausible = st.fixed_dictionaries({
        "programme": st.sampled_from(["", "help", "other", "all", "desertion-help"]),
        "month": st.one_of(st.sampled_from(MONTHS), st.sampled_from(RULE_BREAKING_MONTHS)),
    })

    @fuzz
    @given(form=fuzzed(plausible))
    def generate(form):
        before = Report.objects.count()
        response = post(staff_browser, "/reports/generate/", form)
        accepted = response.status_code == 302
        outcomes["accepted" if accepted else "refused"] += 1
        assert Report.objects.count() == before + accepted, form

    generate()
    assert_some_accepted_and_some_refused(outcomes)


numbers = st.integers(0, 100_000).map(str)
plausible_figure = st.fixed_dictionaries({
    "source": st.text(min_size=1, max_size=40), "measure": st.text(min_size=1, max_size=40),
    "period": st.text(min_size=1, max_size=20), "value": numbers, "value_high": st.one_of(st.just(""), numbers),
    "per": st.sampled_from(ReferenceFigure.Per.values), "out_of": st.one_of(st.just(""), numbers),
    "citation": st.text(min_size=1, max_size=60),
    **{f"{field}_ru": st.text(max_size=40) for field in ("source", "measure", "period", "citation")},
})


def test_adding_a_reference_figure_adds_one_or_none(staff_browser):
    outcomes = Counter()

    @fuzz
    @given(form=fuzzed(plausible_figure))
    def add(form):
        before = ReferenceFigure.objects.count()
        response = post(staff_browser, "/reports/reference/new/", form)
        accepted = response.status_code == 302
        outcomes["accepted" if accepted else "refused"] += 1
        assert ReferenceFigure.objects.count() == before + accepted, form

    add()
    assert_some_accepted_and_some_refused(outcomes)


def test_editing_a_reference_figure_changes_it_or_leaves_it_as_it_was(staff_browser):
    figure = ReferenceFigure.objects.create(source="A court", period="2023", measure="cases", value=4,
                                            citation="A newspaper")
    outcomes = Counter()

    @settings(fuzz, max_examples=40)
    @given(form=fuzzed(plausible_figure))
    def edit(form):
        before = ReferenceFigure.objects.values().get(pk=figure.pk)
        response = post(staff_browser, f"/reports/reference/{figure.pk}/", form)
        after = ReferenceFigure.objects.values().get(pk=figure.pk)
        assert ReferenceFigure.objects.count() == 1
        if response.status_code == 302:
            outcomes["accepted"] += 1
            assert after["value"] == whole_number(form["value"]), form
            assert after["citation"] == form["citation"].strip(), form
        else:
            outcomes["refused"] += 1
            assert after == before, form

    edit()
    assert_some_accepted_and_some_refused(outcomes)


# --- anyone ----------------------------------------------------------------------------


def test_login_with_random_credentials_never_fails_and_logs_nobody_in(staff):
    browser = Client()
    accounts = User.objects.count()
    # Random usernames: five wrong passwords for one username would lock it (429).
    plausible = st.fixed_dictionaries({
        "username": st.one_of(st.text(max_size=40), st.from_regex(r"\A[\w.-]{1,40}\Z")),
        "password": st.text(max_size=60),
    })

    @fuzz
    @given(form=fuzzed(plausible))
    def log_in(form):
        post(browser, "/login/", form)
        assert "_auth_user_id" not in browser.session

    log_in()
    assert User.objects.count() == accounts


def test_second_factor_codes_at_random_never_fail_and_never_set_up_or_pass_it(coordinator):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    browser = Client()
    browser.force_login(coordinator)
    browser.get("/account/two-factor/")  # makes the unconfirmed device
    plausible = st.fixed_dictionaries({"token": st.one_of(st.from_regex(r"\A\d{6}\Z"), st.text(max_size=20))})

    @fuzz
    @given(form=fuzzed(plausible), path=st.sampled_from(["/account/two-factor/", "/account/verify/"]))
    def enter(form, path):
        post(browser, path, form)
        device = TOTPDevice.objects.get(user=coordinator)
        device.throttle_reset()  # wrong codes slow further tries; keep trying the app
        assert not device.confirmed
        assert not browser.get("/").wsgi_request.user.is_verified()

    enter()


# --- auditors' forms ---------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=20,
)


def test_checking_a_json_export_answers_and_writes_nothing_but_its_audit_event(client_for, auditor, programme):
    from reports.services import report_generate, report_request

    report = report_request(programme=programme, month=dt.date(2023, 4, 1), send=False)
    report_generate(report_id=report.pk)
    stored = Report.objects.get().document
    browser = client_for(auditor)
    outcomes = Counter()

    def mutated(document: dict):
        """The stored export with a few keys given random values, dropped or added."""
        return st.fixed_dictionaries({}, optional={key: json_values for key in document}).flatmap(
            lambda changes: st.sets(st.sampled_from(sorted(document)), max_size=2).map(
                lambda dropped: {k: v for k, v in (document | changes).items() if k not in dropped}))

    texts = st.one_of(
        mutated(stored).map(json.dumps),
        json_values.map(json.dumps),
        st.text(max_size=200),
        st.just(json.dumps(stored)),
    )

    @fuzz
    @given(text=texts, as_file=st.booleans())
    def check(text, as_file):
        before = (Report.objects.values_list("pk", "state", "body").get(), HelpRequest.objects.count())
        form = {"file": SimpleUploadedFile("export.json", text.encode())} if as_file else {"text": text}
        response = browser.post("/reports/verify/", form)
        assert response.status_code in {200, 400}, (response.status_code, text)
        outcomes["accepted" if response.status_code == 200 else "refused"] += 1
        assert (Report.objects.values_list("pk", "state", "body").get(), HelpRequest.objects.count()) == before

    check()
    assert_some_accepted_and_some_refused(outcomes)


# --- month review ----------------------------------------------------------------------


def test_a_review_step_is_taken_by_the_rules_or_not_at_all(new_client_for, staff, auditor, programme):
    report_generate(report_id=report_request(programme=programme, month=dt.date(2023, 11, 1), send=False).pk)
    browsers = {"staff": new_client_for(staff), "auditor": new_client_for(auditor)}
    # The state a step may lead to from each (the unlock steps keep the month accepted).
    allowed = {("open", "submitted"), ("submitted", "accepted"), ("submitted", "returned"), ("returned", "open"),
               ("accepted", "accepted")}
    reasons = MonthReview.ReturnReason.values + MonthReview.UnlockReason.values
    plausible = st.fixed_dictionaries({
        "action": st.sampled_from(["submit", "accept", "return", "reopen", "request_unlock", "grant_unlock"]),
        "reason": st.one_of(st.sampled_from(reasons), st.just("")),
        "version": st.sampled_from(["", "1", "2"]),
        "days": st.sampled_from(["", "1", "7", "31", "32"]),
    })
    outcomes = Counter()

    def review() -> tuple:
        return tuple(MonthReview.objects.filter(programme=programme).values_list(
            "state", "report_version", "return_reason", "unlock_reason", "unlocked_until").first() or ("open",))

    def steps_noted() -> int:
        return AuditEvent.objects.filter(action__in=["month_submitted", "month_accepted", "month_returned",
                                                     "month_reopened", "unlock_requested", "unlock_granted"]).count()

    @settings(fuzz, max_examples=55)
    @given(form=fuzzed(plausible), who=st.sampled_from(["staff", "auditor"]))
    def step(form, who):
        before, noted = review(), steps_noted()
        response = post(browsers[who], "/review/help/2023-11/", form)
        after = review()
        if response.status_code == 302:
            outcomes["accepted"] += 1
            assert (before[0], after[0]) in allowed and after != before, (who, form, before, after)
            assert steps_noted() == noted + 1
        else:
            outcomes["refused"] += 1
            assert after == before, (who, form)
            assert steps_noted() == noted

    step()
    assert_some_accepted_and_some_refused(outcomes)
