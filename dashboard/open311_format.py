"""GeoReport v2's two formats: the same body as JSON or as the spec's XML (`<services><service>`,
`<service_requests><request>`, `<service_definition>`, `<errors><error>`), UTF-8 with the XML declaration.

The spec's JSON is a mapping of its XML (the Spark convention), so one body renders both ways: a list
under a plural tag holds elements named by the singular, None is an empty element, booleans are
`true`/`false`.
"""

from __future__ import annotations

import re
from xml.etree import ElementTree as ET

import orjson
from flask import Response

XML_MIMETYPE = "text/xml"
# Characters XML 1.0 cannot carry (a feed's text may hold them; JSON and the database can)
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
XML_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")
# A plural tag and the tag of each of its items, as the spec's examples write them.
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _child(parent: ET.Element, key: object) -> ET.Element:
    """An element named by the key; a key that is no XML name (a feed's attribute code) becomes
    <entry key="..."> rather than markup of its own."""
    name = str(key)
    if XML_NAME.match(name) and not name.lower().startswith("xml"):
        return ET.SubElement(parent, name)
    return ET.SubElement(parent, "entry", {"key": _text(name)})


def _fill(parent: ET.Element, value: object) -> None:
    if isinstance(value, dict):
        for key, inner in value.items():
            _fill(_child(parent, key), inner)
    elif isinstance(value, list):
        tag = ITEM_TAGS.get(parent.tag, "item")
        for inner in value:
            _fill(ET.SubElement(parent, tag), inner)
    elif value is not None:
        parent.text = _text(value)


def to_xml(root: str, body: object) -> bytes:
    """`body` (a list of items or one object) under the root tag, as the spec's XML examples shape it."""
    element = ET.Element(root)
    _fill(element, body)
    ET.indent(element)
    return ET.tostring(element, encoding="utf-8", xml_declaration=True)


def respond(body: object, fmt: str, root: str, status: int = 200) -> Response:
    """The body as JSON or XML; `root` is the XML root (services, service_requests, service_definition)."""
    if fmt == "xml":
        return Response(to_xml(root, body), status=status, content_type=f"{XML_MIMETYPE}; charset=utf-8")
    return Response(orjson.dumps(body), status=status, content_type="application/json; charset=utf-8")


def spec_error(status: int, description: str, fmt: str = "json") -> Response:
    """The spec's error: [{"code", "description"}] or <errors><error>, with the HTTP status as the code."""
    return respond([{"code": status, "description": description}], fmt, "errors", status)


def format_of(path: str) -> str:
    """The format a path asks for (.xml or .json); JSON for anything else."""
    return "xml" if path.rsplit("?", 1)[0].endswith(".xml") else "json"
