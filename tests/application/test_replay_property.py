"""Property: for random histories with late registrations and random moments T, the
replay as recorded at T is exactly the events recorded up to T (and the state they give),
and the replay as happened is exactly the events that occurred by T."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from application.cases import CaseApplication
from application.clock import FixedClock
from application.replay import ReplayMode, replay
from application.settings import load_settings
from domain.commands import HoldConversation, RegisterTime, Triage
from domain.vocabulary import ConversationKind, TriageOutcome
from tests.factories import COORDINATOR, OPENED_AT, melding

steps = st.lists(
    st.tuples(
        st.sampled_from(["conversation", "triage", "time"]),
        st.integers(1, 10),  # days the server clock moves on before recording
        st.integers(0, 5),  # how many days earlier than recorded the fact happened
    ),
    min_size=1,
    max_size=12,
)


@given(history=steps, moment=st.integers(-2, 80))
def test_replay_as_recorded_and_as_happened(
    history: list[tuple[str, int, int]], moment: int
) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        clock = FixedClock(OPENED_AT)
        app = CaseApplication(load_settings(data_dir=Path(data_dir)), clock)
        try:
            case_id, _ = app.open_case(COORDINATOR, **melding())
            for n, (command, wait, late) in enumerate(history):
                clock.advance(days=wait)
                occurred = max(clock.now() - timedelta(days=late), OPENED_AT)
                run(app, case_id, command, occurred, n)
            as_of = OPENED_AT + timedelta(days=moment)
            stored = list(app.events.get(case_id))

            recorded = replay(app, case_id, as_of, ReplayMode.RECORDED)
            happened = replay(app, case_id, as_of, ReplayMode.OCCURRED)

            expected_recorded = [e for e in stored if e.timestamp <= as_of]
            assert recorded.events == expected_recorded
            if expected_recorded:
                assert recorded.state == app.get_case(case_id, version=len(expected_recorded))
            else:
                assert recorded.state is None
            assert happened.events == [e for e in stored if e.occurred_at <= as_of]  # type: ignore[attr-defined]
            if happened.state is not None:
                held = [e for e in happened.events if type(e).__name__ == "ConversationHeld"]
                assert len(happened.state.conversations) == len(held)
        finally:
            app.close()


def run(app: CaseApplication, case_id: object, command: str, occurred: object, n: int) -> None:
    if command == "conversation":
        app.execute(
            case_id,
            COORDINATOR,
            HoldConversation(
                conversation_id=f"c{n}",
                kind=ConversationKind.PHONE,
                minutes=Decimal(10),
                writing_minutes=Decimal(0),
                participants=["mother"],
            ),
            occurred_at=occurred,
        )
    elif command == "triage":
        app.execute(
            case_id,
            COORDINATOR,
            Triage(outcome=TriageOutcome.COMPLEX, coordination_level=n % 6),
            occurred_at=occurred,
        )
    else:
        app.execute(
            case_id,
            COORDINATOR,
            RegisterTime(minutes=Decimal(30), writing_minutes=Decimal(5)),
            occurred_at=occurred,
        )
