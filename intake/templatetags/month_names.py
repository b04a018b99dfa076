"""{{ month|in_sentence:"prepositional" }}: a month as a sentence of the page's language
says it (intake.months.month_in_sentence); "F Y" is for a month standing alone."""

from django import template

from intake.months import month_in_sentence

register = template.Library()


@register.filter
def in_sentence(month, case: str = "nominative") -> str:
    return month_in_sentence(month, case) if month else ""
