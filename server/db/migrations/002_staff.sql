-- Staff accounts and their login sessions. Parties have no account.

create table staff (
  id uuid primary key,
  username text not null check (username ~ '^[a-z0-9._-]{3,40}$'),
  display_name text not null check (length(display_name) between 1 and 100),
  role text not null check (role in ('mediator', 'notary', 'expert', 'coordinator', 'admin')),
  -- scrypt$N$r$p$salt$hash (server/staff/passwords.ts); never the password.
  password_hash text not null,
  -- Where the person works (at most one): a grid mediator's grid, a committee
  -- mediator's committee, a coordinator's township or district.
  grid_id uuid references grids (id),
  committee_id uuid references committees (id),
  township_id uuid references townships (id),
  district_id uuid references districts (id),
  active boolean not null default true,
  created_at timestamptz not null default now(),
  check (num_nonnulls(grid_id, committee_id, township_id, district_id) <= 1),
  check (
    case role
      when 'mediator' then grid_id is not null or committee_id is not null
      when 'coordinator' then township_id is not null or district_id is not null
      else num_nonnulls(grid_id, committee_id, township_id, district_id) = 0
    end
  )
);

create unique index staff_username on staff (username);
create index staff_by_committee on staff (committee_id) where committee_id is not null;
create index staff_by_grid on staff (grid_id) where grid_id is not null;

create table staff_sessions (
  -- sha-256 (hex) of the opaque token the browser holds; the token itself is never stored.
  token_hash text primary key check (token_hash ~ '^[0-9a-f]{64}$'),
  staff_id uuid not null references staff (id),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);

create index staff_sessions_by_staff on staff_sessions (staff_id);
create index staff_sessions_by_expiry on staff_sessions (expires_at);
