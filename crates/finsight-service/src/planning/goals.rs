//! Savings goals: created with a check against the person's free cash
//! flow (a feasible date or amount when the wish is out of reach),
//! projected with a Monte Carlo probability of success and strategies from
//! the budget optimizer (which categories to cut, by how much), and
//! tracked through contributions — each milestone reached (25/50/75/100%)
//! is an alert on the live stream.

use finsight_core::{Action, Money, Principal, UserId, ValidationError};
use finsight_planning::budget::{self, BudgetRequest, CategorySpending};
use finsight_planning::goals::{self, CashFlow, GoalPlan, MILESTONES};
use finsight_store::{Alert, AlertReason, AlertSink, GoalRow};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use time::Date;
use uuid::Uuid;

use super::PersonLedger;
use crate::{ServiceError, Services};

/// The kind of alert a milestone raises.
pub const GOAL: &str = "goal";
/// Months of history the cash-flow model reads.
const FLOW_MONTHS: usize = 12;
/// The longest a goal may run.
const MAX_YEARS: i32 = 50;

#[derive(Debug, Clone, PartialEq)]
pub struct NewGoal {
    pub name: String,
    pub target: Decimal,
    pub target_date: Date,
    /// Already put aside (default none).
    pub saved: Option<Decimal>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    pub percent: u32,
    pub amount: Decimal,
    pub reached: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Goal {
    pub id: Uuid,
    pub user_id: UserId,
    pub name: String,
    pub target: Money,
    pub saved: Money,
    pub target_date: Date,
    pub created_at: i64,
    /// Saved over target, 0–1.
    pub progress: f64,
    pub milestones: Vec<Milestone>,
}

/// A cut that would free money for the goal.
#[derive(Debug, Clone, PartialEq)]
pub struct Strategy {
    pub category: String,
    pub from: Decimal,
    pub to: Decimal,
    pub saving: Decimal,
    pub explanation: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GoalProjection {
    pub goal: Goal,
    pub months_left: u32,
    pub plan: GoalPlan,
    /// When the plan is infeasible: the date the free cash flow reaches it.
    pub suggested_date: Option<Date>,
    pub strategies: Vec<Strategy>,
}

/// Whole months from `from` to `to`.
fn months_between(from: Date, to: Date) -> u32 {
    let months = (to.year() - from.year()) * 12 + to.month() as i32
        - from.month() as i32
        - i32::from(to.day() < from.day());
    months.max(0) as u32
}

fn add_months(date: Date, months: u32) -> Date {
    let total = date.year() * 12 + date.month() as i32 - 1 + months as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) as u8 + 1);
    let month = time::Month::try_from(month).expect("1 to 12");
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).unwrap_or(date)
}

fn goal_of(row: &GoalRow) -> Result<Goal, ServiceError> {
    let currency = finsight_core::Currency::parse(&row.currency)
        .map_err(|e| ServiceError::Store(finsight_store::StoreError::Corrupt(e.to_string())))?;
    let money = |minor| {
        Money::from_minor(minor, currency)
            .map_err(|e| ServiceError::Store(finsight_store::StoreError::Corrupt(e.to_string())))
    };
    let (target, saved) = (money(row.target_minor)?, money(row.saved_minor)?);
    let reached = goals::milestones_reached(target.amount(), saved.amount());
    Ok(Goal {
        id: row.id,
        user_id: row.user_id,
        name: row.name.clone(),
        progress: if target.amount() > Decimal::ZERO {
            (saved.amount() / target.amount())
                .to_f64()
                .unwrap_or(0.0)
                .clamp(0.0, 1.0)
        } else {
            1.0
        },
        milestones: MILESTONES
            .into_iter()
            .map(|percent| Milestone {
                percent,
                amount: (target.amount() * Decimal::from(percent) / Decimal::ONE_HUNDRED)
                    .round_dp(2),
                reached: reached.contains(&percent),
            })
            .collect(),
        target,
        saved,
        target_date: row.target_date,
        created_at: row.created_at,
    })
}

