//! Feature lookups over REST and GraphQL: a person reads their own
//! entities' vectors, never another household's; batches say `found:
//! false` for what the caller may not see; market entities are open;
//! bad names and oversized batches are refused naming the field.

use axum::http::StatusCode;
use finsight_features::definition::MICROS_PER_DAY;
use finsight_features::event::micros;
use finsight_features::{EntityKey, EntityKind, Event};
use serde_json::json;

use crate::authz::{call, world};

async fn seed(w: &crate::authz::World) {
    let (_, online) = w.state.services.online_features().unwrap();
    let now = micros(w.state.services.clock().now());
    let spend = |entity: EntityKey, id: &str, days_ago: i64, value: i64| Event {
        entity,
        id: id.into(),
        at: now - days_ago * MICROS_PER_DAY,
        created_at: now,
        value,
        merchant: 1,
        category: Some("dining".into()),
    };
    let bea = EntityKey::new(EntityKind::User, w.user_b.to_string());
    let events = vec![
        spend(bea.clone(), "t1", 3, -12_500_000),
        spend(bea, "t2", 40, -30_000_000),
        Event {
            entity: EntityKey::new(EntityKind::Asset, "VTI"),
            id: "VTI@d".into(),
            at: now - MICROS_PER_DAY,
            created_at: now,
            value: 250_000_000,
            merchant: 0,
            category: None,
        },
    ];
    online.apply(&events, &[true; 3], now).await.unwrap();
}

#[tokio::test]
async fn a_person_reads_their_own_vector_and_nobody_elses() {
    let w = world().await;
    seed(&w).await;
    let uri = format!(
        "/v1/features/user/{}?features=user_activity.spend_30d,user_activity.spend_90d",
        w.user_b
    );
    let (status, answer) = call(&w.state, "GET", &uri, Some(&w.bea), None).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let values = &answer["views"][0]["features"];
    assert_eq!(
        values,
        &json!({"spend_30d": 12.5, "spend_90d": 42.5}),
        "{answer}"
    );
    assert_eq!(answer["views"].as_array().unwrap().len(), 1);
    for token in [&w.ann, &w.service2, &w.analyst] {
        let (status, answer) = call(&w.state, "GET", &uri, Some(token), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{answer}");
    }
    let (status, answer) = call(
        &w.state,
        "GET",
        "/v1/features/asset/VTI",
        Some(&w.ann),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer["views"][0]["features"]["close"],
        json!(250.0),
        "{answer}"
    );
    let (status, answer) = call(
        &w.state,
        "GET",
        "/v1/features/user/x?features=user_activity.nope",
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer["field"], "user_activity.nope");
    let (status, answer) = call(&w.state, "GET", "/v1/features/planet/x", Some(&w.bea), None).await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("entity_type"))
    );
}

#[tokio::test]
async fn feature_batches_find_only_what_the_caller_may_see() {
    let w = world().await;
    seed(&w).await;
    let body = json!({
        "entities": [
            {"entity_type": "user", "entity_id": w.user_b.to_string()},
            {"entity_type": "user", "entity_id": w.user_a.to_string()},
            {"entity_type": "asset", "entity_id": "VTI"},
            {"entity_type": "account", "entity_id": w.account_a.to_string()},
        ],
        "features": ["user_activity.count_all", "asset_market", "account_balance.balance"],
    });
    let (status, answer) = call(
        &w.state,
        "POST",
        "/v1/features:batch",
        Some(&w.bea),
        Some(body.clone()),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let found: Vec<bool> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["found"].as_bool().unwrap())
        .collect();
    assert_eq!(found, [true, false, true, false]);
    assert_eq!(
        answer["results"][0]["views"][0]["features"],
        json!({"count_all": 2.0})
    );
    assert!(answer["results"][1]["views"].as_array().unwrap().is_empty());
    let (_, answer) = call(
        &w.state,
        "POST",
        "/v1/features:batch",
        Some(&w.ann),
        Some(body),
    )
    .await;
    let found: Vec<bool> = answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["found"].as_bool().unwrap())
        .collect();
    assert_eq!(found, [false, true, true, true]);

    let too_many: Vec<_> = (0..1001)
        .map(|_| json!({"entity_type": "asset", "entity_id": "VTI"}))
        .collect();
    let (status, answer) = call(
        &w.state,
        "POST",
        "/v1/features:batch",
        Some(&w.bea),
        Some(json!({"entities": too_many})),
    )
    .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("entities"))
    );
    let bad = json!({"entities": [{"entity_type": "asset", "entity_id": ""}]});
    let (status, answer) = call(
        &w.state,
        "POST",
        "/v1/features:batch",
        Some(&w.bea),
        Some(bad),
    )
    .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some("entities[0].entity_id")
        )
    );
    let (status, _) = call(
        &w.state,
        "POST",
        "/v1/features:batch",
        None,
        Some(json!({"entities": []})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn graphql_serves_the_same_vectors() {
    let w = world().await;
    seed(&w).await;
    let query = format!(
        r#"{{ features(entityType: "user", entityId: "{}", features: ["user_activity.spend_30d"]) {{ found views {{ view features {{ name value }} }} }}
            featuresBatch(entities: [{{entityType: "user", entityId: "{}"}}]) {{ found }} }}"#,
        w.user_b, w.user_a
    );
    let (status, answer) = call(
        &w.state,
        "POST",
        "/graphql",
        Some(&w.bea),
        Some(json!({"query": query})),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        answer["data"]["features"]["views"][0]["features"],
        json!([{"name": "spend_30d", "value": 12.5}]),
        "{answer}"
    );
    assert_eq!(answer["data"]["featuresBatch"][0]["found"], json!(false));
}

