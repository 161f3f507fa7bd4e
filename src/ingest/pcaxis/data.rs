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
//!
//! Large dense blocks are parsed on several threads ([`super::chunks`]); the result, and every
//! error, is the same as on one.

use std::collections::HashMap;
use std::io::Read;

use super::cells::{Cell, bad_cell, cell, plain_cells};
use super::error::{PxError, PxErrorKind};
use super::meta::{KeyKind, Meta};
use super::scan::{SEPARATOR, Scanner};

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

/// How the DATA block is read. The defaults suit files; tests use tiny chunks so that every
/// token meets a chunk boundary somewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tuning {
    /// Bytes per chunk handed to a worker.
    pub chunk: usize,
    /// Worker threads for dense data (1: all on the calling thread).
    pub threads: usize,
    /// Dense blocks with fewer cells are read on the calling thread.
    pub min_cells: u64,
}

impl Default for Tuning {
    fn default() -> Tuning {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
        Tuning { chunk: 1 << 20, threads, min_cells: 1 << 18 }
    }
}

/// Reads the DATA block. `first` holds the bytes already read after `DATA=`, starting at file
/// offset `at.0` on line `at.1` (whose first byte is at offset `at.2`).
pub fn read(meta: &Meta, first: &[u8], rest: impl Read, at: (u64, u32, u64), tuning: Tuning) -> Result<Data, PxError> {
    let (base, line, line_start) = at;
    let mut scanner = Scanner::new(rest, first, base, line, line_start);
    let expected = meta.cells();
    let Some(kinds) = &meta.keys else {
        let mut dense = Dense::new(expected);
        if tuning.threads > 1
            && expected >= tuning.min_cells
            && let Some(end) = super::chunks::read(&mut scanner, &mut dense, tuning)?
        {
            return dense.finish(meta, end);
        }
        dense.read_rest(meta, &mut scanner)?;
        let end = scanner.end();
        return dense.finish(meta, end);
    };
    sparse(meta, kinds, &mut scanner, expected)
}

/// A dense cube as read so far.
pub(super) struct Dense {
    pub data: Data,
    pub count: u64,
    pub expected: u64,
    first_excess: Option<PxError>,
}

impl Dense {
    fn new(expected: u64) -> Dense {
        let data = Data { values: Vec::with_capacity(expected.min(1 << 31) as usize), ..Data::default() };
        Dense { data, count: 0, expected, first_excess: None }
    }

    /// Reads the rest of the block on this thread: plain numbers in bulk, anything else one
    /// token at a time (the exact path every error comes from).
    fn read_rest<R: Read>(&mut self, meta: &Meta, sc: &mut Scanner<R>) -> Result<(), PxError> {
        loop {
            let room = self.expected.saturating_sub(self.count) as usize;
            if room > 0 {
                // Up to the last separator in the buffer, so that no number is cut.
                let unread = &sc.buf[sc.pos..sc.len];
                let limit = if sc.eof {
                    sc.len
                } else {
                    unread.iter().rposition(|&c| SEPARATOR[c as usize]).map_or(sc.pos, |p| sc.pos + p + 1)
                };
                let before = self.data.values.len();
                let (pos, last_end) = plain_cells(&sc.buf[..limit], sc.pos, &mut self.data.values, room);
                self.count += (self.data.values.len() - before) as u64;
                sc.pos = pos;
                if let Some(e) = last_end {
                    sc.last_end = Some(sc.base + e as u64);
                }
                if pos == limit && limit < sc.len {
                    sc.refill()?;
                    continue;
                }
            }
            let Some(at) = sc.next()? else { return Ok(()) };
            let t = sc.token(at);
            let start = t.start;
            if self.count >= self.expected {
                if self.first_excess.is_none() {
                    let kind = PxErrorKind::CellCount { found: 0, expected: self.expected, dims: meta.dims() };
                    self.first_excess = Some(sc.error_at(kind, start));
                }
                self.count += 1;
                continue;
            }
            match cell(t.bytes) {
                Some(Cell::Number(v)) => self.data.values.push(v),
                Some(Cell::Symbol(s)) => {
                    self.data.values.push(0.0);
                    self.data.symbols.push((self.count, s));
                }
                None => {
                    let kind = bad_cell(t.bytes);
                    return Err(sc.error_at(kind, start));
                }
            }
            self.count += 1;
        }
    }

