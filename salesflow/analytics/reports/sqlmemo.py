"""The reports' SQL, compiled once per process (Ibis compiling costs more than DuckDB running the query).

Every run of the reports builds the same Ibis expressions again, over a new backend (a DuckDB session per
run), new in-memory tables and a new "now". Compiling them is most of a report's time, so the SQL is kept
in a process-wide memo, keyed by the expression *normalised*:

- every database table becomes an unbound table of the same name, schema and namespace (the backend
  instance drops out of the key);
- every in-memory table becomes an unbound table named ``sf_mem_<digest of its schema and data>``, which
  is registered under that name in the session's connection (once per connection);
- every timestamp literal equal to the run's ``now`` becomes a fixed sentinel literal; after compiling,
  the sentinel's SQL text is replaced by ``now``'s (when the text cannot be found exactly, the expression
  is compiled without the memo);
- tables computed once (`Data.cached` / `Data.materialized`) become temporary tables named
  ``sf_c_<digest of their SQL>``, so the expressions reading them are the same from run to run.

Only the DuckDB backend uses it (on PostgreSQL the expressions run through Ibis as they are).
"""

from __future__ import annotations

import datetime
import hashlib
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from ibis.common.graph import Graph

#: How many compiled expressions the process keeps (least recently used ones are dropped).
SIZE = 1024
#: What stands for "now" in a memoised expression (its microseconds occur nowhere else: that is checked).
SENTINEL = datetime.datetime(1711, 3, 7, 6, 5, 4, 918273, tzinfo=datetime.UTC)
_SENTINEL_MARK = "918273"
MEM_PREFIX = "sf_mem_"
CACHE_PREFIX = "sf_c_"
_TEMP = ops.Namespace(catalog="temp", database="main")


class _Lru:
    """A small thread-safe least-recently-used mapping."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


@dataclass(frozen=True)
class Compiled:
    """One memoised compilation: the SQL with the sentinel's text (if any) where ``now`` was."""

    sql: str
    #: (sentinel text, literal type) of every kind of "now" literal in ``sql``
    sentinels: tuple[tuple[str, dt.DataType], ...] = ()
    #: the schema of the temporary table made of it (`cached_table`), once known
    schema: Any = None


@dataclass
class Stats:
    """How the memo fared (for tests and profiling)."""

    hits: int = 0
    misses: int = 0
    fallbacks: int = 0


@dataclass
class _Session:
    """What one connection already holds: the in-memory tables registered and the temporary tables made."""

    #: in-memory table name → digest of the data registered under it
    memtables: dict[str, str] = field(default_factory=dict)
    #: temporary table name → the SQL it was made of
    tables: dict[str, str] = field(default_factory=dict)
    #: (literal type, now) → now's SQL text
    now_texts: dict[tuple[dt.DataType, datetime.datetime], str] = field(default_factory=dict)
    #: node → its normalised node (`_key`), for the "now" ``known_now``
    known: dict[ops.Node, ops.Node] = field(default_factory=dict)
    known_now: datetime.datetime | None = None


_MEMO = _Lru(SIZE)
_DIGESTS = _Lru(SIZE)     # (in-memory table name (unique per table), now) → `_digests_of`
_TEXTS = _Lru(64)         # (dialect, literal type, value) → the literal's SQL text
_COLUMNS = _Lru(SIZE)     # (dialect, schema) → the column definitions and names of a temporary table
STATS = Stats()


def clear() -> None:
    """Forget every compiled expression (tests)."""
    _MEMO.clear()
    _DIGESTS.clear()
    _TEXTS.clear()
    _COLUMNS.clear()


def release(backend: Any) -> None:
    """Forget what the memo noted about ``backend``'s connection (at the end of a run: its nodes refer to the
    backend, so the backend is freed at once rather than by the garbage collector)."""
    backend.__dict__.pop("_salesflow_sql", None)


def _session(backend: Any) -> _Session:
    state = backend.__dict__.get("_salesflow_sql")
    if state is None:
        state = backend.__dict__["_salesflow_sql"] = _Session()
    return state


