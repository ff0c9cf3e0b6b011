"""Change requests (§7.6) in a shared PostGIS workspace, as SQL text: the change-set tables of ``core.schema``
(``CHANGE_SET_LAYERS``) and the rules the database keeps about them, for every client:

- a township role may INSERT a proposal only as itself (``proposed_by`` = its user), for its own township, with
  status 'proposed' and no decision; each item only for a grid of its township (code, or parent code, and the code
  before with the township's prefix; the geometry after inside the township's editing area) — row-level security
  policies ``WITH CHECK``; nobody but the schema's owner may UPDATE or DELETE the change-set tables;
- only the county role decides, through the SECURITY DEFINER functions ``approve_change_set(set_id, ref)`` and
  ``reject_change_set(set_id, reason)``, which check the caller (``session_user``) is the county's. Approval, in
  the caller's one transaction: every grid the set modifies or retires must be as it was when proposed (else
  SQLSTATE ``CGS01``, nothing changed); grids are inserted, updated or retired (the workspace's triggers write
  the change log — with the approval reference and the set's reason, given to them by ``set_config`` — and raise
  versions); codes are issued and retired in the code registry (unique: a used code is refused); the set becomes
  'approved' with the reference, the approver and the time (the 7-day filing clock starts there). Rejection only
  marks the set. A non-county caller gets SQLSTATE ``CGA01``.

Builds on the workspace DDL of ``core.pg_schema`` (``townships``, ``is_county_user``, the grid triggers).
Plain Python producing SQL; ``plugin/adapters/pg_changesets.py`` runs it.
"""

from __future__ import annotations

from . import schema
from .pg_schema import TOWN_CODE_LENGTH, TOWNSHIPS, column_type, ident, literal, table_ddl

SQLSTATE_NOT_COUNTY = "CGA01"
SQLSTATE_STALE = "CGS01"
SQLSTATE_NOT_PROPOSED = "CGS02"
SETS, ITEMS, BEFORE = (layer.name for layer in schema.CHANGE_SET_LAYERS)
GRID_NAMES = tuple(layer.name for layer in schema.GRID_LAYERS)
_COLUMNS = ", ".join(ident(f.name) for f in schema.GRID_FIELDS)
_R_COLUMNS = ", ".join("r." + ident(f.name) for f in schema.GRID_FIELDS)


def tables_sql(name: str, srid: int) -> list[str]:
    s = ident(name)
    out = []
    for layer in schema.CHANGE_SET_LAYERS:
        out += table_ddl(name, layer, srid)
    out += [
        f"alter table {s}.{SETS} add constraint change_sets_set_id_unique unique (set_id)",
        f"alter table {s}.{SETS} add constraint change_sets_status_check "
        "check (status in ('proposed', 'approved', 'rejected'))",
        f"alter table {s}.{ITEMS} add constraint change_set_items_set_fk foreign key (set_id) "
        f"references {s}.{SETS} (set_id)",
        f"alter table {s}.{ITEMS} add constraint change_set_items_unique unique (set_id, item_no)",
        f"alter table {s}.{ITEMS} add constraint change_set_items_layer_check "
        f"check (layer in ({', '.join(literal(n) for n in GRID_NAMES)}))",
        f"alter table {s}.{BEFORE} add constraint change_set_before_set_fk foreign key (set_id) "
        f"references {s}.{SETS} (set_id)",
    ]
    return out


