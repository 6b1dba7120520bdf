//! Who the signed-in principal is, the households it can see, and their
//! membership. Managing membership needs the `owner` role (or an admin,
//! audited); a household always keeps at least one owner; joining a
//! household takes consent (`invitations.rs`).

use finsight_core::{
    Action, Decision, Household, HouseholdId, HouseholdRole, Owner, Principal, User, UserId,
};

use finsight_store::Directory;

use crate::{ServiceError, Services};

/// A name as people type it: trimmed, 1 to 200 characters, no control
/// characters.
fn display_text(field: &'static str, text: &str) -> Result<String, ServiceError> {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > 200 {
        return Err(
            finsight_core::ValidationError::new(field, "must be 1 to 200 characters").into(),
        );
    }
    finsight_core::text::check_printable(field, text)?;
    Ok(text.to_owned())
}

/// What a membership change did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MembershipChange {
    /// The person is a member with the role now.
    Updated,
    /// An invitation waits for consent (the person's, and an owner's when
    /// an admin invited).
    Invited,
}

impl MembershipChange {
    /// `member` or `invited`, as the API shows it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Updated => "member",
            Self::Invited => "invited",
        }
    }
}

/// The signed-in principal, as the API shows it.
#[derive(Debug, Clone)]
pub struct Me {
    pub principal: Principal,
    pub user: Option<User>,
    pub households: Vec<(Household, HouseholdRole)>,
}

impl Services {
    pub async fn me(&self, principal: &Principal) -> Result<Me, ServiceError> {
        let mut households = Vec::new();
        let mut user = None;
        if let Principal::Person {
            user: id,
            memberships,
            ..
        } = principal
        {
            user = self.store.user(*id).await?;
            for membership in memberships {
                if let Some(household) = self.store.household(membership.household).await? {
                    households.push((household, membership.role));
                }
            }
        }
        Ok(Me {
            principal: principal.clone(),
            user,
            households,
        })
    }

    async fn authorize_household(
        &self,
        principal: &Principal,
        id: HouseholdId,
        action: Action,
    ) -> Result<Household, ServiceError> {
        let household = self
            .store
            .household(id)
            .await?
            .ok_or(ServiceError::NotFound("household"))?;
        let owner = Owner {
            tenant: household.tenant_id,
            household: id,
        };
        match principal.may(action, owner) {
            Decision::Allow => Ok(household),
            Decision::AllowAudited => {
                self.audit_staff(principal, action, &format!("household:{id}"))
                    .await?;
                Ok(household)
            }
            Decision::Deny if principal.may(Action::Read, owner).allowed() => Err(
                ServiceError::Forbidden("only an owner of the household may change its members"),
            ),
            Decision::Deny => Err(ServiceError::NotFound("household")),
        }
    }

    /// The households a principal may list: a person's own; the whole
    /// tenant for admins and service keys; none for analysts.
    pub async fn households(&self, principal: &Principal) -> Result<Vec<Household>, ServiceError> {
        match principal {
            Principal::Person { .. } => Ok(self
                .me(principal)
                .await?
                .households
                .into_iter()
                .map(|(h, _)| h)
                .collect()),
            Principal::Staff { .. } | Principal::Service { .. } | Principal::Operator { .. } => {
                let tenant = principal.tenant();
                let owner_probe = |h: &Household| Owner {
                    tenant,
                    household: h.id,
                };
                let households = self.store.households_of_tenant(tenant).await?;
                let visible: Vec<Household> = households
                    .into_iter()
                    .filter(|h| principal.may(Action::Read, owner_probe(h)).allowed())
                    .collect();
                if principal.is_admin() && !visible.is_empty() {
                    self.audit_staff(principal, Action::Read, "households:all")
                        .await?;
                }
                Ok(visible)
            }
        }
    }

    pub async fn household(
        &self,
        principal: &Principal,
        id: HouseholdId,
    ) -> Result<Household, ServiceError> {
        self.authorize_household(principal, id, Action::Read).await
    }

    pub async fn members(
        &self,
        principal: &Principal,
        id: HouseholdId,
    ) -> Result<Vec<(User, HouseholdRole)>, ServiceError> {
        self.authorize_household(principal, id, Action::Read)
            .await?;
        Ok(self.store.members_of(id).await?)
    }

    /// Changes a member's role, or invites a person of the same tenant who
    /// is not a member yet: joining takes their consent (and, when an
    /// admin invites, an owner's approval too), given through
    /// [`Services::accept_invitation`].
    pub async fn set_member(
        &self,
        principal: &Principal,
        household: HouseholdId,
        user: UserId,
        role: HouseholdRole,
    ) -> Result<MembershipChange, ServiceError> {
        let found = self
            .authorize_household(principal, household, Action::Manage)
            .await?;
        let person = self
            .store
            .user(user)
            .await?
            .filter(|u| u.tenant_id == found.tenant_id)
            .ok_or(ServiceError::NotFound("user"))?;
        let members = self.store.members_of(household).await?;
        if !members.iter().any(|(member, _)| member.id == person.id) {
            self.invite(principal, household, person.id, role).await?;
            return Ok(MembershipChange::Invited);
        }
        if role != HouseholdRole::Owner {
            self.keep_an_owner(household, person.id).await?;
        }
        self.store.set_membership(household, user, role).await?;
        self.audit_write(
            principal,
            "membership.set",
            &format!("household:{household}"),
            &format!("user:{user} role:{}", role.as_str()),
        )
        .await?;
        Ok(MembershipChange::Updated)
    }

