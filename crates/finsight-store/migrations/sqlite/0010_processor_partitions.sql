-- The processor's work is split by user into 16 partitions (the low four
-- bits of the user id's last byte, the same on both backends and in
-- `finsight_store::partition_of`). Each partition is processed in outbox
-- order by one replica at a time, the holder of its lease; positions are
-- kept per stage and partition. A replica reads the outbox in order and
-- keeps the entries of its partitions, so the column needs no index (an
-- index would cost every insert a second B-tree write).
ALTER TABLE outbox ADD COLUMN partition INTEGER NOT NULL DEFAULT 0;
UPDATE outbox SET partition = instr('0123456789ABCDEF', substr(hex(user_id), 32, 1)) - 1;

DROP TRIGGER transactions_to_outbox;
CREATE TRIGGER transactions_to_outbox AFTER INSERT ON transactions
BEGIN
    INSERT INTO outbox (transaction_id, user_id, partition)
    VALUES (NEW.id, NEW.user_id, instr('0123456789ABCDEF', substr(hex(NEW.user_id), 32, 1)) - 1);
END;

-- Every partition starts where its stage had got to.
CREATE TABLE processor_partition_positions (
    stage      TEXT NOT NULL,
    partition  INTEGER NOT NULL,
    position   INTEGER NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (stage, partition)
);
WITH RECURSIVE n (partition) AS (SELECT 0 UNION ALL SELECT partition + 1 FROM n WHERE partition < 15)
INSERT INTO processor_partition_positions (stage, partition, position, updated_at)
SELECT p.stage, n.partition, p.position, p.updated_at FROM processor_positions p, n;
DROP TABLE processor_positions;

-- A replica that processes, seen at its last claim.
CREATE TABLE processor_members (
    holder  TEXT PRIMARY KEY NOT NULL,
    seen_at TEXT NOT NULL
);

-- Who processes a partition, until when.
CREATE TABLE processor_leases (
    partition  INTEGER PRIMARY KEY NOT NULL,
    holder     TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
