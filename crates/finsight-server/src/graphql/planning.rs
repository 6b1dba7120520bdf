//! GraphQL over budgets, goals, insights and financial health, through the
//! same services (and so the same policy and audit) as the REST routes.

use async_graphql::{Context, ID, InputObject, SimpleObject};
use finsight_core::UserId;
use finsight_service::planning::{Budget, BudgetLineInput, Goal, GoalProjection, NewGoal};
use rust_decimal::Decimal;

use super::{env, gql, invalid, parse_id};

fn user(user_id: Option<ID>) -> async_graphql::Result<Option<UserId>> {
    user_id
        .map(|id| parse_id("userId", &id, UserId::parse))
        .transpose()
}

fn decimal(field: &str, text: &str) -> async_graphql::Result<Decimal> {
    let text = text.trim();
    if text.len() > 32 {
        return Err(invalid(field, "is too long for an amount"));
    }
    text.parse()
        .map_err(|_| invalid(field, "is not a decimal amount like \"250.00\""))
}

fn goal_id(id: &ID) -> async_graphql::Result<uuid::Uuid> {
    uuid::Uuid::parse_str(id).map_err(|_| invalid("id", "is not a UUID"))
}

#[derive(SimpleObject)]
pub struct BudgetLineNode {
    pub category: String,
    pub amount: String,
    pub rollover: bool,
    pub group: String,
    pub position: i32,
}

#[derive(SimpleObject)]
pub struct BudgetNode {
    pub currency: String,
    pub lines: Vec<BudgetLineNode>,
}

impl From<Budget> for BudgetNode {
    fn from(b: Budget) -> Self {
        Self {
            currency: b.currency.code().to_owned(),
            lines: b
                .lines
                .into_iter()
                .map(|l| BudgetLineNode {
                    category: l.category,
                    amount: l.amount.amount_text(),
                    rollover: l.rollover,
                    group: l.group,
                    position: l.position,
                })
                .collect(),
        }
    }
}

#[derive(InputObject)]
pub struct BudgetLineInputNode {
    pub category: String,
    /// A decimal string in the person's main currency.
    pub amount: String,
    pub rollover: Option<bool>,
    pub group: Option<String>,
    pub position: Option<i32>,
}

#[derive(SimpleObject)]
pub struct BudgetLineStatusNode {
    pub category: String,
    pub available: String,
    pub spent: String,
    pub ratio: f64,
    /// `under`, `warning` or `over`.
    pub level: String,
    pub projected: Option<String>,
    pub projected_overrun: bool,
}

#[derive(SimpleObject)]
pub struct BudgetStatusNode {
    pub currency: String,
    pub month: String,
    pub lines: Vec<BudgetLineStatusNode>,
    /// Adjustments to accept, in words.
    pub proposals: Vec<String>,
}

#[derive(SimpleObject)]
pub struct RecommendedLineNode {
    pub category: String,
    pub amount: String,
    pub flexibility: String,
    pub change_percent: f64,
    pub explanation: String,
}

#[derive(SimpleObject)]
pub struct RecommendationNode {
    pub currency: String,
    pub income: String,
    pub savings_aim: String,
    pub planned_saving: String,
    pub feasible: bool,
    pub best_saving: String,
    pub lines: Vec<RecommendedLineNode>,
}

#[derive(SimpleObject)]
pub struct GoalNode {
    pub id: ID,
    pub name: String,
    pub currency: String,
    pub target: String,
    pub saved: String,
    pub target_date: String,
    pub progress: f64,
    /// Percentages reached: 25, 50, 75, 100.
    pub milestones_reached: Vec<u32>,
}

impl From<Goal> for GoalNode {
    fn from(g: Goal) -> Self {
        Self {
            id: ID(g.id.to_string()),
            name: g.name,
            currency: g.target.currency().code().to_owned(),
            target: g.target.amount_text(),
            saved: g.saved.amount_text(),
            target_date: g.target_date.to_string(),
            progress: g.progress,
            milestones_reached: g
                .milestones
                .iter()
                .filter(|m| m.reached)
                .map(|m| m.percent)
                .collect(),
        }
    }
}

#[derive(SimpleObject)]
pub struct StrategyNode {
    pub category: String,
    pub saving: String,
    pub explanation: String,
}

#[derive(SimpleObject)]
pub struct GoalProjectionNode {
    pub goal: GoalNode,
    pub months_left: u32,
    pub required_monthly: String,
    pub free_cash_flow: String,
    pub feasible: bool,
    pub probability: f64,
    pub suggested_date: Option<String>,
    pub strategies: Vec<StrategyNode>,
}

