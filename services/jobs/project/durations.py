"""`--timeout 6h`: a duration as seconds."""

import re

from services.jobs.project.errors import ProjectError

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> int:
    """`90`, `90s`, `30m`, `6h`, `1d`, `1h30m` -> seconds (at least one)."""
    parts = re.findall(r"(\d+)([smhd]?)", text.strip())
    if not parts or "".join(n + u for n, u in parts) != text.strip():
        raise ProjectError(f"{text!r} is not a duration; use e.g. 90s, 30m, 6h, 1d")
    seconds = sum(int(number) * UNITS[unit or "s"] for number, unit in parts)
    if seconds < 1:
        raise ProjectError(f"{text!r} is not a positive duration")
    return seconds
