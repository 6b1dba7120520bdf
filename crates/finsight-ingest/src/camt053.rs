//! ISO 20022 camt.053 bank-to-customer statements (any version; the
//! namespace is ignored). Each `Ntry` becomes one record — or, for a batch
//! booking with several `TxDtls` that carry their own amounts, one record
//! per transaction detail. `CdtDbtInd` gives the sign, `BookgDt` the posting
//! date (the value date is not the posting date), the counterparty is the
//! creditor for debits and the debtor for credits, and the remittance
//! information becomes the description.

use quick_xml::events::Event;
use quick_xml::reader::Reader;
use time::Date;

use crate::fields::{DateOrder, DecimalStyle, parse_amount, parse_date};
use finsight_core::AccountKind;

use crate::record::{FileAccount, FileError, ParsedFile, ParsedRecord, RecordError, clip_raw};

/// A minimal element tree: local names only, text concatenated.
#[derive(Debug, Default)]
struct Node {
    name: String,
    text: String,
    attributes: Vec<(String, String)>,
    children: Vec<Node>,
    start: usize,
    end: usize,
}

impl Node {
    fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The node at a path of child names.
    fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, name| node.child(name))
    }

    fn text_at(&self, path: &[&str]) -> Option<String> {
        self.at(path)
            .map(|n| n.text.trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn parse_tree(text: &str) -> Result<Node, FileError> {
    let mut reader = Reader::from_str(text);
    let mut stack = vec![Node::default()];
    loop {
        let before = reader.buffer_position() as usize;
        let event = reader.read_event().map_err(|e| {
            FileError::new(
                "camt053",
                format!(
                    "malformed or truncated XML at byte {}: {e}",
                    reader.error_position()
                ),
            )
        })?;
        match event {
            Event::Start(start) => stack.push(element(&start, before)),
            Event::Empty(start) => {
                let mut node = element(&start, before);
                node.end = reader.buffer_position() as usize;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(node);
                }
            }
            Event::End(_) => {
                if stack.len() < 2 {
                    return Err(FileError::new("camt053", "unbalanced closing element"));
                }
                let mut node = stack.pop().expect("checked length");
                node.end = reader.buffer_position() as usize;
                stack.last_mut().expect("root stays").children.push(node);
            }
            Event::Text(t) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(node) = stack.last_mut() {
                    node.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match r.as_ref() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let (Some(c), Some(node)) = (c, stack.last_mut()) {
                    node.text.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if stack.len() != 1 {
        return Err(FileError::new(
            "camt053",
            format!(
                "the document ends inside <{}> (truncated file)",
                stack.last().map(|n| n.name.as_str()).unwrap_or("?")
            ),
        ));
    }
    Ok(stack.pop().expect("root"))
}

fn element(start: &quick_xml::events::BytesStart<'_>, offset: usize) -> Node {
    let mut node = Node {
        name: start.local_name().as_ref().to_owned(),
        start: offset,
        ..Node::default()
    };
    for attribute in start.attributes().flatten() {
        node.attributes.push((
            attribute.key.local_name().as_ref().to_owned(),
            attribute.value.into_owned(),
        ));
    }
    node
}

fn date_of(node: Option<&Node>) -> Option<Date> {
    let node = node?;
    let text = node.text_at(&["Dt"]).or_else(|| {
        node.text_at(&["DtTm"])
            .map(|t| t.chars().take(10).collect())
    })?;
    parse_date(&text, DateOrder::Iso).ok()
}

/// Reads a camt.053 document.
pub fn parse(text: &str) -> Result<ParsedFile, FileError> {
    let root = parse_tree(text)?;
    let document = root
        .children
        .first()
        .ok_or_else(|| FileError::new("camt053", "empty document"))?;
    let statement_root = document.child("BkToCstmrStmt").ok_or_else(|| {
        FileError::new(
            "camt053",
            "no BkToCstmrStmt element (not a camt.053 statement)",
        )
    })?;
    let mut parsed = ParsedFile::default();
    let mut entry_number = 0;
    for statement in statement_root.children("Stmt") {
        let account = statement
            .text_at(&["Acct", "Id", "IBAN"])
            .or_else(|| statement.text_at(&["Acct", "Id", "Othr", "Id"]));
        let currency = statement.text_at(&["Acct", "Ccy"]);
        if parsed.account_ref.is_none() {
            parsed.account_ref = account.clone();
            parsed.currency = currency.clone();
        }
        if let Some(reference) = &account {
            parsed.describe_account(FileAccount {
                reference: reference.clone(),
                currency: currency.clone(),
                kind: statement
                    .text_at(&["Acct", "Tp", "Cd"])
                    .and_then(|code| account_kind(&code)),
                institution: statement
                    .text_at(&["Acct", "Svcr", "FinInstnId", "Nm"])
                    .or_else(|| statement.text_at(&["Acct", "Svcr", "FinInstnId", "BICFI"]))
                    .or_else(|| statement.text_at(&["Acct", "Svcr", "FinInstnId", "BIC"])),
            });
        }
        for entry in statement.children("Ntry") {
            entry_number += 1;
            let location = format!("entry {entry_number}");
            let raw = clip_raw(text.get(entry.start..entry.end).unwrap_or("").trim());
            match entry_records(entry, &location, &raw, &account, &currency) {
                Ok(records) => parsed.records.extend(records),
                Err((field, reason)) => parsed
                    .errors
                    .push(RecordError::new(location, raw, field, reason)),
            }
        }
    }
    Ok(parsed)
}

fn signed(
    amount_node: &Node,
    indicator: Option<&str>,
) -> Result<rust_decimal::Decimal, (String, String)> {
    let amount = parse_amount(amount_node.text.trim(), DecimalStyle::Point)
        .map_err(|r| ("Amt".to_owned(), r))?;
    match indicator {
        Some("DBIT") => Ok(-amount.abs()),
        Some("CRDT") => Ok(amount.abs()),
        other => Err((
            "CdtDbtInd".to_owned(),
            format!("{:?} is not CRDT or DBIT", other.unwrap_or("")),
        )),
    }
}

fn entry_records(
    entry: &Node,
    location: &str,
    raw: &str,
    account: &Option<String>,
    statement_currency: &Option<String>,
) -> Result<Vec<ParsedRecord>, (String, String)> {
    let indicator = entry.text_at(&["CdtDbtInd"]);
    let amount_node = entry
        .child("Amt")
        .ok_or(("Amt".to_owned(), "is missing".to_owned()))?;
    let entry_amount = signed(amount_node, indicator.as_deref())?;
    let currency = amount_node
        .attribute("Ccy")
        .map(str::to_owned)
        .or_else(|| statement_currency.clone());
    let posted_on = date_of(entry.child("BookgDt"))
        .or_else(|| date_of(entry.child("ValDt")))
        .ok_or(("BookgDt".to_owned(), "has no valid Dt or DtTm".to_owned()))?;
    let entry_ref = entry
        .text_at(&["AcctSvcrRef"])
        .or_else(|| entry.text_at(&["NtryRef"]));
    let details: Vec<&Node> = entry
        .children("NtryDtls")
        .flat_map(|d| d.children("TxDtls"))
        .collect();
    let describe = |tx: Option<&Node>| -> (String, Option<String>) {
        let debit = indicator.as_deref() == Some("DBIT");
        let party = tx.and_then(|tx| {
            let (role, name) = if debit {
                ("Cdtr", "Cdtr")
            } else {
                ("Dbtr", "Dbtr")
            };
            tx.text_at(&["RltdPties", role, "Nm"])
                .or_else(|| tx.text_at(&["RltdPties", name, "Pty", "Nm"]))
        });
        let mut parts: Vec<String> = Vec::new();
        if let Some(tx) = tx
            && let Some(info) = tx.child("RmtInf")
        {
            parts.extend(info.children("Ustrd").map(|u| u.text.trim().to_owned()));
            parts.extend(
                info.children("Strd")
                    .filter_map(|s| s.text_at(&["CdtrRefInf", "Ref"])),
            );
        }
        if parts.is_empty()
            && let Some(info) = entry.text_at(&["AddtlNtryInf"])
        {
            parts.push(info);
        }
        let mut description = party.clone().unwrap_or_default();
        for part in parts.into_iter().filter(|p| !p.is_empty()) {
            if !description.is_empty() {
                description.push(' ');
            }
            description.push_str(&part);
        }
        if description.trim().is_empty() {
            // No counterparty, no remittance text: the bank's code says
            // what kind of transaction it was.
            description = bank_transaction_text(tx.unwrap_or(entry), entry, debit);
        }
        (description, party)
    };
    let base = ParsedRecord {
        location: location.to_owned(),
        raw: raw.to_owned(),
        account_ref: account.clone(),
        posted_on,
        occurred_at: None,
        amount: entry_amount,
        currency: currency.clone(),
        description: String::new(),
        merchant: None,
        mcc: None,
        category: None,
        source_ref: entry_ref.clone(),
    };
    fn tx_amount(tx: &Node) -> Option<&Node> {
        tx.child("Amt")
            .or_else(|| tx.at(&["AmtDtls", "TxAmt", "Amt"]))
    }
    if details.len() > 1 && details.iter().all(|tx| tx_amount(tx).is_some()) {
        let mut records = Vec::with_capacity(details.len());
        let mut total = rust_decimal::Decimal::ZERO;
        for (index, tx) in details.iter().enumerate() {
            let tx_indicator = tx.text_at(&["CdtDbtInd"]).or_else(|| indicator.clone());
            let amount = signed(tx_amount(tx).expect("checked"), tx_indicator.as_deref())?;
            total += amount;
            let (description, merchant) = describe(Some(tx));
            let reference = tx
                .text_at(&["Refs", "AcctSvcrRef"])
                .or_else(|| tx.text_at(&["Refs", "EndToEndId"]))
                .filter(|r| r != "NOTPROVIDED")
                .map(|r| format!("{}/{r}", entry_ref.clone().unwrap_or_default()))
                .or_else(|| entry_ref.as_ref().map(|r| format!("{r}/{}", index + 1)));
            records.push(ParsedRecord {
                location: format!("{location} detail {}", index + 1),
                amount,
                description,
                merchant,
                source_ref: reference,
                ..base.clone()
            });
        }
        if total != entry_amount {
            return Err((
                "TxDtls".to_owned(),
                format!("transaction details add up to {total}, the entry is {entry_amount}"),
            ));
        }
        return Ok(records);
    }
    let (description, merchant) = describe(details.first().copied());
    Ok(vec![ParsedRecord {
        description,
        merchant,
        ..base
    }])
}

/// camt `Acct/Tp/Cd` (ISO 20022 cash account type) as an account kind.
fn account_kind(code: &str) -> Option<AccountKind> {
    match code.trim() {
        "CACC" | "TRAN" | "SLRY" | "COMM" => Some(AccountKind::Checking),
        "SVGS" | "MOMA" => Some(AccountKind::Savings),
        "CARD" => Some(AccountKind::CreditCard),
        "LOAN" | "MGLD" => Some(AccountKind::Loan),
        "CASH" => Some(AccountKind::Cash),
        _ => None,
    }
}

/// A description from the bank transaction code (`BkTxCd`), for entries
/// with neither counterparty nor remittance text.
fn bank_transaction_text(tx: &Node, entry: &Node, debit: bool) -> String {
    let code = |path: &[&str]| tx.text_at(path).or_else(|| entry.text_at(path));
    let sub_family = code(&["BkTxCd", "Domn", "Fmly", "SubFmlyCd"]);
    let family = code(&["BkTxCd", "Domn", "Fmly", "Cd"]);
    let known = sub_family
        .as_deref()
        .and_then(|c| match c {
            "CHRG" => Some("Bank charges"),
            "INTR" => Some("Interest"),
            "SALA" => Some("Salary"),
            "ESCT" | "DMCT" | "XBCT" => Some("Credit transfer"),
            "ESDD" | "BBDD" | "PMDD" => Some("Direct debit"),
            "POSD" | "POSC" => Some("Card payment"),
            "CWDL" => Some("Cash withdrawal"),
            "CDPT" => Some("Cash deposit"),
            "STDO" => Some("Standing order"),
            _ => None,
        })
        .or_else(|| {
            family.as_deref().and_then(|c| match c {
                "RCDT" | "ICDT" => Some("Credit transfer"),
                "RDDT" | "IDDT" => Some("Direct debit"),
                "CCRD" | "MCRD" => Some("Card payment"),
                "CNTR" => Some("Counter transaction"),
                "RCHQ" | "ICHQ" => Some("Cheque"),
                _ => None,
            })
        });
    if let Some(text) = known {
        return text.to_owned();
    }
    let codes: Vec<String> = [code(&["BkTxCd", "Domn", "Cd"]), family, sub_family]
        .into_iter()
        .flatten()
        .collect();
    if !codes.is_empty() {
        return format!("Bank transaction {}", codes.join("/"));
    }
    if let Some(proprietary) = code(&["BkTxCd", "Prtry", "Cd"]) {
        return format!("Bank transaction {proprietary}");
    }
    if debit { "Debit" } else { "Credit" }.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    pub(crate) const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>MSG1</MsgId><CreDtTm>2026-03-16T08:00:00</CreDtTm></GrpHdr>
  <Stmt>
   <Id>STMT1</Id>
   <Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
   <Ntry>
    <Amt Ccy="EUR">1234.56</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
    <BookgDt><Dt>2026-03-14</Dt></BookgDt><ValDt><Dt>2026-03-15</Dt></ValDt>
    <AcctSvcrRef>REF-001</AcctSvcrRef>
    <NtryDtls><TxDtls>
     <RltdPties><Cdtr><Nm>Hausverwaltung Müller &amp; Söhne</Nm></Cdtr></RltdPties>
     <RmtInf><Ustrd>Miete März 2026</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="EUR">300.00</Amt><CdtDbtInd>CRDT</CdtDbtInd>
    <BookgDt><DtTm>2026-03-15T10:00:00</DtTm></BookgDt>
    <AcctSvcrRef>REF-002</AcctSvcrRef>
    <NtryDtls>
     <TxDtls><Refs><EndToEndId>E2E-A</EndToEndId></Refs><Amt Ccy="EUR">100.00</Amt>
      <RltdPties><Dbtr><Nm>Kunde A</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Rechnung 17</Ustrd></RmtInf></TxDtls>
     <TxDtls><Refs><EndToEndId>E2E-B</EndToEndId></Refs><Amt Ccy="EUR">200.00</Amt>
      <RltdPties><Dbtr><Nm>Kunde B</Nm></Dbtr></RltdPties><RmtInf><Ustrd>Rechnung 18</Ustrd></RmtInf></TxDtls>
    </NtryDtls>
   </Ntry>
   <Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>SIDEWAYS</CdtDbtInd><BookgDt><Dt>2026-03-15</Dt></BookgDt></Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>"#;

    #[test]
    fn entries_batch_bookings_and_bad_entries() {
        let parsed = parse(SAMPLE).unwrap();
        assert_eq!(
            parsed.account_ref.as_deref(),
            Some("DE89370400440532013000")
        );
        assert_eq!(parsed.records.len(), 3);
        let rent = &parsed.records[0];
        assert_eq!(rent.amount, "-1234.56".parse().unwrap());
        assert_eq!(
            rent.posted_on,
            date!(2026 - 03 - 14),
            "booking date, not value date"
        );
        assert_eq!(
            rent.description,
            "Hausverwaltung Müller & Söhne Miete März 2026"
        );
        assert_eq!(
            rent.merchant.as_deref(),
            Some("Hausverwaltung Müller & Söhne")
        );
        assert_eq!(rent.currency.as_deref(), Some("EUR"));
        let (a, b) = (&parsed.records[1], &parsed.records[2]);
        assert_eq!(
            (a.amount, b.amount),
            ("100".parse().unwrap(), "200".parse().unwrap())
        );
        assert_eq!(a.description, "Kunde A Rechnung 17");
        assert_eq!(a.source_ref.as_deref(), Some("REF-002/E2E-A"));
        assert_eq!(a.posted_on, date!(2026 - 03 - 15));
        assert_eq!(parsed.errors.len(), 1);
        assert_eq!(parsed.errors[0].field, "CdtDbtInd");
        assert_eq!(parsed.errors[0].location, "entry 3");
        assert!(parsed.errors[0].raw.starts_with("<Ntry>"));
    }

    #[test]
    fn truncated_and_foreign_documents_are_file_errors() {
        let cut = &SAMPLE[..SAMPLE.len() / 2];
        assert!(parse(cut).unwrap_err().reason.contains("truncated"));
        assert!(
            parse("<Document><Other/></Document>")
                .unwrap_err()
                .reason
                .contains("BkToCstmrStmt")
        );
    }
}
