"""Who reads a family's data on the command line. A command that shows personal data is a
reader like the HTTP API: it names who reads (a token, as a user of the API would, or an
operator on the server by name, with a purpose), shows only what that reader may see, and
writes an access-log record before it prints; without a reader it refuses."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from application.access_log import AccessRecord, open_access_log
from application.cases import CaseApplication
from application.reading import Reader
from application.settings import Settings
from domain.authorization import Role, User
from domain.vocabulary import ConsentPurpose
from interfaces.tokens import InvalidTokenError, TokenService

OPERATORS = "server-operator"
"""The organisation an operator reading on the server is recorded under."""
AsToken = Annotated[
    str | None,
    typer.Option(
        "--as-token",
        envvar="GEZINSREGIE_TOKEN",
        help="Read as the user of this token (as the HTTP API would); or GEZINSREGIE_TOKEN",
        show_default=False,
    ),
]
Actor = Annotated[
    str | None,
    typer.Option(help="An operator on the server reading by name (needs --purpose)"),
]
Purpose = Annotated[
    ConsentPurpose | None,
    typer.Option(help="Why you read (with --actor; with a token: the role's default)"),
]
NO_READER = (
    "this command shows a family's personal data: say who reads, with --as-token (or "
    "GEZINSREGIE_TOKEN), or as an operator with --actor NAME (and --purpose PURPOSE)"
)


def cli_reader(
    settings: Settings,
    token: str | None,
    actor: str | None,
    purpose: ConsentPurpose | None,
    *,
    purpose_needed: bool = True,
) -> Reader:
    """The reader these options name, each read with a fresh trace id; exit 2 without one.
    `purpose_needed`: False where the command's purpose is fixed (an audit replay)."""
    trace = uuid.uuid4().hex
    if token:
        try:
            user = TokenService(settings).verify(token)
        except InvalidTokenError as error:
            typer.echo(f"the token is not valid: {error}", err=True)
            raise typer.Exit(2) from None
        return Reader(user, purpose, trace)
    if actor and (purpose or not purpose_needed):
        operator = User(actor, OPERATORS, frozenset({Role.ADMIN}))
        return Reader(operator, purpose, trace)
    typer.echo(NO_READER, err=True)
    raise typer.Exit(2)


@contextmanager
def logged_reads(
    settings: Settings, cases: CaseApplication
) -> Iterator[Callable[[AccessRecord | None], None]]:
    """Write each record before what it covers is printed; a failed write ends the command
    (its error is raised) before anything is shown."""
    access_log = open_access_log(settings, cases.events_table)

    def log(record: AccessRecord | None) -> None:
        if record is not None:
            access_log.record([record])

    try:
        yield log
    finally:
        access_log.close()
