//! [`ProcessorStore`](crate::ProcessorStore) on both backends: stage
//! positions, the transactions a batch names, categories and rules.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, RowsAffected, SqlStore, placeholders};

#[async_trait::async_trait]
impl<B> crate::ProcessorStore for SqlStore<B>
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
    async fn claim_partitions(
        &self,
        holder: &str,
        now: OffsetDateTime,
        ttl: time::Duration,
    ) -> Result<Vec<u16>, crate::StoreError> {
        let until = now + ttl;
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO processor_members (holder, seen_at) VALUES ($1, $2)
             ON CONFLICT (holder) DO UPDATE SET seen_at = excluded.seen_at",
        )
        .bind(holder)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM processor_members WHERE seen_at < $1")
            .bind(now - ttl)
            .execute(&mut *tx)
            .await?;
        let (members,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM processor_members")
            .fetch_one(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE processor_leases SET expires_at = $3
             WHERE holder = $1 AND expires_at >= $2",
        )
        .bind(holder)
        .bind(now)
        .bind(until)
        .execute(&mut *tx)
        .await?;
        let rows: Vec<(i32,)> = sqlx::query_as(
            "SELECT partition FROM processor_leases WHERE holder = $1 AND expires_at >= $2
             ORDER BY partition",
        )
        .bind(holder)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let mut held: Vec<u16> = rows.into_iter().map(|(p,)| p as u16).collect();
        let members = u16::try_from(members.max(1)).unwrap_or(crate::PARTITIONS);
        let share = crate::PARTITIONS.div_ceil(members);
        while held.len() > usize::from(share) {
            let extra = held.pop().unwrap_or_default();
            sqlx::query("DELETE FROM processor_leases WHERE partition = $1 AND holder = $2")
                .bind(i32::from(extra))
                .bind(holder)
                .execute(&mut *tx)
                .await?;
        }
        for partition in 0..crate::PARTITIONS {
            if held.len() >= usize::from(share) {
                break;
            }
            if held.contains(&partition) {
                continue;
            }
            let taken = sqlx::query(
                "INSERT INTO processor_leases (partition, holder, expires_at) VALUES ($1, $2, $3)
                 ON CONFLICT (partition) DO UPDATE
                 SET holder = excluded.holder, expires_at = excluded.expires_at
                 WHERE processor_leases.expires_at < $4",
            )
            .bind(i32::from(partition))
            .bind(holder)
            .bind(until)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if taken == 1 {
                held.push(partition);
            }
        }
        tx.commit().await?;
        held.sort_unstable();
        Ok(held)
    }

    async fn release_partitions(&self, holder: &str) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM processor_leases WHERE holder = $1")
            .bind(holder)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM processor_members WHERE holder = $1")
            .bind(holder)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn stage_positions(&self, stage: &str) -> Result<Vec<(u16, i64)>, crate::StoreError> {
        let rows: Vec<(i32, i64)> = sqlx::query_as(
            "SELECT partition, position FROM processor_partition_positions
             WHERE stage = $1 ORDER BY partition",
        )
        .bind(stage)
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(partition, position)| (partition as u16, position))
            .collect())
    }

    async fn save_stage_positions(
        &self,
        stage: &str,
        partitions: &[u16],
        position: i64,
        holder: &str,
        now: OffsetDateTime,
    ) -> Result<bool, crate::StoreError> {
        if partitions.is_empty() {
            return Ok(true);
        }
        let mut tx = self.write_tx().await?;
        let held: Vec<(i32,)> = sqlx::query_as(
            "SELECT partition FROM processor_leases WHERE holder = $1 AND expires_at >= $2",
        )
        .bind(holder)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        let held: Vec<u16> = held.into_iter().map(|(p,)| p as u16).collect();
        if !partitions.iter().all(|p| held.contains(p)) {
            return Ok(false);
        }
        // One statement for every partition: a round trip each would be
        // most of a batch's bookkeeping on PostgreSQL.
        let sql = format!(
            "INSERT INTO processor_partition_positions (stage, partition, position, updated_at)
             VALUES {}
             ON CONFLICT (stage, partition) DO UPDATE SET position = excluded.position,
                 updated_at = excluded.updated_at",
            placeholders::<B>(partitions.len(), 4)
        );
        let mut statement = sqlx::query(&sql);
        for partition in partitions {
            statement = statement
                .bind(stage)
                .bind(i32::from(*partition))
                .bind(position)
                .bind(now);
        }
        statement.execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn partition_outbox_after(
        &self,
        partitions: &[u16],
        after: i64,
        limit: u32,
    ) -> Result<Vec<crate::OutboxEntry>, crate::StoreError> {
        if partitions.is_empty() {
            return Ok(Vec::new());
        }
        // Every partition: no filter, the plain ordered read.
        let filter = if partitions.len() == usize::from(crate::PARTITIONS) {
            String::new()
        } else {
            let mut list = String::new();
            for (i, partition) in partitions.iter().enumerate() {
                if i > 0 {
                    list.push_str(", ");
                }
                list.push_str(&partition.to_string());
            }
            format!("AND partition IN ({list})")
        };
        let sql = format!(
            "SELECT seq, transaction_id, user_id FROM outbox
             WHERE seq > $1 {filter} ORDER BY seq LIMIT $2"
        );
        let rows: Vec<(i64, Uuid, Uuid)> = sqlx::query_as(&sql)
            .bind(after)
            .bind(i64::from(limit))
            .fetch_all(self.read_pool())
            .await?;
        Ok(rows
            .into_iter()
            .map(|(seq, transaction_id, user_id)| crate::OutboxEntry {
                seq,
                transaction_id: finsight_core::TransactionId::from_uuid(transaction_id),
                user_id: finsight_core::UserId::from_uuid(user_id),
            })
            .collect())
    }

    async fn outbox_head(&self) -> Result<i64, crate::StoreError> {
        let (head,): (Option<i64>,) = sqlx::query_as("SELECT MAX(seq) FROM outbox")
            .fetch_one(self.read_pool())
            .await?;
        Ok(head.unwrap_or(0))
    }

    async fn transactions_by_id(
        &self,
        ids: &[finsight_core::TransactionId],
    ) -> Result<Vec<finsight_core::Transaction>, crate::StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let sql = format!(
                "SELECT id, user_id, account_id, posted_on, occurred_at, amount_minor,
                        currency, description, merchant, mcc, category, category_source,
                        source, source_ref, notes
                 FROM transactions WHERE id IN ({})",
                placeholders::<B>(chunk.len(), 1)
            );
            let mut query = sqlx::query_as(&sql);
            for id in chunk {
                query = query.bind(id.as_uuid());
            }
            let mut rows: Vec<crate::rows::TransactionRow> =
                query.fetch_all(self.read_pool()).await?;
            self.reveal_rows(&mut rows).await?;
            for row in rows {
                out.push(row.try_into()?);
            }
        }
        Ok(out)
    }

    async fn apply_categories(
        &self,
        updates: &[crate::CategoryUpdate],
    ) -> Result<u64, crate::StoreError> {
        if updates.is_empty() {
            return Ok(0);
        }
        let mut tx = self.write_tx().await?;
        let mut changed = 0;
        for chunk in updates.chunks(1000) {
            let sql = format!(
                "WITH v (id, category, source, rank) AS (VALUES {})
                 UPDATE transactions SET category = v.category, category_source = v.source
                 FROM v
                 WHERE transactions.id = v.id AND {} <= v.rank
                   AND (transactions.category IS NULL OR transactions.category <> v.category
                        OR transactions.category_source <> v.source)",
                placeholders::<B>(chunk.len(), 4),
                crate::processing::SOURCE_RANK_SQL
            );
            let mut statement = sqlx::query(&sql);
            for update in chunk {
                statement = statement
                    .bind(update.transaction_id.as_uuid())
                    .bind(update.category.as_str())
                    .bind(update.source.as_str())
                    .bind(crate::processing::source_rank(update.source));
            }
            changed += statement.execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(changed)
    }

    async fn rules_of_users(
        &self,
        users: &[finsight_core::UserId],
    ) -> Result<Vec<finsight_core::CategoryRule>, crate::StoreError> {
        let mut out = Vec::new();
        for chunk in users.chunks(1000) {
            let sql = format!(
                "SELECT id, user_id, pattern, category, priority FROM category_rules
                 WHERE user_id IN ({})",
                placeholders::<B>(chunk.len(), 1)
            );
            let mut query = sqlx::query_as(&sql);
            for user in chunk {
                query = query.bind(user.as_uuid());
            }
            let rows: Vec<(Uuid, Uuid, String, String, i32)> =
                query.fetch_all(self.read_pool()).await?;
            for (id, user, pattern, category, priority) in rows {
                out.push(finsight_core::CategoryRule {
                    id,
                    user_id: finsight_core::UserId::from_uuid(user),
                    pattern,
                    category: finsight_core::CategoryId::parse(&category).map_err(|e| {
                        crate::StoreError::Corrupt(format!("category rule {id}: {e}"))
                    })?,
                    priority,
                });
            }
        }
        Ok(out)
    }

    async fn add_category_rule(
        &self,
        rule: &finsight_core::CategoryRule,
        now: OffsetDateTime,
    ) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO category_rules (id, user_id, pattern, category, priority, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(rule.id)
        .bind(rule.user_id.as_uuid())
        .bind(&rule.pattern)
        .bind(rule.category.as_str())
        .bind(rule.priority)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn delete_category_rule(
        &self,
        user: finsight_core::UserId,
        id: Uuid,
    ) -> Result<bool, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        let deleted = sqlx::query("DELETE FROM category_rules WHERE id = $1 AND user_id = $2")
            .bind(id)
            .bind(user.as_uuid())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(deleted > 0)
    }
}
