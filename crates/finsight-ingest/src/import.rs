//! The import service: one file (or one request body) in, validated
//! transactions and quarantine entries out, written in bounded atomic
//! batches. Re-importing the same file adds nothing: records are
//! recognised by fingerprint, bad records by their quarantine id.

use std::collections::HashMap;
use std::sync::Arc;

use finsight_core::pan::mask_card_numbers;
use finsight_core::{
    Account, AccountId, Clock, IdentifiedTransaction, SourceName, Taxonomy, UserId, ValidationError,
};
use finsight_store::{ImportRun, QuarantineEntry, ReferenceBinding, Store, StoreError};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::csv::CsvProfile;
use crate::format::{self, FileFormat};
use crate::record::{FileError, ParsedFile, ParsedRecord, RecordError};
use crate::validate::Validator;

/// Records per atomic write: bounds memory and the work a crash can undo.
pub const BATCH_RECORDS: usize = 10_000;

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// Nothing in the file could be read.
    #[error(transparent)]
    File(#[from] FileError),
    /// The request itself is wrong (unknown account, bad profile).
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A parser or validation thread ended without an answer (a panic):
    /// a bug to report, not bad input and not corrupt data.
    #[error("{task} did not finish: {reason}")]
    Task { task: &'static str, reason: String },
}

/// One file to import.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    pub bytes: Vec<u8>,
    /// Where it came from (a file name, an upload's name): kept with
    /// quarantined records and import runs.
    pub origin: String,
    /// `None` detects the format from the content.
    pub format: Option<FileFormat>,
    /// The account every record belongs to; also remembered for the file's
    /// own account name, so the next import of that bank finds it.
    pub account: Option<AccountId>,
    /// Without `account`: the person the file belongs to. The file's own
    /// account information finds the account among their household's, or
    /// opens one for them (see `accounts.rs`).
    pub owner: Option<UserId>,
    /// A CSV profile to use instead of detecting one.
    pub profile: Option<CsvProfile>,
}

/// At most this many rejections are itemised in a report (all of them
/// are in quarantine).
pub const MAX_ITEMISED_REJECTIONS: usize = 100;

/// What writing a set of parsed records did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngestReport {
    pub accepted: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    pub run_id: Uuid,
    /// The first rejected records: where, which field, why.
    pub rejected: Vec<RecordError>,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub format: FileFormat,
    pub encoding: &'static str,
    pub accepted: u64,
    pub duplicates: u64,
    pub quarantined: u64,
    /// The CSV profile used (detected or given), to save for next time.
    pub profile: Option<CsvProfile>,
    pub run_id: Uuid,
    /// Accounts the file's records went to, when found by policy.
    pub accounts: Vec<Account>,
    /// Those of them opened by this import.
    pub opened_accounts: Vec<Account>,
}

/// Accounts found for the references records use.
#[derive(Debug, Default)]
pub(crate) struct ResolvedRefs {
    pub known: HashMap<String, Account>,
    /// References bound to accounts of several households.
    pub ambiguous: std::collections::HashSet<String>,
}

pub struct Importer {
    store: Arc<dyn Store>,
    taxonomy: Taxonomy,
    clock: Arc<dyn Clock>,
}

/// A quarantine entry for a record that failed to parse or validate.
pub(crate) fn quarantine_entry(
    source: &str,
    origin: &str,
    error: &RecordError,
    record: Option<&ParsedRecord>,
    account: Option<AccountId>,
) -> QuarantineEntry {
    QuarantineEntry {
        source: source.to_owned(),
        origin: origin.to_owned(),
        location: error.location.clone(),
        // No card number is ever stored, not even in quarantine.
        raw: mask_card_numbers(&error.raw).into_owned(),
        field: error.field.clone(),
        reason: mask_card_numbers(&error.reason).into_owned(),
        record: record
            .and_then(|r| serde_json::to_string(r).ok())
            .map(|json| mask_card_numbers(&json).into_owned()),
        account_id: account,
    }
}

