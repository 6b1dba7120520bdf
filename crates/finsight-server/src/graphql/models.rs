//! The learned models in GraphQL: the same service calls as REST's review
//! queue, recurring, lineage, models and runs routes.

use async_graphql::{Context, ID, SimpleObject};
use finsight_core::{TransactionId, UserId};
use finsight_models::recurring::SeriesStatus;
use finsight_store::{Page, Run};

use super::query::TransactionNode;
use super::{env, gql, parse_id};

#[derive(SimpleObject)]
pub struct ReviewItemNode {
    pub transaction: TransactionNode,
    /// The categorizer's best guess, not applied.
    pub suggested_category: String,
    pub confidence: f64,
    pub model: String,
    pub model_version: i64,
}

#[derive(SimpleObject)]
pub struct PriceChangeNode {
    pub date: String,
    pub from: String,
    pub to: String,
}

#[derive(SimpleObject)]
pub struct RecurringNode {
    pub account_id: ID,
    pub payee: String,
    pub category: Option<String>,
    pub cadence: String,
    pub income: bool,
    /// `active` or `cancelled`.
    pub status: String,
    pub fixed_amount: bool,
    pub currency: String,
    pub last_date: String,
    pub last_amount: String,
    pub next_date: String,
    pub next_amount: String,
    pub next_amount_low: String,
    pub next_amount_high: String,
    pub price_changes: Vec<PriceChangeNode>,
}

#[derive(SimpleObject)]
pub struct KeyValueNode {
    pub key: String,
    pub value: String,
}

#[derive(SimpleObject)]
pub struct MetricNode {
    pub key: String,
    pub value: f64,
    pub step: i64,
}

#[derive(SimpleObject)]
pub struct RunNode {
    pub run_id: String,
    pub experiment_id: String,
    pub name: String,
    pub status: String,
    /// Milliseconds since the Unix epoch.
    pub start_time: i64,
    pub params: Vec<KeyValueNode>,
    pub metrics: Vec<MetricNode>,
    pub tags: Vec<KeyValueNode>,
}

#[derive(SimpleObject)]
pub struct LineageNode {
    pub category: String,
    pub confidence: f64,
    pub status: String,
    pub model: String,
    pub model_version: i64,
    pub source: Option<String>,
    pub run: Option<RunNode>,
}

#[derive(SimpleObject)]
pub struct ModelVersionNode {
    pub version: i64,
    pub run_id: Option<String>,
    pub aliases: Vec<String>,
}

#[derive(SimpleObject)]
pub struct RegisteredModelNode {
    pub name: String,
    pub description: String,
    pub versions: Vec<ModelVersionNode>,
}

fn pairs(list: Vec<(String, String)>) -> Vec<KeyValueNode> {
    list.into_iter()
        .map(|(key, value)| KeyValueNode { key, value })
        .collect()
}

fn run_node(run: Run) -> RunNode {
    RunNode {
        run_id: run.info.id,
        experiment_id: run.info.experiment_id,
        name: run.info.name,
        status: run.info.status,
        start_time: run.info.start_time,
        params: pairs(run.params),
        metrics: run
            .metrics
            .into_iter()
            .map(|m| MetricNode {
                key: m.key,
                value: m.value,
                step: m.step,
            })
            .collect(),
        tags: pairs(run.tags),
    }
}

pub(super) async fn review_queue(
    ctx: &Context<'_>,
    user_id: Option<ID>,
    first: Option<i32>,
) -> async_graphql::Result<Vec<ReviewItemNode>> {
    let env = env(ctx)?;
    let user = user_id
        .map(|id| parse_id("userId", &id, UserId::parse))
        .transpose()?;
    let limit = crate::filter::page_size("first", first.map(i64::from))
        .map_err(super::validation)?
        .unwrap_or(100);
    let items = env
        .services
        .review_queue(env.principal, user, None, limit)
        .await
        .map_err(gql)?;
    Ok(items
        .into_iter()
        .map(|item| ReviewItemNode {
            transaction: TransactionNode(item.transaction),
            suggested_category: item.suggestion.category.as_str().to_owned(),
            confidence: item.suggestion.confidence,
            model: item.suggestion.model,
            model_version: item.suggestion.version,
        })
        .collect())
}

pub(super) async fn recurring(
    ctx: &Context<'_>,
    user_id: Option<ID>,
) -> async_graphql::Result<Vec<RecurringNode>> {
    let env = env(ctx)?;
    let user = user_id
        .map(|id| parse_id("userId", &id, UserId::parse))
        .transpose()?;
    let series = env
        .services
        .recurring(env.principal, user)
        .await
        .map_err(gql)?;
    Ok(series
        .into_iter()
        .map(|s| RecurringNode {
            account_id: ID(s.account_id.to_string()),
            payee: s.payee,
            category: s.category.map(|c| c.as_str().to_owned()),
            cadence: s.cadence.as_str().to_owned(),
            income: s.income,
            status: if s.status == SeriesStatus::Active {
                "active"
            } else {
                "cancelled"
            }
            .to_owned(),
            fixed_amount: s.fixed_amount,
            currency: s.last_amount.currency().code().to_owned(),
            last_date: s.last_date.to_string(),
            last_amount: s.last_amount.amount_text(),
            next_date: s.next_date.to_string(),
            next_amount: s.next_amount.amount_text(),
            next_amount_low: s.next_low.amount_text(),
            next_amount_high: s.next_high.amount_text(),
            price_changes: s
                .price_changes
                .into_iter()
                .map(|c| PriceChangeNode {
                    date: c.date.to_string(),
                    from: c.from.amount_text(),
                    to: c.to.amount_text(),
                })
                .collect(),
        })
        .collect())
}

pub(super) async fn lineage(ctx: &Context<'_>, id: ID) -> async_graphql::Result<LineageNode> {
    let env = env(ctx)?;
    let id = parse_id("id", &id, TransactionId::parse)?;
    let lineage = env.services.lineage(env.principal, id).await.map_err(gql)?;
    Ok(LineageNode {
        category: lineage.categorization.category.as_str().to_owned(),
        confidence: lineage.categorization.confidence,
        status: lineage.categorization.status.as_str().to_owned(),
        model: lineage.categorization.model,
        model_version: lineage.categorization.version,
        source: lineage.version.map(|v| v.source),
        run: lineage.run.map(run_node),
    })
}

pub(super) async fn models(ctx: &Context<'_>) -> async_graphql::Result<Vec<RegisteredModelNode>> {
    let env = env(ctx)?;
    let all = Page {
        offset: 0,
        limit: 1000,
    };
    let mut nodes = Vec::new();
    for model in env
        .services
        .registered_models(env.principal, all)
        .await
        .map_err(gql)?
    {
        let versions = env
            .services
            .model_versions(env.principal, Some(&model.name), all)
            .await
            .map_err(gql)?;
        nodes.push(RegisteredModelNode {
            name: model.name,
            description: model.description,
            versions: versions
                .into_iter()
                .map(|v| ModelVersionNode {
                    version: v.version,
                    run_id: v.run_id,
                    aliases: v.aliases,
                })
                .collect(),
        });
    }
    Ok(nodes)
}

pub(super) async fn runs(
    ctx: &Context<'_>,
    first: Option<i32>,
) -> async_graphql::Result<Vec<RunNode>> {
    let env = env(ctx)?;
    let limit = crate::filter::page_size("first", first.map(i64::from))
        .map_err(super::validation)?
        .unwrap_or(100);
    let runs = env
        .services
        .runs(env.principal, None, Page { offset: 0, limit })
        .await
        .map_err(gql)?;
    Ok(runs.into_iter().map(run_node).collect())
}
