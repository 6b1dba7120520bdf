//! Writes synthetic data the way banks hand it out: one CSV, OFX or QIF
//! file per account, or one JSON Lines file for all of them, with a
//! manifest of the accounts and the anomaly labels beside them.
//!
//! The JSON Lines schema (one object per line, all values strings or null):
//! `account_id` (uuid), `posted_on` (YYYY-MM-DD), `occurred_at` (RFC 3339
//! or null), `amount` (signed decimal, negative is money out), `currency`
//! (ISO 4217), `description`, `merchant`, `mcc` (four digits), `category`
//! (dotted path), `source`, `source_ref`.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use finsight_core::{Account, AccountKind, NewTransaction};
use serde::Serialize;
use time::format_description::well_known::Rfc3339;

use crate::{AnomalyLabel, SynthError, Synthesizer, UserActivity};

/// A bank export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Ofx,
    Qif,
    Jsonl,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Ofx => "ofx",
            Format::Qif => "qif",
            Format::Jsonl => "jsonl",
        }
    }
}

/// What [`write_dataset`] wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    pub files: usize,
    pub transactions: usize,
    pub labels: usize,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> SynthError + '_ {
    move |source| SynthError::Io {
        what: path.display().to_string(),
        source,
    }
}

fn create(path: &Path) -> Result<BufWriter<File>, SynthError> {
    File::create(path)
        .map(BufWriter::new)
        .map_err(io_error(path))
}

/// Generates every user and writes the files into `dir` (created if
/// missing). `on_user` is called after each user, for progress display.
pub fn write_dataset(
    synth: &Synthesizer,
    format: Format,
    dir: &Path,
    mut on_user: impl FnMut(usize),
) -> Result<ExportSummary, SynthError> {
    std::fs::create_dir_all(dir).map_err(io_error(dir))?;
    let mut summary = ExportSummary::default();
    let manifest_path = dir.join("accounts.csv");
    let mut manifest = csv::Writer::from_writer(create(&manifest_path)?);
    let labels_path = dir.join("anomaly-labels.csv");
    let mut labels = create(&labels_path)?;
    write_label_header(&mut labels).map_err(io_error(&labels_path))?;
    let jsonl_path = dir.join("transactions.jsonl");
    let mut jsonl = if format == Format::Jsonl {
        summary.files += 1;
        Some(create(&jsonl_path)?)
    } else {
        None
    };
    manifest
        .write_record([
            "file",
            "account_id",
            "user_id",
            "display_name",
            "persona",
            "kind",
            "currency",
            "institution",
            "name",
        ])
        .map_err(|e| SynthError::Io {
            what: manifest_path.display().to_string(),
            source: e.into(),
        })?;
    for (index, profile) in synth.profiles().iter().enumerate() {
        let activity = synth.generate_user(index);
        for account in &profile.accounts {
            let records: Vec<&NewTransaction> = activity
                .transactions
                .iter()
                .filter(|t| t.account_id == account.id)
                .collect();
            let file: PathBuf = match &mut jsonl {
                Some(out) => {
                    write_jsonl(&records, out).map_err(io_error(&jsonl_path))?;
                    jsonl_path
                        .file_name()
                        .map(PathBuf::from)
                        .unwrap_or_default()
                }
                None => {
                    let name = format!(
                        "{index:05}-{}-{}.{}",
                        account.kind,
                        &account.id.to_string()[..8],
                        format.extension()
                    );
                    let path = dir.join(&name);
                    let mut out = create(&path)?;
                    match format {
                        Format::Csv => write_csv(&records, &mut out),
                        Format::Ofx => write_ofx(account, &records, &mut out),
                        Format::Qif => write_qif(account, &records, &mut out),
                        Format::Jsonl => unreachable!("handled above"),
                    }
                    .and_then(|()| out.flush())
                    .map_err(io_error(&path))?;
                    summary.files += 1;
                    PathBuf::from(name)
                }
            };
            manifest
                .write_record([
                    file.display().to_string(),
                    account.id.to_string(),
                    profile.user.id.to_string(),
                    profile.user.display_name.clone(),
                    profile.persona.as_str().to_owned(),
                    account.kind.to_string(),
                    account.currency.to_string(),
                    account.institution.clone(),
                    account.name.clone(),
                ])
                .map_err(|e| SynthError::Io {
                    what: manifest_path.display().to_string(),
                    source: e.into(),
                })?;
        }
        write_labels(&activity, &mut labels).map_err(io_error(&labels_path))?;
        summary.transactions += activity.transactions.len();
        summary.labels += activity.labels.len();
        on_user(index);
    }
    if let Some(mut out) = jsonl {
        out.flush().map_err(io_error(&jsonl_path))?;
    }
    manifest.flush().map_err(io_error(&manifest_path))?;
    labels.flush().map_err(io_error(&labels_path))?;
    Ok(summary)
}

