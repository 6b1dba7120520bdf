//! A person's monthly budget: read it, replace it (owners and members;
//! audited), see where it stands this month (with adjustments proposed
//! when spending has shifted for months), and get a recommendation that
//! meets a savings aim.

use finsight_core::{Action, CategoryId, Currency, Money, Principal, UserId, ValidationError};
use finsight_models::forecast::spending::Granularity;
use finsight_planning::budget::{
    self, Adjustment, BudgetRequest, CategorySpending, Flexibility, Recommendation,
};
use finsight_planning::picture::Picture;
use finsight_planning::tracking::{self, LineStatus, MonthPosition, month_start};
use finsight_store::BudgetLineRow;
use rust_decimal::Decimal;
use time::Date;

use super::PersonLedger;
use crate::{ServiceError, Services};

/// Months of history a recommendation (and a shift) reads.
pub(crate) const RECOMMEND_MONTHS: usize = 6;
/// Lines a budget may have.
const MAX_LINES: usize = 60;

#[derive(Debug, Clone, PartialEq)]
pub struct BudgetLine {
    pub category: String,
    pub amount: Money,
    pub rollover: bool,
    pub group: String,
    pub position: i32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Budget {
    pub user_id: UserId,
    pub currency: Currency,
    pub lines: Vec<BudgetLine>,
    /// Milliseconds; none before the first budget.
    pub updated_at: Option<i64>,
}

/// A line as the person sends it.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetLineInput {
    pub category: String,
    pub amount: Decimal,
    pub rollover: bool,
    /// Default: "Essentials" or "Flexible" by the category.
    pub group: Option<String>,
    /// Default: its place in the list.
    pub position: Option<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BudgetStatus {
    pub currency: Currency,
    /// The first day of the month.
    pub month: Date,
    pub day: u32,
    pub days_in_month: u32,
    pub lines: Vec<LineStatus>,
    pub total_available: Decimal,
    pub total_spent: Decimal,
    /// Lines whose spending has shifted for months: a new amount to accept.
    pub proposals: Vec<Adjustment>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct BudgetRecommendation {
    pub currency: Currency,
    pub recommendation: Recommendation,
}

fn group_for(category: &str) -> &'static str {
    match Flexibility::of(category) {
        Flexibility::Essential => "Essentials",
        Flexibility::Discretionary => "Flexible",
    }
}

impl Services {
    async fn budget_rows(&self, user: UserId) -> Result<Vec<BudgetLineRow>, ServiceError> {
        Ok(self.store.budget_lines(&[user]).await?)
    }

    fn budget_of(user: UserId, currency: Currency, rows: &[BudgetLineRow]) -> Budget {
        Budget {
            user_id: user,
            currency,
            updated_at: rows.iter().map(|r| r.updated_at).max(),
            lines: rows
                .iter()
                .filter_map(|r| {
                    let currency = Currency::parse(&r.currency).ok()?;
                    Some(BudgetLine {
                        category: r.category.clone(),
                        amount: Money::from_minor(r.amount_minor, currency).ok()?,
                        rollover: r.rollover,
                        group: r.group_name.clone(),
                        position: r.position,
                    })
                })
                .collect(),
        }
    }

    /// The person's budget (empty lines before they set one).
    pub async fn budget(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<Budget, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        let rows = self.budget_rows(user).await?;
        let currency = match rows.first().and_then(|r| Currency::parse(&r.currency).ok()) {
            Some(currency) => currency,
            None => self.person_ledger(user).await?.currency,
        };
        Ok(Self::budget_of(user, currency, &rows))
    }

