//! Planning state: each person's budget lines, savings goals, and answers
//! to insights. Amounts are integer minor units with their currency code,
//! as in the ledger.

use finsight_core::UserId;
use time::Date;
use uuid::Uuid;

use crate::StoreError;

/// One category of a person's monthly budget.
#[derive(Debug, Clone, PartialEq)]
pub struct BudgetLineRow {
    pub user_id: UserId,
    pub category: String,
    pub amount_minor: i64,
    pub currency: String,
    /// Unspent money carries into the next month.
    pub rollover: bool,
    /// The group the person put it in ("Essentials", "Fun", …).
    pub group_name: String,
    /// Its place in the group.
    pub position: i32,
    /// Milliseconds since the Unix epoch.
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GoalRow {
    pub id: Uuid,
    pub user_id: UserId,
    pub name: String,
    pub target_minor: i64,
    pub saved_minor: i64,
    pub currency: String,
    pub target_date: Date,
    pub created_at: i64,
    pub updated_at: i64,
}

/// A person's latest answer to one insight.
#[derive(Debug, Clone, PartialEq)]
pub struct InsightAnswerRow {
    pub user_id: UserId,
    pub insight_key: String,
    pub kind: String,
    /// `accept`, `dismiss` or `snooze`.
    pub response: String,
    /// A snooze lasts until then (milliseconds).
    pub until: Option<i64>,
    pub answered_at: i64,
}

/// Everyone's answers to one kind of insight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InsightAnswerCount {
    pub kind: String,
    pub response: String,
    pub count: i64,
}

/// One person's net flow in one category and currency on one day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayTotal {
    pub user_id: UserId,
    pub posted_on: Date,
    /// `uncategorized` when the transaction has none.
    pub category: String,
    pub currency: String,
    /// Signed: spending is negative.
    pub total_minor: i64,
}

#[async_trait::async_trait]
pub trait PlanningStore: Send + Sync {
    /// The users' net flows per day, category and currency, posted from
    /// `from` (inclusive) until `until` (exclusive): what budget tracking
    /// sums, in one query for a whole batch of people.
    async fn day_totals(
        &self,
        users: &[UserId],
        from: Date,
        until: Date,
    ) -> Result<Vec<DayTotal>, StoreError>;
    /// The users' budget lines, per user by group, position and category.
    async fn budget_lines(&self, users: &[UserId]) -> Result<Vec<BudgetLineRow>, StoreError>;
    /// Replaces the person's budget with `lines` (none clears it).
    async fn replace_budget(&self, user: UserId, lines: &[BudgetLineRow])
    -> Result<(), StoreError>;
    /// The person's goals, oldest first.
    async fn goals(&self, user: UserId) -> Result<Vec<GoalRow>, StoreError>;
    async fn goal(&self, id: Uuid) -> Result<Option<GoalRow>, StoreError>;
    /// Inserts or updates a goal (by id).
    async fn save_goal(&self, goal: &GoalRow) -> Result<(), StoreError>;
    async fn insight_answers(&self, user: UserId) -> Result<Vec<InsightAnswerRow>, StoreError>;
    /// Records an answer; a later answer to the same insight replaces it.
    async fn record_insight_answer(&self, answer: &InsightAnswerRow) -> Result<(), StoreError>;
    /// Answers per kind and response across everyone: the ranking's prior.
    async fn insight_answer_counts(&self) -> Result<Vec<InsightAnswerCount>, StoreError>;
}