def functions_sql(name: str) -> list[str]:
    s = ident(name)
    towns = f"{s}.{TOWNSHIPS}"
    registry = f"{s}.{ident(schema.CODE_REGISTRY.name)}"
    n = TOWN_CODE_LENGTH
    return [
        # the proposer's own proposal, still open
        f"""create or replace function {s}.own_proposal(p_set_id text) returns boolean language sql stable
set search_path = pg_catalog, public as $$
  select exists (select 1 from {s}.{SETS} c
                 where c.set_id = p_set_id and c.status = 'proposed' and c.proposed_by = current_user::text)
$$""",
        # an item of the proposer's own open proposal, for a grid of the proposal's township (which the proposer's
        # role edits): code (else parent code) and code before with the township's prefix, geometry inside
        f"""create or replace function {s}.may_propose(p_set_id text, p_code text, p_before_code text, p_parent text,
                                 p_geom geometry) returns boolean language sql stable
set search_path = pg_catalog, public as $$
  select exists (
    select 1 from {s}.{SETS} c join {towns} t on t.town_code = c.township_code
     where c.set_id = p_set_id and c.status = 'proposed' and c.proposed_by = current_user::text
       and ({s}.is_county_user(current_user) or pg_has_role(current_user, t.role_name, 'member'))
       and left(coalesce(nullif(p_code, ''), p_parent, ''), {n}) = t.town_code
       and (p_before_code is null or left(p_before_code, {n}) = t.town_code)
       and (p_geom is null or st_coveredby(p_geom, t.geom)))
$$""",
        f"""create or replace function {s}.approve_change_set(p_set_id text, p_ref text) returns integer
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
  c record;
  i record;
  cur_code text;
  cur_geom geometry;
  cur_values jsonb;
  new_code text;
  done integer := 0;
begin
  if not {s}.is_county_user(session_user) then
    raise exception 'only the county role approves change requests (% is not)', session_user
      using errcode = '{SQLSTATE_NOT_COUNTY}';
  end if;
  if coalesce(btrim(p_ref), '') = '' then
    raise exception 'an approval needs the approval reference' using errcode = '22023';
  end if;
  select * into c from {s}.{SETS} where set_id = p_set_id for update;
  if not found then
    raise exception 'no change request %', p_set_id using errcode = '{SQLSTATE_NOT_PROPOSED}';
  elsif c.status <> 'proposed' then
    raise exception 'change request % is already %', p_set_id, c.status using errcode = '{SQLSTATE_NOT_PROPOSED}';
  end if;
  perform set_config('community_grids.approval_ref', btrim(p_ref), true);
  perform set_config('community_grids.reason', left(c.reason, 255), true);
  for i in select it.*, b.geom as before_geom from {s}.{ITEMS} it
             left join {s}.{BEFORE} b on b.set_id = it.set_id and b.item_no = it.item_no
            where it.set_id = p_set_id order by it.item_no loop
    if i.layer not in ({", ".join(literal(x) for x in GRID_NAMES)}) then
      raise exception 'change request %: % is not a grid layer', p_set_id, i.layer using errcode = '22023';
    end if;
    new_code := (i.after_values::jsonb) ->> 'code';
    if i.action in ('modify', 'retire') then
      execute format('select code, geom, to_jsonb(t) - ''geom'' from {s}.%I t where fid = $1 for update', i.layer)
        into cur_code, cur_geom, cur_values using i.grid_fid;
      if cur_values is null then
        raise exception 'grid % (%) of change request % is no longer in the workspace', i.before_code, i.layer,
          p_set_id using errcode = '{SQLSTATE_STALE}';
      end if;
      if cur_code is distinct from i.before_code
         or not coalesce(st_equals(cur_geom, i.before_geom), cur_geom is null and i.before_geom is null)
         or exists (select 1 from jsonb_each_text(i.before_values::jsonb) b
                     where case b.key
                       when 'status' then coalesce(cur_values ->> 'status', 'active') <> coalesce(b.value, 'active')
                       when 'level' then false
                       else coalesce(cur_values ->> b.key, '') <> coalesce(b.value, '') end) then
        raise exception 'grid % (%) was changed after change request % was made', i.before_code, i.layer, p_set_id
          using errcode = '{SQLSTATE_STALE}';
      end if;
    end if;
    if i.action = 'add' then
      execute format('insert into {s}.%I ({_COLUMNS}, geom) select {_R_COLUMNS}, $2 '
                     'from jsonb_populate_record(null::{s}.%I, $1) r', i.layer, i.layer)
        using i.after_values::jsonb, i.geom;
    elsif i.action = 'modify' then
      execute format('update {s}.%I t set ({_COLUMNS}, geom) = (select {_R_COLUMNS}, $2 '
                     'from jsonb_populate_record(null::{s}.%I, $1) r), version = t.version where t.fid = $3',
                     i.layer, i.layer)
        using i.after_values::jsonb, i.geom, i.grid_fid;
    else
      execute format('update {s}.%I set status = ''retired'', valid_to = coalesce(valid_to, current_date), '
                     'version = version where fid = $1', i.layer) using i.grid_fid;
    end if;
    if i.before_code is not null and (i.action = 'retire' or new_code is distinct from i.before_code) then
      update {registry} set status = 'retired', retired_on = current_date where code = i.before_code;
    end if;
    if new_code is not null and i.action <> 'retire' and new_code is distinct from i.before_code then
      insert into {registry} (code, layer, level, parent_code, status, issued_on, note)
      values (new_code, i.layer, ((i.after_values::jsonb) ->> 'level')::integer,
              (i.after_values::jsonb) ->> 'parent_code', 'active', current_date,
              left(btrim(p_ref) || ' (' || p_set_id || ')', 255));
    end if;
    done := done + 1;
  end loop;
  update {s}.{SETS} set status = 'approved', approval_ref = btrim(p_ref), decided_by = session_user,
         decided_at = now() where set_id = p_set_id;
  return done;
end
$$""",
        f"""create or replace function {s}.reject_change_set(p_set_id text, p_reason text) returns void
language plpgsql security definer set search_path = pg_catalog, public as $$
declare
  c record;
begin
  if not {s}.is_county_user(session_user) then
    raise exception 'only the county role rejects change requests (% is not)', session_user
      using errcode = '{SQLSTATE_NOT_COUNTY}';
  end if;
  if coalesce(btrim(p_reason), '') = '' then
    raise exception 'a rejection needs a reason' using errcode = '22023';
  end if;
  select * into c from {s}.{SETS} where set_id = p_set_id for update;
  if not found then
    raise exception 'no change request %', p_set_id using errcode = '{SQLSTATE_NOT_PROPOSED}';
  elsif c.status <> 'proposed' then
    raise exception 'change request % is already %', p_set_id, c.status using errcode = '{SQLSTATE_NOT_PROPOSED}';
  end if;
  update {s}.{SETS} set status = 'rejected', rejection_reason = btrim(p_reason), decided_by = session_user,
         decided_at = now() where set_id = p_set_id;
end
$$""",
    ]


