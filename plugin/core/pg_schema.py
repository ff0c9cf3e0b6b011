"""The workspace as PostgreSQL/PostGIS DDL: generated from ``core.schema`` (the same layers, fields and aliases as
the GeoPackage), plus the rules the database itself keeps for a shared workspace:

- every grid table carries ``version`` (raised by a trigger at each update), ``updated_by`` and ``updated_at``;
  every update must name the version it read (``SET …, version = <read>``): one naming another version than the
  current one is refused (SQLSTATE ``CGV01``) with the change it would overwrite (who, when, which version), one
  naming no version is refused too (``CGV02``) — optimistic locking for every client, plain SQL and QGIS's
  provider included (the plugin's layers name the version through ``adapters.pg_versions``);
- the change log is written by triggers (an edit made from any client is logged, with the database user);
- township roles may insert, update, retire or delete only the grids of their township: the code (or, for an
  uncoded grid, its parent's code) starts with the township's code AND the geometry lies inside the township's
  boundary (table ``townships``). A trigger refuses the rest with SQLSTATE ``CGT01`` naming the grid; row-level
  security policies refuse a new row outside the township again (``WITH CHECK``), whatever the client;
- the code registry has a unique code; ``allocate_code(parent, width)`` hands out the next code under a parent
  under an advisory lock per parent (safe with many connections); registry rows are never deleted, so a code is
  never reused;
- staff phone numbers are readable by the county role only (column privileges).

Plain Python producing SQL text; the adapters (``plugin/adapters/pg_store.py``) run it. Identifiers are checked
(lower-case letters, digits, underscore) before they are put into SQL.
"""

from __future__ import annotations

import re

from . import schema

PG_SCHEMA_VERSION = schema.SCHEMA_VERSION
TOWNSHIPS = "townships"
REFUSED_EDITS = "refused_edits"
LAYER_STYLES = "layer_styles"
GRID_EXTRA_COLUMNS = ("version", "updated_by", "updated_at")
# SQLSTATEs raised by the workspace's triggers (class "CG": application errors)
SQLSTATE_OUTSIDE_TOWNSHIP = "CGT01"
SQLSTATE_VERSION_CONFLICT = "CGV01"
SQLSTATE_VERSION_MISSING = "CGV02"
SQLSTATE_CODE_REUSED = "CGC01"
TOWN_CODE_LENGTH = 9  # 6-digit county + 3-digit township (统计用区划代码)

_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

_PG_TYPES = {
    schema.FieldType.STRING: "varchar({length})",
    schema.FieldType.INTEGER: "integer",
    schema.FieldType.REAL: "double precision",
    schema.FieldType.DATE: "date",
    schema.FieldType.DATETIME: "timestamptz",
    schema.FieldType.BOOLEAN: "boolean",
    schema.FieldType.BINARY: "bytea",
}

_PG_GEOMETRY = {
    schema.GeometryKind.POINT: "Point",
    schema.GeometryKind.POLYGON: "Polygon",
    schema.GeometryKind.MULTIPOLYGON: "MultiPolygon",
}


class IdentifierError(ValueError):
    """A schema or role name that is not a plain lower-case SQL identifier."""


def ident(name: str) -> str:
    """``name`` as a double-quoted identifier, after checking it is plain (lower-case, digits, underscore)."""
    if not isinstance(name, str) or not _IDENT.match(name):
        raise IdentifierError(name)
    return f'"{name}"'


def literal(text: str) -> str:
    """A SQL string literal (single quotes doubled)."""
    return "'" + str(text).replace("'", "''") + "'"


def column_type(field: schema.FieldDef) -> str:
    if field.type is schema.FieldType.STRING:
        return f"varchar({field.length})" if field.length else "text"
    return _PG_TYPES[field.type]


def geometry_type(layer: schema.LayerDef, srid: int) -> str | None:
    if layer.geometry is schema.GeometryKind.NONE:
        return None
    return f"geometry({_PG_GEOMETRY[layer.geometry]}, {int(srid)})"


