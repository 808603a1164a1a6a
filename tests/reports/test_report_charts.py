"""The monitor's charts read well for a council reader: axes named, the period and the place
in every title, categories in Dutch, and a suppressed count drawn as suppressed (hatched,
'<K', explained) rather than as 0, which would read as 'no meldingen'. The figures are the
real matplotlib figures the PNG files are written from."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from application.cases import CaseApplication
from application.clock import FixedClock
from application.settings import load_settings
from domain.commands import RequestReferral
from domain.vocabulary import (
    Channel,
    ClosureReason,
    ConversationKind,
    ProblemCategory,
    ReferralDestination,
    ReferralStatus,
    TriageOutcome,
    WaitlistExit,
)
from interfaces.report_charts import draw_charts, write_charts
from projections.monitor import MonitorOptions, monitor
from projections.registry import open_view, worker_for
from projections.report_labels import DUTCH_BY_VOCABULARY
from projections.report_period import ReportPeriod
from projections.report_table import Report, suppress_small_cells
from tests.factories import COORDINATOR, melding

SPRING = ReportPeriod(date(2026, 4, 1), date(2026, 6, 30))
MELDINGEN = ("2026-04-01", "2026-04-02", "2026-04-03", "2026-05-11")
"""With the referred case opened on 9 April: four meldingen in April, one in May, none in
June."""
CHARTS = ("inflow_per_month.png", "waiting_days.png", "referrals_by_destination.png")


def on(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(hour=10, tzinfo=UTC)


@pytest.fixture
def app(tmp_path: Path) -> Iterator[CaseApplication]:
    """Charts do not depend on the backend: the embedded store suffices."""
    settings = load_settings(store="sqlite", data_dir=tmp_path / "var")
    application = CaseApplication(settings, FixedClock(on("2026-12-01")))
    for day in MELDINGEN:
        application.open_case(COORDINATOR, occurred_at=on(day), **melding())
    referred, _ = application.open_case(COORDINATOR, occurred_at=on("2026-04-09"), **melding())
    application.execute(
        referred,
        COORDINATOR,
        RequestReferral(
            referral_id="r1",
            member_id="child",
            destination=ReferralDestination.SPECIALISED_GGZ,
            organisation="ggz-haaglanden",
        ),
        occurred_at=on("2026-04-10"),
    )
    yield application
    application.close()


def report_of(app: CaseApplication, min_cell: int = 1, **place: Any) -> Report:
    opened = open_view(app.settings, "report")
    try:
        worker_for(app, opened).catch_up()
        report = monitor(opened.view, MonitorOptions(SPRING, **place))
    finally:
        opened.close()
    return suppress_small_cells(report, min_cell)


@pytest.fixture
def charts() -> Iterator[dict[str, Figure]]:
    drawn: dict[str, Figure] = {}
    yield drawn
    for figure in drawn.values():
        plt.close(figure)


def axes_of(figure: Figure) -> Axes:
    [axes] = figure.axes
    return axes


def bars(axes: Axes) -> list[Rectangle]:
    return [p for p in axes.patches if isinstance(p, Rectangle) and p.get_gid() != "suppressed"]


def hatched(axes: Axes) -> list[Rectangle]:
    return [p for p in axes.patches if isinstance(p, Rectangle) and p.get_gid() == "suppressed"]


def at_position(patches: list[Rectangle], position: int) -> list[Rectangle]:
    return [p for p in patches if abs(p.get_x() + p.get_width() / 2 - position) < 0.01]


def test_a_suppressed_month_is_drawn_as_suppressed_not_as_zero(
    app: CaseApplication, charts: dict[str, Figure], tmp_path: Path
) -> None:
    charts.update(draw_charts(report_of(app, min_cell=3, municipality="den-haag")))
    axes = axes_of(charts["inflow_per_month.png"])
    april, may, june = 0, 1, 2  # April: 4 meldingen (shown), May: 1 (<3), June: none

    assert [p.get_height() for p in at_position(bars(axes), april)] == [4]
    assert at_position(bars(axes), may) == []  # no bar at all, not a bar of 0
    [mark] = at_position(hatched(axes), may)
    assert mark.get_hatch() and not mark.get_fill()
    assert [t.get_text() for t in axes.texts] == ["<3"]
    assert axes.texts[0].xy[0] == pytest.approx(may)  # type: ignore[attr-defined]
    assert [p.get_height() for p in at_position(bars(axes), june)] == [0]  # a real 0
    assert at_position(hatched(axes), june) == []
    legend = axes.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == ["onderdrukt: minder dan 3"]
    [note] = charts["inflow_per_month.png"].texts
    assert "minder dan 3 maar niet 0" in note.get_text()
    written = write_charts(report_of(app, min_cell=3, municipality="den-haag"), tmp_path)
    assert [p.name for p in written] == list(CHARTS)
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in written)


def test_without_min_cell_nothing_is_marked_suppressed(
    app: CaseApplication, charts: dict[str, Figure]
) -> None:
    charts.update(draw_charts(report_of(app)))
    for figure in charts.values():
        assert hatched(axes_of(figure)) == [] and list(axes_of(figure).texts) == []
        assert list(figure.texts) == []
    inflow = axes_of(charts["inflow_per_month.png"])
    assert [p.get_height() for p in bars(inflow)] == [4, 1, 0]


def test_chart_titles_name_period_and_municipality(
    app: CaseApplication, charts: dict[str, Figure]
) -> None:
    charts.update(draw_charts(report_of(app, municipality="den-haag", team="team-centrum")))
    for name in CHARTS:
        chart_title = axes_of(charts[name]).get_title()
        assert "gemeente den-haag, team team-centrum" in chart_title, name
        assert "1 april 2026 t/m 30 juni 2026" in chart_title, name

    everywhere = draw_charts(report_of(app))
    try:
        chart_title = axes_of(everywhere["inflow_per_month.png"]).get_title()
    finally:
        for figure in everywhere.values():
            plt.close(figure)
    assert chart_title == "Meldingen per maand\nalle gemeenten, 1 april 2026 t/m 30 juni 2026"


def test_every_chart_names_its_axes(app: CaseApplication, charts: dict[str, Figure]) -> None:
    charts.update(draw_charts(report_of(app, municipality="den-haag")))
    labels = {
        name: (axes_of(f).get_xlabel(), axes_of(f).get_ylabel()) for name, f in charts.items()
    }
    assert labels == {
        "inflow_per_month.png": ("Maand van de melding", "Aantal meldingen"),
        "waiting_days.png": ("Dagen gewacht", "Aantal verwijzingen of gezinnen"),
        "referrals_by_destination.png": (
            "Aantal verwijzingen (aangevraagd in de periode)",
            "Bestemming",
        ),
    }


def test_chart_categories_are_dutch(app: CaseApplication, charts: dict[str, Figure]) -> None:
    charts.update(draw_charts(report_of(app, municipality="den-haag")))
    referrals = axes_of(charts["referrals_by_destination.png"])
    destinations = [t.get_text() for t in referrals.get_yticklabels()]
    months = [t.get_text() for t in axes_of(charts["inflow_per_month.png"]).get_xticklabels()]

    assert destinations == [
        DUTCH_BY_VOCABULARY[ReferralDestination][d] for d in ReferralDestination
    ]
    assert destinations[:5] == [
        "Geen verwijzing nodig",
        "Jeugdteam",
        "Voorliggend veld",
        "Opvoedsteunpunt",
        "Specialistische GGZ",
    ]
    assert not [label for label in destinations if "_" in label]
    assert months == ["apr 2026", "mei 2026", "jun 2026"]
    [ggz] = [p for p in bars(referrals) if p.get_width() == 1]  # drawn top to bottom
    assert ggz.get_y() + ggz.get_height() / 2 == pytest.approx(
        destinations.index("Specialistische GGZ")
    )


@pytest.mark.parametrize(
    "vocabulary",
    [
        Channel,
        TriageOutcome,
        ProblemCategory,
        ConversationKind,
        WaitlistExit,
        ReferralDestination,
        ReferralStatus,
        ClosureReason,
    ],
)
def test_every_value_a_report_counts_by_has_one_dutch_name(vocabulary: type[StrEnum]) -> None:
    names = DUTCH_BY_VOCABULARY[vocabulary]
    assert set(names) == set(vocabulary)
    assert all(name and "_" not in name for name in names.values())
    assert len(set(names.values())) == len(names)  # no two values read alike
