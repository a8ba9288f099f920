"""Kubernetes quantities ("500m", "16Gi"), checked with the official client's own parser so
what is accepted here is what the API server accepts.

The client is imported on first use: importing any part of `kubernetes` loads every API
model (1.3 s of CPU), which a `grimoire server` that never starts a job should not pay.
"""

from decimal import Decimal


def parse_quantity(value: str) -> Decimal:
    """Raises ValueError for what is no quantity."""
    from kubernetes.utils import parse_quantity as parse  # noqa: PLC0415 (see the docstring)

    found: Decimal = parse(value)
    return found
