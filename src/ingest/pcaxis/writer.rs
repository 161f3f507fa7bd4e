//! Writes PX 2013 that [`read`](super::read) reads back identically: used by the data
//! generator, the benchmarks and the round-trip property test.
//!
//! Strings cannot contain `"` (PX has no escapes), so such a table is refused rather than
//! written wrong. Long texts are split into quoted pieces of at most 200 bytes on separate
//! lines, as SCB writes them; cells go one stub row per line.

use std::io::{self, Write};

use encoding_rs::WINDOWS_1252;

use super::PxTable;
use super::data::Symbol;
use super::meta::{Elimination, KeyKind};

/// How to write the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WriteOptions {
    /// Windows-1252 (`CHARSET="ANSI"`, `CODEPAGE="windows-1252"`) or UTF-8.
    pub windows_1252: bool,
    /// The separator between cells: `b' '`, `b'\t'`, `b','` or `b';'` (PX treats them alike).
    pub separator: u8,
    /// End every data row with `;` as INE does.
    pub semicolon_rows: bool,
    /// Write sparse `KEYS` rows (all-zero rows left out); keys by CODES where a variable has them.
    pub keys: bool,
    /// Leave out the final `;` after DATA (allowed at end of file).
    pub omit_final_semicolon: bool,
}

impl Default for WriteOptions {
    fn default() -> WriteOptions {
        WriteOptions {
            windows_1252: true,
            separator: b' ',
            semicolon_rows: false,
            keys: false,
            omit_final_semicolon: false,
        }
    }
}

struct Out<W: Write> {
    w: W,
    cp1252: bool,
}

impl<W: Write> Out<W> {
    fn raw(&mut self, s: &str) -> io::Result<()> {
        if self.cp1252 && !s.is_ascii() {
            let (bytes, _, unmappable) = WINDOWS_1252.encode(s);
            if unmappable {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("{s:?} has characters Windows-1252 cannot hold"),
                ));
            }
            return self.w.write_all(&bytes);
        }
        self.w.write_all(s.as_bytes())
    }

    fn quoted(&mut self, s: &str) -> io::Result<()> {
        if s.contains('"') {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{s:?} contains a quote, which PX cannot hold"),
            ));
        }
        // Split long texts into pieces on char boundaries; the reader joins them.
        let mut rest = s;
        let mut first = true;
        loop {
            let mut cut = rest.len().min(200);
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            if !first {
                self.raw("\n")?;
            }
            self.raw("\"")?;
            self.raw(&rest[..cut])?;
            self.raw("\"")?;
            first = false;
            rest = &rest[cut..];
            if rest.is_empty() {
                return Ok(());
            }
        }
    }

    fn list(&mut self, items: &[String]) -> io::Result<()> {
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.raw(",")?;
            }
            self.quoted(item)?;
        }
        Ok(())
    }

    /// `KEYWORD[lang]("sub",…)=`
    fn key(&mut self, keyword: &str, lang: Option<&str>, subkeys: &[&str]) -> io::Result<()> {
        self.raw(keyword)?;
        if let Some(l) = lang {
            self.raw(&format!("[{l}]"))?;
        }
        if !subkeys.is_empty() {
            self.raw("(")?;
            for (i, s) in subkeys.iter().enumerate() {
                if i > 0 {
                    self.raw(",")?;
                }
                self.quoted(s)?;
            }
            self.raw(")")?;
        }
        self.raw("=")
    }

    fn text(&mut self, keyword: &str, lang: Option<&str>, subkeys: &[&str], value: &str) -> io::Result<()> {
        self.key(keyword, lang, subkeys)?;
        self.quoted(value)?;
        self.raw(";\n")
    }

    fn texts(&mut self, keyword: &str, lang: Option<&str>, subkeys: &[&str], values: &[String]) -> io::Result<()> {
        self.key(keyword, lang, subkeys)?;
        self.list(values)?;
        self.raw(";\n")
    }
}

fn number(v: f64) -> String {
    // Shortest text that reads back to the same f64 (Rust's Display is round-trip exact).
    let s = format!("{v}");
    if s == "-0" { "0".into() } else { s }
}

