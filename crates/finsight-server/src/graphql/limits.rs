//! What one GraphQL operation may ask for, checked before it runs: a cap
//! on root fields (aliases included, fragments expanded) and a smaller one
//! on mutation fields, costs that follow the work a field does (a monthly
//! range costs its months), and the per-field share of the caller's rate
//! limit that mutations spend. Depth and total complexity are enforced by
//! async-graphql itself (`MAX_DEPTH`, `MAX_COMPLEXITY`).

use std::collections::HashMap;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, FragmentDefinition, OperationType, Selection,
    SelectionSet,
};
use async_graphql::{Name, Positioned};

/// Most root fields one query may select (aliases count one each).
pub const MAX_ROOT_FIELDS: usize = 20;
/// Most mutation fields one operation may carry; each also spends one
/// request of the caller's rate limit.
pub const MAX_MUTATION_FIELDS: usize = 5;
/// Longest one operation may run before it is cut off.
pub const TIME_BUDGET: std::time::Duration = std::time::Duration::from_secs(10);

/// The shape of the operation a request will run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OperationShape {
    pub mutation: bool,
    pub root_fields: usize,
}

/// Why an operation is refused before it runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal(pub String);

/// The root fields of the operation `operation_name` selects (or of every
/// operation, taking the largest, when none is named).
pub fn shape(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
) -> Result<OperationShape, Refusal> {
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(named) => match operation_name {
            Some(name) => named
                .iter()
                .filter(|(n, _)| n.as_str() == name)
                .map(|(_, o)| o)
                .collect(),
            None => named.values().collect(),
        },
    };
    let mut widest = OperationShape {
        mutation: false,
        root_fields: 0,
    };
    for operation in operations {
        let fields = count_fields(&operation.node.selection_set, &document.fragments, 0)?;
        let mutation = operation.node.ty == OperationType::Mutation;
        if fields > widest.root_fields || (mutation && !widest.mutation) {
            widest = OperationShape {
                mutation: mutation || widest.mutation,
                root_fields: fields.max(widest.root_fields),
            };
        }
    }
    Ok(widest)
}

/// Checks the caps; `Ok` is the number of mutation fields to charge.
pub fn check(shape: OperationShape) -> Result<usize, Refusal> {
    if shape.mutation {
        if shape.root_fields > MAX_MUTATION_FIELDS {
            return Err(Refusal(format!(
                "a request may carry at most {MAX_MUTATION_FIELDS} mutation fields, not {}",
                shape.root_fields
            )));
        }
        return Ok(shape.root_fields);
    }
    if shape.root_fields > MAX_ROOT_FIELDS {
        return Err(Refusal(format!(
            "a query may select at most {MAX_ROOT_FIELDS} root fields (aliases included), not {}",
            shape.root_fields
        )));
    }
    Ok(0)
}

/// Fields of a selection set, with fragment spreads and inline fragments
/// flattened into it.
fn count_fields(
    set: &Positioned<SelectionSet>,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
    depth: usize,
) -> Result<usize, Refusal> {
    if depth > 10 {
        return Err(Refusal("fragments nest too deeply".into()));
    }
    let mut count = 0usize;
    for selection in &set.node.items {
        count += match &selection.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(inline) => {
                count_fields(&inline.node.selection_set, fragments, depth + 1)?
            }
            Selection::FragmentSpread(spread) => {
                match fragments.get(&spread.node.fragment_name.node) {
                    Some(fragment) => {
                        count_fields(&fragment.node.selection_set, fragments, depth + 1)?
                    }
                    None => 0,
                }
            }
        };
        if count > MAX_ROOT_FIELDS * 50 {
            return Err(Refusal("the operation selects too many fields".into()));
        }
    }
    Ok(count)
}

/// The cost of a monthly-totals range: one unit per month (rows scale
/// with months), at least one; an unreadable range costs one (it is
/// refused when it runs).
pub fn months_cost(from: &str, until: &str) -> usize {
    let (Ok(from), Ok(until)) = (crate::api::parse_date(from), crate::api::parse_date(until))
    else {
        return 1;
    };
    let months = (i64::from(until.year()) - i64::from(from.year())) * 12
        + i64::from(u8::from(until.month()))
        - i64::from(u8::from(from.month()))
        + 1;
    usize::try_from(months.max(1)).unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_of(query: &str) -> OperationShape {
        shape(&async_graphql::parser::parse_query(query).unwrap(), None).unwrap()
    }

    #[test]
    fn aliases_and_fragments_count_as_root_fields() {
        let aliased: String = (0..30).map(|i| format!("a{i}: me {{ kind }} ")).collect();
        let shape = shape_of(&format!("{{ {aliased} }}"));
        assert_eq!(shape.root_fields, 30);
        assert!(check(shape).is_err());
        let fragments =
            "query { ...F ...F } fragment F on QueryRoot { a: me { kind } b: me { kind } }";
        assert_eq!(shape_of(fragments).root_fields, 4);
        assert_eq!(check(shape_of("{ me { kind } }")), Ok(0));
    }

    #[test]
    fn mutation_fields_are_capped_and_charged() {
        let three = "mutation { a: deleteRule(id: \"x\") b: deleteRule(id: \"y\") c: deleteRule(id: \"z\") }";
        assert_eq!(check(shape_of(three)), Ok(3));
        let many: String = (0..6)
            .map(|i| format!("m{i}: deleteRule(id: \"{i}\") "))
            .collect();
        assert!(check(shape_of(&format!("mutation {{ {many} }}"))).is_err());
    }

    #[test]
    fn a_monthly_range_costs_its_months() {
        assert_eq!(months_cost("2026-01-01", "2026-01-31"), 1);
        assert_eq!(months_cost("2016-12-01", "2026-12-01"), 121);
        assert_eq!(months_cost("nope", "2026-12-01"), 1);
        assert_eq!(months_cost("2026-12-01", "2026-01-01"), 1);
    }
}
