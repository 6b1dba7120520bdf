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

/// Day totals: per person, day, category and currency, within the dates,
/// uncategorized named so; several people in one query.
pub async fn day_totals_sum_per_person_day_and_category(store: Arc<dyn Store>) {
    let f = super::fixture(&store).await;
    let dining = finsight_core::CategoryId::parse("dining.coffee").unwrap();
    let mut coffee = super::record(f.checking, date!(2026 - 03 - 02), "-3.50", "CAFE 1");
    coffee.category = Some(dining.clone());
    let mut coffee2 = super::record(f.card, date!(2026 - 03 - 02), "-4.25", "CAFE 2");
    coffee2.category = Some(dining);
    store
        .insert_transactions(&[
            coffee,
            coffee2,
            super::record(f.checking, date!(2026 - 03 - 03), "-10.00", "SHOP"),
            super::record(f.checking, date!(2026 - 04 - 01), "-99.00", "LATER"),
        ])
        .await
        .unwrap();
    let totals = store
        .day_totals(
            &[f.user, f.other_user],
            date!(2026 - 03 - 01),
            date!(2026 - 04 - 01),
        )
        .await
        .unwrap();
    let mine: Vec<(String, String, i64)> = totals
        .iter()
        .filter(|t| t.user_id == f.user)
        .map(|t| (t.posted_on.to_string(), t.category.clone(), t.total_minor))
        .collect();
    assert_eq!(
        mine,
        vec![
            ("2026-03-02".to_owned(), "dining.coffee".to_owned(), -775),
            ("2026-03-03".to_owned(), "uncategorized".to_owned(), -1000),
        ]
    );
    assert!(totals.iter().all(|t| t.currency == "USD"));
    assert!(
        store
            .day_totals(&[], date!(2026 - 03 - 01), date!(2026 - 04 - 01))
            .await
            .unwrap()
            .is_empty()
    );
}

/// Issue 15: each account's net over the transactions the ledger holds.
pub async fn account_balances_net_each_account(store: Arc<dyn Store>) {
    let f = super::fixture(&store).await;
    store
        .insert_transactions(&[
            super::record(f.checking, date!(2026 - 03 - 02), "2000.00", "SALARY"),
            super::record(f.checking, date!(2026 - 03 - 05), "-120.45", "RENT PART"),
            super::record(f.card, date!(2026 - 03 - 07), "-15.10", "BOOKS"),
        ])
        .await
        .unwrap();
    let balances = store.account_balances(f.user).await.unwrap();
    let mut seen: Vec<(finsight_core::AccountId, i64, i64, String)> = balances
        .iter()
        .map(|b| {
            (
                b.account_id,
                b.balance_minor,
                b.transactions,
                b.last_posted_on.to_string(),
            )
        })
        .collect();
    seen.sort_by_key(|row| row.1);
    let mut expected = vec![
        (f.checking, 187_955, 2, "2026-03-05".to_owned()),
        (f.card, -1_510, 1, "2026-03-07".to_owned()),
    ];
    expected.sort_by_key(|row| row.1);
    assert_eq!(seen, expected);
    assert!(
        store
            .account_balances(f.other_user)
            .await
            .unwrap()
            .is_empty(),
        "another person's accounts hold nothing of these"
    );
}

/// Issue 15: a person's overview layout is saved, replaced and kept apart
/// from everyone else's.
pub async fn dashboard_layouts_are_saved_per_person(store: Arc<dyn Store>) {
    let f = super::fixture(&store).await;
    assert_eq!(store.dashboard_layout(f.user).await.unwrap(), None);
    store
        .save_dashboard_layout(f.user, r#"{"widgets":[]}"#, 10)
        .await
        .unwrap();
    store
        .save_dashboard_layout(f.user, r#"{"widgets":[{"kind":"health"}]}"#, 20)
        .await
        .unwrap();
    assert_eq!(
        store.dashboard_layout(f.user).await.unwrap(),
        Some((r#"{"widgets":[{"kind":"health"}]}"#.to_owned(), 20))
    );
    assert_eq!(store.dashboard_layout(f.other_user).await.unwrap(), None);
}
