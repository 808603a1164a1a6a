"""Read models built from the event log (waitlist, coordination overview, audit, reports)."""
