"""Request and response bodies of the HTTP API; they exist only here."""