impl Importer {
    pub fn new(store: Arc<dyn Store>, taxonomy: Taxonomy, clock: Arc<dyn Clock>) -> Self {
        Self {
            store,
            taxonomy,
            clock,
        }
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// An account that must exist (an error naming `account` otherwise).
    pub async fn account(&self, id: AccountId) -> Result<Account, ImportError> {
        Ok(self.store.account(id).await?.ok_or_else(|| {
            ValidationError::new("account", format!("account {id} does not exist"))
        })?)
    }

    /// Accounts by every name a record may use for them: our own account
    /// ids as text (which always mean that account), then references
    /// learnt from earlier imports. A reference bound in several
    /// households is ambiguous and never guessed.
    pub(crate) async fn accounts_by_ref(
        &self,
        records: &[ParsedRecord],
    ) -> Result<ResolvedRefs, StoreError> {
        let mut resolved = ResolvedRefs::default();
        let mut cache: HashMap<AccountId, Option<Account>> = HashMap::new();
        let mut wanted: Vec<&str> = records
            .iter()
            .filter_map(|r| r.account_ref.as_deref())
            .map(str::trim)
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        for reference in wanted {
            let candidates = match AccountId::parse(reference) {
                Ok(id) => vec![id],
                Err(_) => self.store.accounts_for_reference(reference).await?,
            };
            if candidates.len() > 1 {
                resolved.ambiguous.insert(reference.to_owned());
                continue;
            }
            let Some(id) = candidates.first().copied() else {
                continue;
            };
            let account = match cache.get(&id) {
                Some(known) => known.clone(),
                None => {
                    let loaded = self.store.account(id).await?;
                    cache.insert(id, loaded.clone());
                    loaded
                }
            };
            if let Some(account) = account {
                resolved.known.insert(reference.to_owned(), account);
            }
        }
        Ok(resolved)
    }

    /// Remembers the file's own name for the account it is imported into,
    /// so the next import of that bank finds it. A reference already bound
    /// to another account of the household is never rebound: the import is
    /// refused (every record quarantined with the reason). Our own account
    /// ids are never learnt as references.
    async fn bind_reference(
        &self,
        reference: &str,
        account: &Account,
    ) -> Result<Option<ValidationError>, StoreError> {
        let reference = reference.trim();
        if reference.is_empty() || AccountId::parse(reference).is_ok() {
            return Ok(None);
        }
        Ok(
            match self
                .store
                .bind_account_reference(reference, account.id)
                .await?
            {
                ReferenceBinding::Bound | ReferenceBinding::Unchanged => None,
                ReferenceBinding::Conflict => Some(ValidationError::new(
                    "account_id",
                    format!(
                        "the file names account {reference:?}, which belongs to another account of this household; import it into that account, or retry these records with the account to use"
                    ),
                )),
            },
        )
    }

    /// Imports one file. The clock stamps quarantine entries and the run;
    /// its date is "today" for the posting-date sanity check.
    pub async fn import(&self, request: ImportRequest) -> Result<ImportOutcome, ImportError> {
        let now = self.clock.now();
        let started_at = now;
        let account = match request.account {
            Some(id) => Some(self.account(id).await?),
            None => None,
        };
        let owner = match (request.owner, &account) {
            (Some(user), None) => Some(self.owner(user).await?),
            _ => None,
        };
        let ImportRequest {
            bytes,
            origin,
            format,
            profile,
            ..
        } = request;
        let file_name = origin.clone();
        let (parsed, used_profile, format, encoding) = tokio::task::spawn_blocking(move || {
            let decoded = crate::decode(&bytes);
            let format = format.unwrap_or_else(|| format::detect(&decoded.text, Some(&file_name)));
            format::parse(&decoded.text, format, profile.as_ref())
                .map(|(parsed, profile)| (parsed, profile, format, decoded.encoding))
        })
        .await
        .map_err(|e| ImportError::Task {
            task: "parser",
            reason: e.to_string(),
        })??;

        let source = SourceName::parse(format.as_str()).expect("format names are source names");
        let owned = match &owner {
            Some(owner) => Some(
                self.accounts_of_owner(owner, &parsed, format.as_str())
                    .await?,
            ),
            None => None,
        };
        let (accounts, opened_accounts) = owned
            .as_ref()
            .map(|o| {
                let mut found: Vec<Account> = o.by_ref.values().cloned().collect();
                found.sort_by_key(|a| a.id);
                found.dedup_by_key(|a| a.id);
                (found, o.opened.clone())
            })
            .unwrap_or_default();
        let resolved = owned.map(|o| ResolvedRefs {
            known: o.by_ref,
            ambiguous: Default::default(),
        });
        let report = self
            .ingest_resolved(parsed, source, origin, account, resolved, started_at, true)
            .await?;
        Ok(ImportOutcome {
            format,
            encoding,
            accepted: report.accepted,
            duplicates: report.duplicates,
            quarantined: report.quarantined,
            profile: used_profile,
            run_id: report.run_id,
            accounts,
            opened_accounts,
        })
    }

    /// Validates and writes records already parsed from any source (a
    /// file, an API request, a Kafka batch), quarantining the bad ones, and
    /// records the run for data-quality monitoring.
    /// `record_run` is false for streams, whose batches are not imports.
    pub async fn ingest_parsed(
        &self,
        parsed: ParsedFile,
        source: SourceName,
        origin: String,
        account: Option<Account>,
        started_at: OffsetDateTime,
        record_run: bool,
    ) -> Result<IngestReport, ImportError> {
        self.ingest_resolved(
            parsed, source, origin, account, None, started_at, record_run,
        )
        .await
    }

    /// [`Importer::ingest_parsed`] with the records' account references
    /// already resolved (`Some`: only these accounts may be used).
    #[allow(clippy::too_many_arguments)]
    async fn ingest_resolved(
        &self,
        mut parsed: ParsedFile,
        source: SourceName,
        origin: String,
        account: Option<Account>,
        resolved: Option<ResolvedRefs>,
        started_at: OffsetDateTime,
        record_run: bool,
    ) -> Result<IngestReport, ImportError> {
        let now = started_at;
        let refusal = match (&account, &parsed.account_ref) {
            (Some(account), Some(reference)) => self.bind_reference(reference, account).await?,
            _ => None,
        };
        let by_ref = match resolved {
            Some(resolved) => resolved,
            None => self.accounts_by_ref(&parsed.records).await?,
        };
        let account_id = account.as_ref().map(|a| a.id);
        let mut outcome = IngestReport {
            accepted: 0,
            duplicates: 0,
            quarantined: 0,
            run_id: Uuid::new_v4(),
            rejected: Vec::new(),
        };

        // Validation runs on a blocking thread, one batch ahead of the
        // writes, so both cores work.
        let (sender, mut receiver) =
            tokio::sync::mpsc::channel::<(Vec<IdentifiedTransaction>, Vec<QuarantineEntry>)>(2);
        let taxonomy = self.taxonomy.clone();
        let columns = std::mem::take(&mut parsed.columns);
        let validation_source = source.clone();
        let validation_origin = origin.clone();
        let today = now.date();
        let validating = tokio::task::spawn_blocking(move || {
            let source = validation_source;
            let mut validator = Validator::new(
                today,
                source.clone(),
                &taxonomy,
                account.as_ref(),
                &by_ref.known,
            )
            .with_ambiguous(&by_ref.ambiguous)
            .refusing_all(refusal);
            let mut quarantine: Vec<QuarantineEntry> = parsed
                .errors
                .iter()
                .map(|e| quarantine_entry(source.as_str(), &validation_origin, e, None, account_id))
                .collect();
            for chunk in parsed.records.chunks(BATCH_RECORDS) {
                let mut good = Vec::with_capacity(chunk.len());
                for record in chunk {
                    match validator.validate_identified(record) {
                        Ok(transaction) => good.push(transaction),
                        Err(error) => quarantine.push(quarantine_entry(
                            source.as_str(),
                            &validation_origin,
                            &error,
                            Some(record),
                            account_id,
                        )),
                    }
                }
                if sender
                    .blocking_send((good, std::mem::take(&mut quarantine)))
                    .is_err()
                {
                    return;
                }
            }
            if !quarantine.is_empty() {
                let _ = sender.blocking_send((Vec::new(), quarantine));
            }
        });
        // Three stages overlap: validation (a blocking thread) runs one
        // batch ahead, and the next batch is sealed (encrypted) while the
        // previous one is being written.
        let mut sealed: Option<finsight_store::SealedBatch> = None;
        loop {
            let next = receiver.recv().await;
            if next.is_none() && sealed.is_none() {
                break;
            }
            let next = next.map(|(good, quarantine)| {
                let itemised: Vec<RecordError> = quarantine
                    .iter()
                    .take(MAX_ITEMISED_REJECTIONS.saturating_sub(outcome.rejected.len()))
                    .map(|q| RecordError {
                        location: q.location.clone(),
                        raw: String::new(),
                        field: q.field.clone(),
                        reason: q.reason.clone(),
                    })
                    .collect();
                outcome.quarantined += quarantine.len() as u64;
                outcome.rejected.extend(itemised);
                (good, quarantine)
            });
            let write = async {
                match sealed.take() {
                    Some(batch) => self.store.write_sealed_batch(batch, now).await.map(Some),
                    None => Ok(None),
                }
            };
            let seal = async {
                match next {
                    Some((good, quarantine)) => {
                        self.store.seal_batch(good, quarantine).await.map(Some)
                    }
                    None => Ok(None),
                }
            };
            let (written, next_sealed) = tokio::join!(write, seal);
            if let Some(report) = written? {
                outcome.accepted += report.ledger.inserted;
                outcome.duplicates += report.ledger.duplicates;
            }
            sealed = next_sealed?;
        }
        validating.await.map_err(|e| ImportError::Task {
            task: "validation",
            reason: e.to_string(),
        })?;
        if !record_run {
            record_metrics(source.as_str(), &outcome);
            return Ok(outcome);
        }
        let finished_at = self.clock.now().max(started_at);
        self.store
            .record_import_run(&ImportRun {
                id: outcome.run_id,
                source: source.as_str().to_owned(),
                origin,
                account_id,
                started_at,
                finished_at,
                accepted: outcome.accepted,
                duplicates: outcome.duplicates,
                quarantined: outcome.quarantined,
                columns,
            })
            .await?;
        record_metrics(source.as_str(), &outcome);
        Ok(outcome)
    }
}

/// `finsight_ingest_records_total{source, outcome}`.
pub(crate) fn record_metrics(source: &str, outcome: &IngestReport) {
    for (name, count) in [
        ("accepted", outcome.accepted),
        ("duplicate", outcome.duplicates),
        ("quarantined", outcome.quarantined),
    ] {
        metrics::counter!(
            "finsight_ingest_records_total",
            "source" => source.to_owned(),
            "outcome" => name
        )
        .increment(count);
    }
}

/// What retrying a quarantined record did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryOutcome {
    /// It is in the ledger now (or already was: `duplicate`).
    Resolved {
        transaction_id: finsight_core::TransactionId,
        duplicate: bool,
    },
    /// It still fails; the entry carries the new reason.
    StillInvalid { field: String, reason: String },
}

