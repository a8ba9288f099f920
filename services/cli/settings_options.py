"""Click options generated from the settings classes, so a flag's default, environment
variable and help text live once, in services/core/config.py."""

from collections.abc import Callable
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

import click
from pydantic_settings import BaseSettings


def _click_type(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, UnionType):
        annotation = next(arg for arg in get_args(annotation) if arg is not type(None))
    if annotation is Path:
        return click.Path(path_type=Path)
    if annotation in (int, float, bool):
        return annotation
    return str  # str, and SecretStr: a secret given on the command line is still text


def setting_option(
    settings: type[BaseSettings], field: str, flag: str | None = None, **overrides: Any
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--<field>` (or `flag`) read from the setting's own environment variable, with its
    default and description; `overrides` are click's keywords for what a command adds."""
    info = settings.model_fields[field]
    options: dict[str, Any] = {
        "envvar": f"{settings.model_config.get('env_prefix', '')}{field}".upper(),
        "type": _click_type(info.annotation),
        "help": info.description,
    }
    if info.default is not None:
        options |= {"default": info.default, "show_default": True}
    return click.option(flag or f"--{field.replace('_', '-')}", **options | overrides)
