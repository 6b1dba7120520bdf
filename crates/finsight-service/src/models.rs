//! The learned models as the API and CLI reach them: training, promotion
//! and rollback (admins and the operator, each an audit entry), reading
//! runs and the registry (staff, services, the operator — never a person:
//! none of it is theirs), a person's review queue, and the lineage of one
//! transaction's category: which model version, trained by which run on
//! which data with which code.

use finsight_core::{Principal, TenantId, Transaction, TransactionId, UserId, ValidationError};
use finsight_mlops::registry::Moved;
use finsight_mlops::training::TrainReport;
use finsight_mlops::{CHAMPION, MlopsError, millis};
use finsight_models::TrainOptions;
use finsight_store::{
    Categorization, Experiment, ModelVersion, Page, RegisteredModel, ReviewCursor, Run,
};

use crate::{ServiceError, Services};
use finsight_core::Action;

/// One transaction waiting for its person's decision, with the
/// categorizer's suggestion.
#[derive(Debug, Clone)]
pub struct ReviewItem {
    pub transaction: Transaction,
    pub suggestion: Categorization,
}

/// Where a transaction's category came from.
#[derive(Debug, Clone)]
pub struct Lineage {
    pub categorization: Categorization,
    pub version: Option<ModelVersion>,
    /// The training run: its parameters, metrics and tags (the training
    /// set's fingerprint and time range, the code version).
    pub run: Option<Run>,
}

impl From<MlopsError> for ServiceError {
    fn from(error: MlopsError) -> Self {
        match error {
            MlopsError::Store(e) => e.into(),
            MlopsError::Nothing(reason) => ValidationError::new("model", reason).into(),
            other => ServiceError::Unavailable(other.to_string()),
        }
    }
}

impl Services {
    fn may_track(principal: &Principal) -> Result<TenantId, ServiceError> {
        if principal.may_track_models() {
            Ok(principal.tenant())
        } else {
            Err(ServiceError::NotFound("model registry"))
        }
    }

    fn may_promote(principal: &Principal) -> Result<TenantId, ServiceError> {
        if principal.may_promote_models() {
            Ok(principal.tenant())
        } else if principal.may_track_models() {
            Err(ServiceError::Forbidden(
                "training and moving the champion need an admin",
            ))
        } else {
            Err(ServiceError::NotFound("model registry"))
        }
    }

    /// Trains the tenant's categorizer, records the run and promotes it if
    /// the rule says so.
    pub async fn train_categorizer(
        &self,
        principal: &Principal,
        options: TrainOptions,
    ) -> Result<TrainReport, ServiceError> {
        let tenant = Self::may_promote(principal)?;
        let report = finsight_mlops::training::train_categorizer(
            self.store.as_ref(),
            tenant,
            &principal.actor(),
            self.clock.now(),
            options,
        )
        .await?;
        self.audit_write(
            principal,
            "model.train",
            &format!("model:categorizer/{}", report.version),
            &format!(
                "run {}; holdout macro-F1 {:.4} (baseline {:.4}); {}",
                report.run_id,
                report.candidate.macro_f1,
                report.baseline.macro_f1,
                if report.promoted {
                    "promoted"
                } else {
                    "not promoted"
                }
            ),
        )
        .await?;
        if report.promoted {
            self.audit_write(
                principal,
                "model.promote",
                &format!("model:categorizer/{}", report.version),
                CHAMPION,
            )
            .await?;
        }
        Ok(report)
    }

    pub async fn promote_model(
        &self,
        principal: &Principal,
        name: &str,
        version: i64,
        alias: &str,
    ) -> Result<Moved, ServiceError> {
        let tenant = if alias == CHAMPION {
            Self::may_promote(principal)?
        } else {
            Self::may_track(principal)?
        };
        check_alias(alias)?;
        if self
            .store
            .model_version(tenant, name, version)
            .await?
            .is_none()
        {
            return Err(ServiceError::NotFound("model version"));
        }
        let moved = finsight_mlops::registry::promote(
            self.store.as_ref(),
            tenant,
            name,
            version,
            alias,
            millis(self.clock.now()),
        )
        .await?;
        self.audit_write(
            principal,
            "model.promote",
            &format!("model:{name}/{version}"),
            &format!("{alias} (was {})", describe(moved.from)),
        )
        .await?;
        Ok(moved)
    }

    pub async fn rollback_model(
        &self,
        principal: &Principal,
        name: &str,
        alias: &str,
    ) -> Result<Moved, ServiceError> {
        let tenant = if alias == CHAMPION {
            Self::may_promote(principal)?
        } else {
            Self::may_track(principal)?
        };
        let moved = finsight_mlops::registry::rollback(
            self.store.as_ref(),
            tenant,
            name,
            alias,
            millis(self.clock.now()),
        )
        .await?;
        self.audit_write(
            principal,
            "model.rollback",
            &format!("model:{name}/{}", moved.to),
            &format!("{alias} (was {})", describe(moved.from)),
        )
        .await?;
        Ok(moved)
    }

