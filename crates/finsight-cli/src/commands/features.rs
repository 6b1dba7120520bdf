//! `finsight features`: the declared feature views, materialization,
//! point-in-time training sets, a cold start of the online store, and one
//! entity's current vector.

use clap::Subcommand;
use finsight_features::EntityKey;
use finsight_features::training::{PointInTime, column_names, columns};
use time::Date;

use crate::app::App;

#[derive(Debug, Subcommand)]
pub enum FeaturesCommand {
    /// The feature views: entity, version, TTL and feature count.
    List,
    /// One view's features: how each is computed.
    Describe { view: String },
    /// Compute and store each view's daily history from the ledger
    /// (idempotent, resumable: finished days are skipped unless --redo).
    Materialize {
        #[arg(long, value_parser = super::parse_day)]
        from: Date,
        #[arg(long, value_parser = super::parse_day)]
        to: Date,
        /// Recompute days already materialized.
        #[arg(long)]
        redo: bool,
    },
    /// Point-in-time-correct features for rows of a CSV file
    /// (`entity_type,entity_id,event_timestamp`), written as Parquet or CSV
    /// by the extension of --out.
    TrainingSet {
        /// CSV with a header `entity_type,entity_id,event_timestamp`
        /// (RFC 3339, or YYYY-MM-DD for the start of that day, UTC).
        #[arg(long, value_name = "FILE")]
        entities: std::path::PathBuf,
        /// Comma-separated `view.feature` names or whole `view`s.
        #[arg(long, value_name = "LIST")]
        features: String,
        /// `.parquet` or `.csv`.
        #[arg(long, value_name = "FILE")]
        out: std::path::PathBuf,
        /// Leave out what Finsight learned of only after each row's time
        /// (by default every event that happened by then counts).
        #[arg(long)]
        as_known: bool,
    },
    /// Rebuild the online store from the database (a cold start).
    Rebuild,
    /// One entity's current vector of every view of its kind.
    Get {
        /// user, user_category, user_merchant, account, asset, currency_pair.
        entity_type: String,
        entity_id: String,
    },
}

pub async fn run(app: &App, command: FeaturesCommand) -> anyhow::Result<()> {
    let features = &app.features;
    let set = &features.set;
    match command {
        FeaturesCommand::List => {
            say!(
                "{:<26} {:>7} {:<14} {:>6} {:>8}  description",
                "view",
                "version",
                "entity",
                "ttl",
                "features"
            );
            for view in set.views() {
                say!(
                    "{:<26} {:>7} {:<14} {:>5}d {:>8}  {}",
                    view.name,
                    view.version,
                    view.entity.as_str(),
                    view.ttl_micros / finsight_features::definition::MICROS_PER_DAY,
                    view.features.len(),
                    view.description
                );
            }
        }
        FeaturesCommand::Describe { view } => {
            let view = set.registry().view(&view).ok_or_else(|| {
                anyhow::anyhow!(
                    "view: {view:?} is not a feature view (see `finsight features list`)"
                )
            })?;
            say!(
                "{} v{} ({}; fingerprint {})",
                view.name,
                view.version,
                view.entity,
                view.fingerprint()
            );
            if !view.description.is_empty() {
                say!("{}", view.description);
            }
            for feature in &view.features {
                let how = feature.how(&view.features);
                say!("  {:<24} {how:<48} {}", feature.name, feature.description);
            }
        }
        FeaturesCommand::Materialize { from, to, redo } => {
            anyhow::ensure!(from <= to, "from: must not be after to");
            let days = (to - from).whole_days() as u64 + 1;
            let bar = crate::load::progress_bar(days, "materializing", "days");
            let started = std::time::Instant::now();
            let report = features
                .materialize(app.store.as_ref(), from, to, redo, |_| bar.inc(1))
                .await?;
            bar.finish_and_clear();
            say!(
                "materialized {} days ({} already done) in {:.1} s: {} snapshots, {} facts backfilled from the ledger",
                report.days,
                report.days_skipped,
                started.elapsed().as_secs_f64(),
                report.snapshots,
                report.facts_backfilled
            );
        }
        FeaturesCommand::TrainingSet {
            entities,
            features: list,
            out,
            as_known,
        } => {
            let names: Vec<String> = list
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect();
            anyhow::ensure!(
                !names.is_empty(),
                "features: name at least one view or view.feature"
            );
            let resolved = set
                .registry()
                .resolve(&names)
                .map_err(|e| anyhow::anyhow!("features: {e}"))?;
            let columns = columns(set, &resolved);
            let rows = super::training_set::read_entities(&entities)?;
            let bar = crate::load::progress_bar(rows.len() as u64, "building", "rows");
            let mode = if as_known {
                PointInTime::AsKnown
            } else {
                PointInTime::EventTime
            };
            let values = features
                .training_set(&rows, &columns, mode, |n| bar.inc(n as u64))
                .await?;
            bar.finish_and_clear();
            super::training_set::write(&out, &column_names(set, &columns), &rows, &values)?;
            say!(
                "wrote {} rows x {} features to {}",
                rows.len(),
                columns.len(),
                out.display()
            );
        }
        FeaturesCommand::Rebuild => {
            let entities = features.rebuild_online().await?;
            say!(
                "online store ({}) rebuilt: {entities} entities",
                features.online.kind()
            );
        }
        FeaturesCommand::Get {
            entity_type,
            entity_id,
        } => {
            let entity =
                EntityKey::parse(&entity_type, &entity_id).map_err(|e| anyhow::anyhow!("{e}"))?;
            app.warm_features().await?;
            let now = finsight_features::event::micros(app.clock.now());
            for &view in set.views_of(entity.kind) {
                let vector = features
                    .online
                    .lookup(view, std::slice::from_ref(&entity), now)
                    .await?
                    .remove(0);
                let definition = &set.views()[view];
                say!("{} v{}", definition.name, definition.version);
                match vector {
                    None => say!("  (no vector: unknown entity, or nothing within the TTL)"),
                    Some(values) => {
                        for (feature, value) in definition.features.iter().zip(values) {
                            say!(
                                "  {:<24} {}",
                                feature.name,
                                value.map_or("null".into(), |v| format!("{v:.4}"))
                            );
                        }
                    }
                }
            }
        }
    }
    Ok(())
}
