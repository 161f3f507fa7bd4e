//! The DATA block: cells scanned from a stream straight into an `f64` column and a sparse list
//! of symbol cells — no per-cell allocation, memory ≈ 8 bytes per cell.
//!
//! Dense data is the cube in row-major order over STUB ++ HEADING (the last heading variable
//! fastest). Line breaks carry no meaning; space, tab, newlines, `,` and `;` all separate cells
//! (INE ends every row with `;`), and the final `;` may be missing at end of file. The count
//! must match the cube exactly: an excess names the first cell too many, a shortfall the end.
//!
//! Sparse data (`KEYS`) gives per row the stub keys (by value text or code, as `KEYS` says per
//! variable) and then the heading cells; rows may come in any order, and absent rows are zeros
//! ("rows that only contain 0 are excluded from the file", PX 2013).

use std::collections::HashMap;
use std::io::Read;

use super::error::{PxError, PxErrorKind};
use super::meta::{KeyKind, Meta};

/// A data cell that is not a number (PCAXIS.md §1.6). The dot count is the symbol's identity;
/// `DATASYMBOL*` keywords only say how to display it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// One to six dots.
    Dots(u8),
    /// Seven dots: a sum of differing symbols.
    Sum,
    /// `-`: absolutely nil; the value is 0.
    Nil,
    /// `:` (Eurostat-derived files): not shown.
    Colon,
}

impl Symbol {
    /// The observation status (DESIGN §3): `.` cannot occur, `..` and the sum of symbols are
    /// missing, three to six dots and `:` are withheld, `-` is exactly zero.
    pub fn status(self) -> crate::model::Status {
        use crate::model::Status;
        match self {
            Symbol::Dots(1) => Status::NotApplicable,
            Symbol::Dots(2) | Symbol::Sum => Status::Missing,
            Symbol::Dots(_) | Symbol::Colon => Status::Confidential,
            Symbol::Nil => Status::Zero,
        }
    }

    pub fn parse(t: &[u8]) -> Option<Symbol> {
        match t {
            b"-" => Some(Symbol::Nil),
            b":" => Some(Symbol::Colon),
            b"......." => Some(Symbol::Sum),
            _ if !t.is_empty() && t.len() <= 6 && t.iter().all(|&c| c == b'.') => Some(Symbol::Dots(t.len() as u8)),
            _ => None,
        }
    }

    /// The symbol as stored in the file.
    pub fn text(self) -> &'static str {
        match self {
            Symbol::Dots(n) => &"......"[..n as usize],
            Symbol::Sum => ".......",
            Symbol::Nil => "-",
            Symbol::Colon => ":",
        }
    }
}

/// The cube's cells: `values[i]` is meaningful only where `symbol(i)` is `None` or `Nil` (0).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Data {
    pub values: Vec<f64>,
    /// Symbol cells by index, ascending.
    pub symbols: Vec<(u64, Symbol)>,
    /// KEYS: how many rows the file listed (the rest are zero rows).
    pub keyed_rows: Option<u64>,
}

impl Data {
    pub fn symbol(&self, i: u64) -> Option<Symbol> {
        self.symbols.binary_search_by_key(&i, |(j, _)| *j).ok().map(|k| self.symbols[k].1)
    }

    /// Value and symbol of cell `i`: `(Some(v), None)`, `(Some(0), Some(Nil))` or `(None, Some(s))`.
    pub fn cell(&self, i: u64) -> (Option<f64>, Option<Symbol>) {
        match self.symbol(i) {
            None => (Some(self.values[i as usize]), None),
            Some(Symbol::Nil) => (Some(0.0), Some(Symbol::Nil)),
            Some(s) => (None, Some(s)),
        }
    }
}

/// A token: its bytes (quotes removed), whether it was quoted, and where it started.
struct Token<'t> {
    bytes: &'t [u8],
    quoted: bool,
    offset: u64,
    line: u32,
    column: u32,
}

