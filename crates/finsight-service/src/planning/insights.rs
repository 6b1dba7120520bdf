//! A person's insights: the generators run over their picture (spending,
//! income, recurring bills, unanswered anomaly alerts, budget status, goal
//! chances, fees), ranked by expected value learned from everyone's and
//! their own answers; and their answers (accept, dismiss, snooze).

use std::collections::HashMap;

use finsight_core::{Action, Currency, Principal, UserId, ValidationError};
use finsight_models::recurring::SeriesStatus;
use finsight_planning::goals;
use finsight_planning::insights::{
    self, AlertSummary, Bill, CategoryMonths, Figure, GoalSummary, Insight, InsightKind, Snapshot,
};
use finsight_planning::ranking::{self, Answer, Counts, Response};
use finsight_store::InsightAnswerRow;
use rust_decimal::Decimal;
use time::Duration;
use uuid::Uuid;

use super::PersonLedger;
use crate::{ServiceError, Services};

/// Complete months the generators compare against (those budget shifts
/// are read over, so one picture serves both).
const INSIGHT_MONTHS: usize = super::budgets::RECOMMEND_MONTHS;
/// Anomaly alerts on transactions of the last this many days, unanswered,
/// become insights.
const ALERT_DAYS: i64 = 14;
/// Paths for each goal's chance in the snapshot.
const SNAPSHOT_PATHS: usize = 2_000;

#[derive(Debug, Clone, PartialEq)]
pub struct RankedInsight {
    /// Stable for the person and the insight's key.
    pub id: Uuid,
    pub key: String,
    pub kind: InsightKind,
    pub title: String,
    pub body: String,
    pub impact: Decimal,
    pub currency: Currency,
    pub confidence: f64,
    pub action: String,
    pub figures: Vec<Figure>,
    pub score: f64,
    /// How often the person is expected to act on this kind.
    pub expected_rate: f64,
    /// Their last answer, if any (`accept`; dismissed and snoozed ones
    /// are not listed).
    pub answer: Option<String>,
}

fn insight_id(user: UserId, key: &str) -> Uuid {
    Uuid::new_v5(&user.as_uuid(), format!("insight:{key}").as_bytes())
}

impl Services {
    /// Every insight the person's data supports today, unranked.
    async fn generate_insights(&self, ledger: &PersonLedger) -> Result<Vec<Insight>, ServiceError> {
        let picture = ledger.picture(INSIGHT_MONTHS);
        let mut names: Vec<&String> = picture
            .spending
            .keys()
            .chain(picture.this_month.spending.keys())
            .collect();
        names.sort();
        names.dedup();
        let categories = names
            .into_iter()
            .map(|c| CategoryMonths {
                category: c.clone(),
                monthly: picture
                    .spending
                    .get(c)
                    .cloned()
                    .unwrap_or_else(|| vec![Decimal::ZERO; INSIGHT_MONTHS]),
                this_month: picture
                    .this_month
                    .spending
                    .get(c)
                    .copied()
                    .unwrap_or_default(),
                merchants_this_month: picture
                    .this_month
                    .merchants
                    .get(c)
                    .cloned()
                    .unwrap_or_default(),
                merchants_usual: picture.merchants_usual.get(c).cloned().unwrap_or_default(),
            })
            .collect();
        let first = picture
            .income
            .iter()
            .position(|i| !i.is_zero())
            .unwrap_or(INSIGHT_MONTHS);
        let bills = crate::recurring::recurring_in(&ledger.transactions, ledger.today)?
            .into_iter()
            .filter(|s| s.last_amount.currency() == ledger.currency)
            .map(|s| Bill {
                payee: s.payee,
                category: s.category.map(|c| c.as_str().to_owned()),
                income: s.income,
                active: s.status == SeriesStatus::Active,
                first_date: s.first_date,
                next_date: s.next_date,
                next_amount: s.next_amount.amount().abs(),
                price_change: s
                    .price_changes
                    .last()
                    .map(|c| (c.date, c.from.amount().abs(), c.to.amount().abs())),
                per_year: 365.25 / s.cadence.days(),
            })
            .collect();
        let recent = ledger.today - Duration::days(ALERT_DAYS);
        let by_id: HashMap<_, _> = ledger
            .transactions
            .iter()
            .filter(|t| t.posted_on.date() >= recent)
            .map(|t| (t.id, t))
            .collect();
        let alerts = self
            .store
            .latest_alerts(&[ledger.user], 50)
            .await?
            .into_iter()
            .filter(|a| a.kind == "anomaly" && a.feedback.is_none())
            .filter_map(|a| {
                let t = by_id.get(&a.transaction_id?)?;
                Some(AlertSummary {
                    id: a.id.to_string(),
                    text: a
                        .reasons()
                        .first()
                        .map(|r| r.text.clone())
                        .unwrap_or_default(),
                    amount: t.amount.amount().abs(),
                    date: t.posted_on.date(),
                })
            })
            .collect();
        let rows = self.store.budget_lines(&[ledger.user]).await?;
        let (budgets, _) = Self::status_of(ledger, &picture, &rows);
        let (flow, _, _) = Self::cash_flow(ledger);
        let goals = self
            .store
            .goals(ledger.user)
            .await?
            .into_iter()
            .filter(|g| g.saved_minor < g.target_minor && g.target_date > ledger.today)
            .map(|g| {
                let scale = Decimal::new(1, ledger.currency.minor_unit_exponent());
                let months = ((g.target_date - ledger.today).whole_days() / 30).max(1) as u32;
                let plan = goals::plan(
                    Decimal::from(g.target_minor) * scale,
                    Decimal::from(g.saved_minor) * scale,
                    months,
                    flow,
                    SNAPSHOT_PATHS,
                    g.id.as_u128() as u64,
                );
                GoalSummary {
                    id: g.id.to_string(),
                    name: g.name,
                    probability: plan.probability,
                    required_monthly: plan.required_monthly,
                    free_cash_flow: plan.free_cash_flow,
                }
            })
            .collect();
        Ok(insights::generate(&Snapshot {
            today: ledger.today,
            currency: ledger.currency.code().to_owned(),
            categories,
            income_monthly: picture.income[first..].to_vec(),
            income_this_month: picture.this_month.income,
            spent_this_month: picture.this_month.total_spending,
            bills,
            alerts,
            budgets,
            goals,
            fees: picture.fees,
        }))
    }

