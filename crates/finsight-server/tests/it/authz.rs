//! Authorization, OWASP API Security Top 10 (2023) style, BOLA first: a
//! table walks **every** route of the API and tries it as user A against
//! user B's data, and as principals of the other tenant; a route added
//! without a case here fails the walk. Each case also runs as the data's
//! owner, so a route that refused everyone would not pass for a safe one.

pub(crate) use crate::guards::{Guard, guard};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use finsight_core::{
    Account, AccountId, AccountKind, Currency, Description, Household, HouseholdId, HouseholdRole,
    LoginKind, Money, NewTransaction, PostingDate, SourceName, StaffRole, Tenant, TenantId, User,
    UserId,
};
use finsight_server::{AppState, router};
use finsight_service::{AuthSettings, PasswordHashing};
use finsight_store::Directory;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

pub const PASSWORD: &str = "a long enough password";

fn id16(n: u8) -> [u8; 16] {
    [n; 16]
}

/// Two tenants. In tenant 1: household A (Ann, owner with a login; Abe,
/// member; Val, viewer with a login) and household B (Bea, owner with a
/// login; Bob and Ben, members; Dee and Eve invited by the admin, neither
/// side has agreed yet); an admin, an analyst and a service key. In tenant
/// 2: Cal and a service key.
/// The id of Bea's alert.
pub const ALERT_B: u128 = 0x00a1_e47b;
/// The id of Bea's savings goal (far out of reach: she has no income).
pub const GOAL_B: u128 = 0x0090_a1b0;

/// The id of Bea's insight that her goal is off track this month.
pub fn goal_insight_b(w: &World) -> uuid::Uuid {
    uuid::Uuid::new_v5(
        &w.user_b.as_uuid(),
        format!(
            "insight:goal_off_track:{}:2026-03",
            uuid::Uuid::from_u128(GOAL_B)
        )
        .as_bytes(),
    )
}

pub struct World {
    pub state: AppState,
    pub ann: String,
    pub bea: String,
    pub val: String,
    pub cal: String,
    pub admin: String,
    pub analyst: String,
    pub service1: String,
    pub service2: String,
    pub user_a: UserId,
    pub user_b: UserId,
    pub user_bob: UserId,
    pub user_ben: UserId,
    pub user_dee: UserId,
    pub user_eve: UserId,
    pub household_a: HouseholdId,
    pub household_b: HouseholdId,
    pub account_a: AccountId,
    pub account_b: AccountId,
    pub transaction_b: String,
    pub rule_b: String,
    pub _dir: tempfile::TempDir,
}

fn account(n: u8, user: UserId) -> Account {
    Account {
        id: AccountId::from_random_bytes(id16(n)),
        user_id: user,
        kind: AccountKind::Checking,
        currency: Currency::parse("USD").unwrap(),
        name: format!("account {n}"),
        institution: "First Harbor Bank".into(),
        closed_on: None,
    }
}

fn purchase(account: AccountId, description: &str) -> NewTransaction {
    NewTransaction {
        account_id: account,
        posted_on: PostingDate::parse("2026-03-02").unwrap(),
        occurred_at: None,
        amount: Money::parse("-12.50", Currency::parse("USD").unwrap()).unwrap(),
        description: Description::parse(description).unwrap(),
        merchant: None,
        mcc: None,
        category: None,
        source: SourceName::parse("test").unwrap(),
        source_ref: None,
    }
}

