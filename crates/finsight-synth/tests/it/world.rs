//! Properties of the generated world that models and the demo rely on.

use std::collections::{BTreeMap, HashSet};

use finsight_core::{AccountKind, CategoryId, Taxonomy};
use finsight_synth::{AnomalyKind, Persona, SynthConfig, Synthesizer};
use rust_decimal::Decimal;
use time::Month;

use crate::synth;

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let a = synth(12, 6, 7);
    let b = synth(12, 6, 7);
    let c = synth(12, 6, 8);
    for i in 0..12 {
        assert_eq!(
            a.generate_user(i).transactions,
            b.generate_user(i).transactions
        );
        assert_eq!(a.generate_user(i).labels, b.generate_user(i).labels);
    }
    assert_ne!(
        a.generate_user(0).transactions,
        c.generate_user(0).transactions
    );
}

#[test]
fn invalid_configurations_name_the_field() {
    let config = |users, months, day| SynthConfig {
        users,
        months,
        seed: 1,
        first_month: time::Date::from_calendar_date(2025, Month::January, day).unwrap(),
    };
    let field = |c| match Synthesizer::new(c) {
        Err(finsight_synth::SynthError::Invalid { field, .. }) => field,
        other => panic!("expected invalid, got {other:?}"),
    };
    assert_eq!(field(config(0, 12, 1)), "users");
    assert_eq!(field(config(10, 0, 1)), "months");
    assert_eq!(field(config(10, 12, 2)), "first_month");
}

#[test]
fn two_hundred_users_cover_every_persona_region_and_account_kind() {
    let world = synth(200, 24, 42);
    assert_eq!(world.profiles().len(), 200);
    let personas: HashSet<_> = world.profiles().iter().map(|p| p.persona).collect();
    for persona in [
        Persona::Student,
        Persona::YoungProfessional,
        Persona::Family,
        Persona::Retiree,
        Persona::Freelancer,
        Persona::SmallBusinessOwner,
    ] {
        assert!(personas.contains(&persona), "{persona:?}");
    }
    let currencies: HashSet<_> = world.accounts().map(|a| a.currency.code()).collect();
    assert!(currencies.len() >= 2, "{currencies:?}");
    let kinds: HashSet<_> = world.accounts().map(|a| a.kind).collect();
    for kind in [
        AccountKind::Checking,
        AccountKind::Savings,
        AccountKind::CreditCard,
        AccountKind::Loan,
        AccountKind::Investment,
    ] {
        assert!(kinds.contains(&kind), "{kind:?}");
    }
    // Some households are couples.
    assert!(world.households().len() < 200);
    assert_eq!(world.tenants().len(), 2);
}

#[test]
fn transactions_are_valid_unique_and_categorised_in_the_default_tree() {
    let world = synth(40, 12, 3);
    let taxonomy = Taxonomy::default_tree();
    let mut ids = HashSet::new();
    for (i, profile) in world.profiles().iter().enumerate() {
        let activity = world.generate_user(i);
        assert!(
            activity.transactions.len() > 100,
            "{} has too few",
            profile.user.display_name
        );
        let own: HashSet<_> = profile.accounts.iter().map(|a| a.id).collect();
        for t in &activity.transactions {
            assert!(own.contains(&t.account_id));
            assert!(ids.insert(t.transaction_id()), "duplicate {t:?}");
            let category = t.category.as_ref().unwrap();
            assert!(taxonomy.contains(category), "{category}");
            let account = profile
                .accounts
                .iter()
                .find(|a| a.id == t.account_id)
                .unwrap();
            assert_eq!(account.currency, t.amount.currency());
        }
        for pair in activity.transactions.windows(2) {
            assert!(pair[0].posted_on <= pair[1].posted_on);
        }
    }
}

#[test]
fn anomalies_are_labelled_and_point_at_real_transactions() {
    let world = synth(200, 12, 11);
    let mut kinds = HashSet::new();
    let mut users_with_anomalies = 0;
    for i in 0..200 {
        let activity = world.generate_user(i);
        let ids: HashSet<_> = activity
            .transactions
            .iter()
            .map(|t| t.transaction_id())
            .collect();
        if !activity.labels.is_empty() {
            users_with_anomalies += 1;
        }
        for label in &activity.labels {
            assert!(ids.contains(&label.transaction_id));
            assert_eq!(label.user_id, activity.user_id);
            kinds.insert(label.kind);
        }
    }
    assert_eq!(kinds.len(), AnomalyKind::ALL.len(), "{kinds:?}");
    assert!(
        (30..120).contains(&users_with_anomalies),
        "{users_with_anomalies}"
    );
}

