//! Income: salaries with yearly raises, freelance and small-business
//! months (clients paying invoices, the business's own costs).

use super::*;

impl Life<'_> {
    pub(super) fn income(&mut self) {
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
                    self.series = Some("salary".into());
                    self.push(
                        Role::Checking,
                        next_business_day(day_in_month(month, 15)),
                        half,
                        text.clone(),
                        "income.salary",
                    );
                    self.series = None;
                    self.series = Some("salary".into());
                    self.push(
                        Role::Checking,
                        last_business_day(month),
                        half,
                        text.clone(),
                        "income.salary",
                    );
                    self.series = None;
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
                    self.series = Some("salary".into());
                    self.push(
                        Role::Checking,
                        payday,
                        pay,
                        format!("{employer} SALARY"),
                        "income.salary",
                    );
                    self.series = None;
                    if self.profile.region != Region::Us {
                        let benefit = self.price_cents(25_000);
                        self.series = Some("child_benefit".into());
                        self.push(
                            Role::Checking,
                            day_in_month(month, 10),
                            benefit,
                            "CHILD BENEFIT".into(),
                            "income.benefits",
                        );
                        self.series = None;
                    }
                }
                Persona::Student => {
                    let allowance = self.price_cents(60_000);
                    self.series = Some("allowance".into());
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
                    self.series = None;
                    for payday in [day_in_month(month, 8), day_in_month(month, 22)] {
                        let cents = self.amount(420.0, 0.25);
                        self.series = Some("campus_payroll".into());
                        self.push(
                            Role::Checking,
                            next_business_day(payday),
                            cents,
                            "CAMPUS DINING PAYROLL".into(),
                            "income.salary",
                        );
                        self.series = None;
                    }
                }
                Persona::Retiree => {
                    let pension = self.price_cents(220_000);
                    self.series = Some("pension".into());
                    self.push(
                        Role::Checking,
                        next_business_day(month),
                        pension,
                        format!("{employer} PENSION"),
                        "income.pension",
                    );
                    self.series = None;
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
                        self.series = Some("social_security".into());
                        self.push(
                            Role::Checking,
                            wednesday,
                            189_500,
                            "SSA TREAS 310 XXSOC SEC".into(),
                            "income.benefits",
                        );
                        self.series = None;
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
                        self.series = Some("conversion".into());
                        self.push(
                            Role::Foreign,
                            day,
                            -cents,
                            format!("CONVERSION TO {}", self.profile.region.currency()),
                            "transfers.internal",
                        );
                        self.series = None;
                        let foreign_code = self
                            .profile
                            .account(Role::Foreign)
                            .map(|a| a.currency.code())
                            .unwrap_or("EUR");
                        self.series = Some("conversion".into());
                        self.push(
                            Role::Checking,
                            day + Duration::days(1),
                            home,
                            format!("WISE CONVERSION FROM {foreign_code}"),
                            "transfers.internal",
                        );
                        self.series = None;
                    }
                }
                Persona::SmallBusinessOwner => self.business_month(month),
            }
        }
    }

    pub(super) fn business_month(&mut self, month: Date) {
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
                        series: None,
                    });
                }
            }
        }
        let draw = (revenue as f64 * 0.45).round() as i64;
        let day = last_business_day(month);
        if self.in_range(day) {
            self.series = Some("owner_draw".into());
            self.push(
                Role::Business,
                day,
                -draw,
                "OWNER DRAW TO PERSONAL CHK".into(),
                "transfers.internal",
            );
            self.series = None;
            self.series = Some("owner_draw".into());
            self.push(
                Role::Checking,
                day,
                draw,
                "OWNER DRAW FROM BUSINESS CHK".into(),
                "transfers.internal",
            );
            self.series = None;
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
            self.series = Some("estimated_tax".into());
            self.push(
                Role::Business,
                day_in_month(month, 15),
                -tax,
                text.into(),
                "taxes",
            );
            self.series = None;
        }
    }
}
