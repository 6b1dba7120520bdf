//! Invitations to join a household. Joining takes consent: an owner's
//! invitation waits for the person to accept; an admin's waits for the
//! person and for an owner of the household. Only when both sides agree
//! does the invitation become a membership — in the same commit.

use finsight_core::{HouseholdId, HouseholdRole, UserId};
use time::OffsetDateTime;

use crate::StoreError;

/// A pending invitation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub household: HouseholdId,
    pub user: UserId,
    pub role: HouseholdRole,
    /// Who invited (an audit actor: `user:…`, `admin:…`).
    pub invited_by: String,
    pub owner_approved: bool,
    pub person_accepted: bool,
    pub created_at: OffsetDateTime,
}

impl Invitation {
    /// Who is still to consent: `person`, `owner`, or both.
    pub fn awaiting(&self) -> Vec<&'static str> {
        let mut awaiting = Vec::new();
        if !self.person_accepted {
            awaiting.push("person");
        }
        if !self.owner_approved {
            awaiting.push("owner");
        }
        awaiting
    }
}

/// Which side agrees to an invitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consent {
    /// An owner of the household approves.
    Owner,
    /// The invited person accepts.
    Person,
}

/// What agreeing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InvitationOutcome {
    /// Still waiting for the other side.
    Waiting(Invitation),
    /// Both sides agreed: the person is a member now.
    Joined(HouseholdRole),
    /// No such invitation.
    NotFound,
}

#[async_trait::async_trait]
pub trait InvitationStore: Send + Sync {
    /// Creates or renews an invitation (a renewed one starts over with
    /// the consents given here).
    async fn invite(&self, invitation: &Invitation) -> Result<(), StoreError>;

    /// Creates a new person whose home is the invitation's household but
    /// who is no member of it until the invitation is agreed — in one
    /// commit, so no moment exists where they are a member.
    async fn invite_new_person(
        &self,
        person: &finsight_core::User,
        invitation: &Invitation,
    ) -> Result<(), StoreError>;

    async fn invitation(
        &self,
        household: HouseholdId,
        user: UserId,
    ) -> Result<Option<Invitation>, StoreError>;

    /// Invitations waiting for this person, or concerning households they
    /// own, oldest first.
    async fn invitations_involving(&self, user: UserId) -> Result<Vec<Invitation>, StoreError>;

    /// Records one side's consent; when both sides have agreed, the
    /// membership is created and the invitation deleted in one commit.
    async fn consent(
        &self,
        household: HouseholdId,
        user: UserId,
        consent: Consent,
    ) -> Result<InvitationOutcome, StoreError>;

    /// Declines or withdraws an invitation; whether there was one.
    async fn remove_invitation(
        &self,
        household: HouseholdId,
        user: UserId,
    ) -> Result<bool, StoreError>;
}

pub(crate) type InvitationRow = (
    uuid::Uuid,
    uuid::Uuid,
    String,
    String,
    bool,
    bool,
    OffsetDateTime,
);

pub(crate) fn invitation_from_row(row: InvitationRow) -> Result<Invitation, StoreError> {
    let (household, user, role, invited_by, owner_approved, person_accepted, created_at) = row;
    Ok(Invitation {
        household: HouseholdId::from_uuid(household),
        user: UserId::from_uuid(user),
        role: HouseholdRole::parse(&role)
            .map_err(|e| StoreError::Corrupt(format!("invitation role: {e}")))?,
        invited_by,
        owner_approved,
        person_accepted,
        created_at,
    })
}
