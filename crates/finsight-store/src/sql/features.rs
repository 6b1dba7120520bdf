//! [`FeatureStore`](crate::FeatureStore) on both backends: the same SQL,
//! built per batch with the backend's parameter style.

use finsight_features::market::MarketReject;
use finsight_features::{EntityKey, EntityKind, FactFilter, LedgerFact, MarketFact};
use rust_decimal::Decimal;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Row, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, RowsAffected, SqlStore, placeholders};
use crate::{FactCursor, FeatureSnapshot, StoreError};

/// Rows per multi-row statement (8 columns: well under both backends'
/// parameter limits).
const CHUNK: usize = 1000;

const FACT_COLUMNS: &str =
    "seq, transaction_id, user_id, account_id, category, merchant, event_at, created_at, value";

type FactRow = (
    i64,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    i64,
    i64,
);

fn fact_of(row: FactRow) -> LedgerFact {
    let (seq, id, user, account, category, merchant, at, created_at, value) = row;
    LedgerFact {
        seq,
        id,
        user,
        account,
        category,
        merchant,
        at,
        created_at,
        value,
    }
}

type MarketRow = (String, String, String, String, Option<String>, i64);

fn market_of(row: MarketRow) -> Result<MarketFact, StoreError> {
    let (kind, id, day, close, currency, created_at) = row;
    let corrupt =
        |what: &str| StoreError::Corrupt(format!("market_prices {what} of {kind}:{id} {day}"));
    Ok(MarketFact {
        entity: EntityKey::new(
            EntityKind::parse(&kind).map_err(|_| corrupt("kind"))?,
            id.clone(),
        ),
        day: parse_day(&day).ok_or_else(|| corrupt("day"))?,
        close: close.parse::<Decimal>().map_err(|_| corrupt("close"))?,
        currency,
        created_at,
    })
}

