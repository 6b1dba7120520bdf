//! [`ThrottleStore`](crate::ThrottleStore) on both backends.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, RowsAffected, SqlStore};

#[async_trait::async_trait]
impl<B> crate::ThrottleStore for SqlStore<B>
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
    async fn throttle(
        &self,
        subject: &str,
    ) -> Result<Option<crate::ThrottleState>, crate::StoreError> {
        let key = self.throttle_key(subject).await?;
        let row: Option<(i32, Option<OffsetDateTime>, OffsetDateTime)> = sqlx::query_as(
            "SELECT failures, locked_until, updated_at FROM login_throttle
                 WHERE throttle_key = $1",
        )
        .bind(&key)
        .fetch_optional(self.read_pool())
        .await?;
        Ok(row.map(
            |(failures, locked_until, updated_at)| crate::ThrottleState {
                failures: u32::try_from(failures).unwrap_or(0),
                locked_until,
                updated_at,
            },
        ))
    }

    async fn count_failure(
        &self,
        subject: &str,
        now: OffsetDateTime,
        window_start: OffsetDateTime,
    ) -> Result<u32, crate::StoreError> {
        let key = self.throttle_key(subject).await?;
        let mut tx = self.write_tx().await?;
        let (failures,): (i32,) = sqlx::query_as(
            "INSERT INTO login_throttle (throttle_key, failures, updated_at) VALUES ($1, 1, $2)
             ON CONFLICT (throttle_key) DO UPDATE SET
                failures = CASE WHEN login_throttle.updated_at < $3 THEN 1
                                ELSE login_throttle.failures + 1 END,
                updated_at = excluded.updated_at
             RETURNING failures",
        )
        .bind(&key)
        .bind(now)
        .bind(window_start)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(u32::try_from(failures).unwrap_or(0))
    }

    async fn lock_throttle(
        &self,
        subject: &str,
        until: OffsetDateTime,
    ) -> Result<(), crate::StoreError> {
        let key = self.throttle_key(subject).await?;
        let mut tx = self.write_tx().await?;
        sqlx::query("UPDATE login_throttle SET locked_until = $2 WHERE throttle_key = $1")
            .bind(&key)
            .bind(until)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn reset_throttle(
        &self,
        subject: &str,
        now: OffsetDateTime,
    ) -> Result<(), crate::StoreError> {
        let key = self.throttle_key(subject).await?;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO login_throttle (throttle_key, failures, updated_at) VALUES ($1, 0, $2)
             ON CONFLICT (throttle_key) DO UPDATE SET
                failures = 0, locked_until = NULL, updated_at = excluded.updated_at",
        )
        .bind(&key)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn purge_throttles(&self, before: OffsetDateTime) -> Result<u64, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        let deleted = sqlx::query(
            "DELETE FROM login_throttle WHERE updated_at < $1
             AND (locked_until IS NULL OR locked_until < $1)",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(deleted)
    }
}
