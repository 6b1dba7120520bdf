//! The ranking learns: a kind the person keeps dismissing sinks, one they
//! accept rises; dismissed insights go, snoozed ones wait.

use std::collections::HashMap;

use finsight_planning::insights::{Insight, InsightKind};
use finsight_planning::ranking::{Answer, Counts, Response, rank};
use rust_decimal::Decimal;

fn insight(kind: InsightKind, round: usize) -> Insight {
    Insight {
        key: format!("{}:{round}", kind.as_str()),
        kind,
        title: String::new(),
        body: String::new(),
        impact: Decimal::from(100),
        confidence: 0.8,
        action: String::new(),
        figures: vec![],
    }
}

/// The mean position (0 = top) of a kind over many seeds.
fn mean_position(kind: InsightKind, history: &HashMap<InsightKind, Counts>, round: usize) -> f64 {
    let mut total = 0.0;
    for seed in 0..300 {
        let list: Vec<Insight> = InsightKind::ALL
            .iter()
            .map(|k| insight(*k, round))
            .collect();
        let ranked = rank(list, &[], history, &HashMap::new(), 0, seed);
        total += ranked.iter().position(|r| r.insight.kind == kind).unwrap() as f64;
    }
    total / 300.0
}

#[test]
fn dismissed_kinds_sink_and_accepted_kinds_rise() {
    let (disliked, liked) = (InsightKind::IncomeChange, InsightKind::PriceIncrease);
    let mut history: HashMap<InsightKind, Counts> = HashMap::new();
    let start = (
        mean_position(disliked, &history, 0),
        mean_position(liked, &history, 0),
    );
    assert!(
        (start.0 - 4.0).abs() < 1.0 && (start.1 - 4.0).abs() < 1.0,
        "{start:?}"
    );
    let mut positions = Vec::new();
    for round in 1..=8 {
        history
            .entry(disliked)
            .or_default()
            .add(Response::Dismiss, 1);
        history.entry(liked).or_default().add(Response::Accept, 1);
        positions.push((
            mean_position(disliked, &history, round),
            mean_position(liked, &history, round),
        ));
    }
    let last = positions.last().unwrap();
    assert!(last.0 > 7.0, "dismissed kind sank: {positions:?}");
    assert!(last.1 < 1.0, "accepted kind rose: {positions:?}");
    assert!(
        positions.windows(2).filter(|w| w[1].0 < w[0].0).count() <= 2,
        "{positions:?}"
    );
}

#[test]
fn dismissed_insights_go_and_snoozed_ones_wait() {
    let list = vec![
        insight(InsightKind::BudgetAtRisk, 1),
        insight(InsightKind::GoalOffTrack, 1),
    ];
    let answers = vec![
        Answer {
            key: "budget_at_risk:1".into(),
            kind: InsightKind::BudgetAtRisk,
            response: Response::Dismiss,
            until: None,
        },
        Answer {
            key: "goal_off_track:1".into(),
            kind: InsightKind::GoalOffTrack,
            response: Response::Snooze,
            until: Some(1_000),
        },
    ];
    let none = HashMap::new();
    assert!(rank(list.clone(), &answers, &none, &none, 500, 1).is_empty());
    let later = rank(list, &answers, &none, &none, 2_000, 1);
    assert_eq!(later.len(), 1);
    assert_eq!(later[0].insight.kind, InsightKind::GoalOffTrack);
}

#[test]
fn the_population_sets_the_prior() {
    let mut population = HashMap::new();
    population.insert(
        InsightKind::SavingsOpportunity,
        Counts {
            accepted: 900,
            dismissed: 100,
            snoozed: 0,
        },
    );
    population.insert(
        InsightKind::NewRecurring,
        Counts {
            accepted: 50,
            dismissed: 950,
            snoozed: 0,
        },
    );
    let list = vec![
        insight(InsightKind::SavingsOpportunity, 0),
        insight(InsightKind::NewRecurring, 0),
    ];
    let ranked = rank(list, &[], &HashMap::new(), &population, 0, 3);
    assert!(
        ranked[0].expected_rate > 0.8 && ranked[1].expected_rate < 0.2,
        "{ranked:?}"
    );
}
