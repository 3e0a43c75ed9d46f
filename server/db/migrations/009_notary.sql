-- Remote notarization: notarial acts, the evidence of each signer's identity,
-- the recordings, and the notary journal. The journal is append-only and
-- chained by hashes (server/notary/NotaryJournal.ts computes them); the
-- triggers below keep the chain's shape on insert, refuse every UPDATE and
-- TRUNCATE, and refuse a DELETE before the entry's retention has expired.
-- plpgsql triggers run alike on PostgreSQL and PGlite.

create table notary_acts (
  id uuid primary key,
  notary_id uuid not null references staff (id),
  -- The live room the act takes place in (its links are how the signer joins).
  session_id text references case_sessions (id),
  act_type text not null
    check (act_type in ('acknowledgment', 'jurat', 'oath_affirmation', 'signature_witnessing', 'copy_certification')),
  document_description text not null check (length(document_description) between 1 and 500),
  -- SHA-256 (hex) of the document as uploaded; the sealed PDF binds it.
  document_sha256 text check (document_sha256 ~ '^[0-9a-f]{64}$'),
  -- ISO 3166 country with an optional subdivision: CN, CN-ZJ, US-FL. Decides the retention.
  jurisdiction text not null check (jurisdiction ~ '^[A-Z]{2}(-[A-Z0-9]{1,6})?$'),
  -- Minor units (fen, cents): no float ever reaches the journal's hashes.
  fee_minor integer not null default 0 check (fee_minor >= 0),
  currency text not null default 'CNY' check (currency ~ '^[A-Z]{3}$'),
  scheduled_at timestamptz,
  -- The snapshot of server/notary/actMachine.ts.
  state text not null default 'scheduled'
    check (state in ('scheduled', 'identity', 'recital_consent', 'signing', 'sealed', 'aborted', 'interrupted')),
  attempt integer not null default 0 check (attempt >= 0),
  identity_method text check (identity_method in ('personal_knowledge', 'id_comparison', 'credible_witness')),
  consented boolean not null default false,
  document_signed boolean not null default false,
  reason text check (length(reason) <= 500),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create index notary_acts_by_notary on notary_acts (notary_id, created_at);

create table notary_act_signers (
  id uuid primary key,
  act_id uuid not null references notary_acts (id),
  position integer not null check (position >= 1),
  name text not null check (length(name) between 1 and 100),
  address text not null check (length(address) between 1 and 300),
  unique (act_id, position)
);

-- How the notary established a signer's identity, once per attempt (an
-- interruption means proving it again). The still images captured from the
-- live video are referenced by their SHA-256; the files live with the recordings.
create table notary_identity_evidence (
  id bigint generated always as identity primary key,
  act_id uuid not null references notary_acts (id),
  signer_id uuid not null references notary_act_signers (id),
  attempt integer not null check (attempt >= 1),
  method text not null check (method in ('personal_knowledge', 'id_comparison', 'credible_witness')),
  -- The kind and issuer of the ID shown (身份证, 中华人民共和国公安部), never its number.
  id_document text check (length(id_document) <= 120),
  witness_name text check (length(witness_name) <= 100),
  -- {"front": sha256, "back": sha256, "face": sha256} of the captured stills.
  images jsonb not null default '{}',
  recorded_by uuid not null references staff (id),
  recorded_at timestamptz not null default now(),
  check (method <> 'id_comparison' or id_document is not null),
  check (method <> 'credible_witness' or witness_name is not null),
  unique (signer_id, attempt)
);

-- What an external identity provider answered (credential analysis, knowledge-based questions).
create table notary_provider_checks (
  id bigint generated always as identity primary key,
  act_id uuid not null references notary_acts (id),
  signer_id uuid not null references notary_act_signers (id),
  attempt integer not null check (attempt >= 1),
  provider text not null check (length(provider) between 1 and 60),
  kind text not null check (kind in ('credential_analysis', 'knowledge_based')),
  outcome text not null check (outcome in ('passed', 'failed', 'error')),
  reference text check (length(reference) <= 200),
  -- The provider's answer as it came, minus anything it marked secret.
  details jsonb not null default '{}',
  at timestamptz not null default now()
);

create index notary_provider_checks_by_act on notary_provider_checks (act_id, attempt);

-- One recording per attempt; an interrupted attempt keeps its file and hash.
create table notary_recordings (
  act_id uuid not null references notary_acts (id),
  attempt integer not null check (attempt >= 1),
  reference text not null check (length(reference) between 1 and 300),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  bytes bigint not null check (bytes >= 0),
  started_at timestamptz not null,
  stopped_at timestamptz not null,
  primary key (act_id, attempt),
  check (stopped_at >= started_at)
);

