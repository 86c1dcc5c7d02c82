-- exam (issue 12): riss demo's simulated sittings now sit the exam's active package through
-- delivery and record it, so the column's NULL case is only for rows loaded before that.
COMMENT ON COLUMN exam.sessions.package_id IS 'The exam package this sitting was admitted on (its window''s at admission; riss demo''s simulated sittings: the exam''s active package); NULL only for simulated rows loaded before riss demo used packages, which are never served or replayed';
