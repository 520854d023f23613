"""Open311 service definitions: the extra questions (attributes) the room asks for some kinds of request.

They are configuration (data/config/open311_attributes.yaml), not code: a service listed there has
`metadata: true` in services.json, its definition is served at services/<code>.json, and a POSTed request's
answers (attribute[CODE]=value) are checked against it here before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from data.ingest.values import BadValueError, parse_time

DEFINITIONS_FILE = Path(__file__).resolve().parent.parent / "config" / "open311_attributes.yaml"
DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LISTS = ("singlevaluelist", "multivaluelist")
MAX_ANSWER = 500


@dataclass(frozen=True)
class Attribute:
    code: str
    datatype: str
    required: bool
    description: str
    order: int
    values: tuple[tuple[str, str], ...] = ()  # (key, name) for the list datatypes
    variable: bool = True
    datatype_description: str | None = None

    def as_dict(self) -> dict:
        """The attribute as the spec's JSON shapes it."""
        return {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": self.order,
            "description": self.description,
            "values": [{"key": k, "name": n} for k, n in self.values],
        }


def _attribute(service: str, order: int, spec: object) -> Attribute:
    if not isinstance(spec, dict) or not spec.get("code") or spec.get("datatype") not in DATATYPES:
        raise ValueError(f"{DEFINITIONS_FILE.name}: {service} attribute {order} needs a code and a datatype")
    values = tuple((str(v["key"]), str(v["name"])) for v in spec.get("values") or ())
    if (spec["datatype"] in LISTS) != bool(values):
        raise ValueError(f"{DEFINITIONS_FILE.name}: {service}.{spec['code']}: values go with the list datatypes")
    return Attribute(
        code=str(spec["code"]),
        datatype=spec["datatype"],
        required=bool(spec.get("required")),
        description=str(spec.get("description") or spec["code"]),
        order=int(spec.get("order") or order),
        values=values,
        variable=bool(spec.get("variable", True)),
        datatype_description=spec.get("datatype_description"),
    )


@cache
def definitions(path: Path = DEFINITIONS_FILE) -> dict[str, tuple[Attribute, ...]]:
    """Service code -> its attributes in order (read once per process; a broken file fails loudly)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {
        str(code): tuple(sorted((_attribute(code, i, a) for i, a in enumerate(attrs, 1)), key=lambda a: a.order))
        for code, attrs in raw.items()
    }


def _answer(attr: Attribute, value: object) -> str | list[str]:
    """One attribute's answer checked against its datatype; raises BadValueError with the reason."""
    many = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str | int | float) and not isinstance(v, bool) for v in many):
        raise BadValueError(f"attribute[{attr.code}] must be text or a number")
    texts = [str(v).strip() for v in many if str(v).strip()]
    if attr.datatype != "multivaluelist" and len(texts) > 1:
        raise BadValueError(f"attribute[{attr.code}] takes one value")
    if any(len(t) > MAX_ANSWER for t in texts):
        raise BadValueError(f"attribute[{attr.code}] is longer than {MAX_ANSWER} characters")
    if attr.datatype in LISTS:
        keys = {k for k, _ in attr.values}
        unknown = [t for t in texts if t not in keys]
        if unknown:
            raise BadValueError(f"attribute[{attr.code}]: {', '.join(unknown)} is not one of {', '.join(sorted(keys))}")
        return texts if attr.datatype == "multivaluelist" else texts[0]
    if attr.datatype == "number":
        try:
            float(texts[0])
        except ValueError:
            raise BadValueError(f"attribute[{attr.code}] must be a number, got {texts[0]!r}") from None
    if attr.datatype == "datetime":
        try:
            parse_time(texts[0])
        except BadValueError as exc:
            raise BadValueError(f"attribute[{attr.code}]: {exc}") from None
    return texts[0]


def check_attributes(service_code: str, answers: dict[str, object]) -> dict[str, object]:
    """The answers a request gave for its service, checked: required ones present, unknown codes refused."""
    attrs = {a.code: a for a in definitions().get(service_code, ())}
    unknown = sorted(set(answers) - set(attrs))
    if unknown:
        known = ", ".join(attrs) or "none"
        raise BadValueError(f"service {service_code} has no attribute {', '.join(unknown)} (its attributes: {known})")
    checked: dict[str, object] = {}
    for code, attr in attrs.items():
        value = answers.get(code)
        if value in (None, "", []):
            if attr.required and attr.variable:
                raise BadValueError(f"attribute[{code}] is required for service {service_code}: {attr.description}")
            continue
        checked[code] = _answer(attr, value)
    return checked
