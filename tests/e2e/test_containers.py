"""The container path: Grimoire on PostgreSQL and MinIO started by testcontainers, driven by
the unmodified mlflow client. Skipped, with the reason, where no Docker engine answers."""

import asyncio
from pathlib import Path

import boto3
from mlflow import MlflowClient

from services.core.db.migrate import upgrade
from tests.fixtures.containers import S3Store
from tests.fixtures.servers import start_server, stop_server

BUCKET = "grimoire"


def test_a_run_and_its_artifact_on_postgres_and_minio_in_containers(
    container_postgres_url: str, container_minio: S3Store, tmp_path: Path
) -> None:
    asyncio.run(upgrade(container_postgres_url))
    boto3.client(
        "s3",
        endpoint_url=container_minio.endpoint,
        region_name="us-east-1",
        aws_access_key_id=container_minio.access_key,
        aws_secret_access_key=container_minio.secret_key,
    ).create_bucket(Bucket=BUCKET)
    env = {
        "GRIMOIRE_DATABASE_URL": container_postgres_url,
        "GRIMOIRE_ARTIFACTS_ROOT": f"s3://{BUCKET}/artifacts",
        "GRIMOIRE_ARTIFACTS_S3_ENDPOINT_URL": container_minio.endpoint,
        "GRIMOIRE_ARTIFACTS_S3_ACCESS_KEY_ID": container_minio.access_key,
        "GRIMOIRE_ARTIFACTS_S3_SECRET_ACCESS_KEY": container_minio.secret_key,
        "GRIMOIRE_DATA_DIR": str(tmp_path),
    }
    server = start_server("services.server:app", env, tmp_path / "server.log")
    try:
        client = MlflowClient(tracking_uri=server.url)
        run_id = client.create_run("0").info.run_id
        client.log_metric(run_id, "loss", 0.25, step=1)
        report = tmp_path / "report.txt"
        report.write_text("trained on containers")
        client.log_artifact(run_id, str(report))
        fetched = Path(client.download_artifacts(run_id, "report.txt", str(tmp_path / "out")))
        assert fetched.read_text() == "trained on containers"
        assert client.get_run(run_id).data.metrics == {"loss": 0.25}
    finally:
        stop_server(server)
