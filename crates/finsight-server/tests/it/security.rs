//! One test per finding of the penetration test (issue 8), each failing on
//! the code before the fix: statement redirects across tenants,
//! idempotency replays across principals, GraphQL alias amplification,
//! lockout abuse, quarantine visibility, the admin's proxy write path, and
//! the smaller ones.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use finsight_core::AccountId;
use finsight_ingest::import::ImportRequest;
use finsight_server::router;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::authz::{World, call, world};

fn ofx(account_ref: &str, fitid: &str, amount: &str, name: &str) -> String {
    format!(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>\
         <CURDEF>USD<BANKACCTFROM><BANKID>121000248<ACCTID>{account_ref}<ACCTTYPE>CHECKING\
         </BANKACCTFROM><BANKTRANLIST>\n<STMTTRN>\n<TRNTYPE>DEBIT\n<DTPOSTED>20260302\n\
         <TRNAMT>{amount}\n<FITID>{fitid}\n<NAME>{name}\n</STMTTRN>\n\
         </BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
}

/// `POST /v1/imports` of `file` into `account` as `token`.
pub async fn upload(
    w: &World,
    token: &str,
    account: AccountId,
    name: &str,
    file: &str,
    key: Option<&str>,
) -> (StatusCode, Value) {
    upload_with(
        w,
        token,
        &[("account", &account.to_string())],
        name,
        file,
        key,
    )
    .await
}

/// `POST /v1/imports` of `file` with the other form `fields` given
/// (`account`, `user`, `format`; none: the file finds its own account).
pub async fn upload_with(
    w: &World,
    token: &str,
    fields: &[(&str, &str)],
    name: &str,
    file: &str,
    key: Option<&str>,
) -> (StatusCode, Value) {
    let boundary = "XBOUNDARY";
    let mut body = String::new();
    for (field, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n\
         {file}\r\n--{boundary}--\r\n"
    ));
    let mut request = Request::post("/v1/imports")
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("authorization", token);
    if let Some(key) = key {
        request = request.header("idempotency-key", key);
    }
    let response = router(w.state.clone())
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// Descriptions of an account's transactions as `token` sees them.
async fn descriptions(w: &World, token: &str, account: AccountId) -> Vec<String> {
    let (status, page) = call(
        &w.state,
        "GET",
        &format!("/v1/transactions?account_id={account}&limit=1000"),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{page}");
    page["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["description"].as_str().unwrap().to_owned())
        .collect()
}

async fn operator_import(w: &World, name: &str, file: String) -> (u64, u64) {
    let outcome = w
        .state
        .services
        .importer()
        .import(ImportRequest {
            bytes: file.into_bytes(),
            origin: name.into(),
            format: None,
            account: None,
            profile: None,
            owner: None,
        })
        .await
        .unwrap();
    (outcome.accepted, outcome.quarantined)
}

#[tokio::test]
async fn finding_1_a_file_naming_another_tenants_account_id_redirects_nothing() {
    let w = world().await;
    let cal_account = AccountId::from_random_bytes([36; 16]);
    // Cal (tenant 2) uploads into his own account a file whose ACCTID is
    // Bea's account id.
    let (status, _) = upload(
        &w,
        &w.cal,
        cal_account,
        "bait.ofx",
        &ofx(&w.account_b.to_string(), "bait-1", "-1.00", "BAIT"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The victim's next records name her account id: they land there.
    let line = json!({"account_id": w.account_b.to_string(), "posted_on": "2026-03-05",
        "amount": "-9.99", "currency": "USD", "description": "BEA RENT"});
    assert_eq!(
        operator_import(&w, "victim.jsonl", format!("{line}\n")).await,
        (1, 0)
    );
    assert!(
        descriptions(&w, &w.bea, w.account_b)
            .await
            .contains(&"BEA RENT".to_owned())
    );
    assert!(
        !descriptions(&w, &w.cal, cal_account)
            .await
            .contains(&"BEA RENT".to_owned())
    );
}

#[tokio::test]
async fn finding_1_a_bank_number_bound_by_another_tenant_never_takes_the_victims_statement() {
    let w = world().await;
    let cal_account = AccountId::from_random_bytes([36; 16]);
    let iban = "DE89370400440532013000";
    // Bea's bank file binds her IBAN to her account.
    let (status, _) = upload(
        &w,
        &w.bea,
        w.account_b,
        "march.ofx",
        &ofx(iban, "m-1", "-2.00", "MARCH"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Cal then claims the same number in his tenant.
    let (status, _) = upload(
        &w,
        &w.cal,
        cal_account,
        "bait.ofx",
        &ofx(iban, "bait-1", "-1.00", "BAIT"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // Bea's next statement, imported without naming the account: the
    // number now names accounts of two households, so it is quarantined
    // rather than guessed — and never lands with Cal.
    let (accepted, quarantined) =
        operator_import(&w, "april.ofx", ofx(iban, "a-1", "-3.00", "APRIL")).await;
    assert_eq!((accepted, quarantined), (0, 1));
    assert!(
        !descriptions(&w, &w.cal, cal_account)
            .await
            .contains(&"APRIL".to_owned())
    );
    let (_, listed) = call(&w.state, "GET", "/v1/quarantine", Some(&w.cal), None).await;
    assert!(!listed.to_string().contains("APRIL"), "{listed}");
    // With her account named, it lands in hers.
    let (status, report) = upload(
        &w,
        &w.bea,
        w.account_b,
        "april.ofx",
        &ofx(iban, "a-2", "-3.00", "APRIL"),
        None,
    )
    .await;
    assert_eq!(
        (status, report["accepted"].as_u64()),
        (StatusCode::OK, Some(1))
    );
    assert!(
        descriptions(&w, &w.bea, w.account_b)
            .await
            .contains(&"APRIL".to_owned())
    );
}

#[tokio::test]
async fn finding_1_a_bound_reference_is_never_rebound_silently() {
    let w = world().await;
    // A second account in Bea's household.
    let savings = finsight_core::Account {
        id: AccountId::from_random_bytes([34; 16]),
        user_id: w.user_b,
        kind: finsight_core::AccountKind::Savings,
        currency: finsight_core::Currency::parse("USD").unwrap(),
        name: "savings".into(),
        institution: "First Harbor Bank".into(),
        closed_on: None,
    };
    w.state
        .services
        .store()
        .upsert_directory(&finsight_store::Directory {
            accounts: vec![savings.clone()],
            ..Default::default()
        })
        .await
        .unwrap();
    let number = "000123456789";
    let (status, _) = upload(
        &w,
        &w.bea,
        w.account_b,
        "m.ofx",
        &ofx(number, "1", "-2.00", "ONE"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    // The same bank account's file into the savings account: refused into
    // quarantine with the reason, and the binding is unchanged.
    let (status, report) = upload(
        &w,
        &w.bea,
        savings.id,
        "n.ofx",
        &ofx(number, "2", "-2.00", "TWO"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["quarantined"], 1, "{report}");
    let (_, listed) = call(&w.state, "GET", "/v1/quarantine", Some(&w.bea), None).await;
    assert!(
        listed["records"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("belongs to another account"),
        "{listed}"
    );
    assert_eq!(
        w.state
            .services
            .store()
            .accounts_for_reference(number)
            .await
            .unwrap(),
        vec![w.account_b]
    );
}

async fn batch(w: &World, token: &str, key: &str, account: AccountId) -> (StatusCode, Value, bool) {
    let body = json!({"account_id": account.to_string(), "transactions": [
        {"posted_on": "2026-03-03", "amount": "-1.00", "currency": "USD", "description": "KEYED"}
    ]});
    crate::walks::keyed(w, "POST", "/v1/transactions:batch", token, Some(body), key).await
}

#[tokio::test]
async fn finding_2_idempotency_keys_never_replay_to_another_principal() {
    let w = world().await;
    let (status, _, replayed) = batch(&w, &w.bea, "shared-key", w.account_b).await;
    assert_eq!((status, replayed), (StatusCode::OK, false));
    let (status, _, replayed) = batch(&w, &w.bea, "shared-key", w.account_b).await;
    assert_eq!((status, replayed), (StatusCode::OK, true));
    // The same key and body from Ann (other household) and Cal (other
    // tenant): authorized first, so 404 — never the replay.
    for token in [&w.ann, &w.cal, &w.service2] {
        let (status, body, replayed) = batch(&w, token, "shared-key", w.account_b).await;
        assert_eq!((status, replayed), (StatusCode::NOT_FOUND, false), "{body}");
    }
    // Cal's own request under the same key is his own, not a 422.
    let cal_account = AccountId::from_random_bytes([36; 16]);
    let (status, _, replayed) = batch(&w, &w.cal, "shared-key", cal_account).await;
    assert_eq!((status, replayed), (StatusCode::OK, false));
}

#[tokio::test]
async fn finding_2_idempotency_keys_expire_and_failures_release_them() {
    let w = world().await;
    let ttl = time::Duration::minutes(1);
    let state = w.state.clone().with_idempotency_ttl(ttl);
    let w = World { state, ..w };
    let (status, _, _) = batch(&w, &w.bea, "k", w.account_b).await;
    assert_eq!(status, StatusCode::OK);
    let (_, _, replayed) = batch(&w, &w.bea, "k", w.account_b).await;
    assert!(replayed);
    // Two minutes later the key has expired: the same request runs again
    // (a duplicate of the first, not a replay).
    let later = w
        .state
        .clone()
        .with_services(finsight_service::Services::new(
            std::sync::Arc::clone(w.state.services.store()),
            std::sync::Arc::new(finsight_core::FixedClock(
                time::macros::datetime!(2026-03-20 09:02 UTC),
            )),
            finsight_service::AuthSettings::default(),
        ));
    let w = World { state: later, ..w };
    let (status, body, replayed) = batch(&w, &w.bea, "k", w.account_b).await;
    assert_eq!((status, replayed), (StatusCode::OK, false));
    assert_eq!(body["duplicates"], 1, "{body}");
    // A request dropped mid-flight (the client went away, the timeout
    // fired) still finishes — a write is never cut off half-way through a
    // transaction — and the retry gets its answer instead of a 409 forever
    // (or a poisoned database connection, as before).
    let mut csv = String::from("Date,Description,Amount\n");
    for day in 0..20_000 {
        csv.push_str(&format!("2026-03-01,ROW {day},-1.00\n"));
    }
    let dropped = tokio::time::timeout(
        std::time::Duration::from_millis(5),
        upload(&w, &w.bea, w.account_b, "big.csv", &csv, Some("big")),
    )
    .await;
    assert!(
        dropped.is_err(),
        "the upload was still running when dropped"
    );
    let mut status = StatusCode::CONFLICT;
    for _ in 0..50 {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        status = upload(&w, &w.bea, w.account_b, "big.csv", &csv, Some("big"))
            .await
            .0;
        if status != StatusCode::CONFLICT {
            break;
        }
    }
    assert_eq!(status, StatusCode::OK);
}

async fn bad_records(w: &World, token: &str, account: AccountId, count: usize) {
    let records: Vec<Value> = (0..count)
        .map(|i| json!({"posted_on": format!("bad-{i}")}))
        .collect();
    let (status, body) = call(
        &w.state,
        "POST",
        "/v1/transactions:batch",
        Some(token),
        Some(json!({"account_id": account.to_string(), "transactions": records})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["quarantined"], count, "{body}");
}

#[tokio::test]
async fn finding_6_a_flood_of_quarantine_in_one_tenant_hides_nothing_of_another() {
    let w = world().await;
    // Ann fills the quarantine with the most one page can hold...
    bad_records(&w, &w.ann, w.account_a, 1000).await;
    // ...then Cal (tenant 2) and Bea (Ann's tenant, another household)
    // each get records quarantined.
    let cal_account = AccountId::from_random_bytes([36; 16]);
    bad_records(&w, &w.cal, cal_account, 1).await;
    bad_records(&w, &w.bea, w.account_b, 3).await;
    let (_, cal) = call(&w.state, "GET", "/v1/quarantine", Some(&w.cal), None).await;
    assert_eq!(cal["records"].as_array().unwrap().len(), 1, "{cal}");
    assert!(cal["next_cursor"].is_null());
    // Bea pages through hers, two at a time, newest first.
    let (_, first) = call(
        &w.state,
        "GET",
        "/v1/quarantine?limit=2",
        Some(&w.bea),
        None,
    )
    .await;
    let first_records = first["records"].as_array().unwrap();
    assert_eq!(first_records.len(), 2, "{first}");
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = call(
        &w.state,
        "GET",
        &format!("/v1/quarantine?limit=2&cursor={cursor}"),
        Some(&w.bea),
        None,
    )
    .await;
    let second_records = second["records"].as_array().unwrap();
    assert_eq!(second_records.len(), 1, "{second}");
    assert!(second["next_cursor"].is_null());
    let mut ids: Vec<&str> = first_records
        .iter()
        .chain(second_records)
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert!(
        first_records
            .iter()
            .chain(second_records)
            .all(|r| r["account_id"] == w.account_b.to_string())
    );
    ids.dedup();
    assert_eq!(ids.len(), 3);
    // A cursor this server did not issue is refused by name.
    let (status, error) = call(
        &w.state,
        "GET",
        "/v1/quarantine?cursor=nope",
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("cursor"))
    );
}

/// `POST /v1/auth/login` from the client address `ip`.
async fn login_at(w: &World, ip: [u8; 4], email: &str, password: &str) -> (StatusCode, Value) {
    let mut request = Request::post("/v1/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({"email": email, "password": password}).to_string(),
        ))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
            ip, 40_000,
        ))));
    let response = router(w.state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

const PASSWORD: &str = "a long enough password";

#[tokio::test]
async fn finding_5_nobody_can_lock_someone_else_out_or_learn_who_is_registered() {
    let w = world().await;
    let attacker = [203, 0, 113, 9];
    let ann_home = [198, 51, 100, 7];
    // Ann signs in from home once (her address becomes known), and keeps
    // the session's refresh token.
    let (status, session) = login_at(&w, ann_home, "ann@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    let refresh = session["refresh_token"].as_str().unwrap().to_owned();
    // The attacker guesses for Ann and for an address nobody registered:
    // every answer is the same, failures and throttling alike.
    let mut answers = Vec::new();
    for email in ["ann@example.com", "nobody@example.com"] {
        let mut seen = Vec::new();
        for _ in 0..7 {
            seen.push(login_at(&w, attacker, email, "wrong password guess").await);
        }
        answers.push(seen);
    }
    assert_eq!(
        answers[0], answers[1],
        "known and unknown emails answer alike"
    );
    assert_eq!(answers[0][4].0, StatusCode::UNAUTHORIZED);
    assert_eq!(answers[0][5].0, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(answers[0][5].1["code"], "too_many_attempts");
    // Ann is not locked out: her right password works from her address...
    let (status, _) = login_at(&w, ann_home, "ann@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    // ...and her refresh token is neither refused nor burnt.
    let (status, renewed) = call(
        &w.state,
        "POST",
        "/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": refresh})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    let next = renewed["refresh_token"].as_str().unwrap();
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/auth/refresh",
        None,
        Some(json!({"refresh_token": next})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "the session lives on");
    // Guesses spread over many addresses throttle new addresses for Ann's
    // email, but never her known one.
    for host in 0..60u8 {
        login_at(
            &w,
            [192, 0, 2, host],
            "ann@example.com",
            "wrong password guess",
        )
        .await;
    }
    let (status, _) = login_at(&w, [192, 0, 2, 250], "ann@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let (status, _) = login_at(&w, ann_home, "ann@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}
