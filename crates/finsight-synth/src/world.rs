//! The synthetic world's population: configuration, tenants, households,
//! users with personas and their accounts.

use finsight_core::{
    Account, AccountId, AccountKind, Currency, Household, HouseholdId, Tenant, TenantId,
    TransactionId, User, UserId,
};
use rand::seq::IndexedRandom;
use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::Date;

use crate::catalog::{self, CITIES, City, Region};
use crate::generate::{self, UserActivity};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SynthConfig {
    pub users: u32,
    pub months: u32,
    pub seed: u64,
    /// The first day of the first generated month.
    pub first_month: Date,
}

impl SynthConfig {
    pub const MAX_USERS: u32 = 100_000;
    pub const MAX_MONTHS: u32 = 120;
}

#[derive(Debug, thiserror::Error)]
pub enum SynthError {
    #[error("{field}: {reason}")]
    Invalid { field: &'static str, reason: String },
    #[error("could not write {what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Persona {
    Student,
    YoungProfessional,
    Family,
    Retiree,
    Freelancer,
    SmallBusinessOwner,
}

impl Persona {
    pub fn as_str(self) -> &'static str {
        match self {
            Persona::Student => "student",
            Persona::YoungProfessional => "young_professional",
            Persona::Family => "family",
            Persona::Retiree => "retiree",
            Persona::Freelancer => "freelancer",
            Persona::SmallBusinessOwner => "small_business_owner",
        }
    }

    fn draw(rng: &mut impl Rng) -> Persona {
        let weights = [
            (Persona::Student, 15),
            (Persona::YoungProfessional, 25),
            (Persona::Family, 25),
            (Persona::Retiree, 15),
            (Persona::Freelancer, 10),
            (Persona::SmallBusinessOwner, 10),
        ];
        let mut pick = rng.random_range(0..100);
        for (persona, weight) in weights {
            if pick < weight {
                return persona;
            }
            pick -= weight;
        }
        Persona::Family
    }
}

/// The kinds of injected, labelled anomalies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AnomalyKind {
    /// A burst of tiny charges at an online merchant within minutes.
    CardTesting,
    /// A charge many times the user's usual amount in a usual category.
    AmountSpike,
    /// A merchant never seen before, in a country the user never visited.
    NewMerchantNewCountry,
    /// The same charge twice on the same day.
    DuplicateCharge,
    /// Savings drained to checking, then wired out to new payees.
    AccountTakeover,
}

impl AnomalyKind {
    pub const ALL: [AnomalyKind; 5] = [
        AnomalyKind::CardTesting,
        AnomalyKind::AmountSpike,
        AnomalyKind::NewMerchantNewCountry,
        AnomalyKind::DuplicateCharge,
        AnomalyKind::AccountTakeover,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AnomalyKind::CardTesting => "card_testing",
            AnomalyKind::AmountSpike => "amount_spike",
            AnomalyKind::NewMerchantNewCountry => "new_merchant_new_country",
            AnomalyKind::DuplicateCharge => "duplicate_charge",
            AnomalyKind::AccountTakeover => "account_takeover",
        }
    }
}

/// Ground truth: this transaction is part of an injected anomaly. All
/// transactions of one incident share `incident`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnomalyLabel {
    pub transaction_id: TransactionId,
    pub user_id: UserId,
    pub account_id: AccountId,
    pub kind: AnomalyKind,
    pub incident: String,
}

/// Ground truth: a series the generator repeats — a salary, a bill, a
/// subscription, a standing transfer — on one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecurringTruth {
    pub user_id: UserId,
    pub account_id: AccountId,
    /// What it is: `salary`, `rent`, `subscription:NETFLIX.COM`, …
    pub name: String,
    /// Its transactions, oldest first.
    pub transaction_ids: Vec<TransactionId>,
    pub dates: Vec<Date>,
    /// The first payment at a raised price (subscriptions that got dearer).
    pub price_raised_on: Option<Date>,
    /// It stopped before the generated period ended.
    pub cancelled: bool,
}

/// What an account is for in the user's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Checking,
    Savings,
    Card,
    Loan,
    Investment,
    /// A second-currency balance (freelancers paid from abroad).
    Foreign,
    Business,
}

/// One synthetic user: who they are, where they live, what they hold.
#[derive(Debug, Clone)]
pub struct UserProfile {
    pub user: User,
    pub persona: Persona,
    pub accounts: Vec<Account>,
    pub(crate) index: usize,
    pub(crate) region: Region,
    pub(crate) city: &'static City,
    pub(crate) roles: Vec<Role>,
    pub(crate) card_last4: u16,
}

impl UserProfile {
    pub fn city(&self) -> &'static str {
        self.city.name
    }

    pub(crate) fn account(&self, role: Role) -> Option<&Account> {
        self.roles
            .iter()
            .position(|r| *r == role)
            .map(|i| &self.accounts[i])
    }
}

/// The population of a configuration, from which each user's activity is
/// generated independently (so users can be generated in parallel or
/// streamed one at a time).
#[derive(Debug, Clone)]
pub struct Synthesizer {
    config: SynthConfig,
    tenants: Vec<Tenant>,
    households: Vec<Household>,
    profiles: Vec<UserProfile>,
}

pub(crate) fn random_id(rng: &mut impl RngCore) -> [u8; 16] {
    let mut bytes = [0u8; 16];
    rng.fill_bytes(&mut bytes);
    bytes
}

fn currency(code: &str) -> Currency {
    Currency::parse(code).expect("catalog currencies are ISO 4217")
}

