//! Which format a file is in, decided by its content (the extension is
//! only a tie-breaker), and the dispatch to its parser.

use std::fmt;
use std::str::FromStr;

use crate::csv::CsvProfile;
use crate::record::{FileError, ParsedFile};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileFormat {
    Csv,
    Ofx,
    Qif,
    Camt053,
    Mt940,
    Jsonl,
}

impl FileFormat {
    pub const ALL: [FileFormat; 6] = [
        FileFormat::Csv,
        FileFormat::Ofx,
        FileFormat::Qif,
        FileFormat::Camt053,
        FileFormat::Mt940,
        FileFormat::Jsonl,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileFormat::Csv => "csv",
            FileFormat::Ofx => "ofx",
            FileFormat::Qif => "qif",
            FileFormat::Camt053 => "camt053",
            FileFormat::Mt940 => "mt940",
            FileFormat::Jsonl => "jsonl",
        }
    }
}

impl fmt::Display for FileFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FileFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase();
        let wanted = match wanted.as_str() {
            "qfx" => "ofx",
            "camt" | "camt.053" => "camt053",
            "sta" | "mt940" => "mt940",
            "json" | "ndjson" => "jsonl",
            other => other,
        };
        FileFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == wanted)
            .ok_or_else(|| format!("{s:?} is not a format (csv, ofx, qif, camt053, mt940, jsonl)"))
    }
}

/// Whether decoded text is text at all: binary files decode to many
/// replacement and control characters.
pub fn check_text(text: &str) -> Result<(), FileError> {
    if text.trim().is_empty() {
        return Err(FileError::new("file", "the file is empty"));
    }
    let sample: Vec<char> = text.chars().take(8192).collect();
    let odd = sample
        .iter()
        .filter(|c| **c == '\u{fffd}' || (c.is_control() && !matches!(c, '\n' | '\t')))
        .count();
    if odd * 20 > sample.len() {
        return Err(FileError::new(
            "file",
            "the file is not text (binary data, or an encoding Finsight does not read)",
        ));
    }
    Ok(())
}

/// Decides the format from the content; `file_name`'s extension breaks
/// ties between formats the content does not tell apart.
pub fn detect(text: &str, file_name: Option<&str>) -> FileFormat {
    let head: String = text.chars().take(4096).collect();
    let upper = head.to_ascii_uppercase();
    let first_line = head
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if upper.starts_with("OFXHEADER") || upper.contains("<OFX>") || upper.contains("<?OFX") {
        return FileFormat::Ofx;
    }
    if upper.contains("BKTOCSTMRSTMT") || upper.contains("CAMT.053") {
        return FileFormat::Camt053;
    }
    if first_line.starts_with("!Type:")
        || first_line.starts_with("!Account")
        || first_line.starts_with("!Option")
    {
        return FileFormat::Qif;
    }
    let has_tag = |tag: &str| head.lines().any(|l| l.trim_start().starts_with(tag));
    if first_line.starts_with("{1:") || (has_tag(":20:") && (has_tag(":61:") || has_tag(":25:"))) {
        return FileFormat::Mt940;
    }
    if first_line.starts_with('{') && serde_json::from_str::<serde_json::Value>(first_line).is_ok()
    {
        return FileFormat::Jsonl;
    }
    match file_name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, ext)| ext.to_ascii_lowercase())
        .as_deref()
    {
        Some("jsonl" | "ndjson") => FileFormat::Jsonl,
        _ => FileFormat::Csv,
    }
}

/// Parses text in a format. For CSV, `profile` is used when given and
/// detected otherwise; the profile used is returned so it can be saved.
pub fn parse(
    text: &str,
    format: FileFormat,
    profile: Option<&CsvProfile>,
) -> Result<(ParsedFile, Option<CsvProfile>), FileError> {
    check_text(text)?;
    Ok(match format {
        FileFormat::Csv => {
            let profile = match profile {
                Some(p) => p.clone(),
                None => crate::csv::detect_profile(text)?,
            };
            (crate::csv::parse(text, &profile), Some(profile))
        }
        FileFormat::Ofx => (crate::ofx::parse(text)?, None),
        FileFormat::Qif => (crate::qif::parse(text)?, None),
        FileFormat::Camt053 => (crate::camt053::parse(text)?, None),
        FileFormat::Mt940 => (crate::mt940::parse(text)?, None),
        FileFormat::Jsonl => (crate::jsonl::parse(text), None),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_decides_the_format() {
        for (text, format) in [
            ("OFXHEADER:100\nDATA:OFXSGML\n\n<OFX>", FileFormat::Ofx),
            (
                "<?xml version=\"1.0\"?><?OFX OFXHEADER=\"200\"?><OFX>",
                FileFormat::Ofx,
            ),
            (
                "<?xml version=\"1.0\"?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\"><BkToCstmrStmt>",
                FileFormat::Camt053,
            ),
            ("!Type:Bank\nD03/14/2026", FileFormat::Qif),
            (":20:X\n:25:123\n:61:260314D1,00NMSC", FileFormat::Mt940),
            ("{\"posted_on\":\"2026-01-01\"}\n", FileFormat::Jsonl),
            ("Date,Amount\n2026-01-01,1", FileFormat::Csv),
        ] {
            assert_eq!(detect(text, Some("misleading.qif")), format, "{text}");
        }
    }

    #[test]
    fn binary_and_empty_files_are_refused() {
        let garbage: String = (0..2000u32)
            .map(|i| char::from_u32(i % 32).unwrap_or('x'))
            .collect();
        assert!(
            check_text(&garbage)
                .unwrap_err()
                .reason
                .contains("not text")
        );
        assert!(check_text("  \n").unwrap_err().reason.contains("empty"));
        assert_eq!("QFX".parse::<FileFormat>().unwrap(), FileFormat::Ofx);
        assert!("xls".parse::<FileFormat>().is_err());
    }
}
