-- PostgreSQL's 0018 adds fact blocks (store/src/blocks.rs). SQLite needs none: its bulk readers
-- answer a quarter's facts row by row in time. This keeps both directories' versions in step.
SELECT 1;