/// Writes `table` as PX.
pub fn write(table: &PxTable, w: impl Write, opts: WriteOptions) -> io::Result<()> {
    let m = &table.meta;
    let mut o = Out { w: io::BufWriter::with_capacity(1 << 20, w), cp1252: opts.windows_1252 };
    o.raw("CHARSET=\"ANSI\";\nAXIS-VERSION=\"2013\";\n")?;
    o.text("CODEPAGE", None, &[], if opts.windows_1252 { "windows-1252" } else { "utf-8" })?;
    if let Some(l) = &m.language {
        o.text("LANGUAGE", None, &[], l)?;
    }
    if !m.languages.is_empty() {
        o.texts("LANGUAGES", None, &[], &m.languages)?;
    }
    if let Some(d) = m.decimals {
        o.raw(&format!("DECIMALS={d};\n"))?;
    }
    for (kw, value) in [("MATRIX", &m.matrix), ("TITLE", &m.title), ("CONTENTS", &m.contents), ("UNITS", &m.units)] {
        if let Some(v) = value {
            o.text(kw, None, &[], v)?;
        }
    }
    let names = |heading: bool, lang: Option<&str>| -> Vec<String> {
        m.variables.iter().filter(|v| v.heading == heading).map(|v| v.labels(lang).name.clone()).collect()
    };
    let langs: Vec<&String> = m.variables.first().map(|v| v.translations.keys().collect()).unwrap_or_default();
    for heading in [false, true] {
        let kw = if heading { "HEADING" } else { "STUB" };
        let list = names(heading, None);
        if !list.is_empty() {
            o.texts(kw, None, &[], &list)?;
            for l in &langs {
                o.texts(kw, Some(l), &[], &names(heading, Some(l)))?;
            }
        }
    }
    if let Some(ci) = m.content_variable {
        o.text("CONTVARIABLE", None, &[], &m.variables[ci].labels.name)?;
    }
    for v in &m.variables {
        let name = v.labels.name.as_str();
        if let Some(code) = &v.code {
            o.text("VARIABLECODE", None, &[name], code)?;
        }
        o.texts("VALUES", None, &[name], &v.labels.values)?;
        for (l, t) in &v.translations {
            o.texts("VALUES", Some(l), &[&t.name], &t.values)?;
        }
        if let Some(codes) = &v.codes {
            o.texts("CODES", None, &[name], codes)?;
        }
        match &v.elimination {
            Some(e @ (Elimination::Yes | Elimination::No)) => {
                o.key("ELIMINATION", None, &[name])?;
                o.raw(if *e == Elimination::Yes { "YES;\n" } else { "NO;\n" })?;
            }
            Some(Elimination::Value(j)) => o.text("ELIMINATION", None, &[name], &v.labels.values[*j])?,
            None => {}
        }
        if let Some(scale) = v.time {
            o.key("TIMEVAL", None, &[name])?;
            o.raw(&format!("TLIST({}),", scale.code()))?;
            o.list(&v.labels.values)?;
            o.raw(";\n")?;
        }
    }
    if let Some(ci) = m.content_variable {
        let cv = &m.variables[ci];
        for (value, info) in cv.labels.values.iter().zip(&m.content) {
            if let Some(u) = &info.units {
                o.text("UNITS", None, &[value], u)?;
            }
            if let Some(p) = info.precision {
                o.key("PRECISION", None, &[&cv.labels.name, value])?;
                o.raw(&format!("{p};\n"))?;
            }
            if let Some(t) = &info.last_updated {
                o.text("LAST-UPDATED", None, &[value], t)?;
            }
            if let Some(t) = &info.refperiod {
                o.text("REFPERIOD", None, &[value], t)?;
            }
        }
    }
    let stub: Vec<_> = m.stub().iter().collect();
    let kinds: Vec<KeyKind> =
        stub.iter().map(|v| if v.codes.is_some() { KeyKind::Codes } else { KeyKind::Values }).collect();
    if opts.keys && !stub.is_empty() {
        for (v, k) in stub.iter().zip(&kinds) {
            o.key("KEYS", None, &[&v.labels.name])?;
            o.raw(if *k == KeyKind::Codes { "CODES;\n" } else { "VALUES;\n" })?;
        }
    }
    for note in &m.notes {
        let subs: Vec<&str> = note.subkeys.iter().map(String::as_str).collect();
        o.text(&note.keyword, note.lang.as_deref(), &subs, &note.text.replace('\n', "#"))?;
    }
    o.raw("DATA=\n")?;
    let width: u64 = m.heading().iter().map(|v| v.len() as u64).product();
    let rows = m.cells() / width.max(1);
    let sep = (opts.separator as char).to_string();
    let mut symbols = table.data.symbols.iter().peekable();
    let mut line = String::with_capacity(64 * width as usize);
    for r in 0..rows {
        line.clear();
        let base = r * width;
        let mut cells: Vec<String> = Vec::with_capacity(width as usize);
        let mut all_zero = true;
        for i in base..base + width {
            let text = match symbols.peek() {
                Some((j, s)) if *j == i => {
                    all_zero = false;
                    let s: Symbol = *s;
                    symbols.next();
                    format!("\"{}\"", s.text())
                }
                _ => {
                    let v = table.data.values[i as usize];
                    if v != 0.0 || v.is_sign_negative() {
                        all_zero = false;
                    }
                    number(v)
                }
            };
            cells.push(text);
        }
        if opts.keys && !stub.is_empty() {
            if all_zero {
                continue;
            }
            // This row's value index per stub variable: first varies slowest.
            let mut rest = r;
            let mut keys = vec![String::new(); stub.len()];
            for (k, v) in stub.iter().enumerate().rev() {
                let j = (rest % v.len() as u64) as usize;
                rest /= v.len() as u64;
                keys[k] = match kinds[k] {
                    KeyKind::Codes => v.value_id(j).to_string(),
                    KeyKind::Values => v.labels.values[j].clone(),
                };
            }
            o.list(&keys)?;
            o.raw(",")?;
        }
        line.push_str(&cells.join(&sep));
        if opts.semicolon_rows && r + 1 < rows {
            line.push(';');
        }
        line.push('\n');
        o.raw(&line)?;
    }
    if !opts.omit_final_semicolon {
        o.raw(";\n")?;
    }
    o.w.flush()
}