impl Services {
    /// The person's monthly free cash flow, from the months they have data.
    pub(crate) fn cash_flow(ledger: &PersonLedger) -> (CashFlow, Vec<CategorySpending>, Decimal) {
        let picture = ledger.picture(FLOW_MONTHS);
        let first = picture
            .income
            .iter()
            .zip(&picture.total_spending)
            .position(|(i, s)| !i.is_zero() || !s.is_zero())
            .unwrap_or(FLOW_MONTHS);
        let free: Vec<f64> = picture.income[first..]
            .iter()
            .zip(&picture.total_spending[first..])
            .map(|(i, s)| (*i - *s).to_f64().unwrap_or(0.0))
            .collect();
        let recent = FLOW_MONTHS.saturating_sub(6).max(first);
        let categories = picture
            .spending
            .iter()
            .map(|(category, months)| CategorySpending {
                category: category.clone(),
                monthly: months[recent..].to_vec(),
                forecast: None,
            })
            .filter(|c| c.monthly.iter().any(|m| !m.is_zero()))
            .collect();
        let income = budget::median(&picture.income[recent..]);
        (CashFlow::from_history(&free), categories, income)
    }

    fn project(ledger: &PersonLedger, goal: Goal) -> GoalProjection {
        let (flow, categories, income) = Self::cash_flow(ledger);
        let months_left = months_between(ledger.today, goal.target_date);
        let plan = goals::plan(
            goal.target.amount(),
            goal.saved.amount(),
            months_left,
            flow,
            goals::PATHS,
            goal.id.as_u128() as u64,
        );
        let plan = GoalPlan {
            required_monthly: ledger.money(plan.required_monthly),
            free_cash_flow: ledger.money(plan.free_cash_flow),
            feasible_target: plan.feasible_target.map(|t| ledger.money(t)),
            ..plan
        };
        let suggested_date = plan.feasible_months.map(|m| add_months(ledger.today, m));
        // What to cut for the contribution to fit: the budget optimizer
        // asked to keep the required amount each month.
        let mut strategies = Vec::new();
        if plan.required_monthly > plan.free_cash_flow && !categories.is_empty() {
            let recommendation = budget::recommend(&BudgetRequest {
                income,
                savings_aim: plan.required_monthly,
                categories,
            });
            for line in recommendation.lines {
                let saving = ledger.money(line.need - line.amount);
                if saving > Decimal::ZERO {
                    strategies.push(Strategy {
                        category: line.category,
                        from: ledger.money(line.need),
                        to: ledger.money(line.amount),
                        saving,
                        explanation: line.explanation,
                    });
                }
            }
            strategies.sort_by_key(|s| std::cmp::Reverse(s.saving));
        }
        GoalProjection {
            goal,
            months_left,
            plan,
            suggested_date,
            strategies,
        }
    }

    /// The person's goals, oldest first.
    pub async fn goals(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<Vec<Goal>, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        self.store.goals(user).await?.iter().map(goal_of).collect()
    }

