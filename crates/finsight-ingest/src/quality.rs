//! Data-quality monitoring per source and account: what was accepted,
//! duplicated and quarantined, how fresh the data is, whether the daily
//! volume is in its usual range, and whether a CSV layout changed (schema
//! drift). Computed from import runs and daily volumes, never from a scan
//! of the ledger.

use std::collections::BTreeMap;

use finsight_core::AccountId;
use finsight_store::{DailyCount, ImportRun, Store, StoreError};
use serde::Serialize;
use time::{Date, Duration, OffsetDateTime};

/// How many days of history the usual range is computed from.
pub const VOLUME_WINDOW_DAYS: i64 = 28;
/// Import runs older than this are not summed.
pub const RUN_WINDOW_DAYS: i64 = 90;

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VolumeStatus {
    Normal,
    Low,
    High,
    /// Fewer than 7 days of history.
    InsufficientHistory,
}

/// The latest day's volume against the usual range (median ± 3 scaled
/// median absolute deviations of the preceding days, zeros included).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolumeCheck {
    pub day: Option<Date>,
    pub transactions: u64,
    pub usual_low: f64,
    pub usual_high: f64,
    pub status: VolumeStatus,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SchemaDrift {
    /// The columns of the latest import.
    pub columns: Vec<String>,
    /// Columns the latest import has and the one before did not.
    pub added: Vec<String>,
    /// Columns the one before had and the latest import lacks.
    pub missing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceQuality {
    pub source: String,
    /// The account (as its id's text), when the source is per account.
    pub account_id: Option<String>,
    pub imports: u64,
    pub accepted: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_import_at: Option<OffsetDateTime>,
    pub last_posted_on: Option<Date>,
    /// Days from the newest posting date to today (freshness).
    pub days_since_last_record: Option<i64>,
    pub volume: VolumeCheck,
    pub schema: Option<SchemaDrift>,
}

type Key = (String, Option<AccountId>);

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        0.0
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// The daily counts of the window before `day`, zeros for days without
/// transactions, from the first day the source had any.
fn history_before(per_day: &BTreeMap<Date, u64>, day: Date) -> Vec<u64> {
    let first = per_day.keys().next().copied().unwrap_or(day);
    (1..=VOLUME_WINDOW_DAYS)
        .map(|back| day - Duration::days(back))
        .filter(|d| *d >= first)
        .map(|d| per_day.get(&d).copied().unwrap_or(0))
        .collect()
}

/// The usual range of daily counts and where `latest` falls in it.
pub fn volume_check(history: &[u64], latest: u64, day: Option<Date>) -> VolumeCheck {
    if history.len() < 7 {
        return VolumeCheck {
            day,
            transactions: latest,
            usual_low: 0.0,
            usual_high: 0.0,
            status: VolumeStatus::InsufficientHistory,
        };
    }
    let mut values: Vec<f64> = history.iter().map(|v| *v as f64).collect();
    let center = median(&mut values);
    let mut deviations: Vec<f64> = values.iter().map(|v| (v - center).abs()).collect();
    // 1.4826 scales the MAD to a standard deviation for normal data; the
    // floor of 1 keeps a perfectly regular source from flagging ±1.
    let spread = (1.4826 * median(&mut deviations)).max(1.0);
    let (low, high) = ((center - 3.0 * spread).max(0.0), center + 3.0 * spread);
    let value = latest as f64;
    let status = if value < low {
        VolumeStatus::Low
    } else if value > high {
        VolumeStatus::High
    } else {
        VolumeStatus::Normal
    };
    VolumeCheck {
        day,
        transactions: latest,
        usual_low: low,
        usual_high: high,
        status,
    }
}

fn drift(runs: &[&ImportRun]) -> Option<SchemaDrift> {
    let with_columns: Vec<&&ImportRun> = runs.iter().filter(|r| !r.columns.is_empty()).collect();
    let latest = with_columns.last()?;
    let previous = with_columns.len().checked_sub(2).map(|i| with_columns[i]);
    let (added, missing) = match previous {
        Some(previous) => (
            latest
                .columns
                .iter()
                .filter(|c| !previous.columns.contains(c))
                .cloned()
                .collect(),
            previous
                .columns
                .iter()
                .filter(|c| !latest.columns.contains(c))
                .cloned()
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    Some(SchemaDrift {
        columns: latest.columns.clone(),
        added,
        missing,
    })
}

/// Data quality of every source and account seen recently.
pub async fn data_quality(
    store: &dyn Store,
    now: OffsetDateTime,
) -> Result<Vec<SourceQuality>, StoreError> {
    let today = now.date();
    let runs = store
        .import_runs(now - Duration::days(RUN_WINDOW_DAYS))
        .await?;
    let counts = store
        .daily_counts(today - Duration::days(VOLUME_WINDOW_DAYS + 1))
        .await?;
    let last_posted = store.last_posted().await?;

    let mut runs_by_key: BTreeMap<Key, Vec<&ImportRun>> = BTreeMap::new();
    for run in &runs {
        runs_by_key
            .entry((run.source.clone(), run.account_id))
            .or_default()
            .push(run);
    }
    let mut counts_by_key: BTreeMap<Key, Vec<&DailyCount>> = BTreeMap::new();
    for count in &counts {
        counts_by_key
            .entry((count.source.clone(), Some(count.account_id)))
            .or_default()
            .push(count);
    }
    let last_by_key: BTreeMap<Key, Date> = last_posted
        .into_iter()
        .map(|(source, account, day)| ((source, Some(account)), day))
        .collect();
    let mut keys: Vec<Key> = runs_by_key.keys().cloned().collect();
    keys.extend(counts_by_key.keys().cloned());
    keys.sort();
    keys.dedup();

    let mut report = Vec::with_capacity(keys.len());
    for key in keys {
        let key_runs = runs_by_key.get(&key).map(Vec::as_slice).unwrap_or(&[]);
        let daily = counts_by_key.get(&key).map(Vec::as_slice).unwrap_or(&[]);
        let last_posted_on = last_by_key.get(&key).copied();
        // Volume: the latest day with data against the days before it.
        let per_day: BTreeMap<Date, u64> = daily.iter().map(|c| (c.day, c.transactions)).collect();
        let latest_day = per_day.keys().next_back().copied();
        let volume = match latest_day {
            Some(day) => volume_check(&history_before(&per_day, day), per_day[&day], Some(day)),
            None => volume_check(&[], 0, None),
        };
        report.push(SourceQuality {
            source: key.0.clone(),
            account_id: key.1.map(|a| a.to_string()),
            imports: key_runs.len() as u64,
            accepted: key_runs.iter().map(|r| r.accepted).sum(),
            duplicates: key_runs.iter().map(|r| r.duplicates).sum(),
            quarantined: key_runs.iter().map(|r| r.quarantined).sum(),
            last_import_at: key_runs.iter().map(|r| r.finished_at).max(),
            last_posted_on,
            days_since_last_record: last_posted_on.map(|d| (today - d).whole_days()),
            volume,
            schema: drift(key_runs),
        });
    }
    record_gauges(&report);
    Ok(report)
}

/// Each source and account's volume on `day` against the days before it:
/// the date-keyed work of the daily `volume-check` job (backfillable).
pub async fn volume_on(
    store: &dyn Store,
    day: Date,
) -> Result<Vec<(String, AccountId, VolumeCheck)>, StoreError> {
    let counts = store
        .daily_counts(day - Duration::days(VOLUME_WINDOW_DAYS))
        .await?;
    let mut by_key: BTreeMap<(String, AccountId), BTreeMap<Date, u64>> = BTreeMap::new();
    for count in counts.into_iter().filter(|c| c.day <= day) {
        by_key
            .entry((count.source, count.account_id))
            .or_default()
            .insert(count.day, count.transactions);
    }
    Ok(by_key
        .into_iter()
        .map(|((source, account), per_day)| {
            let latest = per_day.get(&day).copied().unwrap_or(0);
            let check = volume_check(&history_before(&per_day, day), latest, Some(day));
            (source, account, check)
        })
        .collect())
}

/// Freshness and volume as Prometheus gauges, by source (accounts would
/// make the label set unbounded).
fn record_gauges(report: &[SourceQuality]) {
    let mut stalest: BTreeMap<&str, i64> = BTreeMap::new();
    let mut anomalies: BTreeMap<&str, u64> = BTreeMap::new();
    for row in report {
        if let Some(days) = row.days_since_last_record {
            let entry = stalest.entry(&row.source).or_insert(days);
            *entry = (*entry).max(days);
        }
        let flagged = matches!(row.volume.status, VolumeStatus::Low | VolumeStatus::High);
        *anomalies.entry(&row.source).or_default() += u64::from(flagged);
    }
    for (source, days) in stalest {
        metrics::gauge!("finsight_ingest_freshness_days", "source" => source.to_owned())
            .set(days as f64);
    }
    for (source, count) in anomalies {
        metrics::gauge!("finsight_ingest_volume_anomalies", "source" => source.to_owned())
            .set(count as f64);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_ranges_flag_spikes_and_drops() {
        let history = [10, 12, 9, 11, 10, 13, 10, 11, 9, 10];
        assert_eq!(
            volume_check(&history, 11, None).status,
            VolumeStatus::Normal
        );
        assert_eq!(volume_check(&history, 60, None).status, VolumeStatus::High);
        assert_eq!(volume_check(&history, 0, None).status, VolumeStatus::Low);
        assert_eq!(
            volume_check(&history[..3], 60, None).status,
            VolumeStatus::InsufficientHistory
        );
    }
}
