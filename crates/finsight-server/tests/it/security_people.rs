//! Findings 7 and 8 of the penetration test (issue 8) about people and
//! text: an admin's proxy person into a household's ledger, adding
//! someone to a household without their consent, and text that can
//! disguise itself (control and bidirectional characters, card numbers
//! written with other separators).

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::authz::{World, call, world};
use crate::security::upload;

const PASSWORD: &str = "a long enough password";

async fn sign_in(w: &World, email: &str) -> String {
    let (status, session) = call(
        &w.state,
        "POST",
        "/v1/auth/login",
        None,
        Some(json!({"email": email, "password": PASSWORD})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{session}");
    format!("Bearer {}", session["access_token"].as_str().unwrap())
}

async fn member_ids(w: &World, token: &str) -> Vec<String> {
    let (status, members) = call(
        &w.state,
        "GET",
        &format!("/v1/households/{}/members", w.household_b),
        Some(token),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{members}");
    members["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap().to_owned())
        .collect()
}

async fn audit_actions(w: &World) -> Vec<String> {
    w.state
        .services
        .store()
        .audit_entries(0, 10_000)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .collect()
}

#[tokio::test]
async fn finding_7_an_admin_cannot_write_a_ledger_through_a_proxy_person() {
    let w = world().await;
    // The admin adds a person to Bea's household: an invitation, not a member.
    let (status, person) = call(
        &w.state,
        "POST",
        &format!("/v1/households/{}/people", w.household_b),
        Some(&w.admin),
        Some(json!({"display_name": "Proxy Pat", "role": "owner"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{person}");
    assert_eq!(person["status"], "invited");
    let pat = person["user_id"].as_str().unwrap().to_owned();
    assert!(!member_ids(&w, &w.bea).await.contains(&pat));
    // ...and gets no login from the admin, before or after joining.
    let login = json!({"email": "pat@example.com", "password": PASSWORD, "user_id": pat});
    let (status, error) = call(
        &w.state,
        "POST",
        "/v1/logins",
        Some(&w.admin),
        Some(login.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{error}");
    // Bea sees the request and approves it.
    let (_, invitations) = call(&w.state, "GET", "/v1/invitations", Some(&w.bea), None).await;
    let pending = invitations["invitations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["user_id"] == pat.as_str())
        .cloned()
        .unwrap_or_else(|| panic!("{invitations}"));
    assert_eq!(pending["awaiting"], json!(["owner"]));
    // Nobody else can approve it.
    for token in [&w.ann, &w.cal, &w.admin, &w.val] {
        let (status, _) = call(
            &w.state,
            "POST",
            &format!("/v1/households/{}/invitations/{pat}/accept", w.household_b),
            Some(token),
            None,
        )
        .await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (status, joined) = call(
        &w.state,
        "POST",
        &format!("/v1/households/{}/invitations/{pat}/accept", w.household_b),
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(
        (status, joined["status"].as_str()),
        (StatusCode::OK, Some("member"))
    );
    assert!(member_ids(&w, &w.bea).await.contains(&pat));
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/logins",
        Some(&w.admin),
        Some(login.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The household's owner gives Pat a login.
    let (status, created) = call(&w.state, "POST", "/v1/logins", Some(&w.bea), Some(login)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let pat_token = sign_in(&w, "pat@example.com").await;
    assert!(member_ids(&w, &pat_token).await.contains(&pat));
    // Every step is in the audit log.
    let actions = audit_actions(&w).await;
    for action in [
        "person.create",
        "membership.invite",
        "membership.join",
        "login.create",
    ] {
        assert!(actions.iter().any(|a| a == action), "{action}: {actions:?}");
    }
}

#[tokio::test]
async fn finding_8_adding_an_existing_person_needs_their_consent() {
    let w = world().await;
    let val = w.state.services.store().users().await.unwrap();
    let val = val
        .iter()
        .find(|u| u.display_name == "Val")
        .unwrap()
        .id
        .to_string();
    let (status, answer) = call(
        &w.state,
        "PUT",
        &format!("/v1/households/{}/members/{val}", w.household_b),
        Some(&w.bea),
        Some(json!({"role": "member"})),
    )
    .await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (StatusCode::ACCEPTED, Some("invited"))
    );
    // Not a member yet: Bea does not see Val's name, Val sees nothing of B.
    let (_, members) = call(
        &w.state,
        "GET",
        &format!("/v1/households/{}/members", w.household_b),
        Some(&w.bea),
        None,
    )
    .await;
    assert!(!members.to_string().contains("Val"), "{members}");
    let (status, _) = call(
        &w.state,
        "GET",
        &format!("/v1/households/{}", w.household_b),
        Some(&w.val),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Bea cannot accept on Val's behalf (her own approval is given).
    let accept = format!("/v1/households/{}/invitations/{val}/accept", w.household_b);
    let (_, still) = call(&w.state, "POST", &accept, Some(&w.bea), None).await;
    assert_eq!(still["status"], "invited");
    let (_, mine) = call(&w.state, "GET", "/v1/invitations", Some(&w.val), None).await;
    assert_eq!(
        mine["invitations"][0]["awaiting"],
        json!(["person"]),
        "{mine}"
    );
    let (status, joined) = call(&w.state, "POST", &accept, Some(&w.val), None).await;
    assert_eq!(
        (status, joined["status"].as_str()),
        (StatusCode::OK, Some("member"))
    );
    assert!(member_ids(&w, &w.bea).await.contains(&val));
    // A declined invitation is gone.
    let ben_elsewhere = w.user_eve.to_string();
    let (status, _) = call(
        &w.state,
        "DELETE",
        &format!(
            "/v1/households/{}/invitations/{ben_elsewhere}",
            w.household_b
        ),
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &w.state,
        "POST",
        &format!(
            "/v1/households/{}/invitations/{ben_elsewhere}/accept",
            w.household_b
        ),
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn patch_notes(w: &World, notes: &str) -> (StatusCode, Value) {
    call(
        &w.state,
        "PATCH",
        &format!("/v1/transactions/{}", w.transaction_b),
        Some(&w.bea),
        Some(json!({ "notes": notes })),
    )
    .await
}

#[tokio::test]
async fn finding_8_text_cannot_disguise_itself_and_card_numbers_are_masked() {
    let w = world().await;
    for notes in [
        "a\u{0}b",
        "\u{1b}[2Jcleared",
        "two\r\nlines",
        "gift \u{202E}tnemyap",
    ] {
        let (status, error) = patch_notes(&w, notes).await;
        assert_eq!(
            (status, error["field"].as_str()),
            (StatusCode::UNPROCESSABLE_ENTITY, Some("notes")),
            "{notes:?}: {error}"
        );
    }
    let (status, _) = patch_notes(&w, "split with Ann — 50/50").await;
    assert_eq!(status, StatusCode::OK);
    let (status, error) = call(
        &w.state,
        "POST",
        "/v1/households",
        Some(&w.admin),
        Some(json!({"name": "The \u{202E}seeL"})),
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("name"))
    );
    // Bank text: a hidden override is quarantined; card numbers in any
    // spelling are masked before they are stored.
    let records = json!({"account_id": w.account_b.to_string(), "transactions": [
        {"posted_on": "2026-03-05", "amount": "-1.00", "currency": "USD", "description": "REFUND \u{202E}0001"},
        {"posted_on": "2026-03-05", "amount": "-2.00", "currency": "USD", "description": "CARD 4111.1111.1111.1111"},
        {"posted_on": "2026-03-05", "amount": "-3.00", "currency": "USD", "description": "CARD 4111_1111_1111_1111"},
        {"posted_on": "2026-03-05", "amount": "-4.00", "currency": "USD", "description": "CARD ４１１１１１１１１１１１１１１１"},
    ]});
    let (status, report) = call(
        &w.state,
        "POST",
        "/v1/transactions:batch",
        Some(&w.bea),
        Some(records),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        (report["accepted"].as_u64(), report["quarantined"].as_u64()),
        (Some(3), Some(1)),
        "{report}"
    );
    let (_, page) = call(
        &w.state,
        "GET",
        &format!("/v1/transactions?account_id={}&q=card", w.account_b),
        Some(&w.bea),
        None,
    )
    .await;
    let descriptions: Vec<&str> = page["transactions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["description"].as_str().unwrap())
        .collect();
    assert_eq!(descriptions.len(), 3, "{page}");
    assert!(
        descriptions.iter().all(|d| *d == "CARD XXXXXXXXXXXX1111"),
        "{descriptions:?}"
    );
    // A file name that would fake an audit line is escaped where it is kept.
    let (status, _) = upload(
        &w,
        &w.bea,
        w.account_b,
        "statement\u{202E}vsc.exe\tcli verify ok",
        "Date,Description,Amount\n2026-03-06,UPLOADED,-5.00\n",
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let entries = w
        .state
        .services
        .store()
        .audit_entries(0, 10_000)
        .await
        .unwrap();
    let import = entries
        .iter()
        .rev()
        .find(|e| e.event.action == "import")
        .unwrap();
    assert_eq!(
        import.event.subject,
        "statement\\u{202e}vsc.exe\\u{9}cli verify ok"
    );
}
