//! PX errors: what is wrong, at which byte, under which keyword. Byte offsets become line and
//! column only when reported (as ruff's lexer does), so the scanner stays cheap.

use std::fmt;

/// A problem in a PX file.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PxErrorKind {
    #[error("cannot read the file: {0}")]
    Io(String),
    #[error("found end of file inside a quoted string, expected a closing \"")]
    UnterminatedString,
    #[error("found {found}, expected {expected}")]
    Syntax { found: String, expected: &'static str },
    #[error("the file is empty, expected PX keywords and DATA")]
    Empty,
    #[error("found no DATA keyword, expected DATA= after the metadata")]
    NoData,
    #[error("found a second {keyword} for {subject}, expected one")]
    Duplicate { keyword: String, subject: String },
    #[error("{keyword} is missing, expected {expected}")]
    Missing { keyword: String, expected: String },
    #[error("found {found}, expected {expected}")]
    Invalid { found: String, expected: String },
    #[error("found {found} data cells, expected {expected} ({dims})")]
    CellCount { found: u64, expected: u64, dims: String },
    #[error("found {found:?} in DATA, expected a number or a symbol (. .. ... .... ..... ...... ....... - :)")]
    BadCell { found: String },
    #[error("found KEYS row {key}, expected {expected}")]
    BadKey { key: String, expected: String },
    #[error("found KEYS row {key} a second time (first on line {first_line})")]
    DuplicateKey { key: String, first_line: u32 },
}

/// A located PX error. `offset` is a byte offset into the file; `line`/`column` are filled from
/// it (1-based; the column counts characters after decoding, or bytes where undecodable).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PxError {
    pub kind: PxErrorKind,
    pub offset: u64,
    pub line: u32,
    pub column: u32,
    /// The keyword being read (`VALUES("kön")`), when there is one.
    pub keyword: Option<String>,
}

impl PxError {
    pub fn new(kind: PxErrorKind, offset: u64) -> PxError {
        PxError { kind, offset, line: 0, column: 0, keyword: None }
    }

    pub fn with_keyword(mut self, keyword: impl Into<String>) -> PxError {
        if self.keyword.is_none() {
            self.keyword = Some(keyword.into());
        }
        self
    }

    /// Fills line and column from the offset, given the bytes before it (when they are at hand).
    pub fn locate(mut self, bytes: &[u8]) -> PxError {
        let at = (self.offset as usize).min(bytes.len());
        let before = &bytes[..at];
        self.line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
        let start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        self.column = String::from_utf8_lossy(&before[start..]).chars().count() as u32 + 1;
        self
    }
}

impl fmt::Display for PxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: ", self.line, self.column)?;
        if let Some(k) = &self.keyword {
            write!(f, "{k}: ")?;
        }
        write!(f, "{}", self.kind)
    }
}

impl std::error::Error for PxError {}
