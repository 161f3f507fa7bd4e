//! Where a problem is, and the problem itself, as data.
//!
//! Every error a user can cause names the file, the line (text files) or row (spreadsheets) and
//! the column, what was found and what was expected (DESIGN §9). The library never prints: it
//! returns [`Problem`]s, and the binary renders them as
//!
//! ```text
//! error: data/hemtjanst.csv:17:4: sex code "X" is not one of K, M, T (or kvinnor, män, totalt…)
//!   hint: …
//! ```

use std::fmt;

/// A position in an input, 1-based like csv's `Position` and every editor.
///
/// `line` is the physical line in a text file (a quoted field spanning lines reports the line
/// the record starts on) or the row number Excel shows. `column` is the 1-based field number in a
/// CSV record or the spreadsheet column number; `cell` adds the spreadsheet reference
/// (`Blad1!D17`) users look for. `keyword` names the PX/TOML key for keyed formats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub source: String,
    pub line: Option<u32>,
    pub column: Option<u32>,
    pub cell: Option<String>,
    pub keyword: Option<String>,
}

impl Location {
    /// The whole file.
    pub fn file(source: impl Into<String>) -> Location {
        Location { source: source.into(), ..Location::default() }
    }

    /// A line (and column) of a file.
    pub fn at(source: impl Into<String>, line: u32, column: Option<u32>) -> Location {
        Location { source: source.into(), line: Some(line), column, ..Location::default() }
    }

    pub fn with_cell(mut self, cell: String) -> Location {
        self.cell = Some(cell);
        self
    }

    pub fn with_keyword(mut self, keyword: impl Into<String>) -> Location {
        self.keyword = Some(keyword.into());
        self
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(col) = self.column {
                write!(f, ":{col}")?;
            }
        }
        if let Some(cell) = &self.cell {
            write!(f, " ({cell})")?;
        }
        if let Some(keyword) = &self.keyword {
            write!(f, " [{keyword}]")?;
        }
        Ok(())
    }
}

/// One problem: where, what (`K` is the stage's error enum, which holds found/expected as
/// fields), and an optional hint on how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem<K> {
    pub location: Location,
    pub kind: K,
    pub hint: Option<String>,
}

impl<K> Problem<K> {
    pub fn new(location: Location, kind: K) -> Problem<K> {
        Problem { location, kind, hint: None }
    }

    pub fn with_hint(mut self, hint: Option<String>) -> Problem<K> {
        if hint.is_some() {
            self.hint = hint;
        }
        self
    }
}

impl<K: fmt::Display> fmt::Display for Problem<K> {
    /// `path:line:col: message` — the hint is rendered separately by the binary.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.kind)
    }
}

impl<K: fmt::Debug + fmt::Display> std::error::Error for Problem<K> {}

/// The 1-based line and column (in characters) of byte offset `start` in `text`: for the TOML
/// files (round, indicators) whose parser reports byte spans.
pub fn text_location(source: impl Into<String>, text: &str, start: usize) -> Location {
    let before = &text[..floor_char_boundary(text, start.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Location::at(source, line as u32, Some(col as u32))
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Spreadsheet column letters: 1 → A, 27 → AA.
pub fn column_letters(mut col: u32) -> String {
    let mut out = Vec::new();
    while col > 0 {
        let rem = ((col - 1) % 26) as u8;
        out.push(b'A' + rem);
        col = (col - 1) / 26;
    }
    out.reverse();
    String::from_utf8(out).expect("ASCII letters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_render_like_compilers() {
        assert_eq!(Location::at("a.csv", 17, Some(4)).to_string(), "a.csv:17:4");
        assert_eq!(Location::at("a.csv", 3, None).to_string(), "a.csv:3");
        assert_eq!(Location::file("a.csv").to_string(), "a.csv");
        assert_eq!(
            Location::at("b.xlsx", 5, Some(2)).with_cell("Blad1!B5".into()).to_string(),
            "b.xlsx:5:2 (Blad1!B5)"
        );
    }

    #[test]
    fn column_letters_match_excel() {
        assert_eq!(column_letters(1), "A");
        assert_eq!(column_letters(4), "D");
        assert_eq!(column_letters(26), "Z");
        assert_eq!(column_letters(27), "AA");
        assert_eq!(column_letters(703), "AAA");
    }
}
