"""`--help` that says what a value is (USER, DIR, N) instead of its Python type (`<str>`), and nothing after a
flag (typer shows `--json <bool>`, as if the flag took a value)."""

from __future__ import annotations

from typing import Any

from typer.core import TyperArgument, TyperGroup

# options whose value is better named by what it is than by the option's name
_NAMES = {"data": "DIR", "storage": "URL", "config": "FILE", "log-file": "FILE", "tokens-file": "FILE"}


def _metavar(param: Any) -> str | None:
    # typer describes a parameter by its annotation (type_descriptor), not by a click type
    desc = getattr(param, "type_descriptor", None)
    if desc is not None and getattr(desc, "is_choice", False):
        return None  # typer lists the choices: that is the useful part
    annotation = getattr(desc, "annotation", None)
    if annotation is int:
        return "N"
    if annotation is float:
        return "NUMBER"
    long_names = [o.lstrip("-") for o in getattr(param, "opts", []) if o.startswith("--")]
    if isinstance(param, TyperArgument):
        return str(param.name or "value").upper()  # the argument's own name: FILE, QUERY, PAGE_ID
    if long_names and long_names[0] in _NAMES:
        return _NAMES[long_names[0]]
    if desc is not None and getattr(desc, "is_path", False):
        return "PATH"
    return str(long_names[0] if long_names else param.name or "value").upper().replace("-", "_")


def _no_type(ctx: Any) -> None:
    return None


def plain_help(params: list[Any]) -> None:
    for param in params:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = ""
        elif param.metavar is None:
            param.metavar = _metavar(param)
        if isinstance(param, TyperArgument):
            # an argument's metavar already names it; typer would add its Python type beside the name
            setattr(param, "display_type_rich", _no_type)  # noqa: B010 - an instance's override of a method


class PlainHelpGroup(TyperGroup):
    """The root command and every subcommand get plain_help's metavars before they parse or show help."""

    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        plain_help(params)
        return params

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            plain_help(command.get_params(ctx))
        return command
