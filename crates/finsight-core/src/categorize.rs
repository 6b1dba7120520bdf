//! Category rules that need no learning: the user's own rules ("description
//! contains X → category Y") and the merchant category code a card network
//! attaches. Who set a category is recorded, and a weaker source never
//! overwrites a stronger one.

use std::fmt;
use std::str::FromStr;

use crate::{CategoryId, Mcc, UserId, ValidationError};

/// Who set a transaction's category, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CategorySource {
    /// A learned model's guess.
    Model,
    /// The merchant category code.
    Mcc,
    /// The bank file said so.
    Source,
    /// One of the user's rules.
    Rule,
    /// The user set it by hand.
    User,
}

impl CategorySource {
    pub fn as_str(self) -> &'static str {
        match self {
            CategorySource::Model => "model",
            CategorySource::Mcc => "mcc",
            CategorySource::Source => "source",
            CategorySource::Rule => "rule",
            CategorySource::User => "user",
        }
    }

    /// Whether a category from `self` may replace one from `current`.
    pub fn may_replace(self, current: Option<CategorySource>) -> bool {
        current.is_none_or(|current| self >= current)
    }
}

impl fmt::Display for CategorySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl FromStr for CategorySource {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            CategorySource::Model,
            CategorySource::Mcc,
            CategorySource::Source,
            CategorySource::Rule,
            CategorySource::User,
        ]
        .into_iter()
        .find(|c| c.as_str() == s)
        .ok_or_else(|| {
            ValidationError::new("category_source", format!("{s:?} is not a category source"))
        })
    }
}

/// "Description contains `pattern` → `category`", case-insensitive. Higher
/// priority wins; among equals, the longer pattern (more specific) wins.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRule {
    pub id: uuid::Uuid,
    pub user_id: UserId,
    pub pattern: String,
    pub category: CategoryId,
    pub priority: i32,
}

impl CategoryRule {
    /// A rule's pattern: 2 to 100 printable characters after trimming.
    pub fn parse_pattern(text: &str) -> Result<String, ValidationError> {
        let pattern = text.trim();
        let length = pattern.chars().count();
        if !(2..=100).contains(&length) {
            return Err(ValidationError::new(
                "pattern",
                "must be 2 to 100 characters",
            ));
        }
        crate::text::check_printable("pattern", pattern)?;
        Ok(pattern.to_owned())
    }

    pub fn matches(&self, description: &str) -> bool {
        description
            .to_lowercase()
            .contains(&self.pattern.to_lowercase())
    }
}

/// The category the user's rules give a description, if any.
pub fn apply_rules<'a>(rules: &'a [CategoryRule], description: &str) -> Option<&'a CategoryId> {
    let lowered = description.to_lowercase();
    rules
        .iter()
        .filter(|rule| lowered.contains(&rule.pattern.to_lowercase()))
        .max_by_key(|rule| (rule.priority, rule.pattern.len()))
        .map(|rule| &rule.category)
}

