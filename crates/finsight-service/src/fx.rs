//! Amounts in another currency at the day's rate, from the FX closes in
//! the feature store's market data (`finsight market import`): a pair's
//! own close (`EUR-USD`: 1 EUR in USD) or its inverse.

use std::collections::BTreeMap;

use finsight_core::{CategoryId, Currency, Money, Principal, UserId, ValidationError};
use finsight_features::{EntityKey, EntityKind};
use finsight_store::CategoryMonthTotal;
use rust_decimal::Decimal;
use time::Date;

use crate::{ServiceError, Services};

impl Services {
    /// How many `to` one `from` was worth at the last close on or before
    /// `day`, if the market data has the pair either way round.
    pub async fn fx_rate(
        &self,
        from: Currency,
        to: Currency,
        day: Date,
    ) -> Result<Option<Decimal>, ServiceError> {
        if from == to {
            return Ok(Some(Decimal::ONE));
        }
        let pair = |a: Currency, b: Currency| {
            EntityKey::new(
                EntityKind::CurrencyPair,
                format!("{}-{}", a.code(), b.code()),
            )
        };
        if let Some(close) = self
            .store
            .market_facts_of(&pair(from, to), day)
            .await?
            .last()
        {
            return Ok(Some(close.close));
        }
        Ok(self
            .store
            .market_facts_of(&pair(to, from), day)
            .await?
            .last()
            .filter(|inverse| !inverse.close.is_zero())
            .map(|inverse| Decimal::ONE / inverse.close))
    }

    /// Monthly totals with every currency converted into `currency` at the
    /// rate of each month's last day (or the last close before it).
    pub async fn monthly_totals_in(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        from: Date,
        until: Date,
        currency: Currency,
    ) -> Result<Vec<CategoryMonthTotal>, ServiceError> {
        let totals = self.monthly_totals(principal, user, from, until).await?;
        let mut converted: BTreeMap<(Date, CategoryId), (Decimal, u64)> = BTreeMap::new();
        let mut rates: BTreeMap<(Currency, Date), Decimal> = BTreeMap::new();
        for total in totals {
            let month_end = total
                .month
                .replace_day(total.month.month().length(total.month.year()))
                .map_err(|e| ServiceError::Invalid(ValidationError::new("from", e.to_string())))?;
            let source = total.total.currency();
            let rate = match rates.get(&(source, month_end)) {
                Some(rate) => *rate,
                None => {
                    let rate = self.fx_rate(source, currency, month_end).await?.ok_or_else(|| {
                        ValidationError::new(
                            "currency",
                            format!("no {}/{} rate on or before {month_end}; import one with `finsight market import`", source.code(), currency.code()),
                        )
                    })?;
                    rates.insert((source, month_end), rate);
                    rate
                }
            };
            let entry = converted.entry((total.month, total.category)).or_default();
            entry.0 += total.total.amount() * rate;
            entry.1 += total.count;
        }
        converted
            .into_iter()
            .map(|((month, category), (amount, count))| {
                let amount = amount.round_dp(currency.minor_unit_exponent());
                Ok(CategoryMonthTotal {
                    month,
                    category,
                    total: Money::new(amount, currency)?,
                    count,
                })
            })
            .collect()
    }
}
