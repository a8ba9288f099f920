"""FastAPI's native OpenTelemetry is off unless GRIMOIRE_SERVER_OPENTELEMETRY asks for it."""

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from starlette.testclient import TestClient

from services.core import config

EXPORTER = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def tracer_provider() -> None:
    """A configured provider, as an operator's OTEL_* setup would install."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(EXPORTER))
    trace.set_tracer_provider(provider)


def spans_for_one_request(monkeypatch: pytest.MonkeyPatch, enabled: bool) -> int:
    from services.core.app import create_app
    from services.tracking.spec import SPEC

    monkeypatch.setenv("GRIMOIRE_SERVER_OPENTELEMETRY", "true" if enabled else "false")
    config.server_settings.cache_clear()
    try:
        app = create_app(SPEC, own_lifespan=False)
    finally:
        config.server_settings.cache_clear()
    EXPORTER.clear()
    assert TestClient(app).get("/health").status_code == 200
    return len(EXPORTER.get_finished_spans())


def test_requests_are_traced_only_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    assert spans_for_one_request(monkeypatch, enabled=False) == 0
    assert spans_for_one_request(monkeypatch, enabled=True) >= 1
