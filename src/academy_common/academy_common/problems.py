"""One error type for "this input has problems": every problem listed, each naming its source.

And one way to turn a pydantic ``ValidationError`` into such problems,
:func:`validation_problems`, so every file the workspace validates with pydantic (session files,
``episode.json``) words its problems alike: ``key: value: what would be valid``.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

#: A package's own wording for some errors: the "what would be valid" part, or None for the
#: general wording.
DescribeError = Callable[[ErrorDetails], str | None]


class ProblemsError(Exception):
    """An input (file, document) is invalid; ``problems`` holds one line per problem.

    Packages derive their own typed errors from it and from their base error, e.g.
    ``class InvalidStationError(ProblemsError, SimError)``.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        super().__init__(f"{source}: " + f"\n{source}: ".join(problems))
        self.source = source
        self.problems = problems


def validation_problems(
    error: ValidationError,
    model: type[BaseModel],
    describe: DescribeError | None = None,
) -> list[str]:
    """One ``key: value: what would be valid`` line per problem of a pydantic ``error``.

    Args:
        error: raised by ``model.model_validate``.
        model: the model validated; it tells which parts of an error's location are keys.
        describe: a package's wording for some errors (None: use the general one).

    Returns:
        The lines, in pydantic's order. A key is written as the user wrote it
        (``nodes[0].parameters.rate``): pydantic's names for the union branches it tried are left
        out. A missing key reads ``key: missing required key`` (there is no value), an unknown
        key lists the keys its model allows, and a key a union reports once per branch gets one
        line per distinct wording.
    """
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    for item in error.errors():
        key, valid_keys = _locate(model, item["loc"])
        valid = describe(item) if describe is not None else None
        if valid is None:
            valid = _describe_valid(item, valid_keys)
        if (key, valid) in seen:
            continue
        seen.add((key, valid))
        if item["type"] == "missing":
            problems.append(f"{key}: {valid}")
        else:
            problems.append(f"{key}: {item['input']!r}: {valid}")
    return problems


def _describe_valid(error: ErrorDetails, valid_keys: Iterable[str]) -> str:
    kind = error["type"]
    ctx: Mapping[str, Any] = error.get("ctx") or {}
    if kind == "extra_forbidden":
        return "unknown key; valid keys: " + ", ".join(valid_keys)
    if kind == "missing":
        return "missing required key"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        return f"must match {ctx.get('pattern')}"
    message = error["msg"]
    if ctx.get("valid"):  # a PydanticCustomError worded by the package: keep it as written
        return message
    return message[:1].lower() + message[1:]  # "Input should be ..." follows "key: value: "


def _locate(model: type[BaseModel], loc: Sequence[int | str]) -> tuple[str, list[str]]:
    """The key at ``loc`` as a user writes it, and the keys valid beside its last part.

    Walks ``model``'s annotations along ``loc`` to tell keys from the branch names pydantic
    inserts after a union (``int``, ``list[str]``, ``TopicStats``, ``function-after[...]``).
    """
    key = ""
    valid_keys: list[str] = []
    current: Any = model
    for part in loc:
        current = _strip(current)
        members = _union_members(current)
        if members:  # pydantic names the branch it tried next: a name, not a key
            current = _branch(members, str(part))
            continue
        origin = get_origin(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            valid_keys = list(current.model_fields)
            field = current.model_fields.get(str(part))
            current = field.annotation if field is not None else None
        elif isinstance(origin, type) and issubclass(origin, Mapping):
            valid_keys = []
            current = get_args(current)[-1]  # ``part`` is a key of the mapping
        elif isinstance(origin, type) and issubclass(origin, Sequence) and isinstance(part, int):
            valid_keys = []
            args = [a for a in get_args(current) if a is not Ellipsis]
            current = args[min(part, len(args) - 1)] if args else None
        elif isinstance(part, str) and "[" in part:
            continue  # pydantic's marker where the type is not known here, e.g. "[key]"
        else:
            valid_keys = []
            current = None
        key += f"[{part}]" if isinstance(part, int) else ("." if key else "") + part
    return key or "(top level)", valid_keys


def _strip(annotation: Any) -> Any:
    """``annotation`` without ``Annotated[...]`` metadata and without ``| None`` (neither adds a
    part to pydantic's locations)."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif len(members := _union_members(annotation)) == 1:
            annotation = members[0]
        else:
            return annotation


def _union_members(annotation: Any) -> list[Any]:
    """The members of a union except None ([] if ``annotation`` is no union)."""
    if get_origin(annotation) not in (Union, types.UnionType):
        return []
    return [m for m in get_args(annotation) if m is not type(None)]


def _branch(members: list[Any], name: str) -> Any:
    """The member pydantic calls ``name`` (``A``, ``list[A]``, ``dict[str,int]``); None if it
    cannot be told (then later parts that look like keys are taken for keys)."""
    for member in map(_strip, members):
        origin = get_origin(member)
        if origin is None and isinstance(member, type) and member.__name__ == name:
            return member
        if isinstance(origin, type) and origin.__name__ == name.split("[", 1)[0]:
            return member
    return None
