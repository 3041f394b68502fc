from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Siren actions may only use these HTTP methods (COPY and MOVE are not among them).
ACTION_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH"})


@dataclass
class Link:
    rel: list[str]
    href: str
    title: str | None = None
    type: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none({"rel": list(self.rel), "href": self.href, "title": self.title,
                           "type": self.type})


@dataclass
class Field:
    name: str
    type: str = "text"
    value: Any = None
    title: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return _drop_none({"name": self.name, "type": self.type, "value": self.value,
                           "title": self.title})


@dataclass
class Action:
    name: str
    href: str
    method: str = "GET"
    type: str | None = None
    title: str | None = None
    fields: list[Field] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.method not in ACTION_METHODS:
            raise ValueError(f"Siren actions cannot use the method {self.method}")

    def to_dict(self) -> dict[str, Any]:
        out = _drop_none({"name": self.name, "href": self.href, "method": self.method,
                          "type": self.type, "title": self.title})
        if self.fields:
            out["fields"] = [f.to_dict() for f in self.fields]
        return out


@dataclass
class Entity:
    cls: list[str] = field(default_factory=list)
    properties: dict[str, Any] = field(default_factory=dict)
    entities: list[Entity] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)
    title: str | None = None
    #: Set on sub-entities: their relation to the parent entity.
    rel: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"class": list(self.cls)}
        if self.rel is not None:
            out["rel"] = list(self.rel)
        if self.title is not None:
            out["title"] = self.title
        out["properties"] = self.properties
        if self.entities:
            out["entities"] = [e.to_dict() for e in self.entities]
        out["links"] = [link.to_dict() for link in self.links]
        if self.actions:
            out["actions"] = [a.to_dict() for a in self.actions]
        return out

    @classmethod
    def from_dict(cls, data: Any) -> Entity:
        """Parse a request body. Raises ValueError saying what is wrong."""
        if not isinstance(data, dict):
            raise ValueError("a Siren entity must be a JSON object")
        klass = data.get("class", [])
        if isinstance(klass, str):  # AEM's own examples send "class": "assetFolder"
            klass = [klass]
        if not isinstance(klass, list) or not all(isinstance(c, str) for c in klass):
            raise ValueError("'class' must be a string or a list of strings")
        properties = data.get("properties", {})
        if not isinstance(properties, dict):
            raise ValueError("'properties' must be a JSON object")
        return cls(cls=klass, properties=properties)


def _drop_none(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