impl Synthesizer {
    pub fn new(config: SynthConfig) -> Result<Self, SynthError> {
        if config.users == 0 || config.users > SynthConfig::MAX_USERS {
            return Err(SynthError::Invalid {
                field: "users",
                reason: format!("must be between 1 and {}", SynthConfig::MAX_USERS),
            });
        }
        if config.months == 0 || config.months > SynthConfig::MAX_MONTHS {
            return Err(SynthError::Invalid {
                field: "months",
                reason: format!("must be between 1 and {}", SynthConfig::MAX_MONTHS),
            });
        }
        if config.first_month.day() != 1 {
            return Err(SynthError::Invalid {
                field: "first_month",
                reason: "must be the first day of a month".into(),
            });
        }
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let tenants: Vec<Tenant> = [
            "Harbor Bank demo tenant",
            "Northwind Credit Union demo tenant",
        ]
        .into_iter()
        .map(|name| Tenant {
            id: TenantId::from_random_bytes(random_id(&mut rng)),
            name: name.to_owned(),
        })
        .collect();
        let mut households = Vec::new();
        let mut profiles: Vec<UserProfile> = Vec::new();
        while profiles.len() < config.users as usize {
            let tenant = &tenants[households.len() % tenants.len()];
            let persona = Persona::draw(&mut rng);
            let region = match rng.random_range(0..100) {
                0..60 => Region::Us,
                60..85 => Region::Euro,
                _ => Region::Uk,
            };
            let cities: Vec<&'static City> = CITIES.iter().filter(|c| c.region == region).collect();
            let city = *cities.choose(&mut rng).expect("every region has cities");
            let last_name = *catalog::LAST_NAMES.choose(&mut rng).expect("names");
            let household = Household {
                id: HouseholdId::from_random_bytes(random_id(&mut rng)),
                tenant_id: tenant.id,
                name: format!("{last_name} household"),
            };
            // Families are couples sharing a household, when room remains.
            let members =
                if persona == Persona::Family && profiles.len() + 2 <= config.users as usize {
                    2
                } else {
                    1
                };
            for _ in 0..members {
                let first_name = *catalog::FIRST_NAMES.choose(&mut rng).expect("names");
                let user = User {
                    id: UserId::from_random_bytes(random_id(&mut rng)),
                    tenant_id: tenant.id,
                    household_id: household.id,
                    display_name: format!("{first_name} {last_name}"),
                };
                let index = profiles.len();
                profiles.push(open_accounts(&mut rng, index, user, persona, region, city));
            }
            households.push(household);
        }
        Ok(Self {
            config,
            tenants,
            households,
            profiles,
        })
    }

    pub fn config(&self) -> &SynthConfig {
        &self.config
    }

    pub fn tenants(&self) -> &[Tenant] {
        &self.tenants
    }

    pub fn households(&self) -> &[Household] {
        &self.households
    }

    pub fn profiles(&self) -> &[UserProfile] {
        &self.profiles
    }

    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.profiles.iter().flat_map(|p| p.accounts.iter())
    }

    /// Everything one user did over the configured months, ordered by
    /// posting date. Deterministic per (seed, user).
    pub fn generate_user(&self, index: usize) -> UserActivity {
        let profile = &self.profiles[index];
        let seed = self.config.seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let rng = ChaCha8Rng::seed_from_u64(seed);
        generate::user_activity(profile, &self.config, rng)
    }
}

fn open_accounts(
    rng: &mut ChaCha8Rng,
    index: usize,
    user: User,
    persona: Persona,
    region: Region,
    city: &'static City,
) -> UserProfile {
    let home = currency(region.currency());
    let bank = *catalog::BANKS.choose(rng).expect("banks");
    let mut roles = vec![Role::Checking, Role::Savings];
    let card_chance = match persona {
        Persona::Student => 0.5,
        Persona::Retiree => 0.6,
        _ => 0.9,
    };
    if rng.random_bool(card_chance) {
        roles.push(Role::Card);
    }
    match persona {
        Persona::Family if rng.random_bool(0.7) => roles.push(Role::Loan),
        Persona::YoungProfessional | Persona::Retiree if rng.random_bool(0.35) => {
            roles.push(Role::Investment)
        }
        Persona::Freelancer if rng.random_bool(0.6) => roles.push(Role::Foreign),
        Persona::SmallBusinessOwner => roles.push(Role::Business),
        _ => {}
    }
    let accounts = roles
        .iter()
        .map(|role| {
            let (kind, name, currency) = match role {
                Role::Checking => (AccountKind::Checking, "Everyday checking".to_owned(), home),
                Role::Savings => (AccountKind::Savings, "Rainy day savings".to_owned(), home),
                Role::Card => (AccountKind::CreditCard, "Rewards card".to_owned(), home),
                Role::Loan => (AccountKind::Loan, "Home mortgage".to_owned(), home),
                Role::Investment => (AccountKind::Investment, "Brokerage".to_owned(), home),
                Role::Business => (AccountKind::Checking, "Business checking".to_owned(), home),
                Role::Foreign => {
                    let code = if region == Region::Us { "EUR" } else { "USD" };
                    (
                        AccountKind::Checking,
                        format!("{code} balance"),
                        currency(code),
                    )
                }
            };
            Account {
                id: AccountId::from_random_bytes(random_id(rng)),
                user_id: user.id,
                kind,
                currency,
                name,
                institution: if *role == Role::Foreign {
                    "Wise".to_owned()
                } else {
                    bank.to_owned()
                },
                closed_on: None,
            }
        })
        .collect();
    UserProfile {
        user,
        persona,
        accounts,
        index,
        region,
        city,
        roles,
        card_last4: rng.random_range(1000..10000),
    }
}
