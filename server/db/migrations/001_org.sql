-- The organisation the ladder climbs: districts, their townships/streets and
-- the grids inside those, plus the mediation committees (one or more per
-- township) and each district's dispute-resolution centre.

create table districts (
  id uuid primary key,
  -- Short code used in case numbers, e.g. "D01".
  code text not null unique check (code ~ '^[A-Za-z0-9]{1,12}$'),
  name text not null check (length(name) between 1 and 100),
  created_at timestamptz not null default now()
);

create table townships (
  id uuid primary key,
  district_id uuid not null references districts (id),
  -- 镇 (township) or 街道 (street); they sit on the same rung of the ladder.
  kind text not null check (kind in ('township', 'street')),
  name text not null check (length(name) between 1 and 100),
  created_at timestamptz not null default now(),
  unique (district_id, name),
  -- Lets children reference (township, district) together, so their copy of the district cannot disagree.
  unique (id, district_id)
);

create table grids (
  id uuid primary key,
  township_id uuid not null references townships (id),
  name text not null check (length(name) between 1 and 100),
  created_at timestamptz not null default now(),
  unique (township_id, name),
  unique (id, township_id)
);

create table committees (
  id uuid primary key,
  -- township: a township/street people's mediation committee; district: the district centre.
  level text not null check (level in ('township', 'district')),
  district_id uuid not null references districts (id),
  township_id uuid,
  name text not null check (length(name) between 1 and 100),
  created_at timestamptz not null default now(),
  foreign key (township_id, district_id) references townships (id, district_id),
  check ((level = 'township') = (township_id is not null))
);

-- A district has one centre; a township may have several committees (e.g. an industry one).
create unique index committees_one_centre_per_district on committees (district_id) where level = 'district';
create index committees_by_township on committees (township_id);
