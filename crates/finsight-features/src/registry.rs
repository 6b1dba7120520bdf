//! The registry of feature views: the starter set shipped with Finsight
//! (`features.toml` beside this file, embedded) or an analyst's own file,
//! parsed and checked into typed views.

use std::collections::HashSet;

use serde::Deserialize;

use crate::definition::{
    Aggregation, DefinitionError, EntityKind, Feature, FeatureKind, FeatureView, Field, Filter,
    Source, Window, parse_duration_micros,
};

/// The starter set the models use.
pub const STARTER_TOML: &str = include_str!("features.toml");

/// Every view, in file order.
#[derive(Debug, Clone)]
pub struct Registry {
    views: Vec<FeatureView>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(rename = "view", default)]
    views: Vec<ViewSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ViewSpec {
    name: String,
    version: u32,
    entity: String,
    #[serde(default)]
    description: String,
    ttl: Option<String>,
    #[serde(default = "yes")]
    materialize: bool,
    #[serde(rename = "feature", default)]
    features: Vec<FeatureSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FeatureSpec {
    name: String,
    #[serde(default)]
    description: String,
    aggregation: Option<Aggregation>,
    derived: Option<String>,
    field: Option<Field>,
    window: Option<Window>,
    #[serde(default)]
    filter: Filter,
    of: Option<Vec<String>>,
}

fn yes() -> bool {
    true
}

/// Default time an entity's vector lives without a new event.
const DEFAULT_TTL: &str = "400d";

impl Registry {
    /// The shipped starter set.
    pub fn starter() -> Self {
        Self::from_toml(STARTER_TOML).expect("the shipped features.toml is valid")
    }

    pub fn from_toml(text: &str) -> Result<Self, DefinitionError> {
        let spec: FileSpec = toml::from_str(text)
            .map_err(|e| DefinitionError::new("features.toml", e.message().to_owned()))?;
        let mut names = HashSet::new();
        let mut views = Vec::with_capacity(spec.views.len());
        for view in spec.views {
            if !names.insert(view.name.clone()) {
                return Err(DefinitionError::new(&view.name, "defined twice"));
            }
            views.push(view_of(view)?);
        }
        Ok(Self { views })
    }

    pub fn views(&self) -> &[FeatureView] {
        &self.views
    }

    pub fn view(&self, name: &str) -> Option<&FeatureView> {
        self.views.iter().find(|v| v.name == name)
    }

    /// Views of one entity kind.
    pub fn views_of(&self, kind: EntityKind) -> impl Iterator<Item = &FeatureView> {
        self.views.iter().filter(move |v| v.entity == kind)
    }

    /// Resolves `view.feature` names (or a whole `view`) to positions.
    pub fn resolve(
        &self,
        names: &[String],
    ) -> Result<Vec<(usize, Option<usize>)>, DefinitionError> {
        names
            .iter()
            .map(|name| {
                let (view_name, feature) = match name.split_once('.') {
                    Some((v, f)) => (v, Some(f)),
                    None => (name.as_str(), None),
                };
                let v = self
                    .views
                    .iter()
                    .position(|v| v.name == view_name)
                    .ok_or_else(|| DefinitionError::new(name, "no such feature view"))?;
                let f = feature
                    .map(|f| {
                        self.views[v].feature_index(f).ok_or_else(|| {
                            DefinitionError::new(name, "no such feature in the view")
                        })
                    })
                    .transpose()?;
                Ok((v, f))
            })
            .collect()
    }
}

fn view_of(spec: ViewSpec) -> Result<FeatureView, DefinitionError> {
    let at = |what: &str| format!("{}.{what}", spec.name);
    if spec.name.is_empty()
        || !spec
            .name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(DefinitionError::new(
            "name",
            format!("{:?}: use lowercase letters, digits and _", spec.name),
        ));
    }
    let entity = EntityKind::parse(&spec.entity)
        .map_err(|e| DefinitionError::new(at("entity"), e.reason))?;
    let ttl = spec.ttl.as_deref().unwrap_or(DEFAULT_TTL);
    let ttl_micros = parse_duration_micros(ttl).ok_or_else(|| {
        DefinitionError::new(
            at("ttl"),
            format!("{ttl:?} is not a duration such as 30d or 12h"),
        )
    })?;
    if spec.features.is_empty() {
        return Err(DefinitionError::new(
            at("feature"),
            "a view needs at least one feature",
        ));
    }
    let source = entity.source();
    let mut features: Vec<Feature> = Vec::with_capacity(spec.features.len());
    for f in spec.features {
        let here = at(&f.name);
        if features.iter().any(|g| g.name == f.name) {
            return Err(DefinitionError::new(here, "defined twice"));
        }
        let field = f.field.unwrap_or(match source {
            Source::Ledger => Field::Amount,
            Source::Market => Field::Price,
        });
        if (source == Source::Market) != (field == Field::Price) {
            return Err(DefinitionError::new(
                here,
                "market views read `price`; ledger views `amount`, `spend` or `income`",
            ));
        }
        let kind = match (f.aggregation, f.derived.as_deref()) {
            (Some(aggregation), None) => FeatureKind::Aggregate {
                aggregation,
                field,
                window: f
                    .window
                    .ok_or_else(|| DefinitionError::new(&here, "needs a window"))?,
                filter: f.filter,
            },
            (None, Some("robust_z")) => FeatureKind::RobustZ {
                field,
                window: f
                    .window
                    .filter(|w| *w != Window::All)
                    .ok_or_else(|| DefinitionError::new(&here, "robust_z needs a finite window"))?,
                filter: f.filter,
            },
            (None, Some("ratio")) => {
                let of = f.of.unwrap_or_default();
                let [numerator, denominator] = of.as_slice() else {
                    return Err(DefinitionError::new(
                        here,
                        "ratio needs `of = [numerator, denominator]`",
                    ));
                };
                let index = |name: &String| {
                    features
                        .iter()
                        .position(|g| &g.name == name && !g.is_time_since())
                        .ok_or_else(|| {
                            DefinitionError::new(
                                &here,
                                format!("{name:?} is not an earlier, non-time feature of the view"),
                            )
                        })
                };
                FeatureKind::Ratio {
                    numerator: index(numerator)?,
                    denominator: index(denominator)?,
                }
            }
            (None, Some(other)) => {
                return Err(DefinitionError::new(
                    here,
                    format!("{other:?} is not a derived kind (ratio, robust_z)"),
                ));
            }
            _ => {
                return Err(DefinitionError::new(
                    here,
                    "give either `aggregation` or `derived`",
                ));
            }
        };
        if let FeatureKind::Aggregate {
            aggregation,
            field,
            window: Window::All,
            filter,
        } = &kind
        {
            use Aggregation as A;
            if !matches!(field, Field::Amount | Field::Price) || filter.category.is_some() {
                return Err(DefinitionError::new(
                    here,
                    "all-time features read the unfiltered `amount` or `price`",
                ));
            }
            if matches!(
                aggregation,
                A::IntervalMean
                    | A::IntervalCv
                    | A::MonthlyCv
                    | A::Return
                    | A::Volatility
                    | A::Trend
            ) {
                return Err(DefinitionError::new(
                    here,
                    "this aggregation needs a finite window",
                ));
            }
        }
        if let FeatureKind::Aggregate { filter, .. } | FeatureKind::RobustZ { filter, .. } = &kind
            && filter.category.is_some()
            && source == Source::Market
        {
            return Err(DefinitionError::new(here, "market events have no category"));
        }
        features.push(Feature {
            name: f.name,
            kind,
            description: f.description,
        });
    }
    Ok(FeatureView {
        name: spec.name,
        version: spec.version,
        entity,
        source,
        ttl_micros,
        description: spec.description,
        materialize: spec.materialize,
        features,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_set_parses_and_covers_every_entity_kind() {
        let registry = Registry::starter();
        for kind in EntityKind::ALL {
            assert!(
                registry.views_of(kind).next().is_some(),
                "{kind} has no view"
            );
        }
        assert!(
            registry
                .views()
                .iter()
                .map(|v| v.features.len())
                .sum::<usize>()
                >= 60
        );
    }

    #[test]
    fn bad_definitions_name_the_feature_and_the_reason() {
        let bad = r#"
            [[view]]
            name = "v"
            version = 1
            entity = "user"
            [[view.feature]]
            name = "r"
            derived = "ratio"
            of = ["a", "b"]
        "#;
        let error = Registry::from_toml(bad).unwrap_err();
        assert_eq!(error.field, "v.r");
        assert!(error.reason.contains("\"a\""), "{error}");
        let bad_window = bad.replace(
            "derived = \"ratio\"\n            of = [\"a\", \"b\"]",
            "aggregation = \"sum\"\nwindow = \"2d\"",
        );
        assert!(Registry::from_toml(&bad_window).is_err());
    }

    #[test]
    fn a_changed_definition_changes_the_fingerprint() {
        let registry = Registry::starter();
        let view = registry.views()[0].clone();
        let mut changed = view.clone();
        changed.ttl_micros += 1;
        assert_ne!(view.fingerprint(), changed.fingerprint());
        assert_eq!(view.fingerprint(), registry.views()[0].fingerprint());
    }

    #[test]
    fn category_filters_take_the_subtree() {
        let filter = Filter {
            category: Some("dining".into()),
        };
        assert!(filter.admits(Some("dining")));
        assert!(filter.admits(Some("dining.coffee")));
        assert!(!filter.admits(Some("dininghall")));
        assert!(!filter.admits(None));
    }
}
