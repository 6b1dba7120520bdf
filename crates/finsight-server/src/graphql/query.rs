//! The GraphQL read model: the signed-in principal, users → accounts →
//! transactions → category, monthly totals, rules and households, each
//! resolver a thin call into the service layer.

use crate::filter::{FilterText, page_size};
use async_graphql::{ComplexObject, Context, ID, InputObject, Object, SimpleObject};
use finsight_core::{
    Account, AccountId, CategoryId, HouseholdId, Taxonomy, Transaction, TransactionId, User, UserId,
};

use super::{date, env, gql, parse_id, validation};

pub struct QueryRoot;

#[Object]
impl QueryRoot {
    /// The signed-in principal.
    async fn me(&self, ctx: &Context<'_>) -> async_graphql::Result<Me> {
        let env = env(ctx)?;
        let me = env.services.me(env.principal).await.map_err(gql)?;
        Ok(Me {
            kind: me.principal.kind().into(),
            user: me.user.map(UserNode),
            households: me
                .households
                .into_iter()
                .map(|(h, role)| Membership {
                    household: HouseholdNode(h),
                    role: role.as_str().into(),
                })
                .collect(),
        })
    }

    /// A person (default: the signed-in person).
    async fn user(&self, ctx: &Context<'_>, id: Option<ID>) -> async_graphql::Result<UserNode> {
        let env = env(ctx)?;
        let id = id.map(|i| parse_id("id", &i, UserId::parse)).transpose()?;
        Ok(UserNode(
            env.services.user(env.principal, id).await.map_err(gql)?,
        ))
    }