    /// Removes an alias (an audit entry).
    pub async fn delete_model_alias(
        &self,
        principal: &Principal,
        name: &str,
        alias: &str,
    ) -> Result<Option<i64>, ServiceError> {
        let tenant = if alias == CHAMPION {
            Self::may_promote(principal)?
        } else {
            Self::may_track(principal)?
        };
        if self.store.registered_model(tenant, name).await?.is_none() {
            return Err(ServiceError::NotFound("registered model"));
        }
        let removed = self
            .store
            .delete_alias(tenant, name, alias, millis(self.clock.now()))
            .await?;
        self.audit_write(
            principal,
            "model.alias.delete",
            &format!("model:{name}"),
            &format!("{alias} (was {})", describe(removed)),
        )
        .await?;
        Ok(removed)
    }

    pub async fn registered_models(
        &self,
        principal: &Principal,
        page: Page,
    ) -> Result<Vec<RegisteredModel>, ServiceError> {
        let tenant = Self::may_track(principal)?;
        Ok(self.store.registered_models(tenant, page).await?)
    }

    pub async fn registered_model(
        &self,
        principal: &Principal,
        name: &str,
    ) -> Result<RegisteredModel, ServiceError> {
        let tenant = Self::may_track(principal)?;
        self.store
            .registered_model(tenant, name)
            .await?
            .ok_or(ServiceError::NotFound("registered model"))
    }

    pub async fn model_versions(
        &self,
        principal: &Principal,
        name: Option<&str>,
        page: Page,
    ) -> Result<Vec<ModelVersion>, ServiceError> {
        let tenant = Self::may_track(principal)?;
        Ok(self.store.model_versions(tenant, name, page).await?)
    }

    pub async fn experiments(
        &self,
        principal: &Principal,
        page: Page,
    ) -> Result<Vec<Experiment>, ServiceError> {
        let tenant = Self::may_track(principal)?;
        Ok(self.store.experiments(tenant, page).await?)
    }

    /// Runs of the named experiments (all of the tenant's when none is
    /// named), newest first.
    pub async fn runs(
        &self,
        principal: &Principal,
        experiment_ids: Option<Vec<String>>,
        page: Page,
    ) -> Result<Vec<Run>, ServiceError> {
        let tenant = Self::may_track(principal)?;
        let ids = match experiment_ids {
            Some(ids) => ids,
            None => self
                .store
                .experiments(
                    tenant,
                    Page {
                        offset: 0,
                        limit: 1000,
                    },
                )
                .await?
                .into_iter()
                .map(|e| e.id)
                .collect(),
        };
        Ok(self.store.runs(tenant, &ids, page).await?)
    }

    pub async fn run(&self, principal: &Principal, id: &str) -> Result<Run, ServiceError> {
        let tenant = Self::may_track(principal)?;
        self.store
            .run(tenant, id)
            .await?
            .ok_or(ServiceError::NotFound("run"))
    }

    /// The person's transactions whose category waits for them, oldest
    /// first, each with the categorizer's suggestion.
    pub async fn review_queue(
        &self,
        principal: &Principal,
        user: Option<UserId>,
        after: Option<ReviewCursor>,
        limit: u32,
    ) -> Result<Vec<ReviewItem>, ServiceError> {
        if !(1..=1000).contains(&limit) {
            return Err(ValidationError::new("limit", "must be 1 to 1000").into());
        }
        let user = Self::subject_user(principal, user)?;
        self.authorize_user(principal, user, Action::Read, "user")
            .await?;
        let waiting = self.store.review_queue(&[user], after, limit).await?;
        let ids: Vec<TransactionId> = waiting.iter().map(|c| c.transaction_id).collect();
        let mut transactions = self.store.transactions_by_id(&ids).await?;
        let mut items = Vec::with_capacity(waiting.len());
        for suggestion in waiting {
            if let Some(at) = transactions
                .iter()
                .position(|t| t.id == suggestion.transaction_id)
            {
                items.push(ReviewItem {
                    transaction: transactions.swap_remove(at),
                    suggestion,
                });
            }
        }
        Ok(items)
    }

    /// Which model, run, data and code categorized a transaction.
    pub async fn lineage(
        &self,
        principal: &Principal,
        id: TransactionId,
    ) -> Result<Lineage, ServiceError> {
        let transaction = self
            .visible_transaction(principal, id, Action::Read)
            .await?;
        let categorization = self
            .store
            .categorization_of(transaction.id)
            .await?
            .ok_or(ServiceError::NotFound("categorization"))?;
        let tenant = categorization.tenant;
        let version = self
            .store
            .model_version(tenant, &categorization.model, categorization.version)
            .await?;
        let run = match version.as_ref().and_then(|v| v.run_id.as_deref()) {
            Some(run_id) => self.store.run(tenant, run_id).await?,
            None => None,
        };
        Ok(Lineage {
            categorization,
            version,
            run,
        })
    }
}

fn describe(version: Option<i64>) -> String {
    version.map_or_else(|| "unset".to_owned(), |v| format!("version {v}"))
}

/// An alias: 1 to 64 letters, digits, `-` or `_`.
pub fn check_alias(alias: &str) -> Result<(), ServiceError> {
    let valid = (1..=64).contains(&alias.len())
        && alias
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if valid {
        Ok(())
    } else {
        Err(ValidationError::new("alias", "must be 1 to 64 letters, digits, - or _").into())
    }
}
