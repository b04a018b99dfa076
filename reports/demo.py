"""Demo reference figures: those the article cites from other sources (docs/figures.md, B),
and the demo programme's November 2023 report, so that a first start has one to open."""

from intake import demo
from intake.models import Programme

from .models import ReferenceFigure, Report
from .services import report_generate, report_request

CITATION = "The Moscow Times, \u201c'War, Prison or Disability': Russian Military Desertions Surge\u201d (late 2023)"
CITATION_RU = (
    "The Moscow Times, \u00ab\u201eВойна, тюрьма или инвалидность\u201c: число дезертиров из российской армии "
    "резко выросло\u00bb (конец 2023 года)"
)

REFERENCE_FIGURES = [
    {"source": "Hochu Zhit (\u201cI Want to Live\u201d), Ukrainian surrender programme",
     "source_ru": "\u00abХочу жить\u00bb, украинская программа для желающих сдаться в плен",
     "period": "Sep 2022 \u2013 Sep 2023", "period_ru": "сентябрь 2022 \u2013 сентябрь 2023",
     "measure": "applications from Russia (more than)", "measure_ru": "обращений из России (более)",
     "value": 22000, "per": ReferenceFigure.Per.YEAR},
    {"source": "Ukrainian military intelligence (spokesman A. Yusov)",
     "source_ru": "Военная разведка Украины (представитель А. Юсов)",
     "period": "August 2023", "period_ru": "август 2023",
     "measure": "of the prisoners of war captured surrendered voluntarily (\u201cone in five\u201d)",
     "measure_ru": "военнопленных из взятых в плен сдались добровольно (\u00abкаждый пятый\u00bb)",
     "value": 40, "out_of": 200},
    {"source": "Ukrainian military intelligence", "source_ru": "Военная разведка Украины",
     "period": "2023", "period_ru": "2023 год",
     "measure": "Russian servicemen surrendering under the programme",
     "measure_ru": "российских военнослужащих сдаются в плен по программе", "value": 3, "value_high": 5,
     "per": ReferenceFigure.Per.DAY},
    {"source": "Mediazona", "source_ru": "\u00abМедиазона\u00bb",
     "period": "Sep 2022 \u2013 late 2023", "period_ru": "сентябрь 2022 \u2013 конец 2023",
     "measure": "sentences in cases of unauthorised abandonment of a unit sent to military courts",
     "measure_ru": "приговоров по делам о самовольном оставлении части, поступившим в военные суды",
     "value": 3470, "out_of": 4121},
]
RUSSIAN_FIELDS = ("source_ru", "period_ru", "measure_ru", "citation_ru")


def load_reference_figures() -> int:
    """Create the article's reference figures that are missing; returns how many. A
    figure made before reference figures had Russian texts gets them."""
    created = 0
    for figure in REFERENCE_FIGURES:
        texts = {**figure, "citation": CITATION, "citation_ru": CITATION_RU}
        stored, made = ReferenceFigure.objects.get_or_create(
            source=figure["source"], measure=figure["measure"], defaults=texts
        )
        created += made
        missing = [field for field in RUSSIAN_FIELDS if not getattr(stored, field)]
        if missing:
            for field in missing:
                setattr(stored, field, texts[field])
            stored.save(update_fields=missing)
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