    async fn account(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<AccountNode> {
        let env = env(ctx)?;
        let id = parse_id("id", &id, AccountId::parse)?;
        Ok(AccountNode(
            env.services.account(env.principal, id).await.map_err(gql)?,
        ))
    }

    async fn transaction(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<TransactionNode> {
        let env = env(ctx)?;
        let id = parse_id("id", &id, TransactionId::parse)?;
        Ok(TransactionNode(
            env.services
                .transaction(env.principal, id)
                .await
                .map_err(gql)?,
        ))
    }

    /// One entity's current feature vectors (a person's own, a market
    /// symbol's; analysts name personal entities by pseudonym).
    async fn features(
        &self,
        ctx: &Context<'_>,
        entity_type: String,
        entity_id: String,
        features: Option<Vec<String>>,
    ) -> async_graphql::Result<super::features::EntityFeatureVectors> {
        super::features::one(ctx, entity_type, entity_id, features).await
    }

    /// Up to 1,000 entities' vectors, in order.
    #[graphql(complexity = "entities.len() * child_complexity + 1")]
    async fn features_batch(
        &self,
        ctx: &Context<'_>,
        entities: Vec<super::features::EntityInput>,
        features: Option<Vec<String>>,
    ) -> async_graphql::Result<Vec<super::features::EntityFeatureVectors>> {
        super::features::batch(ctx, entities, features).await
    }

    /// The person's transactions whose category waits for them, with the
    /// categorizer's suggestion, oldest first.
    #[graphql(complexity = "first.unwrap_or(100).max(1) as usize * child_complexity + 1")]
    async fn review_queue(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<super::models::ReviewItemNode>> {
        super::models::review_queue(ctx, user_id, first).await
    }

    /// The person's recurring payments and income.
    async fn recurring(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<Vec<super::models::RecurringNode>> {
        super::models::recurring(ctx, user_id).await
    }

    /// The person's spending forecasts (monthly, or weekly with
    /// `weekly: true`) with 80% and 95% intervals: the total first.
    async fn forecasts(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        category: Option<String>,
        horizon: Option<i32>,
        weekly: Option<bool>,
    ) -> async_graphql::Result<Vec<super::forecasts::ForecastSeriesNode>> {
        super::forecasts::forecasts(ctx, user_id, category, horizon, weekly).await
    }

    /// The person's latest anomaly alerts, newest first.
    async fn alerts(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<super::forecasts::AlertNode>> {
        super::forecasts::alerts(ctx, user_id, first).await
    }

    /// The person's monthly budget.
    async fn budget(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<super::planning::BudgetNode> {
        super::planning::budget(ctx, user_id).await
    }

    /// This month's spending against each budget line, and adjustments
    /// proposed where spending has shifted.
    async fn budget_status(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<super::planning::BudgetStatusNode> {
        super::planning::budget_status(ctx, user_id).await
    }

    /// A budget meeting `savingsAim` (a decimal string), essentials cut
    /// least, each amount explained.
    async fn budget_recommendation(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        savings_aim: Option<String>,
    ) -> async_graphql::Result<super::planning::RecommendationNode> {
        super::planning::budget_recommendation(ctx, user_id, savings_aim).await
    }

    /// The person's savings goals.
    async fn goals(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<Vec<super::planning::GoalNode>> {
        super::planning::goals(ctx, user_id).await
    }

    /// A goal's plan, chance of success and strategies.
    async fn goal_projection(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<super::planning::GoalProjectionNode> {
        super::planning::goal_projection(ctx, id).await
    }

    /// The person's insights, best first.
    async fn insights(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        kind: Option<String>,
        search: Option<String>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<super::planning::InsightNode>> {
        super::planning::insights(ctx, user_id, kind, search, first).await
    }

    /// A goal checked without saving it: the contribution it needs, its
    /// chance, and a feasible date when it is out of reach.
    async fn goal_check(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        name: String,
        target: String,
        target_date: String,
        saved: Option<String>,
    ) -> async_graphql::Result<super::planning::GoalProjectionNode> {
        super::planning::check_goal(ctx, user_id, name, target, target_date, saved).await
    }

    /// Every account of the person with its balance.
    async fn balances(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<Vec<super::dashboard::BalanceNode>> {
        super::dashboard::balances(ctx, user_id).await
    }

    /// The signed-in person's overview layout.
    async fn dashboard_layout(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<super::dashboard::LayoutNode> {
        super::dashboard::layout(ctx).await
    }

    /// The financial-health score with its drivers and the emergency fund.
    async fn financial_health(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
    ) -> async_graphql::Result<super::planning::FinancialHealthNode> {
        super::planning::financial_health(ctx, user_id).await
    }

    /// Which model version, run, data and code categorized a transaction.
    async fn transaction_lineage(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> async_graphql::Result<super::models::LineageNode> {
        super::models::lineage(ctx, id).await
    }

    /// The tenant's registered models (staff and service keys).
    async fn models(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Vec<super::models::RegisteredModelNode>> {
        super::models::models(ctx).await
    }

    /// Tracked runs, newest first (staff and service keys).
    #[graphql(complexity = "first.unwrap_or(100).max(1) as usize * child_complexity + 1")]
    async fn runs(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
    ) -> async_graphql::Result<Vec<super::models::RunNode>> {
        super::models::runs(ctx, first).await
    }

    /// The category tree, parents before children.
    async fn categories(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<CategoryNode>> {
        let taxonomy = env(ctx)?.services.taxonomy();
        Ok(taxonomy
            .iter()
            .map(|c| CategoryNode::of(taxonomy, &c.id))
            .collect())
    }

    /// Households the principal can see.
    async fn households(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<HouseholdNode>> {
        let env = env(ctx)?;
        Ok(env
            .services
            .households(env.principal)
            .await
            .map_err(gql)?
            .into_iter()
            .map(HouseholdNode)
            .collect())
    }

    /// Invitations waiting for the caller, and those concerning households
    /// the caller owns.
    async fn invitations(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Invitation>> {
        let env = env(ctx)?;
        Ok(env
            .services
            .invitations(env.principal)
            .await
            .map_err(gql)?
            .into_iter()
            .map(Invitation::from)
            .collect())
    }

    async fn household(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<HouseholdNode> {
        let env = env(ctx)?;
        let id = parse_id("id", &id, HouseholdId::parse)?;
        Ok(HouseholdNode(
            env.services
                .household(env.principal, id)
                .await
                .map_err(gql)?,
        ))
    }
}

#[derive(SimpleObject)]
pub struct Me {
    /// person, analyst, admin or service.
    kind: String,
    user: Option<UserNode>,
    households: Vec<Membership>,
}

#[derive(SimpleObject)]
pub struct Membership {
    household: HouseholdNode,
    role: String,
}

pub struct UserNode(pub(super) User);

/// Filters for a transaction list; see `GET /v1/transactions`.
#[derive(InputObject, Default)]
pub struct TransactionFilterInput {
    account_id: Option<ID>,
    /// Inclusive, YYYY-MM-DD.
    from: Option<String>,
    /// Inclusive, YYYY-MM-DD.
    to: Option<String>,
    /// This category and everything under it.
    category: Option<String>,
    min_amount: Option<String>,
    max_amount: Option<String>,
    /// Text in the description or merchant.
    q: Option<String>,
}

async fn transactions_of(
    ctx: &Context<'_>,
    user: Option<UserId>,
    account: Option<AccountId>,
    filter: Option<TransactionFilterInput>,
    first: Option<i32>,
    after: Option<String>,
) -> async_graphql::Result<TransactionPage> {
    let env = env(ctx)?;
    let filter = filter.unwrap_or_default();
    let filter = FilterText {
        account_id: filter.account_id.map(|id| id.0),
        from: filter.from,
        to: filter.to,
        category: filter.category,
        min_amount: filter.min_amount,
        max_amount: filter.max_amount,
        q: filter.q,
    }
    .parse(
        user,
        account,
        after,
        page_size("first", first.map(i64::from)).map_err(validation)?,
    )
    .map_err(validation)?;
    let page = env
        .services
        .transactions(env.principal, filter)
        .await
        .map_err(gql)?;
    Ok(TransactionPage {
        nodes: page.transactions.into_iter().map(TransactionNode).collect(),
        next_cursor: page.next.map(|c| c.encode()),
    })
}

#[Object(name = "User")]
impl UserNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    async fn accounts(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<AccountNode>> {
        let env = env(ctx)?;
        Ok(env
            .services
            .accounts(env.principal, Some(self.0.id))
            .await
            .map_err(gql)?
            .into_iter()
            .map(AccountNode)
            .collect())
    }

    /// Newest first; `first` is the page size (default 50), `after` a
    /// `nextCursor`.
    #[graphql(complexity = "first.unwrap_or(50).max(0) as usize * child_complexity + 1")]
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        filter: Option<TransactionFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<TransactionPage> {
        transactions_of(ctx, Some(self.0.id), None, filter, first, after).await
    }

    /// Totals by month, category and currency for [from, until); with
    /// `currency`, all converted into it at each month's last FX close.
    #[graphql(complexity = "super::limits::months_cost(&from, &until) * child_complexity + 1")]
    async fn monthly_totals(
        &self,
        ctx: &Context<'_>,
        from: String,
        until: String,
        currency: Option<String>,
    ) -> async_graphql::Result<Vec<MonthTotal>> {
        let env = env(ctx)?;
        let (user, from, until) = (
            Some(self.0.id),
            date("from", &from)?,
            date("until", &until)?,
        );
        let totals = match currency {
            Some(code) => {
                let currency = finsight_core::Currency::parse(&code).map_err(super::validation)?;
                env.services
                    .monthly_totals_in(env.principal, user, from, until, currency)
                    .await
            }
            None => {
                env.services
                    .monthly_totals(env.principal, user, from, until)
                    .await
            }
        }
        .map_err(gql)?;
        Ok(totals
            .into_iter()
            .map(|t| MonthTotal {
                month: format!("{:04}-{:02}", t.month.year(), u8::from(t.month.month())),
                category: CategoryNode::of(env.services.taxonomy(), &t.category),
                currency: t.total.currency().code().into(),
                total: t.total.amount_text(),
                count: t.count,
            })
            .collect())
    }

    async fn rules(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Rule>> {
        let env = env(ctx)?;
        Ok(env
            .services
            .rules(env.principal, Some(self.0.id))
            .await
            .map_err(gql)?
            .into_iter()
            .map(|rule| Rule::of(env.services.taxonomy(), rule))
            .collect())
    }
}

#[derive(SimpleObject)]
pub struct TransactionPage {
    nodes: Vec<TransactionNode>,
    /// Pass as `after` for the next page; null on the last page.
    next_cursor: Option<String>,
}

#[derive(SimpleObject)]
pub struct MonthTotal {
    /// YYYY-MM.
    month: String,
    category: CategoryNode,
    currency: String,
    /// Signed decimal.
    total: String,
    count: u64,
}

#[derive(SimpleObject)]
pub struct Rule {
    id: ID,
    pattern: String,
    category: CategoryNode,
    priority: i32,
}

impl Rule {
    pub(super) fn of(taxonomy: &Taxonomy, rule: finsight_core::CategoryRule) -> Self {
        Rule {
            id: ID(rule.id.to_string()),
            pattern: rule.pattern,
            category: CategoryNode::of(taxonomy, &rule.category),
            priority: rule.priority,
        }
    }
}

pub struct AccountNode(pub(super) Account);

#[Object(name = "Account")]
impl AccountNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// checking, savings, credit_card, loan, investment or cash.
    async fn kind(&self) -> &str {
        self.0.kind.as_str()
    }
    async fn currency(&self) -> &str {
        self.0.currency.code()
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn institution(&self) -> &str {
        &self.0.institution
    }
    /// The day it was closed (YYYY-MM-DD), if it is.
    async fn closed_on(&self) -> Option<String> {
        self.0.closed_on.map(|d| d.to_string())
    }
    async fn owner(&self, ctx: &Context<'_>) -> async_graphql::Result<UserNode> {
        let env = env(ctx)?;
        Ok(UserNode(
            env.services
                .user(env.principal, Some(self.0.user_id))
                .await
                .map_err(gql)?,
        ))
    }
    #[graphql(complexity = "first.unwrap_or(50).max(0) as usize * child_complexity + 1")]
    async fn transactions(
        &self,
        ctx: &Context<'_>,
        filter: Option<TransactionFilterInput>,
        first: Option<i32>,
        after: Option<String>,
    ) -> async_graphql::Result<TransactionPage> {
        transactions_of(ctx, None, Some(self.0.id), filter, first, after).await
    }
}

pub struct TransactionNode(pub(super) Transaction);

#[Object(name = "Transaction")]
impl TransactionNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// YYYY-MM-DD.
    async fn posted_on(&self) -> String {
        self.0.posted_on.to_string()
    }
    /// Signed decimal in `currency`.
    async fn amount(&self) -> String {
        self.0.amount.amount_text()
    }
    async fn currency(&self) -> &str {
        self.0.amount.currency().code()
    }
    async fn description(&self) -> &str {
        self.0.description.as_str()
    }
    async fn merchant(&self) -> Option<&str> {
        self.0.merchant.as_deref()
    }
    async fn mcc(&self) -> Option<u16> {
        self.0.mcc.map(|m| m.code())
    }
    async fn category(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CategoryNode>> {
        let taxonomy = env(ctx)?.services.taxonomy();
        Ok(self
            .0
            .category
            .as_ref()
            .map(|c| CategoryNode::of(taxonomy, c)))
    }
    /// user, rule, source, mcc or model.
    async fn category_source(&self) -> Option<&str> {
        self.0.category_source.map(|s| s.as_str())
    }
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    async fn account(&self, ctx: &Context<'_>) -> async_graphql::Result<AccountNode> {
        let env = env(ctx)?;
        Ok(AccountNode(
            env.services
                .account(env.principal, self.0.account_id)
                .await
                .map_err(gql)?,
        ))
    }
}

#[derive(SimpleObject)]
#[graphql(name = "Category", complex)]
pub struct CategoryNode {
    /// Dotted path, e.g. `dining.coffee`.
    id: String,
    name: String,
    #[graphql(skip)]
    parent_id: Option<String>,
}

impl CategoryNode {
    pub(super) fn of(taxonomy: &Taxonomy, id: &CategoryId) -> Self {
        let name = taxonomy
            .get(id)
            .map(|c| c.name.clone())
            .unwrap_or_else(|| id.as_str().to_owned());
        CategoryNode {
            id: id.as_str().to_owned(),
            name,
            parent_id: id.parent().map(|p| p.as_str().to_owned()),
        }
    }
}

#[ComplexObject]
impl CategoryNode {
    async fn parent(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<CategoryNode>> {
        let taxonomy = env(ctx)?.services.taxonomy();
        Ok(self
            .parent_id
            .as_deref()
            .and_then(|p| CategoryId::parse(p).ok())
            .map(|p| CategoryNode::of(taxonomy, &p)))
    }
}

pub struct HouseholdNode(pub(super) finsight_core::Household);

#[Object(name = "Household")]
impl HouseholdNode {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn members(&self, ctx: &Context<'_>) -> async_graphql::Result<Vec<Member>> {
        let env = env(ctx)?;
        Ok(env
            .services
            .members(env.principal, self.0.id)
            .await
            .map_err(gql)?
            .into_iter()
            .map(|(user, role)| Member {
                user_id: ID(user.id.to_string()),
                display_name: user.display_name,
                role: role.as_str().into(),
            })
            .collect())
    }
}

#[derive(SimpleObject)]
pub struct Member {
    pub(super) user_id: ID,
    pub(super) display_name: String,
    pub(super) role: String,
}

/// A person just added to a household.
#[derive(SimpleObject)]
pub struct NewPerson {
    pub(super) user_id: ID,
    pub(super) display_name: String,
    pub(super) role: String,
    /// `member`, or `invited` while an owner has still to approve.
    pub(super) status: &'static str,
}

/// An invitation to join a household, waiting for consent.
#[derive(SimpleObject)]
pub struct Invitation {
    pub(super) household_id: ID,
    pub(super) user_id: ID,
    pub(super) role: String,
    /// Who is still to consent: `person`, `owner`, or both.
    pub(super) awaiting: Vec<&'static str>,
}

impl From<finsight_store::Invitation> for Invitation {
    fn from(i: finsight_store::Invitation) -> Self {
        Self {
            household_id: ID(i.household.to_string()),
            user_id: ID(i.user.to_string()),
            role: i.role.as_str().into(),
            awaiting: i.awaiting(),
        }
    }
}

#[derive(SimpleObject)]
pub struct ApiKey {
    pub(super) id: ID,
    pub(super) name: String,
    pub(super) revoked: bool,
}

#[derive(SimpleObject)]
pub struct CreatedApiKey {
    pub(super) key: ApiKey,
    /// Shown only now.
    pub(super) secret: String,
}
