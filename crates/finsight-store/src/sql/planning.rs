//! [`PlanningStore`](crate::PlanningStore) on both backends.

use finsight_core::UserId;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, SqlStore};
use crate::StoreError;
use crate::planning::{BudgetLineRow, DayTotal, GoalRow, InsightAnswerCount, InsightAnswerRow};

const LINE_COLUMNS: &str =
    "user_id, category, amount_minor, currency, rollover, group_name, position, updated_at";
type LineTuple = (Uuid, String, i64, String, bool, String, i32, i64);

const GOAL_COLUMNS: &str =
    "id, user_id, name, target_minor, saved_minor, currency, target_date, created_at, updated_at";
type GoalTuple = (Uuid, Uuid, String, i64, i64, String, Date, i64, i64);

fn line(
    (user, category, amount_minor, currency, rollover, group_name, position, updated_at): LineTuple,
) -> BudgetLineRow {
    BudgetLineRow {
        user_id: UserId::from_uuid(user),
        category,
        amount_minor,
        currency,
        rollover,
        group_name,
        position,
        updated_at,
    }
}

fn goal(
    (id, user, name, target_minor, saved_minor, currency, target_date, created_at, updated_at): GoalTuple,
) -> GoalRow {
    GoalRow {
        id,
        user_id: UserId::from_uuid(user),
        name,
        target_minor,
        saved_minor,
        currency,
        target_date,
        created_at,
        updated_at,
    }
}

#[async_trait::async_trait]
impl<B> crate::PlanningStore for SqlStore<B>
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
    async fn day_totals(
        &self,
        users: &[UserId],
        from: Date,
        until: Date,
    ) -> Result<Vec<DayTotal>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let n = users.len();
        let list = super::parameter_list::<B>(n);
        let sql = format!(
            "SELECT user_id, posted_on, COALESCE(category, 'uncategorized'), currency,
                    CAST(SUM(amount_minor) AS BIGINT)
             FROM transactions
             WHERE user_id IN ({list}) AND posted_on >= {} AND posted_on < {}
             GROUP BY user_id, posted_on, 3, currency
             ORDER BY user_id, posted_on, 3, currency",
            super::parameter::<B>(n + 1),
            super::parameter::<B>(n + 2)
        );
        let mut query = sqlx::query_as::<_, (Uuid, Date, String, String, i64)>(&sql);
        for user in users {
            query = query.bind(user.as_uuid());
        }
        Ok(query
            .bind(from)
            .bind(until)
            .fetch_all(self.read_pool())
            .await?
            .into_iter()
            .map(
                |(user, posted_on, category, currency, total_minor)| DayTotal {
                    user_id: UserId::from_uuid(user),
                    posted_on,
                    category,
                    currency,
                    total_minor,
                },
            )
            .collect())
    }

    async fn budget_lines(&self, users: &[UserId]) -> Result<Vec<BudgetLineRow>, StoreError> {
        if users.is_empty() {
            return Ok(Vec::new());
        }
        let list = super::parameter_list::<B>(users.len());
        let sql = format!(
            "SELECT {LINE_COLUMNS} FROM budget_lines WHERE user_id IN ({list})
             ORDER BY user_id, group_name, position, category"
        );
        let mut query = sqlx::query_as::<_, LineTuple>(&sql);
        for user in users {
            query = query.bind(user.as_uuid());
        }
        Ok(query
            .fetch_all(self.read_pool())
            .await?
            .into_iter()
            .map(line)
            .collect())
    }

    async fn replace_budget(
        &self,
        user: UserId,
        lines: &[BudgetLineRow],
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query("DELETE FROM budget_lines WHERE user_id = $1")
            .bind(user.as_uuid())
            .execute(&mut *tx)
            .await?;
        for l in lines {
            sqlx::query(&format!(
                "INSERT INTO budget_lines ({LINE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
            ))
            .bind(user.as_uuid())
            .bind(&l.category)
            .bind(l.amount_minor)
            .bind(&l.currency)
            .bind(l.rollover)
            .bind(&l.group_name)
            .bind(l.position)
            .bind(l.updated_at)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn goals(&self, user: UserId) -> Result<Vec<GoalRow>, StoreError> {
        let rows: Vec<GoalTuple> = sqlx::query_as(&format!(
            "SELECT {GOAL_COLUMNS} FROM goals WHERE user_id = $1 ORDER BY created_at, id"
        ))
        .bind(user.as_uuid())
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows.into_iter().map(goal).collect())
    }

    async fn goal(&self, id: Uuid) -> Result<Option<GoalRow>, StoreError> {
        let row: Option<GoalTuple> =
            sqlx::query_as(&format!("SELECT {GOAL_COLUMNS} FROM goals WHERE id = $1"))
                .bind(id)
                .fetch_optional(self.read_pool())
                .await?;
        Ok(row.map(goal))
    }

    async fn save_goal(&self, g: &GoalRow) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(&format!(
            "INSERT INTO goals ({GOAL_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name,
                target_minor = excluded.target_minor, saved_minor = excluded.saved_minor,
                currency = excluded.currency, target_date = excluded.target_date,
                updated_at = excluded.updated_at"
        ))
        .bind(g.id)
        .bind(g.user_id.as_uuid())
        .bind(&g.name)
        .bind(g.target_minor)
        .bind(g.saved_minor)
        .bind(&g.currency)
        .bind(g.target_date)
        .bind(g.created_at)
        .bind(g.updated_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insight_answers(&self, user: UserId) -> Result<Vec<InsightAnswerRow>, StoreError> {
        let rows: Vec<(Uuid, String, String, String, Option<i64>, i64)> = sqlx::query_as(
            "SELECT user_id, insight_key, kind, response, until, answered_at
             FROM insight_answers WHERE user_id = $1 ORDER BY answered_at, insight_key",
        )
        .bind(user.as_uuid())
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(
                |(user, insight_key, kind, response, until, answered_at)| InsightAnswerRow {
                    user_id: UserId::from_uuid(user),
                    insight_key,
                    kind,
                    response,
                    until,
                    answered_at,
                },
            )
            .collect())
    }

    async fn record_insight_answer(&self, a: &InsightAnswerRow) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO insight_answers (user_id, insight_key, kind, response, until, answered_at)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (user_id, insight_key) DO UPDATE SET kind = excluded.kind,
                response = excluded.response, until = excluded.until,
                answered_at = excluded.answered_at",
        )
        .bind(a.user_id.as_uuid())
        .bind(&a.insight_key)
        .bind(&a.kind)
        .bind(&a.response)
        .bind(a.until)
        .bind(a.answered_at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn insight_answer_counts(&self) -> Result<Vec<InsightAnswerCount>, StoreError> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT kind, response, COUNT(*) FROM insight_answers
             GROUP BY kind, response ORDER BY kind, response",
        )
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(kind, response, count)| InsightAnswerCount {
                kind,
                response,
                count,
            })
            .collect())
    }
}
