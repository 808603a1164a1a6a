"""The pages in a real browser: a coordinator finds a waiting family and assigns a coach,
a partner sees only what the family shared, the family withdraws a consent, and the API
docs render with nothing fetched from another host. Every page passes axe-core."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.pages.live_server import Api


def sign_in(visit: Any, who: str) -> Any:
    page = visit.go("/aanmelden")
    visit.check("aanmelden")
    page.get_by_label(who, exact=False).check()
    page.get_by_role("button", name="Aanmelden", exact=True).click()
    return page


def test_a_coordinator_finds_a_waiting_family_assigns_a_coach_and_the_signal_goes(
    api: Api, visit: Any
) -> None:
    family = api.waiting_family("Marker-hulpvraag coördinator")
    coordinator = visit("coordinator")
    page = sign_in(coordinator, "Coördinator, Den Haag team centrum")

    expect(page.get_by_role("heading", name="Wachtlijst", level=1)).to_be_visible()
    coordinator.check("wachtlijst")
    page.locator(f'a[href="/dossiers/{family.case_id}"]').click()
    expect(page.locator('[data-signal="no_coach"]')).to_be_visible()
    expect(page.locator("#hulpvraag")).to_have_text(family.help_question)
    coordinator.check("dossier")

    page.get_by_label("Gezinscoach", exact=True).fill("coach-anna")
    page.get_by_role("button", name="Toewijzen").click()

    expect(page.get_by_role("status")).to_have_text("De gezinscoach is toegewezen.")
    expect(page.locator('[data-signal="no_coach"]')).to_have_count(0)
    expect(page.get_by_text("coach-anna").first).to_be_visible()
    coordinator.check("dossier-na-toewijzing")

    coordinator.go("/overzicht")
    expect(page.get_by_role("heading", name="Overzicht lopende dossiers")).to_be_visible()
    coordinator.check("overzicht")
    coordinator.go("/caseload")
    expect(page.get_by_role("cell", name="coach-anna")).to_be_visible()
    coordinator.check("caseload")


def test_a_partner_sees_only_what_was_shared_until_the_family_withdraws_it(
    api: Api, visit: Any
) -> None:
    family = api.waiting_family("Marker-hulpvraag gedeeld")
    partner = visit("partner")
    page = sign_in(partner, "Behandelaar, GGZ Haaglanden")
    partner.check("dossier-zoeken")
    page.get_by_label("Dossiernummer").fill(family.case_id)
    page.get_by_role("button", name="Openen").click()

    expect(page.locator("#hulpvraag")).to_have_text(family.help_question)
    expect(page.get_by_role("heading", name="Handelingen")).to_have_count(0)
    expect(page.get_by_role("heading", name="Niet getoond")).to_be_visible()
    expect(page.locator('[data-consent="consent-waitlist"]')).to_have_count(0)
    partner.check("dossier-partner")

    member = visit("gezin")
    at_home = member.go("/aanmelden")
    at_home.get_by_label("Dossiernummer").fill(family.case_id)
    at_home.get_by_role("textbox", name="Gezinslid").fill("mother")
    at_home.get_by_role("button", name="Aanmelden als gezinslid").click()
    expect(at_home.get_by_role("heading", name="Mijn dossier", level=1)).to_be_visible()
    expect(at_home.get_by_role("cell", name="behandelaar-1")).not_to_have_count(0)
    member.check("mijn-dossier")
    at_home.get_by_role("button", name="Toestemming voor ggz-haaglanden intrekken").click()
    expect(at_home.get_by_role("status")).to_have_text("Uw toestemming is ingetrokken.")
    member.check("mijn-dossier-ingetrokken")

    page.reload()
    expect(page.locator("#hulpvraag")).to_have_count(0)
    expect(page.get_by_text(family.help_question)).to_have_count(0)
    partner.check("dossier-partner-ingetrokken")


def test_the_api_docs_render_without_any_outside_request(visit: Any) -> None:
    docs = visit("docs")
    page = docs.go("/docs")
    expect(page.locator(".opblock").first).to_be_visible()
    docs.check("docs", accessible=False)  # Swagger UI's own markup: not ours to fix
    docs.go("/redoc")
    expect(page.locator("h1").first).to_contain_text("gezinsregie")
    docs.check("redoc", accessible=False)
