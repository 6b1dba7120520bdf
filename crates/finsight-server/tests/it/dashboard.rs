//! The web dashboard's server side (issue 15): browser sessions in
//! `HttpOnly` cookies with a CSRF token on every write, each person's own
//! overview layout, balances, and the embedded single-page app with its
//! caching and fallback.

use axum::body::Body;
use axum::http::{Request, Response, StatusCode};
use finsight_server::router;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::authz::{PASSWORD, World, call, world};

struct Answer {
    status: StatusCode,
    cookies: Vec<String>,
    headers: axum::http::HeaderMap,
    body: Value,
}

async fn answer(response: Response<Body>) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let cookies = headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        cookies,
        headers,
        body: serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    }
}

async fn send(
    w: &World,
    method: &str,
    uri: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> Answer {
    let mut request = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .unwrap();
    answer(router(w.state.clone()).oneshot(request).await.unwrap()).await
}

/// `name=value` of the Set-Cookie for `name`.
fn cookie<'a>(answer: &'a Answer, name: &str) -> &'a str {
    answer
        .cookies
        .iter()
        .find(|c| c.starts_with(&format!("{name}=")))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", answer.cookies))
}

async fn sign_in(w: &World) -> (String, String, String) {
    let signed = send(
        w,
        "POST",
        "/v1/auth/session",
        &[],
        Some(json!({"email": "bea@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(signed.status, StatusCode::OK, "{}", signed.body);
    (
        cookie(&signed, "finsight_session").to_owned(),
        cookie(&signed, "finsight_refresh").to_owned(),
        signed.body["csrf_token"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn browser_sessions_live_in_http_only_cookies_and_writes_need_the_csrf_token() {
    let w = world().await;
    let signed = send(
        &w,
        "POST",
        "/v1/auth/session",
        &[],
        Some(json!({"email": "bea@example.com", "password": PASSWORD})),
    )
    .await;
    assert_eq!(signed.status, StatusCode::OK);
    assert_eq!(signed.cookies.len(), 2);
    for set in &signed.cookies {
        for attribute in ["HttpOnly", "Secure", "SameSite=Strict"] {
            assert!(set.contains(attribute), "{set} lacks {attribute}");
        }
    }
    assert!(
        signed.cookies[1].contains("Path=/v1/auth/session/refresh"),
        "the refresh token goes only to the refresh route: {}",
        signed.cookies[1]
    );
    let text = signed.body.to_string();
    assert!(
        !text.contains("fsa_") && !text.contains("fsr_"),
        "no token in the body a page script reads: {text}"
    );
    let session = cookie(&signed, "finsight_session").to_owned();
    let csrf = signed.body["csrf_token"].as_str().unwrap().to_owned();

    let me = send(&w, "GET", "/v1/me", &[("cookie", &session)], None).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["display_name"], "Bea");
    let again = send(&w, "GET", "/v1/auth/session", &[("cookie", &session)], None).await;
    assert_eq!(
        again.body["csrf_token"],
        csrf.as_str(),
        "a reload finds the token"
    );

    let layout = json!({"widgets": [{"kind": "health", "width": 2, "height": 1}]});
    for headers in [
        vec![("cookie", session.as_str())],
        vec![("cookie", session.as_str()), ("x-csrf-token", "0123")],
    ] {
        let refused = send(
            &w,
            "PUT",
            "/v1/dashboard/layout",
            &headers,
            Some(layout.clone()),
        )
        .await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);
        assert!(
            refused.body["message"]
                .as_str()
                .unwrap()
                .contains("X-CSRF-Token")
        );
    }
    let graphql = send(
        &w,
        "POST",
        "/graphql",
        &[("cookie", &session)],
        Some(json!({"query": "{ me { kind } }"})),
    )
    .await;
    assert_eq!(
        graphql.status,
        StatusCode::FORBIDDEN,
        "GraphQL is a POST too"
    );
    let saved = send(
        &w,
        "PUT",
        "/v1/dashboard/layout",
        &[("cookie", &session), ("x-csrf-token", &csrf)],
        Some(layout),
    )
    .await;
    assert_eq!(saved.status, StatusCode::OK, "{}", saved.body);
    assert_eq!(saved.body["widgets"][0]["kind"], "health");

    let refresh = cookie(&signed, "finsight_refresh").to_owned();
    let both = format!("{session}; {refresh}");
    let no_header = send(
        &w,
        "POST",
        "/v1/auth/session/refresh",
        &[("cookie", &both)],
        None,
    )
    .await;
    assert_eq!(no_header.status, StatusCode::FORBIDDEN);
    let renewed = send(
        &w,
        "POST",
        "/v1/auth/session/refresh",
        &[("cookie", &both), ("x-requested-with", "test")],
        None,
    )
    .await;
    assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.body);
    let new_session = cookie(&renewed, "finsight_session").to_owned();
    let new_csrf = renewed.body["csrf_token"].as_str().unwrap().to_owned();
    assert_ne!(new_csrf, csrf, "the token follows the session");
    assert_eq!(
        send(&w, "GET", "/v1/me", &[("cookie", &new_session)], None)
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(
        send(&w, "GET", "/v1/me", &[("cookie", &session)], None)
            .await
            .status,
        StatusCode::UNAUTHORIZED,
        "the old access token died with the refresh"
    );
    let spent = send(
        &w,
        "POST",
        "/v1/auth/session/refresh",
        &[("cookie", &both), ("x-requested-with", "test")],
        None,
    )
    .await;
    assert_eq!(
        spent.status,
        StatusCode::UNAUTHORIZED,
        "a refresh token works once"
    );
}

#[tokio::test]
async fn signing_out_clears_the_cookies_and_ends_the_session() {
    let w = world().await;
    let (session, _, csrf) = sign_in(&w).await;
    let without = send(
        &w,
        "DELETE",
        "/v1/auth/session",
        &[("cookie", &session)],
        None,
    )
    .await;
    assert_eq!(
        without.status,
        StatusCode::FORBIDDEN,
        "signing out is a write"
    );
    let out = send(
        &w,
        "DELETE",
        "/v1/auth/session",
        &[("cookie", &session), ("x-csrf-token", &csrf)],
        None,
    )
    .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert!(
        out.cookies.iter().all(|c| c.contains("Max-Age=0")),
        "{:?}",
        out.cookies
    );
    assert_eq!(
        send(&w, "GET", "/v1/me", &[("cookie", &session)], None)
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let wrong = send(
        &w,
        "POST",
        "/v1/auth/session",
        &[],
        Some(json!({"email": "bea@example.com", "password": "not it at all"})),
    )
    .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.cookies.is_empty());
}

#[tokio::test]
async fn dashboard_layouts_are_the_callers_own() {
    let w = world().await;
    let standard = call(&w.state, "GET", "/v1/dashboard/layout", Some(&w.ann), None).await;
    assert_eq!(standard.0, StatusCode::OK);
    assert!(standard.1["saved_at"].is_null());
    assert!(standard.1["widgets"].as_array().unwrap().len() >= 4);

    let mine = json!({"widgets": [
        {"kind": "forecast", "width": 4, "height": 2},
        {"kind": "balances", "width": 1, "height": 1}
    ]});
    let (status, saved) = call(
        &w.state,
        "PUT",
        "/v1/dashboard/layout",
        Some(&w.bea),
        Some(mine),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert!(saved["saved_at"].is_string());
    let (_, read) = call(&w.state, "GET", "/v1/dashboard/layout", Some(&w.bea), None).await;
    assert_eq!(read["widgets"], saved["widgets"]);
    let (_, anns) = call(&w.state, "GET", "/v1/dashboard/layout", Some(&w.ann), None).await;
    assert_eq!(anns, standard.1, "Bea's layout is hers alone");

    for staff in [&w.admin, &w.service1] {
        let (status, body) = call(&w.state, "GET", "/v1/dashboard/layout", Some(staff), None).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }
    for (widgets, field) in [
        (
            json!([{"kind": "stocks", "width": 1, "height": 1}]),
            "widgets[0].kind",
        ),
        (
            json!([{"kind": "health", "width": 1, "height": 1}, {"kind": "health", "width": 2, "height": 1}]),
            "widgets[1].kind",
        ),
        (
            json!([{"kind": "health", "width": 9, "height": 1}]),
            "widgets[0].width",
        ),
        (
            json!([{"kind": "health", "width": 1, "height": 0}]),
            "widgets[0].height",
        ),
    ] {
        let (status, body) = call(
            &w.state,
            "PUT",
            "/v1/dashboard/layout",
            Some(&w.bea),
            Some(json!({ "widgets": widgets })),
        )
        .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], field, "{body}");
    }
    let (_, gql) = crate::graphql::gql(
        &w,
        Some(&w.bea),
        r#"mutation { setDashboardLayout(widgets: [{kind: "goals", width: 2, height: 1}]) { widgets { kind } } }"#,
    )
    .await;
    assert_eq!(
        gql["data"]["setDashboardLayout"]["widgets"][0]["kind"], "goals",
        "{gql}"
    );
}

#[tokio::test]
async fn balances_net_each_account_of_the_person() {
    let w = world().await;
    let (status, body) = call(&w.state, "GET", "/v1/balances", Some(&w.bea), None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let items = body["items"].as_array().unwrap();
    let own = items
        .iter()
        .find(|b| b["account"]["id"] == w.account_b.to_string())
        .unwrap_or_else(|| panic!("{body}"));
    assert_eq!(own["balance"], "-12.50", "{own}");
    assert_eq!(own["transactions"], 1);
}

#[tokio::test]
async fn the_dashboard_is_served_with_caching_and_a_page_fallback() {
    let w = world().await;
    let index = send(&w, "GET", "/", &[], None).await;
    assert_eq!(index.status, StatusCode::OK);
    assert!(
        index.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    assert_eq!(index.headers["cache-control"], "no-cache");
    assert!(
        index.headers["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("script-src 'self'")
    );
    let etag = index.headers["etag"].to_str().unwrap().to_owned();
    let page = send(&w, "GET", "/budgets", &[], None).await;
    assert_eq!(
        page.status,
        StatusCode::OK,
        "a page of the app gets index.html"
    );
    assert_eq!(page.headers["etag"].to_str().unwrap(), etag);
    let unchanged = send(&w, "GET", "/", &[("if-none-match", &etag)], None).await;
    assert_eq!(unchanged.status, StatusCode::NOT_MODIFIED);

    let html = router(w.state.clone())
        .oneshot(Request::get("/").body(Body::empty()).unwrap())
        .await
        .unwrap()
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes();
    let html = String::from_utf8(html.to_vec()).unwrap();
    let script = html
        .split("src=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .filter(|src| src.starts_with("/assets/"))
        .unwrap_or_else(|| panic!("no hashed script in {html}"));
    let asset = send(&w, "GET", script, &[], None).await;
    assert_eq!(asset.status, StatusCode::OK);
    assert_eq!(
        asset.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        asset.headers["content-type"]
            .to_str()
            .unwrap()
            .contains("javascript")
    );

    for missing in ["/assets/nothing.js", "/v1/nothing", "/graphql/x"] {
        let answer = send(&w, "GET", missing, &[], None).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(
            answer.body["code"], "not_found",
            "{missing} keeps the API's error body"
        );
    }
    let post = send(&w, "POST", "/budgets", &[], None).await;
    assert_eq!(post.status, StatusCode::NOT_FOUND);
}
