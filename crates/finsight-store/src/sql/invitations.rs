//! [`InvitationStore`](crate::InvitationStore) on both backends.

use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use super::{Backend, Db, RowsAffected, SqlStore};

impl<B> SqlStore<B>
where
    B: Backend,
    for<'c> &'c mut <Db<B> as Database>::Connection: Executor<'c, Database = Db<B>>,
    for<'q> <Db<B> as Database>::Arguments<'q>: IntoArguments<'q, Db<B>>,
    usize: ColumnIndex<<Db<B> as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<Db<B> as Database>::Row>,
    for<'q> Uuid: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> String: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i32: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> bool: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Vec<u8>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> OffsetDateTime: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Date: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<OffsetDateTime>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Date>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>> + Type<Db<B>>,
{
    /// Creates or renews an invitation inside the open transaction `$tx`.
    async fn insert_invitation(
        tx: &mut sqlx::Transaction<'static, Db<B>>,
        invitation: &crate::Invitation,
    ) -> Result<(), crate::StoreError> {
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
        .bind(invitation.household.as_uuid())
        .bind(invitation.user.as_uuid())
        .bind(invitation.role.as_str())
        .bind(&invitation.invited_by)
        .bind(invitation.owner_approved)
        .bind(invitation.person_accepted)
        .bind(invitation.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl<B> crate::InvitationStore for SqlStore<B>
where
    B: Backend,
    for<'c> &'c mut <Db<B> as Database>::Connection: Executor<'c, Database = Db<B>>,
    for<'q> <Db<B> as Database>::Arguments<'q>: IntoArguments<'q, Db<B>>,
    usize: ColumnIndex<<Db<B> as Database>::Row>,
    for<'a> &'a str: ColumnIndex<<Db<B> as Database>::Row>,
    for<'q> Uuid: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> String: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i32: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> bool: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Vec<u8>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> OffsetDateTime: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Date: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q [u8]: Encode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Uuid>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<String>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i64>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<i32>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<OffsetDateTime>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<Date>: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> Option<&'q str>: Encode<'q, Db<B>> + Type<Db<B>>,
{
    async fn invite(&self, invitation: &crate::Invitation) -> Result<(), crate::StoreError> {
        let mut tx = self.write_tx().await?;
        Self::insert_invitation(&mut tx, invitation).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn invite_new_person(
        &self,
        person: &finsight_core::User,
        invitation: &crate::Invitation,
    ) -> Result<(), crate::StoreError> {
        debug_assert_eq!(person.id, invitation.user);
        let directory = crate::Directory {
            users: vec![person.clone()],
            ..crate::Directory::default()
        };
        let sealed = self.seal_directory(&directory).await?;
        let mut tx = self.write_tx().await?;
        Self::write_directory(&mut tx, &directory, &sealed).await?;
        sqlx::query("DELETE FROM memberships WHERE user_id = $1")
            .bind(person.id.as_uuid())
            .execute(&mut *tx)
            .await?;
        Self::insert_invitation(&mut tx, invitation).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn invitation(
        &self,
        household: finsight_core::HouseholdId,
        user: finsight_core::UserId,
    ) -> Result<Option<crate::Invitation>, crate::StoreError> {
        let row: Option<crate::invitations::InvitationRow> = sqlx::query_as(
            "SELECT household_id, user_id, role, invited_by, owner_approved, person_accepted, created_at
             FROM membership_invitations WHERE household_id = $1 AND user_id = $2",
        )
        .bind(household.as_uuid())
        .bind(user.as_uuid())
        .fetch_optional(self.read_pool())
        .await?;
        row.map(crate::invitations::invitation_from_row).transpose()
    }

    async fn invitations_involving(
        &self,
        user: finsight_core::UserId,
    ) -> Result<Vec<crate::Invitation>, crate::StoreError> {
        let rows: Vec<crate::invitations::InvitationRow> = sqlx::query_as(
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
            .map(crate::invitations::invitation_from_row)
            .collect()
    }

    async fn consent(
        &self,
        household: finsight_core::HouseholdId,
        user: finsight_core::UserId,
        consent: crate::Consent,
    ) -> Result<crate::InvitationOutcome, crate::StoreError> {
        let mut tx = self.write_tx().await?;
        let column = match consent {
            crate::Consent::Owner => "owner_approved",
            crate::Consent::Person => "person_accepted",
        };
        let row: Option<crate::invitations::InvitationRow> = sqlx::query_as(&format!(
            "UPDATE membership_invitations SET {column} = TRUE
             WHERE household_id = $1 AND user_id = $2
             RETURNING household_id, user_id, role, invited_by, owner_approved, person_accepted, created_at"
        ))
        .bind(household.as_uuid())
        .bind(user.as_uuid())
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row else {
            return Ok(crate::InvitationOutcome::NotFound);
        };
        let invitation = crate::invitations::invitation_from_row(row)?;
        if !(invitation.owner_approved && invitation.person_accepted) {
            tx.commit().await?;
            return Ok(crate::InvitationOutcome::Waiting(invitation));
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
        sqlx::query("DELETE FROM membership_invitations WHERE household_id = $1 AND user_id = $2")
            .bind(household.as_uuid())
            .bind(user.as_uuid())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(crate::InvitationOutcome::Joined(invitation.role))
    }

    async fn remove_invitation(
        &self,
        household: finsight_core::HouseholdId,
        user: finsight_core::UserId,
    ) -> Result<bool, crate::StoreError> {
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
