//! Who may act, and on what. Logins and their roles, the principal a
//! request runs as, and the one access policy every service asks before it
//! reads or writes personal data. Pure: services load the facts (a
//! principal's memberships, which household owns a record) and the policy
//! decides.

use std::fmt;

use crate::{ApiKeyId, HouseholdId, LoginId, TenantId, UserId, ValidationError};

/// A person's role in one household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HouseholdRole {
    /// Reads, writes and manages who belongs.
    Owner,
    /// Reads and writes.
    Member,
    /// Reads only.
    Viewer,
}

impl HouseholdRole {
    pub const ALL: [HouseholdRole; 3] = [Self::Owner, Self::Member, Self::Viewer];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Member => "member",
            Self::Viewer => "viewer",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        Self::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .ok_or_else(|| ValidationError::new("role", "must be owner, member or viewer"))
    }
}

/// The finance company's own people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffRole {
    /// Aggregate and pseudonymized data only; never a personal field.
    Analyst,
    /// Manages the tenant's logins, households and keys; reads personal
    /// data only with an audit entry.
    Admin,
}

impl StaffRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Analyst => "analyst",
            Self::Admin => "admin",
        }
    }

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        match text {
            "analyst" => Ok(Self::Analyst),
            "admin" => Ok(Self::Admin),
            _ => Err(ValidationError::new("role", "must be analyst or admin")),
        }
    }
}

/// What a login signs in as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginKind {
    /// A person in the ledger.
    Person(UserId),
    Staff(StaffRole),
}

