//! One user's life in transactions: income, housing, bills, subscriptions,
//! everyday spending with weekly and yearly seasonality, travel, one-off
//! purchases, transfers between their own accounts, and the injected
//! anomalies with their labels.

use std::collections::BTreeMap;

use finsight_core::{
    CategoryId, Description, Mcc, Money, NewTransaction, PostingDate, SourceName, UserId,
};
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration, Month, OffsetDateTime, Time, UtcOffset, Weekday};

use crate::catalog::{
    self, CLIENTS, DESTINATIONS, EMPLOYERS, FRAUD_LOCATIONS, Kind, MERCHANTS, Merchant, Region,
    SUBSCRIPTIONS, Style, UTILITY_PROVIDERS,
};
use crate::world::{
    AnomalyKind, AnomalyLabel, Persona, RecurringTruth, Role, SynthConfig, UserProfile,
};

mod anomalies;
mod bills;
mod income;
mod spending;

/// Everything one user did, ordered by posting date, with the ground-truth
/// labels of the anomalies among it.
#[derive(Debug, Clone)]
pub struct UserActivity {
    pub user_id: UserId,
    pub transactions: Vec<NewTransaction>,
    pub labels: Vec<AnomalyLabel>,
    pub recurring: Vec<RecurringTruth>,
}

/// A transaction before it is turned into a validated record.
struct Draft {
    role: Role,
    posted_on: Date,
    occurred_at: Option<OffsetDateTime>,
    amount_cents: i64,
    description: String,
    merchant: Option<&'static str>,
    mcc: Option<u16>,
    category: &'static str,
    anomaly: Option<(AnomalyKind, u32)>,
    /// The recurring series it belongs to (ground truth for detection).
    series: Option<String>,
}

/// Spending habits of a persona, in US dollars (scaled by region).
struct Habits {
    groceries_per_week: f64,
    grocery_median: f64,
    dining_per_week: f64,
    dining_median: f64,
    coffee_per_week: f64,
    fast_food_per_week: f64,
    delivery_per_week: f64,
    shopping_per_month: f64,
    shopping_median: f64,
    fuel_per_month: f64,
    transit_per_month: f64,
    rideshare_per_month: f64,
    entertainment_per_month: f64,
    subscriptions: (usize, usize),
    trips_per_year: f64,
    rent: f64,
}

fn habits(persona: Persona) -> Habits {
    let h = |v: [f64; 14], subscriptions, rent| Habits {
        groceries_per_week: v[0],
        grocery_median: v[1],
        dining_per_week: v[2],
        dining_median: v[3],
        coffee_per_week: v[4],
        fast_food_per_week: v[5],
        delivery_per_week: v[6],
        shopping_per_month: v[7],
        shopping_median: v[8],
        fuel_per_month: v[9],
        transit_per_month: v[10],
        rideshare_per_month: v[11],
        entertainment_per_month: v[12],
        trips_per_year: v[13],
        subscriptions,
        rent,
    };
    match persona {
        Persona::Student => h(
            [
                1.5, 35., 1.0, 22., 2., 1.5, 0.7, 2., 30., 0., 20., 2., 2., 0.5,
            ],
            (1, 3),
            800.,
        ),
        Persona::YoungProfessional => h(
            [
                1.5, 55., 2.0, 45., 4., 1., 1., 4., 60., 2., 18., 4., 3., 1.5,
            ],
            (3, 6),
            1800.,
        ),
        Persona::Family => h(
            [
                2.5, 120., 1.2, 70., 1., 1., 0.5, 5., 70., 4., 2., 0.5, 2., 1.,
            ],
            (3, 6),
            2400.,
        ),
        Persona::Retiree => h(
            [
                2., 60., 0.8, 50., 1.5, 0.3, 0.1, 2., 50., 2., 4., 0.5, 2., 1.2,
            ],
            (1, 3),
            1200.,
        ),
        Persona::Freelancer => h(
            [
                1.5, 60., 1.5, 40., 5., 1., 1.5, 3., 60., 1., 10., 3., 2., 1.5,
            ],
            (3, 6),
            1600.,
        ),
        Persona::SmallBusinessOwner => h(
            [2., 90., 1.5, 60., 3., 1., 0.8, 4., 80., 4., 2., 2., 2., 1.],
            (2, 5),
            2000.,
        ),
    }
}

