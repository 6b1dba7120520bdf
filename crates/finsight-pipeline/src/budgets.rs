//! The budget stage, after the anomaly stage: every committed spending
//! transaction of the current month moves its person's spent-to-date for
//! the budget lines it falls under; crossing 80% or 100% of what is
//! available, or a month-end projection at the current pace passing it,
//! raises a budget alert — stored once (its id is derived from the person,
//! line, month and level) and announced on the same live stream as
//! anomalies.

use std::collections::HashMap;
use std::sync::Arc;

use finsight_core::{CategoryId, Clock, Currency, Money, Transaction, UserId};
use finsight_planning::tracking::{
    self, Level, LineStatus, MonthPosition, month_start, previous_month_start,
};
use finsight_store::{Alert, AlertReason, AlertSink, BudgetLineRow, DayTotal, Store};
use rust_decimal::Decimal;
use time::Date;
use uuid::Uuid;

use crate::{ProcessorError, Stage, StageBatch};

/// The kind of alert this stage raises.
pub const BUDGET: &str = "budget";

/// A budget alert's id: the same person, line, month and level name the
/// same alert, however often a batch is replayed.
pub fn budget_alert_id(user: UserId, category: &str, month: Date, level: &str) -> Uuid {
    Uuid::new_v5(
        &user.as_uuid(),
        format!("budget:{category}:{month}:{level}").as_bytes(),
    )
}

pub struct TrackBudgets {
    store: Arc<dyn Store>,
    sink: Arc<dyn AlertSink>,
    clock: Arc<dyn Clock>,
}

impl TrackBudgets {
    pub fn new(store: Arc<dyn Store>, sink: Arc<dyn AlertSink>, clock: Arc<dyn Clock>) -> Self {
        Self { store, sink, clock }
    }
}

/// What a transaction adds to a line's spending (a refund takes away);
/// without a category it counts as `uncategorized`, as the ledger's totals
/// count it.
fn spend_of(t: &Transaction, category: Option<&CategoryId>, line: &BudgetLineRow) -> Decimal {
    let category = category.map_or("uncategorized", |c| c.as_str());
    let within = CategoryId::parse(category)
        .is_ok_and(|c| CategoryId::parse(&line.category).is_ok_and(|l| c.is_within(&l)));
    if within && t.amount.currency().code() == line.currency {
        -t.amount.amount()
    } else {
        Decimal::ZERO
    }
}

/// The spending in a line's categories and currency over the months
/// `when` picks.
fn line_total(totals: &[DayTotal], line: &BudgetLineRow, when: impl Fn(Date) -> bool) -> Decimal {
    let (Ok(within), Ok(currency)) = (
        CategoryId::parse(&line.category),
        Currency::parse(&line.currency),
    ) else {
        return Decimal::ZERO;
    };
    let minor: i64 = totals
        .iter()
        .filter(|t| when(t.posted_on) && t.currency == line.currency)
        .filter(|t| CategoryId::parse(&t.category).is_ok_and(|c| c.is_within(&within)))
        .map(|t| t.total_minor)
        .sum();
    Money::from_minor(-minor, currency).map_or(Decimal::ZERO, |m| m.amount())
}

fn reason(name: &str, line: &LineStatus, currency: &str, at: MonthPosition) -> String {
    AlertReason::to_json(&[AlertReason {
        reason: name.to_owned(),
        text: tracking::alert_text(line, currency, at),
        weight: 1.0,
    }])
}

