"""Nodes as Siren entities, the way AEM's Assets HTTP API shows them."""
from __future__ import annotations

import re
from typing import Any

from repository import ASSET, COMMENT, FOLDER, RENDITION, Node, Page
from repository.paths import RepoPath
from siren import Action, Entity, Field, Link

from . import urls

#: AEM shows these JCR properties under the Dublin Core prefix.
JCR_TO_DC = {"jcr:title": "dc:title", "jcr:description": "dc:description",
             "jcr:language": "dc:language"}
#: What clients may send for them; stored under the JCR name.
INCOMING_ALIASES = {
    "title": "jcr:title", "dc:title": "jcr:title",
    "description": "jcr:description", "dc:description": "jcr:description",
    "language": "jcr:language", "dc:language": "jcr:language",
}
CLASS_OF = {FOLDER: "assets/folder", ASSET: "assets/asset",
            RENDITION: "assets/rendition", COMMENT: "assets/comment"}
THUMBNAIL_PREFIX = "cq5dam.thumbnail."
PREFERRED_THUMBNAIL = "cq5dam.thumbnail.140.100.png"
ORIGINAL = "original"


#: Top-level media types a Siren link ``type`` may name (the Siren schema's pattern).
SIREN_MEDIA_TYPE = re.compile(
    r"^(application|audio|image|message|model|multipart|text|video)/[A-Za-z0-9!#$&.+\-^_]{1,127}$"
)


def link_type(mime_type: str | None) -> str | None:
    """The media type for a link, left out when Siren's schema could not express it."""
    return mime_type if mime_type and SIREN_MEDIA_TYPE.match(mime_type) else None


def stored_properties(incoming: dict[str, Any]) -> dict[str, Any]:
    """Client property names → the names they are stored under."""
    return {INCOMING_ALIASES.get(key, key): value for key, value in incoming.items()}


def shown_properties(stored: dict[str, Any]) -> dict[str, Any]:
    return {JCR_TO_DC.get(key, key): value for key, value in stored.items()}


def _title(node: Node) -> str | None:
    title = node.properties.get("jcr:title")
    return title if isinstance(title, str) else None


def _paging(page_or_total: Page | int) -> dict[str, int]:
    if isinstance(page_or_total, Page):
        return {"total": page_or_total.total, "offset": page_or_total.offset,
                "limit": page_or_total.limit}
    return {"total": page_or_total, "offset": 0, "limit": page_or_total}


def child_entity(node: Node) -> Entity:
    properties: dict[str, Any] = {"name": node.name}
    title = _title(node)
    if title is not None:
        properties["title"] = title
        properties["dc:title"] = title
    return Entity(cls=[CLASS_OF[node.kind]], rel=["child"], properties=properties,
                  links=[Link(rel=["self"], href=urls.entity(node.path))])


def folder_entity(node: Node, page: Page, next_after: str | None) -> Entity:
    properties: dict[str, Any] = {**shown_properties(node.properties), "name": node.name}
    title = _title(node)
    if title is not None:
        properties["title"] = title
    properties["srn:paging"] = _paging(page)
    links = [Link(rel=["self"], href=urls.entity(node.path)),
             Link(rel=["parent"], href=urls.parent_entity(node.path))]
    if page.offset + len(page.nodes) < page.total and next_after is not None:
        links.append(Link(rel=["next"], href=urls.entity(node.path, {
            "offset": page.offset + page.limit, "limit": page.limit, "after": next_after})))
    if page.offset > 0:
        links.append(Link(rel=["prev"], href=urls.entity(node.path, {
            "offset": max(0, page.offset - page.limit), "limit": page.limit})))
    return Entity(
        cls=[CLASS_OF[FOLDER]], properties=properties,
        entities=[child_entity(child) for child in page.nodes],
        links=links, actions=_folder_actions(node.path),
    )


def _folder_actions(path: RepoPath) -> list[Action]:
    actions = [
        Action(name="add-folder", method="POST", href=urls.resource(path, "*"),
               type="multipart/form-data", fields=[Field(name="name", type="text")]),
        Action(name="add-asset", method="POST", href=urls.resource(path, "*"),
               type="multipart/form-data",
               fields=[Field(name="name", type="text"), Field(name="file", type="file")]),
        Action(name="update", method="PUT", href=urls.resource(path),
               type="application/vnd.siren+json"),
    ]
    if path:
        actions.append(Action(name="delete", method="DELETE", href=urls.resource(path)))
    return actions