#[tokio::test]
async fn monthly_totals_convert_at_the_month_end_rate() {
    let w = world().await;
    let close = |day, text: &str| {
        finsight_features::MarketFact::new("EUR-USD", day, text.parse().unwrap(), None, 0)
    };
    w.state
        .services
        .store()
        .append_market_facts(&[
            close(time::macros::date!(2026 - 03 - 30), "1.25"),
            close(time::macros::date!(2026 - 04 - 30), "2"),
        ])
        .await
        .unwrap();
    let uri = "/v1/totals/monthly?from=2026-03-01&until=2026-04-01";
    let (status, own) = call(&w.state, "GET", uri, Some(&w.bea), None).await;
    assert_eq!(status, StatusCode::OK, "{own}");
    assert!(own.to_string().contains("\"-12.50\""), "{own}");
    let (status, euros) = call(
        &w.state,
        "GET",
        &format!("{uri}&currency=EUR"),
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{euros}");
    let totals = euros["totals"].as_array().unwrap();
    assert!(totals.iter().all(|t| t["currency"] == "EUR"), "{euros}");
    assert!(totals.iter().any(|t| t["total"] == "-10.00"), "{euros}");
    let (status, answer) = call(
        &w.state,
        "GET",
        &format!("{uri}&currency=GBP"),
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("currency")),
        "{answer}"
    );
    let (status, answer) = call(
        &w.state,
        "GET",
        &format!("{uri}&currency=XX"),
        Some(&w.bea),
        None,
    )
    .await;
    assert_eq!(
        (status, answer["field"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("currency"))
    );
}

#[tokio::test]
async fn analysts_name_entities_by_pseudonym_and_see_only_pseudonyms() {
    let w = world().await;
    seed(&w).await;
    let key = finsight_privacy::PseudonymKey::from_hex(&"ab".repeat(32)).unwrap();
    let services = w.state.services.clone().with_pseudonym_key(&key).unwrap();
    let state = w.state.clone().with_services(services);
    let pseudonyms = key.for_purpose(finsight_service::ANALYST_VIEW).unwrap();
    let bea = pseudonyms.pseudonym("user", w.user_b.as_uuid().as_bytes());
    let ann_account = pseudonyms.pseudonym("account", w.account_a.as_uuid().as_bytes());
    let body = json!({
        "entities": [
            {"entity_type": "user", "entity_id": bea},
            {"entity_type": "user_category", "entity_id": format!("{bea}:dining")},
            {"entity_type": "user", "entity_id": w.user_b.to_string()},
            {"entity_type": "account", "entity_id": ann_account},
        ],
        "features": ["user_activity.count_all"],
    });
    let (status, answer) = call(
        &state,
        "POST",
        "/v1/features:batch",
        Some(&w.analyst),
        Some(body),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let results = answer["results"].as_array().unwrap();
    let found: Vec<bool> = results
        .iter()
        .map(|r| r["found"].as_bool().unwrap())
        .collect();
    // A real id is not a pseudonym: nothing found by it.
    assert_eq!(found, [true, true, false, true]);
    assert_eq!(
        results[0]["views"][0]["features"],
        json!({"count_all": 2.0})
    );
    for found in [&results[0], &results[1], &results[3]] {
        let text = found.to_string();
        assert!(
            !text.contains(&w.user_b.to_string()) && !text.contains(&w.account_a.to_string()),
            "{text}"
        );
    }
    assert_eq!(results[0]["entity_id"], json!(bea));
}