def _hash(table: pa.Table, schema: Any) -> str:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return hashlib.sha256(str(schema).encode() + sink.getvalue().to_pybytes()).hexdigest()[:24]


def _digests_of(op: ops.InMemoryTable, now: datetime.datetime | None) -> tuple[str, str]:
    """(digest of the data, digest of the data with the sentinel for every timestamp equal to ``now``).

    A table without timestamps (with a time zone) has one digest whatever ``now``: it is digested once.
    """
    if now is not None and not any(dtype.is_timestamp() and dtype.timezone is not None
                                   for dtype in op.schema.types):
        now = None
    key = (op.name, now)
    found = _DIGESTS.get(key)
    if found is None:
        table = op.data.to_pyarrow(op.schema)
        full = _hash(table, op.schema)
        stable = full
        if now is not None:
            columns = []
            for column in table.columns:
                if pa.types.is_timestamp(column.type) and column.type.tz is not None:
                    column = pc.if_else(pc.equal(column, pa.scalar(now, column.type)),
                                        pa.scalar(SENTINEL, column.type), column)
                columns.append(column)
            stable = _hash(pa.Table.from_arrays(columns, schema=table.schema), op.schema)
        found = (full, stable)
        _DIGESTS.put(key, found)
    return found


def _clone(node: ops.Node, args: dict[str, Any]) -> ops.Node:
    """``node`` with other arguments, without Ibis' validation (which is as slow as compiling).

    Only for the memo's key, where hash and equality look at the arguments only: the derived attributes are
    left out (they refer to the original graph, its backend and its data, which the memo must not keep).
    """
    cls = type(node)
    clone = object.__new__(cls)
    values = tuple(args[name] for name in cls.__argnames__)
    for name, value in zip(cls.__argnames__, values, strict=True):
        object.__setattr__(clone, name, value)
    object.__setattr__(clone, "__args__", values)
    object.__setattr__(clone, "__precomputed_hash__", hash((cls, values)))
    return clone


def _apply(value: Any, replacements: dict[ops.Node, ops.Node]) -> tuple[Any, bool]:
    """``value`` (a node or a container of nodes) with the replaced nodes, containers of the same type."""
    if isinstance(value, ops.Node):
        found = replacements.get(value)
        return (value, False) if found is None or found is value else (found, True)
    if isinstance(value, (tuple, frozenset, list)):
        items = [_apply(item, replacements) for item in value]
        if not any(changed for _item, changed in items):
            return value, False
        return type(value)(item for item, _changed in items), True
    if isinstance(value, dict):
        pairs = [(_apply(key, replacements), _apply(item, replacements)) for key, item in value.items()]
        if not any(key[1] or item[1] for key, item in pairs):
            return value, False
        return type(value)({key[0]: item[0] for key, item in pairs}), True
    return value, False


def _with_children(node: ops.Node, replacements: dict[ops.Node, ops.Node], validate: bool) -> ops.Node:
    """``node`` with its replaced children (itself when none was replaced)."""
    args = {}
    changed = False
    for name, value in zip(node.__argnames__, node.__args__, strict=True):
        value, value_changed = _apply(value, replacements)
        changed |= value_changed
        args[name] = value
    if not changed:
        return node
    return node.__recreate__(args) if validate else _clone(node, args)


def _is_now(node: ops.Node, now: datetime.datetime | None) -> bool:
    """Whether ``node`` is a timestamp literal of the instant ``now`` (in UTC)."""
    return (isinstance(node, ops.Literal) and now is not None and node.dtype.is_timestamp()
            and isinstance(node.value, datetime.datetime) and node.value.tzinfo is not None
            and node.value.utcoffset() == datetime.timedelta(0) and node.value == now)


def _memtable_name(node: ops.InMemoryTable, now: datetime.datetime | None) -> tuple[str, str]:
    """(name, digest of the data) of an in-memory table in the normalised graph."""
    full, stable = _digests_of(node, now)
    return MEM_PREFIX + stable, full


