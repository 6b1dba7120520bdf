//! Bytes to text. Bank files come in UTF-8 (with or without a byte-order
//! mark), UTF-16 LE/BE (with or without one), Windows-1252 and ISO-8859-1;
//! some are padded with NULs or use CRLF. Everything leaves here as UTF-8
//! with `\n` line ends.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// The text of a file and the encoding it was read as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    pub encoding: &'static str,
}

/// Guesses UTF-16 without a BOM from where the NULs fall: ASCII text in
/// UTF-16LE has a NUL in every odd byte, in UTF-16BE in every even one.
fn sniff_utf16(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(4096) & !1];
    if sample.len() < 4 {
        return None;
    }
    let pairs = sample.len() / 2;
    let odd_nuls = sample
        .iter()
        .skip(1)
        .step_by(2)
        .filter(|b| **b == 0)
        .count();
    let even_nuls = sample.iter().step_by(2).filter(|b| **b == 0).count();
    if odd_nuls * 10 >= pairs * 7 && even_nuls * 10 < pairs {
        Some(UTF_16LE)
    } else if even_nuls * 10 >= pairs * 7 && odd_nuls * 10 < pairs {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// Decodes a file's bytes. A BOM decides; otherwise UTF-16 is sniffed,
/// valid UTF-8 is taken as UTF-8, and anything else is read as
/// Windows-1252 (a superset of ISO-8859-1's printable characters, so `€`
/// at 0x80 comes out right). Never fails: undecodable bytes become U+FFFD.
pub fn decode(bytes: &[u8]) -> Decoded {
    let (encoding, body) = if let Some((encoding, bom)) = Encoding::for_bom(bytes) {
        (encoding, &bytes[bom..])
    } else if let Some(encoding) = sniff_utf16(bytes) {
        (encoding, bytes)
    } else if std::str::from_utf8(trim_nul_padding(bytes)).is_ok() {
        (UTF_8, bytes)
    } else {
        (WINDOWS_1252, bytes)
    };
    let (text, _) = encoding.decode_without_bom_handling(body);
    Decoded {
        text: normalize(&text),
        encoding: encoding.name(),
    }
}

fn trim_nul_padding(bytes: &[u8]) -> &[u8] {
    let end = bytes.iter().rposition(|b| *b != 0).map_or(0, |i| i + 1);
    &bytes[..end]
}

/// Drops NULs and turns CRLF and lone CR into LF.
fn normalize(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\0' => {}
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
        let mut out = Vec::new();
        if bom {
            out.extend(if big_endian {
                [0xFE, 0xFF]
            } else {
                [0xFF, 0xFE]
            });
        }
        for unit in text.encode_utf16() {
            out.extend(if big_endian {
                unit.to_be_bytes()
            } else {
                unit.to_le_bytes()
            });
        }
        out
    }

    #[test]
    fn every_supported_encoding_decodes_to_the_same_text() {
        let text = "Date;Betrag\n2026-03-01;-12,50 €\n";
        let mut with_bom = vec![0xEF, 0xBB, 0xBF];
        with_bom.extend(text.as_bytes());
        let (cp1252, _, _) = WINDOWS_1252.encode(text);
        for (bytes, encoding) in [
            (text.as_bytes().to_vec(), "UTF-8"),
            (with_bom, "UTF-8"),
            (utf16(text, false, true), "UTF-16LE"),
            (utf16(text, true, true), "UTF-16BE"),
            (utf16(text, false, false), "UTF-16LE"),
            (utf16(text, true, false), "UTF-16BE"),
            (cp1252.into_owned(), "windows-1252"),
        ] {
            let decoded = decode(&bytes);
            assert_eq!(decoded.text, text, "{encoding}");
            assert_eq!(decoded.encoding, encoding);
        }
    }

    #[test]
    fn crlf_cr_and_nul_padding_are_normalised() {
        let decoded = decode(b"a;b\r\nc;d\re;f\n\0\0\0\0");
        assert_eq!(decoded.text, "a;b\nc;d\ne;f\n");
        assert_eq!(decoded.encoding, "UTF-8");
    }

    #[test]
    fn latin1_bytes_read_as_windows_1252() {
        let decoded = decode(b"Caf\xe9 M\xfcller \x80");
        assert_eq!(decoded.text, "Café Müller €");
    }
}
