-- Fact blocks (store/src/blocks.rs): a quarter's facts read row by row cost PostgreSQL about
-- 2 µs a row, more than a summary's 200 ms; packed per district and UTC day they cost a copy.
--
-- Every change to a request records the transaction that made it (change_xid, a trigger, so
-- no write path can forget it); a rating marks its request changed. A pass of the fact_blocks
-- job repacks the days with a change_xid at or after the state's clean_through, then sets
-- clean_through to the xmin of the snapshot it read: every transaction that snapshot did not
-- see has an xid at or after it, so a reader that adds the requests with change_xid >=
-- clean_through to the blocks (in one snapshot with them) reads exactly what the table holds.
-- Existing rows get xid 1, which the first pass (clean_through absent: from 0) repacks.
-- A database restored onto another server carries xids that server has not reached: a
-- clean_through past the current snapshot's xmax is not trusted (readers read row by row, the
-- next pass re-stamps such rows and repacks everything).
ALTER TABLE service_requests ADD COLUMN change_xid XID8 NOT NULL DEFAULT '1';
ALTER TABLE service_requests ALTER COLUMN change_xid SET DEFAULT pg_current_xact_id();
CREATE INDEX service_requests_change ON service_requests (change_xid);

-- A request deleted, or moved to another district or day (no code does either today), leaves
-- its old district-day "dirty": readers read that day row by row until a pass repacks it.
CREATE TABLE fact_block_dirty (
    district_code TEXT NOT NULL,
    day DATE NOT NULL,
    PRIMARY KEY (district_code, day)
);

CREATE FUNCTION sahulat_mark_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        INSERT INTO fact_block_dirty VALUES (OLD.district_code, (OLD.created_at AT TIME ZONE 'UTC')::date)
            ON CONFLICT DO NOTHING;
        RETURN OLD;
    END IF;
    IF OLD.district_code IS DISTINCT FROM NEW.district_code
       OR OLD.created_at IS DISTINCT FROM NEW.created_at THEN
        INSERT INTO fact_block_dirty VALUES (OLD.district_code, (OLD.created_at AT TIME ZONE 'UTC')::date)
            ON CONFLICT DO NOTHING;
    END IF;
    NEW.change_xid := pg_current_xact_id();
    RETURN NEW;
END $$;
CREATE TRIGGER service_requests_changed BEFORE UPDATE OR DELETE ON service_requests
    FOR EACH ROW EXECUTE FUNCTION sahulat_mark_changed();

CREATE FUNCTION sahulat_mark_rated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE service_requests SET change_xid = pg_current_xact_id() WHERE id = OLD.request_id;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        UPDATE service_requests SET change_xid = pg_current_xact_id() WHERE id = NEW.request_id;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER ratings_mark_request AFTER INSERT OR UPDATE OR DELETE ON ratings
    FOR EACH ROW EXECUTE FUNCTION sahulat_mark_rated();

CREATE TABLE fact_blocks (
    district_code TEXT NOT NULL,
    day DATE NOT NULL,
    -- Every fact, without ratings (store/src/blocks.rs).
    payload BYTEA NOT NULL,
    -- The rated facts again, with their stars: a ratings read copies a quarter of the bytes.
    rated BYTEA NOT NULL,
    PRIMARY KEY (district_code, day)
);
-- Stored out of line and uncompressed: a reader copies it rather than inflating it.
ALTER TABLE fact_blocks ALTER COLUMN payload SET STORAGE EXTERNAL,
    ALTER COLUMN rated SET STORAGE EXTERNAL;

CREATE TABLE fact_block_state (
    id SMALLINT PRIMARY KEY CHECK (id = 1),
    clean_through XID8 NOT NULL,
    refreshed_at TIMESTAMPTZ NOT NULL
);
