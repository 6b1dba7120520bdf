//! The HTTP ingestion endpoints, in process.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use finsight_core::{
    Account, AccountId, AccountKind, Currency, Household, HouseholdId, Tenant, TenantId, User,
    UserId,
};
use finsight_server::{AppState, router};
use finsight_store::{Directory, QuarantineStatus};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::state;

fn account() -> AccountId {
    AccountId::from_random_bytes([9; 16])
}

async fn with_account() -> (AppState, tempfile::TempDir) {
    let (state, dir) = state().await;
    let (tenant, household, user) = (
        TenantId::from_random_bytes([1; 16]),
        HouseholdId::from_random_bytes([2; 16]),
        UserId::from_random_bytes([3; 16]),
    );
    state
        .services
        .store()
        .upsert_directory(&Directory {
            tenants: vec![Tenant {
                id: tenant,
                name: "t".into(),
            }],
            households: vec![Household {
                id: household,
                tenant_id: tenant,
                name: "h".into(),
            }],
            users: vec![User {
                id: user,
                tenant_id: tenant,
                household_id: household,
                display_name: "u".into(),
            }],
            accounts: vec![Account {
                id: account(),
                user_id: user,
                kind: AccountKind::Checking,
                currency: Currency::parse("USD").unwrap(),
                name: "a".into(),
                institution: "b".into(),
                closed_on: None,
            }],
        })
        .await
        .unwrap();
    (state, dir)
}

/// A bearer token for the fixture's tenant: a service key, which may write
/// to every account of the tenant.
pub async fn service_token(state: &AppState) -> String {
    let (_, secret) = state
        .services
        .auth
        .create_api_key_for("test", TenantId::from_random_bytes([1; 16]), "tests")
        .await
        .unwrap();
    format!("Bearer {secret}")
}

/// Sends `request`, as the tenant's service key unless it carries its own
/// `Authorization`.
async fn send(state: &AppState, mut request: Request<Body>) -> (StatusCode, Value, bool) {
    if !request.headers().contains_key("authorization") {
        let token = service_token(state).await;
        request
            .headers_mut()
            .insert("authorization", token.parse().unwrap());
    }
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let replayed = response.headers().contains_key("idempotent-replayed");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        replayed,
    )
}