def table_ddl(name: str, layer: schema.LayerDef, srid: int) -> list[str]:
    """CREATE TABLE of one schema layer, its comments (the Chinese aliases) and its spatial index."""
    s = ident(name)
    t = f"{s}.{ident(layer.name)}"
    columns = ["fid bigserial primary key"]
    columns += [f"{ident(f.name)} {column_type(f)}" for f in layer.fields]
    geometry = geometry_type(layer, srid)
    if geometry:
        columns.append(f"geom {geometry}")
    if layer.is_grid:
        columns += [
            "version integer not null default 1",
            "updated_by text not null default session_user",
            "updated_at timestamptz not null default now()",
        ]
    if layer is schema.CODE_REGISTRY:
        columns.append("constraint code_registry_code_unique unique (code)")
    if layer is schema.WORKSPACE_INFO:
        columns.append("constraint workspace_info_key_unique unique (key)")
    out = [f"create table {t} (\n  " + ",\n  ".join(columns) + "\n)"]
    out.append(f"comment on table {t} is {literal(f'{layer.title_zh} {layer.title_en}')}")
    for f in layer.fields:
        out.append(f"comment on column {t}.{ident(f.name)} is {literal(f.alias_zh)}")
    if geometry:
        out.append(f"create index {ident(layer.name + '_geom_idx')} on {t} using gist (geom)")
    if layer.is_grid:
        out.append(f"create index {ident(layer.name + '_code_idx')} on {t} (code)")
    return out


def workspace_ddl(name: str, srid: int) -> list[str]:
    """Every statement creating the workspace schema ``name``: tables, then triggers and functions (no roles)."""
    return tables_ddl(name, srid) + rules_ddl(name)


def tables_ddl(name: str, srid: int) -> list[str]:
    """The schema and its tables (a copy loads its rows between these and :func:`rules_ddl`, unlogged)."""
    s = ident(name)
    statements = [f"create schema {s}"]
    for layer in schema.WORKSPACE_LAYERS:
        statements += table_ddl(name, layer, srid)
    statements += [
        f"""create table {s}.{TOWNSHIPS} (
  town_code varchar({TOWN_CODE_LENGTH}) primary key,
  town_name varchar(100),
  role_name name not null,
  geom geometry(MultiPolygon, {int(srid)}) not null
)""",
        f"comment on table {s}.{TOWNSHIPS} is {literal('乡镇/街道编辑范围 Township editing areas')}",
        f"""create table {s}.{REFUSED_EDITS} (
  id bigserial primary key,
  refused_at timestamptz not null default now(),
  db_user text not null default session_user,
  layer varchar(32) not null,
  grid_fid bigint,
  grid_code varchar(32),
  read_version integer,
  current_version integer,
  current_by text,
  current_at timestamptz,
  attributes jsonb,
  geom geometry(MultiPolygon, {int(srid)}),
  reason text
)""",
        f"comment on table {s}.{REFUSED_EDITS} is {literal('被拒绝的编辑（冲突时保留） Refused edits, kept')}",
    ]
    return statements


def rules_ddl(name: str) -> list[str]:
    """The functions and triggers the database keeps for every client (after the rows of a copy are in)."""
    s = ident(name)
    statements = _functions(name)
    for layer in schema.GRID_LAYERS:
        t = f"{s}.{ident(layer.name)}"
        statements += [
            f"create trigger a_township before insert or update or delete on {t} "
            f"for each row execute function {s}.check_township()",
            *version_triggers_ddl(name, layer),
            f"create trigger c_log after insert or update or delete on {t} "
            f"for each row execute function {s}.log_change()",
            f"alter table {t} enable row level security",
        ]
    registry = f"{s}.{ident(schema.CODE_REGISTRY.name)}"
    statements += [
        f"create trigger keep_codes before delete or update of code on {registry} "
        f"for each row execute function {s}.keep_codes()",
    ]
    return statements