    /// Replaces the person's budget. Categories must be spending categories
    /// of the tree, each once; amounts are in the person's main currency.
    pub async fn put_budget(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        lines: Vec<BudgetLineInput>,
    ) -> Result<Budget, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        self.authorize_user(principal, user, Action::Write, "user")
            .await?;
        if lines.len() > MAX_LINES {
            return Err(ValidationError::new("lines", format!("at most {MAX_LINES} lines")).into());
        }
        let currency = self.person_ledger(user).await?.currency;
        let now = self.now_millis();
        let mut rows: Vec<BudgetLineRow> = Vec::with_capacity(lines.len());
        for (n, line) in lines.into_iter().enumerate() {
            let field = |name: &str| format!("lines[{n}].{name}");
            let category = CategoryId::parse(line.category.trim())
                .ok()
                .filter(|c| self.taxonomy.contains(c))
                .ok_or_else(|| {
                    ValidationError::new(field("category"), "is not a category of the tree")
                })?;
            if !finsight_planning::picture::is_spending(Some(category.as_str())) {
                return Err(ValidationError::new(
                    field("category"),
                    "income and transfers are not budgeted",
                )
                .into());
            }
            if rows.iter().any(|r| r.category == category.as_str()) {
                return Err(ValidationError::new(field("category"), "appears twice").into());
            }
            let amount = Money::new(line.amount, currency)
                .ok()
                .filter(|m| !m.is_negative() && m.amount() <= Decimal::from(1_000_000_000))
                .ok_or_else(|| {
                    ValidationError::new(
                        field("amount"),
                        format!(
                            "must be 0 to 1000000000 {} with at most {} decimal places",
                            currency.code(),
                            currency.minor_unit_exponent()
                        ),
                    )
                })?;
            let group = line
                .group
                .map(|g| g.trim().to_owned())
                .unwrap_or_else(|| group_for(category.as_str()).to_owned());
            if group.is_empty() || group.chars().count() > 50 || group.chars().any(char::is_control)
            {
                return Err(ValidationError::new(
                    field("group"),
                    "must be 1 to 50 printable characters",
                )
                .into());
            }
            let position = line.position.unwrap_or(n as i32);
            if !(0..=10_000).contains(&position) {
                return Err(ValidationError::new(field("position"), "must be 0 to 10000").into());
            }
            rows.push(BudgetLineRow {
                user_id: user,
                category: category.as_str().to_owned(),
                amount_minor: amount.minor_units(),
                currency: currency.code().to_owned(),
                rollover: line.rollover,
                group_name: group,
                position,
                updated_at: now,
            });
        }
        self.store.replace_budget(user, &rows).await?;
        self.audit_write(
            principal,
            "budget.put",
            &format!("user:{user}"),
            &format!("{} lines", rows.len()),
        )
        .await?;
        let rows = self.budget_rows(user).await?;
        Ok(Self::budget_of(user, currency, &rows))
    }

    /// Where each line stands this month; `picture` (the last
    /// [`RECOMMEND_MONTHS`] months) shows which lines shifted.
    pub(crate) fn status_of(
        ledger: &PersonLedger,
        picture: &Picture,
        rows: &[BudgetLineRow],
    ) -> (Vec<LineStatus>, Vec<Adjustment>) {
        let month = month_start(ledger.today);
        let at = MonthPosition::of(ledger.today);
        let spent_in = |category: &str, from: Date, to: Date| -> Decimal {
            let Ok(line) = CategoryId::parse(category) else {
                return Decimal::ZERO;
            };
            ledger
                .transactions
                .iter()
                .filter(|t| t.amount.currency() == ledger.currency)
                .filter(|t| (from..to).contains(&t.posted_on.date()))
                .filter(|t| t.category.as_ref().is_some_and(|c| c.is_within(&line)))
                .map(|t| -t.amount.amount())
                .sum::<Decimal>()
                .max(Decimal::ZERO)
        };
        let previous = tracking::previous_month_start(ledger.today);
        let next = ledger.today.next_day().unwrap_or(ledger.today);
        let mut lines = Vec::new();
        let mut proposals = Vec::new();
        for row in rows {
            let Ok(currency) = Currency::parse(&row.currency) else {
                continue;
            };
            let Ok(amount) = Money::from_minor(row.amount_minor, currency) else {
                continue;
            };
            let amount = ledger.money(amount.amount());
            let (_, carried) = tracking::available(
                amount,
                row.rollover,
                spent_in(&row.category, previous, month),
            );
            let spent = ledger.money(spent_in(&row.category, month, next));
            lines.push(tracking::status(&row.category, amount, carried, spent, at));
            let root = row.category.split('.').next().unwrap_or(&row.category);
            if root == row.category
                && let Some(history) = picture.spending.get(root)
                && let Some(adjustment) = budget::adjustment(&row.category, amount, history)
            {
                proposals.push(adjustment);
            }
        }
        (lines, proposals)
    }

