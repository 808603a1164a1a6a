"""The report's arithmetic: stated methods, exact decimals, and suppression that hides every
small cell and nothing else."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from projections.report_stats import exact, far_out_fence, half_up, mean, median, nearest_rank
from projections.report_table import Count, Report, Stat, Suppressed, Table, suppress_small_cells

D = Decimal
decimals = st.decimals(min_value=0, max_value=10_000, places=2, allow_nan=False)


def test_rounding_is_half_up_as_people_round() -> None:
    assert half_up(D("2.75")) == D("2.8")
    assert half_up(D("2.65")) == D("2.7")  # not to even
    assert half_up(D("93.5"), D(1)) == D(94)


def test_sums_are_shown_exactly() -> None:
    assert str(exact(D("13152.00"))) == "13152"
    assert str(exact(D("1182.50"))) == "1182.5"


def test_median_and_nearest_rank_percentile() -> None:
    assert median([D(3), D(1), D(2)]) == D(2)
    assert median([D(1), D(2), D(3), D(10)]) == D("2.5")
    assert nearest_rank([D(v) for v in range(1, 11)], 90) == D(9)
    assert nearest_rank([D(v) for v in range(1, 14)], 90) == D(12)
    assert median([]) is None and nearest_rank([], 90) is None and mean([]) is None


def test_the_far_out_fence_sets_apart_only_exceptional_values() -> None:
    minutes = [D(v) for v in (60, 80, 90, 100, 120, 150, 200, 250, 2145)]
    fence = far_out_fence(minutes, D(3))
    assert fence is not None and D(250) < fence < D(2145)
    assert far_out_fence(minutes[:3], D(3)) is None


@given(st.lists(decimals, min_size=1))
def test_mean_and_median_lie_between_the_extremes(values: list[Decimal]) -> None:
    low, high = half_up(min(values)), half_up(max(values))
    assert low <= (mean(values) or 0) <= high
    assert low <= (median(values) or 0) <= high


@given(
    st.lists(
        st.one_of(
            st.builds(Count, st.integers(0, 20)),
            st.builds(Stat, st.one_of(st.none(), decimals), st.integers(0, 20)),
        ),
        min_size=1,
    ),
    st.integers(1, 10),
)
def test_suppression_hides_every_small_cell_and_nothing_else(
    cells: list[Count | Stat], below: int
) -> None:
    table = Table(
        "t", "t", tuple((f"c{i}", "c") for i in range(len(cells) + 1)), (("row", *cells),)
    )
    [row] = suppress_small_cells(Report("r", {}, (table,)), below).tables[0].rows
    for before, after in zip(cells, row[1:], strict=True):
        small = (isinstance(before, Count) and 0 < before.n < below) or (
            isinstance(before, Stat) and before.value is not None and 0 < before.over < below
        )
        assert after == (Suppressed(below) if small else before)
