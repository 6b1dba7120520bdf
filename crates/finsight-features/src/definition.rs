//! Feature definitions as data: what an analyst writes in `features.toml`,
//! checked into typed views the engine computes. A view's version is part
//! of every key its values are stored under, and its fingerprint (a hash
//! of the whole definition) is registered with the offline store, so a
//! changed definition under an unchanged version is refused instead of
//! silently mixing with old values.

use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What a feature view describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    User,
    UserCategory,
    UserMerchant,
    Account,
    Asset,
    CurrencyPair,
}

impl EntityKind {
    pub const ALL: [EntityKind; 6] = [
        EntityKind::User,
        EntityKind::UserCategory,
        EntityKind::UserMerchant,
        EntityKind::Account,
        EntityKind::Asset,
        EntityKind::CurrencyPair,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::User => "user",
            EntityKind::UserCategory => "user_category",
            EntityKind::UserMerchant => "user_merchant",
            EntityKind::Account => "account",
            EntityKind::Asset => "asset",
            EntityKind::CurrencyPair => "currency_pair",
        }
    }

    pub fn parse(text: &str) -> Result<Self, DefinitionError> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == text)
            .ok_or_else(|| {
                DefinitionError::new("entity", format!("{text:?} is not an entity kind"))
            })
    }

    /// Where its events come from.
    pub fn source(self) -> Source {
        match self {
            EntityKind::Asset | EntityKind::CurrencyPair => Source::Market,
            _ => Source::Ledger,
        }
    }
}

impl fmt::Display for EntityKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Committed transactions.
    Ledger,
    /// Daily prices and FX rates (`finsight market import`).
    Market,
}

/// How the events in a window are summarised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    Sum,
    Count,
    Mean,
    /// Sample standard deviation.
    Std,
    Min,
    Max,
    /// Distinct merchants.
    DistinctCount,
    /// The value of the latest event.
    Last,
    /// Days since the latest event.
    TimeSinceLast,
    /// Days since the earliest event (merchant novelty: 0 on first sight).
    TimeSinceFirst,
    /// Mean days between consecutive events (recurring payments).
    IntervalMean,
    /// Std / mean of the days between consecutive events: near 0 is regular.
    IntervalCv,
    /// Std / mean of 30-day sums, counted back from the evaluation time
    /// (income regularity).
    MonthlyCv,
    /// Last / first - 1 over the window (asset returns, FX moves).
    Return,
    /// Std of log returns between consecutive events (daily volatility).
    Volatility,
    /// Least-squares slope of the running sum per day (balance trend).
    Trend,
}

impl Aggregation {
    /// Whether the value depends on the evaluation time itself, not only on
    /// which events are in the window (stored as a timestamp, turned into
    /// days when read).
    pub fn is_time_since(self) -> bool {
        matches!(
            self,
            Aggregation::TimeSinceLast | Aggregation::TimeSinceFirst
        )
    }
}

/// Which number of an event is aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The signed amount.
    Amount,
    /// Outflows only, as positive numbers.
    Spend,
    /// Inflows only.
    Income,
    /// A market price or rate.
    Price,
}

impl Field {
    /// The field's value for an event's signed value, or `None` when the
    /// event does not count (an inflow for `spend`).
    #[inline]
    pub fn select(self, value: i64) -> Option<i64> {
        match self {
            Field::Amount | Field::Price => Some(value),
            Field::Spend => (value < 0).then(|| value.saturating_neg()),
            Field::Income => (value > 0).then_some(value),
        }
    }
}

/// How far back a feature looks. Finite windows are `(t - w, t]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Window {
    #[serde(rename = "1h")]
    H1,
    #[serde(rename = "24h")]
    H24,
    #[serde(rename = "7d")]
    D7,
    #[serde(rename = "30d")]
    D30,
    #[serde(rename = "90d")]
    D90,
    #[serde(rename = "180d")]
    D180,
    #[serde(rename = "365d")]
    D365,
    #[serde(rename = "all")]
    All,
}

pub const MICROS_PER_SECOND: i64 = 1_000_000;
pub const MICROS_PER_DAY: i64 = 86_400 * MICROS_PER_SECOND;

impl Window {
    /// Length in microseconds; `None` for all time.
    pub fn micros(self) -> Option<i64> {
        let hours = match self {
            Window::H1 => 1,
            Window::H24 => 24,
            Window::D7 => 7 * 24,
            Window::D30 => 30 * 24,
            Window::D90 => 90 * 24,
            Window::D180 => 180 * 24,
            Window::D365 => 365 * 24,
            Window::All => return None,
        };
        Some(hours * 3_600 * MICROS_PER_SECOND)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Window::H1 => "1h",
            Window::H24 => "24h",
            Window::D7 => "7d",
            Window::D30 => "30d",
            Window::D90 => "90d",
            Window::D180 => "180d",
            Window::D365 => "365d",
            Window::All => "all",
        }
    }
}

