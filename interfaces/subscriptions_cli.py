"""`gezinsregie subscriptions ...`: partners' webhook subscriptions, and the dispatcher
that fills their outbox from the event log and delivers it."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from application.cases import CaseApplication
from application.clock import SystemClock
from application.notifications.dispatcher import Dispatcher
from application.notifications.records import Subscription
from application.notifications.store import NotificationStore
from application.notifications.stores import open_notification_store
from application.notifications.subscribing import subscribe
from domain.notification_types import NOTIFICATION_TYPES
from interfaces.cli_settings import settings_or_exit

FAILURE_CHECK_SECONDS = 0.5
subscriptions_cli = typer.Typer(help="Partners notified by signed webhooks (CloudEvents).")


@contextmanager
def _opened() -> Iterator[tuple[CaseApplication, NotificationStore]]:
    settings = settings_or_exit()
    cases = CaseApplication(settings, SystemClock())
    store = open_notification_store(settings)
    try:
        yield cases, store
    finally:
        store.close()
        cases.close()


def _line(subscription: Subscription, store: NotificationStore) -> str:
    backlog = store.backlog(subscription.subscription_id)
    state = subscription.status.value
    if subscription.disabled_reason:
        state += f" ({subscription.disabled_reason})"
    elif subscription.failing_since:
        state += (
            f", failing since {subscription.failing_since:%Y-%m-%d %H:%M:%S}, next try"
            f" {subscription.next_attempt_at:%H:%M:%S}: {subscription.last_error}"
        )
    return (
        f"{subscription.subscription_id} {subscription.organisation} {subscription.url}"
        f" sequence {subscription.last_sequence}, {backlog.pending} pending; {state}"
    )


@subscriptions_cli.command()
def add(
    org: Annotated[str, typer.Option(help="The organisation: it hears of cases it may read")],
    url: Annotated[str, typer.Option(help="Its endpoint (POST)")],
    event_type: Annotated[list[str], typer.Option("--type", help="A type; repeat for more")],
    secret: Annotated[str | None, typer.Option(help="whsec_...; default: a new one")] = None,
) -> None:
    """Subscribe an endpoint; prints its id and signing secret (keep the secret)."""
    unknown = sorted(set(event_type) - NOTIFICATION_TYPES)
    if unknown:
        there_are = ", ".join(sorted(NOTIFICATION_TYPES))
        typer.echo(f"no type {unknown[0]}; there are: {there_are}", err=True)
        raise typer.Exit(2)
    with _opened() as (cases, store):
        made = subscribe(cases, store, org, url, event_type, secret)
    typer.echo(f"{made.subscription_id} {made.secret}")


@subscriptions_cli.command(name="list")
def list_subscriptions() -> None:
    """The outbox's position in the event log; every subscription: its sequence, what
    waits, and its delivery state."""
    with _opened() as (cases, store):
        head, position = cases.position(), store.position()
        typer.echo(f"outbox at position {position} of {head} (lag {head - position})")
        for subscription in store.subscriptions():
            typer.echo(_line(subscription, store))


@subscriptions_cli.command()
def redeliver(
    subscription_id: str,
    from_sequence: Annotated[int | None, typer.Option("--from", min=1)] = None,
) -> None:
    """Send again (from a sequence, or what was not delivered) and enable it."""
    with _opened() as (_, store):
        if store.subscription(subscription_id) is None:
            typer.echo(f"no subscription {subscription_id}", err=True)
            raise typer.Exit(2)
        typer.echo(f"{store.redeliver(subscription_id, from_sequence)} pending")


@subscriptions_cli.command()
def dispatch() -> None:
    """Fill the outbox from the event log and deliver it, until stopped (Ctrl-C, SIGTERM).
    Positions are recorded: a restart resumes, sending unconfirmed ones again."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with _opened() as (cases, store):
        dispatcher = Dispatcher(cases, store, cases.settings)
        stop = dispatcher.stopping
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        dispatcher.start()
        typer.echo("dispatching notifications; stop with Ctrl-C", err=True)
        while not stop.wait(FAILURE_CHECK_SECONDS):
            pass
        dispatcher.stop()
        if dispatcher.failure is not None:
            typer.echo(f"FAILED: {type(dispatcher.failure).__name__}: {dispatcher.failure}")
            raise typer.Exit(1)
