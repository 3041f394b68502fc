"""The database under the repository: the engine, the schema, and the settings SQLite
needs (WAL, foreign keys, a busy timeout, RE2 for REGEXP, a private file)."""
from __future__ import annotations

import os
import sqlite3
import time

from sqlalchemy import event, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, Engine, create_engine
from sqlalchemy.schema import CreateIndex

from .access import ADMINISTRATORS
from .models import ROOT_ID, Base, Group, NodeRow, utcnow
from .nodes import FOLDER
from .query import sqlite_regexp

#: Key of the PostgreSQL advisory lock that serialises schema creation.
SCHEMA_LOCK_KEY = 0x61737366


def insert_ignore(engine: Engine, table):
    """An INSERT that does nothing where the row exists, in the engine's dialect."""
    dialect = postgresql if engine.dialect.name == "postgresql" else sqlite
    return dialect.insert(table).on_conflict_do_nothing()


def create_schema(engine: Engine) -> None:
    """Create what is missing: tables, indexes (also those a newer version added to an
    existing table), the root folder and the group ``administrators``.

    Every server process and CLI command calls this at start-up, on a new database
    possibly all at once. One transaction holding the write lock (SQLite) or an advisory
    lock (PostgreSQL) makes the others wait, then find everything in place; without it a
    starter fails with "database is locked" or "already exists".
    """
    with engine.connect() as connection:
        connection.execution_options(sqlite_immediate=True)
        with connection.begin():
            if engine.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                                   {"key": SCHEMA_LOCK_KEY})
            Base.metadata.create_all(connection)
            # create_all skips tables that exist; an index a newer version added is
            # still wanted on them. IF NOT EXISTS, not checkfirst: reflection cannot
            # see expression indexes (uq_nodes_sibling_property).
            dialect = engine.dialect.name
            add_missing_columns(connection)
            for table in Base.metadata.sorted_tables:
                for index in table.indexes:
                    if index.info.get("dialect", dialect) == dialect:
                        connection.execute(CreateIndex(index, if_not_exists=True))
            connection.execute(
                insert_ignore(engine, NodeRow).values(
                    id=ROOT_ID, parent_id=None, name="", kind=FOLDER, properties={},
                    created=utcnow(), modified=utcnow(), version=1,
                )
            )
            connection.execute(insert_ignore(engine, Group).values(name=ADMINISTRATORS,
                                                                 created=utcnow()))



def add_missing_columns(connection: Connection) -> None:
    """Add the nullable columns a newer version defined to tables an older one made (e.g.
    ``tokens.expires``, ``jobs.lease_until``). A stopgap until the schema has real
    migrations."""
    inspector = inspect(connection)
    existing_tables = set(inspector.get_table_names())
    for table in Base.metadata.sorted_tables:
        if table.name not in existing_tables:
            continue
        have = {column["name"] for column in inspector.get_columns(table.name)}
        for column in table.columns:
            if column.name not in have and column.nullable:
                kind = column.type.compile(dialect=connection.dialect)
                connection.execute(text(f'ALTER TABLE {table.name} ADD COLUMN "{column.name}" {kind}'))


def make_engine(database_url: str, *, echo: bool) -> Engine:
    if not database_url.startswith("sqlite"):
        return create_engine(database_url, echo=echo, pool_pre_ping=True)
    engine = create_engine(database_url, echo=echo, connect_args={"timeout": 30})
    _create_private_file(engine.url.database)

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, issue BEGIN (see the "begin" hook).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _switch_to_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.close()
        # REGEXP by RE2 (linear time) in place of the Python re that SQLAlchemy registers,
        # which backtracks: "a?"*46 + "a"*46 ran for minutes.
        dbapi_connection.create_function("regexp", 2, sqlite_regexp, deterministic=True)

    @event.listens_for(engine, "begin")
    def _begin(connection):
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _create_private_file(database: str | None) -> None:
    """Create a new SQLite database file readable by its owner only (0600); SQLite gives
    its -wal and -shm files the database file's permissions."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        os.close(os.open(database, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except OSError:  # it exists; or it cannot be made, which SQLite will report
        pass


#: How long opening a new SQLite database waits for another process switching it to WAL.
WAL_SWITCH_TIMEOUT = 30.0


def _switch_to_wal(cursor) -> None:
    """``PRAGMA journal_mode=WAL``. On a new file the switch takes a lock that SQLite's busy
    timeout does not wait for: processes opening a new database at once retry it rather
    than fail with "database is locked"."""
    deadline = time.monotonic() + WAL_SWITCH_TIMEOUT
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)