pub async fn world() -> World {
    let (state, dir) = crate::state().await;
    let settings = AuthSettings {
        hashing: PasswordHashing::for_tests(),
        ..AuthSettings::default()
    };
    // The walks send a few hundred requests from one test client in a
    // second or two: the per-address limit is not what they test (the
    // rate-limit tests use their own state), so it must not cut them off
    // on a fast machine.
    let unlimited = finsight_server::rate_limit::RateLimit {
        per_second: 1e6,
        burst: 1e6,
    };
    let services = state.services.clone().with_auth_settings(settings);
    let state = state.with_services(services).with_rate_limit(unlimited);
    let (t1, t2) = (
        TenantId::from_random_bytes(id16(1)),
        TenantId::from_random_bytes(id16(2)),
    );
    let (ha, hb, hc) = (
        HouseholdId::from_random_bytes(id16(11)),
        HouseholdId::from_random_bytes(id16(12)),
        HouseholdId::from_random_bytes(id16(13)),
    );
    let user = |n: u8, tenant, household, name: &str| User {
        id: UserId::from_random_bytes(id16(n)),
        tenant_id: tenant,
        household_id: household,
        display_name: name.into(),
    };
    let users = vec![
        user(21, t1, ha, "Ann"),
        user(22, t1, ha, "Abe"),
        user(23, t1, hb, "Bea"),
        user(24, t1, hb, "Bob"),
        user(25, t1, hb, "Ben"),
        user(26, t2, hc, "Cal"),
        // Val's own household is elsewhere; she views household A.
        user(27, t1, HouseholdId::from_random_bytes(id16(14)), "Val"),
        user(28, t1, HouseholdId::from_random_bytes(id16(14)), "Dee"),
        user(29, t1, HouseholdId::from_random_bytes(id16(14)), "Eve"),
    ];
    let ids: Vec<UserId> = users.iter().map(|u| u.id).collect();
    let directory = Directory {
        tenants: vec![
            Tenant {
                id: t1,
                name: "Acme".into(),
            },
            Tenant {
                id: t2,
                name: "Other".into(),
            },
        ],
        households: [
            (ha, t1, "A"),
            (hb, t1, "B"),
            (hc, t2, "C"),
            (HouseholdId::from_random_bytes(id16(14)), t1, "V"),
        ]
        .into_iter()
        .map(|(id, tenant_id, name)| Household {
            id,
            tenant_id,
            name: name.into(),
        })
        .collect(),
        users,
        accounts: vec![
            account(31, ids[0]),
            account(33, ids[2]),
            account(36, ids[5]),
        ],
    };
    let store = &state.services.store();
    store.upsert_directory(&directory).await.unwrap();
    // Only the first person of each household owns it.
    for member in [ids[1], ids[3], ids[4]] {
        let household = if member == ids[1] { ha } else { hb };
        store
            .set_membership(household, member, HouseholdRole::Member)
            .await
            .unwrap();
    }
    store
        .set_membership(ha, ids[6], HouseholdRole::Viewer)
        .await
        .unwrap();
    for invited in [ids[7], ids[8]] {
        store
            .invite(&finsight_store::Invitation {
                household: hb,
                user: invited,
                role: HouseholdRole::Member,
                invited_by: "admin:test".into(),
                owner_approved: false,
                person_accepted: false,
                created_at: time::macros::datetime!(2026-03-01 09:00 UTC),
            })
            .await
            .unwrap();
    }
    let (account_a, account_b) = (
        AccountId::from_random_bytes(id16(31)),
        AccountId::from_random_bytes(id16(33)),
    );
    let b_purchase = purchase(account_b, "BEA'S PHARMACY");
    store
        .insert_transactions(&[purchase(account_a, "ANN'S BAKERY"), b_purchase.clone()])
        .await
        .unwrap();
    // The categorizer was unsure of Bea's purchase: it waits in her review
    // queue, and its lineage names the model.
    store
        .record_categorizations(&[finsight_store::Categorization {
            transaction_id: b_purchase.transaction_id(),
            tenant: t1,
            user_id: ids[2],
            model: "categorizer".into(),
            version: 1,
            category: finsight_core::CategoryId::parse("health.pharmacy").unwrap(),
            confidence: 0.41,
            status: finsight_store::CategorizationStatus::Review,
            created_at: 1_000,
        }])
        .await
        .unwrap();
    // An anomaly alert on Bea's purchase.
    store
        .record_alerts(&[finsight_store::Alert {
            id: uuid::Uuid::from_u128(ALERT_B),
            user_id: ids[2],
            transaction_id: Some(b_purchase.transaction_id()),
            kind: "anomaly".into(),
            score: 0.97,
            threshold: 0.8,
            reasons: r#"[{"reason":"new_country","text":"first purchase in NG","weight":2.0}]"#
                .into(),
            created_at: 2_000,
            feedback: None,
            feedback_at: None,
        }])
        .await
        .unwrap();
    store
        .save_goal(&finsight_store::GoalRow {
            id: uuid::Uuid::from_u128(GOAL_B),
            user_id: ids[2],
            name: "Boat".into(),
            target_minor: 5_000_000,
            saved_minor: 0,
            currency: "USD".into(),
            target_date: time::macros::date!(2026 - 09 - 01),
            created_at: 1_000,
            updated_at: 1_000,
        })
        .await
        .unwrap();
    let auth = &state.services.auth;
    let mut tokens = Vec::new();
    for (email, tenant, kind) in [
        ("ann@example.com", t1, LoginKind::Person(ids[0])),
        ("bea@example.com", t1, LoginKind::Person(ids[2])),
        ("val@example.com", t1, LoginKind::Person(ids[6])),
        ("cal@example.com", t2, LoginKind::Person(ids[5])),
        ("admin@example.com", t1, LoginKind::Staff(StaffRole::Admin)),
        (
            "analyst@example.com",
            t1,
            LoginKind::Staff(StaffRole::Analyst),
        ),
    ] {
        auth.create_login("test", tenant, email, PASSWORD, kind)
            .await
            .unwrap();
        let session = auth.login(email, PASSWORD).await.unwrap();
        tokens.push(format!("Bearer {}", session.access_token));
    }
    let service1 = auth.create_api_key_for("test", t1, "svc").await.unwrap().1;
    let service2 = auth.create_api_key_for("test", t2, "svc").await.unwrap().1;
    let rule_b = state
        .services
        .add_rule(
            &auth
                .authenticate(&tokens[1]["Bearer ".len()..])
                .await
                .unwrap()
                .principal,
            None,
            "PHARMACY",
            "health",
            None,
        )
        .await
        .unwrap();
    World {
        ann: tokens[0].clone(),
        bea: tokens[1].clone(),
        val: tokens[2].clone(),
        cal: tokens[3].clone(),
        admin: tokens[4].clone(),
        analyst: tokens[5].clone(),
        service1: format!("Bearer {service1}"),
        service2: format!("Bearer {service2}"),
        user_a: ids[0],
        user_b: ids[2],
        user_bob: ids[3],
        user_ben: ids[4],
        user_dee: ids[7],
        user_eve: ids[8],
        household_a: ha,
        household_b: hb,
        account_a,
        account_b,
        transaction_b: b_purchase.transaction_id().to_string(),
        rule_b: rule_b.id.to_string(),
        state,
        _dir: dir,
    }
}

