//! Planning figures: goal Monte Carlo speed (10,000 paths × 24 months per
//! goal, one thread), the calibration of goal probabilities on synthetic
//! people (predicted vs reached in a simulated future), the ranking
//! learning from feedback, and the budget optimizer's solve time.
//!
//!   cargo run --release -p finsight-bench --bin planning -- [--people N]

use std::collections::HashMap;
use std::time::Instant;

use finsight_bench::argument;
use finsight_planning::budget::{BudgetRequest, CategorySpending, recommend};
use finsight_planning::goals::{CashFlow, success_probability};
use finsight_planning::insights::{Insight, InsightKind};
use finsight_planning::ranking::{Counts, Response, rank};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use rust_decimal::Decimal;

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    StandardNormal.sample(rng)
}

fn monte_carlo_speed() {
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut times = Vec::new();
    let mut p_sum = 0.0;
    for goal in 0..200u64 {
        let flow = CashFlow {
            mean: rng.random_range(100.0..900.0),
            sd: rng.random_range(50.0..500.0),
            months: 12,
        };
        let remaining = flow.mean * 24.0 * rng.random_range(0.5..1.5);
        let started = Instant::now();
        p_sum += success_probability(flow, remaining, 24, 10_000, goal);
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "goal Monte Carlo, 10,000 paths × 24 months, one thread, 200 goals: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms per goal (mean probability {:.3})",
        times[100],
        times[198],
        times[199],
        p_sum / 200.0
    );
}

fn calibration(people: u64) {
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let mut buckets = [(0usize, 0usize, 0.0f64); 10];
    let started = Instant::now();
    for person in 0..people {
        let mean: f64 = rng.random_range(100.0..900.0);
        let sd: f64 = rng.random_range(100.0..500.0);
        let history: Vec<f64> = (0..12).map(|_| mean + sd * normal(&mut rng)).collect();
        let flow = CashFlow::from_history(&history);
        let months: u32 = rng.random_range(6..=24);
        let target = flow.mean.max(50.0) * f64::from(months) * rng.random_range(0.4..1.2);
        let p = success_probability(flow, target, months, 2_000, person);
        let mut left = target;
        for month in 0..months {
            let free = (mean + sd * normal(&mut rng)).max(0.0);
            left -= free.min(left / f64::from(months - month));
        }
        let b = ((p * 10.0) as usize).min(9);
        buckets[b].0 += 1;
        buckets[b].1 += usize::from(left <= 0.0);
        buckets[b].2 += p;
    }
    println!(
        "goal calibration: {people} synthetic people (true mean/sd unknown to the model, 12 months seen, 6–24 months ahead, 2,000 paths each) in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!("  predicted bucket | goals | mean predicted | reached");
    for (n, (count, reached, sum)) in buckets.iter().enumerate() {
        if *count > 0 {
            println!(
                "  {:.1}–{:.1}          | {count:5} | {:.3}          | {:.3}",
                n as f64 / 10.0,
                (n + 1) as f64 / 10.0,
                sum / *count as f64,
                *reached as f64 / *count as f64
            );
        }
    }
}

fn ranking_learns() {
    let insight = |kind: InsightKind, round: usize| Insight {
        key: format!("{}:{round}", kind.as_str()),
        kind,
        title: String::new(),
        body: String::new(),
        impact: Decimal::from(100),
        confidence: 0.8,
        action: String::new(),
        figures: vec![],
    };
    let (disliked, liked) = (InsightKind::IncomeChange, InsightKind::PriceIncrease);
    let mut history: HashMap<InsightKind, Counts> = HashMap::new();
    println!(
        "ranking: 9 kinds, equal impact; each round the person dismisses one kind and accepts another (mean position over 1,000 draws, 0 = top, 8 = bottom)"
    );
    for round in 0..=10 {
        let (mut down, mut up) = (0.0, 0.0);
        for seed in 0..1000 {
            let list = InsightKind::ALL
                .iter()
                .map(|k| insight(*k, round))
                .collect();
            let ranked = rank(list, &[], &history, &HashMap::new(), 0, seed);
            down += ranked
                .iter()
                .position(|r| r.insight.kind == disliked)
                .unwrap_or(0) as f64;
            up += ranked
                .iter()
                .position(|r| r.insight.kind == liked)
                .unwrap_or(0) as f64;
        }
        println!(
            "  after {round:2} answers: dismissed kind at {:.2}, accepted kind at {:.2}",
            down / 1000.0,
            up / 1000.0
        );
        history
            .entry(disliked)
            .or_default()
            .add(Response::Dismiss, 1);
        history.entry(liked).or_default().add(Response::Accept, 1);
    }
}

fn budget_solve() {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let roots = [
        "housing",
        "utilities",
        "groceries",
        "dining",
        "transport",
        "health",
        "shopping",
        "subscriptions",
        "travel",
        "entertainment",
    ];
    let categories: Vec<CategorySpending> = (0..60)
        .map(|n| CategorySpending {
            category: format!("{}.c{n}", roots[n % roots.len()]),
            monthly: (0..6)
                .map(|_| Decimal::from(rng.random_range(20..900)))
                .collect(),
            forecast: None,
        })
        .collect();
    let need: Decimal = categories.iter().map(|c| c.need()).sum();
    let request = BudgetRequest {
        income: need,
        savings_aim: (need * Decimal::new(15, 2)).round_dp(2),
        categories,
    };
    let started = Instant::now();
    let runs = 10_000;
    let mut met = 0;
    for _ in 0..runs {
        let r = recommend(&request);
        met += usize::from(r.planned_saving == request.savings_aim);
    }
    println!(
        "budget optimizer: 60 categories, aim 15% of need: {:.1} µs per solve; aim met to the cent in {met} of {runs}",
        started.elapsed().as_secs_f64() * 1e6 / runs as f64
    );
}

fn main() -> anyhow::Result<()> {
    let people: u64 = argument("--people")
        .map(|p| p.parse())
        .transpose()?
        .unwrap_or(10_000);
    monte_carlo_speed();
    budget_solve();
    ranking_learns();
    calibration(people);
    Ok(())
}
