//! Walks over whole classes of attack that the penetration test found
//! missing (issue 8): every write route with an `Idempotency-Key` that
//! another principal reuses, and every list after another tenant filled
//! its own data past the page limit. A route added without a case fails.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use finsight_core::{
    AccountId, CategoryId, CategoryRule, Currency, Description, Household, HouseholdId,
    HouseholdRole, Money, NewTransaction, PostingDate, SourceName, TenantId, User, UserId,
};
use finsight_server::router;
use finsight_store::{Directory, Invitation};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::authz::{Guard, World, call, guard, world};
use crate::security::upload;

const FILLED: usize = 1_001;

/// `method uri` as `token` with an `Idempotency-Key`: the status, the body
/// and whether the answer was a replay.
pub(crate) async fn keyed(
    w: &World,
    method: &str,
    uri: &str,
    token: &str,
    body: Option<Value>,
    key: &str,
) -> (StatusCode, Value, bool) {
    let request = Request::builder()
        .method(method)
        .uri(uri)
        .header("authorization", token)
        .header("idempotency-key", key);
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = router(w.state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let replayed = response.headers().contains_key("idempotent-replayed");
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        replayed,
    )
}

#[tokio::test]
async fn every_write_route_refuses_another_principals_idempotency_key() {
    let w = world().await;
    let mut walked = 0;
    for (method, path) in finsight_server::api::route_list() {
        if method == "GET" {
            continue;
        }
        let Guard::Object {
            uri,
            body,
            owner_status,
        } = guard(&w, &method, &path)
        else {
            continue;
        };
        let key = format!("walk-{method}-{path}");
        let (status, answer, replayed) = keyed(&w, &method, &uri, &w.bea, body.clone(), &key).await;
        assert_eq!(
            (status, replayed),
            (owner_status, false),
            "bea {method} {uri}: {answer}"
        );
        // The same key and body from principals who may not make the
        // request: refused as without a key, never Bea's answer.
        for (who, token) in [
            ("ann", &w.ann),
            ("val", &w.val),
            ("cal", &w.cal),
            ("service2", &w.service2),
            ("analyst", &w.analyst),
        ] {
            let (status, answer, replayed) =
                keyed(&w, &method, &uri, token, body.clone(), &key).await;
            assert!(!replayed, "{who} {method} {uri} got a replay: {answer}");
            assert!(
                status == StatusCode::NOT_FOUND
                    || (who == "analyst" && status == StatusCode::FORBIDDEN),
                "{who} {method} {uri}: {status} {answer}"
            );
            assert!(answer["code"].is_string(), "{who} {method} {uri}: {answer}");
        }
        walked += 1;
    }
    assert!(walked >= 9, "{walked}");
    // Uploads (multipart) under one key: Bea's replays to Bea only.
    let file = "Date,Description,Amount\n2026-03-04,KEYED UPLOAD,-3.00\n";
    let (status, first) = upload(&w, &w.bea, w.account_b, "a.csv", file, Some("up")).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (status, again) = upload(&w, &w.bea, w.account_b, "a.csv", file, Some("up")).await;
    assert_eq!((status, &again), (StatusCode::OK, &first));
    for token in [&w.ann, &w.cal, &w.service2] {
        let (status, answer) = upload(&w, token, w.account_b, "a.csv", file, Some("up")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    }
}

fn id16(n: u16) -> [u8; 16] {
    let mut bytes = [0xEE; 16];
    bytes[..2].copy_from_slice(&n.to_be_bytes());
    bytes
}

/// Tenant 2 fills every kind of list past the page limit: transactions,
/// rules, households and people, invitations, API keys, quarantine.
async fn fill_tenant_2(w: &World) {
    let store = &w.state.services.store();
    let tenant = TenantId::from_random_bytes([2; 16]);
    let cal = UserId::from_random_bytes([26; 16]);
    let cal_account = AccountId::from_random_bytes([36; 16]);
    let usd = Currency::parse("USD").unwrap();
    let transactions: Vec<NewTransaction> = (0..FILLED)
        .map(|i| NewTransaction {
            account_id: cal_account,
            posted_on: PostingDate::parse("2026-03-10").unwrap(),
            occurred_at: None,
            amount: Money::parse(&format!("-{}.00", i + 1), usd).unwrap(),
            description: Description::parse(&format!("CAL SHOP {i}")).unwrap(),
            merchant: None,
            mcc: None,
            category: None,
            source: SourceName::parse("test").unwrap(),
            source_ref: Some(i.to_string()),
        })
        .collect();
    store.insert_transactions(&transactions).await.unwrap();
    let households: Vec<Household> = (0..FILLED)
        .map(|i| Household {
            id: HouseholdId::from_random_bytes(id16(i as u16)),
            tenant_id: tenant,
            name: format!("H{i}"),
        })
        .collect();
    let users: Vec<User> = households
        .iter()
        .enumerate()
        .map(|(i, h)| User {
            id: UserId::from_random_bytes(id16(i as u16 + 5_000)),
            tenant_id: tenant,
            household_id: h.id,
            display_name: format!("P{i}"),
        })
        .collect();
    store
        .upsert_directory(&Directory {
            households,
            users: users.clone(),
            ..Directory::default()
        })
        .await
        .unwrap();
    let cal_household = HouseholdId::from_random_bytes([13; 16]);
    for user in &users {
        store
            .set_membership(user.household_id, user.id, HouseholdRole::Owner)
            .await
            .unwrap();
        store
            .invite(&Invitation {
                household: cal_household,
                user: user.id,
                role: HouseholdRole::Member,
                invited_by: format!("user:{cal}"),
                owner_approved: true,
                person_accepted: false,
                created_at: time::macros::datetime!(2026-03-19 09:00 UTC),
            })
            .await
            .unwrap();
    }
    let now = time::macros::datetime!(2026-03-19 09:00 UTC);
    for i in 0..FILLED {
        let rule = CategoryRule {
            id: uuid::Uuid::from_bytes(id16(i as u16 + 10_000)),
            user_id: cal,
            pattern: format!("SHOP {i}"),
            category: CategoryId::parse("shopping").unwrap(),
            priority: 0,
        };
        store.add_category_rule(&rule, now).await.unwrap();
        w.state
            .services
            .auth
            .create_api_key_for("test", tenant, &format!("key {i}"))
            .await
            .unwrap();
    }
    let bad: Vec<Value> = (0..1_000)
        .map(|i| json!({"posted_on": format!("bad {i}")}))
        .collect();
    let (status, answer) = call(
        &w.state,
        "POST",
        "/v1/transactions:batch",
        Some(&w.cal),
        Some(json!({"account_id": cal_account.to_string(), "transactions": bad})),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
}

#[tokio::test]
async fn every_list_shows_ones_own_data_after_another_tenant_filled_its_own() {
    let w = world().await;
    // Bea has one quarantined record of her own, older than tenant 2's.
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/transactions:batch",
        Some(&w.bea),
        Some(
            json!({"account_id": w.account_b.to_string(), "transactions": [{"posted_on": "mine"}]}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    fill_tenant_2(&w).await;
    let (b, hb, ab) = (w.user_b, w.household_b, w.account_b);
    let mut walked = 0;
    for (method, path) in finsight_server::api::route_list() {
        if method != "GET" {
            continue;
        }
        // (uri, who asks, the list in the answer, what of theirs must be in it)
        let (uri, token, list, own): (String, &str, &str, String) = match path.as_str() {
            "/v1/accounts" => ("/v1/accounts".into(), &w.bea, "accounts", ab.to_string()),
            "/v1/transactions" => (
                "/v1/transactions".into(),
                &w.bea,
                "transactions",
                w.transaction_b.clone(),
            ),
            "/v1/rules" => ("/v1/rules".into(), &w.bea, "rules", w.rule_b.clone()),
            "/v1/households" => (
                "/v1/households".into(),
                &w.admin,
                "households",
                hb.to_string(),
            ),
            "/v1/households/{household_id}/members" => (
                format!("/v1/households/{hb}/members"),
                &w.bea,
                "members",
                b.to_string(),
            ),
            "/v1/invitations" => (
                "/v1/invitations".into(),
                &w.bea,
                "invitations",
                w.user_dee.to_string(),
            ),
            "/v1/api-keys" => ("/v1/api-keys".into(), &w.admin, "api_keys", "svc".into()),
            "/v1/quarantine" => ("/v1/quarantine".into(), &w.bea, "records", "mine".into()),
            "/v1/totals/monthly" => (
                "/v1/totals/monthly?from=2026-03-01&until=2026-04-01".into(),
                &w.bea,
                "totals",
                "-12.50".into(),
            ),
            "/v1/data-quality" => (
                "/v1/data-quality".into(),
                &w.service1,
                "sources",
                "test".into(),
            ),
            "/v1/review-queue" => (
                "/v1/review-queue".into(),
                &w.bea,
                "items",
                w.transaction_b.clone(),
            ),
            "/v1/alerts" => (
                "/v1/alerts".into(),
                &w.bea,
                "items",
                uuid::Uuid::from_u128(crate::authz::ALERT_B).to_string(),
            ),
            "/v1/balances" => ("/v1/balances".into(), &w.bea, "items", ab.to_string()),
            "/v1/goals" => (
                "/v1/goals".into(),
                &w.bea,
                "items",
                uuid::Uuid::from_u128(crate::authz::GOAL_B).to_string(),
            ),
            "/v1/insights" => (
                "/v1/insights".into(),
                &w.bea,
                "items",
                crate::authz::goal_insight_b(&w).to_string(),
            ),
            // One person's budget, its status and recommendation, and their
            // health score: computed from their own data, unpaged.
            "/v1/budgets"
            | "/v1/budgets/status"
            | "/v1/budgets/recommendation"
            | "/v1/financial-health" => continue,
            // An endless event stream (`alert_streams_carry_only_the_callers_alerts`).
            "/v1/alerts/stream" => continue,
            // Computed from one person's own transactions, unpaged; the
            // registry lists are the tenant's own by a key in every query
            // (store conformance: `runs_keep_params_metrics_tags_and_artifacts`).
            "/v1/recurring" | "/v1/forecasts" | "/v1/models" | "/v1/runs" => continue,
            // Single objects and the fixed category tree are no lists.
            "/v1/me"
            | "/v1/auth/session"
            | "/v1/dashboard/layout"
            | "/v1/categories"
            | "/v1/accounts/{account_id}"
            | "/v1/transactions/{transaction_id}"
            | "/v1/households/{household_id}"
            | "/v1/features/{entity_type}/{entity_id}"
            | "/v1/transactions/{transaction_id}/lineage"
            | "/v1/runs/{run_id}"
            | "/v1/goals/{goal_id}/projection" => continue,
            other => panic!("GET {other} has no list case: add one in tests/it/walks.rs"),
        };
        let (status, answer) = call(&w.state, "GET", &uri, Some(token), None).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {answer}");
        let items = answer[list]
            .as_array()
            .unwrap_or_else(|| panic!("{uri}: {answer}"));
        assert!(
            items.iter().any(|item| item.to_string().contains(&own)),
            "{uri}: {own} is missing from the first page ({} items)",
            items.len()
        );
        assert!(
            !items
                .iter()
                .any(|item| item.to_string().contains("CAL SHOP")
                    || item.to_string().contains("key 1")),
            "{uri}: another tenant's data"
        );
        walked += 1;
    }
    assert!(walked >= 10, "{walked}");
}
