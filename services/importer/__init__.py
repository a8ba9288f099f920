"""`grimoire import`: an existing MLflow history (a `mlruns/` folder, an MLflow SQL database or
a running MLflow server) written into Grimoire's own tables and artifact store, keeping run
IDs, timestamps and version numbers. Composition-level code: it reads core's table
definitions and storage protocol, never a service's package. See docs/import.md."""
