"""The job's token, built only from core's existing mechanisms (services/core/auth/): a
service account per job, made when the job is submitted and recording whom it acts for (the
submitter), whose one group holds an EDIT grant on the run's experiment and nothing else, and
a token of that account expiring after the job's deadline. In the registry the account may
do what its submitter may, up to EDIT, computed at every check (services/core/auth/access.py):
the tutorial's `log_model(registered_model_name=...)` creates the model where they may create
one, or adds a version to one they may edit. The job ends (or is cancelled): the account, its
grants and its tokens go, and what the job created (a registered model's creator MANAGE) is
handed to the submitter.

The group name holds a ':' so no service account could be named after it and it reads as
what it is in grant listings; identity providers' group names are the administrator's.
"""

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert

from services.core.auth import access, tokens
from services.core.auth.principal import Principal
from services.core.clock import now_ms
from services.core.db.engine import Connection
from services.core.db.tables.auth import auth_tokens, grants, service_accounts

GRANTED_BY = "grimoire-jobs"
# Time a job may wait in its queue on top of its own deadline (the token must outlive both).
QUEUE_ALLOWANCE_MS = 24 * 3600 * 1000


def account_name(run_id: str) -> str:
    return f"job-{run_id}"


def group_name(run_id: str) -> str:
    return f"grimoire-job:{run_id}"


async def enlist(conn: Connection, run_id: str, submitter: Principal | None) -> None:
    """The job's account, acting for `submitter` as authentication saw them (a person by
    their users row, so their live name and groups count). Without authentication there is
    no submitter and no account: the job gets no token."""
    if submitter is None:
        return
    await _create_account(
        conn,
        run_id,
        acts_for=submitter.name,
        acts_for_user_id=submitter.user_id,
        acts_for_groups=list(submitter.groups),
    )


async def _create_account(conn: Connection, run_id: str, **acting_for: object) -> None:
    values = {"groups": [group_name(run_id)], "created_by": GRANTED_BY, "created_at": now_ms()}
    await conn.execute(
        insert(service_accounts)
        .values(name=account_name(run_id), **values, **acting_for)
        .on_conflict_do_nothing()
    )


async def issue(conn: Connection, run_id: str, experiment_id: str, deadline_seconds: int) -> str:
    """A fresh token for the job (earlier ones of its account are revoked). A job submitted
    without a submitter (authentication turned on since) gets an account acting for nobody:
    its run's experiment only."""
    name, now = account_name(run_id), now_ms()
    await _create_account(conn, run_id)
    await access.grant(
        conn, "group", group_name(run_id), "experiment", experiment_id, "EDIT", GRANTED_BY
    )
    await _revoke_tokens(conn, name, now)
    expires_at = now + deadline_seconds * 1000 + QUEUE_ALLOWANCE_MS
    issued = await tokens.issue(conn, f"service:{name}", f"job {run_id}", None, expires_at)
    return issued["token"]


async def _revoke_tokens(conn: Connection, name: str, now: int) -> None:
    await conn.execute(
        update(auth_tokens)
        .where(auth_tokens.c.owner == f"service:{name}", auth_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


async def release(conn: Connection, run_id: str, submitted_by: str = "") -> None:
    name = account_name(run_id)
    await _revoke_tokens(conn, name, now_ms())
    await _hand_created_to(conn, f"service:{name}", submitted_by)
    await conn.execute(
        delete(grants).where(
            grants.c.principal_type == "group", grants.c.principal == group_name(run_id)
        )
    )
    await conn.execute(delete(service_accounts).where(service_accounts.c.name == name))


async def _hand_created_to(conn: Connection, job_principal: str, submitted_by: str) -> None:
    """The job's account is going: what it created (its creator MANAGE grants) becomes the
    submitter's, or nobody's without authentication (no submitter then)."""
    held = grants.c.principal_type == "user", grants.c.principal == job_principal
    created = await conn.execute(select(grants.c.resource_type, grants.c.resource_id).where(*held))
    for resource_type, resource_id in created.all():
        if submitted_by:
            await access.grant(
                conn, "user", submitted_by, resource_type, resource_id, "MANAGE", GRANTED_BY
            )
    await conn.execute(delete(grants).where(*held))