-- The journal: one entry per act, `hash` = SHA-256 of the canonical JSON of
-- {seq, prevHash, recordedAt, retainUntil, entry}, `prev_hash` the previous
-- entry's hash (the first follows 64 zeros).
create table notary_journal (
  seq bigint primary key check (seq >= 1),
  act_id uuid not null unique references notary_acts (id),
  entry jsonb not null,
  recorded_at timestamptz not null,
  retain_until timestamptz not null,
  prev_hash text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash text not null check (hash ~ '^[0-9a-f]{64}$'),
  check (retain_until >= recorded_at)
);

-- The chain's two ends, one row: the last entry (a deleted tail shows as a
-- head that points past the rows), and the last entry pruned after its
-- retention (where verification starts). Maintained by the triggers below.
create table notary_journal_head (
  id boolean primary key default true check (id),
  last_seq bigint not null,
  last_hash text not null,
  pruned_seq bigint not null,
  pruned_hash text not null
);

insert into notary_journal_head (last_seq, last_hash, pruned_seq, pruned_hash)
values (0, repeat('0', 64), 0, repeat('0', 64));

create function notary_journal_append() returns trigger
language plpgsql as $$
declare
  head notary_journal_head%rowtype;
begin
  -- The row lock serialises concurrent appends: each sees the head the previous one left.
  select * into head from notary_journal_head where id for update;
  if new.seq <> head.last_seq + 1 or new.prev_hash <> head.last_hash then
    raise exception 'notary_journal: entry % does not follow entry % (%)', new.seq, head.last_seq, head.last_hash
      using errcode = 'integrity_constraint_violation';
  end if;
  update notary_journal_head set last_seq = new.seq, last_hash = new.hash where id;
  return new;
end
$$;

create function notary_journal_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception 'notary_journal is append-only: % is not allowed', tg_op using errcode = 'insufficient_privilege';
end
$$;

create function notary_journal_prune() returns trigger
language plpgsql as $$
declare
  head notary_journal_head%rowtype;
begin
  if old.retain_until > now() then
    -- GR001: the store turns it into RETENTION_NOT_EXPIRED.
    raise exception 'notary_journal: entry % is retained until %', old.seq, old.retain_until using errcode = 'GR001';
  end if;
  select * into head from notary_journal_head where id for update;
  -- Only the oldest entry may go, so what remains is still one unbroken chain.
  if old.seq <> head.pruned_seq + 1 then
    raise exception 'notary_journal: entry % is not the oldest (% is)', old.seq, head.pruned_seq + 1
      using errcode = 'GR001';
  end if;
  update notary_journal_head set pruned_seq = old.seq, pruned_hash = old.hash where id;
  return old;
end
$$;

create trigger notary_journal_chain
  before insert on notary_journal
  for each row execute function notary_journal_append();

create trigger notary_journal_no_update
  before update on notary_journal
  for each row execute function notary_journal_refuse_change();

create trigger notary_journal_retention
  before delete on notary_journal
  for each row execute function notary_journal_prune();

create trigger notary_journal_no_truncate
  before truncate on notary_journal
  for each statement execute function notary_journal_refuse_change();

-- Each notary's seal certificate, issued by the deployment CA on first use and
-- reused until it nears expiry; older ones stay (seals made with them still
-- verify through the CA). The key travels only inside the PKCS#12, which is
-- sealed with the deployment's data key (server/crypto/sealedBox.ts).
create table notary_certificates (
  serial text primary key check (serial ~ '^[0-9a-f]{1,40}$'),
  notary_id uuid not null references staff (id),
  common_name text not null,
  certificate_pem text not null,
  not_after timestamptz not null,
  p12_sealed text not null,
  passphrase_sealed text not null,
  issued_at timestamptz not null default now()
);

create index notary_certificates_by_notary on notary_certificates (notary_id, not_after);

-- The act's document: as the signer signed it (its SHA-256 is the act's
-- document_sha256), and as the notary sealed it, written in the transaction
-- that seals the act.
create table notary_documents (
  act_id uuid primary key references notary_acts (id),
  signed_pdf bytea not null,
  sealed_pdf bytea,
  sealed_sha256 text check (sealed_sha256 ~ '^[0-9a-f]{64}$'),
  check ((sealed_pdf is null) = (sealed_sha256 is null))
);

-- Stills taken in the SFU from a participant's camera during identity
-- proofing (the ID's front and back, the signer's face); identity evidence
-- names them by SHA-256. The files live beside the recordings.
create table notary_stills (
  sha256 text primary key check (sha256 ~ '^[0-9a-f]{64}$'),
  act_id uuid not null references notary_acts (id),
  attempt integer not null check (attempt >= 1),
  side text not null check (side in ('front', 'back', 'face')),
  -- The room's peer whose camera it is.
  peer_id text not null check (peer_id ~ '^[A-Za-z0-9_-]{1,64}$'),
  reference text not null check (length(reference) between 1 and 300),
  taken_by uuid not null references staff (id),
  taken_at timestamptz not null default now()
);

create index notary_stills_by_act on notary_stills (act_id, attempt);
