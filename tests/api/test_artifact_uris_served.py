"""Through the real server, experiment creation and listings read an artifact location with
the one parser of services/core/artifact_uris.py."""

import uuid

import httpx
import pytest

from tests.fixtures.artifacts import ARTIFACTS, created
from tests.fixtures.servers import RunningServer, sql

T = "/api/2.0/mlflow"


@pytest.mark.parametrize(
    "location",
    [
        "mlflow-art\tifacts:/0",  # URL parsers drop the tab: the proxied store, experiment 0
        "s3://[bucket/x",  # an unclosed IPv6 host: no location at all
    ],
)
def test_experiment_creation_reads_a_location_as_the_listings_do(
    server: RunningServer, location: str
) -> None:
    name = f"located-{uuid.uuid4().hex}"
    with httpx.Client(base_url=server.url, timeout=30) as api:
        response = api.post(
            f"{T}/experiments/create", json={"name": name, "artifact_location": location}
        )
        assert response.status_code == 400, response.text
        assert response.json()["error_code"] == "INVALID_PARAMETER_VALUE"
        missing = api.get(f"{T}/experiments/get-by-name", params={"experiment_name": name})
        assert missing.status_code == 404, missing.text
        assert missing.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST"
        elsewhere = {"name": name, "artifact_location": "s3://bucket/x"}
        assert api.post(f"{T}/experiments/create", json=elsewhere).status_code == 200


def test_a_listing_reads_the_scheme_in_any_case(server: RunningServer, database_url: str) -> None:
    """RFC 3986 schemes are case-insensitive, and version sources read them so: a location
    imported as `MLFLOW-ARTIFACTS:/...` stays the proxied store for listings too."""
    root = f"upper-{uuid.uuid4().hex[:10]}"
    location = f"MLFLOW-ARTIFACTS:/{root}"
    with httpx.Client(base_url=server.url, timeout=30) as api:
        experiment = created(
            api.post(f"{T}/experiments/create", json={"name": f"upper-{uuid.uuid4().hex}"}),
            "experiment_id",
        )
        sql(
            database_url,
            "UPDATE experiments SET artifact_location = $1 WHERE experiment_id = $2",
            location,
            int(experiment),
        )
        run = created(
            api.post(f"{T}/runs/create", json={"experiment_id": experiment}),
            "run",
            "info",
            "run_id",
        )
        assert api.put(f"{ARTIFACTS}/{root}/{run}/artifacts/f.txt", content=b"f").status_code == 200
        assert api.get(f"{T}/artifacts/list", params={"run_id": run}).json() == {
            "root_uri": f"{location}/{run}/artifacts",
            "files": [{"path": "f.txt", "is_dir": False, "file_size": 1}],
        }
