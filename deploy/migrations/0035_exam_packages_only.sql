-- 0035: delivery serves exam packages only (issue 12). The exam_items file setting and
-- delivery's own item reader are gone: a window without a package admits nobody, and a
-- sitting without one is neither served nor replayed. Only the comments of 0034 change.
COMMENT ON COLUMN exam.windows.package_id IS 'The exam package (bank.packages.id) new sittings of this window use; NULL = none assigned yet: admission to the window is refused (problem no-package)';
COMMENT ON COLUMN exam.sessions.package_id IS 'The exam package this sitting was admitted on (its window''s at admission); NULL only for sittings loaded without delivery (riss demo''s simulated history), which are never served or replayed';