/// Splits a stream into tokens across chunk boundaries, tracking lines.
struct Tokens<R> {
    reader: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    eof: bool,
    /// Byte offset of `buf[0]` in the file.
    base: u64,
    line: u32,
    line_start: u64,
    pending: Vec<u8>,
    last_end: Option<(u64, u32, u32)>,
}

const CHUNK: usize = 1 << 20;

const fn table(quote_too: bool) -> [bool; 256] {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        t[c] = matches!(c as u8, b' ' | b'\t' | b'\r' | b'\n' | b',' | b';' | 0x0B | 0x0C)
            || (quote_too && c == b'"' as usize);
        c += 1;
    }
    t
}

/// Cell separators.
const SEPARATOR: [bool; 256] = table(false);
/// What ends an unquoted cell: a separator or a quote.
const ENDS_BARE: [bool; 256] = table(true);

impl<R: Read> Tokens<R> {
    fn new(reader: R, first: &[u8], base: u64, line: u32, line_start: u64) -> Tokens<R> {
        let mut buf = first.to_vec();
        let len = buf.len();
        buf.resize(len.max(CHUNK), 0);
        Tokens { reader, buf, pos: 0, len, eof: false, base, line, line_start, pending: Vec::new(), last_end: None }
    }

    fn fill(&mut self) -> Result<bool, PxError> {
        if self.eof {
            return Ok(false);
        }
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        if self.buf.len() < CHUNK {
            self.buf.resize(CHUNK, 0);
        }
        loop {
            match self.reader.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len = n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(PxError::new(PxErrorKind::Io(e.to_string()), self.base)),
            }
        }
    }

    fn here(&self) -> (u64, u32, u32) {
        let offset = self.base + self.pos as u64;
        (offset, self.line, (offset - self.line_start) as u32 + 1)
    }

    /// Just after the last token, for "too few cells" errors (or the start of the data).
    fn end(&self) -> (u64, u32, u32) {
        self.last_end.unwrap_or_else(|| self.here())
    }

    /// Calls `f` with each token until the end. Tokens live only during the call.
    fn for_each(&mut self, mut f: impl FnMut(Token<'_>) -> Result<(), PxError>) -> Result<(), PxError> {
        loop {
            // Skip separators (locals and a lookup table keep this loop tight).
            let buf = &self.buf[..self.len];
            let mut pos = self.pos;
            while let Some(&c) = buf.get(pos) {
                if !SEPARATOR[c as usize] {
                    break;
                }
                if c == b'\n' {
                    self.line += 1;
                    self.line_start = self.base + pos as u64 + 1;
                }
                pos += 1;
            }
            self.pos = pos;
            if pos == buf.len() {
                if !self.fill()? {
                    return Ok(());
                }
                continue;
            }
            let (offset, line, column) = self.here();
            let quoted = buf[pos] == b'"';
            let start = if quoted { pos + 1 } else { pos };
            let end = if quoted {
                buf[start..].iter().position(|&c| c == b'"').map_or(buf.len(), |n| start + n)
            } else {
                buf[start..].iter().position(|&c| ENDS_BARE[c as usize]).map_or(buf.len(), |n| start + n)
            };
            if end < buf.len() {
                if quoted {
                    // Quoted keys may hold newlines ("Region\nnorth" is not valid but be exact).
                    self.count_lines(start, end);
                }
                self.pos = if quoted { end + 1 } else { end };
                let bytes = &self.buf[start..end];
                self.last_end = Some(self.here());
                f(Token { bytes, quoted, offset, line, column })?;
                continue;
            }
            let stop = |c: u8| if quoted { c == b'"' } else { ENDS_BARE[c as usize] };
            // The token runs past the chunk: gather it in `pending`.
            self.pending.clear();
            self.pending.extend_from_slice(&self.buf[start..self.len]);
            if quoted {
                self.count_lines(start, self.len);
            }
            self.pos = self.len;
            let mut closed = false;
            while self.fill()? {
                let mut e = 0;
                while e < self.len && !stop(self.buf[e]) {
                    e += 1;
                }
                self.pending.extend_from_slice(&self.buf[..e]);
                if quoted {
                    self.count_lines(0, e);
                }
                if e < self.len {
                    self.pos = if quoted { e + 1 } else { e };
                    closed = true;
                    break;
                }
                self.pos = self.len;
            }
            if quoted && !closed {
                return Err(PxError {
                    kind: PxErrorKind::UnterminatedString,
                    offset,
                    line,
                    column,
                    keyword: Some("DATA".into()),
                });
            }
            let pending = std::mem::take(&mut self.pending);
            self.last_end = Some(self.here());
            f(Token { bytes: &pending, quoted, offset, line, column })?;
            self.pending = pending;
        }
    }

    fn count_lines(&mut self, from: usize, to: usize) {
        for i in from..to {
            if self.buf[i] == b'\n' {
                self.line += 1;
                self.line_start = self.base + i as u64 + 1;
            }
        }
    }
}

