//! Operational views over ingestion — quarantined records and data
//! quality — narrowed to what the principal may see: quarantined records
//! (which hold raw personal text) of accounts it may read, and quality
//! figures (aggregates) of its own tenant for staff and service keys.

use std::collections::HashMap;

use finsight_core::{AccountId, Action, Principal, StaffRole, TenantId};
use finsight_ingest::quality::SourceQuality;
use finsight_store::{
    QuarantineCursor, QuarantinePage, QuarantineQuery, QuarantineScope, QuarantineStatus,
};

use crate::{ServiceError, Services};

impl Services {
    async fn tenant_of_account(&self, id: AccountId) -> Result<Option<TenantId>, ServiceError> {
        let Some(account) = self.store.account(id).await? else {
            return Ok(None);
        };
        Ok(self.store.user(account.user_id).await?.map(|u| u.tenant_id))
    }

    /// Open quarantined records of accounts the principal may read, newest
    /// first, one page of at most `limit` from `before`. The store narrows
    /// to the principal's households (or tenant, for admins — audited —
    /// and service keys) before it limits, so another tenant's records
    /// never crowd anyone's out. Analysts see none (raw personal text).
    pub async fn quarantine(
        &self,
        principal: &Principal,
        before: Option<QuarantineCursor>,
        limit: u32,
    ) -> Result<QuarantinePage, ServiceError> {
        let scope = match principal {
            Principal::Person { user, .. } => QuarantineScope::Person(*user),
            Principal::Staff {
                role: StaffRole::Admin,
                tenant,
                ..
            } => {
                self.audit_staff(principal, Action::Read, "quarantine:all")
                    .await?;
                QuarantineScope::Tenant(*tenant)
            }
            Principal::Service { tenant, .. } | Principal::Operator { tenant } => {
                QuarantineScope::Tenant(*tenant)
            }
            Principal::Staff { .. } => {
                return Ok(QuarantinePage {
                    records: Vec::new(),
                    next: None,
                });
            }
        };
        Ok(self
            .store
            .quarantine_page(&QuarantineQuery {
                scope,
                status: Some(QuarantineStatus::Open),
                before,
                limit,
            })
            .await?)
    }

    /// Ingestion quality per source and account of the principal's tenant.
    pub async fn data_quality(
        &self,
        principal: &Principal,
    ) -> Result<Vec<SourceQuality>, ServiceError> {
        self.authorize_aggregates(principal)?;
        let report = finsight_ingest::quality::data_quality(self.store.as_ref(), self.clock.now())
            .await
            .map_err(ServiceError::Store)?;
        let mut tenants: HashMap<String, Option<TenantId>> = HashMap::new();
        let mut mine = Vec::new();
        for source in report {
            let Some(account) = source.account_id.clone() else {
                continue;
            };
            let tenant = match tenants.get(&account) {
                Some(tenant) => *tenant,
                None => {
                    let tenant = match AccountId::parse(&account) {
                        Ok(id) => self.tenant_of_account(id).await?,
                        Err(_) => None,
                    };
                    tenants.insert(account, tenant);
                    tenant
                }
            };
            if tenant == Some(principal.tenant()) {
                mine.push(source);
            }
        }
        // Analysts see aggregates under pseudonyms, never raw account ids.
        if matches!(
            principal,
            Principal::Staff {
                role: finsight_core::StaffRole::Analyst,
                ..
            }
        ) {
            for source in &mut mine {
                source.account_id = match (&self.analyst_pseudonyms, &source.account_id) {
                    (Some(pseudonyms), Some(id)) => AccountId::parse(id)
                        .ok()
                        .map(|id| pseudonyms.pseudonym("account", id.as_uuid().as_bytes())),
                    _ => None,
                };
            }
        }
        Ok(mine)
    }
}
