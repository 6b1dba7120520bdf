//! MLflow's JSON shapes of Finsight's tracking and registry entities, and
//! the paging and filter conventions of its search endpoints.

use finsight_store::{Experiment, Metric, ModelVersion, Page, RegisteredModel, Run, RunInfo};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{MlflowError, invalid};

#[derive(Debug, Deserialize)]
pub(super) struct Tag {
    pub(super) key: String,
    #[serde(default)]
    pub(super) value: String,
}

pub(super) fn tags(list: Vec<Tag>) -> Vec<(String, String)> {
    list.into_iter().map(|t| (t.key, t.value)).collect()
}

pub(super) fn pairs(list: &[(String, String)]) -> Vec<Value> {
    list.iter()
        .map(|(key, value)| json!({"key": key, "value": value}))
        .collect()
}

pub(super) fn experiment_json(e: &Experiment) -> Value {
    json!({
        "experiment_id": e.id,
        "name": e.name,
        "artifact_location": e.artifact_location,
        "lifecycle_stage": e.lifecycle_stage,
        "creation_time": e.created_at,
        "last_update_time": e.updated_at,
        "tags": pairs(&e.tags),
    })
}

pub(super) fn run_info_json(info: &RunInfo) -> Value {
    let mut value = json!({
        "run_id": info.id,
        "run_uuid": info.id,
        "run_name": info.name,
        "experiment_id": info.experiment_id,
        "user_id": info.user,
        "status": info.status,
        "start_time": info.start_time,
        "artifact_uri": info.artifact_uri,
        "lifecycle_stage": info.lifecycle_stage,
    });
    if let Some(end) = info.end_time {
        value["end_time"] = json!(end);
    }
    value
}

pub(super) fn metric_json(m: &Metric) -> Value {
    json!({"key": m.key, "value": m.value, "timestamp": m.timestamp, "step": m.step})
}

pub(super) fn run_json(run: &Run) -> Value {
    json!({
        "info": run_info_json(&run.info),
        "data": {
            "metrics": run.metrics.iter().map(metric_json).collect::<Vec<_>>(),
            "params": pairs(&run.params),
            "tags": pairs(&run.tags),
        },
        "inputs": {},
    })
}

pub(super) fn version_json(v: &ModelVersion) -> Value {
    json!({
        "name": v.name,
        "version": v.version.to_string(),
        "creation_timestamp": v.created_at,
        "last_updated_timestamp": v.created_at,
        "current_stage": "None",
        "description": v.description,
        "source": v.source,
        "run_id": v.run_id.clone().unwrap_or_default(),
        "status": v.status,
        "aliases": v.aliases,
    })
}

pub(super) fn model_json(m: &RegisteredModel) -> Value {
    json!({
        "name": m.name,
        "creation_timestamp": m.created_at,
        "last_updated_timestamp": m.updated_at,
        "description": m.description,
        "aliases": m.aliases.iter()
            .map(|(alias, version)| json!({"alias": alias, "version": version.to_string()}))
            .collect::<Vec<_>>(),
    })
}

/// A page from MLflow's `max_results` and `page_token` (our token is the
/// offset).
pub(super) fn page(max_results: Option<i64>, token: Option<&str>) -> Result<Page, MlflowError> {
    // MLflow's client asks for up to 200,000 at once; pages here hold at
    // most 1,000 and say where the next one starts.
    let limit = max_results.unwrap_or(1000);
    if limit < 1 {
        return Err(invalid("max_results: must be at least 1"));
    }
    let limit = limit.min(1000);
    let offset = match token.filter(|t| !t.is_empty()) {
        Some(t) => t
            .parse()
            .map_err(|_| invalid("page_token: is not a token this server gave out"))?,
        None => 0,
    };
    Ok(Page {
        offset,
        limit: limit as u32,
    })
}

pub(super) fn next_token(page: Page, returned: usize) -> Option<String> {
    (returned == page.limit as usize).then(|| (page.offset + page.limit).to_string())
}

pub(super) fn with_token(mut value: Value, token: Option<String>) -> Value {
    if let Some(token) = token {
        value["next_page_token"] = json!(token);
    }
    value
}

pub(super) fn version_number(text: &str) -> Result<i64, MlflowError> {
    text.parse()
        .map_err(|_| invalid(format!("version: {text:?} is not a version number")))
}

/// Only the filters the client itself sends are understood: none,
/// `KEY='…'`, and the clause MLflow 3 adds to exclude prompts (Finsight
/// stores none), joined by `AND`.
pub(super) fn simple_filter<'a>(
    filter: Option<&'a str>,
    key: &str,
) -> Result<Option<&'a str>, MlflowError> {
    let Some(filter) = filter.map(str::trim).filter(|f| !f.is_empty()) else {
        return Ok(None);
    };
    let mut found = None;
    for clause in filter.split(" AND ").flat_map(|c| c.split(" and ")) {
        let clause = clause.trim();
        if clause.starts_with("tag.`mlflow.prompt.is_prompt`") && clause.contains("!=") {
            continue;
        }
        let value = clause
            .strip_prefix(key)
            .map(str::trim_start)
            .and_then(|rest| rest.strip_prefix('='))
            .map(str::trim)
            .and_then(|v| {
                v.strip_prefix('\'')
                    .and_then(|v| v.strip_suffix('\''))
                    .or_else(|| v.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
            });
        match value {
            Some(value) if found.is_none() => found = Some(value),
            _ => {
                return Err(invalid(format!(
                    "filter: only {key}='…' is supported, not {filter:?}"
                )));
            }
        }
    }
    Ok(found)
}
