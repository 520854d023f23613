"""Bodies of /_dash-update-component requests as the browser builds them, from an app's registered callbacks."""

from __future__ import annotations

import json

from callbacks import dash_internals


def id_key(component_id: object) -> str:
    """A hashable key for any component id: pattern-matching ids arrive as (unhashable) dicts."""
    return component_id if isinstance(component_id, str) else json.dumps(component_id, sort_keys=True)


def _concrete(component_id: str, slot: str) -> object:
    """A registered id (JSON text with ["MATCH"]) as the browser sends it for one slot."""
    if not component_id.startswith("{"):
        return component_id
    parsed = json.loads(component_id)
    return {k: (slot if v == ["MATCH"] else v) for k, v in parsed.items()}


def body_for(app, output_key: str, values: dict[str, object], slot: str = "main") -> dict:  # noqa: ANN001
    """The body for the callback registered under `output_key` (MATCH on one slot); `values` by id_key."""
    spec = dash_internals.callback_specs(app)[output_key]
    outputs = []
    for part in output_key.strip(".").split("..."):
        cid, prop = part.rsplit(".", 1)
        outputs.append({"id": _concrete(cid.split("@", 1)[0], slot), "property": prop})

    def items(kind: str) -> list[dict]:
        out = []
        for dep in spec[kind]:
            cid = _concrete(dep["id"], slot)
            out.append({"id": cid, "property": dep["property"], "value": values.get(id_key(cid))})
        return out

    inputs = items("inputs")
    last = inputs[-1]
    last_id = json.dumps(last["id"], separators=(",", ":")) if isinstance(last["id"], dict) else last["id"]
    return {
        "output": output_key,  # Dash sends the registered key (wildcards and all); `outputs` are concrete
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": items("state"),
        "changedPropIds": [f"{last_id}.{last['property']}"],
    }


def callback_key(app, *, output: str = "", state_id: str = "") -> str:  # noqa: ANN001
    """The first registered key whose outputs mention `output` and whose state has `state_id`."""
    for key, spec in dash_internals.callback_specs(app).items():
        if output in key and (not state_id or any(d["id"] == state_id for d in spec["state"])):
            return key
    raise KeyError(output or state_id)