fn parse_day(text: &str) -> Option<Date> {
    Date::parse(
        text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .ok()
}

/// Marks which of `ids` came back from an `INSERT … RETURNING`.
fn new_flags(ids: impl Iterator<Item = String>, inserted: Vec<String>) -> Vec<bool> {
    let inserted: std::collections::HashSet<String> = inserted.into_iter().collect();
    ids.map(|id| inserted.contains(&id)).collect()
}

#[async_trait::async_trait]
impl<B> crate::FeatureStore for SqlStore<B>
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
    async fn register_feature_view(
        &self,
        name: &str,
        version: u32,
        fingerprint: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        let version = i64::from(version);
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO feature_views (name, version, fingerprint, registered_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT (name, version) DO NOTHING",
        )
        .bind(name)
        .bind(version)
        .bind(fingerprint)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        let (stored,): (String,) = sqlx::query_as(
            "SELECT fingerprint FROM feature_views WHERE name = $1 AND version = $2",
        )
        .bind(name)
        .bind(version)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        if stored != fingerprint {
            return Err(StoreError::Invalid(finsight_core::ValidationError::new(
                "features",
                format!(
                    "feature view {name} v{version} was registered with another definition; \
                     bump its version so old and new values never mix"
                ),
            )));
        }
        Ok(())
    }

    async fn append_ledger_facts(&self, facts: &[LedgerFact]) -> Result<Vec<bool>, StoreError> {
        self.backend.append_facts(facts).await
    }

    async fn logged_fact_seqs(&self, seqs: &[i64]) -> Result<Vec<i64>, StoreError> {
        let mut logged = Vec::new();
        for chunk in seqs.chunks(CHUNK) {
            let sql = format!(
                "SELECT seq FROM feature_facts WHERE seq IN ({}) ORDER BY seq",
                placeholders::<B>(chunk.len(), 1)
            );
            let mut query = sqlx::query_scalar::<_, i64>(&sql);
            for seq in chunk {
                query = query.bind(*seq);
            }
            logged.extend(query.fetch_all(self.read_pool()).await?);
        }
        Ok(logged)
    }

    async fn ledger_facts_of(
        &self,
        entity: FactFilter<'_>,
        until_at: i64,
    ) -> Result<Vec<LedgerFact>, StoreError> {
        let (condition, first, second) = match entity {
            FactFilter::User(user) => ("user_id = $2", user, None),
            FactFilter::Account(account) => ("account_id = $2", account, None),
            FactFilter::UserCategory(user, category) => {
                ("user_id = $2 AND category = $3", user, Some(category))
            }
            FactFilter::UserMerchant(user, merchant) => {
                ("user_id = $2 AND merchant = $3", user, Some(merchant))
            }
        };
        // Parameters appear in the order of their numbers: SQLite numbers
        // `$N` parameters by first appearance.
        let sql = format!(
            "SELECT {FACT_COLUMNS} FROM feature_facts WHERE event_at <= $1 AND {condition}
             ORDER BY event_at, seq"
        );
        let mut query = sqlx::query_as::<_, FactRow>(&sql)
            .bind(until_at)
            .bind(first);
        if let Some(second) = second {
            query = query.bind(second);
        }
        let rows = query.fetch_all(self.read_pool()).await?;
        Ok(rows.into_iter().map(fact_of).collect())
    }

    async fn ledger_facts_between(
        &self,
        from_at: i64,
        to_at: i64,
        after: Option<FactCursor>,
        limit: u32,
    ) -> Result<Vec<LedgerFact>, StoreError> {
        let rows = sqlx::query_as::<_, FactRow>(&format!(
            "SELECT {FACT_COLUMNS} FROM feature_facts
             WHERE seq > $1 AND event_at >= $2 AND event_at <= $3
             ORDER BY seq LIMIT $4"
        ))
        .bind(after.unwrap_or(i64::MIN))
        .bind(from_at)
        .bind(to_at)
        .bind(i64::from(limit))
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows.into_iter().map(fact_of).collect())
    }

    async fn append_market_facts(&self, facts: &[MarketFact]) -> Result<Vec<bool>, StoreError> {
        let mut flags = Vec::with_capacity(facts.len());
        let mut tx = self.write_tx().await?;
        for chunk in facts.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO market_prices (entity_kind, entity_id, day, close, currency, created_at)
                 VALUES {} ON CONFLICT (entity_kind, entity_id, day) DO NOTHING
                 RETURNING entity_kind || ':' || entity_id || '@' || day",
                placeholders::<B>(chunk.len(), 6)
            );
            let mut query = sqlx::query_scalar::<_, String>(&sql);
            for f in chunk {
                query = query
                    .bind(f.entity.kind.as_str())
                    .bind(f.entity.id.as_str())
                    .bind(f.day.to_string())
                    .bind(f.close.to_string())
                    .bind(f.currency.as_deref())
                    .bind(f.created_at);
            }
            let inserted = query.fetch_all(&mut *tx).await?;
            flags.extend(new_flags(
                chunk.iter().map(|f| format!("{}@{}", f.entity, f.day)),
                inserted,
            ));
        }
        tx.commit().await?;
        Ok(flags)
    }

    async fn market_facts_of(
        &self,
        entity: &EntityKey,
        until: Date,
    ) -> Result<Vec<MarketFact>, StoreError> {
        let rows = sqlx::query_as::<_, MarketRow>(
            "SELECT entity_kind, entity_id, day, close, currency, created_at FROM market_prices
             WHERE entity_kind = $1 AND entity_id = $2 AND day <= $3 ORDER BY day",
        )
        .bind(entity.kind.as_str())
        .bind(entity.id.as_str())
        .bind(until.to_string())
        .fetch_all(self.read_pool())
        .await?;
        rows.into_iter().map(market_of).collect()
    }

    async fn market_facts_between(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<MarketFact>, StoreError> {
        let rows = sqlx::query_as::<_, MarketRow>(
            "SELECT entity_kind, entity_id, day, close, currency, created_at FROM market_prices
             WHERE day >= $1 AND day <= $2 ORDER BY entity_kind, entity_id, day",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.read_pool())
        .await?;
        rows.into_iter().map(market_of).collect()
    }

    async fn save_feature_snapshots(
        &self,
        snapshots: &[FeatureSnapshot],
    ) -> Result<u64, StoreError> {
        let mut written = 0;
        let mut tx = self.write_tx().await?;
        for chunk in snapshots.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO feature_snapshots (view_key, entity_kind, entity_id, as_of, created_at, vector)
                 VALUES {} ON CONFLICT (view_key, entity_kind, entity_id, as_of)
                 DO UPDATE SET created_at = excluded.created_at, vector = excluded.vector",
                placeholders::<B>(chunk.len(), 6)
            );
            let mut query = sqlx::query(&sql);
            for s in chunk {
                let vector = serde_json::to_string(&s.values)
                    .map_err(|e| StoreError::Corrupt(format!("feature vector: {e}")))?;
                query = query
                    .bind(s.view_key.as_str())
                    .bind(s.entity.kind.as_str())
                    .bind(s.entity.id.as_str())
                    .bind(s.as_of)
                    .bind(s.created_at)
                    .bind(vector);
            }
            written += query.execute(&mut *tx).await?.rows_affected();
        }
        tx.commit().await?;
        Ok(written)
    }

    async fn feature_snapshots(
        &self,
        view_key: &str,
        entity: &EntityKey,
        limit: u32,
    ) -> Result<Vec<FeatureSnapshot>, StoreError> {
        let rows = sqlx::query(
            "SELECT as_of, created_at, vector FROM feature_snapshots
             WHERE view_key = $1 AND entity_kind = $2 AND entity_id = $3
             ORDER BY as_of DESC LIMIT $4",
        )
        .bind(view_key)
        .bind(entity.kind.as_str())
        .bind(entity.id.as_str())
        .bind(i64::from(limit))
        .fetch_all(self.read_pool())
        .await?;
        rows.into_iter()
            .map(|row| {
                let vector: String = row.try_get(2)?;
                Ok(FeatureSnapshot {
                    view_key: view_key.to_owned(),
                    entity: entity.clone(),
                    as_of: row.try_get(0)?,
                    created_at: row.try_get(1)?,
                    values: serde_json::from_str(&vector).map_err(|e| {
                        StoreError::Corrupt(format!("feature snapshot of {entity}: {e}"))
                    })?,
                })
            })
            .collect()
    }

    async fn quarantine_market_rows(
        &self,
        source: &str,
        rejects: &[MarketReject],
        now: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        for chunk in rejects.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO market_quarantine (source, line, raw, field, reason, created_at)
                 VALUES {} ON CONFLICT (source, line) DO UPDATE SET raw = excluded.raw,
                 field = excluded.field, reason = excluded.reason, created_at = excluded.created_at",
                placeholders::<B>(chunk.len(), 6)
            );
            let mut query = sqlx::query(&sql);
            for r in chunk {
                query = query
                    .bind(source)
                    .bind(i64::try_from(r.line).unwrap_or(i64::MAX))
                    .bind(r.raw.as_str())
                    .bind(r.field)
                    .bind(r.reason.as_str())
                    .bind(now);
            }
            query.execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn market_quarantine(
        &self,
        limit: u32,
    ) -> Result<Vec<(String, MarketReject)>, StoreError> {
        let rows: Vec<(String, i64, String, String, String)> = sqlx::query_as(
            "SELECT source, line, raw, field, reason FROM market_quarantine
             ORDER BY created_at DESC, source, line LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(self.read_pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|(source, line, raw, field, reason)| {
                let field: &'static str = match field.as_str() {
                    "date" => "date",
                    "symbol" => "symbol",
                    "close" => "close",
                    "currency" => "currency",
                    _ => "row",
                };
                (
                    source,
                    MarketReject {
                        line: u64::try_from(line).unwrap_or(0),
                        raw,
                        field,
                        reason,
                    },
                )
            })
            .collect())
    }

    async fn mark_features_materialized(&self, day: Date, now: i64) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO feature_materialized_days (day, finished_at) VALUES ($1, $2)
             ON CONFLICT (day) DO UPDATE SET finished_at = excluded.finished_at",
        )
        .bind(day.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn features_materialized_days(
        &self,
        from: Date,
        to: Date,
    ) -> Result<Vec<Date>, StoreError> {
        let days: Vec<String> = sqlx::query_scalar(
            "SELECT day FROM feature_materialized_days WHERE day >= $1 AND day <= $2 ORDER BY day",
        )
        .bind(from.to_string())
        .bind(to.to_string())
        .fetch_all(self.read_pool())
        .await?;
        days.iter()
            .map(|d| {
                parse_day(d).ok_or_else(|| StoreError::Corrupt(format!("materialized day {d:?}")))
            })
            .collect()
    }
}