#[test]
fn card_testing_is_a_burst_of_tiny_charges_within_minutes() {
    let world = synth(200, 12, 11);
    let mut seen = false;
    for i in 0..200 {
        let activity = world.generate_user(i);
        let mut incidents: BTreeMap<&str, Vec<_>> = BTreeMap::new();
        for label in activity
            .labels
            .iter()
            .filter(|l| l.kind == AnomalyKind::CardTesting)
        {
            let t = activity
                .transactions
                .iter()
                .find(|t| t.transaction_id() == label.transaction_id)
                .unwrap();
            incidents.entry(&label.incident).or_default().push(t);
        }
        for burst in incidents.values() {
            seen = true;
            assert!(burst.len() >= 4);
            assert!(
                burst
                    .iter()
                    .all(|t| t.amount.amount().abs() < Decimal::from(3))
            );
            let times: Vec<_> = burst.iter().map(|t| t.occurred_at.unwrap()).collect();
            let span = *times.iter().max().unwrap() - *times.iter().min().unwrap();
            assert!(span.whole_minutes() <= 15, "{span}");
        }
    }
    assert!(seen);
}

#[test]
fn spending_has_weekly_and_yearly_seasonality() {
    let world = synth(120, 24, 5);
    let dining = CategoryId::parse("dining.restaurants").unwrap();
    let shopping = CategoryId::parse("shopping").unwrap();
    let mut dining_by_weekday = [0u32; 7];
    let mut shopping_by_month = [0u32; 12];
    for i in 0..120 {
        for t in world.generate_user(i).transactions {
            let category = t.category.unwrap();
            let day = t
                .occurred_at
                .map(|at| at.date())
                .unwrap_or(t.posted_on.date());
            if category.is_within(&dining) {
                dining_by_weekday[day.weekday().number_days_from_monday() as usize] += 1;
            }
            if category.is_within(&shopping) {
                shopping_by_month[day.month() as usize - 1] += 1;
            }
        }
    }
    let saturday = dining_by_weekday[5];
    let tuesday = dining_by_weekday[1];
    assert!(
        saturday as f64 > tuesday as f64 * 1.4,
        "{dining_by_weekday:?}"
    );
    let december = shopping_by_month[11];
    let june = shopping_by_month[5];
    assert!(december as f64 > june as f64 * 1.4, "{shopping_by_month:?}");
}

#[test]
fn subscriptions_recur_and_some_rise_in_price() {
    let world = synth(60, 24, 9);
    let mut raised = 0;
    for i in 0..60 {
        let mut prices: BTreeMap<String, Vec<Decimal>> = BTreeMap::new();
        for t in world.generate_user(i).transactions {
            if t.category
                .as_ref()
                .is_some_and(|c| c.as_str().starts_with("subscriptions"))
            {
                prices
                    .entry(t.description.to_string())
                    .or_default()
                    .push(t.amount.amount());
            }
        }
        for series in prices.values() {
            assert!(series.len() >= 2 || series.len() == 1);
            if series.windows(2).any(|w| w[1] < w[0]) {
                raised += 1;
            }
        }
    }
    assert!(raised >= 5, "{raised}");
}

#[test]
fn merchant_text_carries_real_bank_noise() {
    let world = synth(100, 6, 21);
    let texts: Vec<String> = (0..100)
        .flat_map(|i| world.generate_user(i).transactions)
        .map(|t| t.description.to_string())
        .collect();
    for pattern in [
        "AMZN MKTP",
        "SQ *",
        "#",
        "POS DEBIT",
        "CARD PAYMENT TO",
        "KARTENZAHLUNG",
        "PAYROLL PPD ID",
    ] {
        assert!(texts.iter().any(|t| t.contains(pattern)), "{pattern}");
    }
}

/// FNV-1a: a digest that is the same on every platform and Rust release.
fn fnv1a(hash: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(hash, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

#[test]
fn a_seed_gives_the_same_data_on_every_platform() {
    // Every amount goes through exp/ln/cos; their results come from libm
    // (pure Rust), not the platform's math library. A change here means the
    // generator changed, or its math is platform-dependent again.
    let synth = crate::synth(20, 6, 42);
    let mut digest = 0xcbf2_9ce4_8422_2325;
    let mut rows = 0;
    for index in 0..synth.profiles().len() {
        for t in synth.generate_user(index).transactions {
            let line = format!(
                "{}|{}|{}|{}\n",
                t.posted_on,
                t.amount.amount_text(),
                t.amount.currency().code(),
                t.description
            );
            digest = fnv1a(digest, line.as_bytes());
            rows += 1;
        }
    }
    assert_eq!(
        (rows, format!("{digest:016x}").as_str()),
        (8689, "00f5453d1b983ba2")
    );
}