impl Importer {
    /// Validates a quarantined record again — with `account` if given (for
    /// records whose account was unknown), else with the account its import
    /// named and the aliases known now — and moves it to the ledger if it
    /// passes.
    pub async fn retry(
        &self,
        id: Uuid,
        account: Option<AccountId>,
    ) -> Result<RetryOutcome, ImportError> {
        let now = self.clock.now();
        let quarantined = self
            .store
            .quarantined_record(id)
            .await?
            .ok_or_else(|| ValidationError::new("id", format!("no quarantined record {id}")))?;
        if quarantined.status != finsight_store::QuarantineStatus::Open {
            return Err(
                ValidationError::new("id", format!("record {id} is already resolved")).into(),
            );
        }
        let entry = &quarantined.entry;
        let record = match &entry.record {
            Some(json) => serde_json::from_str::<ParsedRecord>(json)
                .map_err(|e| StoreError::Corrupt(format!("quarantined record {id}: {e}")))?,
            None if entry.source == FileFormat::Jsonl.as_str() => {
                match crate::jsonl::parse_line(&entry.raw, entry.location.clone()) {
                    Ok(record) => record,
                    Err(error) => {
                        self.store
                            .update_quarantine_reason(id, &error.field, &error.reason)
                            .await?;
                        return Ok(RetryOutcome::StillInvalid {
                            field: error.field,
                            reason: error.reason,
                        });
                    }
                }
            }
            None => {
                return Ok(RetryOutcome::StillInvalid {
                    field: entry.field.clone(),
                    reason: format!(
                        "{} (the record could not be parsed; correct the file and import it again)",
                        entry.reason
                    ),
                });
            }
        };
        let account = match account.or(entry.account_id) {
            Some(id) => Some(self.store.account(id).await?.ok_or_else(|| {
                ValidationError::new("account", format!("account {id} does not exist"))
            })?),
            None => None,
        };
        let by_ref = self.accounts_by_ref(std::slice::from_ref(&record)).await?;
        let source = SourceName::parse(&entry.source)
            .map_err(|e| StoreError::Corrupt(format!("quarantined record {id}: {e}")))?;
        let mut validator = Validator::new(
            now.date(),
            source,
            &self.taxonomy,
            account.as_ref(),
            &by_ref.known,
        )
        .with_ambiguous(&by_ref.ambiguous);
        match validator.validate(&record) {
            Ok(transaction) => {
                let report = self
                    .store
                    .resolve_quarantined(id, &transaction, now)
                    .await?;
                Ok(RetryOutcome::Resolved {
                    transaction_id: transaction.transaction_id(),
                    duplicate: report.inserted == 0,
                })
            }
            Err(error) => {
                self.store
                    .update_quarantine_reason(id, &error.field, &error.reason)
                    .await?;
                Ok(RetryOutcome::StillInvalid {
                    field: error.field,
                    reason: error.reason,
                })
            }
        }
    }
}