    /// The person's insights, best first: optionally one kind, or those
    /// whose title or body contains `search` (any case).
    pub async fn insights(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        kind: Option<&str>,
        search: Option<&str>,
        limit: u32,
    ) -> Result<Vec<RankedInsight>, ServiceError> {
        if !(1..=100).contains(&limit) {
            return Err(ValidationError::new("limit", "must be 1 to 100").into());
        }
        let kind = kind
            .map(|k| {
                InsightKind::parse(k).ok_or_else(|| {
                    ValidationError::new(
                        "kind",
                        format!(
                            "must be one of {}",
                            InsightKind::ALL.map(|k| k.as_str()).join(", ")
                        ),
                    )
                })
            })
            .transpose()?;
        let search = search
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_lowercase);
        if search.as_ref().is_some_and(|s| s.chars().count() > 100) {
            return Err(ValidationError::new("q", "must be at most 100 characters").into());
        }
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        let ledger = self.person_ledger(user).await?;
        let generated = self.generate_insights(&ledger).await?;
        let rows = self.store.insight_answers(user).await?;
        let mut history: HashMap<InsightKind, Counts> = HashMap::new();
        let answers: Vec<Answer> = rows
            .iter()
            .filter_map(|r| {
                let kind = InsightKind::parse(&r.kind)?;
                let response = Response::parse(&r.response)?;
                history.entry(kind).or_default().add(response, 1);
                Some(Answer {
                    key: r.insight_key.clone(),
                    kind,
                    response,
                    until: r.until,
                })
            })
            .collect();
        let mut population: HashMap<InsightKind, Counts> = HashMap::new();
        for c in self.store.insight_answer_counts().await? {
            if let (Some(kind), Some(response)) =
                (InsightKind::parse(&c.kind), Response::parse(&c.response))
            {
                population
                    .entry(kind)
                    .or_default()
                    .add(response, c.count.max(0) as u64);
            }
        }
        // The same order all day for the same answers.
        let seed = (user.as_uuid().as_u128() as u64) ^ (ledger.today.to_julian_day() as u64);
        let ranked = ranking::rank(
            generated,
            &answers,
            &history,
            &population,
            self.now_millis(),
            seed,
        );
        Ok(ranked
            .into_iter()
            .filter(|r| kind.is_none_or(|k| r.insight.kind == k))
            .filter(|r| {
                search.as_ref().is_none_or(|s| {
                    r.insight.title.to_lowercase().contains(s)
                        || r.insight.body.to_lowercase().contains(s)
                })
            })
            .take(limit as usize)
            .map(|r| RankedInsight {
                id: insight_id(user, &r.insight.key),
                answer: answers
                    .iter()
                    .find(|a| a.key == r.insight.key)
                    .map(|a| a.response.as_str().to_owned()),
                key: r.insight.key,
                kind: r.insight.kind,
                title: r.insight.title,
                body: r.insight.body,
                impact: ledger.money(r.insight.impact),
                currency: ledger.currency,
                confidence: r.insight.confidence,
                action: r.insight.action,
                figures: r
                    .insight
                    .figures
                    .into_iter()
                    .map(|f| Figure {
                        value: ledger.money(f.value),
                        ..f
                    })
                    .collect(),
                score: (r.score * 1000.0).round() / 1000.0,
                expected_rate: (r.expected_rate * 1000.0).round() / 1000.0,
            })
            .collect())
    }

    /// Records the person's answer to one of today's insights: accept,
    /// dismiss (it is not shown again) or snooze (hidden for
    /// `snooze_days`, 1–90, default 7). Changes data: owners and members
    /// only; audited.
    pub async fn insight_feedback(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        id: Uuid,
        response: &str,
        snooze_days: Option<u32>,
    ) -> Result<InsightAnswerRow, ServiceError> {
        let response = Response::parse(response)
            .ok_or_else(|| ValidationError::new("response", "must be accept, dismiss or snooze"))?;
        if snooze_days.is_some_and(|d| !(1..=90).contains(&d)) {
            return Err(ValidationError::new("snooze_days", "must be 1 to 90").into());
        }
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "insight")
            .await
            .map_err(|_| ServiceError::NotFound("insight"))?;
        let ledger = self.person_ledger(user).await?;
        let insight = self
            .generate_insights(&ledger)
            .await?
            .into_iter()
            .find(|i| insight_id(user, &i.key) == id)
            .ok_or(ServiceError::NotFound("insight"))?;
        self.authorize_user(principal, user, Action::Write, "insight")
            .await?;
        let now = self.now_millis();
        let row = InsightAnswerRow {
            user_id: user,
            insight_key: insight.key,
            kind: insight.kind.as_str().to_owned(),
            response: response.as_str().to_owned(),
            until: (response == Response::Snooze).then(|| {
                now + Duration::days(i64::from(snooze_days.unwrap_or(7))).whole_milliseconds()
                    as i64
            }),
            answered_at: now,
        };
        self.store.record_insight_answer(&row).await?;
        self.audit_write(
            principal,
            "insight.feedback",
            &format!("insight:{id}"),
            response.as_str(),
        )
        .await?;
        Ok(row)
    }
}
