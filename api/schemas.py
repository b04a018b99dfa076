"""What the API answers, as pydantic schemas (django-ninja): they validate every answer
and make the OpenAPI document. A report's counts are whole numbers or the two markers
of disclosure control; its percentages whole numbers or null."""

from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field, create_model

from intake.models import Category, Outcome
from intake.months import MONTH_PATTERN

Month = Annotated[str, Field(pattern=f"^{MONTH_PATTERN}$", examples=["2023-11"])]
Count = Annotated[
    int | Literal["<10", "[c]"],
    Field(description='A number of requests rounded to the nearest 5, "<10" for 1 to 9, or "[c]" when withheld '
                      "so that a suppressed count cannot be worked out."),
]
Pct = Annotated[int | None, Field(description="A whole-number percentage; null when it would reveal a suppressed "
                                              "count or has no base.")]


class Texts(Schema):
    en: str
    ru: str | None = Field(description="null when no Russian text was given")


class ProgrammeOut(Schema):
    slug: str
    name: Texts
    first_month: Month


class MonthOut(Schema):
    month: Month
    published: bool = Field(description="Whether the reports of this month can be read now.")


class ReportSummary(Schema):
    scope: str = Field(description='A programme\'s slug, or "all".')
    month: Month
    version: int
    url: str


class ScopeOut(Schema):
    programme: str | None


class RequestsOut(Schema):
    this_month: Count
    previous_month: Count | None
    change_pct: Pct


class Span(Schema):
    first: Month
    last: Month
    requests: Count
    season: Literal["spring", "summer", "autumn", "winter"] | None


class WindowOut(Schema):
    length: int
    current: Span
    previous: Span | None
    change_pct: Pct


class MonthCount(Schema):
    month: Month
    requests: Count


class SinceStart(Schema):
    first: Month
    months: int
    requests: Count
    current_window_share_pct: Pct
    highest: list[MonthCount] | None
    lowest: list[MonthCount] | None
    rank_of_month: int | None


ByCategory = create_model("ByCategory", __base__=Schema, **{code: (Count, ...) for code in Category.values})
ByStatus = create_model("ByStatus", __base__=Schema, open=(Count, ...), closed=(Count, ...))
ByOutcome = create_model("ByOutcome", __base__=Schema, **{code: (Count, ...) for code in Outcome.values})


WithheldCode = Literal["small", "protects_small", "not_stated", "audit"]


class ReportOut(Schema):
    """A report as the token's profile may show it (docs/report-json.md), keys in the
    documented order, "profile" after "version"."""

    scope: ScopeOut
    month: Month
    version: int
    profile: Literal["partner", "public"]
    requests: RequestsOut
    window: WindowOut
    since_start: SinceStart
    series: list[MonthCount]
    by_category: ByCategory
    by_status_end_of_month: ByStatus
    outcomes_closed_in_month: ByOutcome
    withheld: dict[str, WithheldCode] = Field(
        default_factory=dict,
        description='Why each hidden figure ("<10", "[c]", or null where a figure is not stated) is hidden: the '
                    "figure's dotted name (a month of a list by its month, e.g. series.2023-05) -> a reason code.")
    reasons: dict[WithheldCode, str] = Field(
        default_factory=dict,
        description="The words of each reason code used, in the request's language (Accept-Language: en or ru). "
                    "Not covered by the fingerprint.")
    fingerprint: str = Field(pattern=r"^sha256:[0-9a-f]{64}$", description="SHA-256 of this document's canonical "
                             "JSON (sorted keys, no spaces, without this key).")


class Derived(Schema):
    share_pct: float | None = None
    per_month: list[int] | None = None
    per_day: list[int] | None = None


class ReferenceFigureOut(Schema):
    id: int
    source: Texts
    measure: Texts
    period: Texts
    value: int
    value_high: int | None
    per: Literal["period", "day", "year"]
    out_of: int | None
    citation: Texts
    derived: Derived


class PublicationOut(Schema):
    index: int = Field(description="The entry's index in the transparency log (from 0).")
    kind: Literal["publication", "key_rotation"]
    name: str = Field(description="The file name the document is published under.")
    url: str = Field(description="The exact file that was signed.")
    signature_url: str = Field(description="Its detached signature, in minisign's format.")
    proof_url: str = Field(description="Its inclusion proof in the log's latest checkpoint.")
    key_id: str = Field(description="The minisign key ID of the key that signed it.")
    trusted_comment: str = Field(description="The signed comment: organisation, scope, month, version, profile, "
                                             "published fingerprint and log index, as JSON.")


class ProblemOut(Schema):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
