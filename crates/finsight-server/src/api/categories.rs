//! The category tree and each person's "description contains X → category
//! Y" rules.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use finsight_core::CategoryRule;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::accounts::{UserParam, user_param};
use super::{ApiJson, ApiQuery, parse_uuid};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CategoryView {
    /// Dotted path, e.g. `dining.coffee`.
    id: String,
    name: String,
    /// The parent's path; absent for top-level categories.
    parent: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct CategoryTree {
    /// Every category, parents before children.
    categories: Vec<CategoryView>,
}

/// The category tree.
#[utoipa::path(
    get, path = "/v1/categories", tag = "categories",
    responses(
        (status = 200, description = "The tree", body = CategoryTree),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn tree(State(state): State<AppState>, _caller: Caller) -> Json<CategoryTree> {
    let taxonomy = state.services.taxonomy();
    Json(CategoryTree {
        categories: taxonomy
            .iter()
            .map(|c| CategoryView {
                id: c.id.as_str().to_owned(),
                name: c.name.clone(),
                parent: c.id.parent().map(|p| p.as_str().to_owned()),
            })
            .collect(),
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RuleView {
    id: String,
    user_id: String,
    /// Matched case-insensitively against descriptions and merchants.
    pattern: String,
    category: String,
    /// Higher wins when several rules match.
    priority: i32,
}

impl From<CategoryRule> for RuleView {
    fn from(rule: CategoryRule) -> Self {
        Self {
            id: rule.id.to_string(),
            user_id: rule.user_id.to_string(),
            pattern: rule.pattern,
            category: rule.category.as_str().to_owned(),
            priority: rule.priority,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct RuleList {
    rules: Vec<RuleView>,
}

/// A person's category rules.
#[utoipa::path(
    get, path = "/v1/rules", tag = "categories", params(UserParam),
    responses(
        (status = 200, description = "The rules", body = RuleList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad parameter", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn list_rules(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UserParam>,
) -> Result<Json<RuleList>, ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let rules = state.services.rules(caller.principal(), user).await?;
    Ok(Json(RuleList {
        rules: rules.into_iter().map(Into::into).collect(),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewRule {
    /// 2 to 100 characters.
    #[schema(example = "BLUE BOTTLE")]
    pattern: String,
    #[schema(example = "dining.coffee")]
    category: String,
    #[serde(default)]
    priority: Option<i32>,
}

/// Add a rule: descriptions containing `pattern` get `category` on import
/// and reprocessing.
#[utoipa::path(
    post, path = "/v1/rules", tag = "categories", params(UserParam),
    request_body = NewRule,
    responses(
        (status = 201, description = "Created", body = RuleView),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may read but not change this user's data", body = ErrorBody),
        (status = 404, description = "No such user visible to the caller", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad field", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn add_rule(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(params): ApiQuery<UserParam>,
    ApiJson(rule): ApiJson<NewRule>,
) -> Result<(StatusCode, Json<RuleView>), ApiError> {
    let user = user_param(params.user_id.as_deref())?;
    let rule = state
        .services
        .add_rule(
            caller.principal(),
            user,
            &rule.pattern,
            &rule.category,
            rule.priority,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(rule.into())))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct RuleOwner {
    /// Whose rule (default: the signed-in person).
    #[param(format = Uuid)]
    user_id: Option<String>,
}

/// Delete a rule.
#[utoipa::path(
    delete, path = "/v1/rules/{rule_id}", tag = "categories",
    params(("rule_id" = String, Path, format = Uuid), RuleOwner),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may read but not change this user's data", body = ErrorBody),
        (status = 404, description = "No such rule visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad id", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub(crate) async fn delete_rule(
    State(state): State<AppState>,
    caller: Caller,
    Path(rule_id): Path<String>,
    ApiQuery(params): ApiQuery<RuleOwner>,
) -> Result<StatusCode, ApiError> {
    let id = parse_uuid("rule_id", &rule_id, |t| {
        uuid::Uuid::parse_str(t.trim())
            .map_err(|_| finsight_core::ValidationError::new("rule_id", "is not a uuid"))
    })?;
    let user = user_param(params.user_id.as_deref())?;
    state
        .services
        .delete_rule(caller.principal(), user, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
