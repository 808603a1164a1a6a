"""The pages for people: server-rendered HTML (Jinja2) for coordinators, coaches,
partners and families, served by the API's own app and reading through the same
reading service, privacy filter and access log as the JSON API."""
