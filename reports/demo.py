"""Demo reference figures: those the article cites from other sources (docs/figures.md, B),
and the demo programme's November 2023 report, so that a first start has one to open."""

from intake import demo
from intake.models import Programme

from .models import ReferenceFigure, Report
from .services import report_generate, report_request

CITATION = "The Moscow Times, \u201c'War, Prison or Disability': Russian Military Desertions Surge\u201d (late 2023)"

REFERENCE_FIGURES = [
    {"source": "Hochu Zhit (\u201cI Want to Live\u201d), Ukrainian surrender programme",
     "period": "Sep 2022 \u2013 Sep 2023", "measure": "applications from Russia (more than)",
     "value": 22000, "per": ReferenceFigure.Per.YEAR},
    {"source": "Ukrainian military intelligence (spokesman A. Yusov)", "period": "August 2023",
     "measure": "of the prisoners of war captured surrendered voluntarily (\u201cone in five\u201d)",
     "value": 40, "out_of": 200},
    {"source": "Ukrainian military intelligence", "period": "2023",
     "measure": "Russian servicemen surrendering under the programme", "value": 3, "value_high": 5,
     "per": ReferenceFigure.Per.DAY},
    {"source": "Mediazona", "period": "Sep 2022 \u2013 late 2023",
     "measure": "sentences in cases of unauthorised abandonment of a unit sent to military courts",
     "value": 3470, "out_of": 4121},
]


def load_reference_figures() -> int:
    """Create the article's reference figures that are missing; returns how many."""
    created = 0
    for figure in REFERENCE_FIGURES:
        _figure, made = ReferenceFigure.objects.get_or_create(
            source=figure["source"], measure=figure["measure"], defaults={**figure, "citation": CITATION}
        )
        created += made
    return created


def load_demo_report() -> tuple[Report, bool]:
    """Version 1 of the demo programme's report of its last month (November 2023),
    made in this process (no worker needed) unless a version exists; returns the
    report and whether it was made now."""
    programme = Programme.objects.get(slug=demo.SLUG)
    existing = Report.objects.for_scope(programme).filter(month=demo.LAST_MONTH).order_by("version").first()
    if existing is not None:
        return existing, False
    report = report_request(programme=programme, month=demo.LAST_MONTH, send=False)
    report_generate(report_id=report.pk)
    report.refresh_from_db()
    return report, True
