"""The results as one table (every server, Grimoire's ratio to each peer) and a plot of the
headline figures."""

from pathlib import Path

# (workload, figure in the yardstick's JSON, label, higher is better)
FIGURES = {
    "W1": [
        ("metric_points_per_s", "points/s", True),
        ("p99_ms", "p99 ms", False),
        ("errors", "errors", False),
        ("server_cpu_us_per_point", "server CPU us per point", False),
        ("rest_cpu_us_per_point", "PostgreSQL + kernel CPU us per point", False),
        ("generator_cpu_us_per_point", "load generator CPU us per point", False),
        ("machine_busy_pct", "machine busy % (200 = both cores)", False),
    ],
    "W2": [
        ("ops_per_s", "requests/s", True),
        ("p99_ms", "p99 ms", False),
        ("errors", "errors", False),
        ("server_cpu_us_per_point", "server CPU us per request", False),
        ("rest_cpu_us_per_point", "PostgreSQL + kernel CPU us per request", False),
        ("generator_cpu_us_per_point", "load generator CPU us per request", False),
        ("machine_busy_pct", "machine busy % (200 = both cores)", False),
    ],
    "W3": [
        ("seed_runs_per_s", "seeding runs/s", True),
        ("ops_per_s", "queries/s", True),
        ("p50_ms", "p50 ms", False),
    ],
    "W4": [("p50_ms", "full fetch p50 ms", False), ("fetch_points_per_s", "points/s", True)],
    "W5": [
        ("upload_MiBps", "upload MiB/s", True),
        ("download_MiBps", "download MiB/s", True),
        ("local_write_MiBps", "local disk write MiB/s", True),
        ("local_write_fsync_MiBps", "local disk write+fsync MiB/s", True),
        ("local_read_cached_MiBps", "local disk cached read MiB/s", True),
    ],
    "CLIENT": [
        ("sync_calls_per_s", "mlflow.log_metric calls/s, sync", True),
        ("async_calls_per_s", "mlflow.log_metric calls/s, async logging", True),
    ],
    "PROXY": [
        ("upload_MiBps", "1 GiB curl upload MiB/s", True),
        ("download_MiBps", "1 GiB curl download MiB/s", True),
        ("dd_write_fsync_MiBps", "dd write+fsync MiB/s (same disk)", True),
        ("rss_growth_MiB", "server RSS growth MiB", False),
    ],
}


def ratio(ours: float | None, theirs: float | None, higher_is_better: bool) -> str:
    if ours is None or theirs is None or ours == 0 or theirs == 0:
        return "-"
    value = ours / theirs if higher_is_better else theirs / ours
    return f"{value:.1f}x"


def per_point_or_none(figures: dict, key: str) -> float | None:
    """A figure of a run, leaving out CPU per point where almost nothing was stored (results
    saved before StoredPoints left those out themselves)."""
    stored = figures.get("stored_points_per_s")
    if key.endswith("_per_point") and stored is not None and stored < 10:
        return None
    return figures.get(key)


PEERS = {"mlflow": "MLflow", "fasttrackml": "FastTrackML"}


def render(results: dict, targets: list[str], startup: dict, machine: str) -> str:
    """One row per figure: each server's value, then Grimoire's ratio to each peer."""
    peers = [t for t in targets if t in PEERS] if "grimoire" in targets else []
    lines = [
        f"Machine: {machine}",
        "",
        "| workload | figure | "
        + " | ".join(targets + [f"Grimoire vs {PEERS[p]}" for p in peers])
        + " |",
        "|---|---|" + "---|" * (len(targets) + len(peers)),
    ]
    for label, runs in results.items():
        workload = label.split()[0]
        for key, name, higher in FIGURES[workload] + [
            ("rss_peak_MiB", "server RSS peak MiB", False)
        ]:
            values = {t: per_point_or_none(runs.get(t, {}), key) for t in targets}
            cells = ["-" if v is None else f"{v:,}" for v in values.values()]
            cells += [ratio(values["grimoire"], values[p], higher) for p in peers]
            lines.append(f"| {label} | {name} | " + " | ".join(cells) + " |")
    cells = [
        f"{startup[t]['ready_s']:.2f} s / {startup[t]['idle_rss_MiB']:.0f} MiB"
        if t in startup
        else "-"
        for t in targets
    ]
    lines.append(
        "| startup | start to ready / idle RSS | " + " | ".join(cells + [""] * len(peers)) + " |"
    )
    return "\n".join(lines)


HEADLINE = [  # (workload, figure, axis title); every variant of a workload gets a panel
    ("W1", "metric_points_per_s", "points/s"),
    ("W2", "ops_per_s", "log-metric requests/s"),
    ("W3", "ops_per_s", "searches/s"),
    ("W4", "p50_ms", "full history fetch, ms (lower is better)"),
    ("PROXY", "upload_MiBps", "1 GiB upload MiB/s"),
    ("PROXY", "download_MiBps", "1 GiB download MiB/s"),
]


COLOURS = {"grimoire": "#6a3d9a", "mlflow": "#999999", "fasttrackml": "#1f78b4"}


def plot(results: dict, path: Path) -> None:
    """Grimoire next to its peers on the headline figures, one panel each."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [
        (label, key, f"{label}: {title}")
        for workload, key, title in HEADLINE
        for label in results
        if label.split()[0] == workload
    ]
    if not panels:
        return
    columns = 4
    rows = (len(panels) + columns - 1) // columns
    figure, axes = plt.subplots(rows, columns, figsize=(4 * columns, 3.2 * rows), squeeze=False)
    for axis, (label, key, title) in zip(axes.flat, panels, strict=False):
        names = [n for n in COLOURS if n in results[label]]
        values = [results[label][n].get(key) or 0 for n in names]
        bars = axis.bar(names, values, color=[COLOURS[n] for n in names])
        axis.bar_label(bars, labels=[f"{v:,.0f}" for v in values])
        axis.set_title(title, fontsize=9)
        axis.spines[["top", "right"]].set_visible(False)
    for axis in list(axes.flat)[len(panels) :]:
        axis.set_visible(False)
    figure.suptitle(
        "Grimoire (auth on) vs mlflow server 3.17.2 and FastTrackML 0.6.0, "
        "same machine, same PostgreSQL"
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
