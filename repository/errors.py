"""Exceptions the repository raises; each API maps them to its own error format."""


class RepositoryError(Exception):
    """Base class. ``str(error)`` is a message that says what to fix."""


class InvalidPath(RepositoryError):
    """A path or name breaks the rules in :mod:`repository.paths`."""


class NotFound(RepositoryError):
    """No node at that path or id."""


class ParentMissing(RepositoryError):
    """The parent of a node to create (or of a COPY/MOVE destination) does not exist."""


class AlreadyExists(RepositoryError):
    """A node of that name already exists under the parent."""


class PropertyTaken(AlreadyExists):
    """Another child of the parent has the value of a property that must be unique among
    siblings (:data:`repository.models.SIBLING_UNIQUE_PROPERTY`)."""


class PreconditionFailed(RepositoryError):
    """A condition the caller set does not hold (e.g. overwrite refused)."""


class Forbidden(RepositoryError):
    """The operation can never succeed as asked (e.g. moving a folder into itself)."""


class AccessDenied(Forbidden):
    """The caller may see the node but lacks the privilege the operation needs (see
    :mod:`repository.access`). Nothing was changed."""


class InvalidOperation(RepositoryError):
    """The operation does not apply to this kind of node (e.g. a binary on a folder)."""


class InvalidValue(RepositoryError):
    """An argument is out of range or too long (a media type, an id, a page size)."""


class QueryTimeout(InvalidValue):
    """A listing took longer than its time budget (``Repository.listing_budget``) and was
    stopped: the filter is too costly for the data it runs on."""


class Busy(RepositoryError):
    """A change kept colliding with concurrent changes (the database broke a deadlock each
    time it was tried); nothing was changed, and trying again later may succeed."""
