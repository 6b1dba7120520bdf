//! A person's spending forecasts: their spending per top-level category and
//! in total, per month (or ISO week), from their last three years, every
//! series forecast by `finsight_models::forecast` (benchmarks, ETS, Theta,
//! TSB and the global boosted trees across this person's categories, then
//! the backtest-weighted ensemble with conformal 80% / 95% intervals).
//! Amounts are in the currency most of their transactions use; the others
//! are left out.

use finsight_core::{Action, Currency, Principal, UserId, ValidationError};
use finsight_models::forecast::spending::{Granularity, Spend, TOTAL, spending_series};
use finsight_models::forecast::{Band, Method, PanelOptions, SeriesInput, forecast_panel};
use rust_decimal::Decimal;
use rust_decimal::prelude::FromPrimitive;
use time::{Date, Duration};

use crate::{ServiceError, Services};

/// How far back the series reach.
const HISTORY_DAYS: i64 = 3 * 365 + 1;

#[derive(Debug, Clone, PartialEq)]
pub struct ForecastPoint {
    /// The first day of the period.
    pub period: Date,
    pub point: Decimal,
    pub lo80: Decimal,
    pub hi80: Decimal,
    pub lo95: Decimal,
    pub hi95: Decimal,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CategoryForecast {
    /// A top-level category, or `total`.
    pub category: String,
    /// The spending of each past period, oldest first.
    pub history: Vec<(Date, Decimal)>,
    pub points: Vec<ForecastPoint>,
    /// The ensemble's members and weights.
    pub weights: Vec<(String, f64)>,
    /// The ETS model chosen, e.g. `ANN`.
    pub ets_model: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SpendingForecast {
    pub currency: Currency,
    pub granularity: Granularity,
    pub series: Vec<CategoryForecast>,
}

fn money(value: f64) -> Decimal {
    Decimal::from_f64(value).unwrap_or_default().round_dp(2)
}

impl Services {
    /// Forecasts the person's spending `horizon` periods ahead (1–12
    /// months, 4–12 weeks), for one category or all of them and the total.
    pub async fn forecasts(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        category: Option<&str>,
        horizon: u32,
        granularity: Granularity,
    ) -> Result<SpendingForecast, ServiceError> {
        let range = match granularity {
            Granularity::Monthly => 1..=12,
            Granularity::Weekly => 4..=12,
        };
        if !range.contains(&horizon) {
            return Err(ValidationError::new(
                "horizon",
                format!(
                    "must be {} to {} for {granularity:?} forecasts",
                    range.start(),
                    range.end()
                ),
            )
            .into());
        }
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        let today = self.clock.now().date();
        let transactions = self
            .history(user, today - Duration::days(HISTORY_DAYS))
            .await?;
        let currency = crate::planning::main_currency(&transactions);
        let scale = 10f64.powi(currency.minor_unit_exponent() as i32);
        // A loan account's flows mirror payments made from another account
        // (the mortgage paid from checking): counting them would count the
        // same money twice.
        let loans: Vec<finsight_core::AccountId> = self
            .store
            .accounts_of_user(user)
            .await?
            .into_iter()
            .filter(|a| a.kind == finsight_core::AccountKind::Loan)
            .map(|a| a.id)
            .collect();
        let items: Vec<Spend<'_>> = transactions
            .iter()
            .filter(|t| t.amount.currency() == currency && !loans.contains(&t.account_id))
            .map(|t| Spend {
                date: t.posted_on.date(),
                category: t.category.as_ref().map(|c| c.as_str()),
                amount: t.amount.minor_units() as f64 / scale,
            })
            .collect();
        // Complete periods only: the current one is still filling.
        let last = granularity.period_of(today) - Duration::days(1);
        let first = items.iter().map(|i| i.date).min().unwrap_or(last);
        let (periods, mut series) = spending_series(&items, granularity, first, last);
        if let Some(wanted) = category {
            series.retain(|name, _| name == wanted);
            if series.is_empty() {
                return Err(ServiceError::NotFound("category"));
            }
        }
        let names: Vec<String> = series.keys().cloned().collect();
        let phase = periods.first().map_or(0, |p| granularity.phase(*p));
        let panel: Vec<SeriesInput> = series
            .values()
            .map(|values| SeriesInput {
                values: values.clone(),
                phase,
            })
            .collect();
        let horizon = horizon as usize;
        let options = PanelOptions {
            // The global model needs a panel: one series (or a short
            // history) is forecast by the local methods alone.
            global: panel.len() >= 3 && periods.len() >= 12,
            ..PanelOptions::new(horizon, granularity.season())
        };
        let forecasts =
            tokio::task::spawn_blocking(move || forecast_panel(&panel, &options, || {}))
                .await
                .map_err(|e| ServiceError::Unavailable(format!("forecast task: {e}")))?;
        let mut future = Vec::with_capacity(horizon);
        let mut at = granularity.next(last);
        for _ in 0..horizon {
            future.push(at);
            at = granularity.next(at);
        }
        let mut out = Vec::with_capacity(names.len());
        for (name, forecast) in names.into_iter().zip(forecasts) {
            let bands: &[Band] = forecast.of(Method::Ensemble).unwrap_or(&[]);
            out.push(CategoryForecast {
                history: periods
                    .iter()
                    .zip(&series[&name])
                    .map(|(p, v)| (*p, money(*v)))
                    .collect(),
                points: future
                    .iter()
                    .zip(bands)
                    .map(|(period, b)| ForecastPoint {
                        period: *period,
                        point: money(b.point),
                        lo80: money(b.lo80),
                        hi80: money(b.hi80),
                        lo95: money(b.lo95),
                        hi95: money(b.hi95),
                    })
                    .collect(),
                weights: forecast
                    .weights
                    .iter()
                    .map(|(m, w)| (m.name().to_owned(), (w * 1000.0).round() / 1000.0))
                    .collect(),
                ets_model: forecast.ets_model.clone(),
                category: name,
            });
        }
        // The total first, then the largest categories.
        out.sort_by(|a, b| {
            (b.category == TOTAL)
                .cmp(&(a.category == TOTAL))
                .then_with(|| {
                    let sum =
                        |f: &CategoryForecast| f.history.iter().map(|(_, v)| *v).sum::<Decimal>();
                    sum(b).cmp(&sum(a))
                })
        });
        Ok(SpendingForecast {
            currency,
            granularity,
            series: out,
        })
    }
}
