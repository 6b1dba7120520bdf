//! [`PreferenceStore`](crate::PreferenceStore) on both backends.

use finsight_core::UserId;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, IntoArguments, Type};
use uuid::Uuid;

use super::{Backend, Db, SqlStore};
use crate::StoreError;

#[async_trait::async_trait]
impl<B> crate::PreferenceStore for SqlStore<B>
where
    B: Backend,
    for<'c> &'c mut <Db<B> as Database>::Connection: Executor<'c, Database = Db<B>>,
    for<'q> <Db<B> as Database>::Arguments<'q>: IntoArguments<'q, Db<B>>,
    usize: ColumnIndex<<Db<B> as Database>::Row>,
    for<'q> Uuid: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> String: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> i64: Encode<'q, Db<B>> + Decode<'q, Db<B>> + Type<Db<B>>,
    for<'q> &'q str: Encode<'q, Db<B>> + Type<Db<B>>,
{
    async fn dashboard_layout(&self, user: UserId) -> Result<Option<(String, i64)>, StoreError> {
        Ok(sqlx::query_as::<_, (String, i64)>(
            "SELECT layout, updated_at FROM dashboard_layouts WHERE user_id = $1",
        )
        .bind(user.as_uuid())
        .fetch_optional(self.read_pool())
        .await?)
    }

    async fn save_dashboard_layout(
        &self,
        user: UserId,
        layout: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.write_tx().await?;
        sqlx::query(
            "INSERT INTO dashboard_layouts (user_id, layout, updated_at) VALUES ($1, $2, $3)
             ON CONFLICT (user_id) DO UPDATE SET layout = excluded.layout,
                 updated_at = excluded.updated_at",
        )
        .bind(user.as_uuid())
        .bind(layout)
        .bind(at)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
