//! Spending and income categories: a tree whose ids are dotted paths
//! (`dining.coffee` is a child of `dining`), so "everything under dining" is
//! a prefix match everywhere, in memory and in SQL.

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use crate::ValidationError;

const MAX_DEPTH: usize = 4;
const MAX_SEGMENT_LEN: usize = 32;

/// A category path such as `utilities.internet`: 1 to 4 segments of
/// lowercase ASCII letters, digits and `_`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CategoryId(String);

impl CategoryId {
    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let text = text.trim();
        let bad = |reason: String| ValidationError::new("category", reason);
        if text.is_empty() {
            return Err(bad("must not be empty".into()));
        }
        let segments: Vec<&str> = text.split('.').collect();
        if segments.len() > MAX_DEPTH {
            return Err(bad(format!("{text:?} is deeper than {MAX_DEPTH} levels")));
        }
        for segment in &segments {
            let valid = !segment.is_empty()
                && segment.len() <= MAX_SEGMENT_LEN
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(bad(format!(
                    "{text:?} is not a category path (lowercase words joined by '.')"
                )));
            }
        }
        Ok(Self(text.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parent(&self) -> Option<CategoryId> {
        self.0
            .rsplit_once('.')
            .map(|(parent, _)| CategoryId(parent.to_owned()))
    }

    /// The top-level category this one belongs to (`dining` for
    /// `dining.coffee`).
    pub fn root(&self) -> CategoryId {
        CategoryId(self.0.split('.').next().unwrap_or(&self.0).to_owned())
    }

    /// True for the category itself and every descendant of it.
    pub fn is_within(&self, ancestor: &CategoryId) -> bool {
        self.0 == ancestor.0
            || (self.0.starts_with(&ancestor.0) && self.0.as_bytes()[ancestor.0.len()] == b'.')
    }
}

impl fmt::Display for CategoryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(&self.0)
    }
}

impl FromStr for CategoryId {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
}

/// The category tree. Every category's parent is in the tree.
#[derive(Debug, Clone)]
pub struct Taxonomy {
    categories: BTreeMap<CategoryId, Category>,
}

/// The default tree: (path, display name). Parents come before children.
const DEFAULT_TREE: &[(&str, &str)] = &[
    ("income", "Income"),
    ("income.salary", "Salary"),
    ("income.freelance", "Freelance"),
    ("income.business", "Business revenue"),
    ("income.pension", "Pension"),
    ("income.benefits", "Benefits"),
    ("income.interest", "Interest and dividends"),
    ("income.refund", "Refunds"),
    ("income.other", "Other income"),
    ("housing", "Housing"),
    ("housing.rent", "Rent"),
    ("housing.mortgage", "Mortgage"),
    ("housing.maintenance", "Maintenance and repairs"),
    ("housing.insurance", "Home insurance"),
    ("utilities", "Utilities"),
    ("utilities.electricity", "Electricity"),
    ("utilities.gas", "Gas and heating"),
    ("utilities.water", "Water"),
    ("utilities.internet", "Internet"),
    ("utilities.phone", "Phone"),
    ("groceries", "Groceries"),
    ("dining", "Dining"),
    ("dining.restaurants", "Restaurants"),
    ("dining.coffee", "Coffee shops"),
    ("dining.fast_food", "Fast food"),
    ("dining.delivery", "Food delivery"),
    ("transport", "Transport"),
    ("transport.fuel", "Fuel"),
    ("transport.public_transit", "Public transit"),
    ("transport.rideshare", "Taxi and rideshare"),
    ("transport.parking", "Parking and tolls"),
    ("transport.car_maintenance", "Car maintenance"),
    ("transport.car_insurance", "Car insurance"),
    ("health", "Health"),
    ("health.pharmacy", "Pharmacy"),
    ("health.doctor", "Doctor and dentist"),
    ("health.insurance", "Health insurance"),
    ("health.fitness", "Fitness"),
    ("shopping", "Shopping"),
    ("shopping.general", "General merchandise"),
    ("shopping.electronics", "Electronics"),
    ("shopping.clothing", "Clothing"),
    ("shopping.home", "Home and furniture"),
    ("subscriptions", "Subscriptions"),
    ("subscriptions.streaming", "Video streaming"),
    ("subscriptions.music", "Music"),
    ("subscriptions.software", "Software and cloud"),
    ("subscriptions.news", "News and magazines"),
    ("travel", "Travel"),
    ("travel.flights", "Flights"),
    ("travel.lodging", "Hotels and lodging"),
    ("travel.car_rental", "Car rental"),
    ("entertainment", "Entertainment"),
    ("education", "Education"),
    ("personal_care", "Personal care"),
    ("gifts_donations", "Gifts and donations"),
    ("business", "Business expenses"),
    ("business.supplies", "Supplies"),
    ("business.services", "Professional services"),
    ("business.advertising", "Advertising"),
    ("taxes", "Taxes"),
    ("transfers", "Transfers"),
    ("transfers.savings", "To and from savings"),
    ("transfers.credit_card_payment", "Credit card payment"),
    ("transfers.internal", "Between own accounts"),
    ("transfers.cash_withdrawal", "Cash withdrawal"),
    ("fees", "Fees"),
    ("fees.bank", "Bank fees"),
    ("fees.foreign_transaction", "Foreign transaction fees"),
    ("fees.interest_charge", "Interest charges"),
    ("uncategorized", "Uncategorized"),
];

