//! Ingestion use-cases the API offers: a batch of records into an account,
//! and a bank file into an account or — by policy — into the account the
//! file's own account information finds for its owner. Authorization comes
//! first and separately (`authorize_account`, `authorize_upload`), so the
//! HTTP layer can authorize before it replays an idempotent answer; the
//! work itself imports and writes the audit entry.

use finsight_core::{Account, AccountId, Action, Principal, SourceName, UserId};
use finsight_ingest::format::FileFormat;
use finsight_ingest::import::{ImportError, ImportOutcome, ImportRequest, IngestReport};
use finsight_ingest::record::ParsedFile;
use finsight_store::StoreError;

use crate::{ServiceError, Services};

/// Where an upload goes, once authorized.
#[derive(Debug, Clone)]
pub enum UploadTarget {
    /// The account named (the caller may write it).
    Account(Account),
    /// The person whose file it is: the file's own account information
    /// finds or opens the account among their household's.
    Owner(UserId),
}

impl UploadTarget {
    /// Identifies the target in an idempotency hash.
    pub fn key(&self) -> String {
        match self {
            Self::Account(account) => account.id.to_string(),
            Self::Owner(user) => format!("user:{user}"),
        }
    }
}

impl From<ImportError> for ServiceError {
    fn from(error: ImportError) -> Self {
        match error {
            ImportError::File(error) => {
                finsight_core::ValidationError::new("file", error.to_string()).into()
            }
            ImportError::Invalid(error) => error.into(),
            ImportError::Store(error) => error.into(),
            ImportError::Task { task, reason } => StoreError::Task { task, reason }.into(),
        }
    }
}

fn report_detail(accepted: u64, duplicates: u64, quarantined: u64) -> String {
    format!("accepted={accepted} duplicates={duplicates} quarantined={quarantined}")
}

impl Services {
    /// An upload names an account the caller may write, or — without one —
    /// whose file it is (`user`, default the signed-in person).
    pub async fn authorize_upload(
        &self,
        principal: &Principal,
        account: Option<AccountId>,
        user: Option<UserId>,
    ) -> Result<UploadTarget, ServiceError> {
        Ok(match account {
            Some(id) => {
                UploadTarget::Account(self.authorize_account(principal, id, Action::Write).await?)
            }
            None => UploadTarget::Owner(self.authorize_import_owner(principal, user).await?),
        })
    }

    /// Writes parsed records into an authorized account, quarantining bad
    /// ones; an audit entry `batch` names `origin`.
    pub async fn ingest_batch(
        &self,
        principal: &Principal,
        account: Account,
        parsed: ParsedFile,
        origin: String,
    ) -> Result<IngestReport, ServiceError> {
        let source = SourceName::parse("api").expect("valid source name");
        let report = self
            .importer
            .ingest_parsed(
                parsed,
                source,
                origin.clone(),
                Some(account),
                self.clock.now(),
                true,
            )
            .await?;
        self.audit_write(
            principal,
            "batch",
            &origin,
            &report_detail(report.accepted, report.duplicates, report.quarantined),
        )
        .await?;
        Ok(report)
    }

    /// Imports a bank file into an authorized target; an audit entry
    /// `import` names the file.
    pub async fn import_upload(
        &self,
        principal: &Principal,
        target: UploadTarget,
        bytes: Vec<u8>,
        file_name: String,
        format: Option<FileFormat>,
    ) -> Result<ImportOutcome, ServiceError> {
        let (account, owner) = match target {
            UploadTarget::Account(account) => (Some(account.id), None),
            UploadTarget::Owner(user) => (None, Some(user)),
        };
        let outcome = self
            .importer
            .import(ImportRequest {
                bytes,
                origin: file_name.clone(),
                format,
                account,
                profile: None,
                owner,
            })
            .await?;
        self.audit_write(
            principal,
            "import",
            &file_name,
            &format!(
                "format={} {}",
                outcome.format,
                report_detail(outcome.accepted, outcome.duplicates, outcome.quarantined)
            ),
        )
        .await?;
        Ok(outcome)
    }
}
