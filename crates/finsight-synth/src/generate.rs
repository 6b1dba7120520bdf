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
use crate::world::{AnomalyKind, AnomalyLabel, Persona, Role, SynthConfig, UserProfile};

/// Everything one user did, ordered by posting date, with the ground-truth
/// labels of the anomalies among it.
#[derive(Debug, Clone)]
pub struct UserActivity {
    pub user_id: UserId,
    pub transactions: Vec<NewTransaction>,
    pub labels: Vec<AnomalyLabel>,
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
fn standard_normal(rng: &mut impl Rng) -> f64 {
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
        });
        Some(self.drafts.len() - 1)
    }

    fn everyday_spending(&mut self) {
        let h = &self.habits;
        let weekly: [(Kind, f64, f64, f64); 6] = [
            (Kind::Grocery, h.groceries_per_week, h.grocery_median, 0.45),
            (Kind::Restaurant, h.dining_per_week, h.dining_median, 0.5),
            (Kind::Coffee, h.coffee_per_week, 5.5, 0.3),
            (Kind::FastFood, h.fast_food_per_week, 12., 0.35),
            (Kind::Delivery, h.delivery_per_week, 32., 0.35),
            (
                Kind::Online,
                h.shopping_per_month * 12. / 52. * 0.5,
                h.shopping_median,
                0.8,
            ),
        ];
        let monthly: [(Kind, f64, f64, f64); 10] = [
            (
                Kind::General,
                h.shopping_per_month * 0.25,
                h.shopping_median,
                0.7,
            ),
            (
                Kind::Clothing,
                h.shopping_per_month * 0.15,
                h.shopping_median * 1.2,
                0.6,
            ),
            (Kind::Fuel, h.fuel_per_month, 48., 0.25),
            (Kind::Transit, h.transit_per_month, 2.75, 0.15),
            (Kind::Rideshare, h.rideshare_per_month, 19., 0.5),
            (Kind::Parking, h.fuel_per_month * 0.3, 9., 0.5),
            (Kind::Entertainment, h.entertainment_per_month, 28., 0.6),
            (Kind::Pharmacy, 0.8, 22., 0.6),
            (Kind::PersonalCare, 0.7, 35., 0.4),
            (Kind::Doctor, 0.15, 120., 0.7),
        ];
        let mut day = self.start;
        while day < self.end {
            for (kind, rate, median, sigma) in weekly {
                let n = poisson(&mut self.rng, rate / 7.0 * seasonality(kind, day));
                for _ in 0..n {
                    let cents = self.amount(median, sigma);
                    self.purchase(kind, day, cents);
                }
            }
            for (kind, rate, median, sigma) in monthly {
                let n = poisson(&mut self.rng, rate / 30.4 * seasonality(kind, day));
                for _ in 0..n {
                    let cents = self.amount(median, sigma);
                    self.purchase(kind, day, cents);
                }
            }
            day += Duration::days(1);
        }
    }

    fn income(&mut self) {
        let persona = self.profile.persona;
        let employer = *EMPLOYERS.choose(&mut self.rng).expect("employers");
        let payroll_id: u32 = self.rng.random_range(1_000_000..9_999_999);
        let salary_usd = match persona {
            Persona::YoungProfessional => self.rng.random_range(4200.0..6500.0),
            Persona::Family => self.rng.random_range(5000.0..8000.0),
            _ => 0.0,
        };
        let months: Vec<Date> = month_starts(self.start, self.end).collect();
        for (n, month) in months.iter().copied().enumerate() {
            // A raise every January.
            let raise = libm::pow(
                1.03,
                months[..=n]
                    .iter()
                    .filter(|m| m.month() == Month::January)
                    .count() as f64,
            );
            match persona {
                Persona::YoungProfessional => {
                    let half = ((salary_usd * raise * self.price / 2.0) * 100.0).round() as i64;
                    let text = format!("{employer} PAYROLL PPD ID: {payroll_id}");
                    self.push(
                        Role::Checking,
                        next_business_day(day_in_month(month, 15)),
                        half,
                        text.clone(),
                        "income.salary",
                    );
                    self.push(
                        Role::Checking,
                        last_business_day(month),
                        half,
                        text.clone(),
                        "income.salary",
                    );
                    if month.month() == Month::March {
                        let bonus = half / 2 * self.rng.random_range(1..4);
                        self.push(
                            Role::Checking,
                            last_business_day(month),
                            bonus,
                            format!("{employer} BONUS PPD ID: {payroll_id}"),
                            "income.salary",
                        );
                    }
                }
                Persona::Family => {
                    let pay = ((salary_usd * raise * self.price) * 100.0).round() as i64;
                    let mut payday = day_in_month(month, 25);
                    while matches!(payday.weekday(), Weekday::Saturday | Weekday::Sunday) {
                        payday -= Duration::days(1);
                    }
                    self.push(
                        Role::Checking,
                        payday,
                        pay,
                        format!("{employer} SALARY"),
                        "income.salary",
                    );
                    if self.profile.region != Region::Us {
                        let benefit = self.price_cents(25_000);
                        self.push(
                            Role::Checking,
                            day_in_month(month, 10),
                            benefit,
                            "CHILD BENEFIT".into(),
                            "income.benefits",
                        );
                    }
                }
                Persona::Student => {
                    let allowance = self.price_cents(60_000);
                    self.push(
                        Role::Checking,
                        day_in_month(month, 1),
                        allowance,
                        format!(
                            "ONLINE TRANSFER FROM {} FAMILY",
                            self.profile
                                .user
                                .display_name
                                .split(' ')
                                .next_back()
                                .unwrap_or("")
                                .to_uppercase()
                        ),
                        "income.other",
                    );
                    for payday in [day_in_month(month, 8), day_in_month(month, 22)] {
                        let cents = self.amount(420.0, 0.25);
                        self.push(
                            Role::Checking,
                            next_business_day(payday),
                            cents,
                            "CAMPUS DINING PAYROLL".into(),
                            "income.salary",
                        );
                    }
                }
                Persona::Retiree => {
                    let pension = self.price_cents(220_000);
                    self.push(
                        Role::Checking,
                        next_business_day(month),
                        pension,
                        format!("{employer} PENSION"),
                        "income.pension",
                    );
                    if self.profile.region == Region::Us {
                        let mut wednesday = month;
                        let mut seen = 0;
                        while seen < 3 {
                            if wednesday.weekday() == Weekday::Wednesday {
                                seen += 1;
                            }
                            if seen < 3 {
                                wednesday += Duration::days(1);
                            }
                        }
                        self.push(
                            Role::Checking,
                            wednesday,
                            189_500,
                            "SSA TREAS 310 XXSOC SEC".into(),
                            "income.benefits",
                        );
                    }
                }
                Persona::Freelancer => {
                    let invoices = poisson(&mut self.rng, 2.2);
                    for _ in 0..invoices {
                        let client = *CLIENTS.choose(&mut self.rng).expect("clients");
                        let day =
                            next_business_day(day_in_month(month, self.rng.random_range(1..29)));
                        let cents = self.amount(1800.0, 0.6);
                        let abroad = self.profile.account(Role::Foreign).is_some()
                            && self.rng.random_bool(0.35);
                        if abroad {
                            self.push(
                                Role::Foreign,
                                day,
                                cents,
                                format!("RECEIVED FROM {client}"),
                                "income.freelance",
                            );
                        } else {
                            let invoice = self.rng.random_range(1000..9999);
                            self.push(
                                Role::Checking,
                                day,
                                cents,
                                format!("{client} ACH CREDIT INV {invoice}"),
                                "income.freelance",
                            );
                        }
                    }
                    if self.profile.account(Role::Foreign).is_some() {
                        let cents = self.amount(900.0, 0.3);
                        let rate = 1.08 + self.rng.random_range(-0.03..0.03);
                        let home = (cents as f64 * rate).round() as i64;
                        let day = day_in_month(month, 28);
                        self.push(
                            Role::Foreign,
                            day,
                            -cents,
                            format!("CONVERSION TO {}", self.profile.region.currency()),
                            "transfers.internal",
                        );
                        let foreign_code = self
                            .profile
                            .account(Role::Foreign)
                            .map(|a| a.currency.code())
                            .unwrap_or("EUR");
                        self.push(
                            Role::Checking,
                            day + Duration::days(1),
                            home,
                            format!("WISE CONVERSION FROM {foreign_code}"),
                            "transfers.internal",
                        );
                    }
                }
                Persona::SmallBusinessOwner => self.business_month(month),
            }
        }
    }

    fn business_month(&mut self, month: Date) {
        let deposits = 8 + poisson(&mut self.rng, 10.0);
        let mut revenue = 0;
        for _ in 0..deposits {
            let day = day_in_month(month, self.rng.random_range(1..29));
            let cents = self.amount(450.0, 0.7);
            revenue += cents;
            let text = if self.rng.random_bool(0.6) {
                format!("STRIPE TRANSFER ST-{}", alnum(&mut self.rng, 10))
            } else {
                "SQUARE INC DEPOSIT".to_owned()
            };
            self.push(
                Role::Business,
                next_business_day(day),
                cents,
                text,
                "income.business",
            );
        }
        for (kind, rate, median) in [
            (Kind::BusinessSupplies, 2.0, 120.0),
            (Kind::BusinessServices, 1.0, 400.0),
            (Kind::Advertising, 1.5, 250.0),
        ] {
            for _ in 0..poisson(&mut self.rng, rate) {
                let Some((merchant, _)) = self.pick(kind) else {
                    continue;
                };
                let day = day_in_month(month, self.rng.random_range(1..29));
                let cents = self.amount(median, 0.5);
                let text = merchant.printed.to_owned();
                if self.in_range(day) {
                    self.drafts.push(Draft {
                        role: Role::Business,
                        posted_on: day,
                        occurred_at: None,
                        amount_cents: -cents,
                        description: text,
                        merchant: Some(merchant.name),
                        mcc: Some(merchant.mcc),
                        category: kind.category(),
                        anomaly: None,
                    });
                }
            }
        }
        let draw = (revenue as f64 * 0.45).round() as i64;
        let day = last_business_day(month);
        if self.in_range(day) {
            self.push(
                Role::Business,
                day,
                -draw,
                "OWNER DRAW TO PERSONAL CHK".into(),
                "transfers.internal",
            );
            self.push(
                Role::Checking,
                day,
                draw,
                "OWNER DRAW FROM BUSINESS CHK".into(),
                "transfers.internal",
            );
        }
        if matches!(
            month.month(),
            Month::April | Month::June | Month::September | Month::January
        ) {
            let extra = self.rng.random_range(0..200_000);
            let tax = self.price_cents(150_000 + extra);
            let text = match self.profile.region {
                Region::Us => "IRS USATAXPYMT",
                Region::Euro => "FINANZAMT VORAUSZAHLUNG",
                Region::Uk => "HMRC SELF ASSESSMENT",
            };
            self.push(
                Role::Business,
                day_in_month(month, 15),
                -tax,
                text.into(),
                "taxes",
            );
        }
    }

    fn housing_and_bills(&mut self) {
        let persona = self.profile.persona;
        let has_loan = self.profile.account(Role::Loan).is_some();
        let owns_home = has_loan || (persona == Persona::Retiree && self.rng.random_bool(0.5));
        let rent =
            ((self.habits.rent * self.rng.random_range(0.85..1.2) * self.price) as i64) * 100;
        let landlord = [
            "OAKWOOD PROPERTY MGMT",
            "CITYVIEW APARTMENTS",
            "HARBOR RESIDENTIAL",
        ]
        .choose(&mut self.rng)
        .copied()
        .expect("landlords");
        let mortgage = ((self.rng.random_range(1800.0..2600.0) * self.price) as i64) * 100;
        let internet = self.rng.random_range(50..80) * 100;
        let internet = self.price_cents(internet);
        let phone = self.rng.random_range(35..120) * 100;
        let phone = self.price_cents(phone);
        let electricity_base = self.rng.random_range(60.0..120.0);
        let heats_with_gas =
            matches!(persona, Persona::Family | Persona::Retiree) || self.rng.random_bool(0.3);
        let car_insurance = if self.habits.fuel_per_month > 0.0 {
            let premium = self.rng.random_range(90..170) * 100;
            self.price_cents(premium)
        } else {
            0
        };
        let pays_bank_fee = self.profile.region == Region::Us && self.rng.random_bool(0.3);
        let months: Vec<Date> = month_starts(self.start, self.end).collect();
        for month in months {
            if owns_home && has_loan {
                self.transfer(
                    Role::Checking,
                    Role::Loan,
                    day_in_month(month, 1),
                    mortgage,
                    "housing.mortgage",
                );
                let interest = (mortgage as f64 * 0.55) as i64;
                self.push(
                    Role::Loan,
                    day_in_month(month, 28),
                    -interest,
                    "INTEREST CHARGED".into(),
                    "fees.interest_charge",
                );
            } else if !owns_home {
                let text = match self.profile.region {
                    Region::Us => format!("ONLINE PMT {landlord}"),
                    Region::Euro => format!("DAUERAUFTRAG MIETE {landlord}"),
                    Region::Uk => format!("STO {landlord} RENT"),
                };
                self.push(
                    Role::Checking,
                    next_business_day(month),
                    -rent,
                    text,
                    "housing.rent",
                );
            }
            let winter =
                libm::cos((month.month() as i32 - 1) as f64 * std::f64::consts::TAU / 12.0);
            let summer_ac = if self.profile.region == Region::Us
                && matches!(month.month(), Month::July | Month::August)
            {
                0.35
            } else {
                0.0
            };
            let electricity =
                self.amount(electricity_base * (1.0 + 0.3 * winter + summer_ac), 0.08);
            let share = if persona == Persona::Student { 2 } else { 1 };
            for (provider, category) in UTILITY_PROVIDERS {
                let (cents, day) = match *category {
                    "utilities.electricity" => (electricity / share, 18),
                    "utilities.internet" => (internet / share, 5),
                    "utilities.phone" => (phone, 12),
                    "utilities.gas" if heats_with_gas => {
                        (self.amount(55.0 * (1.0 + 0.8 * winter.max(-0.7)), 0.1), 20)
                    }
                    "utilities.water" if owns_home && (month.month() as u8).is_multiple_of(2) => {
                        (self.amount(70.0, 0.15), 24)
                    }
                    _ => continue,
                };
                self.push(
                    Role::Checking,
                    next_business_day(day_in_month(month, day)),
                    -cents,
                    (*provider).to_owned(),
                    category,
                );
            }
            if car_insurance > 0 {
                self.push(
                    Role::Checking,
                    day_in_month(month, 7),
                    -car_insurance,
                    "GEICO AUTO INS PREM".into(),
                    "transport.car_insurance",
                );
            }
            if pays_bank_fee {
                self.push(
                    Role::Checking,
                    last_business_day(month),
                    -495,
                    "MONTHLY MAINTENANCE FEE".into(),
                    "fees.bank",
                );
            }
            if self.profile.region == Region::Us && persona == Persona::Family {
                let premium = self.price_cents(45_000);
                self.push(
                    Role::Checking,
                    day_in_month(month, 3),
                    -premium,
                    "BLUE SHIELD PREMIUM".into(),
                    "health.insurance",
                );
            }
        }
    }

    fn subscriptions(&mut self) {
        let (min, max) = self.habits.subscriptions;
        let count = self.rng.random_range(min..=max);
        let chosen: Vec<_> = SUBSCRIPTIONS
            .choose_multiple(&mut self.rng, count)
            .copied()
            .collect();
        let months: Vec<Date> = month_starts(self.start, self.end).collect();
        for sub in chosen {
            let day = self.rng.random_range(1..29);
            let started = self.rng.random_range(0..months.len().div_ceil(3).max(1));
            let raise_at = (sub.raised_cents != sub.price_cents && self.rng.random_bool(0.4))
                .then(|| self.rng.random_range(started..months.len()));
            let cancel_at = self
                .rng
                .random_bool(0.15)
                .then(|| self.rng.random_range(started..months.len()));
            for (n, month) in months.iter().copied().enumerate().skip(started) {
                if cancel_at.is_some_and(|c| n >= c) {
                    break;
                }
                let usd = if raise_at.is_some_and(|r| n >= r) {
                    sub.raised_cents
                } else {
                    sub.price_cents
                };
                let cents = self.price_cents(usd);
                let posted_on = day_in_month(month, day);
                if !self.in_range(posted_on) {
                    continue;
                }
                let role = self.card;
                self.drafts.push(Draft {
                    role,
                    posted_on,
                    occurred_at: None,
                    amount_cents: -cents,
                    description: sub.printed.to_owned(),
                    merchant: None,
                    mcc: Some(sub.mcc),
                    category: sub.category,
                    anomaly: None,
                });
            }
        }
    }

    fn travel_and_big_purchases(&mut self) {
        let years = f64::from((self.end - self.start).whole_days() as i32) / 365.25;
        let trips = poisson(&mut self.rng, self.habits.trips_per_year * years);
        for _ in 0..trips {
            let month = match self.rng.random_range(0..10) {
                0..5 => [Month::July, Month::August][self.rng.random_range(0..2)],
                5..7 => Month::December,
                _ => Month::try_from(self.rng.random_range(1..=12u8)).expect("month"),
            };
            let years_span = (self.end.year() - self.start.year() + 1).max(1);
            let year = self.start.year() + self.rng.random_range(0..years_span);
            let Ok(first) = Date::from_calendar_date(year, month, 1) else {
                continue;
            };
            let depart = day_in_month(first, self.rng.random_range(1..25));
            let nights = self.rng.random_range(4..11);
            let (dest, country, offset) =
                *DESTINATIONS.choose(&mut self.rng).expect("destinations");
            let travellers = if self.profile.persona == Persona::Family {
                3.0
            } else {
                1.0
            };
            if let Some((airline, store)) = self.pick(Kind::Airline) {
                let booked = depart - Duration::days(self.rng.random_range(20..70));
                let cents = self.amount(420.0 * travellers, 0.35);
                let city = self.profile.city.printed;
                self.purchase_at(
                    airline,
                    store,
                    booked,
                    cents,
                    city,
                    self.profile.city.utc_offset_hours,
                    None,
                );
            }
            let abroad = format!("{dest} {country}");
            let foreign = country != "US" || self.profile.region != Region::Us;
            for night in 0..nights {
                let day = depart + Duration::days(night);
                for _ in 0..self.rng.random_range(1..4) {
                    let kind = if self.rng.random_bool(0.7) {
                        Kind::Restaurant
                    } else {
                        Kind::Coffee
                    };
                    let Some((merchant, store)) = self.pick(kind) else {
                        continue;
                    };
                    let cents = self.amount(
                        if kind == Kind::Coffee {
                            6.0
                        } else {
                            55.0 * travellers
                        },
                        0.4,
                    );
                    if let Some(index) =
                        self.purchase_at(merchant, store, day, cents, &abroad, offset, None)
                        && foreign
                        && self.card == Role::Card
                    {
                        let fee = (cents as f64 * 0.03).round() as i64;
                        let posted_on = self.drafts[index].posted_on;
                        self.push(
                            Role::Card,
                            posted_on,
                            -fee.max(1),
                            "FOREIGN TRANSACTION FEE".into(),
                            "fees.foreign_transaction",
                        );
                    }
                }
            }
            if let Some((hotel, store)) = self.pick(Kind::Hotel) {
                let cents = self.amount(140.0 * f64::from(nights as i32), 0.3);
                self.purchase_at(
                    hotel,
                    store,
                    depart + Duration::days(nights),
                    cents,
                    &abroad,
                    offset,
                    None,
                );
            }
        }
        let big = poisson(&mut self.rng, years * 1.5);
        for _ in 0..big {
            let (kind, median) = [
                (Kind::Electronics, 1400.0),
                (Kind::Home, 900.0),
                (Kind::CarRepair, 800.0),
            ][self.rng.random_range(0..3)];
            let span = (self.end - self.start).whole_days().max(1);
            let day = self.start + Duration::days(self.rng.random_range(0..span));
            let cents = self.amount(median, 0.4);
            self.purchase(kind, day, cents);
        }
        if self.rng.random_bool(0.2) {
            for month in month_starts(self.start, self.end).collect::<Vec<_>>() {
                let Some((charity, store)) = self.pick(Kind::Charity) else {
                    break;
                };
                let cents = self.price_cents(2500);
                self.purchase_at(
                    charity,
                    store,
                    day_in_month(month, 9),
                    cents,
                    self.profile.city.printed,
                    self.profile.city.utc_offset_hours,
                    None,
                );
            }
        }
    }

    fn savings_and_card_payments(&mut self) {
        let monthly_saving = self.price_cents(match self.profile.persona {
            Persona::Student => 5_000,
            Persona::Retiree => 20_000,
            _ => 50_000,
        });
        let months: Vec<Date> = month_starts(self.start, self.end).collect();
        for month in &months {
            self.transfer(
                Role::Checking,
                Role::Savings,
                day_in_month(*month, 2),
                monthly_saving,
                "transfers.savings",
            );
            let interest = self.amount(6.0, 0.6);
            self.push(
                Role::Savings,
                last_business_day(*month),
                interest,
                "INTEREST PAYMENT".into(),
                "income.interest",
            );
            if self.profile.account(Role::Investment).is_some() {
                let contribution = self.price_cents(40_000);
                self.transfer(
                    Role::Checking,
                    Role::Investment,
                    day_in_month(*month, 16),
                    contribution,
                    "transfers.internal",
                );
                if matches!(
                    month.month(),
                    Month::March | Month::June | Month::September | Month::December
                ) {
                    let dividend = self.amount(80.0, 0.4);
                    self.push(
                        Role::Investment,
                        day_in_month(*month, 28),
                        dividend,
                        "DIVIDEND RECEIVED VTI".into(),
                        "income.interest",
                    );
                }
            }
        }
        if self.card != Role::Card {
            return;
        }
        // Pay off last month's card balance on the 20th.
        let mut spent: BTreeMap<Date, i64> = BTreeMap::new();
        for draft in self.drafts.iter().filter(|d| d.role == Role::Card) {
            *spent.entry(d_month(draft.posted_on)).or_default() += draft.amount_cents;
        }
        for (month, total) in spent {
            if total < 0 {
                let due = next_business_day(day_in_month(add_months(month, 1), 20));
                self.transfer(
                    Role::Checking,
                    Role::Card,
                    due,
                    -total,
                    "transfers.credit_card_payment",
                );
            }
        }
    }

    fn next_incident(&mut self) -> u32 {
        self.incidents += 1;
        self.incidents
    }

    fn anomalies(&mut self) {
        let count = if self.rng.random_bool(0.35) {
            1 + u32::from(self.rng.random_bool(0.3))
        } else {
            0
        };
        let span = (self.end - self.start).whole_days();
        if span < 14 {
            return;
        }
        for _ in 0..count {
            let kind = *AnomalyKind::ALL.choose(&mut self.rng).expect("kinds");
            let day = self.start + Duration::days(self.rng.random_range(7..span - 7));
            let incident = self.next_incident();
            let tag = Some((kind, incident));
            match kind {
                AnomalyKind::CardTesting => {
                    let burst = self.rng.random_range(4..11);
                    let printed = [
                        "DIGITALGOODS*",
                        "PAYPAL *GIFTCARDMALL ",
                        "GOOGLE *TEMPORARY HOLD ",
                    ]
                    .choose(&mut self.rng)
                    .copied()
                    .expect("printed");
                    let offset = UtcOffset::from_hms(self.profile.city.utc_offset_hours, 0, 0)
                        .expect("offset");
                    let start = Time::from_hms(
                        self.rng.random_range(1..5),
                        self.rng.random_range(0..50),
                        0,
                    )
                    .expect("time");
                    for n in 0..burst {
                        let at = day.with_time(start).assume_offset(offset)
                            + Duration::seconds(37 * n + self.rng.random_range(0..30));
                        let cents = self.rng.random_range(50..300);
                        let description = format!("{printed}{}", alnum(&mut self.rng, 6));
                        self.drafts.push(Draft {
                            role: self.card,
                            posted_on: day,
                            occurred_at: Some(at),
                            amount_cents: -cents,
                            description,
                            merchant: None,
                            mcc: Some(5816),
                            category: "shopping.general",
                            anomaly: tag,
                        });
                    }
                }
                AnomalyKind::AmountSpike => {
                    let (usual, median) = if self.rng.random_bool(0.5) {
                        (Kind::Grocery, self.habits.grocery_median)
                    } else {
                        (Kind::Restaurant, self.habits.dining_median)
                    };
                    if let Some((merchant, store)) = self.pick(usual) {
                        let factor = self.rng.random_range(10.0..25.0);
                        let cents = self.amount(median * factor, 0.1);
                        let city = self.profile.city.printed;
                        self.purchase_at(
                            merchant,
                            store,
                            day,
                            cents,
                            city,
                            self.profile.city.utc_offset_hours,
                            tag,
                        );
                    }
                }
                AnomalyKind::NewMerchantNewCountry => {
                    let (city, country) =
                        *FRAUD_LOCATIONS.choose(&mut self.rng).expect("locations");
                    let shop = [
                        "ELECTRO MEGASTORE",
                        "GOLDLINE JEWELLERS",
                        "TECHPOINT ONLINE",
                    ]
                    .choose(&mut self.rng)
                    .copied()
                    .expect("shops");
                    let cents = self.amount(900.0, 0.6);
                    let occurred = day
                        .with_time(
                            Time::from_hms(
                                self.rng.random_range(0..24),
                                self.rng.random_range(0..60),
                                0,
                            )
                            .expect("time"),
                        )
                        .assume_offset(UtcOffset::UTC);
                    self.drafts.push(Draft {
                        role: self.card,
                        posted_on: day,
                        occurred_at: Some(occurred),
                        amount_cents: -cents,
                        description: format!("{shop} {city} {country}"),
                        merchant: None,
                        mcc: Some(if shop.contains("JEWEL") { 5944 } else { 5732 }),
                        category: if shop.contains("JEWEL") {
                            "shopping.general"
                        } else {
                            "shopping.electronics"
                        },
                        anomaly: tag,
                    });
                }
                AnomalyKind::DuplicateCharge => {
                    let candidates: Vec<usize> = self
                        .drafts
                        .iter()
                        .enumerate()
                        .filter(|(_, d)| {
                            d.merchant.is_some() && d.anomaly.is_none() && d.posted_on >= day
                        })
                        .map(|(i, _)| i)
                        .take(20)
                        .collect();
                    if let Some(&original) = candidates.choose(&mut self.rng) {
                        let o = &self.drafts[original];
                        let copy = Draft {
                            role: o.role,
                            posted_on: o.posted_on,
                            occurred_at: o
                                .occurred_at
                                .map(|t| t + Duration::seconds(self.rng.random_range(20..400))),
                            amount_cents: o.amount_cents,
                            description: o.description.clone(),
                            merchant: o.merchant,
                            mcc: o.mcc,
                            category: o.category,
                            anomaly: tag,
                        };
                        self.drafts.push(copy);
                    }
                }
                AnomalyKind::AccountTakeover => {
                    let drained = self.rng.random_range(300_000..1_200_000);
                    let drained = self.price_cents(drained);
                    let before = self.drafts.len();
                    self.transfer(
                        Role::Savings,
                        Role::Checking,
                        day,
                        drained,
                        "transfers.savings",
                    );
                    let wires = self.rng.random_range(2..4);
                    let mut left = drained;
                    for n in 0..wires {
                        let cents = if n + 1 == wires { left } else { left / 2 };
                        left -= cents;
                        let first = *catalog::FIRST_NAMES.choose(&mut self.rng).expect("names");
                        let last = *catalog::LAST_NAMES.choose(&mut self.rng).expect("names");
                        let reference = self.rng.random_range(100_000..999_999);
                        self.push(
                            Role::Checking,
                            day + Duration::days(i64::from(n / 2)),
                            -cents,
                            format!(
                                "WIRE TRANSFER OUT {} {} REF {reference}",
                                first.to_uppercase(),
                                last.to_uppercase()
                            ),
                            "transfers.internal",
                        );
                    }
                    for draft in &mut self.drafts[before..] {
                        draft.anomaly = tag;
                    }
                }
            }
        }
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
    let mut drafts = life.drafts;
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
    }
}