fn located(kind: PxErrorKind, t: &Token<'_>) -> PxError {
    PxError { kind, offset: t.offset, line: t.line, column: t.column, keyword: Some("DATA".into()) }
}

/// Parses a bare or quoted cell: a number or a symbol.
fn cell(t: &Token<'_>) -> Result<Result<f64, Symbol>, PxError> {
    if let Some(v) = fast_number(t.bytes) {
        return Ok(Ok(v));
    }
    if let Some(s) = Symbol::parse(t.bytes) {
        return Ok(Err(s));
    }
    match std::str::from_utf8(t.bytes).ok().and_then(parse_plain) {
        Some(v) => Ok(Ok(v)),
        None => Err(located(PxErrorKind::BadCell { found: String::from_utf8_lossy(t.bytes).into_owned() }, t)),
    }
}

/// The common case in one pass: `-?digits(.digits)?` with at most 15 significant digits, which
/// converts exactly by Clinger's fast path (mantissa and power of ten both exact doubles).
/// Anything else (exponents, long mantissas, symbols, garbage) goes the careful way.
#[inline]
fn fast_number(b: &[u8]) -> Option<f64> {
    const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];
    let (neg, digits) = match b.first()? {
        b'-' => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 16 {
        return None;
    }
    let mut mantissa: u64 = 0;
    let mut frac: Option<usize> = None;
    let mut seen_digit = false;
    for (i, &c) in digits.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                mantissa = mantissa * 10 + u64::from(c - b'0');
                seen_digit = true;
            }
            b'.' if frac.is_none() => frac = Some(digits.len() - i - 1),
            _ => return None,
        }
    }
    // A trailing `.` ("5.") is refused here as by the careful path.
    if !seen_digit || frac == Some(0) {
        return None;
    }
    let scale = frac.unwrap_or(0);
    if mantissa >= 1 << 53 || scale > 15 {
        return None;
    }
    let v = mantissa as f64 / POW10[scale];
    Some(if neg { -v } else { v })
}

/// A PX number: optional sign, digits, optional `.` and digits, optional exponent. No grouping,
/// no comma decimals, no percent (PX 2013: "`.` is the decimal separator").
pub fn parse_plain(t: &str) -> Option<f64> {
    let b = t.as_bytes();
    let digits_or_dot = |c: &u8| c.is_ascii_digit() || *c == b'.';
    let body = b.strip_prefix(b"-").or_else(|| b.strip_prefix(b"+")).unwrap_or(b);
    let mantissa_end = body.iter().position(|c| !digits_or_dot(c)).unwrap_or(body.len());
    let (mantissa, exponent) = body.split_at(mantissa_end);
    let dots = mantissa.iter().filter(|&&c| c == b'.').count();
    if mantissa.is_empty() || dots > 1 || mantissa == b"." {
        return None;
    }
    if !exponent.is_empty() {
        let e = exponent.strip_prefix(b"e").or_else(|| exponent.strip_prefix(b"E"))?;
        let e = e.strip_prefix(b"-").or_else(|| e.strip_prefix(b"+")).unwrap_or(e);
        if e.is_empty() || !e.iter().all(u8::is_ascii_digit) {
            return None;
        }
    }
    crate::ingest::number::parse_number(t, crate::ingest::options::DecimalMark::Point).map(|(v, _)| v)
}

