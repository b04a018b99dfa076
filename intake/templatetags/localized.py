"""{{ programme|localized:"name" }}: a typed text in the page's language (Localized.localized)."""

from django import template

register = template.Library()


@register.filter
def localized(obj, field: str) -> str:
    return obj.localized(field)