    /// The cube, when the count is right; `end` locates the end of the last cell.
    fn finish(self, meta: &Meta, end: (u64, u32, u32)) -> Result<Data, PxError> {
        let kind = PxErrorKind::CellCount { found: self.count, expected: self.expected, dims: meta.dims() };
        if let Some(mut e) = self.first_excess {
            e.kind = kind;
            return Err(e);
        }
        if self.count < self.expected {
            let (offset, line, column) = end;
            return Err(PxError { kind, offset, line, column, keyword: Some("DATA".into()) });
        }
        Ok(self.data)
    }
}

fn sparse<R: Read>(meta: &Meta, kinds: &[KeyKind], sc: &mut Scanner<R>, expected: u64) -> Result<Data, PxError> {
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
    let mut key_start = (0, 0, 0);
    let mut listed = 0u64;
    let located = |kind, (offset, line, column)| PxError { kind, offset, line, column, keyword: Some("DATA".into()) };
    while let Some(at) = sc.next()? {
        let t = sc.token(at);
        if keys.len() < stub.len() {
            let start = t.start;
            keys.push(meta.charset.decode(t.bytes));
            if keys.len() == 1 {
                key_start = sc.locate(start);
            }
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
                        return Err(located(kind, key_start));
                    };
                    row += i * weights[j];
                }
                if let Some(first_line) = row_line.insert(row, key_start.1) {
                    let kind = PxErrorKind::DuplicateKey { key: format!("\"{}\"", keys.join("\",\"")), first_line };
                    return Err(located(kind, key_start));
                }
                cells_in_row = 0;
                listed += 1;
            }
            continue;
        }
        // A quoted token that is not a symbol where a cell belongs is the next row's key (numbers
        // are never quoted, codes such as "0999" always are): the row was short.
        if t.quoted && Symbol::parse(t.bytes).is_none() {
            let kind = PxErrorKind::CellCount {
                found: cells_in_row,
                expected: width,
                dims: format!("cells in the KEYS row \"{}\"", keys.join("\",\"")),
            };
            let start = t.start;
            return Err(sc.error_at(kind, start));
        }
        let i = row * width + cells_in_row;
        match cell(t.bytes) {
            Some(Cell::Number(v)) => data.values[i as usize] = v,
            Some(Cell::Symbol(s)) => data.symbols.push((i, s)),
            None => {
                let (kind, start) = (bad_cell(t.bytes), t.start);
                return Err(sc.error_at(kind, start));
            }
        }
        cells_in_row += 1;
        if cells_in_row == width {
            keys.clear();
        }
    }
    if !keys.is_empty() {
        let kind = PxErrorKind::CellCount {
            found: cells_in_row,
            expected: width,
            dims: format!("cells in the last KEYS row \"{}\"", keys.join("\",\"")),
        };
        return Err(located(kind, sc.end()));
    }
    data.symbols.sort_unstable_by_key(|(i, _)| *i);
    data.keyed_rows = Some(listed);
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn symbols() {
        assert_eq!(Symbol::parse(b"..."), Some(Symbol::Dots(3)));
        assert_eq!(Symbol::parse(b"......."), Some(Symbol::Sum));
        assert_eq!(Symbol::parse(b"........"), None);
        assert_eq!(Symbol::parse(b"-"), Some(Symbol::Nil));
        assert_eq!(Symbol::parse(b"-42"), None);
        assert_eq!(Symbol::Dots(4).text(), "....");
    }
}
