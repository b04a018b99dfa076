"""{{ change|signed }}: a change as people read it, "+3", "−43" (a minus sign, U+2212, not
a hyphen) or "0", grouped as the page's language groups numbers. CSV and JSON keep
plain numbers."""

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def signed(value) -> str:
    if value is None or value == "":
        return ""
    sign = "+" if value > 0 else "\u2212" if value < 0 else ""
    return sign + number_format(abs(value), force_grouping=True)