pub async fn call(
    state: &AppState,
    method: &str,
    uri: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(token) = token {
        request = request.header("authorization", token);
    }
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    let response = router(state.clone()).oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn every_route_hides_other_households_and_tenants_data() {
    let w = world().await;
    let routes = finsight_server::api::route_list();
    assert!(routes.len() >= 20, "{routes:?}");
    let mut object_routes = 0;
    for (method, path) in &routes {
        let Guard::Object {
            uri,
            body,
            owner_status,
        } = guard(&w, method, path)
        else {
            continue;
        };
        object_routes += 1;
        // Ann (other household), Val (viewer of another household), Cal and
        // tenant 2's service key (other tenant), the analyst (no personal
        // data): none sees or changes Bea's data.
        for (who, token) in [
            ("ann", &w.ann),
            ("val", &w.val),
            ("cal", &w.cal),
            ("service2", &w.service2),
            ("analyst", &w.analyst),
        ] {
            let (status, error) = call(&w.state, method, &uri, Some(token), body.clone()).await;
            assert!(
                status == StatusCode::NOT_FOUND
                    || (who == "analyst" && status == StatusCode::FORBIDDEN),
                "{who} {method} {uri}: {status} {error}"
            );
            assert!(error["code"].is_string(), "{who} {method} {uri}: {error}");
        }
        // Without a token: 401.
        let (status, _) = call(&w.state, method, &uri, None, body.clone()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {method} {uri}");
        // The owner may.
        let (status, answer) = call(&w.state, method, &uri, Some(&w.bea), body.clone()).await;
        assert_eq!(status, owner_status, "bea {method} {uri}: {answer}");
    }
    assert!(object_routes >= 15, "only {object_routes} object routes");
    // Nothing of Bea's changed hands: the note and the batch came from Bea.
    let (_, t) = call(
        &w.state,
        "GET",
        &format!("/v1/transactions/{}", w.transaction_b),
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(t["notes"], "mine now");
}

#[tokio::test]
async fn viewers_read_but_cannot_write_and_members_cannot_manage() {
    let w = world().await;
    let a_tx = {
        let (_, page) = call(
            &w.state,
            "GET",
            &format!("/v1/transactions?account_id={}", w.account_a),
            Some(&w.val),
            None,
        )
        .await;
        page["transactions"][0]["id"].as_str().unwrap().to_owned()
    };
    let (status, _) = call(
        &w.state,
        "PATCH",
        &format!("/v1/transactions/{a_tx}"),
        Some(&w.val),
        Some(json!({"notes": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = call(
        &w.state,
        "PUT",
        &format!("/v1/households/{}/members/{}", w.household_a, w.user_a),
        Some(&w.val),
        Some(json!({"role": "viewer"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // The last owner cannot be demoted, even by herself.
    let (status, error) = call(
        &w.state,
        "PUT",
        &format!("/v1/households/{}/members/{}", w.household_a, w.user_a),
        Some(&w.ann),
        Some(json!({"role": "member"})),
    )
    .await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("role"))
    );
    // People of another tenant cannot be added.
    let cal = UserId::from_random_bytes(id16(26));
    let (status, _) = call(
        &w.state,
        "PUT",
        &format!("/v1/households/{}/members/{cal}", w.household_a),
        Some(&w.ann),
        Some(json!({"role": "viewer"})),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn staff_and_service_keys_stay_in_their_lane() {
    let w = world().await;
    // Admins read personal data only with an audit entry, and cannot write it.
    let before = w
        .state
        .services
        .store()
        .audit_entries(0, 10_000)
        .await
        .unwrap()
        .len();
    let (status, _) = call(
        &w.state,
        "GET",
        &format!("/v1/accounts/{}", w.account_b),
        Some(&w.admin),
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
    assert_eq!(entries.len(), before + 1);
    let last = &entries.last().unwrap().event;
    assert_eq!(last.action, "staff.read");
    assert!(last.actor.starts_with("admin:"));
    assert_eq!(last.subject, format!("user:{}", w.user_b));
    let (status, _) = call(
        &w.state,
        "PATCH",
        &format!("/v1/transactions/{}", w.transaction_b),
        Some(&w.admin),
        Some(json!({"notes": "staff note"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Analysts see aggregates but no household, account or transaction.
    let (status, _) = call(&w.state, "GET", "/v1/data-quality", Some(&w.analyst), None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call(&w.state, "GET", "/v1/households", Some(&w.analyst), None).await;
    assert_eq!(
        (status, body["households"].as_array().map(Vec::len)),
        (StatusCode::OK, Some(0))
    );
    // People do not see the tenant's data-quality report or its keys.
    for (path, expected) in [
        ("/v1/data-quality", StatusCode::FORBIDDEN),
        ("/v1/api-keys", StatusCode::FORBIDDEN),
    ] {
        let (status, _) = call(&w.state, "GET", path, Some(&w.ann), None).await;
        assert_eq!(status, expected, "{path}");
    }
    // A service key reads and writes in its tenant only.
    let (status, _) = call(
        &w.state,
        "GET",
        &format!("/v1/transactions?user_id={}", w.user_b),
        Some(&w.service1),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call(
        &w.state,
        "GET",
        &format!("/v1/transactions?user_id={}", w.user_b),
        Some(&w.service2),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // Staff and services must say whose data they mean.
    let (status, error) = call(&w.state, "GET", "/v1/transactions", Some(&w.service1), None).await;
    assert_eq!(
        (status, error["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("user_id"))
    );
}

#[tokio::test]
async fn not_object_scoped_routes_leak_nothing() {
    let w = world().await;
    // Households list: only one's own.
    let (_, body) = call(&w.state, "GET", "/v1/households", Some(&w.ann), None).await;
    let ids: Vec<&str> = body["households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [w.household_a.to_string()]);
    // Admins list their own tenant's households only, and are audited.
    let (_, body) = call(&w.state, "GET", "/v1/households", Some(&w.admin), None).await;
    assert_eq!(body["households"].as_array().unwrap().len(), 3);
    // Me: oneself.
    let (_, me) = call(&w.state, "GET", "/v1/me", Some(&w.bea), None).await;
    assert_eq!(me["user_id"], w.user_b.to_string());
    // Quarantine: only records of accounts one may read.
    let batch =
        json!({"account_id": w.account_b.to_string(), "transactions": [{"posted_on": "nope"}]});
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/transactions:batch",
        Some(&w.bea),
        Some(batch),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, mine) = call(&w.state, "GET", "/v1/quarantine", Some(&w.bea), None).await;
    assert_eq!(mine["records"].as_array().unwrap().len(), 1);
    let (_, theirs) = call(&w.state, "GET", "/v1/quarantine", Some(&w.ann), None).await;
    assert_eq!(theirs["records"].as_array().unwrap().len(), 0);
    // Data quality: tenant 2's service key sees nothing of tenant 1.
    let (_, quality) = call(&w.state, "GET", "/v1/data-quality", Some(&w.service2), None).await;
    assert_eq!(quality["sources"].as_array().unwrap().len(), 0);
    let (_, quality) = call(&w.state, "GET", "/v1/data-quality", Some(&w.service1), None).await;
    assert!(!quality["sources"].as_array().unwrap().is_empty());
    // API keys: only admins, only their tenant's, revocation takes effect at once.
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/api-keys",
        Some(&w.ann),
        Some(json!({"name": "x"})),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, created) = call(
        &w.state,
        "POST",
        "/v1/api-keys",
        Some(&w.admin),
        Some(json!({"name": "ledger sync"})),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let key_id = created["key"]["id"].as_str().unwrap().to_owned();
    let secret = format!("Bearer {}", created["secret"].as_str().unwrap());
    let (status, _) = call(
        &w.state,
        "GET",
        &format!("/v1/accounts?user_id={}", w.user_a),
        Some(&secret),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listed) = call(&w.state, "GET", "/v1/api-keys", Some(&w.admin), None).await;
    assert!(
        listed["api_keys"]
            .as_array()
            .unwrap()
            .iter()
            .all(|k| !k.to_string().contains("fsk_"))
    );
    let (status, _) = call(
        &w.state,
        "DELETE",
        &format!("/v1/api-keys/{key_id}"),
        Some(&w.admin),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = call(
        &w.state,
        "GET",
        &format!("/v1/accounts?user_id={}", w.user_a),
        Some(&secret),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn imports_are_guarded_like_batches() {
    let w = world().await;
    let file = "Date,Description,Amount\n2026-03-01,A,-1.00\n";
    for (token, expected) in [
        (&w.ann, StatusCode::NOT_FOUND),
        (&w.cal, StatusCode::NOT_FOUND),
        (&w.service2, StatusCode::NOT_FOUND),
        (&w.admin, StatusCode::FORBIDDEN),
        (&w.bea, StatusCode::OK),
    ] {
        let (status, _) =
            crate::security::upload(&w, token, w.account_b, "a.csv", file, None).await;
        assert_eq!(status, expected);
    }
}
