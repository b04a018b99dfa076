"""MonthNames (reports/templatetags/published.py), which the chart and the reports list
use instead of the date filter: the same words, each month's worked out once a page."""

import datetime as dt

import pytest
from django.template.defaultfilters import date as date_filter
from django.utils import translation

from reports.templatetags.published import MonthNames


@pytest.mark.parametrize("language", ["en", "ru"])
def test_month_names_are_the_date_filters_words_in_the_active_language(language):
    months = [dt.date(year, month, 1) for year in (1999, 2023, 2026) for month in range(1, 13)]
    with translation.override(language):
        names = MonthNames()
        for format in ("F", "M", "F Y"):
            assert [names(month, format) for month in months] == [date_filter(month, format) for month in months]
    assert names(dt.date(2023, 3, 1)) == ("March 2023" if language == "en" else "Март 2023")


def test_a_format_that_depends_on_more_than_the_month_is_refused():
    # "j" or "Y" alone differ between two dates of the same month number: kept once, they would be wrong.
    with pytest.raises(ValueError, match="not 'Y'"):
        MonthNames()(dt.date(2023, 3, 1), "Y")
