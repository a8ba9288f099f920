"""The runs search's filtered statement is planned for each call's values
(services/tracking/runs/repository.py: search): it runs as PostgreSQL's unnamed statement, so
it is never cached as a named prepared statement, which PostgreSQL switches to a generic plan
after five executions."""

import uuid

from services.core.db.engine import Connection, driver_connection
from services.tracking.runs import repository
from services.tracking.runs.search import translate

FILTER = "metrics.accuracy > 0.9 and params.model = 'rf'"
PAGE_STATEMENT_MARK = "JOIN latest_metrics AS order_0"


async def seed(conn: Connection) -> tuple[int, list[str]]:
    """An experiment whose 'rf' runs with accuracy > 0.9 are the returned ids, best first."""
    raw = await driver_connection(conn)
    experiment_id = await raw.fetchval(
        "INSERT INTO experiments (name, artifact_location, lifecycle_stage, creation_time, "
        "last_update_time) VALUES ($1, '/tmp/plans', 'active', 0, 0) RETURNING experiment_id",
        f"plans-{uuid.uuid4().hex[:12]}",
    )
    matching = []
    for i, (model, accuracy) in enumerate([("rf", 0.95), ("lr", 0.99), ("rf", 0.5), ("rf", 0.97)]):
        run_id = uuid.uuid4().hex
        await raw.execute(
            "INSERT INTO runs (run_uuid, experiment_id, name, user_id, status, start_time, "
            "lifecycle_stage, artifact_uri) VALUES ($1, $2, $3, 'u', 'RUNNING', $4, 'active', "
            "'/tmp/plans')",
            run_id,
            experiment_id,
            f"run-{i}",
            i,
        )
        await raw.execute("INSERT INTO params VALUES ($1, 'model', $2)", run_id, model)
        await raw.execute(
            "INSERT INTO latest_metrics (run_uuid, key, value, timestamp, step) "
            "VALUES ($1, 'accuracy', $2, 0, 0)",
            run_id,
            accuracy,
        )
        if model == "rf" and accuracy > 0.9:
            matching.append((accuracy, run_id))
    return experiment_id, [run_id for _, run_id in sorted(matching, reverse=True)]


async def named_page_statements(conn: Connection) -> list[str]:
    raw = await driver_connection(conn)
    rows = await raw.fetch("SELECT statement FROM pg_prepared_statements")
    return [r["statement"] for r in rows if PAGE_STATEMENT_MARK in r["statement"]]


async def test_the_filtered_search_is_planned_per_call_never_cached_by_name(
    db_connection: Connection,
) -> None:
    experiment_id, expected = await seed(db_connection)
    query = translate(FILTER, ["metrics.accuracy DESC"])
    for _ in range(7):  # past the five executions after which a cached plan may turn generic
        rows = await repository.search(db_connection, [experiment_id], ["active"], query, 0, 10)
        assert [row["run_uuid"] for row in rows] == expected
    assert await named_page_statements(db_connection) == []

    # The check sees a cached statement when there is one: the driver's own fetch caches it.
    raw = await driver_connection(db_connection)
    arguments = query.page_statement.arguments(
        experiment_ids=[experiment_id], stages=["active"], offset=0, limit=10
    )
    await raw.fetch(query.page_statement.text, *arguments)
    assert len(await named_page_statements(db_connection)) == 1