/// ISO 18245 merchant category code ranges and codes → Finsight categories.
/// Specific codes come before the ranges that contain them.
const MCC_MAP: &[(u16, u16, &str)] = &[
    (4111, 4112, "transport.public_transit"),
    (4121, 4121, "transport.rideshare"),
    (4131, 4131, "transport.public_transit"),
    (4511, 4511, "travel.flights"),
    (4722, 4722, "travel.lodging"),
    (4784, 4784, "transport.parking"),
    (4812, 4814, "utilities.phone"),
    (4899, 4899, "subscriptions.streaming"),
    (4900, 4900, "utilities.electricity"),
    (5200, 5200, "shopping.home"),
    (5300, 5300, "groceries"),
    (5310, 5311, "shopping.general"),
    (5411, 5411, "groceries"),
    (5422, 5499, "groceries"),
    (5541, 5542, "transport.fuel"),
    (5600, 5699, "shopping.clothing"),
    (5712, 5719, "shopping.home"),
    (5722, 5722, "shopping.home"),
    (5732, 5735, "shopping.electronics"),
    (5811, 5813, "dining.restaurants"),
    (5814, 5814, "dining.fast_food"),
    (5815, 5815, "subscriptions.music"),
    (5816, 5816, "entertainment"),
    (5817, 5818, "subscriptions.software"),
    (5912, 5912, "health.pharmacy"),
    (5942, 5942, "shopping.general"),
    (5994, 5994, "subscriptions.news"),
    (5999, 5999, "shopping.general"),
    (6010, 6011, "transfers.cash_withdrawal"),
    (7011, 7011, "travel.lodging"),
    (7230, 7298, "personal_care"),
    (7311, 7311, "business.advertising"),
    (7399, 7399, "business.services"),
    (7512, 7512, "travel.car_rental"),
    (7523, 7523, "transport.parking"),
    (7531, 7549, "transport.car_maintenance"),
    (7832, 7833, "entertainment"),
    (7922, 7922, "entertainment"),
    (7997, 7997, "health.fitness"),
    (8011, 8099, "health.doctor"),
    (8211, 8299, "education"),
    (8398, 8398, "gifts_donations"),
    (9311, 9311, "taxes"),
    (3000, 3299, "travel.flights"),
    (3351, 3441, "travel.car_rental"),
    (3501, 3999, "travel.lodging"),
    (5111, 5111, "business.supplies"),
];

/// The category a merchant category code stands for, if Finsight maps it.
pub fn mcc_category(mcc: Mcc) -> Option<CategoryId> {
    let code = mcc.code();
    MCC_MAP
        .iter()
        .find(|(from, to, _)| (*from..=*to).contains(&code))
        .map(|(_, _, path)| CategoryId::parse(path).expect("the MCC map holds valid paths"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Taxonomy;

    fn rule(pattern: &str, category: &str, priority: i32) -> CategoryRule {
        CategoryRule {
            id: uuid::Uuid::nil(),
            user_id: UserId::from_random_bytes([1; 16]),
            pattern: pattern.into(),
            category: CategoryId::parse(category).unwrap(),
            priority,
        }
    }

    #[test]
    fn the_most_specific_highest_priority_rule_wins() {
        let rules = vec![
            rule("amzn", "shopping.general", 0),
            rule("amzn mktp", "shopping.electronics", 0),
            rule("prime video", "subscriptions.streaming", 5),
        ];
        assert_eq!(
            apply_rules(&rules, "AMZN MKTP US*2K3L1").unwrap().as_str(),
            "shopping.electronics"
        );
        assert_eq!(
            apply_rules(&rules, "AMZN Prime Video").unwrap().as_str(),
            "subscriptions.streaming"
        );
        assert!(apply_rules(&rules, "TESCO").is_none());
        assert!(CategoryRule::parse_pattern(" a ").is_err());
    }

    #[test]
    fn every_mapped_mcc_lands_in_the_default_tree() {
        let taxonomy = Taxonomy::default_tree();
        for code in 0..=9999u16 {
            if let Some(category) = mcc_category(Mcc::new(code).unwrap()) {
                assert!(taxonomy.contains(&category), "{code} → {category}");
            }
        }
        let category = |code| mcc_category(Mcc::new(code).unwrap()).map(|c| c.to_string());
        assert_eq!(category(5411).as_deref(), Some("groceries"));
        assert_eq!(category(3058).as_deref(), Some("travel.flights"));
        assert_eq!(category(5814).as_deref(), Some("dining.fast_food"));
        assert_eq!(category(1234), None);
    }

    #[test]
    fn stronger_sources_are_never_overwritten() {
        assert!(CategorySource::Rule.may_replace(Some(CategorySource::Mcc)));
        assert!(CategorySource::Mcc.may_replace(None));
        assert!(!CategorySource::Mcc.may_replace(Some(CategorySource::Source)));
        assert!(!CategorySource::Rule.may_replace(Some(CategorySource::User)));
        assert_eq!(
            "rule".parse::<CategorySource>().unwrap(),
            CategorySource::Rule
        );
    }
}
