"""/metrics: Prometheus's text format, scraped as a scraper would, with the series the
README names; route templates, never a case id or a person."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from tests.http.case_api import Api
from tests.http.conftest import COORDINATOR_USER, Headers

SERIES = {
    "gezinsregie_http_requests",
    "gezinsregie_http_request_duration_seconds",
    "gezinsregie_access_log_commit_seconds",
    "gezinsregie_store_position",
    "gezinsregie_view_position",
    "gezinsregie_view_lag_events",
    "gezinsregie_view_failed",
    "gezinsregie_case_cache_lookups",
}


def scrape(client: TestClient) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Per family, its samples (a histogram's `_count` under the label `sample`)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        family.name: [
            ({**sample.labels, "sample": sample.name}, sample.value) for sample in family.samples
        ]
        for family in text_string_to_metric_families(response.text)
    }


def test_metrics_count_requests_by_route_and_show_the_views_and_the_cache(
    client: TestClient, auth: Headers
) -> None:
    api = Api(client, auth)
    case_id = api.open_case()
    api.case(case_id)
    api.case(case_id)

    metrics = scrape(client)
    text = client.get("/metrics").text

    assert set(metrics) >= SERIES, SERIES - set(metrics)
    reads = [
        value
        for labels, value in metrics["gezinsregie_http_requests"]
        if labels.get("route") == "/v1/cases/{case_id}"
        and labels.get("status") == "200"
        and labels["sample"].endswith("_total")
    ]
    assert reads == [2.0]
    assert case_id not in text and not re.search(r"Name of|coordinator-1", text)
    failed = {labels["view"]: value for labels, value in metrics["gezinsregie_view_failed"]}
    assert failed == {"case_index": 0.0, "overview": 0.0, "report": 0.0, "waitlist": 0.0}
    store = metrics["gezinsregie_store_position"][0][1]
    assert store == api.position
    hits = dict(
        (labels["result"], value) for labels, value in metrics["gezinsregie_case_cache_lookups"]
    )
    assert hits["hit"] >= 1
    commits = [
        v for labels, v in metrics["gezinsregie_access_log_commit_seconds"] if "le" not in labels
    ]
    assert commits, "the reads' records were committed and timed"
    assert COORDINATOR_USER.subject not in text