struct Life<'a> {
    profile: &'a UserProfile,
    rng: ChaCha8Rng,
    start: Date,
    end: Date,
    habits: Habits,
    price: f64,
    card: Role,
    favorites: BTreeMap<u8, Vec<(&'static Merchant, u16)>>,
    drafts: Vec<Draft>,
    incidents: u32,
    /// The series `push` and `transfer` tag their drafts with.
    series: Option<String>,
    /// Series whose price went up, and the first day of the new price.
    raises: BTreeMap<String, Date>,
    /// Series that stopped before the end.
    cancelled: std::collections::BTreeSet<String>,
}

pub(crate) fn add_months(date: Date, months: u32) -> Date {
    let total = date.year() * 12 + (date.month() as i32 - 1) + months as i32;
    let month = Month::try_from((total % 12 + 1) as u8).expect("month in range");
    Date::from_calendar_date(total / 12, month, 1).expect("first of month is valid")
}

fn month_starts(start: Date, end: Date) -> impl Iterator<Item = Date> {
    (0..)
        .map(move |n| add_months(start, n))
        .take_while(move |d| *d < end)
}

fn day_in_month(month: Date, day: u8) -> Date {
    let last = month.month().length(month.year());
    month
        .replace_day(day.min(last))
        .expect("clamped day is valid")
}

fn last_business_day(month: Date) -> Date {
    let mut day = day_in_month(month, 31);
    while matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
        day -= Duration::days(1);
    }
    day
}

fn next_business_day(mut day: Date) -> Date {
    while matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
        day += Duration::days(1);
    }
    day
}

/// A standard normal draw (Box–Muller). The math is `libm`'s, written in
/// Rust, so a seed gives the same data on every platform (the platform's
/// `ln`/`exp`/`cos` may differ in the last bit).
pub(crate) fn standard_normal(rng: &mut impl Rng) -> f64 {
    // 1 - u is in (0, 1], so the logarithm is finite.
    let u1: f64 = 1.0 - rng.random::<f64>();
    let u2: f64 = rng.random();
    libm::sqrt(-2.0 * libm::log(u1)) * libm::cos(std::f64::consts::TAU * u2)
}

fn poisson(rng: &mut impl Rng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    let limit = libm::exp(-lambda);
    let mut product: f64 = rng.random();
    let mut count = 0;
    while product > limit && count < 50 {
        product *= rng.random::<f64>();
        count += 1;
    }
    count
}

fn alnum(rng: &mut impl RngCore, len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    (0..len)
        .map(|_| CHARS[(rng.next_u32() as usize) % CHARS.len()] as char)
        .collect()
}

/// How much busier a day is for a kind of spending: weekends for dining and
/// groceries, the holidays for shopping, summer for travel.
fn seasonality(kind: Kind, day: Date) -> f64 {
    let weekday = match (kind, day.weekday()) {
        (Kind::Restaurant | Kind::Delivery | Kind::Entertainment, Weekday::Friday) => 1.5,
        (Kind::Restaurant | Kind::Delivery | Kind::Entertainment, Weekday::Saturday) => 1.8,
        (Kind::Restaurant | Kind::Delivery | Kind::Entertainment, Weekday::Sunday) => 1.2,
        (Kind::Restaurant | Kind::Delivery | Kind::Entertainment, _) => 0.75,
        (Kind::Grocery, Weekday::Saturday) => 1.6,
        (Kind::Grocery, Weekday::Sunday) => 1.2,
        (Kind::Grocery, _) => 0.84,
        (Kind::Coffee | Kind::Transit, Weekday::Saturday | Weekday::Sunday) => 0.4,
        (Kind::Coffee | Kind::Transit, _) => 1.24,
        _ => 1.0,
    };
    let month = match (kind, day.month()) {
        (Kind::Online | Kind::General | Kind::Electronics | Kind::Clothing, Month::November) => 1.5,
        (Kind::Online | Kind::General | Kind::Electronics | Kind::Clothing, Month::December) => 1.9,
        (Kind::Online | Kind::General | Kind::Clothing, Month::January) => 0.7,
        (Kind::Restaurant | Kind::Delivery, Month::December) => 1.35,
        (Kind::Restaurant, Month::July | Month::August) => 1.1,
        (Kind::Grocery, Month::December) => 1.25,
        (Kind::Grocery, Month::November) => 1.1,
        (Kind::Fuel, Month::July | Month::August) => 1.2,
        _ => 1.0,
    };
    weekday * month
}

