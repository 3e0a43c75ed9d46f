-- Every change, as who did what and when. Append-only: the triggers below
-- refuse UPDATE, DELETE and TRUNCATE for every role, table owner included, so
-- a bug (or a hurried operator) cannot rewrite history through the app's login.

create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default clock_timestamp(),
  -- Null for the system (migrations, the first-admin CLI) and for failed logins.
  actor_id uuid references staff (id),
  -- e.g. case.registered, case.statusChanged, case.escalated, staff.loggedIn
  action text not null check (action ~ '^[a-z]+\.[A-Za-z]+$'),
  entity text not null,
  entity_id text,
  case_id uuid references cases (id),
  details jsonb not null default '{}'
);

create index audit_log_by_case on audit_log (case_id, id) where case_id is not null;
create index audit_log_by_actor on audit_log (actor_id, id);

create function audit_log_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
end
$$;

create trigger audit_log_no_update_or_delete
  before update or delete on audit_log
  for each row execute function audit_log_refuse_change();

create trigger audit_log_no_truncate
  before truncate on audit_log
  for each statement execute function audit_log_refuse_change();
