"""MLflow projects for `grimoire run` and `grimoire job-exec`: the `MLproject` format, its
parameters and command templating, the cached environments, packing and git sources."""