fn hour_for(kind: Kind, rng: &mut impl Rng) -> u8 {
    let (from, to) = match kind {
        Kind::Coffee => (7, 11),
        Kind::FastFood => (11, 15),
        Kind::Restaurant => {
            if rng.random_bool(0.3) {
                (12, 14)
            } else {
                (18, 23)
            }
        }
        Kind::Delivery => (18, 23),
        Kind::Grocery => (9, 21),
        Kind::Transit => (7, 20),
        Kind::Rideshare => (8, 24),
        Kind::Entertainment => (14, 24),
        Kind::Online => (6, 24),
        _ => (9, 20),
    };
    rng.random_range(from..to)
}

impl<'a> Life<'a> {
    fn new(profile: &'a UserProfile, config: &SynthConfig, mut rng: ChaCha8Rng) -> Self {
        let mut favorites = BTreeMap::new();
        for merchant in MERCHANTS.iter().filter(|m| m.serves(profile.region)) {
            favorites
                .entry(merchant.kind as u8)
                .or_insert_with(Vec::new)
                .push((merchant, rng.random_range(100..3000) as u16));
        }
        // Each person frequents a few places: keep up to three per kind, in a
        // personal order of preference.
        for options in favorites.values_mut() {
            for i in (1..options.len()).rev() {
                let j = rng.random_range(0..=i);
                options.swap(i, j);
            }
            options.truncate(3);
        }
        let card = if profile.account(Role::Card).is_some() {
            Role::Card
        } else {
            Role::Checking
        };
        Self {
            profile,
            rng,
            start: config.first_month,
            end: add_months(config.first_month, config.months),
            habits: habits(profile.persona),
            price: profile.region.price_factor(),
            card,
            favorites,
            drafts: Vec::new(),
            incidents: 0,
            series: None,
            raises: BTreeMap::new(),
            cancelled: Default::default(),
        }
    }

    fn in_range(&self, day: Date) -> bool {
        day >= self.start && day < self.end
    }

    /// A lognormal amount in cents around `median` US dollars.
    fn amount(&mut self, median: f64, sigma: f64) -> i64 {
        let z = standard_normal(&mut self.rng);
        let value = libm::exp(libm::log(median) + sigma * z) * self.price;
        ((value * 100.0).round() as i64).max(1)
    }

    /// A fixed price in cents, scaled to the user's currency and rounded to
    /// a price-like figure.
    fn price_cents(&self, usd_cents: i64) -> i64 {
        let scaled = (usd_cents as f64 * self.price).round() as i64;
        if scaled % 100 == 0 {
            scaled
        } else {
            scaled / 100 * 100 + 99
        }
    }

    fn push(
        &mut self,
        role: Role,
        posted_on: Date,
        amount_cents: i64,
        description: String,
        category: &'static str,
    ) {
        if !self.in_range(posted_on) || self.profile.account(role).is_none() {
            return;
        }
        self.drafts.push(Draft {
            role,
            posted_on,
            occurred_at: None,
            amount_cents,
            description,
            merchant: None,
            mcc: None,
            category,
            anomaly: None,
            series: self.series.clone(),
        });
    }

