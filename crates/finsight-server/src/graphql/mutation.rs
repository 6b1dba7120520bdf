//! GraphQL mutations: REST's writes (edit a transaction, rules,
//! membership, onboarding, API keys) over the same services.

use async_graphql::{Context, ID, Object};
use finsight_core::{ApiKeyId, CategoryId, HouseholdId, HouseholdRole, TransactionId, UserId};
use finsight_store::TransactionEdit;

use super::query::*;
use super::{env, gql, invalid, parse_id};

pub struct MutationRoot;

/// The household and person a membership or invitation field names.
fn membership_ids(household_id: &ID, user_id: &ID) -> async_graphql::Result<(HouseholdId, UserId)> {
    Ok((
        parse_id("household_id", household_id, HouseholdId::parse)?,
        parse_id("user_id", user_id, UserId::parse)?,
    ))
}

#[Object]
impl MutationRoot {
    /// Open an account (owners and members, or a service key); `userId`
    /// defaults to the signed-in person.
    async fn create_account(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        kind: String,
        currency: String,
        name: String,
        institution: Option<String>,
    ) -> async_graphql::Result<AccountNode> {
        let env = env(ctx)?;
        let new = finsight_service::accounts::NewAccount {
            user: user_id
                .map(|u| parse_id("user_id", &u, UserId::parse))
                .transpose()?,
            kind: kind
                .parse::<finsight_core::AccountKind>()
                .map_err(|e| invalid("kind", e.reason))?,
            currency: finsight_core::Currency::parse(&currency)
                .map_err(|e| invalid("currency", e.reason))?,
            name,
            institution,
        };
        Ok(AccountNode(
            env.services
                .create_account(env.principal, new)
                .await
                .map_err(gql)?,
        ))
    }

    /// Rename an account, close it (`closedOn`: YYYY-MM-DD) or reopen it
    /// (`reopen: true`).
    async fn update_account(
        &self,
        ctx: &Context<'_>,
        id: ID,
        name: Option<String>,
        closed_on: Option<String>,
        reopen: Option<bool>,
    ) -> async_graphql::Result<AccountNode> {
        let env = env(ctx)?;
        let id = parse_id("id", &id, finsight_core::AccountId::parse)?;
        let closed_on = closed_on
            .map(|t| {
                finsight_core::PostingDate::parse(&t)
                    .map(|d| d.date())
                    .map_err(|e| invalid("closed_on", e.reason))
            })
            .transpose()?;
        let closed_on = match (closed_on, reopen) {
            (Some(_), Some(true)) => {
                return Err(invalid("reopen", "give either closedOn or reopen"));
            }
            (Some(day), _) => Some(Some(day)),
            (None, Some(true)) => Some(None),
            (None, _) => None,
        };
        let change = finsight_service::accounts::AccountChange { name, closed_on };
        Ok(AccountNode(
            env.services
                .update_account(env.principal, id, change)
                .await
                .map_err(gql)?,
        ))
    }

    /// Set a transaction's category and/or notes (`notes: ""` clears).
    async fn update_transaction(
        &self,
        ctx: &Context<'_>,
        id: ID,
        category: Option<String>,
        notes: Option<String>,
    ) -> async_graphql::Result<TransactionNode> {
        let env = env(ctx)?;
        let id = parse_id("id", &id, TransactionId::parse)?;
        let edit = TransactionEdit {
            category: category
                .map(|c| CategoryId::parse(&c).map_err(|e| invalid("category", e.reason)))
                .transpose()?,
            notes: notes.map(Some),
        };
        Ok(TransactionNode(
            env.services
                .edit_transaction(env.principal, id, edit)
                .await
                .map_err(gql)?,
        ))
    }