/// Which events of the entity count.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// A category and everything under it (`dining` includes
    /// `dining.coffee`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
}

impl Filter {
    #[inline]
    pub fn admits(&self, category: Option<&str>) -> bool {
        match (&self.category, category) {
            (None, _) => true,
            (Some(_), None) => false,
            (Some(root), Some(c)) => {
                c == root
                    || (c.len() > root.len()
                        && c.starts_with(root.as_str())
                        && c.as_bytes()[root.len()] == b'.')
            }
        }
    }
}

/// How a feature is computed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FeatureKind {
    Aggregate {
        aggregation: Aggregation,
        field: Field,
        window: Window,
        filter: Filter,
    },
    /// One earlier feature of the view divided by another (null when the
    /// divisor is 0 or null).
    Ratio {
        numerator: usize,
        denominator: usize,
    },
    /// How far the latest event's value lies from the window's median, in
    /// robust standard deviations (1.4826 × MAD).
    RobustZ {
        field: Field,
        window: Window,
        filter: Filter,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Feature {
    pub name: String,
    pub kind: FeatureKind,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

impl Feature {
    /// How it is computed, in words (`sum of spend over 30d in dining`);
    /// `features` are the view's, which ratios name.
    pub fn how(&self, features: &[Feature]) -> String {
        let within = |window: &Window, filter: &Filter| {
            let category = filter
                .category
                .as_ref()
                .map(|c| format!(" in {c}"))
                .unwrap_or_default();
            format!("{}{category}", window.as_str())
        };
        match &self.kind {
            FeatureKind::Aggregate {
                aggregation,
                field,
                window,
                filter,
            } => format!(
                "{aggregation:?} of {field:?} over {}",
                within(window, filter)
            )
            .to_lowercase(),
            FeatureKind::Ratio {
                numerator,
                denominator,
            } => {
                let name = |i: &usize| features.get(*i).map_or("?", |f| f.name.as_str());
                format!("ratio {} / {}", name(numerator), name(denominator))
            }
            FeatureKind::RobustZ {
                field,
                window,
                filter,
            } => format!(
                "robust z of the latest {field:?} against {}",
                within(window, filter)
            )
            .to_lowercase(),
        }
    }

    pub fn is_time_since(&self) -> bool {
        matches!(&self.kind, FeatureKind::Aggregate { aggregation, .. } if aggregation.is_time_since())
    }

    /// The window the feature reads, if any.
    pub fn window(&self) -> Option<Window> {
        match &self.kind {
            FeatureKind::Aggregate { window, .. } | FeatureKind::RobustZ { window, .. } => {
                Some(*window)
            }
            FeatureKind::Ratio { .. } => None,
        }
    }
}

/// A named, versioned set of features of one entity kind: the unit that
/// is stored, served and looked up in one read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FeatureView {
    pub name: String,
    pub version: u32,
    pub entity: EntityKind,
    pub source: Source,
    /// An entity with no event for this long has no vector (all nulls).
    pub ttl_micros: i64,
    pub description: String,
    /// Whether `finsight features materialize` keeps its daily history
    /// (off for views of many entities, such as person x merchant, whose
    /// history training sets compute from the fact log instead).
    pub materialize: bool,
    pub features: Vec<Feature>,
}

impl FeatureView {
    /// `name:vVERSION`, the prefix of every stored key.
    pub fn key(&self) -> String {
        format!("{}:v{}", self.name, self.version)
    }

    /// Hash of the whole definition.
    pub fn fingerprint(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        hex::encode(&Sha256::digest(&json)[..16])
    }

    pub fn feature_index(&self, name: &str) -> Option<usize> {
        self.features.iter().position(|f| f.name == name)
    }

    /// The longest finite window any feature reads (events older than this
    /// only matter to all-time features).
    pub fn horizon_micros(&self) -> i64 {
        self.features
            .iter()
            .filter_map(|f| f.window()?.micros())
            .max()
            .unwrap_or(0)
    }
}

/// A definition that cannot be used: which part, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct DefinitionError {
    pub field: String,
    pub reason: String,
}

impl DefinitionError {
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// Parses a duration such as `30d`, `24h`, `15m`.
pub fn parse_duration_micros(text: &str) -> Option<i64> {
    let text = text.trim();
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let number: i64 = number.parse().ok().filter(|n| *n > 0)?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    number.checked_mul(seconds)?.checked_mul(MICROS_PER_SECOND)
}
