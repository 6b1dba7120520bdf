//! [`CategorizationStore`](crate::CategorizationStore) on both backends.

use finsight_core::{CategoryId, TenantId, TransactionId, UserId};
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, SqlStore};
use crate::StoreError;
use crate::categorizations::{Categorization, CategorizationStatus, ReviewCursor};

const COLUMNS: &str =
    "transaction_id, tenant_id, user_id, model, version, category, confidence, status, created_at";

type Row = (Uuid, String, Uuid, String, i64, String, f64, String, i64);

fn categorization(row: Row) -> Result<Categorization, StoreError> {
    let (id, tenant, user, model, version, category, confidence, status, created_at) = row;
    let corrupt = |what: &str| StoreError::Corrupt(format!("categorization {id}: {what}"));
    Ok(Categorization {
        transaction_id: TransactionId::from_uuid(id),
        tenant: TenantId::parse(&tenant).map_err(|_| corrupt("tenant"))?,
        user_id: UserId::from_uuid(user),
        model,
        version,
        category: CategoryId::parse(&category).map_err(|_| corrupt("category"))?,
        confidence,
        status: CategorizationStatus::parse(&status).ok_or_else(|| corrupt("status"))?,
        created_at,
    })
}

#[async_trait::async_trait]
impl<B> crate::CategorizationStore for SqlStore<B>
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
    async fn record_categorizations(&self, records: &[Categorization]) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut tx = self.write_tx().await?;
        for chunk in records.chunks(500) {
            let sql = format!(
                "INSERT INTO categorizations ({COLUMNS}) VALUES {}
                 ON CONFLICT (transaction_id) DO UPDATE SET
                    model = excluded.model, version = excluded.version,
                    category = excluded.category, confidence = excluded.confidence,
                    status = excluded.status, created_at = excluded.created_at
                 WHERE categorizations.status <> 'resolved'",
                super::placeholders::<B>(chunk.len(), 9)
            );
            let mut query = sqlx::query(&sql);
            for record in chunk {
                query = query
                    .bind(record.transaction_id.as_uuid())
                    .bind(record.tenant.to_string())
                    .bind(record.user_id.as_uuid())
                    .bind(&record.model)
                    .bind(record.version)
                    .bind(record.category.as_str())
                    .bind(record.confidence)
                    .bind(record.status.as_str())
                    .bind(record.created_at);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn categorization_of(
        &self,
        transaction: TransactionId,
    ) -> Result<Option<Categorization>, StoreError> {
        let row: Option<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM categorizations WHERE transaction_id = $1"
        ))
        .bind(transaction.as_uuid())
        .fetch_optional(self.read_pool())
        .await?;
        row.map(categorization).transpose()
    }

    async fn review_queue(
        &self,
        users: &[UserId],
        after: Option<ReviewCursor>,
        limit: u32,
    ) -> Result<Vec<Categorization>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let parameter = super::parameter::<B>;
        let list: Vec<String> = (0..users.len()).map(|n| parameter(n + 1)).collect();
        let n = users.len();
        let (after_at, after_id) =
            after.map_or((i64::MIN, Uuid::nil()), |(at, id)| (at, id.as_uuid()));
        let sql = format!(
            "SELECT {COLUMNS} FROM categorizations
             WHERE user_id IN ({}) AND status = 'review'
               AND (created_at > {} OR (created_at = {} AND transaction_id > {}))
             ORDER BY created_at, transaction_id LIMIT {}",
            list.join(", "),
            parameter(n + 1),
            parameter(n + 2),
            parameter(n + 3),
            parameter(n + 4),
        );
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for user in users {
            query = query.bind(user.as_uuid());
        }
        let rows = query
            .bind(after_at)
            .bind(after_at)
            .bind(after_id)
            .bind(i64::from(limit.clamp(1, 1000)))
            .fetch_all(self.read_pool())
            .await?;
        rows.into_iter().map(categorization).collect()
    }

    async fn resolve_categorization(&self, transaction: TransactionId) -> Result<bool, StoreError> {
        let mut tx = self.write_tx().await?;
        let updated = sqlx::query(
            "UPDATE categorizations SET status = 'resolved'
             WHERE transaction_id = $1 AND status = 'review'",
        )
        .bind(transaction.as_uuid())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(super::RowsAffected::rows_affected(&updated) > 0)
    }
}
