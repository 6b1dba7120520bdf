//! [`AuditStore`](crate::AuditStore) on both backends: the hash-chained
//! audit log, its pruning checkpoint and its pages.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, SqlStore};

#[async_trait::async_trait]
impl<B> crate::AuditStore for SqlStore<B>
where
    B: Backend,
    for<'c> &'c mut <Db<B> as Database>::Connection: Executor<'c, Database = Db<B>>,
    for<'q> <Db<B> as Database>::Arguments<'q>: IntoArguments<'q, Db<B>>,
    usize: ColumnIndex<<Db<B> as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<Db<B> as Database>::Row>,
    for<'q> Uuid: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> String: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i32: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> bool: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Vec<u8>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> OffsetDateTime: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Date: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<OffsetDateTime>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Date>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>> + Type<Db<B>>,
{
    async fn append_audit(
        &self,
        event: &finsight_core::audit::AuditEvent,
        now: OffsetDateTime,
    ) -> Result<finsight_core::audit::AuditEntry, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        if !B::AUDIT_LOCK.is_empty() {
            sqlx::query(B::AUDIT_LOCK).execute(&mut *tx).await?;
        }
        let last: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                .fetch_optional(&mut *tx)
                .await?;
        let (seq, prev_hash) = match last {
            Some((seq, hash)) => (seq + 1, crate::audit::hash_from(hash, seq)?),
            None => (1, [0u8; 32]),
        };
        // Stored times have microsecond precision on PostgreSQL:
        // hash what will be read back.
        let at = now
            .replace_nanosecond(now.nanosecond() / 1000 * 1000)
            .unwrap_or(now);
        let hash = finsight_core::audit::entry_hash(seq, at, event, &prev_hash);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor, action, subject, detail, prev_hash, hash)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(seq)
        .bind(at)
        .bind(&event.actor)
        .bind(&event.action)
        .bind(&event.subject)
        .bind(&event.detail)
        .bind(prev_hash.as_slice())
        .bind(hash.as_slice())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(finsight_core::audit::AuditEntry {
            seq,
            at,
            event: event.clone(),
            prev_hash,
            hash,
        })
    }

    async fn prune_audit(
        &self,
        before: OffsetDateTime,
    ) -> Result<Option<(i64, [u8; 32])>, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        if !B::AUDIT_LOCK.is_empty() {
            sqlx::query(B::AUDIT_LOCK).execute(&mut *tx).await?;
        }
        let last: Option<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT seq, hash FROM audit_log
             WHERE at < $1 AND seq < (SELECT MAX(seq) FROM audit_log)
             ORDER BY seq DESC LIMIT 1",
        )
        .bind(before)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((seq, hash)) = last else {
            return Ok(None);
        };
        sqlx::query(
            "INSERT INTO audit_checkpoint (id, seq, hash) VALUES (1, $1, $2)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        )
        .bind(seq)
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM audit_log WHERE seq <= $1")
            .bind(seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some((seq, crate::audit::hash_from(hash, seq)?)))
    }

    async fn audit_checkpoint(&self) -> Result<Option<(i64, [u8; 32])>, crate::StoreError> {
        let row: Option<(i64, Vec<u8>)> =
            sqlx::query_as("SELECT seq, hash FROM audit_checkpoint WHERE id = 1")
                .fetch_optional(self.read_pool())
                .await?;
        row.map(|(seq, hash)| Ok((seq, crate::audit::hash_from(hash, seq)?)))
            .transpose()
    }

    async fn audit_entries(
        &self,
        after: i64,
        limit: u32,
    ) -> Result<Vec<finsight_core::audit::AuditEntry>, crate::StoreError> {
        let rows: Vec<(
            i64,
            OffsetDateTime,
            String,
            String,
            String,
            String,
            Vec<u8>,
            Vec<u8>,
        )> = sqlx::query_as(
            "SELECT seq, at, actor, action, subject, detail, prev_hash, hash
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
        )
        .bind(after)
        .bind(i64::from(limit))
        .fetch_all(self.read_pool())
        .await?;
        rows.into_iter()
            .map(
                |(seq, at, actor, action, subject, detail, prev_hash, hash)| {
                    Ok(finsight_core::audit::AuditEntry {
                        seq,
                        at,
                        event: finsight_core::audit::AuditEvent {
                            actor,
                            action,
                            subject,
                            detail,
                        },
                        prev_hash: crate::audit::hash_from(prev_hash, seq)?,
                        hash: crate::audit::hash_from(hash, seq)?,
                    })
                },
            )
            .collect()
    }
}
