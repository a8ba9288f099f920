"""Serving processes load httpx without its command-line client.

httpx's package imports its CLI (click, rich, pygments: ~4 MiB a process, docs/benchmarks.md)
whenever those are installed, and they are, for the `grimoire` command. No serving process
runs httpx's CLI, so its module is marked absent before anything imports httpx (the OIDC
client, aiobotocore with an S3 artifact root, the webhook client); httpx then takes the path
it takes where its CLI extras are not installed (a stub `main`). services/core/app.py, which
every service's app is built by, imports this module first.
"""

import sys

sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