    /// Add a "description contains → category" rule for a person (default:
    /// the signed-in person).
    async fn add_rule(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        pattern: String,
        category: String,
        priority: Option<i32>,
    ) -> async_graphql::Result<Rule> {
        let env = env(ctx)?;
        let user = user_id
            .map(|u| parse_id("user_id", &u, UserId::parse))
            .transpose()?;
        let rule = env
            .services
            .add_rule(env.principal, user, &pattern, &category, priority)
            .await
            .map_err(gql)?;
        Ok(Rule::of(env.services.taxonomy(), rule))
    }

    async fn delete_rule(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        id: ID,
    ) -> async_graphql::Result<bool> {
        let env = env(ctx)?;
        let user = user_id
            .map(|u| parse_id("user_id", &u, UserId::parse))
            .transpose()?;
        let id = uuid::Uuid::parse_str(id.as_str()).map_err(|_| invalid("id", "is not a uuid"))?;
        env.services
            .delete_rule(env.principal, user, id)
            .await
            .map_err(gql)?;
        Ok(true)
    }

    /// Change a member's role, or invite a person of the tenant (owners,
    /// or an admin): `member` when done, `invited` while the person (and,
    /// for an admin's invitation, an owner) has still to accept.
    async fn set_member(
        &self,
        ctx: &Context<'_>,
        household_id: ID,
        user_id: ID,
        role: String,
    ) -> async_graphql::Result<&'static str> {
        let env = env(ctx)?;
        let (household, user) = membership_ids(&household_id, &user_id)?;
        let role = HouseholdRole::parse(&role).map_err(|e| invalid("role", e.reason))?;
        let change = env
            .services
            .set_member(env.principal, household, user, role)
            .await
            .map_err(gql)?;
        Ok(change.as_str())
    }

    /// Accept an invitation (the invited person) or approve it (an owner
    /// of the household): `member` once both sides agreed, else `invited`.
    async fn accept_invitation(
        &self,
        ctx: &Context<'_>,
        household_id: ID,
        user_id: ID,
    ) -> async_graphql::Result<&'static str> {
        let env = env(ctx)?;
        let (household, user) = membership_ids(&household_id, &user_id)?;
        let change = env
            .services
            .accept_invitation(env.principal, household, user)
            .await
            .map_err(gql)?;
        Ok(change.as_str())
    }

    /// Decline an invitation (the invited person) or withdraw it (an owner).
    async fn decline_invitation(
        &self,
        ctx: &Context<'_>,
        household_id: ID,
        user_id: ID,
    ) -> async_graphql::Result<bool> {
        let env = env(ctx)?;
        let (household, user) = membership_ids(&household_id, &user_id)?;
        env.services
            .decline_invitation(env.principal, household, user)
            .await
            .map_err(gql)?;
        Ok(true)
    }

    async fn remove_member(
        &self,
        ctx: &Context<'_>,
        household_id: ID,
        user_id: ID,
    ) -> async_graphql::Result<bool> {
        let env = env(ctx)?;
        let (household, user) = membership_ids(&household_id, &user_id)?;
        env.services
            .remove_member(env.principal, household, user)
            .await
            .map_err(gql)?;
        Ok(true)
    }

    /// Create a household in the admin's tenant.
    async fn create_household(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<HouseholdNode> {
        let env = env(ctx)?;
        Ok(HouseholdNode(
            env.services
                .create_household(env.principal, &name)
                .await
                .map_err(gql)?,
        ))
    }

    /// Add a new person to a household (its owners, or an admin; an
    /// admin's person joins a household that has members once an owner
    /// approves).
    async fn add_person(
        &self,
        ctx: &Context<'_>,
        household_id: ID,
        display_name: String,
        role: Option<String>,
    ) -> async_graphql::Result<NewPerson> {
        let env = env(ctx)?;
        let household = parse_id("household_id", &household_id, HouseholdId::parse)?;
        let role = role
            .map(|r| HouseholdRole::parse(&r).map_err(|e| invalid("role", e.reason)))
            .transpose()?
            .unwrap_or(HouseholdRole::Member);
        let (user, change) = env
            .services
            .add_person(env.principal, household, &display_name, role)
            .await
            .map_err(gql)?;
        Ok(NewPerson {
            user_id: ID(user.id.to_string()),
            display_name: user.display_name,
            role: role.as_str().into(),
            status: change.as_str(),
        })
    }

    /// Create a login for a person of the tenant (`userId`) or for staff
    /// (`staffRole`: analyst or admin); admins only.
    async fn create_login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
        user_id: Option<ID>,
        staff_role: Option<String>,
    ) -> async_graphql::Result<ID> {
        let env = env(ctx)?;
        let kind = match (user_id, staff_role) {
            (Some(user), None) => {
                finsight_core::LoginKind::Person(parse_id("user_id", &user, UserId::parse)?)
            }
            (None, Some(role)) => finsight_core::LoginKind::Staff(
                finsight_core::StaffRole::parse(&role)
                    .map_err(|e| invalid("staff_role", e.reason))?,
            ),
            _ => {
                return Err(invalid(
                    "user_id",
                    "give exactly one of userId and staffRole",
                ));
            }
        };
        let id = env
            .services
            .create_login(env.principal, &email, &password, kind)
            .await
            .map_err(gql)?;
        Ok(ID(id.to_string()))
    }

    /// Create a service API key (admins only).
    async fn create_api_key(
        &self,
        ctx: &Context<'_>,
        name: String,
    ) -> async_graphql::Result<CreatedApiKey> {
        let env = env(ctx)?;
        let (key, secret) = env
            .services
            .auth
            .create_api_key(env.principal, &name)
            .await
            .map_err(gql)?;
        Ok(CreatedApiKey {
            key: ApiKey {
                id: ID(key.id.to_string()),
                name: key.name,
                revoked: key.revoked,
            },
            secret,
        })
    }

    /// Revoke a service API key (admins only).
    async fn revoke_api_key(&self, ctx: &Context<'_>, id: ID) -> async_graphql::Result<bool> {
        let env = env(ctx)?;
        let id = parse_id("id", &id, ApiKeyId::parse)?;
        env.services
            .auth
            .revoke_api_key(env.principal, id)
            .await
            .map_err(gql)?;
        Ok(true)
    }

    /// Replace the person's budget (owners and members; audited).
    async fn set_budget(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        lines: Vec<super::planning::BudgetLineInputNode>,
    ) -> async_graphql::Result<super::planning::BudgetNode> {
        super::planning::set_budget(ctx, user_id, lines).await
    }

    /// Create a savings goal; answered with its check and projection.
    async fn create_goal(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        name: String,
        target: String,
        target_date: String,
        saved: Option<String>,
    ) -> async_graphql::Result<super::planning::GoalProjectionNode> {
        super::planning::create_goal(ctx, user_id, name, target, target_date, saved).await
    }

    /// Replace the signed-in person's overview layout.
    async fn set_dashboard_layout(
        &self,
        ctx: &Context<'_>,
        widgets: Vec<super::dashboard::WidgetNode>,
    ) -> async_graphql::Result<super::dashboard::LayoutNode> {
        super::dashboard::set_layout(ctx, widgets).await
    }

    /// Add to a goal (negative takes out); milestones raise alerts.
    async fn contribute_to_goal(
        &self,
        ctx: &Context<'_>,
        id: ID,
        amount: String,
    ) -> async_graphql::Result<super::planning::GoalNode> {
        super::planning::contribute_to_goal(ctx, id, amount).await
    }

    /// Accept, dismiss or snooze an insight.
    async fn insight_feedback(
        &self,
        ctx: &Context<'_>,
        user_id: Option<ID>,
        id: ID,
        response: String,
        snooze_days: Option<u32>,
    ) -> async_graphql::Result<bool> {
        super::planning::insight_feedback(ctx, user_id, id, response, snooze_days).await
    }
}
