"""`python bench/run.py`: Grimoire next to `mlflow server` in one run (see bench/cli.py and
docs/benchmarks.md)."""

from cli import main

if __name__ == "__main__":
    main()