def _registered(backend: Any, state: _Session, node: ops.InMemoryTable, now: datetime.datetime | None
                ) -> ops.Node | None:
    """The unbound table standing for an in-memory table, registered under its name with the connection (once);
    None when the name holds other data there (the same table for another "now")."""
    name, full = _memtable_name(node, now)
    registered = state.memtables.get(name)
    if registered is None:
        backend.con.register(name, node.data.to_pyarrow(node.schema))
        state.memtables[name] = full
    elif registered != full:
        return None
    return ops.UnboundTable(name, node.schema)


def _key(backend: Any, op: ops.Node, now: datetime.datetime | None) -> ops.Node | None:
    """The normalised graph of ``op`` for the memo's key (nodes copied by `_clone`); its in-memory tables
    registered with ``backend``'s connection. None: the expression cannot use the memo.

    The connection remembers the normalised nodes, so the parts the expressions of one run share (the
    records, the cached tables …) are normalised once.
    """
    state = _session(backend)
    if state.known_now != now:
        state.known.clear()
        state.known_now = now
    known = state.known
    added: list[ops.Node] = []
    stack = [op]
    expanded: set[ops.Node] = set()     # nodes whose children were pushed (known when it is their turn again)
    while stack:
        node = stack[-1]
        if node in known:
            stack.pop()
            continue
        if node not in expanded:
            expanded.add(node)
            pending = [child for child in node.__children__ if child not in known]
            if pending:
                stack.extend(pending)
                continue
        stack.pop()
        if isinstance(node, ops.DatabaseTable):
            new = ops.UnboundTable(node.name, node.schema, node.namespace)
        elif isinstance(node, ops.InMemoryTable):
            new = _registered(backend, state, node, now)
        elif _is_now(node, now):
            new = ops.Literal(SENTINEL, node.dtype)
        elif isinstance(node, (ops.ScalarUDF, ops.SQLQueryResult, ops.SQLStringView)):
            new = None
        else:
            new = _with_children(node, known, validate=False)
        if new is None:
            for item in added:
                known.pop(item, None)
            return None
        known[node] = new
        added.append(node)
    return known[op]


def _rewrite(op: ops.Node, now: datetime.datetime | None, now_types: set[dt.DataType]) -> ops.Node:
    """The normalised graph of ``op`` built by Ibis (validated), to compile; the types of the "now" literals
    replaced are added to ``now_types``."""
    replacements: dict[ops.Node, ops.Node] = {}
    graph, _ = Graph.from_bfs(op).toposort()
    for node in graph:
        if isinstance(node, ops.DatabaseTable):
            new = ops.UnboundTable(node.name, node.schema, node.namespace)
        elif isinstance(node, ops.InMemoryTable):
            new = ops.UnboundTable(_memtable_name(node, now)[0], node.schema)
        elif _is_now(node, now):
            now_types.add(node.dtype)
            new = ops.Literal(SENTINEL, node.dtype)
        else:
            new = _with_children(node, replacements, validate=True)
        if new is not node:
            replacements[node] = new
    return replacements.get(op, op)


def _literal_text(backend: Any, value: datetime.datetime, dtype: dt.DataType) -> str | None:
    """How ``backend`` writes a literal (None when its SQL does not have the expected shape)."""
    key = (backend.dialect, dtype, value, str(value.tzinfo))
    found = _TEXTS.get(key)
    if found is None:
        sql = backend.compile(ibis.literal(value, type=dtype).name("v"))
        prefix, suffix = "SELECT ", ' AS "v"'
        if not (sql.startswith(prefix) and sql.endswith(suffix)):
            return None
        found = sql[len(prefix):-len(suffix)]
        _TEXTS.put(key, found)
    return found


def _compile(backend: Any, op: ops.Node, now: datetime.datetime | None) -> Compiled | None:
    """Compile the normalised ``op`` (None: its "now" literals cannot be told apart in the SQL)."""
    now_types: set[dt.DataType] = set()
    sql = backend.compile(_rewrite(op, now, now_types).to_expr())
    sentinels = []
    for dtype in now_types:
        text = _literal_text(backend, SENTINEL, dtype)
        if text is None or text not in sql:
            return None
        sentinels.append((text, dtype))
    if sentinels and sql.count(_SENTINEL_MARK) != sum(sql.count(text) for text, _dtype in sentinels):
        return None
    return Compiled(sql, tuple(sentinels))


