-- Locking and signing the agreement (server/signing). A version is the
-- canonical text as the mediator locked it, with its SHA-256; the signatures
-- bind that hash. Unlocking or editing voids the version and its signatures
-- (kept, marked void: the record shows what was signed and undone); the last
-- signature seals it: the PDF is stored here, with its own hash.

create table agreement_versions (
  id uuid primary key,
  case_id uuid not null references cases (id),
  -- canonicalText() of the document when it was locked, and the hex SHA-256 of its UTF-8 bytes.
  canonical_text text not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  status text not null check (status in ('locked', 'voided', 'sealed')),
  locked_at timestamptz not null default now(),
  -- The link (and so the session) the mediator locked it from.
  locked_by_link uuid references session_links (id),
  voided_at timestamptz,
  void_reason text check (void_reason in ('unlocked', 'edited')),
  sealed_at timestamptz,
  sealed_pdf bytea,
  sealed_pdf_sha256 text check (sealed_pdf_sha256 ~ '^[0-9a-f]{64}$'),
  check ((status = 'voided') = (voided_at is not null)),
  check ((status = 'sealed') = (sealed_pdf is not null))
);

-- A case has at most one version that is locked or sealed: two mediators locking at once cannot both win.
create unique index agreement_versions_one_live on agreement_versions (case_id) where status <> 'voided';
create index agreement_versions_by_case on agreement_versions (case_id, locked_at);

create table agreement_signatures (
  id uuid primary key,
  version_id uuid not null references agreement_versions (id),
  -- 'party:<case_parties.id>' or 'mediator'.
  signatory text not null check (signatory = 'mediator' or signatory ~ '^party:[0-9a-f-]{36}$'),
  role text not null check (role in ('applicant', 'respondent', 'mediator')),
  party_id uuid references case_parties (id),
  typed_name text not null check (length(typed_name) between 1 and 100),
  -- The drawn signature: strokes of 0..1000 coordinates (shared/signing.ts).
  drawing jsonb not null,
  -- The consent statement exactly as it was shown and ticked.
  consent_text text not null,
  -- The hash the signer's screen showed; equal to the version's (checked before insert).
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  session_id text not null references case_sessions (id),
  link_id uuid not null references session_links (id),
  device_id text not null check (length(device_id) between 1 and 64),
  user_agent text check (length(user_agent) <= 400),
  signed_at timestamptz not null default now(),
  voided_at timestamptz,
  unique (version_id, signatory)
);
