"""Siren hypermedia entities: build and serialise (pure, no I/O).

See https://github.com/kevinswiber/siren. Only the parts the AEM Assets API uses.
"""
from .entity import Action, Entity, Field, Link

__all__ = ["Action", "Entity", "Field", "Link"]