impl From<GoalProjection> for GoalProjectionNode {
    fn from(p: GoalProjection) -> Self {
        Self {
            goal: p.goal.into(),
            months_left: p.months_left,
            required_monthly: p.plan.required_monthly.to_string(),
            free_cash_flow: p.plan.free_cash_flow.to_string(),
            feasible: p.plan.feasible,
            probability: p.plan.probability,
            suggested_date: p.suggested_date.map(|d| d.to_string()),
            strategies: p
                .strategies
                .into_iter()
                .map(|s| StrategyNode {
                    category: s.category,
                    saving: s.saving.to_string(),
                    explanation: s.explanation,
                })
                .collect(),
        }
    }
}

#[derive(SimpleObject)]
pub struct InsightNode {
    pub id: ID,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub impact: String,
    pub currency: String,
    pub confidence: f64,
    pub action: String,
    pub score: f64,
}

#[derive(SimpleObject)]
pub struct IndicatorNode {
    pub key: String,
    pub name: String,
    pub display: String,
    pub score: u32,
    pub improve: String,
}

#[derive(SimpleObject)]
pub struct FinancialHealthNode {
    pub currency: String,
    pub score: u32,
    pub band: String,
    /// Weakest first.
    pub indicators: Vec<IndicatorNode>,
    pub emergency_fund_recommended: String,
    pub emergency_fund_current: String,
    pub emergency_fund_monthly_plan: String,
}

pub(super) async fn budget(
    ctx: &Context<'_>,
    user_id: Option<ID>,
) -> async_graphql::Result<BudgetNode> {
    let env = env(ctx)?;
    Ok(env
        .services
        .budget(env.principal, user(user_id)?)
        .await
        .map_err(gql)?
        .into())
}

pub(super) async fn budget_status(
    ctx: &Context<'_>,
    user_id: Option<ID>,
) -> async_graphql::Result<BudgetStatusNode> {
    let env = env(ctx)?;
    let s = env
        .services
        .budget_status(env.principal, user(user_id)?)
        .await
        .map_err(gql)?;
    Ok(BudgetStatusNode {
        currency: s.currency.code().to_owned(),
        month: s.month.to_string(),
        lines: s
            .lines
            .into_iter()
            .map(|l| BudgetLineStatusNode {
                category: l.category,
                available: l.available.to_string(),
                spent: l.spent.to_string(),
                ratio: l.ratio,
                level: l.level.as_str().to_owned(),
                projected: l.projected.map(|p| p.to_string()),
                projected_overrun: l.projected_overrun,
            })
            .collect(),
        proposals: s.proposals.into_iter().map(|p| p.reason).collect(),
    })
}

pub(super) async fn budget_recommendation(
    ctx: &Context<'_>,
    user_id: Option<ID>,
    savings_aim: Option<String>,
) -> async_graphql::Result<RecommendationNode> {
    let env = env(ctx)?;
    let aim = savings_aim
        .as_deref()
        .map(|a| decimal("savingsAim", a))
        .transpose()?;
    let b = env
        .services
        .recommend_budget(env.principal, user(user_id)?, aim)
        .await
        .map_err(gql)?;
    let r = b.recommendation;
    Ok(RecommendationNode {
        currency: b.currency.code().to_owned(),
        income: r.income.to_string(),
        savings_aim: r.savings_aim.to_string(),
        planned_saving: r.planned_saving.to_string(),
        feasible: r.feasible,
        best_saving: r.best_saving.to_string(),
        lines: r
            .lines
            .into_iter()
            .map(|l| RecommendedLineNode {
                category: l.category,
                amount: l.amount.to_string(),
                flexibility: l.flexibility.as_str().to_owned(),
                change_percent: l.change_percent,
                explanation: l.explanation,
            })
            .collect(),
    })
}

