//! Feature lookups: one entity's current vectors, or a batch of up to
//! 1,000 entities, from the online feature store through the service
//! layer's authorization.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::{Path, State};
use finsight_features::EntityKey;
use finsight_service::features::EntityFeatures;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, rfc3339};
use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody};

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ViewVector {
    view: String,
    /// Values of one version never mix with another's.
    version: u32,
    /// Feature name → value (null when it cannot be computed, e.g. a mean
    /// of nothing); the whole map is null when the entity has no vector
    /// (no event within the view's TTL).
    #[schema(value_type = Option<Object>)]
    features: Option<BTreeMap<String, Option<f64>>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct EntityVector {
    /// `user`, `user_category`, `user_merchant`, `account`, `asset` or
    /// `currency_pair`.
    entity_type: String,
    /// As asked for (analysts: the pseudonym).
    entity_id: String,
    /// False when the entity is unknown or not visible to the caller.
    found: bool,
    /// RFC 3339: the time the values are as of.
    as_of: String,
    views: Vec<ViewVector>,
}

fn vector(answer: EntityFeatures, as_of: &str) -> EntityVector {
    EntityVector {
        entity_type: answer.entity_type.as_str().to_owned(),
        entity_id: answer.entity_id,
        found: answer.found,
        as_of: as_of.to_owned(),
        views: answer
            .views
            .into_iter()
            .map(|v| ViewVector {
                view: v.view,
                version: v.version,
                features: v.values.map(|values| values.into_iter().collect()),
            })
            .collect(),
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct FeatureParams {
    /// Comma-separated `view` or `view.feature` names (default: every view
    /// of the entity's kind).
    features: Option<String>,
}

fn names(list: Option<&str>) -> Vec<String> {
    list.map(|l| {
        l.split(',')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// One entity's current feature vectors.
#[utoipa::path(
    get, path = "/v1/features/{entity_type}/{entity_id}", tag = "features",
    params(
        ("entity_type" = String, Path, description = "user, user_category, user_merchant, account, asset or currency_pair"),
        ("entity_id" = String, Path, description = "e.g. a user id, `USER_ID:dining`, `VTI`, `EUR-USD`"),
        FeatureParams,
    ),
    responses(
        (status = 200, description = "The vectors", body = EntityVector),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "No such entity visible to the caller", body = ErrorBody),
        (status = 422, description = "Bad entity or feature name", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
        (status = 503, description = "The online store did not answer", body = ErrorBody),
    )
)]
pub(crate) async fn get(
    State(state): State<AppState>,
    caller: Caller,
    Path((entity_type, entity_id)): Path<(String, String)>,
    ApiQuery(params): ApiQuery<FeatureParams>,
) -> Result<Json<EntityVector>, ApiError> {
    let as_of = rfc3339(state.services.clock().now());
    let answer = state
        .services
        .entity_features(
            caller.principal(),
            &entity_type,
            &entity_id,
            &names(params.features.as_deref()),
        )
        .await?;
    Ok(Json(vector(answer, &as_of)))
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct EntityRef {
    entity_type: String,
    entity_id: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct FeatureBatchRequest {
    /// 1 to 1,000 entities.
    entities: Vec<EntityRef>,
    /// `view` or `view.feature` names (default: every view of each
    /// entity's kind).
    #[serde(default)]
    features: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct FeatureBatchResponse {
    /// In request order.
    results: Vec<EntityVector>,
}

/// Many entities' vectors in one call.
#[utoipa::path(
    post, path = "/v1/features:batch", tag = "features", request_body = FeatureBatchRequest,
    responses(
        (status = 200, description = "One result per entity, in order", body = FeatureBatchResponse),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 415, description = "Not JSON", body = ErrorBody),
        (status = 422, description = "Bad entity, feature name or batch size", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
        (status = 503, description = "The online store did not answer", body = ErrorBody),
    )
)]
pub(crate) async fn batch(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(request): ApiJson<FeatureBatchRequest>,
) -> Result<Json<FeatureBatchResponse>, ApiError> {
    if request.entities.is_empty() {
        return Err(ApiError::invalid("entities", "name at least one entity"));
    }
    let entities = request
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| {
            EntityKey::parse(&e.entity_type, &e.entity_id).map_err(|error| {
                ApiError::invalid(&format!("entities[{i}].{}", error.field), error.reason)
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let as_of = rfc3339(state.services.clock().now());
    let answers = state
        .services
        .features_batch(caller.principal(), &entities, &request.features)
        .await?;
    Ok(Json(FeatureBatchResponse {
        results: answers.into_iter().map(|a| vector(a, &as_of)).collect(),
    }))
}
