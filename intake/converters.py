from .months import MONTH_PATTERN, format_month, parse_month


class MonthConverter:
    """YYYY-MM in a URL <-> the date of that month's first day."""

    regex = MONTH_PATTERN  # not \d, which a URL pattern lets match any script's digits

    def to_python(self, value):
        return parse_month(value)  # ValueError -> 404

    def to_url(self, value):
        return format_month(value)


class PositiveConverter:
    """A number counted from 1 (a version, a row's id) in a URL: 0 and 01 are not found,
    so that a 0 never reaches a view that reads it as "none given"."""

    regex = r"[1-9][0-9]*"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)