    fn transfer(&mut self, from: Role, to: Role, day: Date, cents: i64, category: &'static str) {
        if self.profile.account(from).is_none() || self.profile.account(to).is_none() {
            return;
        }
        let from_last4 = self.last4(from);
        let to_last4 = self.last4(to);
        let (out_text, in_text) = match (from, to) {
            (Role::Checking, Role::Card) => (
                format!("{} CARD PAYMENT ONLINE", self.institution_upper()),
                "PAYMENT THANK YOU".to_owned(),
            ),
            (Role::Checking, Role::Loan) => (
                format!("{} MORTGAGE PMT", self.institution_upper()),
                "PAYMENT RECEIVED - THANK YOU".to_owned(),
            ),
            _ => (
                format!("ONLINE TRANSFER TO XXXXXX{to_last4}"),
                format!("ONLINE TRANSFER FROM XXXXXX{from_last4}"),
            ),
        };
        self.push(from, day, -cents, out_text, category);
        self.push(to, day, cents, in_text, category);
    }

    fn institution_upper(&self) -> String {
        self.profile.accounts[0].institution.to_uppercase()
    }

    fn last4(&self, role: Role) -> String {
        let account = self.profile.account(role).map(|a| a.id.as_uuid());
        let bytes = account.map(|id| *id.as_bytes()).unwrap_or_default();
        format!("{:04}", u16::from_be_bytes([bytes[0], bytes[1]]) % 10000)
    }

    fn pick(&mut self, kind: Kind) -> Option<(&'static Merchant, u16)> {
        let options = self.favorites.get(&(kind as u8))?;
        // Strong preference for the first favourite, some for the others.
        let roll: f64 = self.rng.random();
        let index = if roll < 0.6 || options.len() == 1 {
            0
        } else if roll < 0.9 || options.len() == 2 {
            1
        } else {
            2
        };
        Some(options[index.min(options.len() - 1)])
    }

    /// A card purchase as the bank prints it.
    fn card_text(&mut self, merchant: &Merchant, store: u16, city: &str, role: Role) -> String {
        let last4 = self.profile.card_last4;
        let core = match merchant.style {
            Style::StoreNumber => format!("{} #{store:04} {city}", merchant.printed),
            Style::Square => format!(
                "SQ *{} {:04}",
                merchant.printed,
                self.rng.random_range(1..10000)
            ),
            Style::Toast => format!("TST* {} {:04}", merchant.printed, store % 10000),
            Style::Amazon => match self.profile.region {
                Region::Us => format!("AMZN MKTP US*{}", alnum(&mut self.rng, 5)),
                Region::Euro => format!("AMZN MKTP DE*{}", alnum(&mut self.rng, 5)),
                Region::Uk => format!("AMAZON.CO.UK*{}", alnum(&mut self.rng, 5)),
            },
            Style::Plain => merchant.printed.to_owned(),
            Style::PayPal => format!("PAYPAL *{}", merchant.printed),
        };
        match (self.profile.region, role) {
            (Region::Us, Role::Checking) => {
                if self.rng.random_bool(0.5) {
                    format!("POS DEBIT {core} CARD {last4}")
                } else {
                    format!("DEBIT CARD PURCHASE - {core}")
                }
            }
            (Region::Euro, Role::Checking) => format!("KARTENZAHLUNG {core} KARTE {last4}"),
            (Region::Uk, Role::Checking) => format!("CARD PAYMENT TO {core}"),
            _ => core,
        }
    }

    /// A purchase at a merchant: occurred at a local time, posted 0-2 days
    /// later on the card (or debit card).
    fn purchase(&mut self, kind: Kind, day: Date, cents: i64) {
        let Some((merchant, store)) = self.pick(kind) else {
            return;
        };
        let city = self.profile.city.printed;
        let offset = self.profile.city.utc_offset_hours;
        self.purchase_at(merchant, store, day, cents, city, offset, None);
    }

