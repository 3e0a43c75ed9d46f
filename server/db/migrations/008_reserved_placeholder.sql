-- Placeholder: migration 008 belongs to another branch (presence). It lets
-- this branch migrate on its own; drop this file when merging, the real 008
-- takes its place.
select 1;
