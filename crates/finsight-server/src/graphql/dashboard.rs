//! GraphQL over what the dashboard reads besides the rest: balances by
//! account and the signed-in person's overview layout, through the same
//! services as `/v1/balances` and `/v1/dashboard/layout`.

use async_graphql::{Context, ID, InputObject, SimpleObject};
use finsight_core::UserId;
use finsight_service::dashboard::{AccountBalance, DashboardLayout, SavedLayout, Widget};

use super::query::AccountNode;
use super::{env, gql, parse_id};

#[derive(SimpleObject)]
pub struct BalanceNode {
    pub account: AccountNode,
    /// Money in less money out over the transactions the ledger holds.
    pub balance: String,
    pub transactions: u64,
    pub last_posted_on: Option<String>,
}

impl From<AccountBalance> for BalanceNode {
    fn from(b: AccountBalance) -> Self {
        Self {
            account: AccountNode(b.account),
            balance: b.balance.amount_text(),
            transactions: b.transactions,
            last_posted_on: b.last_posted_on.map(|d| d.to_string()),
        }
    }
}

#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "WidgetInput")]
pub struct WidgetNode {
    pub kind: String,
    pub width: u8,
    pub height: u8,
}

#[derive(SimpleObject)]
pub struct LayoutNode {
    pub widgets: Vec<WidgetNode>,
    /// Milliseconds since the epoch; absent for the standard layout.
    pub saved_at: Option<i64>,
}

impl From<SavedLayout> for LayoutNode {
    fn from(saved: SavedLayout) -> Self {
        Self {
            widgets: saved
                .layout
                .widgets
                .into_iter()
                .map(|w| WidgetNode {
                    kind: w.kind,
                    width: w.width,
                    height: w.height,
                })
                .collect(),
            saved_at: saved.saved_at,
        }
    }
}

pub(super) async fn balances(
    ctx: &Context<'_>,
    user_id: Option<ID>,
) -> async_graphql::Result<Vec<BalanceNode>> {
    let env = env(ctx)?;
    let user = user_id
        .map(|id| parse_id("userId", &id, UserId::parse))
        .transpose()?;
    Ok(env
        .services
        .balances(env.principal, user)
        .await
        .map_err(gql)?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub(super) async fn layout(ctx: &Context<'_>) -> async_graphql::Result<LayoutNode> {
    let env = env(ctx)?;
    Ok(env
        .services
        .dashboard_layout(env.principal)
        .await
        .map_err(gql)?
        .into())
}

pub(super) async fn set_layout(
    ctx: &Context<'_>,
    widgets: Vec<WidgetNode>,
) -> async_graphql::Result<LayoutNode> {
    let env = env(ctx)?;
    let layout = DashboardLayout {
        widgets: widgets
            .into_iter()
            .map(|w| Widget {
                kind: w.kind,
                width: w.width,
                height: w.height,
            })
            .collect(),
    };
    Ok(env
        .services
        .save_dashboard_layout(env.principal, layout)
        .await
        .map_err(gql)?
        .into())
}