/// A normalised email address: trimmed, lower-cased, `local@domain`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let email = text.trim().to_lowercase();
        let bad = |reason: &str| Err(ValidationError::new("email", reason));
        if email.is_empty() {
            return bad("must not be empty");
        }
        if email.len() > Self::MAX_LEN {
            return bad("must be at most 254 characters");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return bad("must look like name@example.com");
        };
        if local.is_empty()
            || domain.len() < 3
            || !domain.contains('.')
            || domain.starts_with('.')
            || domain.ends_with('.')
            || domain.contains('@')
            || email.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return bad("must look like name@example.com");
        }
        Ok(Self(email))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password as typed; checked for length only (NIST SP 800-63B: length,
/// not composition rules). Never printed.
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 12;
    pub const MAX_CHARS: usize = 256;

    pub fn parse(text: &str) -> Result<Self, ValidationError> {
        let chars = text.chars().count();
        if chars < Self::MIN_CHARS {
            return Err(ValidationError::new(
                "password",
                format!("must be at least {} characters", Self::MIN_CHARS),
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(ValidationError::new(
                "password",
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A person's role in one household.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    pub household: HouseholdId,
    pub role: HouseholdRole,
}

/// Who a request runs as, once authenticated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Person {
        login: LoginId,
        tenant: TenantId,
        user: UserId,
        memberships: Vec<Membership>,
    },
    Staff {
        login: LoginId,
        tenant: TenantId,
        role: StaffRole,
    },
    Service {
        key: ApiKeyId,
        tenant: TenantId,
    },
    /// The operator at the command line (who has the database and its
    /// keys anyway), acting within the tenant of the data a command names:
    /// goes through the same services, policy and audit log as the API,
    /// recorded as `cli`.
    Operator {
        tenant: TenantId,
    },
}

/// What a principal wants to do to a household's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Read,
    /// Change transactions, rules, imports.
    Write,
    /// Change who belongs to the household.
    Manage,
}

/// Where a personal record lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Owner {
    pub tenant: TenantId,
    pub household: HouseholdId,
}

/// The policy's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// Allowed, and the access must be written to the audit log (staff
    /// reading or managing personal data).
    AllowAudited,
    Deny,
}

impl Decision {
    pub fn allowed(self) -> bool {
        self != Decision::Deny
    }
}

impl Principal {
    pub fn tenant(&self) -> TenantId {
        match self {
            Self::Person { tenant, .. }
            | Self::Staff { tenant, .. }
            | Self::Service { tenant, .. }
            | Self::Operator { tenant } => *tenant,
        }
    }

    /// The name the audit log records.
    pub fn actor(&self) -> String {
        match self {
            Self::Person { login, .. } => format!("login:{login}"),
            Self::Staff { login, role, .. } => format!("{}:{login}", role.as_str()),
            Self::Service { key, .. } => format!("service:{key}"),
            Self::Operator { .. } => "cli".to_owned(),
        }
    }

    /// What kind of principal, as the API shows it: `person`, `admin`,
    /// `analyst`, `service` or `operator`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Person { .. } => "person",
            Self::Staff { role, .. } => role.as_str(),
            Self::Service { .. } => "service",
            Self::Operator { .. } => "operator",
        }
    }

    /// The person this principal is, if it is one.
    pub fn user(&self) -> Option<UserId> {
        match self {
            Self::Person { user, .. } => Some(*user),
            _ => None,
        }
    }

    pub fn role_in(&self, household: HouseholdId) -> Option<HouseholdRole> {
        match self {
            Self::Person { memberships, .. } => memberships
                .iter()
                .find(|m| m.household == household)
                .map(|m| m.role),
            _ => None,
        }
    }

    /// May this principal do `action` to data owned by `owner`? Nothing
    /// crosses a tenant; analysts never see personal data; admins may read
    /// and manage (audited) but not write a household's ledger; service
    /// keys read and write within their tenant.
    pub fn may(&self, action: Action, owner: Owner) -> Decision {
        if self.tenant() != owner.tenant {
            return Decision::Deny;
        }
        match self {
            Self::Person { .. } => match (self.role_in(owner.household), action) {
                (Some(_), Action::Read) => Decision::Allow,
                (Some(HouseholdRole::Owner | HouseholdRole::Member), Action::Write) => {
                    Decision::Allow
                }
                (Some(HouseholdRole::Owner), Action::Manage) => Decision::Allow,
                _ => Decision::Deny,
            },
            Self::Staff {
                role: StaffRole::Admin,
                ..
            } => match action {
                Action::Read | Action::Manage => Decision::AllowAudited,
                Action::Write => Decision::Deny,
            },
            Self::Staff {
                role: StaffRole::Analyst,
                ..
            } => Decision::Deny,
            Self::Service { .. } => match action {
                Action::Read | Action::Write => Decision::Allow,
                Action::Manage => Decision::Deny,
            },
            Self::Operator { .. } => Decision::Allow,
        }
    }

    /// Aggregates without personal fields (data quality, pseudonymized
    /// views) of the principal's own tenant: staff and services.
    pub fn may_read_aggregates(&self) -> bool {
        !matches!(self, Self::Person { .. })
    }

    /// Experiment tracking and the model registry of the principal's own
    /// tenant (runs, metrics, versions; never personal data): staff,
    /// services and the operator.
    pub fn may_track_models(&self) -> bool {
        !matches!(self, Self::Person { .. })
    }

    /// Moving the `champion` alias (what every person's transactions are
    /// categorized by) and training: admins and the operator.
    pub fn may_promote_models(&self) -> bool {
        matches!(
            self,
            Self::Staff {
                role: StaffRole::Admin,
                ..
            } | Self::Operator { .. }
        )
    }

    /// Creating logins, households and API keys for the tenant.
    pub fn is_admin(&self) -> bool {
        matches!(
            self,
            Self::Staff {
                role: StaffRole::Admin,
                ..
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id<T>(make: fn([u8; 16]) -> T, n: u8) -> T {
        make([n; 16])
    }

    fn person(tenant: TenantId, household: HouseholdId, role: HouseholdRole) -> Principal {
        Principal::Person {
            login: id(LoginId::from_random_bytes, 1),
            tenant,
            user: id(UserId::from_random_bytes, 2),
            memberships: vec![Membership { household, role }],
        }
    }

    #[test]
    fn only_staff_services_and_the_operator_see_models_and_only_admins_promote() {
        let tenant = id(TenantId::from_random_bytes, 3);
        let household = id(HouseholdId::from_random_bytes, 4);
        let staff = |role| Principal::Staff {
            login: id(LoginId::from_random_bytes, 5),
            tenant,
            role,
        };
        let service = Principal::Service {
            key: id(ApiKeyId::from_random_bytes, 6),
            tenant,
        };
        let table = [
            (
                person(tenant, household, HouseholdRole::Owner),
                false,
                false,
            ),
            (staff(StaffRole::Analyst), true, false),
            (staff(StaffRole::Admin), true, true),
            (service, true, false),
            (Principal::Operator { tenant }, true, true),
        ];
        for (principal, track, promote) in table {
            assert_eq!(principal.may_track_models(), track, "{principal:?}");
            assert_eq!(principal.may_promote_models(), promote, "{principal:?}");
        }
    }

    #[test]
    fn household_roles_grant_read_write_manage_in_steps() {
        let tenant = id(TenantId::from_random_bytes, 3);
        let household = id(HouseholdId::from_random_bytes, 4);
        let owner = Owner { tenant, household };
        let table = [
            (HouseholdRole::Owner, [true, true, true]),
            (HouseholdRole::Member, [true, true, false]),
            (HouseholdRole::Viewer, [true, false, false]),
        ];
        for (role, expected) in table {
            let p = person(tenant, household, role);
            let got =
                [Action::Read, Action::Write, Action::Manage].map(|a| p.may(a, owner).allowed());
            assert_eq!(got, expected, "{role:?}");
        }
    }

    #[test]
    fn nothing_crosses_households_or_tenants() {
        let tenant = id(TenantId::from_random_bytes, 3);
        let mine = id(HouseholdId::from_random_bytes, 4);
        let theirs = id(HouseholdId::from_random_bytes, 5);
        let other_tenant = id(TenantId::from_random_bytes, 6);
        let p = person(tenant, mine, HouseholdRole::Owner);
        assert_eq!(
            p.may(
                Action::Read,
                Owner {
                    tenant,
                    household: theirs
                }
            ),
            Decision::Deny
        );
        let service = Principal::Service {
            key: id(ApiKeyId::from_random_bytes, 7),
            tenant,
        };
        assert!(
            service
                .may(
                    Action::Write,
                    Owner {
                        tenant,
                        household: theirs
                    }
                )
                .allowed()
        );
        let elsewhere = Owner {
            tenant: other_tenant,
            household: theirs,
        };
        assert_eq!(service.may(Action::Read, elsewhere), Decision::Deny);
        let admin = Principal::Staff {
            login: id(LoginId::from_random_bytes, 8),
            tenant,
            role: StaffRole::Admin,
        };
        assert_eq!(admin.may(Action::Read, elsewhere), Decision::Deny);
    }

    #[test]
    fn analysts_see_no_personal_data_and_admin_reads_are_audited() {
        let tenant = id(TenantId::from_random_bytes, 3);
        let owner = Owner {
            tenant,
            household: id(HouseholdId::from_random_bytes, 4),
        };
        let analyst = Principal::Staff {
            login: id(LoginId::from_random_bytes, 8),
            tenant,
            role: StaffRole::Analyst,
        };
        for action in [Action::Read, Action::Write, Action::Manage] {
            assert_eq!(analyst.may(action, owner), Decision::Deny);
        }
        assert!(analyst.may_read_aggregates());
        let admin = Principal::Staff {
            login: id(LoginId::from_random_bytes, 8),
            tenant,
            role: StaffRole::Admin,
        };
        assert_eq!(admin.may(Action::Read, owner), Decision::AllowAudited);
        assert_eq!(admin.may(Action::Write, owner), Decision::Deny);
    }

    #[test]
    fn the_operator_acts_within_the_tenant_it_names_and_is_audited_as_cli() {
        let tenant = id(TenantId::from_random_bytes, 3);
        let operator = Principal::Operator { tenant };
        let owner = Owner {
            tenant,
            household: id(HouseholdId::from_random_bytes, 4),
        };
        let elsewhere = Owner {
            tenant: id(TenantId::from_random_bytes, 9),
            ..owner
        };
        for action in [Action::Read, Action::Write, Action::Manage] {
            assert_eq!(operator.may(action, owner), Decision::Allow);
            assert_eq!(operator.may(action, elsewhere), Decision::Deny);
        }
        assert_eq!(operator.actor(), "cli");
        assert_eq!(operator.kind(), "operator");
        assert!(!operator.is_admin() && operator.user().is_none());
    }

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            Email::parse("  Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        for bad in [
            "",
            "ann",
            "@example.com",
            "ann@",
            "ann@com",
            "a b@example.com",
            "a@b@c.com",
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().field, "email", "{bad:?}");
        }
    }

    #[test]
    fn passwords_are_checked_by_length_and_never_printed() {
        assert!(Password::parse("short").is_err());
        let p = Password::parse("correct horse battery").unwrap();
        assert_eq!(format!("{p:?}"), "Password(..)");
        assert!(Password::parse(&"x".repeat(257)).is_err());
    }
}
