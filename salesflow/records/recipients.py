"""The people a record's notifications go to first: its owner and named members, in one prepared statement.

Most actions that notify tell the record's owner and members. Reading them took two ORM queries per
action (the member links, then the owner with their roles) and their compiling was a good part of an
action's cost. This reads every owner and member — active or not — with the ids of the roles they
hold in one statement built once per database connection, as `salesflow.records.locking` does for
the record itself; the users come back as the same model instances the ORM returns, their role ids
remembered (the visibility check needs them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from salesflow.records.locking import Part, columns_of, instance_from_row
from salesflow.records.models import Record


@dataclass(frozen=True)
class People:
    """A record's owner and members (active or not) by id, and which of them are members."""

    users: dict[int, Any]
    member_ids: list[int]


@dataclass(frozen=True)
class _Plan:
    sql: str
    part: Part
    pk_index: int


_plans: dict[tuple[str, str], _Plan] = {}


def _plan(connection: Any) -> _Plan:
    key = (connection.alias, connection.vendor)
    plan = _plans.get(key)
    if plan is None:
        user_model = get_user_model()
        quote = connection.ops.quote_name
        part = columns_of(user_model, "u", connection)
        roles = user_model.roles.through
        members = Record.members.through
        user_pk = quote(user_model._meta.pk.column)
        columns = ", ".join(f"u.{quote(field.column)}" for field in part.fields)
        member_user = quote(members._meta.get_field("user").column)
        member_record = quote(members._meta.get_field("record").column)
        member_table = quote(members._meta.db_table)
        # IN (owner UNION members): primary-key lookups, not a scan of the users
        sql = (f"SELECT {columns}, ur.{quote(roles._meta.get_field('role').column)},"
               f" CASE WHEN m.{member_user} IS NULL THEN 0 ELSE 1 END"
               f" FROM {quote(user_model._meta.db_table)} u"
               f" LEFT JOIN {quote(roles._meta.db_table)} ur ON ur.{quote(roles._meta.get_field('user').column)} = u.{user_pk}"
               f" LEFT JOIN {member_table} m ON m.{member_user} = u.{user_pk} AND m.{member_record} = %s"
               f" WHERE u.{user_pk} IN (SELECT CAST(%s AS BIGINT)"
               f" UNION SELECT {member_user} FROM {member_table} WHERE {member_record} = %s)")
        plan = _plans[key] = _Plan(sql, part, part.attnames.index(user_model._meta.pk.attname))
    return plan


def owner_and_members(record: Record) -> People:
    """The record's owner and named members (active or not), each with their role ids remembered."""
    connection = transaction.get_connection()
    plan = _plan(connection)
    with connection.cursor() as cursor:
        cursor.execute(plan.sql, [record.pk, record.owner_id, record.pk])
        rows = cursor.fetchall()
    width = len(plan.part.fields)
    users: dict[int, Any] = {}
    roles: dict[int, set[str]] = {}
    member_ids: set[int] = set()
    for row in rows:
        user_id = row[plan.pk_index]
        if user_id not in users:
            users[user_id] = instance_from_row(plan.part, list(row[:width]), connection)
            roles[user_id] = set()
        if row[width] is not None:
            roles[user_id].add(row[width])
        if row[width + 1]:
            member_ids.add(user_id)
    for user_id, user in users.items():
        user.remember_role_ids(roles[user_id])
    return People(users, sorted(member_ids))
