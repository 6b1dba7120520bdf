//! Who owns the data: tenants, households and users.

use crate::{HouseholdId, TenantId, UserId, ValidationError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tenant {
    pub id: TenantId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Household {
    pub id: HouseholdId,
    pub tenant_id: TenantId,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub tenant_id: TenantId,
    pub household_id: HouseholdId,
    pub display_name: String,
}

/// A display name: trimmed, 1 to 200 characters, no control characters.
pub fn parse_name(field: &'static str, text: &str) -> Result<String, ValidationError> {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(ValidationError::new(field, "must not be empty"));
    }
    if trimmed.chars().count() > 200 {
        return Err(ValidationError::new(field, "longer than 200 characters"));
    }
    if trimmed.chars().any(char::is_control) {
        return Err(ValidationError::new(field, "contains control characters"));
    }
    Ok(trimmed.to_owned())
}
