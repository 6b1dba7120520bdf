//! Planning state (issue 14): a budget replaced as a whole and read back in
//! the person's order; goals saved, updated and listed per person; insight
//! answers kept latest-per-insight and counted across everyone.

use std::sync::Arc;

use finsight_core::UserId;
use finsight_store::{BudgetLineRow, GoalRow, InsightAnswerRow, Store};
use time::macros::date;
use uuid::Uuid;

fn line(user: UserId, category: &str, group: &str, position: i32) -> BudgetLineRow {
    BudgetLineRow {
        user_id: user,
        category: category.into(),
        amount_minor: 30_000,
        currency: "GBP".into(),
        rollover: category == "dining",
        group_name: group.into(),
        position,
        updated_at: 1_000,
    }
}

fn answer(user: UserId, key: &str, response: &str, at: i64) -> InsightAnswerRow {
    InsightAnswerRow {
        user_id: user,
        insight_key: key.into(),
        kind: key.split(':').next().unwrap().into(),
        response: response.into(),
        until: (response == "snooze").then_some(at + 1_000),
        answered_at: at,
    }
}

pub async fn budgets_goals_and_insight_answers_round_trip(store: Arc<dyn Store>) {
    let me = UserId::from_uuid(Uuid::from_u128(0xa1));
    let other = UserId::from_uuid(Uuid::from_u128(0xb2));
    store
        .replace_budget(
            me,
            &[
                line(me, "groceries", "Essentials", 1),
                line(me, "dining", "Fun", 0),
                line(me, "housing", "Essentials", 0),
            ],
        )
        .await
        .unwrap();
    store
        .replace_budget(other, &[line(other, "travel", "Fun", 0)])
        .await
        .unwrap();
    let mine = store.budget_lines(&[me]).await.unwrap();
    assert_eq!(
        mine.iter().map(|l| l.category.as_str()).collect::<Vec<_>>(),
        vec!["housing", "groceries", "dining"]
    );
    assert!(mine[2].rollover && !mine[0].rollover);
    store
        .replace_budget(me, &[line(me, "dining", "Fun", 0)])
        .await
        .unwrap();
    assert_eq!(store.budget_lines(&[me]).await.unwrap().len(), 1);
    assert_eq!(store.budget_lines(&[me, other]).await.unwrap().len(), 2);
    assert!(store.budget_lines(&[]).await.unwrap().is_empty());

    let mut goal = GoalRow {
        id: Uuid::from_u128(7),
        user_id: me,
        name: "Holiday".into(),
        target_minor: 300_000,
        saved_minor: 50_000,
        currency: "GBP".into(),
        target_date: date!(2027 - 08 - 01),
        created_at: 1_000,
        updated_at: 1_000,
    };
    store.save_goal(&goal).await.unwrap();
    goal.saved_minor = 80_000;
    goal.updated_at = 2_000;
    store.save_goal(&goal).await.unwrap();
    assert_eq!(store.goal(goal.id).await.unwrap(), Some(goal.clone()));
    assert_eq!(store.goals(me).await.unwrap(), vec![goal]);
    assert!(store.goals(other).await.unwrap().is_empty());
    assert_eq!(store.goal(Uuid::from_u128(8)).await.unwrap(), None);

    store
        .record_insight_answer(&answer(me, "income_change:2026-12", "snooze", 1_000))
        .await
        .unwrap();
    store
        .record_insight_answer(&answer(me, "income_change:2026-12", "dismiss", 2_000))
        .await
        .unwrap();
    store
        .record_insight_answer(&answer(me, "price_increase:x", "accept", 3_000))
        .await
        .unwrap();
    store
        .record_insight_answer(&answer(other, "price_increase:y", "accept", 3_000))
        .await
        .unwrap();
    let answers = store.insight_answers(me).await.unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].response, "dismiss");
    assert_eq!(answers[0].until, None);
    let counts = store.insight_answer_counts().await.unwrap();
    let count = |kind: &str, response: &str| {
        counts
            .iter()
            .find(|c| c.kind == kind && c.response == response)
            .map_or(0, |c| c.count)
    };
    assert_eq!(count("price_increase", "accept"), 2);
    assert_eq!(count("income_change", "dismiss"), 1);
    assert_eq!(count("income_change", "snooze"), 0);
}
