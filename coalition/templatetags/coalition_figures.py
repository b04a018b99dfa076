"""{{ range|span }}: a combined range as a page says it, never as one total;
{{ "2023-11"|month_of }}: a YYYY-MM label as a month name; {{ change_pct|change }}: a
change in percent as a reader reads it, "+3%", "−43%" (a true minus)."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from intake.months import month_in_sentence, parse_month
from intake.templatetags.signed import signed
from reports.templatetags.published import figure

register = template.Library()


@register.filter
def span(value) -> str:
    if value is None:
        return "—"
    low = number_format(value.low, force_grouping=True)
    if value.high is None:
        return _("at least %(low)s; the upper end cannot be given, as a figure is withheld") % {"low": low}
    return _("between %(low)s and %(high)s") % {"low": low, "high": number_format(value.high, force_grouping=True)}


@register.filter
def month_of(label) -> str:
    try:
        return month_in_sentence(parse_month(str(label)))
    except ValueError:
        return str(label)


@register.filter
def get_half(window, half):
    value = window.get(half) if isinstance(window, dict) else None
    return value if isinstance(value, dict) else None


@register.filter
def change(value) -> str:
    """A peer's document may say anything here: a number is signed, the rest is said as
    any published figure is ("withheld", "—")."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return signed(value) + "%"
    return figure(value)