def version_triggers_ddl(name: str, layer: schema.LayerDef) -> list[str]:
    """The two version triggers of a grid table. ``b_version`` fires only when the update names ``version`` (a
    column trigger: the SET list decides, not the value): it refuses another version than the current one and
    raises it. ``b_version_named`` fires after it (triggers fire in name order) on every update and refuses the
    update whose version was not raised — one that did not name the version it read."""
    s = ident(name)
    t = f"{s}.{ident(layer.name)}"
    return [
        f"create trigger b_version before update of version on {t} for each row execute function {s}.bump_version()",
        f"create trigger b_version_named before update on {t} for each row execute function {s}.require_version()",
    ]


def upgrade_versions_ddl(name: str) -> list[str]:
    """Bring a workspace made before every update had to name its version up to date (idempotent; the schema's
    owner): the functions replaced, the version triggers made again."""
    s = ident(name)
    out = _functions(name)
    for layer in schema.GRID_LAYERS:
        t = f"{s}.{ident(layer.name)}"
        out += [f"drop trigger if exists b_version on {t}", f"drop trigger if exists b_version_named on {t}"]
        out += version_triggers_ddl(name, layer)
    return out


def _functions(name: str) -> list[str]:
    s = ident(name)
    log = f"{s}.{ident(schema.CHANGE_LOG.name)}"
    registry = f"{s}.{ident(schema.CODE_REGISTRY.name)}"
    towns = f"{s}.{TOWNSHIPS}"
    # every code issued (the registry) or held by a grid (a workspace copied in before its codes were registered)
    held = " union all ".join(
        [f"select code from {registry}"] + [f"select code from {s}.{ident(layer.name)}" for layer in schema.GRID_LAYERS]
    )
    return [
        # the county role: a member of the role named in workspace_info (or a superuser)
        f"""create or replace function {s}.is_county_user(p_user name) returns boolean language sql stable
set search_path = pg_catalog, public as $$
  select exists (select 1 from pg_roles where rolname = p_user and rolsuper)
      or exists (select 1 from {s}.workspace_info i
                 where i.key = 'county_role' and pg_has_role(p_user, i.value, 'member'))
$$""",
        f"""create or replace function {s}.is_county() returns boolean language sql stable as $$
  select {s}.is_county_user(current_user)
$$""",
        # may the current user write this grid? (code prefix and geometry inside one of its townships)
        f"""create or replace function {s}.may_edit(p_code text, p_parent text, p_geom geometry) returns boolean
language sql stable set search_path = pg_catalog, public as $$
  select {s}.is_county() or exists (
    select 1 from {towns} t
    where pg_has_role(current_user, t.role_name, 'member')
      and left(coalesce(nullif(p_code, ''), p_parent, ''), {TOWN_CODE_LENGTH}) = t.town_code
      and p_geom is not null and st_coveredby(p_geom, t.geom))
$$""",
        f"""create or replace function {s}.check_township() returns trigger language plpgsql
set search_path = pg_catalog, public as $$
declare
  r record;
begin
  if {s}.is_county() then
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  if tg_op in ('UPDATE', 'DELETE') and not {s}.may_edit(old.code, old.parent_code, old.geom) then
    r := old;
  elsif tg_op in ('INSERT', 'UPDATE') and not {s}.may_edit(new.code, new.parent_code, new.geom) then
    r := new;
  else
    return case when tg_op = 'DELETE' then old else new end;
  end if;
  raise exception 'grid % (%) is outside the township of %', coalesce(r.code, r.parent_code, '?'),
      tg_table_name, current_user
    using errcode = '{SQLSTATE_OUTSIDE_TOWNSHIP}',
          detail = json_build_object('code', coalesce(r.code, ''), 'parent_code', coalesce(r.parent_code, ''),
                                     'layer', tg_table_name, 'name', coalesce(r.name, ''),
                                     'user', current_user::text, 'operation', tg_op)::text;
end
$$""",
        # optimistic locking: an update naming another version than the current one is refused
        f"""create or replace function {s}.bump_version() returns trigger language plpgsql as $$
begin
  if new.version is distinct from old.version then
    raise exception 'grid % (%) was changed by % at % (version %) since it was read (version %)',
        coalesce(old.code, old.parent_code, '?'), tg_table_name, old.updated_by, old.updated_at, old.version,
        new.version
      using errcode = '{SQLSTATE_VERSION_CONFLICT}',
            detail = json_build_object('code', coalesce(old.code, ''), 'layer', tg_table_name,
                                       'fid', old.fid, 'name', coalesce(old.name, ''),
                                       'current_version', old.version, 'read_version', new.version,
                                       'current_by', old.updated_by, 'current_at', old.updated_at)::text;
  end if;
  new.version := old.version + 1;
  new.updated_by := session_user;
  new.updated_at := now();
  return new;
end
$$""",
        # ... and an update that did not name the version it read (b_version did not raise it) is refused
        f"""create or replace function {s}.require_version() returns trigger language plpgsql as $$
begin
  if new.version is not distinct from old.version then
    raise exception 'grid % (%) was saved without the version it was read at (the current one is %)',
        coalesce(old.code, old.parent_code, '?'), tg_table_name, old.version
      using errcode = '{SQLSTATE_VERSION_MISSING}',
            hint = 'name the version read: update … set …, version = <the version read> where …',
            detail = json_build_object('code', coalesce(old.code, ''), 'layer', tg_table_name,
                                       'fid', old.fid, 'name', coalesce(old.name, ''),
                                       'current_version', old.version,
                                       'current_by', old.updated_by, 'current_at', old.updated_at)::text;
  end if;
  return new;
end
$$""",
        # the change log, written for every client's edit (security definer: township roles cannot write it)
        f"""create or replace function {s}.log_change() returns trigger language plpgsql security definer
set search_path = pg_catalog, public as $$
declare
  kind text;
  reason text := nullif(current_setting('community_grids.reason', true), '');
  approval text := nullif(current_setting('community_grids.approval_ref', true), '');
begin
  if tg_op = 'INSERT' then
    insert into {log} (changed_at, "user", change_kind, layer, old_code, new_code, area_before, area_after,
                       reason, approval_ref)
    values (now(), session_user, 'create', tg_table_name, null, new.code, null, st_area(new.geom), reason, approval);
    return null;
  elsif tg_op = 'DELETE' then
    insert into {log} (changed_at, "user", change_kind, layer, old_code, new_code, area_before, area_after,
                       reason, approval_ref)
    values (now(), session_user, 'retire', tg_table_name, old.code, null, st_area(old.geom), null, reason, approval);
    return null;
  end if;
  if new.status = 'retired' and old.status is distinct from 'retired' then
    kind := 'retire';
  elsif new.code is distinct from old.code then
    kind := 'recode';
  elsif not st_equals(new.geom, old.geom) or (new.geom is null) <> (old.geom is null) then
    kind := 'reshape';
  else
    kind := 'edit';
  end if;
  insert into {log} (changed_at, "user", change_kind, layer, old_code, new_code, area_before, area_after,
                     reason, approval_ref)
  values (now(), session_user, kind, tg_table_name, old.code, new.code, st_area(old.geom), st_area(new.geom),
          reason, approval);
  return null;
end
$$""",
        f"""create or replace function {s}.keep_codes() returns trigger language plpgsql as $$
begin
  raise exception 'code % is registered; a registered code is never deleted or changed (retire it instead)',
      old.code using errcode = '{SQLSTATE_CODE_REUSED}';
end
$$""",
        # the next code under a parent: serialised per parent by an advisory lock held to the transaction's end;
        # the registry keeps every code ever issued (retired ones too), so no code comes back
        f"""create or replace function {s}.allocate_code(p_parent text, p_width integer, p_layer text default null,
                                   p_level integer default null) returns text
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
  next_no bigint;
  result text;
begin
  if p_parent is null or p_parent !~ '^[0-9]+$' then
    raise exception 'parent code % is not a code', p_parent using errcode = '22023';
  end if;
  if not {s}.is_county_user(session_user) and not exists (
      select 1 from {towns} t where pg_has_role(session_user, t.role_name, 'member')
        and left(p_parent, {TOWN_CODE_LENGTH}) = t.town_code) then
    raise exception 'grid % (code_registry) is outside the township of %', p_parent, session_user
      using errcode = '{SQLSTATE_OUTSIDE_TOWNSHIP}',
            detail = json_build_object('code', p_parent, 'layer', 'code_registry', 'name', '',
                                       'user', session_user::text, 'operation', 'ALLOCATE')::text;
  end if;
  perform pg_advisory_xact_lock(hashtextextended({literal(name)} || ':' || p_parent, 0));
  select coalesce(max(substr(code, length(p_parent) + 1)::bigint), 0) + 1 into next_no
    from ({held}) held
   where code like p_parent || '%' and length(code) = length(p_parent) + p_width
     and substr(code, length(p_parent) + 1) ~ '^[0-9]+$';
  if next_no >= 10 ^ p_width then
    raise exception 'no code left under % (width %)', p_parent, p_width using errcode = '{SQLSTATE_CODE_REUSED}';
  end if;
  result := p_parent || lpad(next_no::text, p_width, '0');
  insert into {registry} (code, layer, level, parent_code, status, issued_on)
  values (result, p_layer, p_level, p_parent, 'active', current_date);
  return result;
end
$$""",
    ]