/// Reads the DATA block. `first` holds the bytes already read after `DATA=`, starting at file
/// offset `base` on line `line` (whose first byte is at `line_start`).
pub fn read(
    meta: &Meta,
    first: &[u8],
    rest: impl Read,
    base: u64,
    line: u32,
    line_start: u64,
) -> Result<Data, PxError> {
    let mut tokens = Tokens::new(rest, first, base, line, line_start);
    let expected = meta.cells();
    match &meta.keys {
        None => dense(meta, &mut tokens, expected),
        Some(kinds) => sparse(meta, kinds, &mut tokens, expected),
    }
}

fn dense<R: Read>(meta: &Meta, tokens: &mut Tokens<R>, expected: u64) -> Result<Data, PxError> {
    let mut data = Data { values: Vec::with_capacity(expected.min(1 << 31) as usize), ..Data::default() };
    let mut count: u64 = 0;
    let mut first_excess: Option<PxError> = None;
    tokens.for_each(|t| {
        if count >= expected {
            if first_excess.is_none() {
                first_excess = Some(located(PxErrorKind::CellCount { found: 0, expected, dims: meta.dims() }, &t));
            }
            count += 1;
            return Ok(());
        }
        match cell(&t)? {
            Ok(v) => data.values.push(v),
            Err(s) => {
                data.values.push(0.0);
                data.symbols.push((count, s));
            }
        }
        count += 1;
        Ok(())
    })?;
    if let Some(mut e) = first_excess {
        e.kind = PxErrorKind::CellCount { found: count, expected, dims: meta.dims() };
        return Err(e);
    }
    if count < expected {
        let (offset, line, column) = tokens.end();
        let kind = PxErrorKind::CellCount { found: count, expected, dims: meta.dims() };
        return Err(PxError { kind, offset, line, column, keyword: Some("DATA".into()) });
    }
    Ok(data)
}