#[async_trait::async_trait]
impl Stage for TrackBudgets {
    fn name(&self) -> &'static str {
        "budgets"
    }

    async fn process(&self, batch: &mut StageBatch) -> Result<(), ProcessorError> {
        let now = self.clock.now();
        let today = now.date();
        let month = month_start(today);
        let at = MonthPosition::of(today);
        let mut users: Vec<UserId> = batch
            .items
            .iter()
            .filter(|i| {
                i.transaction.posted_on.date() >= month && i.transaction.amount.is_negative()
            })
            .map(|i| i.transaction.user_id)
            .collect();
        users.sort_unstable_by_key(|u| u.as_uuid());
        users.dedup();
        let mut lines: HashMap<UserId, Vec<BudgetLineRow>> = HashMap::new();
        for line in self.store.budget_lines(&users).await? {
            lines.entry(line.user_id).or_default().push(line);
        }
        let created_at = (now.unix_timestamp_nanos() / 1_000_000) as i64;
        let mut alerts = Vec::new();
        // The people whose batch moves a line this month: their ledger
        // totals, in one query.
        let touched: Vec<UserId> = lines
            .iter()
            .filter(|(user, lines)| {
                batch.items.iter().any(|i| {
                    i.transaction.user_id == **user
                        && i.transaction.posted_on.date() >= month
                        && lines
                            .iter()
                            .any(|l| !spend_of(&i.transaction, i.category(), l).is_zero())
                })
            })
            .map(|(user, _)| *user)
            .collect();
        let next_month =
            month + time::Duration::days(i64::from(month.month().length(month.year())));
        // Last month matters only to lines that roll over.
        let from = if touched.iter().any(|u| lines[u].iter().any(|l| l.rollover)) {
            previous_month_start(today)
        } else {
            month
        };
        let mut totals: HashMap<UserId, Vec<DayTotal>> = HashMap::new();
        for total in self.store.day_totals(&touched, from, next_month).await? {
            totals.entry(total.user_id).or_default().push(total);
        }
        for user in &touched {
            let lines = &lines[user];
            let totals = totals.get(user).map_or(&[][..], Vec::as_slice);
            let mine: Vec<_> = batch
                .items
                .iter()
                .filter(|i| i.transaction.user_id == *user)
                .collect();
            // The ledger's totals include this batch under the categories
            // it was committed with: taken out, then the batch is added one
            // transaction at a time under the categories this run gave it.
            for line in lines {
                let Ok(currency) = Currency::parse(&line.currency) else {
                    continue;
                };
                let Ok(money) = Money::from_minor(line.amount_minor, currency) else {
                    continue;
                };
                // Shown to the currency's places in the alert's words.
                let mut amount = money.amount();
                amount.rescale(currency.minor_unit_exponent());
                let last_month = line_total(totals, line, |d| d < month);
                let (available, carried) = tracking::available(amount, line.rollover, last_month);
                let mut spent = line_total(totals, line, |d| d >= month)
                    - mine
                        .iter()
                        .filter(|i| i.transaction.posted_on.date() >= month)
                        .map(|i| spend_of(&i.transaction, i.transaction.category.as_ref(), line))
                        .sum::<Decimal>();
                let mut projected_over =
                    tracking::status(&line.category, amount, carried, spent, at).projected_overrun;
                for item in &mine {
                    let t = &item.transaction;
                    if t.posted_on.date() < month {
                        continue;
                    }
                    let add = spend_of(t, item.category(), line);
                    if add.is_zero() {
                        continue;
                    }
                    let before = spent;
                    spent += add;
                    let status = tracking::status(&line.category, amount, carried, spent, at);
                    let (name, level) = match tracking::crossed(before, spent, available) {
                        Some(Level::Over) => ("budget_100", "100"),
                        Some(_) => ("budget_80", "80"),
                        None if status.projected_overrun && !projected_over => {
                            ("budget_pace", "pace")
                        }
                        None => {
                            projected_over = status.projected_overrun;
                            continue;
                        }
                    };
                    projected_over = status.projected_overrun;
                    alerts.push(Alert {
                        id: budget_alert_id(*user, &line.category, month, level),
                        user_id: *user,
                        transaction_id: Some(t.id),
                        kind: BUDGET.to_owned(),
                        score: status.ratio,
                        threshold: match level {
                            "100" => 1.0,
                            "80" => 0.8,
                            _ => 1.0,
                        },
                        reasons: reason(name, &status, &line.currency, at),
                        created_at,
                        feedback: None,
                        feedback_at: None,
                    });
                }
            }
        }
        let new = self.store.record_alerts(&alerts).await?;
        for (alert, is_new) in alerts.iter().zip(new) {
            if is_new {
                self.sink.publish(alert);
            }
        }
        metrics::counter!("finsight_budget_alerts_total").increment(alerts.len() as u64);
        Ok(())
    }
}
