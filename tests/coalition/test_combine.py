"""The combined range of several sources' published counts: between the largest single
count and the sum, widened for rounding, "<10" and "[c]"; never one total."""

from coalition.combine import Range, bounds, combined


def test_a_rounded_count_stands_for_any_count_within_two_of_it():
    assert bounds(120) == (118, 122)
    assert bounds(0) == (0, 0)
    assert bounds("<10") == (1, 9)
    assert bounds("[c]") == (0, None)


def test_the_range_runs_from_the_largest_single_count_to_the_sum_widened():
    assert combined([120, 575]) == Range(low=573, high=122 + 577, sources=2)
    assert combined([120, "<10"]) == Range(low=118, high=131, sources=2)


def test_a_withheld_count_leaves_the_upper_end_open_and_a_missing_one_is_no_source():
    assert combined([120, "[c]"]) == Range(low=118, high=None, sources=2)
    assert combined([120, None]) == Range(low=118, high=122, sources=1)
    assert combined([None, None]) is None