    pub async fn remove_member(
        &self,
        principal: &Principal,
        household: HouseholdId,
        user: UserId,
    ) -> Result<(), ServiceError> {
        self.authorize_household(principal, household, Action::Manage)
            .await?;
        self.keep_an_owner(household, user).await?;
        if !self.store.remove_membership(household, user).await? {
            return Err(ServiceError::NotFound("member"));
        }
        self.audit_write(
            principal,
            "membership.remove",
            &format!("household:{household}"),
            &format!("user:{user}"),
        )
        .await
    }

    /// Creates a household in the admin's tenant.
    pub async fn create_household(
        &self,
        principal: &Principal,
        name: &str,
    ) -> Result<Household, ServiceError> {
        crate::auth::require_admin(principal)?;
        let household = Household {
            id: HouseholdId::from_random_bytes(crate::tokens::random_id()),
            tenant_id: principal.tenant(),
            name: display_text("name", name)?,
        };
        self.store
            .upsert_directory(&Directory {
                households: vec![household.clone()],
                ..Directory::default()
            })
            .await?;
        self.audit_write(
            principal,
            "household.create",
            &format!("household:{}", household.id),
            "",
        )
        .await?;
        Ok(household)
    }

    /// Adds a new person to a household: the household is their home. An
    /// owner's new person joins at once with `role`; so does an admin's
    /// first person of a new, empty household. A person an admin adds to a
    /// household that has members joins only once an owner approves —
    /// until then a login for them sees nothing of it.
    pub async fn add_person(
        &self,
        principal: &Principal,
        household: HouseholdId,
        display_name: &str,
        role: HouseholdRole,
    ) -> Result<(User, MembershipChange), ServiceError> {
        let found = self
            .authorize_household(principal, household, Action::Manage)
            .await?;
        let user = User {
            id: UserId::from_random_bytes(crate::tokens::random_id()),
            tenant_id: found.tenant_id,
            household_id: household,
            display_name: display_text("display_name", display_name)?,
        };
        let awaits_owner =
            principal.is_admin() && !self.store.members_of(household).await?.is_empty();
        if awaits_owner {
            let invitation = self.invitation_by(principal, household, user.id, role, true);
            self.store.invite_new_person(&user, &invitation).await?;
        } else {
            self.store
                .upsert_directory(&Directory {
                    users: vec![user.clone()],
                    ..Directory::default()
                })
                .await?;
        }
        self.audit_write(
            principal,
            "person.create",
            &format!("household:{household}"),
            &format!("user:{} role:{}", user.id, role.as_str()),
        )
        .await?;
        if awaits_owner {
            self.audit_invitation(principal, household, user.id, role, false, true)
                .await?;
            return Ok((user, MembershipChange::Invited));
        }
        self.store.set_membership(household, user.id, role).await?;
        Ok((user, MembershipChange::Updated))
    }

    /// Creates a login in the principal's tenant. Staff logins: admins
    /// only. A person's login: an admin only for a person alone in their
    /// households (the first person of a new household — so no admin can
    /// sign in as a proxy into anyone else's data); an owner for a person
    /// all of whose households they own.
    pub async fn create_login(
        &self,
        principal: &Principal,
        email: &str,
        password: &str,
        kind: finsight_core::LoginKind,
    ) -> Result<finsight_core::LoginId, ServiceError> {
        match kind {
            finsight_core::LoginKind::Staff(_) => crate::auth::require_admin(principal)?,
            finsight_core::LoginKind::Person(user) => {
                self.may_create_person_login(principal, user).await?;
            }
        }
        self.auth
            .create_login(
                &principal.actor(),
                principal.tenant(),
                email,
                password,
                kind,
            )
            .await
    }

    async fn may_create_person_login(
        &self,
        principal: &Principal,
        user: UserId,
    ) -> Result<(), ServiceError> {
        self.store
            .user(user)
            .await?
            .filter(|u| u.tenant_id == principal.tenant())
            .ok_or(ServiceError::NotFound("user"))?;
        let households = self.store.memberships_of(user).await?;
        match principal {
            Principal::Staff { .. } if principal.is_admin() => {
                if households.is_empty() {
                    return Err(ServiceError::Forbidden(
                        "the person has not joined a household yet; its owners create their login",
                    ));
                }
                for membership in &households {
                    let members = self.store.members_of(membership.household).await?;
                    if members.iter().any(|(member, _)| member.id != user) {
                        return Err(ServiceError::Forbidden(
                            "an admin creates a login only for the first person of a new household; the household's owners create logins for its other people",
                        ));
                    }
                }
                Ok(())
            }
            Principal::Person { memberships, .. } => {
                let owns = |household: HouseholdId| {
                    memberships
                        .iter()
                        .any(|m| m.household == household && m.role == HouseholdRole::Owner)
                };
                let sees =
                    |household: HouseholdId| memberships.iter().any(|m| m.household == household);
                if households.is_empty() || !households.iter().any(|m| sees(m.household)) {
                    return Err(ServiceError::NotFound("user"));
                }
                if !households.iter().all(|m| owns(m.household)) {
                    return Err(ServiceError::Forbidden(
                        "only an owner of every household the person belongs to may create their login",
                    ));
                }
                Ok(())
            }
            _ => Err(ServiceError::Forbidden(
                "only an admin or the household's owner may do this",
            )),
        }
    }

    /// Refuses to take the owner role from the last owner.
    async fn keep_an_owner(
        &self,
        household: HouseholdId,
        user: UserId,
    ) -> Result<(), ServiceError> {
        let members = self.store.members_of(household).await?;
        let owners: Vec<UserId> = members
            .iter()
            .filter(|(_, role)| *role == HouseholdRole::Owner)
            .map(|(u, _)| u.id)
            .collect();
        if owners == [user] {
            return Err(finsight_core::ValidationError::new(
                "role",
                "a household must keep at least one owner",
            )
            .into());
        }
        Ok(())
    }
}
