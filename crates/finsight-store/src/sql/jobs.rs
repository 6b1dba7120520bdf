//! [`JobStore`](crate::JobStore) on both backends: claimed and finished
//! job runs; leadership is the backend's.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, RowsAffected, SqlStore};

#[async_trait::async_trait]
impl<B> crate::JobStore for SqlStore<B>
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
    async fn try_lead(&self, role: &str) -> Result<bool, crate::StoreError> {
        self.backend.try_lead(role).await
    }

    async fn claim_job_run(
        &self,
        job: &str,
        run_key: &str,
        now: OffsetDateTime,
    ) -> Result<crate::JobClaim, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        let inserted = sqlx::query(
            "INSERT INTO job_runs (job, run_key, started_at) VALUES ($1, $2, $3)
         ON CONFLICT (job, run_key) DO NOTHING",
        )
        .bind(job)
        .bind(run_key)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let claim = if inserted == 1 {
            crate::JobClaim::Claimed
        } else {
            let (outcome,): (Option<String>,) =
                sqlx::query_as("SELECT outcome FROM job_runs WHERE job = $1 AND run_key = $2")
                    .bind(job)
                    .bind(run_key)
                    .fetch_one(&mut *tx)
                    .await?;
            match outcome {
                Some(outcome) => crate::JobClaim::Finished { outcome },
                None => {
                    sqlx::query(
                        "UPDATE job_runs SET started_at = $3 WHERE job = $1 AND run_key = $2",
                    )
                    .bind(job)
                    .bind(run_key)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    crate::JobClaim::Resumed
                }
            }
        };
        tx.commit().await?;
        Ok(claim)
    }

    async fn finish_job_run(
        &self,
        job: &str,
        run_key: &str,
        outcome: &str,
        now: OffsetDateTime,
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "UPDATE job_runs SET finished_at = $3, outcome = $4 WHERE job = $1 AND run_key = $2",
        )
        .bind(job)
        .bind(run_key)
        .bind(now)
        .bind(outcome)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
