"""Entry point parameters: MLflow's types (string, float, path, uri, and int, which MLflow's
tutorial uses), defaults, and the shell-quoted command they fill in."""

import math
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from services.jobs.project.errors import ProjectError

TYPES = ("string", "str", "float", "int", "integer", "path", "uri")


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    default: str | None

    @classmethod
    def from_yaml(cls, entry_point: str, name: str, spec: Any) -> "Parameter":
        """`name: float` or `name: {type: float, default: 0.1}`, as MLflow reads them."""
        if isinstance(spec, str):
            kind, default = spec, None
        elif isinstance(spec, dict):
            unknown = set(spec) - {"type", "default"}
            if unknown:
                raise ProjectError(
                    f"entry point {entry_point!r}, parameter {name!r}: unknown keys "
                    f"{sorted(unknown)} (use type and default)"
                )
            kind, default = spec.get("type", "string"), spec.get("default")
        else:
            raise ProjectError(
                f"entry point {entry_point!r}, parameter {name!r}: give a type name or "
                "{type: ..., default: ...}"
            )
        if kind not in TYPES:
            raise ProjectError(
                f"entry point {entry_point!r}, parameter {name!r}: unknown type {kind!r} "
                f"(one of {', '.join(TYPES)})"
            )
        if isinstance(default, bool) or isinstance(default, (dict, list)):
            raise ProjectError(
                f"entry point {entry_point!r}, parameter {name!r}: the default must be a "
                f"single value, not {default!r}"
            )
        return cls(name, kind, None if default is None else str(default))

    def resolve(self, value: str, base: Path) -> str:
        """The value checked against the type; a local `path` made absolute against `base`."""
        if self.type == "float":
            try:
                number = float(value)
            except ValueError:
                raise ProjectError(
                    f"parameter {self.name!r} is a float; {value!r} is not a number"
                ) from None
            if math.isnan(number):
                raise ProjectError(f"parameter {self.name!r} is a float; NaN is not accepted")
        elif self.type in ("int", "integer"):
            try:
                int(value)
            except ValueError:
                raise ProjectError(
                    f"parameter {self.name!r} is an int; {value!r} is not a whole number"
                ) from None
        elif self.type == "uri":
            if not _is_uri(value):
                raise ProjectError(f"parameter {self.name!r} is a uri; {value!r} has no scheme")
        elif self.type == "path" and not _is_uri(value):
            path = (base / value).resolve()
            if not path.exists():
                raise ProjectError(
                    f"parameter {self.name!r} is a path; {value!r} does not exist "
                    f"(looked at {path})"
                )
            return str(path)
        return value


def _is_uri(value: str) -> bool:
    # A Windows drive letter is one character: a real scheme is longer.
    return len(urlparse(value).scheme) > 1


def render_command(
    template: str, parameters: dict[str, Parameter], given: dict[str, str], base: Path
) -> tuple[str, dict[str, str]]:
    """The command with every `{name}` replaced by its shell-quoted value, extra parameters
    appended as `--key value` (as `mlflow run` does), and the values used, for logging."""
    missing = [n for n, p in parameters.items() if n not in given and p.default is None]
    if missing:
        raise ProjectError(
            "no value given for parameter(s) "
            + ", ".join(repr(n) for n in missing)
            + " (pass them with -P name=value)"
        )
    values = {
        name: parameter.resolve(given[name] if name in given else str(parameter.default), base)
        for name, parameter in parameters.items()
    }
    try:
        command = template.format(**{name: shlex.quote(v) for name, v in values.items()})
    except (KeyError, IndexError) as error:
        raise ProjectError(
            f"the command {template!r} uses {{{error.args[0]}}}, which is not a declared parameter"
        ) from None
    except ValueError as error:
        raise ProjectError(f"the command {template!r} is not a valid template: {error}") from None
    extras = {name: value for name, value in given.items() if name not in parameters}
    command = " ".join(
        [command, *(f"--{shlex.quote(k)} {shlex.quote(v)}" for k, v in extras.items())]
    )
    return command, {**values, **extras}


def parse_assignments(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """`-P key=value` pairs; the value may itself hold `=`."""
    parsed: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise ProjectError(f"-P {pair!r}: use name=value")
        if name in parsed:
            raise ProjectError(f"-P {name} is given twice")
        parsed[name] = value
    return parsed
