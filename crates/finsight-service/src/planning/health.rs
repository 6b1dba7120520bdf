//! The person's financial-health score with its drivers, and their
//! emergency fund: recommended size, coverage and a plan.

use finsight_core::{Action, Currency, Principal, UserId};
use finsight_planning::budget::median;
use finsight_planning::health::{self, EmergencyFund, HealthInput, HealthScore};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::{ServiceError, Services};

/// Months the indicators read.
const HEALTH_MONTHS: usize = 12;
/// Paths of the emergency-fund simulation.
const FUND_PATHS: usize = 10_000;

#[derive(Debug, Clone, PartialEq)]
pub struct FinancialHealth {
    pub currency: Currency,
    pub score: HealthScore,
    pub emergency_fund: EmergencyFund,
}

impl Services {
    pub async fn financial_health(
        &self,
        principal: &Principal,
        user: Option<UserId>,
    ) -> Result<FinancialHealth, ServiceError> {
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        let ledger = self.person_ledger(user).await?;
        let picture = ledger.picture(HEALTH_MONTHS);
        // Only the months since the person's data begins.
        let first = picture
            .income
            .iter()
            .zip(&picture.total_spending)
            .position(|(i, s)| !i.is_zero() || !s.is_zero())
            .unwrap_or(HEALTH_MONTHS);
        let income = picture.income[first..].to_vec();
        let spending = picture.total_spending[first..].to_vec();
        let has_budget = !self.store.budget_lines(&[user]).await?.is_empty();
        let has_goal = !self.store.goals(user).await?.is_empty();
        let score = health::score(&HealthInput {
            monthly_income: income.clone(),
            monthly_spending: spending.clone(),
            liquid_savings: picture.savings.map(|s| s.max(Decimal::ZERO)),
            debt_payments: median(&picture.debt[first..]),
            months_with_penalties: picture.penalty_months,
            has_budget,
            has_goal,
        });
        let floats =
            |v: &[Decimal]| -> Vec<f64> { v.iter().map(|d| d.to_f64().unwrap_or(0.0)).collect() };
        let mut fund = health::emergency_fund(
            &floats(&income),
            &floats(&spending),
            ledger.money(picture.savings.unwrap_or_default().max(Decimal::ZERO)),
            FUND_PATHS,
            user.as_uuid().as_u128() as u64,
        );
        fund.recommended = ledger.money(fund.recommended);
        fund.monthly_plan = ledger.money(fund.monthly_plan);
        Ok(FinancialHealth {
            currency: ledger.currency,
            score,
            emergency_fund: fund,
        })
    }
}