pub(super) async fn goals(
    ctx: &Context<'_>,
    user_id: Option<ID>,
) -> async_graphql::Result<Vec<GoalNode>> {
    let env = env(ctx)?;
    Ok(env
        .services
        .goals(env.principal, user(user_id)?)
        .await
        .map_err(gql)?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub(super) async fn goal_projection(
    ctx: &Context<'_>,
    id: ID,
) -> async_graphql::Result<GoalProjectionNode> {
    let env = env(ctx)?;
    Ok(env
        .services
        .goal_projection(env.principal, goal_id(&id)?)
        .await
        .map_err(gql)?
        .into())
}

pub(super) async fn insights(
    ctx: &Context<'_>,
    user_id: Option<ID>,
    kind: Option<String>,
    search: Option<String>,
    first: Option<i32>,
) -> async_graphql::Result<Vec<InsightNode>> {
    let env = env(ctx)?;
    let limit = u32::try_from(first.unwrap_or(20)).unwrap_or(0);
    Ok(env
        .services
        .insights(
            env.principal,
            user(user_id)?,
            kind.as_deref(),
            search.as_deref(),
            limit,
        )
        .await
        .map_err(gql)?
        .into_iter()
        .map(|i| InsightNode {
            id: ID(i.id.to_string()),
            kind: i.kind.as_str().to_owned(),
            title: i.title,
            body: i.body,
            impact: i.impact.to_string(),
            currency: i.currency.code().to_owned(),
            confidence: i.confidence,
            action: i.action,
            score: i.score,
        })
        .collect())
}

pub(super) async fn financial_health(
    ctx: &Context<'_>,
    user_id: Option<ID>,
) -> async_graphql::Result<FinancialHealthNode> {
    let env = env(ctx)?;
    let h = env
        .services
        .financial_health(env.principal, user(user_id)?)
        .await
        .map_err(gql)?;
    Ok(FinancialHealthNode {
        currency: h.currency.code().to_owned(),
        score: h.score.score,
        band: h.score.band.to_owned(),
        indicators: h
            .score
            .indicators
            .into_iter()
            .map(|i| IndicatorNode {
                key: i.key.to_owned(),
                name: i.name.to_owned(),
                display: i.display,
                score: i.score,
                improve: i.improve,
            })
            .collect(),
        emergency_fund_recommended: h.emergency_fund.recommended.to_string(),
        emergency_fund_current: h.emergency_fund.current.to_string(),
        emergency_fund_monthly_plan: h.emergency_fund.monthly_plan.to_string(),
    })
}

pub(super) async fn set_budget(
    ctx: &Context<'_>,
    user_id: Option<ID>,
    lines: Vec<BudgetLineInputNode>,
) -> async_graphql::Result<BudgetNode> {
    let env = env(ctx)?;
    let lines = lines
        .into_iter()
        .enumerate()
        .map(|(n, l)| {
            Ok(BudgetLineInput {
                amount: decimal(&format!("lines[{n}].amount"), &l.amount)?,
                category: l.category,
                rollover: l.rollover.unwrap_or(false),
                group: l.group,
                position: l.position,
            })
        })
        .collect::<async_graphql::Result<_>>()?;
    Ok(env
        .services
        .put_budget(env.principal, user(user_id)?, lines)
        .await
        .map_err(gql)?
        .into())
}

fn new_goal(
    name: String,
    target: &str,
    target_date: &str,
    saved: Option<&str>,
) -> async_graphql::Result<NewGoal> {
    Ok(NewGoal {
        name,
        target: decimal("target", target)?,
        target_date: time::Date::parse(
            target_date.trim(),
            &time::format_description::well_known::Iso8601::DATE,
        )
        .map_err(|_| invalid("targetDate", "is not a date like 2027-08-01"))?,
        saved: saved.map(|s| decimal("saved", s)).transpose()?,
    })
}

pub(super) async fn check_goal(
    ctx: &Context<'_>,
    user_id: Option<ID>,
    name: String,
    target: String,
    target_date: String,
    saved: Option<String>,
) -> async_graphql::Result<GoalProjectionNode> {
    let env = env(ctx)?;
    let new = new_goal(name, &target, &target_date, saved.as_deref())?;
    Ok(env
        .services
        .check_goal(env.principal, user(user_id)?, new)
        .await
        .map_err(gql)?
        .into())
}

pub(super) async fn create_goal(
    ctx: &Context<'_>,
    user_id: Option<ID>,
    name: String,
    target: String,
    target_date: String,
    saved: Option<String>,
) -> async_graphql::Result<GoalProjectionNode> {
    let env = env(ctx)?;
    let new = new_goal(name, &target, &target_date, saved.as_deref())?;
    Ok(env
        .services
        .create_goal(env.principal, user(user_id)?, new)
        .await
        .map_err(gql)?
        .into())
}

pub(super) async fn contribute_to_goal(
    ctx: &Context<'_>,
    id: ID,
    amount: String,
) -> async_graphql::Result<GoalNode> {
    let env = env(ctx)?;
    Ok(env
        .services
        .contribute_to_goal(env.principal, goal_id(&id)?, decimal("amount", &amount)?)
        .await
        .map_err(gql)?
        .into())
}

pub(super) async fn insight_feedback(
    ctx: &Context<'_>,
    user_id: Option<ID>,
    id: ID,
    response: String,
    snooze_days: Option<u32>,
) -> async_graphql::Result<bool> {
    let env = env(ctx)?;
    let id = uuid::Uuid::parse_str(&id).map_err(|_| invalid("id", "is not a UUID"))?;
    env.services
        .insight_feedback(env.principal, user(user_id)?, id, &response, snooze_days)
        .await
        .map_err(gql)?;
    Ok(true)
}
