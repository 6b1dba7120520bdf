//! HTTP ingestion: a JSON batch of transactions, a multipart file upload,
//! and the data-quality report. Writes honour an `Idempotency-Key` header
//! with Stripe's semantics: the first response is stored and replayed for
//! the same key and body; the same key with another body is refused.

use axum::Json;
use axum::body::Bytes;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use finsight_core::{AccountId, UserId};
use finsight_ingest::format::FileFormat;
use finsight_ingest::import::IngestReport;
use finsight_ingest::record::ParsedFile;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::caller::Caller;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use finsight_core::Action;

/// Most transactions one batch request may carry.
pub const MAX_BATCH_RECORDS: usize = 1000;
/// Largest accepted upload, in bytes.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

fn report_json(report: &IngestReport) -> Value {
    to_body(&IngestResult {
        accepted: report.accepted,
        duplicates: report.duplicates,
        quarantined: report.quarantined,
        rejected: report
            .rejected
            .iter()
            .map(|r| Rejection {
                location: r.location.clone(),
                field: r.field.clone(),
                reason: r.reason.clone(),
            })
            .collect(),
    })
}

/// A typed answer as the JSON the idempotency layer stores and replays:
/// the same struct documents it in the OpenAPI document.
fn to_body(answer: &impl serde::Serialize) -> Value {
    serde_json::to_value(answer).unwrap_or(Value::Null)
}

/// An unreadable or oversized body, in the API's error shape.
fn body_error(status: StatusCode, text: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(ErrorCode::PayloadTooLarge, "the request body is too large")
    } else {
        ApiError::invalid("body", text)
    }
}

fn hash(parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update((part.len() as u64).to_be_bytes());
        hasher.update(part);
    }
    hex::encode(hasher.finalize())
}

/// A batch of transactions for one account (documentation only: the body
/// is read as raw JSON so every record's problems can be itemised).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct BatchRequest {
    /// The account every record belongs to; the caller must be allowed to
    /// write to it.
    #[schema(format = Uuid)]
    account_id: String,
    /// 1 to 1,000 JSON Lines records (`posted_on`, `amount` as a string,
    /// `currency`, `description`, ...).
    transactions: Vec<serde_json::Value>,
}

/// What an ingest request did.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct IngestResult {
    accepted: u64,
    duplicates: u64,
    quarantined: u64,
    /// The first records sent to quarantine (at most 100), with the field
    /// and reason.
    rejected: Vec<Rejection>,
}

/// A record sent to quarantine.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct Rejection {
    /// Where in the request: `transactions[3]`, `line 12`.
    location: String,
    field: String,
    reason: String,
}

/// Add up to 1,000 transactions to an account. Bad records are quarantined
/// and itemised under `rejected`; the good ones are written. Honours
/// `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/transactions:batch", tag = "ingest",
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    request_body = BatchRequest,
    responses(
        (status = 200, description = "Written", body = IngestResult),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may read but not write this account", body = ErrorBody),
        (status = 404, description = "No such account visible to the caller", body = ErrorBody),
        (status = 409, description = "A request with this key is in progress", body = ErrorBody),
        (status = 413, description = "Body too large", body = ErrorBody),
        (status = 422, description = "Malformed request, or key reused with another body", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub async fn batch(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let body = body.map_err(|rejection| body_error(rejection.status(), rejection.body_text()))?;
    let body_hash = hash(&[b"batch", &body]);
    // Read and authorize the request before any key is claimed or
    // replayed: a replay only ever answers someone who may make it.
    let request: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::invalid("body", format!("not JSON: {e}")))?;
    let object = request
        .as_object()
        .ok_or_else(|| ApiError::invalid("body", "must be a JSON object"))?;
    if let Some(unknown) = object
        .keys()
        .find(|k| !matches!(k.as_str(), "account_id" | "transactions"))
    {
        return Err(ApiError::invalid(
            unknown,
            "is not a field of a batch request",
        ));
    }
    let records = object
        .get("transactions")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::invalid("transactions", "must be an array of transactions"))?;
    if records.is_empty() || records.len() > MAX_BATCH_RECORDS {
        return Err(ApiError::invalid(
            "transactions",
            format!(
                "must hold 1 to {MAX_BATCH_RECORDS} transactions, not {}",
                records.len()
            ),
        ));
    }
    let account = match object.get("account_id") {
        None | Some(Value::Null) => {
            return Err(ApiError::invalid("account_id", "is required"));
        }
        Some(Value::String(text)) => {
            let id =
                AccountId::parse(text).map_err(|e| ApiError::invalid("account_id", e.reason))?;
            state
                .services
                .authorize_account(caller.principal(), id, Action::Write)
                .await?
        }
        Some(_) => return Err(ApiError::invalid("account_id", "must be a string")),
    };
    let idempotency_key = crate::idempotency::key(&headers)?;
    let work = async {
        let mut parsed = ParsedFile::default();
        for (index, record) in records.iter().enumerate() {
            let location = format!("transactions[{index}]");
            match finsight_ingest::jsonl::parse_line(&record.to_string(), location) {
                Ok(record) => parsed.records.push(record),
                Err(error) => parsed.errors.push(error),
            }
        }
        let origin = idempotency_key
            .as_deref()
            .map_or_else(|| "api batch".to_owned(), |k| format!("api batch {k}"));
        let report = state
            .services
            .ingest_batch(caller.principal(), account, parsed, origin)
            .await?;
        Ok((StatusCode::OK, report_json(&report)))
    };
    crate::idempotency::idempotent(&state, caller.principal(), &headers, body_hash, work).await
}

