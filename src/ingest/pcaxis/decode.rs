//! Bytes → text for PX metadata, in the order of PCAXIS.md §1.3:
//!
//! 1. a byte-order mark;
//! 2. valid UTF-8 with non-ASCII bytes, whatever the file declares (SCB's PxWebApi writes UTF-8
//!    and declares `iso-8859-1`), with a warning when the declaration said otherwise;
//! 3. `CODEPAGE`: `iso-8859-1`/`latin1`/`windows-1252` as Windows-1252 (its superset);
//!    `iso-8859-15` as ISO-8859-15 with 0x80–0x9F taken from Windows-1252 (a Swiss file holds
//!    cp1252's `’` under an 8859-15 label); any other WHATWG label as itself;
//! 4. `CHARSET="ANSI"`: Windows-1252;
//! 5. no CHARSET: DOS, read as code page 850 (Western European DOS; agrees with 437 on every
//!    accented lower-case letter) from the table below.
//!
//! The structure of a PX file is ASCII, so the lexer works on bytes and only strings are decoded.

use encoding_rs::{Encoding, ISO_8859_15, UTF_8, WINDOWS_1252};

/// How strings are decoded, and why (for `px info`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Charset {
    pub decoder: Decoder,
    pub name: String,
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decoder {
    Utf8,
    Encoding(&'static Encoding),
    /// A single-byte code page given as the characters of bytes 0x80–0xFF.
    Table(Box<[char; 128]>),
}

/// DOS code page 850, bytes 0x80–0xFF.
const CP850: [char; 128] = [
    '\u{00C7}', '\u{00FC}', '\u{00E9}', '\u{00E2}', '\u{00E4}', '\u{00E0}', '\u{00E5}', '\u{00E7}', '\u{00EA}',
    '\u{00EB}', '\u{00E8}', '\u{00EF}', '\u{00EE}', '\u{00EC}', '\u{00C4}', '\u{00C5}', '\u{00C9}', '\u{00E6}',
    '\u{00C6}', '\u{00F4}', '\u{00F6}', '\u{00F2}', '\u{00FB}', '\u{00F9}', '\u{00FF}', '\u{00D6}', '\u{00DC}',
    '\u{00F8}', '\u{00A3}', '\u{00D8}', '\u{00D7}', '\u{0192}', '\u{00E1}', '\u{00ED}', '\u{00F3}', '\u{00FA}',
    '\u{00F1}', '\u{00D1}', '\u{00AA}', '\u{00BA}', '\u{00BF}', '\u{00AE}', '\u{00AC}', '\u{00BD}', '\u{00BC}',
    '\u{00A1}', '\u{00AB}', '\u{00BB}', '\u{2591}', '\u{2592}', '\u{2593}', '\u{2502}', '\u{2524}', '\u{00C1}',
    '\u{00C2}', '\u{00C0}', '\u{00A9}', '\u{2563}', '\u{2551}', '\u{2557}', '\u{255D}', '\u{00A2}', '\u{00A5}',
    '\u{2510}', '\u{2514}', '\u{2534}', '\u{252C}', '\u{251C}', '\u{2500}', '\u{253C}', '\u{00E3}', '\u{00C3}',
    '\u{255A}', '\u{2554}', '\u{2569}', '\u{2566}', '\u{2560}', '\u{2550}', '\u{256C}', '\u{00A4}', '\u{00F0}',
    '\u{00D0}', '\u{00CA}', '\u{00CB}', '\u{00C8}', '\u{0131}', '\u{00CD}', '\u{00CE}', '\u{00CF}', '\u{2518}',
    '\u{250C}', '\u{2588}', '\u{2584}', '\u{00A6}', '\u{00CC}', '\u{2580}', '\u{00D3}', '\u{00DF}', '\u{00D4}',
    '\u{00D2}', '\u{00F5}', '\u{00D5}', '\u{00B5}', '\u{00FE}', '\u{00DE}', '\u{00DA}', '\u{00DB}', '\u{00D9}',
    '\u{00FD}', '\u{00DD}', '\u{00AF}', '\u{00B4}', '\u{00AD}', '\u{00B1}', '\u{2017}', '\u{00BE}', '\u{00B6}',
    '\u{00A7}', '\u{00F7}', '\u{00B8}', '\u{00B0}', '\u{00A8}', '\u{00B7}', '\u{00B9}', '\u{00B3}', '\u{00B2}',
    '\u{25A0}', '\u{00A0}',
];

impl Charset {
    /// Chooses the decoder for a file whose metadata bytes are `meta`, with the CHARSET and
    /// CODEPAGE values it declares. Returns the choice and a warning when the declaration lies.
    pub fn resolve(meta: &[u8], bom: bool, charset: Option<&str>, codepage: Option<&str>) -> (Charset, Option<String>) {
        let utf8 = |reason: &str| Charset { decoder: Decoder::Utf8, name: "UTF-8".into(), reason: reason.into() };
        if bom {
            return (utf8("byte-order mark"), None);
        }
        let ascii = meta.is_ascii();
        if !ascii && std::str::from_utf8(meta).is_ok() {
            let declared =
                codepage.map(str::trim).filter(|c| !c.eq_ignore_ascii_case("utf-8") && !c.eq_ignore_ascii_case("utf8"));
            let warning = declared.map(|c| format!("CODEPAGE says {c:?} but the text is valid UTF-8; read as UTF-8"));
            return (utf8("valid UTF-8"), warning);
        }
        if let Some(cp) = codepage {
            let label = cp.trim().to_ascii_lowercase();
            if label == "iso-8859-15" || label == "iso8859-15" || label == "latin9" || label == "latin-9" {
                let mut table = ['\0'; 128];
                for (i, slot) in table.iter_mut().enumerate() {
                    let byte = [0x80 + i as u8];
                    let enc = if i < 0x20 { WINDOWS_1252 } else { ISO_8859_15 };
                    *slot = enc.decode_without_bom_handling(&byte).0.chars().next().unwrap_or('\u{FFFD}');
                }
                let reason = format!("CODEPAGE={cp:?} (0x80–0x9F as Windows-1252)");
                return (
                    Charset { decoder: Decoder::Table(Box::new(table)), name: "ISO-8859-15".into(), reason },
                    None,
                );
            }
            if let Some(enc) = Encoding::for_label(label.as_bytes()) {
                let decoder = if enc == UTF_8 { Decoder::Utf8 } else { Decoder::Encoding(enc) };
                let warning =
                    (enc == UTF_8 && !ascii).then(|| format!("CODEPAGE says {cp:?} but the text is not valid UTF-8"));
                return (Charset { decoder, name: enc.name().into(), reason: format!("CODEPAGE={cp:?}") }, warning);
            }
        }
        if charset.is_some_and(|c| c.trim().eq_ignore_ascii_case("ansi")) {
            let reason = match codepage {
                Some(cp) => format!("CHARSET=\"ANSI\" (CODEPAGE={cp:?} is not an encoding)"),
                None => "CHARSET=\"ANSI\"".to_string(),
            };
            return (Charset { decoder: Decoder::Encoding(WINDOWS_1252), name: "windows-1252".into(), reason }, None);
        }
        if ascii {
            return (Charset { decoder: Decoder::Utf8, name: "ASCII".into(), reason: "only ASCII bytes".into() }, None);
        }
        let charset = Charset {
            decoder: Decoder::Table(Box::new(CP850)),
            name: "DOS CP850".into(),
            reason: "no CHARSET (DOS text)".into(),
        };
        (charset, None)
    }

    /// Decodes one string. UTF-8 errors cannot happen for a file chosen as UTF-8 (checked whole);
    /// should a lone string still be invalid, its bytes are shown as escapes rather than lost.
    pub fn decode(&self, bytes: &[u8]) -> String {
        if bytes.is_ascii() {
            return String::from_utf8(bytes.to_vec()).expect("ASCII is UTF-8");
        }
        match &self.decoder {
            Decoder::Utf8 => match std::str::from_utf8(bytes) {
                Ok(s) => s.to_string(),
                Err(_) => bytes.escape_ascii().to_string(),
            },
            Decoder::Encoding(enc) => enc.decode_without_bom_handling(bytes).0.into_owned(),
            Decoder::Table(table) => {
                bytes.iter().map(|&b| if b < 0x80 { b as char } else { table[(b - 0x80) as usize] }).collect()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pick(meta: &[u8], charset: Option<&str>, codepage: Option<&str>) -> (String, Option<String>) {
        let (c, w) = Charset::resolve(meta, false, charset, codepage);
        (c.name, w)
    }

    #[test]
    fn resolution_order() {
        assert_eq!(pick("Kön".as_bytes(), Some("ANSI"), Some("iso-8859-1")).0, "UTF-8");
        assert!(pick("Kön".as_bytes(), Some("ANSI"), Some("iso-8859-1")).1.unwrap().contains("iso-8859-1"));
        assert_eq!(pick(b"K\xf6n", Some("ANSI"), Some("iso-8859-1")).0, "windows-1252");
        assert_eq!(pick(b"K\xf6n", Some("ANSI"), Some("windows-1251")).0, "windows-1251");
        assert_eq!(pick(b"K\xf6n", Some("ANSI"), None).0, "windows-1252");
        assert_eq!(pick(b"K\xf6n", None, None).0, "DOS CP850");
        assert_eq!(pick(b"Kon", None, None).0, "ASCII");
        assert_eq!(pick(b"\xa4\x92", Some("ANSI"), Some("iso-8859-15")).0, "ISO-8859-15");
    }

    #[test]
    fn tables_decode() {
        let (dos, _) = Charset::resolve(b"\x82", false, None, None);
        assert_eq!(dos.decode(b"tard\xa1os \x82 \x94"), "tardíos é ö");
        let (l9, _) = Charset::resolve(b"\xa4", false, Some("ANSI"), Some("iso-8859-15"));
        assert_eq!(l9.decode(b"\xa4 \x92 \xe5"), "€ ’ å");
        let (w, _) = Charset::resolve(b"\xf6", false, Some("ANSI"), Some("iso-8859-1"));
        assert_eq!(w.decode(b"K\xf6n \x96"), "Kön –");
    }
}