    /// This month's spending against each line.
    pub async fn budget_status(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<BudgetStatus, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        let ledger = self.person_ledger(user).await?;
        let rows = self.budget_rows(user).await?;
        let picture = ledger.picture(RECOMMEND_MONTHS);
        let (lines, proposals) = Self::status_of(&ledger, &picture, &rows);
        let at = MonthPosition::of(ledger.today);
        Ok(BudgetStatus {
            currency: ledger.currency,
            month: month_start(ledger.today),
            day: at.day,
            days_in_month: at.days_in_month,
            total_available: lines.iter().map(|l| l.available).sum(),
            total_spent: lines.iter().map(|l| l.spent).sum(),
            lines,
            proposals,
        })
    }

    /// A budget that keeps `savings_aim` a month (default: a tenth of the
    /// usual income), from the last six months and next month's forecast.
    pub async fn recommend_budget(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        savings_aim: Option<Decimal>,
    ) -> Result<BudgetRecommendation, ServiceError> {
        self.recommend_budget_from(principal, user, savings_aim, true)
            .await
    }

    /// [`Services::recommend_budget`], from history alone when
    /// `with_forecast` is false (bulk set-up, where a forecast per person
    /// costs more than it adds).
    pub async fn recommend_budget_from(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        savings_aim: Option<Decimal>,
        with_forecast: bool,
    ) -> Result<BudgetRecommendation, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        if let Some(aim) = savings_aim
            && (aim.is_sign_negative() || aim > Decimal::from(1_000_000_000))
        {
            return Err(ValidationError::new("savings_aim", "must be 0 to 1000000000").into());
        }
        let ledger = self.person_ledger(user).await?;
        let picture = ledger.picture(RECOMMEND_MONTHS);
        let income = ledger.money(budget::median(&picture.income));
        let forecast = if with_forecast {
            self.forecasts(principal, Some(user), None, 1, Granularity::Monthly)
                .await
                .ok()
                .filter(|f| f.currency == ledger.currency)
        } else {
            None
        };
        let categories: Vec<CategorySpending> = picture
            .spending
            .iter()
            .filter(|(_, months)| months.iter().any(|m| !m.is_zero()))
            .map(|(category, months)| CategorySpending {
                category: category.clone(),
                monthly: months.iter().map(|m| ledger.money(*m)).collect(),
                forecast: forecast.as_ref().and_then(|f| {
                    f.series
                        .iter()
                        .find(|s| &s.category == category)
                        .and_then(|s| s.points.first())
                        .map(|p| p.point)
                }),
            })
            .collect();
        let aim = savings_aim.unwrap_or_else(|| (income / Decimal::TEN).round_dp(0));
        let mut recommendation = budget::recommend(&BudgetRequest {
            income,
            savings_aim: aim,
            categories,
        });
        for line in &mut recommendation.lines {
            line.amount = ledger.money(line.amount);
            line.need = ledger.money(line.need);
            line.median = ledger.money(line.median);
        }
        for amount in [
            &mut recommendation.total,
            &mut recommendation.income,
            &mut recommendation.savings_aim,
            &mut recommendation.planned_saving,
            &mut recommendation.best_saving,
        ] {
            *amount = ledger.money(*amount);
        }
        Ok(BudgetRecommendation {
            currency: ledger.currency,
            recommendation,
        })
    }
}
