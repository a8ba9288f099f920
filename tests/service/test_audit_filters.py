"""The audit log's filters (services/core/auth/audit.py), as the audit page asks for them,
on a rolled-back connection: each filter narrows, together they all must hold."""

import uuid

from services.core.auth import audit
from services.core.auth.audit import AuditFilter
from services.core.db.engine import Connection
from services.core.db.tables.auth import audit_log


async def entry(conn: Connection, at: int, actor: str, action: str, **fields: object) -> None:
    await conn.execute(
        audit_log.insert().values(
            at=at,
            actor=actor,
            action=action,
            resource_type=fields.pop("resource_type", None),
            resource_id=fields.pop("resource_id", None),
            details=fields,
        )
    )


async def listed(conn: Connection, **wanted: object) -> list[tuple[str, str, int]]:
    entries = await audit.recent.on(conn, 100, AuditFilter(**wanted))  # type: ignore[arg-type]
    return [(e["actor"], e["action"], e["at"]) for e in entries]


async def test_each_filter_narrows_and_all_must_hold(db_connection: Connection) -> None:
    tag = uuid.uuid4().hex[:8]
    alice, bob = f"alice-{tag}", f"bob-{tag}"
    model = f"churn-{tag}"
    base = 10**15  # far from any real entry's time, so the time filters see only these
    await entry(
        db_connection,
        base + 1,
        alice,
        "stage.transition",
        resource_type="registered_model",
        resource_id="41",
        name=model,
        version="2",
    )
    await entry(
        db_connection,
        base + 2,
        bob,
        "alias.set",
        resource_type="registered_model",
        resource_id="41",
        name=model,
        alias="champion",
    )
    await entry(
        db_connection,
        base + 3,
        alice,
        "run.delete",
        resource_type="experiment",
        resource_id="7",
        run_id=f"run-{tag}",
    )
    await entry(db_connection, base + 4, alice, "permission.grant", principal=bob)

    assert await listed(db_connection, actor=alice, since_ms=base) == [
        (alice, "permission.grant", base + 4),
        (alice, "run.delete", base + 3),
        (alice, "stage.transition", base + 1),
    ]
    # An object by the name people use (a model's name) or by its id; a run by its id.
    assert [a for _, a, _ in await listed(db_connection, object=model)] == [
        "alias.set",
        "stage.transition",
    ]
    assert [a for _, a, _ in await listed(db_connection, object="41", since_ms=base)] == [
        "alias.set",
        "stage.transition",
    ]
    assert [a for _, a, _ in await listed(db_connection, object=f"run-{tag}")] == ["run.delete"]
    assert await listed(db_connection, resource_type="experiment", actor=alice, since_ms=base) == [
        (alice, "run.delete", base + 3)
    ]
    # The time window is [since, until).
    assert [at for *_, at in await listed(db_connection, since_ms=base + 2, until_ms=base + 4)] == [
        base + 3,
        base + 2,
    ]
    assert await listed(db_connection, actor=alice, action="alias.set") == []
