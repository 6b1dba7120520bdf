//! [`AlertStore`](crate::AlertStore) on both backends.

use finsight_core::{TransactionId, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, SqlStore};
use crate::StoreError;
use crate::alerts::{Alert, AnomalyProfileRow};

const COLUMNS: &str = "id, user_id, transaction_id, kind, score, threshold, reasons, created_at, feedback, feedback_at";

type Row = (
    Uuid,
    Uuid,
    Option<Uuid>,
    String,
    f64,
    f64,
    String,
    i64,
    Option<String>,
    Option<i64>,
);

fn alert(row: Row) -> Alert {
    let (id, user, transaction, kind, score, threshold, reasons, created_at, feedback, feedback_at) =
        row;
    Alert {
        id,
        user_id: UserId::from_uuid(user),
        transaction_id: transaction.map(TransactionId::from_uuid),
        kind,
        score,
        threshold,
        reasons,
        created_at,
        feedback,
        feedback_at,
    }
}

#[async_trait::async_trait]
impl<B> crate::AlertStore for SqlStore<B>
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
    for<'q> f64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
{
    async fn record_alerts(&self, alerts: &[Alert]) -> Result<Vec<bool>, StoreError> {
        let mut tx = self.write_tx().await?;
        let mut new = Vec::with_capacity(alerts.len());
        for a in alerts {
            let done = sqlx::query(&format!(
                "INSERT INTO alerts ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
                 ON CONFLICT (id) DO NOTHING"
            ))
            .bind(a.id)
            .bind(a.user_id.as_uuid())
            .bind(a.transaction_id.map(|t| t.as_uuid()))
            .bind(&a.kind)
            .bind(a.score)
            .bind(a.threshold)
            .bind(&a.reasons)
            .bind(a.created_at)
            .bind(a.feedback.clone())
            .bind(a.feedback_at)
            .execute(&mut *tx)
            .await?;
            new.push(super::RowsAffected::rows_affected(&done) > 0);
        }
        tx.commit().await?;
        Ok(new)
    }

    async fn alert(&self, id: Uuid) -> Result<Option<Alert>, StoreError> {
        let row: Option<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM alerts WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.read_pool())
                .await?;
        Ok(row.map(alert))
    }

    async fn latest_alerts(&self, users: &[UserId], limit: u32) -> Result<Vec<Alert>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM alerts WHERE user_id IN ({})
             ORDER BY created_at DESC, id DESC LIMIT {}",
            super::parameter_list::<B>(users.len()),
            super::parameter::<B>(users.len() + 1)
        );
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for user in users {
            query = query.bind(user.as_uuid());
        }
        let rows = query
            .bind(i64::from(limit.clamp(1, 1000)))
            .fetch_all(self.read_pool())
            .await?;
        Ok(rows.into_iter().map(alert).collect())
    }

    async fn alerts_since(
        &self,
        users: &[UserId],
        since: i64,
        limit: u32,
    ) -> Result<Vec<Alert>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let n = users.len();
        let sql = format!(
            "SELECT {COLUMNS} FROM alerts WHERE user_id IN ({}) AND created_at > {}
             ORDER BY created_at, id LIMIT {}",
            super::parameter_list::<B>(users.len()),
            super::parameter::<B>(n + 1),
            super::parameter::<B>(n + 2)
        );
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for user in users {
            query = query.bind(user.as_uuid());
        }
        let rows = query
            .bind(since)
            .bind(i64::from(limit.clamp(1, 1000)))
            .fetch_all(self.read_pool())
            .await?;
        Ok(rows.into_iter().map(alert).collect())
    }

    async fn set_alert_feedback(
        &self,
        id: Uuid,
        feedback: &str,
        at: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let done = sqlx::query("UPDATE alerts SET feedback = $1, feedback_at = $2 WHERE id = $3")
            .bind(feedback)
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(super::RowsAffected::rows_affected(&done) > 0)
    }

    async fn anomaly_profiles(
        &self,
        users: &[UserId],
    ) -> Result<Vec<AnomalyProfileRow>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT user_id, state, last_seq, updated_at FROM anomaly_profiles WHERE user_id IN ({})",
            super::parameter_list::<B>(users.len())
        );
        let mut query = sqlx::query_as::<_, (Uuid, Vec<u8>, i64, i64)>(&sql);
        for user in users {
            query = query.bind(user.as_uuid());
        }
        let rows = query.fetch_all(self.read_pool()).await?;
        Ok(rows
            .into_iter()
            .map(|(user, state, last_seq, updated_at)| AnomalyProfileRow {
                user_id: UserId::from_uuid(user),
                state,
                last_seq,
                updated_at,
            })
            .collect())
    }

    async fn save_anomaly_profiles(&self, rows: &[AnomalyProfileRow]) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        for row in rows {
            sqlx::query(
                "INSERT INTO anomaly_profiles (user_id, state, last_seq, updated_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id) DO UPDATE SET state = excluded.state,
                    last_seq = excluded.last_seq, updated_at = excluded.updated_at",
            )
            .bind(row.user_id.as_uuid())
            .bind(row.state.as_slice())
            .bind(row.last_seq)
            .bind(row.updated_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
