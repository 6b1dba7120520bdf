-- Account references learnt from bank files (IBANs, account numbers) are
-- personal: stored sealed, found by a keyed blind index (16 bytes of HMAC,
-- kept as a uuid-sized key). Rows of the old plain table are moved here,
-- sealed, by the store right after migrating.
CREATE TABLE account_references (
    reference_index BLOB PRIMARY KEY NOT NULL,
    reference       TEXT NOT NULL,
    account_id      BLOB NOT NULL REFERENCES accounts (id)
);