fn batch_request(body: &Value, key: Option<&str>) -> Request<Body> {
    let mut request =
        Request::post("/v1/transactions:batch").header("content-type", "application/json");
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

fn batch_body() -> Value {
    json!({
        "account_id": account().to_string(),
        "transactions": [
            {"posted_on": "2026-03-01", "amount": "-4.50", "description": "SQ *BLUE BOTTLE 0423", "mcc": "5814"},
            {"posted_on": "2026-03-02", "amount": -12.5, "description": "FLOAT AMOUNT"},
            {"posted_on": "2026-03-03", "amount": "2500", "description": "PAYROLL", "currency": "EUR"},
        ]
    })
}

#[tokio::test]
async fn batch_writes_good_records_and_itemises_bad_ones() {
    let (state, _dir) = with_account().await;
    let (status, body, _) = send(&state, batch_request(&batch_body(), None)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["accepted"].as_u64(), body["quarantined"].as_u64()),
        (Some(1), Some(2))
    );
    let fields: Vec<_> = body["rejected"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["amount", "currency"]);
    assert_eq!(body["rejected"][0]["location"], "transactions[1]");
    let (_, again, _) = send(&state, batch_request(&batch_body(), None)).await;
    assert_eq!(
        (again["accepted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(
        state
            .services
            .store()
            .quarantined(Some(QuarantineStatus::Open), 10)
            .await
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn idempotency_keys_replay_and_refuse_a_different_body() {
    let (state, _dir) = with_account().await;
    // Keys belong to their sender: every request here is the same key's.
    let token = service_token(&state).await;
    let signed = |mut request: Request<Body>| {
        request
            .headers_mut()
            .insert("authorization", token.parse().unwrap());
        request
    };
    let (status, first, replayed) =
        send(&state, signed(batch_request(&batch_body(), Some("key-1")))).await;
    assert_eq!((status, replayed), (StatusCode::OK, false));
    let (status, second, replayed) =
        send(&state, signed(batch_request(&batch_body(), Some("key-1")))).await;
    assert_eq!((status, replayed), (StatusCode::OK, true));
    assert_eq!(first, second, "the first response is replayed");
    let mut other = batch_body();
    other["transactions"][0]["amount"] = json!("-9.99");
    let (status, error, _) = send(&state, signed(batch_request(&other, Some("key-1")))).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(error["code"], "idempotency_key_reused");
}

#[tokio::test]
async fn malformed_batches_get_the_error_body_never_a_500() {
    let (state, _dir) = with_account().await;
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"not json".to_vec(), "body"),
        (b"[1,2]".to_vec(), "body"),
        (br#"{"transactions": []}"#.to_vec(), "transactions"),
        (br#"{"transactions": [{}], "colour": 1}"#.to_vec(), "colour"),
        (
            br#"{"account_id": "nope", "transactions": [{}]}"#.to_vec(),
            "account_id",
        ),
        (
            format!(
                r#"{{"account_id": "{}", "transactions": [{{}}]}}"#,
                AccountId::from_random_bytes([7; 16])
            )
            .into_bytes(),
            "account",
        ),
    ];
    for (body, field) in cases {
        let request = Request::post("/v1/transactions:batch")
            .body(Body::from(body))
            .unwrap();
        let (status, error, _) = send(&state, request).await;
        if field == "account" {
            // An account the caller cannot see does not exist for it.
            assert_eq!(status, StatusCode::NOT_FOUND, "{error}");
            assert_eq!(error["code"], "not_found", "{error}");
            continue;
        }
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert_eq!(error["field"], field, "{error}");
    }
    let too_many = json!({"transactions": vec![json!({}); 1001]});
    let (status, error, _) = send(&state, batch_request(&too_many, None)).await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("transactions"))
    );
    let huge = vec![b' '; 2 * 1024 * 1024];
    let request = Request::post("/v1/transactions:batch")
        .body(Body::from(huge))
        .unwrap();
    let (status, error, _) = send(&state, request).await;
    assert_eq!(
        (status, error["code"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("payload_too_large"))
    );
}

fn multipart(parts: &[(&str, Option<&str>, &[u8])]) -> Request<Body> {
    let boundary = "finsightboundary";
    let mut body = Vec::new();
    for (name, file_name, content) in parts {
        body.extend(format!("--{boundary}\r\n").as_bytes());
        match file_name {
            Some(file) => body.extend(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{file}\"\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => body.extend(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend(*content);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    Request::post("/v1/imports")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(Body::from(body))
        .unwrap()
}

#[tokio::test]
async fn file_uploads_import_and_show_in_data_quality() {
    let (state, _dir) = with_account().await;
    let csv = b"Date,Description,Amount\n2026-03-01,A,-1.00\n2026-03-02,B,-2.00\n";
    let account_text = account().to_string();
    let request = multipart(&[
        ("account", None, account_text.as_bytes()),
        ("file", Some("march.csv"), csv),
    ]);
    let (status, body, _) = send(&state, request).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (body["format"].as_str(), body["accepted"].as_u64()),
        (Some("csv"), Some(2))
    );
    let (status, error, _) = send(
        &state,
        multipart(&[
            ("account", None, account_text.as_bytes()),
            (
                "file",
                Some("x.bin"),
                &[0u8, 159, 146, 150, 0, 1, 2, 3].repeat(500),
            ),
        ]),
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("file"))
    );
    let (status, error, _) = send(
        &state,
        multipart(&[("account", None, account_text.as_bytes())]),
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("file"))
    );
    let response = router(state.clone())
        .oneshot(
            Request::get("/v1/data-quality")
                .header("authorization", service_token(&state).await)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let report: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let csv_row = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["source"] == "csv")
        .unwrap();
    assert_eq!(csv_row["accepted"], 2);
    assert_eq!(
        csv_row["schema"]["columns"],
        json!(["Date", "Description", "Amount"])
    );
}

#[tokio::test]
async fn data_quality_dates_are_iso_strings() {
    let (state, _dir) = with_account().await;
    let csv = b"Date,Description,Amount\n2026-03-01,A,-1.00\n";
    let account_text = account().to_string();
    send(
        &state,
        multipart(&[
            ("account", None, account_text.as_bytes()),
            ("file", Some("a.csv"), csv),
        ]),
    )
    .await;
    let response = router(state.clone())
        .oneshot(
            Request::get("/v1/data-quality")
                .header("authorization", service_token(&state).await)
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let report: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    let row = &report["sources"][0];
    assert_eq!(row["last_posted_on"], "2026-03-01");
    assert_eq!(row["volume"]["day"], "2026-03-01");
    assert!(
        row["last_import_at"]
            .as_str()
            .unwrap()
            .starts_with("2026-03-20T09:00:00")
    );
}