fn sparse<R: Read>(meta: &Meta, kinds: &[KeyKind], tokens: &mut Tokens<R>, expected: u64) -> Result<Data, PxError> {
    let stub = meta.stub();
    let width: u64 = meta.heading().iter().map(|v| v.len() as u64).product();
    let lookup: Vec<HashMap<String, u64>> = stub
        .iter()
        .zip(kinds)
        .map(|(v, k)| {
            let names: &[String] = match k {
                KeyKind::Codes => v.codes.as_deref().unwrap_or(&v.labels.values),
                KeyKind::Values => &v.labels.values,
            };
            names.iter().enumerate().map(|(i, n)| (n.clone(), i as u64)).collect()
        })
        .collect();
    // Row weights: the first stub variable varies slowest.
    let mut weights = vec![1u64; stub.len()];
    for i in (0..stub.len().saturating_sub(1)).rev() {
        weights[i] = weights[i + 1] * stub[i + 1].len() as u64;
    }
    let mut data = Data { values: vec![0.0; expected as usize], ..Data::default() };
    let mut row_line: HashMap<u64, u32> = HashMap::new();
    let mut keys: Vec<String> = Vec::with_capacity(stub.len());
    let mut row: u64 = 0;
    let mut cells_in_row: u64 = 0;
    let mut key_start: Option<(u32, u32, u64)> = None;
    let mut listed = 0u64;
    let decode = |b: &[u8]| meta.charset.decode(b);
    tokens.for_each(|t| {
        if keys.len() < stub.len() {
            if keys.is_empty() {
                key_start = Some((t.line, t.column, t.offset));
            }
            keys.push(decode(t.bytes));
            if keys.len() == stub.len() {
                row = 0;
                for (j, k) in keys.iter().enumerate() {
                    let Some(i) = lookup[j].get(k) else {
                        let kind = PxErrorKind::BadKey {
                            key: format!("\"{}\"", keys.join("\",\"")),
                            expected: format!(
                                "{k:?} to be a {} of {:?}",
                                if kinds[j] == KeyKind::Codes { "code" } else { "value" },
                                stub[j].labels.name
                            ),
                        };
                        let (line, column, offset) = key_start.expect("set at the first key");
                        return Err(PxError { kind, offset, line, column, keyword: Some("DATA".into()) });
                    };
                    row += i * weights[j];
                }
                let (line, column, offset) = key_start.expect("set at the first key");
                if let Some(first_line) = row_line.insert(row, line) {
                    let kind = PxErrorKind::DuplicateKey { key: format!("\"{}\"", keys.join("\",\"")), first_line };
                    return Err(PxError { kind, offset, line, column, keyword: Some("DATA".into()) });
                }
                cells_in_row = 0;
                listed += 1;
            }
            return Ok(());
        }
        // A quoted token that is not a symbol where a cell belongs is the next row's key (numbers
        // are never quoted, codes such as "0999" always are): the row was short.
        if t.quoted && Symbol::parse(t.bytes).is_none() {
            let kind = PxErrorKind::CellCount {
                found: cells_in_row,
                expected: width,
                dims: format!("cells in the KEYS row \"{}\"", keys.join("\",\"")),
            };
            return Err(located(kind, &t));
        }
        let i = row * width + cells_in_row;
        match cell(&t)? {
            Ok(v) => data.values[i as usize] = v,
            Err(s) => data.symbols.push((i, s)),
        }
        cells_in_row += 1;
        if cells_in_row == width {
            keys.clear();
        }
        Ok(())
    })?;
    if !keys.is_empty() {
        let (offset, line, column) = tokens.end();
        let kind = PxErrorKind::CellCount {
            found: cells_in_row,
            expected: width,
            dims: format!("cells in the last KEYS row \"{}\"", keys.join("\",\"")),
        };
        return Err(PxError { kind, offset, line, column, keyword: Some("DATA".into()) });
    }
    data.symbols.sort_unstable_by_key(|(i, _)| *i);
    data.keyed_rows = Some(listed);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols_and_numbers() {
        assert_eq!(Symbol::parse(b"..."), Some(Symbol::Dots(3)));
        assert_eq!(Symbol::parse(b"......."), Some(Symbol::Sum));
        assert_eq!(Symbol::parse(b"........"), None);
        assert_eq!(Symbol::parse(b"-"), Some(Symbol::Nil));
        assert_eq!(Symbol::parse(b"-42"), None);
        assert_eq!(parse_plain("-42"), Some(-42.0));
        for t in ["0", "-42", "8.0399", "12345.6", "0.1", "-0.5", "123456789012345", ".5"] {
            assert_eq!(fast_number(t.as_bytes()), t.parse::<f64>().ok(), "{t}");
        }
        assert_eq!(fast_number(b"-"), None);
        assert_eq!(fast_number(b"."), None);
        assert_eq!(fast_number(b"1.2.3"), None);
        assert_eq!((fast_number(b"5."), parse_plain("5.")), (None, None));
        assert_eq!(fast_number(b"1e5"), None, "exponents take the careful path");
        assert_eq!(parse_plain("8.0399"), Some(8.0399));
        assert_eq!(parse_plain("1.5E+3"), Some(1500.0));
        for bad in ["12x", "1,5", "1 234", "45%", ".", "--1", "1e", "−1"] {
            assert_eq!(parse_plain(bad), None, "{bad}");
        }
    }
}
