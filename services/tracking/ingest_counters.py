"""What teams log, for capacity planning and to see ingest stop: runs, params and metric
points, counted once written (a transaction retried through a database outage may count its
writes twice; the outage shows in grimoire_db_outage_retries_total)."""

from prometheus_client import Counter

RUNS_CREATED = Counter("grimoire_runs_created_total", "Runs created.")
PARAMS_LOGGED = Counter(
    "grimoire_params_logged_total", "Run params logged (a repeat of an equal value included)."
)
METRIC_POINTS_LOGGED = Counter(
    "grimoire_metric_points_logged_total",
    "Metric points logged to runs (a repeated point, stored once, included).",
)
