//! Housing and bills (rent or mortgage, utilities, insurance) and
//! subscriptions.

use super::*;

impl Life<'_> {
    pub(super) fn housing_and_bills(&mut self) {
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
                self.series = Some("mortgage".into());
                self.transfer(
                    Role::Checking,
                    Role::Loan,
                    day_in_month(month, 1),
                    mortgage,
                    "housing.mortgage",
                );
                self.series = None;
                let interest = (mortgage as f64 * 0.55) as i64;
                self.series = Some("loan_interest".into());
                self.push(
                    Role::Loan,
                    day_in_month(month, 28),
                    -interest,
                    "INTEREST CHARGED".into(),
                    "fees.interest_charge",
                );
                self.series = None;
            } else if !owns_home {
                let text = match self.profile.region {
                    Region::Us => format!("ONLINE PMT {landlord}"),
                    Region::Euro => format!("DAUERAUFTRAG MIETE {landlord}"),
                    Region::Uk => format!("STO {landlord} RENT"),
                };
                self.series = Some("rent".into());
                self.push(
                    Role::Checking,
                    next_business_day(month),
                    -rent,
                    text,
                    "housing.rent",
                );
                self.series = None;
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
                self.series = Some(format!("utility:{provider}"));
                self.push(
                    Role::Checking,
                    next_business_day(day_in_month(month, day)),
                    -cents,
                    (*provider).to_owned(),
                    category,
                );
                self.series = None;
            }
            if car_insurance > 0 {
                self.series = Some("car_insurance".into());
                self.push(
                    Role::Checking,
                    day_in_month(month, 7),
                    -car_insurance,
                    "GEICO AUTO INS PREM".into(),
                    "transport.car_insurance",
                );
                self.series = None;
            }
            if pays_bank_fee {
                self.series = Some("bank_fee".into());
                self.push(
                    Role::Checking,
                    last_business_day(month),
                    -495,
                    "MONTHLY MAINTENANCE FEE".into(),
                    "fees.bank",
                );
                self.series = None;
            }
            if self.profile.region == Region::Us && persona == Persona::Family {
                let premium = self.price_cents(45_000);
                self.series = Some("health_insurance".into());
                self.push(
                    Role::Checking,
                    day_in_month(month, 3),
                    -premium,
                    "BLUE SHIELD PREMIUM".into(),
                    "health.insurance",
                );
                self.series = None;
            }
        }
    }

    pub(super) fn subscriptions(&mut self) {
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
            let series = format!("subscription:{}", sub.printed);
            if cancel_at.is_some() {
                self.cancelled.insert(series.clone());
            }
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
                if raise_at == Some(n) {
                    self.raises.insert(series.clone(), posted_on);
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
                    series: Some(series.clone()),
                });
            }
        }
    }
}
