-- Expert pools (专家库) and the log of pulling experts into cases. An expert
-- is a staff account with the role "expert", kept in the pool of one district
-- centre, with the dispute types they advise on, the languages they speak and
-- the areas they serve. Live presence (available, ringing, in a case) is not
-- stored here but in server/presence, built from these rows and heartbeats.

-- Lets experts reference (id, role) together, so an account cannot stop being an expert while it has a pool record.
alter table staff add constraint staff_id_role unique (id, role);

create table experts (
  id uuid primary key,
  staff_id uuid not null unique,
  staff_role text not null default 'expert' check (staff_role = 'expert'),
  -- The district whose centre keeps the expert in its pool; its coordinators manage the record.
  district_id uuid not null references districts (id),
  -- Shown to the mediator beside the name: "主任医师 · 区人民医院", "律师 · 某律师事务所".
  title text not null default '' check (length(title) <= 120),
  -- An inactive expert keeps their history but is never offered a case.
  active boolean not null default true,
  created_by uuid references staff (id),
  created_at timestamptz not null default now(),
  foreign key (staff_id, staff_role) references staff (id, role)
);

create index experts_by_district on experts (district_id);

-- The dispute types of shared/cases.ts an expert is called for.
create table expert_specialties (
  expert_id uuid not null references experts (id),
  specialty text not null check (
    specialty in (
      'neighbours', 'marriage_family', 'housing_homestead', 'property_management', 'medical', 'traffic',
      'labour_wages', 'land_forest_demolition', 'consumer', 'environment', 'workplace_safety',
      'food_drug_safety', 'intellectual_property', 'public_order_damages', 'other'
    )
  ),
  primary key (expert_id, specialty)
);

create index expert_specialties_by_specialty on expert_specialties (specialty);

-- Spoken languages as tags (shared/experts.ts): zh, en, yue, zh-sichuan.
create table expert_languages (
  expert_id uuid not null references experts (id),
  language text not null check (language ~ '^[a-z]{2,3}(-[a-z0-9]{2,8})?$'),
  primary key (expert_id, language)
);

-- Where an expert serves, one area a row: a grid, a whole township or a whole district.
-- How specific the match is ranks them for a case: grid first, then township, then district.
create table expert_areas (
  expert_id uuid not null references experts (id),
  grid_id uuid references grids (id),
  township_id uuid references townships (id),
  district_id uuid references districts (id),
  check (num_nonnulls(grid_id, township_id, district_id) = 1)
);

create unique index expert_areas_once on expert_areas (expert_id, coalesce(grid_id, township_id, district_id));

-- One mediator's ask for an expert of a specialty for a case; it may ring several experts in turn.
create table expert_requests (
  id uuid primary key,
  case_id uuid not null references cases (id),
  requested_by uuid not null references staff (id),
  specialty text not null,
  language text check (language ~ '^[a-z]{2,3}(-[a-z0-9]{2,8})?$'),
  requested_at timestamptz not null default clock_timestamp(),
  -- accepted: an expert took it; exhausted: nobody was left to ring; cancelled: the mediator withdrew it.
  outcome text check (outcome in ('accepted', 'exhausted', 'cancelled')),
  expert_id uuid references experts (id),
  ended_at timestamptz,
  check ((outcome is null) = (ended_at is null)),
  check (coalesce(outcome = 'accepted', false) = (expert_id is not null))
);

create index expert_requests_by_case on expert_requests (case_id, requested_at);

-- Every ring of every expert, and how it ended. Rows are written when the ring
-- starts and answered once (the answer is never overwritten: see SqlOfferLog).
create table expert_offers (
  id uuid primary key,
  request_id uuid not null references expert_requests (id),
  expert_id uuid not null references experts (id),
  -- How near the expert was to the case, and their place in the order of rings (1 = rung first).
  nearness text not null check (nearness in ('grid', 'township', 'district')),
  rank int not null check (rank >= 1),
  offered_at timestamptz not null default clock_timestamp(),
  expires_at timestamptz not null,
  -- accepted, declined: the expert's answer; timed_out: no answer in time; withdrawn: another expert
  -- took the request, it was cancelled, or the expert went offline while it rang.
  answer text check (answer in ('accepted', 'declined', 'timed_out', 'withdrawn')),
  answered_at timestamptz,
  check ((answer is null) = (answered_at is null)),
  check (expires_at > offered_at)
);

create index expert_offers_by_request on expert_offers (request_id, rank);
create index expert_offers_by_expert on expert_offers (expert_id, offered_at);
