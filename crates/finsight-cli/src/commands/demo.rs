//! `finsight demo`: generates a realistic multi-user population, loads it,
//! creates the demo logins and starts the server.

use std::time::Instant;

use anyhow::Context;
use clap::Args;
use finsight_core::{Description, Money, NewTransaction, PostingDate, Principal, SourceName};
use finsight_service::planning::{BudgetLineInput, NewGoal};
use finsight_store::TransactionQuery;
use finsight_synth::Synthesizer;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::serve::ServeArgs;
use super::synth::Population;
use crate::app::App;

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    population: Population,
    /// Load the data and stop, without starting the server.
    #[arg(long)]
    no_serve: bool,
    #[command(flatten)]
    serve: ServeArgs,
}

/// Processes the demo data (categories, the feature log and the online
/// store), imports synthetic market prices and materializes the feature
/// history, so features are there from the first start.
async fn demo_features(app: &App, config: &finsight_synth::SynthConfig) -> anyhow::Result<()> {
    let started = Instant::now();
    let processed = app.processor().drain().await?;
    let today = app.clock.now().date();
    let prices = finsight_synth::market::market_csv(config.seed, config.first_month, today);
    let (accepted, new, _) = super::market::import(app, "demo-market.csv", &prices).await?;
    let days = (today - config.first_month).whole_days() as u64 + 1;
    let bar = crate::load::progress_bar(days, "materializing features", "days");
    let report = app
        .features
        .materialize(app.store.as_ref(), config.first_month, today, false, |_| {
            bar.inc(1)
        })
        .await?;
    bar.finish_and_clear();
    say!(
        "features: {processed} transactions processed, {accepted} market prices ({new} new), {} days materialized ({} snapshots) in {:.1} s; try `finsight features list`",
        report.days,
        report.snapshots,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Trains each tenant's categorizer, then shows it at work: this month's
/// statement for the demo person arrives without categories (their usual
/// merchants and two they never used); the champion categorizes what it is
/// sure of and queues the rest for review. Also counts their recurring
/// payments.
async fn demo_models(app: &App) -> anyhow::Result<()> {
    let started = Instant::now();
    let trained: Vec<_> = crate::jobs::train_every_tenant(app.store.as_ref(), &app.services)
        .await
        .map_err(super::describe)?
        .into_iter()
        .flatten()
        .collect();
    app.categorizers.refresh().await?;
    if let Some(report) = trained.first() {
        say!(
            "categorizer: {} tenants trained in {:.1} s; the first: version {}, time-ordered holdout accuracy {:.3} / macro-F1 {:.3} (payee baseline {:.3} / {:.3}); try `finsight models list`, `finsight runs list`",
            trained.len(),
            started.elapsed().as_secs_f64(),
            report.version,
            report.candidate.accuracy,
            report.candidate.macro_f1,
            report.baseline.accuracy,
            report.baseline.macro_f1
        );
    }
    let users = app.store.users().await?;
    let Some(person) = super::identity::demo_person(&users) else {
        return Ok(());
    };
    let operator = Principal::Operator {
        tenant: person.tenant_id,
    };
    let statement = this_months_statement(app, person.id).await?;
    if !statement.is_empty() {
        app.store.insert_transactions(&statement).await?;
        app.processor().drain().await?;
        let waiting = app
            .services
            .review_queue(&operator, Some(person.id), None, 1000)
            .await
            .map_err(super::describe)?;
        say!(
            "this month's statement for {}: {} transactions without categories, {} categorized by the model, {} waiting for review (GET /v1/review-queue)",
            person.display_name,
            statement.len(),
            statement.len() - waiting.len(),
            waiting.len()
        );
    }
    let series = app
        .services
        .recurring(&operator, Some(person.id))
        .await
        .map_err(super::describe)?;
    let active = series
        .iter()
        .filter(|s| s.status == finsight_models::recurring::SeriesStatus::Active);
    say!(
        "recurring for {}: {} active series ({} income), {} stopped, {} price rises (GET /v1/recurring)",
        person.display_name,
        active.clone().count(),
        active.filter(|s| s.income).count(),
        series.len()
            - series
                .iter()
                .filter(|s| s.status == finsight_models::recurring::SeriesStatus::Active)
                .count(),
        series
            .iter()
            .filter(|s| !s.income)
            .map(|s| s
                .price_changes
                .iter()
                .filter(|c| c.to.amount() < c.from.amount())
                .count())
            .sum::<usize>()
    );
    let alerts = app
        .services
        .alerts(&operator, Some(person.id), 1000)
        .await
        .map_err(super::describe)?;
    say!(
        "anomaly alerts for {}: {}{} (GET /v1/alerts, live: GET /v1/alerts/stream)",
        person.display_name,
        alerts.len(),
        alerts
            .first()
            .and_then(|a| a.reasons().into_iter().next())
            .map(|r| format!(", latest: {}", r.text))
            .unwrap_or_default()
    );
    let forecast = app
        .services
        .forecasts(
            &operator,
            Some(person.id),
            Some(finsight_models::forecast::spending::TOTAL),
            3,
            finsight_models::forecast::spending::Granularity::Monthly,
        )
        .await
        .map_err(super::describe)?;
    if let Some(next) = forecast.series.first().and_then(|s| s.points.first()) {
        say!(
            "spending forecast for {}: {} {} next month (80%: {}–{}, 95%: {}–{}) (GET /v1/forecasts)",
            person.display_name,
            next.point,
            forecast.currency.code(),
            next.lo80,
            next.hi80,
            next.lo95,
            next.hi95
        );
    }
    Ok(())
}

/// Gives every demo user what a first start should show: a budget from
/// the recommender (meeting a tenth of their income as savings), and a
/// goal — an emergency fund sized by the simulation, or a holiday when the
/// fund is already there — then shows the demo person's plan and advice.
async fn demo_planning(app: &App) -> anyhow::Result<()> {
    let started = Instant::now();
    let users = app.store.users().await?;
    let today = app.clock.now().date();
    let bar = crate::load::progress_bar(users.len() as u64, "planning", "users");
    let demo = super::identity::demo_person(&users).map(|u| u.id);
    for user in &users {
        let operator = Principal::Operator {
            tenant: user.tenant_id,
        };
        let services = &app.services;
        let recommendation = services
            .recommend_budget_from(&operator, Some(user.id), None, Some(user.id) == demo)
            .await
            .map_err(super::describe)?
            .recommendation;
        let lines = recommendation
            .lines
            .iter()
            .filter(|l| !l.amount.is_zero())
            .map(|l| BudgetLineInput {
                category: l.category.clone(),
                amount: l.amount,
                rollover: l.flexibility == finsight_planning::budget::Flexibility::Discretionary,
                group: None,
                position: None,
            })
            .collect();
        services
            .put_budget(&operator, Some(user.id), lines)
            .await
            .map_err(super::describe)?;
        if services
            .goals(&operator, Some(user.id))
            .await
            .map_err(super::describe)?
            .is_empty()
        {
            let fund = services
                .financial_health(&operator, Some(user.id))
                .await
                .map_err(super::describe)?
                .emergency_fund;
            let (name, target, saved) = if fund.coverage < 1.0 {
                ("Emergency fund", fund.recommended, fund.current)
            } else {
                ("Summer holiday", Decimal::from(2_500), Decimal::ZERO)
            };
            // A date the budget's saving can carry (6 months to 5 years).
            let gap = (target - saved).max(Decimal::ZERO);
            let months = if recommendation.planned_saving > Decimal::ZERO {
                (gap / recommendation.planned_saving * Decimal::new(125, 2))
                    .ceil()
                    .to_i64()
                    .unwrap_or(60)
                    .clamp(6, 60)
            } else {
                36
            };
            services
                .create_goal(
                    &operator,
                    Some(user.id),
                    NewGoal {
                        name: name.into(),
                        target,
                        target_date: today + time::Duration::days(months * 30 + 15),
                        saved: Some(saved.min(target)),
                    },
                )
                .await
                .map_err(super::describe)?;
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    say!(
        "planning: {} users given a budget and a goal in {:.1} s",
        users.len(),
        started.elapsed().as_secs_f64()
    );
    let Some(person) = super::identity::demo_person(&users) else {
        return Ok(());
    };
    let operator = Principal::Operator {
        tenant: person.tenant_id,
    };
    let services = &app.services;
    let budget = services
        .recommend_budget(&operator, Some(person.id), None)
        .await
        .map_err(super::describe)?;
    let r = &budget.recommendation;
    say!(
        "budget for {}: {} {} a month of {} income, keeping {} ({}); e.g. {} (GET /v1/budgets, /v1/budgets/status, /v1/budgets/recommendation)",
        person.display_name,
        r.total,
        budget.currency.code(),
        r.income,
        r.planned_saving,
        if r.feasible {
            "the aim is met"
        } else {
            "the aim is out of reach"
        },
        r.lines
            .iter()
            .min_by(|a, b| a.change_percent.total_cmp(&b.change_percent))
            .map_or("-".into(), |l| l.explanation.clone())
    );
    if let Some(goal) = services
        .goals(&operator, Some(person.id))
        .await
        .map_err(super::describe)?
        .first()
    {
        let projection = services
            .goal_projection(&operator, goal.id)
            .await
            .map_err(super::describe)?;
        say!(
            "goal for {}: {} of {} by {}: {} a month against {} free cash flow, {:.0}% chance of success (GET /v1/goals/{}/projection)",
            person.display_name,
            goal.name,
            goal.target.amount_text(),
            goal.target_date,
            projection.plan.required_monthly,
            projection.plan.free_cash_flow,
            projection.plan.probability * 100.0,
            goal.id
        );
    }
    let health = services
        .financial_health(&operator, Some(person.id))
        .await
        .map_err(super::describe)?;
    say!(
        "financial health of {}: {}/100 ({}), weakest: {} (GET /v1/financial-health)",
        person.display_name,
        health.score.score,
        health.score.band,
        health
            .score
            .indicators
            .first()
            .map_or("-".into(), |i| format!("{} — {}", i.name, i.display))
    );
    let insights = services
        .insights(&operator, Some(person.id), None, None, 5)
        .await
        .map_err(super::describe)?;
    say!(
        "top insights for {} (GET /v1/insights):",
        person.display_name
    );
    for insight in insights {
        say!("  - {} [{}]", insight.title, insight.kind.as_str());
    }
    Ok(())
}

/// Up to a dozen of the person's card purchases of last month, posted again
/// today as a bank file gives them (no category, no merchant name), and two
/// merchants they never used.
async fn this_months_statement(
    app: &App,
    user: finsight_core::UserId,
) -> anyhow::Result<Vec<NewTransaction>> {
    let today = app.clock.now().date();
    let mut query = TransactionQuery::for_user(user);
    query.from = Some(today - time::Duration::days(45));
    query.limit = TransactionQuery::MAX_LIMIT;
    let recent = app.store.transactions(&query).await?.transactions;
    let mut seen = std::collections::HashSet::new();
    let source = SourceName::parse("demo-statement")?;
    let mut statement: Vec<NewTransaction> = recent
        .iter()
        .filter(|t| t.mcc.is_some() && t.amount.is_negative())
        .filter(|t| seen.insert(finsight_models::payee::normalize(t.description.as_str())))
        .take(12)
        .enumerate()
        .map(|(n, t)| NewTransaction {
            account_id: t.account_id,
            posted_on: PostingDate::new(today).expect("today is a valid posting date"),
            occurred_at: None,
            amount: t.amount,
            description: t.description.clone(),
            merchant: None,
            mcc: t.mcc,
            category: None,
            source: source.clone(),
            source_ref: Some(format!("DEMO-{today}-{n}")),
        })
        .collect();
    if let Some(account) = statement.first().map(|t| t.account_id) {
        let currency = statement[0].amount.currency();
        for (n, (text, cents)) in [
            ("ZEN GARDEN SUPPLY CO 0042", -3750),
            ("KXQ TRADING LTD", -1299),
        ]
        .into_iter()
        .enumerate()
        {
            statement.push(NewTransaction {
                account_id: account,
                posted_on: PostingDate::new(today).expect("today is a valid posting date"),
                occurred_at: None,
                amount: Money::from_minor(cents, currency)?,
                description: Description::parse(text)?,
                merchant: None,
                mcc: None,
                category: None,
                source: source.clone(),
                source_ref: Some(format!("DEMO-{today}-new-{n}")),
            });
        }
    }
    Ok(statement)
}

pub async fn run(app: &App, args: DemoArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let synth = Synthesizer::new(args.population.config(app.clock.as_ref())?)?;
    let config = synth.config().clone();
    say!(
        "generating {} users x {} months from {} (seed {})",
        config.users,
        config.months,
        config.first_month,
        config.seed
    );
    let data_dir = &app.settings.data_dir;
    let labels = data_dir.join("anomaly-labels.csv");
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("data_dir: cannot create {}", data_dir.display()))?;
    let report = crate::load::load_synthetic(app.store.as_ref(), synth, &labels).await?;
    let seconds = started.elapsed().as_secs_f64();
    say!(
        "loaded {} users, {} accounts: {} new transactions, {} duplicates, {} anomaly labels in {:.1} s ({:.0} transactions/s)",
        report.users,
        report.accounts,
        report.inserted,
        report.duplicates,
        report.labels,
        seconds,
        (report.inserted + report.duplicates) as f64 / seconds.max(1e-9)
    );
    say!("anomaly ground truth: {}", labels.display());
    demo_features(app, &config).await?;
    demo_models(app).await?;
    demo_planning(app).await?;
    if let Some(person) = super::identity::ensure_demo_logins(app).await? {
        let (email, password) = super::identity::DEMO_PERSON;
        say!("demo login: {email} / {password} ({person}, owner of a shared household)");
        let (email, password) = super::identity::DEMO_ADMIN;
        say!("demo admin: {email} / {password} (demo data only; never reuse these)");
    }
    say!(
        "your own bank files: finsight --data-dir my-finsight setup --email YOU --password-stdin, then finsight --data-dir my-finsight import FILE --user ID"
    );
    if !args.no_serve {
        super::serve::run(app, &args.serve).await?;
    }
    Ok(())
}
