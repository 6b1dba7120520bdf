//! GraphQL: the committed SDL is fresh, every root field and mutation is
//! walked for BOLA like the REST routes, and depth/complexity limits hold.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::authz::{World, call, world};

pub(crate) async fn gql(w: &World, token: Option<&str>, query: &str) -> (StatusCode, Value) {
    call(
        &w.state,
        "POST",
        "/graphql",
        token,
        Some(json!({ "query": query })),
    )
    .await
}

fn error_code(answer: &Value) -> Option<&str> {
    answer["errors"][0]["extensions"]["code"].as_str()
}

#[test]
fn sdl_is_committed_and_fresh() {
    crate::documents::check_fresh("schema.graphql", &finsight_server::graphql::sdl());
}

/// A query or mutation on Bea's data for each root field.
pub(crate) fn case(w: &World, field: &str) -> String {
    let (b, hb, ab, tb) = (w.user_b, w.household_b, w.account_b, &w.transaction_b);
    match field {
        "user" => format!(r#"{{ user(id: "{b}") {{ id displayName }} }}"#),
        "account" => format!(r#"{{ account(id: "{ab}") {{ id name }} }}"#),
        "transaction" => format!(r#"{{ transaction(id: "{tb}") {{ id description }} }}"#),
        "household" => format!(r#"{{ household(id: "{hb}") {{ id members {{ userId }} }} }}"#),
        "createAccount" => format!(
            r#"mutation {{ createAccount(userId: "{b}", kind: "savings", currency: "USD", name: "Rainy day") {{ id }} }}"#
        ),
        "updateAccount" => {
            format!(r#"mutation {{ updateAccount(id: "{ab}", name: "Bea's checking") {{ id }} }}"#)
        }
        "updateTransaction" => {
            format!(r#"mutation {{ updateTransaction(id: "{tb}", notes: "mine") {{ id }} }}"#)
        }
        "addRule" => format!(
            r#"mutation {{ addRule(userId: "{b}", pattern: "COFFEE", category: "dining") {{ id }} }}"#
        ),
        "deleteRule" => format!(
            r#"mutation {{ deleteRule(userId: "{b}", id: "{}") }}"#,
            w.rule_b
        ),
        "setMember" => format!(
            r#"mutation {{ setMember(householdId: "{hb}", userId: "{}", role: "viewer") }}"#,
            w.user_bob
        ),
        "removeMember" => format!(
            r#"mutation {{ removeMember(householdId: "{hb}", userId: "{}") }}"#,
            w.user_ben
        ),
        "addPerson" => format!(
            r#"mutation {{ addPerson(householdId: "{hb}", displayName: "Bo Lee") {{ userId }} }}"#
        ),
        "acceptInvitation" => format!(
            r#"mutation {{ acceptInvitation(householdId: "{hb}", userId: "{}") }}"#,
            w.user_dee
        ),
        "declineInvitation" => format!(
            r#"mutation {{ declineInvitation(householdId: "{hb}", userId: "{}") }}"#,
            w.user_eve
        ),
        "features" => format!(r#"{{ features(entityType: "user", entityId: "{b}") {{ found }} }}"#),
        "reviewQueue" => {
            format!(r#"{{ reviewQueue(userId: "{b}") {{ suggestedCategory confidence }} }}"#)
        }
        "forecasts" => {
            format!(r#"{{ forecasts(userId: "{b}") {{ category points {{ point }} }} }}"#)
        }
        "alerts" => format!(r#"{{ alerts(userId: "{b}") {{ id reasons }} }}"#),
        "budget" => format!(r#"{{ budget(userId: "{b}") {{ currency }} }}"#),
        "budgetStatus" => format!(r#"{{ budgetStatus(userId: "{b}") {{ month }} }}"#),
        "budgetRecommendation" => {
            format!(r#"{{ budgetRecommendation(userId: "{b}") {{ feasible }} }}"#)
        }
        "goals" => format!(r#"{{ goals(userId: "{b}") {{ id name }} }}"#),
        "goalProjection" => format!(
            r#"{{ goalProjection(id: "{}") {{ probability }} }}"#,
            uuid::Uuid::from_u128(crate::authz::GOAL_B)
        ),
        "insights" => format!(r#"{{ insights(userId: "{b}") {{ id title }} }}"#),
        "financialHealth" => format!(r#"{{ financialHealth(userId: "{b}") {{ score }} }}"#),
        "setBudget" => format!(
            r#"mutation {{ setBudget(userId: "{b}", lines: [{{category: "dining", amount: "50.00"}}]) {{ currency }} }}"#
        ),
        "createGoal" => format!(
            r#"mutation {{ createGoal(userId: "{b}", name: "Car", target: "100.00", targetDate: "2027-02-01") {{ feasible }} }}"#
        ),
        "contributeToGoal" => format!(
            r#"mutation {{ contributeToGoal(id: "{}", amount: "5.00") {{ saved }} }}"#,
            uuid::Uuid::from_u128(crate::authz::GOAL_B)
        ),
        "insightFeedback" => format!(
            r#"mutation {{ insightFeedback(userId: "{b}", id: "{}", response: "accept") }}"#,
            crate::authz::goal_insight_b(w)
        ),
        "balances" => format!(r#"{{ balances(userId: "{b}") {{ balance }} }}"#),
        "goalCheck" => format!(
            r#"{{ goalCheck(userId: "{b}", name: "Car", target: "100.00", targetDate: "2027-02-01") {{ feasible }} }}"#
        ),
        "recurring" => format!(r#"{{ recurring(userId: "{b}") {{ payee nextDate }} }}"#),
        "transactionLineage" => {
            format!(r#"{{ transactionLineage(id: "{tb}") {{ category modelVersion }} }}"#)
        }
        // The tenant's registry, never a person's: checked in
        // `registry_routes_are_for_staff_and_services` (tests/it/models.rs).
        "models" | "runs" => String::new(),
        // Answers `found: false` for what the caller may not see (checked
        // in `feature_batches_hide_other_households_entities`).
        "featuresBatch" => String::new(),
        // Not about one household's data (admin functions are checked in
        // `admin_mutations_need_an_admin`; invitations are the caller's own).
        // The caller's own dashboard layout (`dashboard_layouts_are_the_callers_own`).
        "dashboardLayout" | "setDashboardLayout" => String::new(),
        "me" | "categories" | "households" | "invitations" | "createApiKey" | "revokeApiKey"
        | "createHousehold" | "createLogin" => String::new(),
        other => panic!("GraphQL field {other} has no authorization case in tests/it/graphql.rs"),
    }
}

#[tokio::test]
async fn every_root_field_hides_other_households_data() {
    let w = world().await;
    let (_, schema) = gql(
        &w,
        Some(&w.bea),
        "{ __schema { queryType { fields { name } } mutationType { fields { name } } } }",
    )
    .await;
    let mut fields = Vec::new();
    for root in ["queryType", "mutationType"] {
        for field in schema["data"]["__schema"][root]["fields"]
            .as_array()
            .unwrap()
        {
            fields.push(field["name"].as_str().unwrap().to_owned());
        }
    }
    assert!(fields.len() >= 14, "{fields:?}");
    let mut walked = 0;
    for field in &fields {
        let query = case(&w, field);
        if query.is_empty() {
            continue;
        }
        walked += 1;
        for (who, token) in [
            ("ann", &w.ann),
            ("val", &w.val),
            ("cal", &w.cal),
            ("service2", &w.service2),
            ("analyst", &w.analyst),
        ] {
            let (status, answer) = gql(&w, Some(token), &query).await;
            assert_eq!(status, StatusCode::OK);
            let code = error_code(&answer);
            assert!(
                code == Some("not_found") || (who == "analyst" && code == Some("forbidden")),
                "{who} {field}: {answer}"
            );
            assert!(
                answer["data"].is_null() || answer["data"][field].is_null(),
                "{who} {field}: {answer}"
            );
        }
        let (status, _) = gql(&w, None, &query).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "anonymous {field}");
        let (_, answer) = gql(&w, Some(&w.bea), &query).await;
        assert!(answer["errors"].is_null(), "bea {field}: {answer}");
    }
    assert_eq!(walked, 33);
}

#[tokio::test]
async fn nested_fields_are_authorized_too() {
    let w = world().await;
    // Ann asks for her own user but filters by Bea's account.
    let query = format!(
        r#"{{ user {{ transactions(filter: {{accountId: "{}"}}) {{ nodes {{ id }} }} }} }}"#,
        w.account_b
    );
    let (_, answer) = gql(&w, Some(&w.ann), &query).await;
    assert_eq!(error_code(&answer), Some("not_found"), "{answer}");
    // Her own graph works end to end.
    let (_, answer) = gql(
        &w,
        Some(&w.ann),
        r#"{ me { kind households { role household { name } } }
             user { displayName accounts { name transactions(first: 5) { nodes { amount currency category { id } account { owner { displayName } } } } } } }"#,
    )
    .await;
    assert!(answer["errors"].is_null(), "{answer}");
    assert_eq!(answer["data"]["me"]["kind"], "person");
    assert_eq!(answer["data"]["user"]["displayName"], "Ann");
    let nodes = &answer["data"]["user"]["accounts"][0]["transactions"]["nodes"];
    assert_eq!(nodes[0]["amount"], "-12.50");
    assert_eq!(nodes[0]["account"]["owner"]["displayName"], "Ann");
}

#[tokio::test]
async fn deep_or_expensive_queries_are_refused() {
    let w = world().await;
    let deep = r#"{ user { accounts { transactions(first: 1) { nodes { account { owner { accounts { transactions(first: 1) { nodes { account { owner { displayName } } } } } } } } } } } }"#;
    let (_, answer) = gql(&w, Some(&w.ann), deep).await;
    let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("nested too deep"), "{answer}");
    let expensive = r#"{ user { accounts { transactions(first: 1000) { nodes { account { transactions(first: 1000) { nodes { id } } } } } } } }"#;
    let (_, answer) = gql(&w, Some(&w.ann), expensive).await;
    let message = answer["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("too complex"), "{answer}");
}

#[tokio::test]
async fn graphql_errors_name_the_field() {
    let w = world().await;
    let (_, answer) = gql(
        &w,
        Some(&w.ann),
        r#"{ user { monthlyTotals(from: "2026-13-01", until: "2026-02-01") { total } } }"#,
    )
    .await;
    assert_eq!(error_code(&answer), Some("invalid_input"));
    assert_eq!(answer["errors"][0]["extensions"]["field"], "from");
}

#[tokio::test]
async fn admin_mutations_need_an_admin() {
    let w = world().await;
    for query in [
        r#"mutation { createHousehold(name: "X") { id } }"#,
        r#"mutation { createLogin(email: "x@example.com", password: "a long enough password", staffRole: "admin") }"#,
        r#"mutation { createApiKey(name: "x") { secret } }"#,
    ] {
        for token in [&w.ann, &w.analyst, &w.service1] {
            let (_, answer) = gql(&w, Some(token), query).await;
            assert_eq!(error_code(&answer), Some("forbidden"), "{query}: {answer}");
        }
        let (_, answer) = gql(&w, Some(&w.admin), query).await;
        assert!(answer["errors"].is_null(), "{query}: {answer}");
    }
}