pub fn write_label_header(out: &mut impl Write) -> std::io::Result<()> {
    writeln!(out, "transaction_id,user_id,account_id,kind,incident")
}

/// Appends the activity's anomaly labels as CSV rows.
pub fn write_labels(activity: &UserActivity, out: &mut impl Write) -> std::io::Result<()> {
    for AnomalyLabel {
        transaction_id,
        user_id,
        account_id,
        kind,
        incident,
    } in &activity.labels
    {
        writeln!(
            out,
            "{transaction_id},{user_id},{account_id},{},{incident}",
            kind.as_str()
        )?;
    }
    Ok(())
}

/// A generic bank CSV: ISO dates, signed amounts, the bank's category.
pub fn write_csv(records: &[&NewTransaction], out: &mut impl Write) -> std::io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    writer.write_record([
        "Date",
        "Description",
        "Amount",
        "Currency",
        "Category",
        "MCC",
        "Reference",
    ])?;
    for record in records {
        writer.write_record([
            record.posted_on.to_string(),
            record.description.to_string(),
            record.amount.amount_text(),
            record.amount.currency().to_string(),
            record
                .category
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
            record.mcc.map(|m| m.to_string()).unwrap_or_default(),
            record.source_ref.clone().unwrap_or_default(),
        ])?;
    }
    writer.flush()
}

fn ofx_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn ofx_date(record: &NewTransaction) -> String {
    let d = record.posted_on.date();
    format!("{:04}{:02}{:02}", d.year(), d.month() as u8, d.day())
}

/// OFX 1.02 (SGML, unclosed leaf tags), as most banks still serve it.
/// Credit cards use the credit-card statement aggregate.
pub fn write_ofx(
    account: &Account,
    records: &[&NewTransaction],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let first = records.first().map(|r| ofx_date(r)).unwrap_or_default();
    let last = records.last().map(|r| ofx_date(r)).unwrap_or_default();
    let balance = records
        .iter()
        .try_fold(finsight_core::Money::zero(account.currency), |sum, r| {
            sum.checked_add(&r.amount)
        })
        .map(|m| m.amount_text())
        .unwrap_or_default();
    let card = account.kind == AccountKind::CreditCard;
    write!(
        out,
        "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:UTF-8\r\n\
         CHARSET:NONE\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n"
    )?;
    writeln!(out, "<OFX>")?;
    writeln!(
        out,
        "<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS><DTSERVER>{last}<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>"
    )?;
    let account_id = account.id.as_uuid().simple().to_string();
    if card {
        writeln!(
            out,
            "<CREDITCARDMSGSRSV1><CCSTMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>"
        )?;
        writeln!(
            out,
            "<CCSTMTRS><CURDEF>{}<CCACCTFROM><ACCTID>{account_id}</CCACCTFROM>",
            account.currency
        )?;
    } else {
        let kind = match account.kind {
            AccountKind::Savings => "SAVINGS",
            AccountKind::Loan => "CREDITLINE",
            _ => "CHECKING",
        };
        writeln!(
            out,
            "<BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>"
        )?;
        writeln!(
            out,
            "<STMTRS><CURDEF>{}<BANKACCTFROM><BANKID>{}<ACCTID>{account_id}<ACCTTYPE>{kind}</BANKACCTFROM>",
            account.currency,
            ofx_escape(&account.institution.to_uppercase())
        )?;
    }
    writeln!(out, "<BANKTRANLIST><DTSTART>{first}<DTEND>{last}")?;
    for record in records {
        let kind = if record.amount.is_negative() {
            "DEBIT"
        } else {
            "CREDIT"
        };
        let description = record.description.as_str();
        let name: String = description.chars().take(32).collect();
        writeln!(out, "<STMTTRN>")?;
        writeln!(out, "<TRNTYPE>{kind}")?;
        writeln!(out, "<DTPOSTED>{}", ofx_date(record))?;
        writeln!(out, "<TRNAMT>{}", record.amount.amount_text())?;
        writeln!(
            out,
            "<FITID>{}",
            ofx_escape(record.source_ref.as_deref().unwrap_or(""))
        )?;
        if let Some(mcc) = record.mcc {
            writeln!(out, "<SIC>{mcc}")?;
        }
        writeln!(out, "<NAME>{}", ofx_escape(&name))?;
        if name.len() < description.len() {
            writeln!(out, "<MEMO>{}", ofx_escape(description))?;
        }
        writeln!(out, "</STMTTRN>")?;
    }
    writeln!(out, "</BANKTRANLIST>")?;
    writeln!(
        out,
        "<LEDGERBAL><BALAMT>{balance}<DTASOF>{last}</LEDGERBAL>"
    )?;
    if card {
        writeln!(out, "</CCSTMTRS></CCSTMTTRNRS></CREDITCARDMSGSRSV1>")?;
    } else {
        writeln!(out, "</STMTRS></STMTTRNRS></BANKMSGSRSV1>")?;
    }
    writeln!(out, "</OFX>")
}

