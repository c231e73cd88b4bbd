"""Reading node parameters that a node cannot run without."""

from __future__ import annotations

from rclpy.node import Node


class MissingParameterError(ValueError):
    """A required parameter is unset; the message says what it should hold."""


def required_string(node: Node, name: str) -> str:
    """The value of string parameter ``name``.

    Raises:
        MissingParameterError: it is empty; the message names the node, the parameter and its
            description (what would be valid).
    """
    value: str = node.get_parameter(name).get_parameter_value().string_value
    if not value:
        described = node.describe_parameter(name).description or "a non-empty string"
        raise MissingParameterError(
            f"{node.get_fully_qualified_name()}: parameter {name!r} is required: {described} "
            "(set it in the session file's node parameters)"
        )
    return value
