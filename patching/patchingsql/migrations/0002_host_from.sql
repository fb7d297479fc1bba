-- The release each host ran when the deploy started: its rollback
-- target.
ALTER TABLE sw_host ADD COLUMN from_release TEXT NOT NULL DEFAULT '';
