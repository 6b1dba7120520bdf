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

/// Creates or renews an invitation inside the open transaction `$tx`.
macro_rules! insert_invitation {
    ($tx:ident, $invitation:expr) => {
        sqlx::query(
            "INSERT INTO membership_invitations
                (household_id, user_id, role, invited_by, owner_approved, person_accepted, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (household_id, user_id) DO UPDATE SET
                role = excluded.role, invited_by = excluded.invited_by,
                owner_approved = excluded.owner_approved,
                person_accepted = excluded.person_accepted,
                created_at = excluded.created_at",
        )
        .bind($invitation.household.as_uuid())
        .bind($invitation.user.as_uuid())
        .bind($invitation.role.as_str())
        .bind(&$invitation.invited_by)
        .bind($invitation.owner_approved)
        .bind($invitation.person_accepted)
        .bind($invitation.created_at)
        .execute(&mut *$tx)
        .await?;
    };
}
pub(crate) use insert_invitation;

/// Implements [`InvitationStore`] with statements written the same on
/// both backends.
macro_rules! impl_invitation_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::InvitationStore for $store {
            async fn invite(
                &self,
                invitation: &$crate::Invitation,
            ) -> Result<(), $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                $crate::invitations::insert_invitation!(tx, invitation);
                tx.commit().await?;
                Ok(())
            }

            async fn invite_new_person(
                &self,
                person: &finsight_core::User,
                invitation: &$crate::Invitation,
            ) -> Result<(), $crate::StoreError> {
                debug_assert_eq!(person.id, invitation.user);
                let directory = $crate::Directory {
                    users: vec![person.clone()],
                    ..$crate::Directory::default()
                };
                let sealed = seal_directory!(self, directory);
                let mut tx = self.write_tx().await?;
                upsert_directory_in!(tx, directory, sealed);
                sqlx::query("DELETE FROM memberships WHERE user_id = $1")
                    .bind(person.id.as_uuid())
                    .execute(&mut *tx)
                    .await?;
                $crate::invitations::insert_invitation!(tx, invitation);
                tx.commit().await?;
                Ok(())
            }

            async fn invitation(
                &self,
                household: finsight_core::HouseholdId,
                user: finsight_core::UserId,
            ) -> Result<Option<$crate::Invitation>, $crate::StoreError> {
                let row: Option<$crate::invitations::InvitationRow> = sqlx::query_as(
                    "SELECT household_id, user_id, role, invited_by, owner_approved, person_accepted, created_at
                     FROM membership_invitations WHERE household_id = $1 AND user_id = $2",
                )
                .bind(household.as_uuid())
                .bind(user.as_uuid())
                .fetch_optional(self.read_pool())
                .await?;
                row.map($crate::invitations::invitation_from_row).transpose()
            }

            async fn invitations_involving(
                &self,
                user: finsight_core::UserId,
            ) -> Result<Vec<$crate::Invitation>, $crate::StoreError> {
                let rows: Vec<$crate::invitations::InvitationRow> = sqlx::query_as(
                    "SELECT household_id, user_id, role, invited_by, owner_approved, person_accepted, created_at
                     FROM membership_invitations
                     WHERE user_id = $1
                        OR household_id IN (SELECT household_id FROM memberships
                                            WHERE user_id = $1 AND role = 'owner')
                     ORDER BY created_at, household_id, user_id",
                )
                .bind(user.as_uuid())
                .fetch_all(self.read_pool())
                .await?;
                rows.into_iter()
                    .map($crate::invitations::invitation_from_row)
                    .collect()
            }

            async fn consent(
                &self,
                household: finsight_core::HouseholdId,
                user: finsight_core::UserId,
                consent: $crate::Consent,
            ) -> Result<$crate::InvitationOutcome, $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let column = match consent {
                    $crate::Consent::Owner => "owner_approved",
                    $crate::Consent::Person => "person_accepted",
                };
                let row: Option<$crate::invitations::InvitationRow> = sqlx::query_as(&format!(
                    "UPDATE membership_invitations SET {column} = TRUE
                     WHERE household_id = $1 AND user_id = $2
                     RETURNING household_id, user_id, role, invited_by, owner_approved, person_accepted, created_at"
                ))
                .bind(household.as_uuid())
                .bind(user.as_uuid())
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else {
                    return Ok($crate::InvitationOutcome::NotFound);
                };
                let invitation = $crate::invitations::invitation_from_row(row)?;
                if !(invitation.owner_approved && invitation.person_accepted) {
                    tx.commit().await?;
                    return Ok($crate::InvitationOutcome::Waiting(invitation));
                }
                sqlx::query(
                    "INSERT INTO memberships (household_id, user_id, role) VALUES ($1, $2, $3)
                     ON CONFLICT (household_id, user_id) DO UPDATE SET role = excluded.role",
                )
                .bind(household.as_uuid())
                .bind(user.as_uuid())
                .bind(invitation.role.as_str())
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "DELETE FROM membership_invitations WHERE household_id = $1 AND user_id = $2",
                )
                .bind(household.as_uuid())
                .bind(user.as_uuid())
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok($crate::InvitationOutcome::Joined(invitation.role))
            }

            async fn remove_invitation(
                &self,
                household: finsight_core::HouseholdId,
                user: finsight_core::UserId,
            ) -> Result<bool, $crate::StoreError> {
                let mut tx = self.write_tx().await?;
                let removed = sqlx::query(
                    "DELETE FROM membership_invitations WHERE household_id = $1 AND user_id = $2",
                )
                .bind(household.as_uuid())
                .bind(user.as_uuid())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                tx.commit().await?;
                Ok(removed > 0)
            }
        }
    };
}