impl Taxonomy {
    /// Finsight's built-in tree.
    pub fn default_tree() -> Self {
        let mut taxonomy = Taxonomy {
            categories: BTreeMap::new(),
        };
        for (path, name) in DEFAULT_TREE {
            let id = CategoryId::parse(path).expect("default tree paths are valid");
            taxonomy
                .insert(Category {
                    id,
                    name: (*name).to_owned(),
                })
                .expect("default tree lists parents first");
        }
        taxonomy
    }

    /// Adds a category whose parent is already in the tree.
    pub fn insert(&mut self, category: Category) -> Result<(), ValidationError> {
        if let Some(parent) = category.id.parent()
            && !self.categories.contains_key(&parent)
        {
            return Err(ValidationError::new(
                "category",
                format!("parent {parent} of {} is not in the tree", category.id),
            ));
        }
        self.categories.insert(category.id.clone(), category);
        Ok(())
    }

    pub fn get(&self, id: &CategoryId) -> Option<&Category> {
        self.categories.get(id)
    }

    pub fn contains(&self, id: &CategoryId) -> bool {
        self.categories.contains_key(id)
    }

    /// Parses a path and checks that it is in this tree.
    pub fn resolve(&self, text: &str) -> Result<CategoryId, ValidationError> {
        let id = CategoryId::parse(text)?;
        if self.contains(&id) {
            Ok(id)
        } else {
            Err(ValidationError::new(
                "category",
                format!("{id} is not a known category"),
            ))
        }
    }

    /// All categories, parents before their children.
    pub fn iter(&self) -> impl Iterator<Item = &Category> {
        self.categories.values()
    }

    pub fn roots(&self) -> impl Iterator<Item = &Category> {
        self.iter().filter(|c| c.id.parent().is_none())
    }

    pub fn children<'a>(&'a self, parent: &'a CategoryId) -> impl Iterator<Item = &'a Category> {
        self.iter()
            .filter(move |c| c.id.parent().as_ref() == Some(parent))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_parse_and_know_their_place() {
        let coffee = CategoryId::parse("dining.coffee").unwrap();
        let dining = CategoryId::parse("dining").unwrap();
        assert_eq!(coffee.parent(), Some(dining.clone()));
        assert_eq!(coffee.root(), dining);
        assert!(coffee.is_within(&dining));
        assert!(!CategoryId::parse("diningroom").unwrap().is_within(&dining));
        for bad in ["", "Dining", "a..b", "a.b.c.d.e", "café", "a b"] {
            assert_eq!(
                CategoryId::parse(bad).unwrap_err().field,
                "category",
                "{bad}"
            );
        }
    }

    #[test]
    fn default_tree_covers_the_main_areas_and_is_closed_under_parents() {
        let tree = Taxonomy::default_tree();
        for root in [
            "income",
            "housing",
            "utilities",
            "groceries",
            "dining",
            "transport",
            "health",
            "shopping",
            "subscriptions",
            "travel",
            "transfers",
            "fees",
        ] {
            assert!(tree.resolve(root).is_ok(), "{root}");
        }
        for category in tree.iter() {
            if let Some(parent) = category.id.parent() {
                assert!(tree.contains(&parent));
            }
        }
        assert!(tree.resolve("dining.spaceship").is_err());
        let dining = CategoryId::parse("dining").unwrap();
        assert_eq!(tree.children(&dining).count(), 4);
    }
}