    /// Checks a goal without saving it: what `create_goal` would answer.
    /// Anyone who may read the person's data may ask.
    pub async fn check_goal(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        new: NewGoal,
    ) -> Result<GoalProjection, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        let ledger = self.person_ledger(user).await?;
        let row = self.validated_goal(&ledger, user, new)?;
        Ok(Self::project(&ledger, goal_of(&row)?))
    }

    /// Creates a goal and checks it: the contribution it needs against the
    /// free cash flow, its chance, and a feasible date when it is out of
    /// reach. Amounts are in the person's main currency.
    pub async fn create_goal(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        new: NewGoal,
    ) -> Result<GoalProjection, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        self.authorize_user(principal, user, Action::Write, "user")
            .await?;
        let ledger = self.person_ledger(user).await?;
        let row = self.validated_goal(&ledger, user, new)?;
        self.store.save_goal(&row).await?;
        self.audit_write(
            principal,
            "goal.create",
            &format!("goal:{}", row.id),
            &row.name,
        )
        .await?;
        Ok(Self::project(&ledger, goal_of(&row)?))
    }

    /// The goal as it would be stored, each field checked.
    fn validated_goal(
        &self,
        ledger: &PersonLedger,
        user: UserId,
        new: NewGoal,
    ) -> Result<GoalRow, ServiceError> {
        let name = new.name.trim().to_owned();
        if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
            return Err(
                ValidationError::new("name", "must be 1 to 100 printable characters").into(),
            );
        }
        let places = ledger.currency.minor_unit_exponent();
        let target = Money::new(new.target, ledger.currency)
            .ok()
            .filter(|m| m.amount() > Decimal::ZERO && m.amount() <= Decimal::from(1_000_000_000))
            .ok_or_else(|| {
                ValidationError::new(
                    "target",
                    format!("must be more than 0 and at most 1000000000 with at most {places} decimal places"),
                )
            })?;
        let saved = Money::new(new.saved.unwrap_or_default(), ledger.currency)
            .ok()
            .filter(|m| !m.is_negative() && m.amount() <= target.amount())
            .ok_or_else(|| {
                ValidationError::new(
                    "saved",
                    format!("must be 0 to the target with at most {places} decimal places"),
                )
            })?;
        if new.target_date <= ledger.today
            || new.target_date.year() > ledger.today.year() + MAX_YEARS
        {
            return Err(ValidationError::new(
                "target_date",
                format!("must be after today and within {MAX_YEARS} years"),
            )
            .into());
        }
        let now = self.now_millis();
        let row = GoalRow {
            id: Uuid::new_v4(),
            user_id: user,
            name,
            target_minor: target.minor_units(),
            saved_minor: saved.minor_units(),
            currency: ledger.currency.code().to_owned(),
            target_date: new.target_date,
            created_at: now,
            updated_at: now,
        };
        Ok(row)
    }

    async fn readable_goal(
        &self,
        principal: &Principal,
        id: Uuid,
    ) -> Result<GoalRow, ServiceError> {
        let row = self
            .store
            .goal(id)
            .await?
            .ok_or(ServiceError::NotFound("goal"))?;
        // A caller who may not read the person's data learns nothing.
        self.authorize_user(principal, row.user_id, Action::Read, "goal")
            .await
            .map_err(|_| ServiceError::NotFound("goal"))?;
        Ok(row)
    }

    /// A goal's plan, chance of success, milestones and strategies.
    pub async fn goal_projection(
        &self,
        principal: &Principal,
        id: Uuid,
    ) -> Result<GoalProjection, ServiceError> {
        let row = self.readable_goal(principal, id).await?;
        let ledger = self.person_ledger(row.user_id).await?;
        Ok(Self::project(&ledger, goal_of(&row)?))
    }

    /// Adds a contribution to a goal (negative takes money out); each
    /// milestone it reaches raises an alert on the live stream.
    pub async fn contribute_to_goal(
        &self,
        principal: &Principal,
        id: Uuid,
        amount: Decimal,
    ) -> Result<Goal, ServiceError> {
        let row = self.readable_goal(principal, id).await?;
        self.authorize_user(principal, row.user_id, Action::Write, "goal")
            .await?;
        let before = goal_of(&row)?;
        let currency = before.saved.currency();
        let change = Money::new(amount, currency)
            .ok()
            .filter(|m| !m.amount().is_zero() && m.amount().abs() <= Decimal::from(1_000_000_000))
            .ok_or_else(|| {
                ValidationError::new(
                    "amount",
                    format!(
                        "must be a non-zero amount of at most 1000000000 {} with at most {} decimal places",
                        currency.code(),
                        currency.minor_unit_exponent()
                    ),
                )
            })?;
        let saved = row.saved_minor + change.minor_units();
        if saved < 0 {
            return Err(ValidationError::new("amount", "would take the goal below zero").into());
        }
        let now = self.now_millis();
        let updated = GoalRow {
            saved_minor: saved,
            updated_at: now,
            ..row
        };
        self.store.save_goal(&updated).await?;
        self.audit_write(
            principal,
            "goal.contribute",
            &format!("goal:{id}"),
            &change.amount_text(),
        )
        .await?;
        let after = goal_of(&updated)?;
        let crossed = goals::milestones_crossed(
            before.target.amount(),
            before.saved.amount(),
            after.saved.amount(),
        );
        let alerts: Vec<Alert> = crossed
            .iter()
            .map(|percent| Alert {
                id: Uuid::new_v5(&id, format!("milestone:{percent}").as_bytes()),
                user_id: after.user_id,
                transaction_id: None,
                kind: GOAL.to_owned(),
                score: after.progress,
                threshold: f64::from(*percent) / 100.0,
                reasons: AlertReason::to_json(&[AlertReason {
                    reason: format!("milestone_{percent}"),
                    text: if *percent == 100 {
                        format!(
                            "You reached your goal \"{}\": {} saved!",
                            after.name,
                            after.saved.amount_text()
                        )
                    } else {
                        format!(
                            "{percent}% of \"{}\" saved: {} of {}",
                            after.name,
                            after.saved.amount_text(),
                            after.target.amount_text()
                        )
                    },
                    weight: 1.0,
                }]),
                created_at: now,
                feedback: None,
                feedback_at: None,
            })
            .collect();
        let new = self.store.record_alerts(&alerts).await?;
        for (alert, is_new) in alerts.iter().zip(new) {
            if is_new {
                self.alert_hub.publish(alert);
            }
        }
        Ok(after)
    }
}