def _final_sql(backend: Any, compiled: Compiled, now: datetime.datetime | None) -> str | None:
    """The memoised SQL with this run's ``now`` in place of the sentinel."""
    sql = compiled.sql
    if not compiled.sentinels:
        return sql
    if now is None:
        return None
    state = _session(backend)
    value = now.astimezone(datetime.UTC)
    for text, dtype in compiled.sentinels:
        now_text = state.now_texts.get((dtype, value))
        if now_text is None:
            now_text = _literal_text(backend, value, dtype)
            if now_text is None:
                return None
            state.now_texts[(dtype, value)] = now_text
        sql = sql.replace(text, now_text)
    return sql


def lookup(backend: Any, expr: ir.Expr, now: datetime.datetime | None
           ) -> tuple[Any, Compiled, str] | None:
    """(memo key, memo entry, SQL) of ``expr`` on ``backend`` for this run's ``now``, its in-memory tables
    registered; None when the expression cannot use the memo (compile it with Ibis then)."""
    graph = _key(backend, expr.op(), now)
    if graph is None:
        STATS.fallbacks += 1
        return None
    key = (backend.dialect, graph)
    compiled = _MEMO.get(key)
    if compiled is None:
        STATS.misses += 1
        compiled = _compile(backend, expr.op(), now)
        if compiled is None:
            STATS.fallbacks += 1
            return None
        _MEMO.put(key, compiled)
    else:
        STATS.hits += 1
    sql = _final_sql(backend, compiled, now)
    if sql is None:
        STATS.fallbacks += 1
        return None
    return key, compiled, sql


def to_pyarrow(backend: Any, expr: ir.Expr, now: datetime.datetime | None) -> pa.Table:
    """What ``backend.to_pyarrow(expr)`` gives (the same types), compiled through the memo."""
    from ibis.backends.duckdb.converter import DuckDBPyArrowData

    table_expr = expr.as_table()
    found = lookup(backend, table_expr, now)
    if found is None:
        return backend.to_pyarrow(expr)
    table = backend.con.sql(found[2]).to_arrow_table()
    return expr.__pyarrow_result__(table, data_mapper=DuckDBPyArrowData)


def _columns(backend: Any, schema: Any) -> tuple[str, str]:
    """(column definitions, column names) of a table of ``schema`` in ``backend``'s SQL (written once per
    process: sqlglot writing them costs about as much as DuckDB filling a small table)."""
    key = (backend.dialect, schema)
    found = _COLUMNS.get(key)
    if found is None:
        found = (", ".join(column.sql(dialect=backend.dialect)
                           for column in schema.to_sqlglot_column_defs(backend.dialect)),
                 ", ".join(f'"{column}"' for column in schema.names))
        _COLUMNS.put(key, found)
    return found


def cached_table(backend: Any, expr: ir.Table, now: datetime.datetime | None) -> ir.Table:
    """``expr`` computed into a temporary table of the connection, named after its SQL (so the expressions
    reading it compile the same in every run); what ``expr.cache()`` does otherwise."""
    found = lookup(backend, expr, now)
    if found is None:
        return expr.cache()
    key, compiled, sql = found
    name = CACHE_PREFIX + hashlib.sha256(compiled.sql.encode()).hexdigest()[:24]
    state = _session(backend)
    made = state.tables.get(name)
    if made is not None and made != sql:
        return expr.cache()     # the same expression for another "now" on this connection
    if made is None:
        quoted = f'"temp"."main"."{name}"'
        definitions, columns = _columns(backend, expr.schema())
        backend.con.execute(f"CREATE OR REPLACE TEMP TABLE {quoted} ({definitions})")
        backend.con.execute(f"INSERT INTO {quoted} ({columns}) {sql}")
        state.tables[name] = sql
    if compiled.schema is None:
        compiled = Compiled(compiled.sql, compiled.sentinels, backend.get_schema(name, catalog="temp",
                                                                                 database="main"))
        _MEMO.put(key, compiled)
    return ops.DatabaseTable(name, schema=compiled.schema, source=backend, namespace=_TEMP).to_expr()