def upgrade_sql(name: str) -> list[str]:
    """Bring the change-set rules of a workspace made by an earlier plugin up to date (idempotent): the
    functions replaced (the approval names the version of the grids it changes), the column of the request's map
    added."""
    field = schema.CHANGE_SETS.field("map_png")
    return [
        f"alter table {ident(name)}.{SETS} add column if not exists {ident(field.name)} {column_type(field)}",
        *functions_sql(name),
    ]


def grants_sql(name: str, county_role: str, township_roles: list[str]) -> list[str]:
    """Privileges and row-level security of the change-set tables for the county and township group roles."""
    s = ident(name)
    roles = [ident(r) for r in (county_role, *township_roles)]
    everyone = ", ".join(roles)
    tables = [f"{s}.{t}" for t in (SETS, ITEMS, BEFORE)]
    out = []
    for table in tables:
        out += [
            f"revoke all on {table} from public",
            f"revoke update, delete, truncate on {table} from {everyone}",
            f"grant select, insert on {table} to {everyone}",
            f"alter table {table} enable row level security",
            f"create policy read_all on {table} for select using (true)",
        ]
    out += [
        f"grant usage, select on all sequences in schema {s} to {everyone}",
        f"grant execute on function {s}.approve_change_set(text, text), {s}.reject_change_set(text, text), "
        f"{s}.own_proposal(text), {s}.may_propose(text, text, text, text, geometry) to {everyone}",
        f"create policy propose on {s}.{SETS} for insert to {everyone} with check ("
        "status = 'proposed' and decided_by is null and decided_at is null and approval_ref is null "
        "and rejection_reason is null and proposed_by = current_user::text and ("
        f"{s}.is_county_user(current_user) or exists (select 1 from {s}.{TOWNSHIPS} t "
        "where t.town_code = township_code and pg_has_role(current_user, t.role_name, 'member'))))",
        f"create policy propose on {s}.{ITEMS} for insert to {everyone} with check ("
        f"{s}.may_propose(set_id, code, before_code, (after_values::jsonb) ->> 'parent_code', geom))",
        f"create policy propose on {s}.{BEFORE} for insert to {everyone} with check ({s}.own_proposal(set_id))",
    ]
    return out
