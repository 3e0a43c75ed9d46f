-- Sessions (the live rooms, of a case or ad hoc) and the join links handed out
-- for them. A link's token is re-derived from its row (id = the JWT's jti,
-- issued_at and expires_at = its iat and exp), so the row is the link: revoke
-- it here and every copy of the URL stops working.

-- Whether a case's new sessions are recorded; off by default (mediation is confidential).
alter table cases add column session_recording boolean not null default false;

create table case_sessions (
  -- The room id of the links and the signalling (80 random bits, base64url).
  id text primary key check (id ~ '^[A-Za-z0-9_-]{1,64}$'),
  -- Null for an ad-hoc room (the admin API, the demo room).
  case_id uuid references cases (id),
  title text not null check (length(title) between 1 and 120),
  scheduled_at timestamptz,
  waiting_room boolean not null,
  recording boolean not null,
  created_by uuid references staff (id),
  created_at timestamptz not null default now()
);

create index case_sessions_by_case on case_sessions (case_id, created_at) where case_id is not null;

create table session_links (
  id uuid primary key,
  session_id text not null references case_sessions (id),
  role text not null check (role in ('mediator', 'party', 'expert', 'observer')),
  party_id uuid references case_parties (id),
  -- Who the link is for, as the mediator sees it (the party's name, "专家 王医生").
  label text not null check (length(label) between 1 and 100),
  -- Whole seconds, as in the token.
  issued_at timestamptz not null,
  expires_at timestamptz not null,
  single_device boolean not null default false,
  -- The device a single-device link was first opened on; bound once, atomically.
  device_id text check (device_id ~ '^[A-Za-z0-9_-]{8,64}$'),
  revoked_at timestamptz,
  revoked_by uuid references staff (id),
  created_by uuid references staff (id),
  check (expires_at > issued_at),
  check (party_id is null or role = 'party'),
  check (revoked_by is null or revoked_at is not null)
);

create index session_links_by_session on session_links (session_id);
