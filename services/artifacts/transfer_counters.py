"""Bytes through the proxy, for capacity planning and to spot stalled transfers."""

from collections.abc import AsyncIterator

from prometheus_client import Counter

BYTES_IN = Counter("grimoire_artifact_bytes_in_total", "Artifact bytes received from clients.")
BYTES_OUT = Counter("grimoire_artifact_bytes_out_total", "Artifact bytes sent to clients.")


async def counted(chunks: AsyncIterator[bytes], counter: Counter) -> AsyncIterator[bytes]:
    async for chunk in chunks:
        counter.inc(len(chunk))
        yield chunk
