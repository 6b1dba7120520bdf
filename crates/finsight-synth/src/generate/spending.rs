//! Everyday spending with weekly and yearly seasonality, travel and big
//! one-off purchases, and the month-end moves between one's own accounts
//! (savings, card payments).

use super::*;

impl Life<'_> {
    pub(super) fn everyday_spending(&mut self) {
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

    pub(super) fn travel_and_big_purchases(&mut self) {
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
                self.series = Some("donation".into());
                self.purchase_at(
                    charity,
                    store,
                    day_in_month(month, 9),
                    cents,
                    self.profile.city.printed,
                    self.profile.city.utc_offset_hours,
                    None,
                );
                self.series = None;
            }
        }
    }

    pub(super) fn savings_and_card_payments(&mut self) {
        let monthly_saving = self.price_cents(match self.profile.persona {
            Persona::Student => 5_000,
            Persona::Retiree => 20_000,
            _ => 50_000,
        });
        let months: Vec<Date> = month_starts(self.start, self.end).collect();
        for month in &months {
            self.series = Some("savings".into());
            self.transfer(
                Role::Checking,
                Role::Savings,
                day_in_month(*month, 2),
                monthly_saving,
                "transfers.savings",
            );
            self.series = None;
            let interest = self.amount(6.0, 0.6);
            self.series = Some("savings_interest".into());
            self.push(
                Role::Savings,
                last_business_day(*month),
                interest,
                "INTEREST PAYMENT".into(),
                "income.interest",
            );
            self.series = None;
            if self.profile.account(Role::Investment).is_some() {
                let contribution = self.price_cents(40_000);
                self.series = Some("investment".into());
                self.transfer(
                    Role::Checking,
                    Role::Investment,
                    day_in_month(*month, 16),
                    contribution,
                    "transfers.internal",
                );
                self.series = None;
                if matches!(
                    month.month(),
                    Month::March | Month::June | Month::September | Month::December
                ) {
                    let dividend = self.amount(80.0, 0.4);
                    self.series = Some("dividend".into());
                    self.push(
                        Role::Investment,
                        day_in_month(*month, 28),
                        dividend,
                        "DIVIDEND RECEIVED VTI".into(),
                        "income.interest",
                    );
                    self.series = None;
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
                self.series = Some("card_payment".into());
                self.transfer(
                    Role::Checking,
                    Role::Card,
                    due,
                    -total,
                    "transfers.credit_card_payment",
                );
                self.series = None;
            }
        }
    }
}
