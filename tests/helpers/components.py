"""Dash component trees read as trees, so a test asserts on the node it means (its type, id, classes, props and
text) instead of matching a substring of str(component), which passes on a word found anywhere: in another node,
in a prop, in an id.

A tree is a component, its JSON form (a dict with type, namespace and props, as a callback response carries it),
a list of either, or None. Components held in props other than `children` (dbc and ag-grid props) are walked too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dash.development.base_component import Component

Node = Component | dict[str, Any]


def is_node(value: object) -> bool:
    """A component, or a component in its JSON form."""
    return isinstance(value, Component) or (isinstance(value, dict) and {"type", "namespace", "props"} <= value.keys())


def props(node: Node) -> dict[str, Any]:
    """Every prop set on the node, data-* and aria-* included (children as they are, not serialised)."""
    return node.to_plotly_json()["props"] if isinstance(node, Component) else node["props"]


def type_name(node: Node) -> str:
    """'Div', 'Span', 'AgGrid': the component's type as Dash names it."""
    return node._type if isinstance(node, Component) else node["type"]


def classes(node: Node) -> set[str]:
    """The words of the node's className."""
    return set((props(node).get("className") or "").split())


def _nodes_in(value: object) -> Iterator[Node]:
    """The outermost nodes inside a prop value (a node, or nodes nested in lists and plain dicts)."""
    if is_node(value):
        yield value  # type: ignore[misc]
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _nodes_in(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _nodes_in(item)


def walk(tree: object) -> Iterator[Node]:
    """Every node of the tree, parents before children, in document order."""
    for node in _nodes_in(tree):
        yield node
        for value in props(node).values():
            yield from walk(value)


def _matches(node: Node, kind: type[Component] | str | None, class_name: str | None, wanted: dict[str, Any]) -> bool:
    if isinstance(kind, str) and type_name(node) != kind:
        return False
    if isinstance(kind, type):
        namespace = node._namespace if isinstance(node, Component) else node["namespace"]
        if (type_name(node), namespace) != (kind.__name__, kind._namespace):
            return False
    if class_name is not None and not set(class_name.split()) <= classes(node):
        return False
    own = props(node)
    return all(name in own and own[name] == value for name, value in wanted.items())


def find_all(
    tree: object, type: type[Component] | str | None = None, class_name: str | None = None, **wanted: Any
) -> list[Node]:
    """The nodes of `type` (a component class or its name) carrying every class of `class_name` and the props
    `wanted` (id=..., or **{"data-feed": "outside"}), in document order."""
    return [node for node in walk(tree) if _matches(node, type, class_name, wanted)]


def find(tree: object, type: type[Component] | str | None = None, class_name: str | None = None, **wanted: Any) -> Node:
    """The one node that matches; none or several fail the test, naming what was looked for."""
    found = find_all(tree, type, class_name, **wanted)
    assert len(found) == 1, f"{len(found)} nodes match type={type} class_name={class_name!r} {wanted}"
    return found[0]


def texts(tree: object) -> list[str]:
    """The text nodes the tree shows, in order (strings and numbers among children; props are not text)."""
    if isinstance(tree, str):
        return [tree]
    if isinstance(tree, int | float) and not isinstance(tree, bool):
        return [str(tree)]
    if isinstance(tree, list | tuple):
        return [piece for item in tree for piece in texts(item)]
    if is_node(tree):
        return texts(props(tree).get("children"))  # type: ignore[arg-type]
    return []


def text(tree: object) -> str:
    """The tree's text as a browser shows it (textContent): its text nodes joined."""
    return "".join(texts(tree))