/// QIF with US dates (`MM/DD/YYYY`), as Quicken writes it; the category
/// path is written with `:` between levels.
pub fn write_qif(
    account: &Account,
    records: &[&NewTransaction],
    out: &mut impl Write,
) -> std::io::Result<()> {
    let header = match account.kind {
        AccountKind::CreditCard => "!Type:CCard",
        AccountKind::Cash => "!Type:Cash",
        AccountKind::Loan => "!Type:Oth L",
        _ => "!Type:Bank",
    };
    writeln!(out, "{header}")?;
    for record in records {
        let d = record.posted_on.date();
        writeln!(
            out,
            "D{:02}/{:02}/{:04}",
            d.month() as u8,
            d.day(),
            d.year()
        )?;
        writeln!(out, "T{}", record.amount.amount_text())?;
        writeln!(out, "P{}", record.description)?;
        if let Some(category) = &record.category {
            writeln!(out, "L{}", category.as_str().replace('.', ":"))?;
        }
        if let Some(reference) = &record.source_ref {
            writeln!(out, "N{reference}")?;
        }
        writeln!(out, "^")?;
    }
    Ok(())
}

/// One line of the JSON Lines format.
#[derive(Serialize)]
struct JsonlRecord<'a> {
    account_id: String,
    posted_on: String,
    occurred_at: Option<String>,
    amount: String,
    currency: &'static str,
    description: &'a str,
    merchant: Option<&'a str>,
    mcc: Option<String>,
    category: Option<&'a str>,
    source: &'a str,
    source_ref: Option<&'a str>,
}

/// One record as a JSON Lines object (without the newline).
pub fn jsonl_line(record: &NewTransaction) -> String {
    serde_json::to_string(&jsonl_record(record)).expect("a record always serialises")
}

fn jsonl_record(record: &NewTransaction) -> JsonlRecord<'_> {
    JsonlRecord {
        account_id: record.account_id.to_string(),
        posted_on: record.posted_on.to_string(),
        occurred_at: record.occurred_at.and_then(|t| t.format(&Rfc3339).ok()),
        amount: record.amount.amount_text(),
        currency: record.amount.currency().code(),
        description: record.description.as_str(),
        merchant: record.merchant.as_deref(),
        mcc: record.mcc.map(|m| m.to_string()),
        category: record.category.as_ref().map(|c| c.as_str()),
        source: record.source.as_str(),
        source_ref: record.source_ref.as_deref(),
    }
}

pub fn write_jsonl(records: &[&NewTransaction], out: &mut impl Write) -> std::io::Result<()> {
    for record in records {
        serde_json::to_writer(&mut *out, &jsonl_record(record))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}