/// A file upload (documentation only).
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct ImportForm {
    /// The bank file: CSV, OFX/QFX, QIF, camt.053, MT940 or JSON Lines.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
    /// The account the file belongs to.
    /// The account the file belongs to. Without it, the file's own
    /// account information (OFX, QFX, camt.053, MT940) finds the account
    /// among the owner's household's, or opens one.
    #[schema(format = Uuid)]
    account: Option<String>,
    /// Whose file it is when no account is named (default: the signed-in
    /// person; required for service keys).
    #[schema(format = Uuid)]
    user: Option<String>,
    /// csv, ofx, qif, camt053, mt940, jsonl or auto (default).
    format: Option<String>,
}

/// What an import did.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ImportResult {
    format: &'static str,
    encoding: &'static str,
    accepted: u64,
    duplicates: u64,
    quarantined: u64,
    /// Accounts found or opened from the file's own account information
    /// (empty when an account was named).
    accounts: Vec<ImportedAccount>,
}

/// An account an import by policy used.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub(crate) struct ImportedAccount {
    #[schema(format = Uuid)]
    id: String,
    name: String,
    currency: String,
    /// Opened by this import.
    opened: bool,
}

/// Import a bank file (multipart, up to 32 MiB) into the account named,
/// or — for OFX, QFX, camt.053 and MT940 — into the account the file's own
/// account information finds among the owner's household's (opened when
/// new). Honours `Idempotency-Key`.
#[utoipa::path(
    post, path = "/v1/imports", tag = "ingest",
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first response for the same key and body")),
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Imported", body = ImportResult),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may read but not write this account", body = ErrorBody),
        (status = 404, description = "No such account visible to the caller", body = ErrorBody),
        (status = 409, description = "A request with this key is in progress", body = ErrorBody),
        (status = 413, description = "Upload too large", body = ErrorBody),
        (status = 422, description = "Unreadable file or bad part", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let mut multipart =
        multipart.map_err(|rejection| body_error(rejection.status(), rejection.body_text()))?;
    let mut file: Option<(String, Bytes)> = None;
    let mut account = None;
    let mut user = None;
    let mut format = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError::invalid("body", format!("unreadable multipart body: {e}")))?
    {
        let name = field.name().unwrap_or("").to_owned();
        // The name only labels the import (audit, quarantine origin):
        // anything that could fake a line when shown is escaped.
        let file_name = field
            .file_name()
            .map(|name| finsight_core::text::escape_forbidden(name).into_owned());
        let bytes = field
            .bytes()
            .await
            .map_err(|e| body_error(e.status(), format!("{name}: {}", e.body_text())))?;
        match name.as_str() {
            "file" => file = Some((file_name.unwrap_or_else(|| "upload".into()), bytes)),
            "account" => {
                let text = String::from_utf8_lossy(&bytes).trim().to_owned();
                account = Some(
                    AccountId::parse(&text).map_err(|e| ApiError::invalid("account", e.reason))?,
                );
            }
            "user" => {
                let text = String::from_utf8_lossy(&bytes).trim().to_owned();
                user = Some(UserId::parse(&text).map_err(|e| ApiError::invalid("user", e.reason))?);
            }
            "format" => {
                let text = String::from_utf8_lossy(&bytes).trim().to_owned();
                if text != "auto" {
                    format = Some(
                        text.parse::<FileFormat>()
                            .map_err(|e| ApiError::invalid("format", e))?,
                    );
                }
            }
            other => {
                return Err(ApiError::invalid(
                    other,
                    "is not a part of an import (file, account, user, format)",
                ));
            }
        }
    }
    let (file_name, bytes) =
        file.ok_or_else(|| ApiError::invalid("file", "the upload has no file part"))?;
    // An account named wins; without one, the file's own account
    // information finds (or opens) one of the owner's household.
    let target = state
        .services
        .authorize_upload(caller.principal(), account, user)
        .await?;
    let account_text = target.key();
    let format_text = format.map(|f| f.as_str()).unwrap_or("auto");
    let body_hash = hash(&[
        b"import",
        account_text.as_bytes(),
        format_text.as_bytes(),
        &bytes,
    ]);
    let work = async {
        let outcome = state
            .services
            .import_upload(
                caller.principal(),
                target,
                bytes.to_vec(),
                file_name,
                format,
            )
            .await?;
        Ok((
            StatusCode::OK,
            to_body(&ImportResult {
                format: outcome.format.as_str(),
                encoding: outcome.encoding,
                accepted: outcome.accepted,
                duplicates: outcome.duplicates,
                quarantined: outcome.quarantined,
                accounts: outcome
                    .accounts
                    .iter()
                    .map(|a| ImportedAccount {
                        id: a.id.to_string(),
                        name: a.name.clone(),
                        currency: a.currency.code().to_owned(),
                        opened: outcome.opened_accounts.iter().any(|o| o.id == a.id),
                    })
                    .collect(),
            }),
        ))
    };
    crate::idempotency::idempotent(&state, caller.principal(), &headers, body_hash, work).await
}

