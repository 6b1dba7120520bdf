//! The injected anomalies (card testing, amount spikes, a new merchant in a
//! new country, duplicate charges, account takeover) with their
//! ground-truth labels.

use super::*;

impl Life<'_> {
    pub(super) fn next_incident(&mut self) -> u32 {
        self.incidents += 1;
        self.incidents
    }

    pub(super) fn anomalies(&mut self) {
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
                            series: None,
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
                        series: None,
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
                            series: None,
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
