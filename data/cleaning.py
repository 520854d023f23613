"""Text a feed or a browser sends that no store can hold: NUL characters (U+0000).

PostgreSQL text cannot contain NUL; SQLite can. One NUL in one field must not fail a whole batch on one
store only, so NULs are removed where text enters (request bodies, complaint records, log entries), the same
on both stores. Nesting is walked without recursion: a 1,000-deep body is a reject, never a crash.
"""

from __future__ import annotations

NUL = "\x00"


def without_nul(text: str) -> str:
    return text.replace(NUL, "") if NUL in text else text


def strip_nul(value: object) -> tuple[object, int]:
    """`value` with NUL removed from every string in it, keys included (lists and dicts are changed in place),
    and how many strings had one."""
    if isinstance(value, str):
        return without_nul(value), int(NUL in value)
    cleaned = 0
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            for i, item in enumerate(node):
                if isinstance(item, str):
                    if NUL in item:
                        node[i] = without_nul(item)
                        cleaned += 1
                elif isinstance(item, list | dict):
                    stack.append(item)
        elif isinstance(node, dict):
            for key in list(node):
                item = node[key]
                if isinstance(key, str) and NUL in key:
                    del node[key]
                    key = without_nul(key)
                    node[key] = item
                    cleaned += 1
                if isinstance(item, str):
                    if NUL in item:
                        node[key] = without_nul(item)
                        cleaned += 1
                elif isinstance(item, list | dict):
                    stack.append(item)
    return value, cleaned


def clean_record(record: dict) -> int:
    """Remove NUL from a flat record's text values (in place); how many had one."""
    cleaned = 0
    for key, item in record.items():
        if isinstance(item, str) and NUL in item:
            record[key] = without_nul(item)
            cleaned += 1
    return cleaned
