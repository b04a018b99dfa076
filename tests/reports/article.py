"""What the November 2023 report on the demo data must state (docs/figures.md)."""

SERIES = [
    ("2023-04", 61), ("2023-05", 74), ("2023-06", 54), ("2023-07", 118),
    ("2023-08", 133), ("2023-09", 184), ("2023-10", 218), ("2023-11", 175),
]
SENTENCE = "577 requests between September and November, an 89% increase on the 305 received between June and August."


def assert_article_figures(figures: dict) -> None:
    """Every figure of docs/figures.md, checked in a report's stored JSON."""
    assert figures["scope"] == {"programme": "desertion-help"}
    assert figures["month"] == "2023-11"
    window = figures["window"]
    # 1. 577 requests between September and November (autumn)
    assert window["current"] == {"first": "2023-09", "last": "2023-11", "requests": 577, "season": "autumn"}
    # 2. 305 between June and August (summer)
    assert window["previous"] == {"first": "2023-06", "last": "2023-08", "requests": 305, "season": "summer"}
    # 3. an 89% increase
    assert window["change_pct"] == 89.2
    since = figures["since_start"]
    # 4. highest month since April: October, 218
    assert since["first"] == "2023-04"
    assert since["highest"] == [{"month": "2023-10", "requests": 218}]
    # 5. lowest: June, 54
    assert since["lowest"] == [{"month": "2023-06", "requests": 54}]
    # 6. November 175, rank 3 of 8
    assert figures["requests"] == {"this_month": 175, "previous_month": 218, "change_pct": -19.7}
    assert (since["rank_of_month"], since["months"]) == (3, 8)
    # 7. 1,017 since April
    assert since["requests"] == 1017
    # 8. 56.7% of them in the autumn
    assert since["current_window_share_pct"] == 56.7
    assert [(row["month"], row["requests"]) for row in figures["series"]] == SERIES
    assert figures["by_category"]["desertion"] == 175
    assert sum(figures["by_status_end_of_month"].values()) == 1017
    assert figures["fingerprint"].startswith("sha256:") and len(figures["fingerprint"]) == 71
