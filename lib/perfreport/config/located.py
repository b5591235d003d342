"""A parsed YAML value that knows the line of each of its keys, for messages that point there."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Located:
    """A parsed YAML value with the line numbers (1-based) of it and its keys."""

    value: Any
    node: yaml.Node
    path: Path

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def line_of(self, loc: tuple[str | int, ...]) -> int:
        """The line of the key or item at ``loc`` (as pydantic reports it), or of this value."""
        node = self.node
        for part in loc:
            child = child_node(node, part)
            if child is None:
                break
            node = child
        return node.start_mark.line + 1

    def present(self, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
        """``loc`` as the file spells it: list positions the file does not have are dropped.

        A field that accepts one mapping or a list of them is reported by pydantic at
        ``target[0]``; when the file holds a single mapping, ``target`` is what the user wrote.
        """
        node, out = self.node, []
        for part in loc:
            if isinstance(part, int) and not isinstance(node, yaml.SequenceNode):
                continue
            out.append(part)
            node = child_node(node, part) or node
        return tuple(out)


def child_node(node: yaml.Node, part: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == part:
                return value if isinstance(value, yaml.MappingNode | yaml.SequenceNode) else key
    if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
        item: yaml.Node = node.value[part]
        return item
    return None