def roles_sql(name: str, county_role: str, township_roles: dict[str, str]) -> list[str]:
    """Grants and row-level security policies of workspace ``name`` for a county group role and township group
    roles ({role: town_code}); the roles themselves exist already (created by the caller)."""
    s = ident(name)
    county = ident(county_role)
    towns = [ident(r) for r in township_roles]
    everyone = ", ".join([county, *towns])
    grid_tables = [f"{s}.{ident(layer.name)}" for layer in schema.GRID_LAYERS]
    staff = f"{s}.{ident(schema.STAFF.name)}"
    out = [
        f"revoke all on schema {s} from public",
        f"grant usage on schema {s} to {everyone}",
        f"grant select, insert, update, delete on all tables in schema {s} to {county}",
        f"grant usage, select on all sequences in schema {s} to {everyone}",
        f"grant execute on all functions in schema {s} to {everyone}",
        f"revoke delete on {s}.{ident(schema.CODE_REGISTRY.name)} from {county}",
        f"revoke update, delete on {s}.{ident(schema.CHANGE_LOG.name)} from {county}",
    ]
    public_staff = [f.name for f in schema.STAFF.fields if f.name not in schema.PHONE_FIELDS]
    for town in towns:
        for layer in schema.WORKSPACE_LAYERS:
            if layer is schema.STAFF:
                continue
            out.append(f"grant select on {s}.{ident(layer.name)} to {town}")
        out.append(f"grant select on {s}.{TOWNSHIPS}, {s}.{REFUSED_EDITS} to {town}")
        out.append(f"grant insert on {s}.{REFUSED_EDITS} to {town}")
        out.append(f"grant select ({', '.join(['fid', *public_staff])}) on {staff} to {town}")
        for table in grid_tables:
            out.append(f"grant insert, update, delete on {table} to {town}")
    for table in grid_tables:
        out += [
            f"create policy read_all on {table} for select using (true)",
            f"create policy county_all on {table} for all to {county} using (true) with check (true)",
        ]
        if towns:
            roles = ", ".join(towns)
            out += [
                # old rows: checked by the township trigger (with a message naming the grid); new rows again here
                f"create policy town_insert on {table} for insert to {roles} "
                f"with check ({s}.may_edit(code, parent_code, geom))",
                f"create policy town_update on {table} for update to {roles} using (true) "
                f"with check ({s}.may_edit(code, parent_code, geom))",
                f"create policy town_delete on {table} for delete to {roles} using (true)",
            ]
    return out


def info_rows_sql(name: str) -> str:
    """INSERT of workspace_info rows (key, value) with psycopg2 parameters."""
    return f"insert into {ident(name)}.{ident(schema.WORKSPACE_INFO.name)} (key, value) values (%s, %s)"