    #[allow(clippy::too_many_arguments)]
    fn purchase_at(
        &mut self,
        merchant: &'static Merchant,
        store: u16,
        day: Date,
        cents: i64,
        city: &str,
        utc_offset_hours: i8,
        anomaly: Option<(AnomalyKind, u32)>,
    ) -> Option<usize> {
        let role = self.card;
        let hour = hour_for(merchant.kind, &mut self.rng) % 24;
        let time = Time::from_hms(
            hour,
            self.rng.random_range(0..60),
            self.rng.random_range(0..60),
        )
        .expect("valid time");
        let offset = UtcOffset::from_hms(utc_offset_hours, 0, 0).expect("valid offset");
        let lag = if merchant.style == Style::Plain && merchant.kind == Kind::Transit {
            1
        } else {
            self.rng.random_range(0..=2)
        };
        let posted_on = day + Duration::days(lag);
        if !self.in_range(posted_on) {
            return None;
        }
        let description = self.card_text(merchant, store, city, role);
        self.drafts.push(Draft {
            role,
            posted_on,
            occurred_at: Some(day.with_time(time).assume_offset(offset)),
            amount_cents: -cents,
            description,
            merchant: Some(merchant.name),
            mcc: Some(merchant.mcc),
            category: merchant.kind.category(),
            anomaly,
            series: self.series.clone(),
        });
        Some(self.drafts.len() - 1)
    }
}

fn d_month(day: Date) -> Date {
    day.replace_day(1).expect("first of month")
}

pub(crate) fn user_activity(
    profile: &UserProfile,
    config: &SynthConfig,
    rng: ChaCha8Rng,
) -> UserActivity {
    let mut life = Life::new(profile, config, rng);
    life.income();
    life.housing_and_bills();
    life.subscriptions();
    life.everyday_spending();
    life.travel_and_big_purchases();
    life.anomalies();
    life.savings_and_card_payments();
    let Life {
        mut drafts,
        raises,
        cancelled,
        ..
    } = life;
    drafts.sort_by(|a, b| {
        (
            a.posted_on,
            a.occurred_at.map(|t| t.unix_timestamp()),
            &a.description,
        )
            .cmp(&(
                b.posted_on,
                b.occurred_at.map(|t| t.unix_timestamp()),
                &b.description,
            ))
    });
    let source = SourceName::parse("synth").expect("valid source name");
    let mut transactions = Vec::with_capacity(drafts.len());
    let mut labels = Vec::new();
    let mut series: BTreeMap<(String, finsight_core::AccountId), RecurringTruth> = BTreeMap::new();
    for (n, draft) in drafts.into_iter().enumerate() {
        let account = profile
            .account(draft.role)
            .expect("drafts only use held accounts");
        let record = NewTransaction {
            account_id: account.id,
            posted_on: PostingDate::new(draft.posted_on).expect("generated dates are in range"),
            occurred_at: draft.occurred_at,
            amount: Money::from_minor(draft.amount_cents, account.currency)
                .expect("generated amounts are in range"),
            description: Description::parse(&draft.description)
                .expect("generated descriptions are valid"),
            merchant: draft.merchant.map(str::to_owned),
            mcc: draft
                .mcc
                .map(|m| Mcc::new(m).expect("catalog MCCs are valid")),
            category: Some(
                CategoryId::parse(draft.category).expect("catalog categories are valid"),
            ),
            source: source.clone(),
            source_ref: Some(format!("SYN{:05}-{n:06}", profile.index)),
        };
        if let Some(name) = draft.series {
            let truth =
                series
                    .entry((name.clone(), account.id))
                    .or_insert_with(|| RecurringTruth {
                        user_id: profile.user.id,
                        account_id: account.id,
                        price_raised_on: raises.get(&name).copied(),
                        cancelled: cancelled.contains(&name),
                        name,
                        transaction_ids: Vec::new(),
                        dates: Vec::new(),
                    });
            truth.transaction_ids.push(record.transaction_id());
            truth.dates.push(draft.posted_on);
        }
        if let Some((kind, incident)) = draft.anomaly {
            labels.push(AnomalyLabel {
                transaction_id: record.transaction_id(),
                user_id: profile.user.id,
                account_id: account.id,
                kind,
                incident: format!("{}-{incident}", profile.user.id),
            });
        }
        transactions.push(record);
    }
    UserActivity {
        user_id: profile.user.id,
        transactions,
        labels,
        recurring: series.into_values().collect(),
    }
}
