"""Roles and what each may do. Checks ask for a permission, never for a role name, so roles can change.

The permission `personal` (complainants' names and phone numbers) is never part of a role except
admin: a person gets it as an explicit grant (`users add --personal-data`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ROLES = ("wall", "leader", "analyst", "operator", "admin")

# wall: read-only screens; leader: briefing pages; analyst: workbench and exports;
# operator: the console (acknowledge, assign); admin: users, tokens, configuration.
PERMISSIONS: dict[str, frozenset[str]] = {
    "wall": frozenset({"wall"}),
    "leader": frozenset({"wall", "leader"}),
    "analyst": frozenset({"wall", "leader", "analyst", "export"}),
    "operator": frozenset({"wall", "leader", "ops"}),
    "admin": frozenset({"wall", "leader", "analyst", "export", "ops", "admin", "personal"}),
}
ALL_PERMISSIONS = frozenset().union(*PERMISSIONS.values())


def check_role(role: str) -> str:
    """The role if known, else a ValueError naming the known ones (bad input gets a clear error)."""
    if role not in PERMISSIONS:
        raise ValueError(f"unknown role {role!r}: choose one of {', '.join(ROLES)}")
    return role


@dataclass(frozen=True)
class Principal:
    """Who is making a request: a person, a wall device, or the open demo on 127.0.0.1 without users."""

    name: str
    role: str
    kind: str = "person"  # person | device | open
    personal_data: bool = False
    user_id: int | None = None
    token_id: int | None = None
    extra: frozenset[str] = field(default_factory=frozenset)

    @property
    def permissions(self) -> frozenset[str]:
        granted = PERMISSIONS.get(self.role, frozenset()) | self.extra
        if self.personal_data:
            granted = granted | {"personal"}
        return granted

    def may(self, permission: str) -> bool:
        return permission in self.permissions


OPEN_DEMO = Principal(name="demo", role="admin", kind="open")
"""The open demo (no users, bound to loopback) may use every page but never sees personal fields
(`may_see_personal` wants a named, accountable person)."""


def may_see_personal(principal: Principal | None) -> bool:
    """Personal fields need the explicit permission and an accountable (named, non-open) principal."""
    return principal is not None and principal.kind == "person" and principal.may("personal")
