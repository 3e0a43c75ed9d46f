-- The co-edited mediation agreement of a case (server/collab): an append-only
-- log of the Yjs updates the server accepted, and a snapshot that compaction
-- folds the older ones into. Loading a document is its snapshot plus every
-- update after up_to_seq.

-- What parties may do to the agreement of this case: edit it, or only comment.
alter table cases
  add column agreement_party_access text not null default 'edit'
    check (agreement_party_access in ('edit', 'comment'));

create table agreement_updates (
  seq bigserial primary key,
  case_id uuid not null references cases (id),
  -- One Yjs update (v1 encoding), as the server applied it.
  update bytea not null,
  created_at timestamptz not null default now()
);

create index agreement_updates_by_case on agreement_updates (case_id, seq);

create table agreement_snapshots (
  case_id uuid primary key references cases (id),
  -- Y.encodeStateAsUpdate of the document with every update up to up_to_seq applied.
  state bytea not null,
  up_to_seq bigint not null,
  updated_at timestamptz not null default now()
);