def asset_metadata(node: Node) -> dict[str, Any]:
    """The asset's properties under AEM's names. ``dc:format`` is what the rendition job
    found the bytes to be (``renditions.metadata``), else the media type they came with."""
    metadata = shown_properties(node.properties)
    if node.mime_type and not metadata.get("dc:format"):
        metadata["dc:format"] = node.mime_type
    if node.blob is not None:
        metadata["dam:size"] = node.blob.size
    return metadata


def asset_entity(node: Node, renditions: list[Node], comments: list[Node]) -> Entity:
    entities = []
    if node.blob is not None:
        entities.append(_rendition_entity(node.path, ORIGINAL, node))
    entities += [_rendition_entity(node.path, r.name, r) for r in renditions]
    entities += [_comment_entity(node.path, c) for c in comments]
    links = [Link(rel=["self"], href=urls.entity(node.path)),
             Link(rel=["parent"], href=urls.parent_entity(node.path))]
    thumbnail = _thumbnail_name(renditions)
    if thumbnail is not None:
        links.append(Link(rel=["thumbnail"], href=urls.rendition(node.path, thumbnail)))
    if node.blob is not None:
        links.append(Link(rel=["content"], href=urls.rendition(node.path, ORIGINAL),
                          type=link_type(node.mime_type)))
    properties = {"name": node.name, "metadata": asset_metadata(node),
                  "srn:paging": _paging(len(renditions) + (node.blob is not None))}
    actions = [
        Action(name="update", method="PUT", href=urls.resource(node.path),
               type="application/vnd.siren+json"),
        Action(name="delete", method="DELETE", href=urls.resource(node.path)),
        Action(name="add-rendition", method="POST", href=urls.resource(node.path, "renditions", "*"),
               type="multipart/form-data",
               fields=[Field(name="name", type="text"), Field(name="file", type="file")]),
        Action(name="add-comment", method="POST", href=urls.resource(node.path, "comments", "*"),
               type="multipart/form-data",
               fields=[Field(name="message", type="text"), Field(name="annotationData", type="text")]),
    ]
    return Entity(cls=[CLASS_OF[ASSET]], properties=properties, entities=entities,
                  links=links, actions=actions)


def _rendition_entity(asset_path: RepoPath, name: str, holder: Node) -> Entity:
    properties: dict[str, Any] = {"name": name}
    if holder.mime_type:
        properties["dc:format"] = holder.mime_type
    if holder.blob is not None:
        properties["size"] = holder.blob.size
    return Entity(cls=[CLASS_OF[RENDITION]], rel=["child"], properties=properties,
                  links=[Link(rel=["self"], href=urls.rendition(asset_path, name),
                              type=link_type(holder.mime_type))])


def _comment_entity(asset_path: RepoPath, comment: Node) -> Entity:
    return Entity(cls=[CLASS_OF[COMMENT]], rel=["comment"],
                  properties=comment_properties(comment),
                  links=[Link(rel=["self"], href=urls.comment(asset_path, comment.name))])


def comment_properties(comment: Node) -> dict[str, Any]:
    return {"name": comment.name, **comment.properties,
            "created": comment.created.isoformat(timespec="milliseconds")}


def comment_entity(asset_path: RepoPath, comment: Node) -> Entity:
    return Entity(cls=[CLASS_OF[COMMENT]], properties=comment_properties(comment),
                  links=[Link(rel=["self"], href=urls.comment(asset_path, comment.name)),
                         Link(rel=["parent"], href=urls.entity(asset_path))])


def _thumbnail_name(renditions: list[Node]) -> str | None:
    names = [r.name for r in renditions if r.name.startswith(THUMBNAIL_PREFIX)]
    if PREFERRED_THUMBNAIL in names:
        return PREFERRED_THUMBNAIL
    return names[0] if names else None


def core_response(
    status: int,
    message: str,
    *,
    path: RepoPath | None = None,
    change: str | None = None,
    location: str | None = None,
    parent_location: str | None = None,
) -> Entity:
    """The body AEM sends for write results and errors (class ``core/response``)."""
    properties: dict[str, Any] = {"status.code": status, "status.message": message,
                                  "title": message}
    if path is not None:
        properties["path"] = "/" + "/".join(path)
        properties["location"] = location or urls.entity(path)
        properties["parentLocation"] = parent_location or urls.parent_entity(path)
    properties["changes"] = (
        [{"type": change, "argument": properties["path"]}] if change and path is not None else []
    )
    return Entity(cls=["core/response"], properties=properties)