/// Data quality of the caller's tenant.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub(crate) struct DataQuality {
    /// Per source and account: accepted, duplicates, quarantined,
    /// freshness, daily volume against its usual range, CSV schema drift.
    sources: Vec<serde_json::Value>,
}

/// Ingestion quality per source and account (staff and service keys).
#[utoipa::path(
    get, path = "/v1/data-quality", tag = "ingest",
    responses(
        (status = 200, description = "The report", body = DataQuality),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Staff and service keys only", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub async fn data_quality(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Value>, ApiError> {
    let report = state.services.data_quality(caller.principal()).await?;
    Ok(Json(json!({ "sources": report })))
}

#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct QuarantineParams {
    /// 1 to 1000 (default 100).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 1000)]
    limit: Option<String>,
    /// From `next_cursor` of the previous page.
    cursor: Option<String>,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct QuarantinedView {
    id: String,
    source: String,
    origin: String,
    location: String,
    /// The record as received (card numbers masked).
    raw: String,
    field: String,
    reason: String,
    account_id: Option<String>,
    created_at: String,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub(crate) struct QuarantineList {
    /// Newest first.
    records: Vec<QuarantinedView>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

/// Open quarantined records of accounts the caller may read, newest first,
/// a page at a time.
#[utoipa::path(
    get, path = "/v1/quarantine", tag = "ingest", params(QuarantineParams),
    responses(
        (status = 200, description = "The records", body = QuarantineList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 422, description = "Bad limit or cursor", body = ErrorBody),
        (status = 429, description = "Rate limited", body = ErrorBody),
    )
)]
pub async fn quarantine(
    State(state): State<AppState>,
    caller: Caller,
    crate::api::ApiQuery(params): crate::api::ApiQuery<QuarantineParams>,
) -> Result<Json<QuarantineList>, ApiError> {
    let limit = crate::api::parse_opt("limit", params.limit.as_deref(), |t| {
        t.trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=1000).contains(n))
            .ok_or("must be an integer from 1 to 1000")
    })?
    .unwrap_or(100);
    let before = params
        .cursor
        .as_deref()
        .map(finsight_store::QuarantineCursor::decode)
        .transpose()
        .map_err(|e| ApiError::invalid("cursor", e.reason))?;
    let page = state
        .services
        .quarantine(caller.principal(), before, limit)
        .await?;
    Ok(Json(QuarantineList {
        next_cursor: page.next.map(|c| c.encode()),
        records: page
            .records
            .into_iter()
            .map(|r| QuarantinedView {
                id: r.id.to_string(),
                source: r.entry.source,
                origin: r.entry.origin,
                location: r.entry.location,
                raw: r.entry.raw,
                field: r.entry.field,
                reason: r.entry.reason,
                account_id: r.entry.account_id.map(|a| a.to_string()),
                created_at: crate::api::rfc3339(r.created_at),
            })
            .collect(),
    }))
}
