//! The authorization case of every REST route: what the BOLA walk
//! (`authz.rs`) and the list and idempotency walks (`walks.rs`) try on Bea's
//! data as other principals, and what her own request must answer.

use axum::http::StatusCode;
use serde_json::{Value, json};

use crate::authz::{ALERT_B, GOAL_B, World, goal_insight_b};

/// What a route must do when someone tries it on data that is not theirs.
pub(crate) enum Guard {
    /// Acts on one household's data: outsiders get 404 (never 200), the
    /// owner gets a success.
    Object {
        uri: String,
        body: Option<Value>,
        owner_status: StatusCode,
    },
    /// Not about anyone's data (sign-in, the category tree): checked by a
    /// dedicated assertion in `not_object_scoped_routes_leak_nothing`.
    NotObjectScoped,
}

pub(crate) fn guard(w: &World, method: &str, path: &str) -> Guard {
    use StatusCode as S;
    let object = |uri: String, body: Option<Value>, owner_status| Guard::Object {
        uri,
        body,
        owner_status,
    };
    let (b, hb, ab, tb) = (w.user_b, w.household_b, w.account_b, &w.transaction_b);
    match (method, path) {
        (
            "POST",
            "/v1/auth/login"
            | "/v1/auth/refresh"
            | "/v1/auth/logout"
            | "/v1/auth/session"
            | "/v1/auth/session/refresh",
        )
        | ("GET" | "DELETE", "/v1/auth/session") => Guard::NotObjectScoped,
        // The signed-in person's own layout, never anyone else's: checked in
        // `dashboard_layouts_are_the_callers_own`.
        ("GET" | "PUT", "/v1/dashboard/layout") => Guard::NotObjectScoped,
        ("GET", "/v1/balances") => object(format!("/v1/balances?user_id={b}"), None, S::OK),
        ("POST", "/v1/goals:check") => object(
            format!("/v1/goals:check?user_id={b}"),
            Some(json!({"name": "Bike", "target": "900.00", "target_date": "2027-01-01"})),
            S::OK,
        ),
        (
            "GET",
            "/v1/me" | "/v1/categories" | "/v1/households" | "/v1/api-keys" | "/v1/quarantine"
            | "/v1/data-quality",
        ) => Guard::NotObjectScoped,
        ("POST", "/v1/api-keys" | "/v1/households" | "/v1/logins")
        | ("DELETE", "/v1/api-keys/{api_key_id}") => Guard::NotObjectScoped,
        ("POST", "/v1/households/{household_id}/people") => object(
            format!("/v1/households/{hb}/people"),
            Some(json!({"display_name": "Bo Lee"})),
            S::CREATED,
        ),
        ("GET", "/v1/accounts") => object(format!("/v1/accounts?user_id={b}"), None, S::OK),
        ("GET", "/v1/accounts/{account_id}") => object(format!("/v1/accounts/{ab}"), None, S::OK),
        ("POST", "/v1/accounts") => object(
            "/v1/accounts".into(),
            Some(
                json!({"user_id": b.to_string(), "kind": "savings", "currency": "USD", "name": "Rainy day"}),
            ),
            S::CREATED,
        ),
        ("PATCH", "/v1/accounts/{account_id}") => object(
            format!("/v1/accounts/{ab}"),
            Some(json!({"name": "Bea's checking"})),
            S::OK,
        ),
        ("GET", "/v1/transactions") => {
            object(format!("/v1/transactions?account_id={ab}"), None, S::OK)
        }
        ("GET", "/v1/transactions/{transaction_id}") => {
            object(format!("/v1/transactions/{tb}"), None, S::OK)
        }
        ("PATCH", "/v1/transactions/{transaction_id}") => object(
            format!("/v1/transactions/{tb}"),
            Some(json!({"notes": "mine now"})),
            S::OK,
        ),
        ("GET", "/v1/totals/monthly") => object(
            format!("/v1/totals/monthly?user_id={b}&from=2026-01-01&until=2026-04-01"),
            None,
            S::OK,
        ),
        ("GET", "/v1/rules") => object(format!("/v1/rules?user_id={b}"), None, S::OK),
        ("POST", "/v1/rules") => object(
            format!("/v1/rules?user_id={b}"),
            Some(json!({"pattern": "COFFEE", "category": "dining"})),
            S::CREATED,
        ),
        ("DELETE", "/v1/rules/{rule_id}") => object(
            format!("/v1/rules/{}?user_id={b}", w.rule_b),
            None,
            S::NO_CONTENT,
        ),
        ("GET", "/v1/households/{household_id}") => {
            object(format!("/v1/households/{hb}"), None, S::OK)
        }
        ("GET", "/v1/households/{household_id}/members") => {
            object(format!("/v1/households/{hb}/members"), None, S::OK)
        }
        ("PUT", "/v1/households/{household_id}/members/{user_id}") => object(
            format!("/v1/households/{hb}/members/{}", w.user_bob),
            Some(json!({"role": "viewer"})),
            S::NO_CONTENT,
        ),
        ("DELETE", "/v1/households/{household_id}/members/{user_id}") => object(
            format!("/v1/households/{hb}/members/{}", w.user_ben),
            None,
            S::NO_CONTENT,
        ),
        ("POST", "/v1/transactions:batch") => object(
            "/v1/transactions:batch".into(),
            Some(json!({"account_id": ab.to_string(), "transactions": [
                {"posted_on": "2026-03-03", "amount": "-1.00", "currency": "USD", "description": "X"}
            ]})),
            S::OK,
        ),
        ("POST", "/v1/households/{household_id}/invitations/{user_id}/accept") => object(
            format!("/v1/households/{hb}/invitations/{}/accept", w.user_dee),
            None,
            S::OK,
        ),
        ("DELETE", "/v1/households/{household_id}/invitations/{user_id}") => object(
            format!("/v1/households/{hb}/invitations/{}", w.user_eve),
            None,
            S::NO_CONTENT,
        ),
        ("GET", "/v1/features/{entity_type}/{entity_id}") => {
            object(format!("/v1/features/user/{b}"), None, S::OK)
        }
        // Answers `found: false` for entities the caller may not see:
        // checked in `feature_batches_find_only_what_the_caller_may_see`.
        ("POST", "/v1/features:batch") => Guard::NotObjectScoped,
        // The caller's own invitations.
        ("GET", "/v1/invitations") => Guard::NotObjectScoped,
        ("GET", "/v1/forecasts") => object(format!("/v1/forecasts?user_id={b}"), None, S::OK),
        ("GET", "/v1/alerts") => object(format!("/v1/alerts?user_id={b}"), None, S::OK),
        ("POST", "/v1/alerts/{id}/feedback") => object(
            format!("/v1/alerts/{}/feedback", uuid::Uuid::from_u128(ALERT_B)),
            Some(json!({"was_me": true})),
            S::OK,
        ),
        // An endless event stream: checked in
        // `alert_streams_carry_only_the_callers_alerts`.
        ("GET", "/v1/alerts/stream") => Guard::NotObjectScoped,
        (
            "GET",
            "/v1/budgets"
            | "/v1/budgets/status"
            | "/v1/budgets/recommendation"
            | "/v1/goals"
            | "/v1/insights"
            | "/v1/financial-health",
        ) => object(format!("{path}?user_id={b}"), None, S::OK),
        ("PUT", "/v1/budgets") => object(
            format!("/v1/budgets?user_id={b}"),
            Some(json!({"lines": [{"category": "dining", "amount": "100.00", "rollover": true}]})),
            S::OK,
        ),
        ("POST", "/v1/goals") => object(
            format!("/v1/goals?user_id={b}"),
            Some(json!({"name": "Bike", "target": "900.00", "target_date": "2027-01-01"})),
            S::CREATED,
        ),
        ("GET", "/v1/goals/{goal_id}/projection") => object(
            format!("/v1/goals/{}/projection", uuid::Uuid::from_u128(GOAL_B)),
            None,
            S::OK,
        ),
        ("POST", "/v1/goals/{goal_id}/contributions") => object(
            format!("/v1/goals/{}/contributions", uuid::Uuid::from_u128(GOAL_B)),
            Some(json!({"amount": "10.00"})),
            S::OK,
        ),
        ("POST", "/v1/insights/{insight_id}/feedback") => object(
            format!("/v1/insights/{}/feedback?user_id={b}", goal_insight_b(w)),
            Some(json!({"response": "snooze", "snooze_days": 1})),
            S::OK,
        ),
        ("GET", "/v1/review-queue") => object(format!("/v1/review-queue?user_id={b}"), None, S::OK),
        ("GET", "/v1/recurring") => object(format!("/v1/recurring?user_id={b}"), None, S::OK),
        ("GET", "/v1/transactions/{transaction_id}/lineage") => {
            object(format!("/v1/transactions/{tb}/lineage"), None, S::OK)
        }
        // The tenant's registry: never a person's (checked in
        // `registry_routes_are_for_staff_and_services`).
        ("GET", "/v1/models" | "/v1/runs" | "/v1/runs/{run_id}") => Guard::NotObjectScoped,
        // Multipart: checked in `imports_are_guarded_like_batches`.
        ("POST", "/v1/imports") => Guard::NotObjectScoped,
        (method, path) => panic!(
            "{method} {path} has no authorization case: add one to `guard` in tests/it/authz.rs"
        ),
    }
}
