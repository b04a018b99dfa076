from .months import format_month, parse_month


class MonthConverter:
    """YYYY-MM in a URL <-> the date of that month's first day."""

    regex = r"\d{4}-\d{2}"

    def to_python(self, value):
        return parse_month(value)  # ValueError -> 404

    def to_url(self, value):
        return format_month(value)
