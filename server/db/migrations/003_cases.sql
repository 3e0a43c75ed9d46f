-- Cases and what happens to them: parties, escalations up the ladder and
-- follow-up visits. The lifecycle rules live in server/cases/statusMachine.ts;
-- the checks here make an impossible row impossible even for a buggy caller.

-- Per-district, per-year counters behind case numbers like D01-2025-000042.
create table case_counters (
  district_id uuid not null references districts (id),
  year int not null,
  last int not null,
  primary key (district_id, year)
);

create table cases (
  id uuid primary key,
  case_no text not null unique,
  dispute_type text not null check (
    dispute_type in (
      'neighbours', 'marriage_family', 'housing_homestead', 'property_management', 'medical', 'traffic',
      'labour_wages', 'land_forest_demolition', 'consumer', 'environment', 'workplace_safety',
      'food_drug_safety', 'intellectual_property', 'public_order_damages', 'other'
    )
  ),
  status text not null check (
    status in ('registered', 'mediating', 'agreed', 'failed', 'withdrawn', 'followed_up', 'closed')
  ),
  -- How it ended; stays when an agreed case moves on to followed_up and closed.
  outcome text check (outcome in ('agreed', 'failed', 'withdrawn')),
  level text not null check (level in ('grid', 'township', 'district')),
  -- The grid the dispute arose in, and (copied, kept consistent by the foreign keys) its township and district.
  district_id uuid not null,
  township_id uuid not null,
  grid_id uuid not null,
  -- The committee (or district centre) holding the case once it is above the grid.
  committee_id uuid references committees (id),
  handler_id uuid references staff (id),
  summary text not null check (length(summary) between 1 and 4000),
  registered_by uuid not null references staff (id),
  registered_at timestamptz not null default now(),
  concluded_at timestamptz,
  closed_at timestamptz,
  updated_at timestamptz not null default now(),
  foreign key (grid_id, township_id) references grids (id, township_id),
  foreign key (township_id, district_id) references townships (id, district_id),
  check ((level = 'grid') = (committee_id is null)),
  check ((outcome is null) = (concluded_at is null)),
  check ((status = 'closed') = (closed_at is not null)),
  check (
    case status
      when 'registered' then outcome is null
      when 'mediating' then outcome is null
      when 'agreed' then outcome = 'agreed'
      when 'followed_up' then outcome = 'agreed'
      when 'failed' then outcome = 'failed'
      when 'withdrawn' then outcome = 'withdrawn'
      else outcome is not null
    end
  )
);

create index cases_by_grid on cases (grid_id, status);
create index cases_by_township on cases (township_id, status);
create index cases_by_district on cases (district_id, status);
create index cases_by_handler on cases (handler_id) where handler_id is not null;
create index cases_by_registration on cases (district_id, registered_at);
-- The success-rate query reads only cases mediated to an end, per district,
-- township and grid: an index-only scan of this covers it, already in grid
-- order, for an area and for a month alike (see docs/BENCHMARKS.md).
create index cases_concluded on cases (district_id, township_id, grid_id, concluded_at) include (outcome)
  where outcome in ('agreed', 'failed');

create table case_parties (
  id uuid primary key,
  case_id uuid not null references cases (id),
  position int not null,
  role text not null check (role in ('applicant', 'respondent')),
  name text not null check (length(name) between 1 and 100),
  contact text not null check (length(contact) <= 100),
  -- AES-256-GCM of the ID number (server/crypto/sealedBox.ts), bound to this row's id; never the number itself.
  id_number_sealed text,
  -- The last four characters, enough to tell two parties apart on a masked screen.
  id_number_tail text check (id_number_tail ~ '^[0-9X]{4}$'),
  unique (case_id, position),
  check ((id_number_sealed is null) = (id_number_tail is null))
);

create table case_escalations (
  id uuid primary key,
  case_id uuid not null references cases (id),
  from_level text not null check (from_level in ('grid', 'township')),
  to_level text not null check (to_level in ('township', 'district')),
  from_committee_id uuid references committees (id),
  to_committee_id uuid not null references committees (id),
  from_status text not null,
  reason text not null check (length(reason) between 1 and 2000),
  transferred_by uuid not null references staff (id),
  transferred_at timestamptz not null default now()
);

create index case_escalations_by_case on case_escalations (case_id, transferred_at);
create index case_escalations_by_time on case_escalations (transferred_at);

create table case_follow_ups (
  id uuid primary key,
  case_id uuid not null references cases (id),
  visited_at timestamptz not null,
  method text not null check (method in ('visit', 'phone', 'video')),
  performance text not null check (performance in ('performed', 'partly_performed', 'not_performed')),
  notes text not null check (length(notes) <= 4000),
  recorded_by uuid not null references staff (id),
  recorded_at timestamptz not null default now()
);

create index case_follow_ups_by_case on case_follow_ups (case_id, visited_at);
