//! Invitations to join a household, and the consent that turns one into a
//! membership: the invited person accepts; an owner approves when an
//! admin invited. Every step is an audit entry.

use finsight_core::{HouseholdId, HouseholdRole, Principal, UserId};
use finsight_store::{Consent, Invitation, InvitationOutcome};

use crate::households::MembershipChange;
use crate::{ServiceError, Services};

impl Services {
    /// An invitation from `principal`: an owner's is approved by its
    /// owner already; `person_agreed` when the person is new, created for
    /// this household (nobody else's consent to give).
    pub(crate) fn invitation_by(
        &self,
        principal: &Principal,
        household: HouseholdId,
        user: UserId,
        role: HouseholdRole,
        person_agreed: bool,
    ) -> Invitation {
        Invitation {
            household,
            user,
            role,
            invited_by: principal.actor(),
            owner_approved: !principal.is_admin(),
            person_accepted: person_agreed,
            created_at: self.clock.now(),
        }
    }

    /// Records an invitation of a person who exists already.
    pub(crate) async fn invite(
        &self,
        principal: &Principal,
        household: HouseholdId,
        user: UserId,
        role: HouseholdRole,
    ) -> Result<(), ServiceError> {
        let invitation = self.invitation_by(principal, household, user, role, false);
        self.store.invite(&invitation).await?;
        self.audit_invitation(
            principal,
            household,
            user,
            role,
            invitation.owner_approved,
            false,
        )
        .await
    }

    pub(crate) async fn audit_invitation(
        &self,
        principal: &Principal,
        household: HouseholdId,
        user: UserId,
        role: HouseholdRole,
        owner_approved: bool,
        person_accepted: bool,
    ) -> Result<(), ServiceError> {
        let awaiting = match (owner_approved, person_accepted) {
            (true, _) => "person",
            (false, true) => "owner",
            (false, false) => "person,owner",
        };
        self.audit_write(
            principal,
            "membership.invite",
            &format!("household:{household}"),
            &format!("user:{user} role:{} awaiting:{awaiting}", role.as_str()),
        )
        .await
    }

    /// Invitations the principal can act on or see: those waiting for the
    /// person, and those concerning households they own.
    pub async fn invitations(
        &self,
        principal: &Principal,
    ) -> Result<Vec<Invitation>, ServiceError> {
        match principal.user() {
            Some(user) => Ok(self.store.invitations_involving(user).await?),
            None => Ok(Vec::new()),
        }
    }

    /// Consents to an invitation: the invited person accepts it; an owner
    /// of the household approves it. Anyone else gets `NotFound`.
    pub async fn accept_invitation(
        &self,
        principal: &Principal,
        household: HouseholdId,
        user: UserId,
    ) -> Result<MembershipChange, ServiceError> {
        let consent = self.consent_of(principal, household, user).await?;
        let outcome = self.store.consent(household, user, consent).await?;
        let (action, change) = match outcome {
            InvitationOutcome::NotFound => return Err(ServiceError::NotFound("invitation")),
            InvitationOutcome::Waiting(_) => ("membership.consent", MembershipChange::Invited),
            InvitationOutcome::Joined(_) => ("membership.join", MembershipChange::Updated),
        };
        self.audit_write(
            principal,
            action,
            &format!("household:{household}"),
            &format!(
                "user:{user} by:{}",
                match consent {
                    Consent::Owner => "owner",
                    Consent::Person => "person",
                }
            ),
        )
        .await?;
        Ok(change)
    }

    /// Declines (the person) or withdraws (an owner) an invitation.
    pub async fn decline_invitation(
        &self,
        principal: &Principal,
        household: HouseholdId,
        user: UserId,
    ) -> Result<(), ServiceError> {
        self.consent_of(principal, household, user).await?;
        if !self.store.remove_invitation(household, user).await? {
            return Err(ServiceError::NotFound("invitation"));
        }
        self.audit_write(
            principal,
            "membership.decline",
            &format!("household:{household}"),
            &format!("user:{user}"),
        )
        .await
    }

    /// Whose consent the principal gives to this invitation, if it may see
    /// it at all.
    async fn consent_of(
        &self,
        principal: &Principal,
        household: HouseholdId,
        user: UserId,
    ) -> Result<Consent, ServiceError> {
        let Principal::Person {
            user: me,
            memberships,
            ..
        } = principal
        else {
            return Err(ServiceError::NotFound("invitation"));
        };
        let invitation = self
            .store
            .invitation(household, user)
            .await?
            .ok_or(ServiceError::NotFound("invitation"))?;
        if invitation.user == *me {
            return Ok(Consent::Person);
        }
        if memberships
            .iter()
            .any(|m| m.household == household && m.role == HouseholdRole::Owner)
        {
            return Ok(Consent::Owner);
        }
        Err(ServiceError::NotFound("invitation"))
    }
}
