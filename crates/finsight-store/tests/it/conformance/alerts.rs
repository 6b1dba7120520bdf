//! Alerts and anomaly profiles (issue 13): an alert raised twice is stored
//! once; lists are per person, newest first, or after a moment for catching
//! up a stream; feedback sticks; profiles round-trip with their position.

use std::sync::Arc;

use finsight_core::UserId;
use finsight_store::{Alert, AnomalyProfileRow, Store};
use uuid::Uuid;

fn alert(n: u128, user: UserId, created_at: i64) -> Alert {
    Alert {
        id: Uuid::from_u128(n),
        user_id: user,
        transaction_id: None,
        kind: "anomaly".into(),
        score: 0.9,
        threshold: 0.8,
        reasons: r#"[{"reason":"new_country"}]"#.into(),
        created_at,
        feedback: None,
        feedback_at: None,
    }
}

pub async fn alerts_are_stored_once_listed_per_person_and_take_feedback(store: Arc<dyn Store>) {
    let me = UserId::from_uuid(Uuid::from_u128(0xaa));
    let other = UserId::from_uuid(Uuid::from_u128(0xbb));
    let new = store
        .record_alerts(&[
            alert(1, me, 1_000),
            alert(2, me, 2_000),
            alert(3, other, 1_500),
        ])
        .await
        .unwrap();
    assert_eq!(new, vec![true, true, true]);
    assert_eq!(
        store.record_alerts(&[alert(1, me, 1_000)]).await.unwrap(),
        vec![false]
    );
    let latest = store.latest_alerts(&[me], 10).await.unwrap();
    assert_eq!(
        latest.iter().map(|a| a.id.as_u128()).collect::<Vec<_>>(),
        vec![2, 1]
    );
    let since = store.alerts_since(&[me, other], 1_000, 10).await.unwrap();
    assert_eq!(
        since.iter().map(|a| a.id.as_u128()).collect::<Vec<_>>(),
        vec![3, 2]
    );
    assert!(store.latest_alerts(&[], 10).await.unwrap().is_empty());
    assert!(
        store
            .set_alert_feedback(Uuid::from_u128(2), "me", 3_000)
            .await
            .unwrap()
    );
    assert!(
        !store
            .set_alert_feedback(Uuid::from_u128(9), "me", 3_000)
            .await
            .unwrap()
    );
    let stored = store.alert(Uuid::from_u128(2)).await.unwrap().unwrap();
    assert_eq!(stored.feedback.as_deref(), Some("me"));
    assert_eq!(stored.feedback_at, Some(3_000));
    assert_eq!(stored.reasons, alert(2, me, 2_000).reasons);

    let row = AnomalyProfileRow {
        user_id: me,
        state: vec![1, 2, 3],
        last_seq: 7,
        updated_at: 10,
    };
    store
        .save_anomaly_profiles(std::slice::from_ref(&row))
        .await
        .unwrap();
    let moved = AnomalyProfileRow {
        state: vec![4],
        last_seq: 9,
        ..row
    };
    store
        .save_anomaly_profiles(std::slice::from_ref(&moved))
        .await
        .unwrap();
    assert_eq!(
        store.anomaly_profiles(&[me, other]).await.unwrap(),
        vec![moved]
    );
}
