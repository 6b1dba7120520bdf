//! Accounts over the API (issue 9): opening, renaming and closing them by
//! role, and imports that find or open their account from the file's own
//! account information — only ever among the importer's household's.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::authz::{World, call, world};
use crate::security::upload_with;

fn ofx(account_ref: &str, amount: &str) -> String {
    format!(
        "OFXHEADER:100\nDATA:OFXSGML\nVERSION:102\n\n<OFX><BANKMSGSRSV1><STMTTRNRS><STMTRS>\
         <CURDEF>USD<BANKACCTFROM><BANKID>121000248<ACCTID>{account_ref}<ACCTTYPE>SAVINGS\
         </BANKACCTFROM><BANKTRANLIST>\n<STMTTRN>\n<TRNTYPE>INT\n<DTPOSTED>20260302\n\
         <TRNAMT>{amount}\n<FITID>I-1\n</STMTTRN>\n\
         </BANKTRANLIST></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    )
}

/// `POST /v1/imports` without an account: the file finds its own.
async fn upload_by_policy(w: &World, token: &str, name: &str, file: &str) -> (StatusCode, Value) {
    upload_with(w, token, &[], name, file, None).await
}

/// The same, for `user`'s file.
async fn upload_for(
    w: &World,
    token: &str,
    user: &str,
    name: &str,
    file: &str,
) -> (StatusCode, Value) {
    upload_with(w, token, &[("user", user)], name, file, None).await
}

#[tokio::test]
async fn owners_and_members_open_rename_and_close_accounts_viewers_and_staff_do_not() {
    let w = world().await;
    let new =
        json!({"kind": "savings", "currency": "EUR", "name": "Holiday pot", "institution": "N26"});
    let mut for_ann = new.clone();
    for_ann["user_id"] = json!(w.user_a.to_string());
    for (token, expected) in [
        (&w.val, StatusCode::FORBIDDEN),
        (&w.admin, StatusCode::FORBIDDEN),
        (&w.analyst, StatusCode::NOT_FOUND),
    ] {
        let (status, answer) = call(
            &w.state,
            "POST",
            "/v1/accounts",
            Some(token),
            Some(for_ann.clone()),
        )
        .await;
        assert_eq!(status, expected, "{answer}");
    }
    let (status, opened) = call(&w.state, "POST", "/v1/accounts", Some(&w.ann), Some(new)).await;
    assert_eq!(status, StatusCode::CREATED, "{opened}");
    assert_eq!(
        (opened["user_id"].as_str(), opened["currency"].as_str()),
        (Some(w.user_a.to_string().as_str()), Some("EUR"))
    );
    let id = opened["id"].as_str().unwrap().to_owned();
    // Bad fields are named.
    for (body, field) in [
        (
            json!({"kind": "piggy", "currency": "EUR", "name": "x"}),
            "kind",
        ),
        (
            json!({"kind": "cash", "currency": "EURO", "name": "x"}),
            "currency",
        ),
        (
            json!({"kind": "cash", "currency": "EUR", "name": "a\u{202E}b"}),
            "name",
        ),
        (
            json!({"kind": "cash", "currency": "EUR", "name": "x", "balance": "1"}),
            "body",
        ),
    ] {
        let (status, error) =
            call(&w.state, "POST", "/v1/accounts", Some(&w.ann), Some(body)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{error}");
        assert!(
            error["field"] == field || error["message"].as_str().unwrap_or("").contains("balance"),
            "{error}"
        );
    }
    // Renamed, then closed as of 2026-03-10: later postings are refused.
    let uri = format!("/v1/accounts/{id}");
    let (status, renamed) = call(
        &w.state,
        "PATCH",
        &uri,
        Some(&w.ann),
        Some(json!({"name": "Holidays"})),
    )
    .await;
    assert_eq!(
        (status, renamed["name"].as_str()),
        (StatusCode::OK, Some("Holidays"))
    );
    let (status, _) = call(
        &w.state,
        "PATCH",
        &uri,
        Some(&w.val),
        Some(json!({"closed": true})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, closed) = call(
        &w.state,
        "PATCH",
        &uri,
        Some(&w.ann),
        Some(json!({"closed": true, "closed_on": "2026-03-10"})),
    )
    .await;
    assert_eq!(
        (status, closed["closed_on"].as_str()),
        (StatusCode::OK, Some("2026-03-10"))
    );
    let records = json!({"account_id": id, "transactions": [
        {"posted_on": "2026-03-09", "amount": "-1.00", "currency": "EUR", "description": "BEFORE"},
        {"posted_on": "2026-03-12", "amount": "-2.00", "currency": "EUR", "description": "AFTER"},
    ]});
    let (_, report) = call(
        &w.state,
        "POST",
        "/v1/transactions:batch",
        Some(&w.ann),
        Some(records),
    )
    .await;
    assert_eq!(
        (report["accepted"].as_u64(), report["quarantined"].as_u64()),
        (Some(1), Some(1)),
        "{report}"
    );
    assert_eq!(report["rejected"][0]["field"], "account_id", "{report}");
    // Every change is in the audit log.
    let actions: Vec<String> = w
        .state
        .services
        .store()
        .audit_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect();
    assert_eq!(actions.iter().filter(|a| *a == "account.create").count(), 1);
    assert_eq!(actions.iter().filter(|a| *a == "account.update").count(), 2);
}

#[tokio::test]
async fn an_upload_without_an_account_finds_or_opens_one_in_the_importers_household_only() {
    let w = world().await;
    let (status, first) =
        upload_by_policy(&w, &w.bea, "savings.ofx", &ofx("556677889900", "1.25")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    assert_eq!(first["accepted"], 1);
    assert_eq!(first["accounts"][0]["opened"], true, "{first}");
    assert_eq!(first["accounts"][0]["name"], "Savings …9900");
    let opened = first["accounts"][0]["id"].as_str().unwrap().to_owned();
    // The same statement again: the same account, nothing new.
    let (_, again) =
        upload_by_policy(&w, &w.bea, "savings.ofx", &ofx("556677889900", "1.25")).await;
    assert_eq!(
        (again["accepted"].as_u64(), again["duplicates"].as_u64()),
        (Some(0), Some(1))
    );
    assert_eq!(again["accounts"][0]["id"], opened.as_str());
    assert_eq!(again["accounts"][0]["opened"], false);
    // Another tenant's person with the same bank number gets an account
    // of their own; Bea's stays hers and unchanged.
    let (_, cal) = upload_by_policy(&w, &w.cal, "savings.ofx", &ofx("556677889900", "9.99")).await;
    assert_eq!(cal["accounts"][0]["opened"], true, "{cal}");
    assert_ne!(cal["accounts"][0]["id"], opened.as_str());
    let (_, page) = call(
        &w.state,
        "GET",
        &format!("/v1/transactions?account_id={opened}"),
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(page["transactions"].as_array().unwrap().len(), 1, "{page}");
    // A viewer may not import for the household she views, an admin for
    // no one, another tenant's person not at all; a file without account
    // information needs one.
    let ann = w.user_a.to_string();
    for (token, expected) in [
        (&w.val, StatusCode::FORBIDDEN),
        (&w.admin, StatusCode::FORBIDDEN),
        (&w.cal, StatusCode::NOT_FOUND),
    ] {
        let (status, answer) = upload_for(&w, token, &ann, "s.ofx", &ofx("1", "1.00")).await;
        assert_eq!(status, expected, "{answer}");
    }
    let (status, error) = upload_by_policy(
        &w,
        &w.bea,
        "a.csv",
        "Date,Description,Amount\n2026-03-01,A,-1.00\n",
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("account")),
        "{error}"
    );
}
