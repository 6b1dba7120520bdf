//! Registered models, versions and aliases: MLflow's model-registry
//! endpoints over `finsight_service::{models, tracking}`.

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use finsight_service::ServiceError;
use serde::Deserialize;
use serde_json::json;

use super::json::*;
use super::tracking::Search;
use super::{Answer, Body, Params, invalid};
use crate::AppState;
use crate::caller::Caller;
use crate::error::ApiError;

#[derive(Deserialize)]
pub(super) struct CreateModel {
    name: String,
    #[serde(default)]
    description: String,
}

pub(super) async fn create_registered_model(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<CreateModel>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let principal = caller.principal();
    state
        .services
        .create_registered_model(principal, &body.name, &body.description)
        .await?;
    let model = state
        .services
        .registered_model(principal, &body.name)
        .await?;
    Ok(Json(json!({"registered_model": model_json(&model)})))
}

#[derive(Deserialize)]
pub(super) struct ModelRef {
    name: String,
    version: Option<String>,
    alias: Option<String>,
}

pub(super) async fn get_registered_model(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<ModelRef>,
) -> Answer {
    let caller = caller?;
    let Query(params) = params?;
    let model = state
        .services
        .registered_model(caller.principal(), &params.name)
        .await?;
    Ok(Json(json!({"registered_model": model_json(&model)})))
}

pub(super) async fn search_registered_models(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<Search>,
) -> Answer {
    let caller = caller?;
    let Query(search) = params?;
    let name = simple_filter(search.filter.as_deref(), "name")?;
    let page = page(search.max_results, search.page_token.as_deref())?;
    let principal = caller.principal();
    let models = match name {
        Some(name) => match state.services.registered_model(principal, name).await {
            Ok(model) => vec![model],
            Err(ServiceError::NotFound(_)) => vec![],
            Err(e) => return Err(e.into()),
        },
        None => state.services.registered_models(principal, page).await?,
    };
    Ok(Json(with_token(
        json!({"registered_models": models.iter().map(model_json).collect::<Vec<_>>()}),
        name.is_none()
            .then(|| next_token(page, models.len()))
            .flatten(),
    )))
}

#[derive(Deserialize)]
pub(super) struct CreateVersion {
    name: String,
    source: String,
    run_id: Option<String>,
    #[serde(default)]
    description: String,
}

pub(super) async fn create_model_version(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<CreateVersion>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let run = body.run_id.filter(|r| !r.is_empty());
    let version = state
        .services
        .create_model_version(
            caller.principal(),
            &body.name,
            &body.source,
            run.as_deref(),
            &body.description,
        )
        .await?;
    Ok(Json(json!({"model_version": version_json(&version)})))
}

pub(super) async fn get_model_version(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<ModelRef>,
) -> Answer {
    let caller = caller?;
    let Query(params) = params?;
    let version = version_number(
        params
            .version
            .as_deref()
            .ok_or_else(|| invalid("version: is required"))?,
    )?;
    let found = state
        .services
        .model_version(caller.principal(), &params.name, version)
        .await?;
    Ok(Json(json!({"model_version": version_json(&found)})))
}

pub(super) async fn search_model_versions(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<Search>,
) -> Answer {
    let caller = caller?;
    let Query(search) = params?;
    let page = page(search.max_results, search.page_token.as_deref())?;
    let principal = caller.principal();
    let versions = match (
        simple_filter(search.filter.as_deref(), "name"),
        simple_filter(search.filter.as_deref(), "run_id"),
    ) {
        (Ok(name), _) => state.services.model_versions(principal, name, page).await?,
        (_, Ok(Some(run))) => state
            .services
            .model_versions(principal, None, page)
            .await?
            .into_iter()
            .filter(|v| v.run_id.as_deref() == Some(run))
            .collect(),
        (Err(error), _) => return Err(error),
    };
    Ok(Json(with_token(
        json!({"model_versions": versions.iter().map(version_json).collect::<Vec<_>>()}),
        next_token(page, versions.len()),
    )))
}

#[derive(Deserialize)]
pub(super) struct SetAlias {
    name: String,
    alias: String,
    version: String,
}

pub(super) async fn set_alias(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    body: Body<SetAlias>,
) -> Answer {
    let caller = caller?;
    let Json(body) = body?;
    let version = version_number(&body.version)?;
    state
        .services
        .promote_model(caller.principal(), &body.name, version, &body.alias)
        .await?;
    Ok(Json(json!({})))
}

pub(super) async fn get_alias(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Params<ModelRef>,
) -> Answer {
    let caller = caller?;
    let Query(params) = params?;
    let alias = params.alias.ok_or_else(|| invalid("alias: is required"))?;
    let version = state
        .services
        .model_version_by_alias(caller.principal(), &params.name, &alias)
        .await?;
    Ok(Json(json!({"model_version": version_json(&version)})))
}

/// The client sends a DELETE's fields as JSON; curl users send a query.
pub(super) async fn delete_alias(
    State(state): State<AppState>,
    caller: Result<Caller, ApiError>,
    params: Result<Query<ModelRef>, QueryRejection>,
    body: Body<ModelRef>,
) -> Answer {
    let caller = caller?;
    let reference = match (body, params) {
        (Ok(Json(body)), _) => body,
        (Err(_), Ok(Query(params))) => params,
        (Err(rejection), Err(_)) => return Err(rejection.into()),
    };
    let alias = reference
        .alias
        .ok_or_else(|| invalid("alias: is required"))?;
    state
        .services
        .delete_model_alias(caller.principal(), &reference.name, &alias)
        .await?;
    Ok(Json(json!({})))
}
