//! The metadata lexer: bytes → statements `KEYWORD[lang]("sub",…)=item,item…;`.
//!
//! PX has no escapes: inside quotes every byte is literal (`;`, `=`, `,`, raw newlines), and a
//! string ends at the next `"`. Adjacent quoted pieces join with nothing between them, also
//! mid-word (long texts are split over lines that way). Outside quotes whitespace is not
//! significant, so `KEYWORD ("x")` is fine. The keyword `DATA` (exactly; not `DATABASE`,
//! `DATANOTE…`, `DATASYMBOL…`) ends the metadata. Works on bytes: the structure is ASCII, and
//! strings are decoded later, once the encoding is known.

use super::error::{PxError, PxErrorKind};

/// One value in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item<'a> {
    /// A quoted string (pieces joined), quotes removed, bytes undecoded.
    Text(Vec<u8>),
    /// An unquoted token: a number, `YES`/`NO`, `TLIST(A1,"1994"-"1996")`.
    Bare(&'a [u8]),
    /// `"a"-"b"` (a TIMEVAL range) or `"a":"b"` (a HIERARCHIES link).
    Pair(Vec<u8>, u8, Vec<u8>),
}

/// One `KEYWORD[lang](subkeys)=values;`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Statement<'a> {
    pub keyword: &'a str,
    pub lang: Option<&'a str>,
    pub subkeys: Vec<Item<'a>>,
    pub values: Vec<Item<'a>>,
    /// Byte offset of the keyword.
    pub offset: usize,
}

impl Statement<'_> {
    /// `VALUES[sv]("kön")` as written, for messages.
    pub fn describe(&self, decode: impl Fn(&[u8]) -> String) -> String {
        let mut s = self.keyword.to_string();
        if let Some(l) = self.lang {
            s.push_str(&format!("[{l}]"));
        }
        if !self.subkeys.is_empty() {
            let subs: Vec<String> = self.subkeys.iter().map(|i| format!("{:?}", item_text(i, &decode))).collect();
            s.push_str(&format!("({})", subs.join(",")));
        }
        s
    }
}

/// An item as text (a pair as `a-b`).
pub fn item_text(item: &Item<'_>, decode: impl Fn(&[u8]) -> String) -> String {
    match item {
        Item::Text(t) => decode(t),
        Item::Bare(b) => decode(b),
        Item::Pair(a, sep, b) => format!("{}{}{}", decode(a), *sep as char, decode(b)),
    }
}

/// Statements, and the offset just after `DATA=` (where data begins), if present.
#[derive(Debug)]
pub struct Lexed<'a> {
    pub statements: Vec<Statement<'a>>,
    pub data: Option<usize>,
}

struct Lexer<'a> {
    b: &'a [u8],
    pos: usize,
}

fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | 0x0C | 0x0B)
}

impl<'a> Lexer<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while self.peek().is_some_and(is_ws) {
            self.pos += 1;
        }
    }

    fn found(&self) -> String {
        match self.peek() {
            None => "end of file".into(),
            Some(c) if c.is_ascii_graphic() => format!("{:?}", c as char),
            Some(c) => format!("byte 0x{c:02X}"),
        }
    }

    fn syntax(&self, expected: &'static str) -> PxError {
        PxError::new(PxErrorKind::Syntax { found: self.found(), expected }, self.pos as u64)
    }

    /// A quoted string starting at `"`; the closing quote is required.
    fn quoted(&mut self) -> Result<&'a [u8], PxError> {
        let start = self.pos;
        self.pos += 1;
        match memchr(b'"', &self.b[self.pos..]) {
            Some(len) => {
                let s = &self.b[self.pos..self.pos + len];
                self.pos += len + 1;
                Ok(s)
            }
            None => Err(PxError::new(PxErrorKind::UnterminatedString, start as u64)),
        }
    }

    /// Quoted pieces separated only by whitespace, joined.
    fn text(&mut self) -> Result<Vec<u8>, PxError> {
        let mut out = self.quoted()?.to_vec();
        loop {
            let save = self.pos;
            self.skip_ws();
            if self.peek() == Some(b'"') {
                out.extend_from_slice(self.quoted()?);
            } else {
                self.pos = save;
                return Ok(out);
            }
        }
    }

    fn item(&mut self) -> Result<Item<'a>, PxError> {
        self.skip_ws();
        match self.peek() {
            Some(b'"') => {
                let text = self.text()?;
                let save = self.pos;
                self.skip_ws();
                if let Some(sep @ (b'-' | b':')) = self.peek() {
                    self.pos += 1;
                    self.skip_ws();
                    if self.peek() == Some(b'"') {
                        return Ok(Item::Pair(text, sep, self.text()?));
                    }
                    return Err(self.syntax("a quoted value after - or :"));
                }
                self.pos = save;
                Ok(Item::Text(text))
            }
            Some(c) if !matches!(c, b',' | b';' | b')' | b'=') => {
                let start = self.pos;
                let mut depth = 0usize;
                while let Some(c) = self.peek() {
                    match c {
                        b'(' => depth += 1,
                        b')' if depth > 0 => depth -= 1,
                        b'"' if depth > 0 => {
                            self.quoted()?;
                            continue;
                        }
                        c if depth == 0 && (is_ws(c) || matches!(c, b',' | b';' | b')')) => break,
                        _ => {}
                    }
                    self.pos += 1;
                }
                Ok(Item::Bare(&self.b[start..self.pos]))
            }
            _ => Err(self.syntax("a value")),
        }
    }

    /// Items separated by `,` up to (not including) `close`.
    fn list(&mut self, close: u8, expected: &'static str) -> Result<Vec<Item<'a>>, PxError> {
        let mut items = Vec::new();
        loop {
            items.push(self.item()?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => return Ok(items),
                _ => return Err(self.syntax(expected)),
            }
        }
    }

    fn statement(&mut self) -> Result<Option<Statement<'a>>, PxError> {
        let offset = self.pos;
        while self.peek().is_some_and(|c| !is_ws(c) && !matches!(c, b'[' | b'(' | b'=' | b';' | b'"' | b',')) {
            self.pos += 1;
        }
        let raw = &self.b[offset..self.pos];
        if raw.is_empty() {
            return Err(self.syntax("a keyword"));
        }
        let keyword = std::str::from_utf8(raw).map_err(|_| {
            PxError::new(
                PxErrorKind::Invalid {
                    found: format!("{:?}", raw.escape_ascii().to_string()),
                    expected: "an ASCII keyword".into(),
                },
                offset as u64,
            )
        })?;
        self.skip_ws();
        let mut lang = None;
        if self.peek() == Some(b'[') {
            let start = self.pos + 1;
            match memchr(b']', &self.b[start..]) {
                Some(len) => {
                    lang = std::str::from_utf8(&self.b[start..start + len]).ok().map(str::trim);
                    self.pos = start + len + 1;
                }
                None => return Err(self.syntax("] after the language")),
            }
            self.skip_ws();
        }
        let mut subkeys = Vec::new();
        if self.peek() == Some(b'(') {
            self.pos += 1;
            subkeys = self.list(b')', ", or ) in the subkeys")?;
            self.pos += 1;
            self.skip_ws();
        }
        if self.peek() != Some(b'=') {
            return Err(self.syntax("= after the keyword").with_keyword(keyword));
        }
        self.pos += 1;
        if keyword == "DATA" && lang.is_none() && subkeys.is_empty() {
            return Ok(None);
        }
        let values = self.list(b';', ", or ; after a value").map_err(|e| e.with_keyword(keyword))?;
        self.pos += 1;
        Ok(Some(Statement { keyword, lang, subkeys, values, offset }))
    }
}

/// Lexes metadata up to `DATA=`. Without a DATA keyword, all statements and `data: None`.
pub fn lex(bytes: &[u8]) -> Result<Lexed<'_>, PxError> {
    let mut lx = Lexer { b: bytes, pos: 0 };
    let mut statements = Vec::new();
    loop {
        lx.skip_ws();
        if lx.pos >= bytes.len() {
            return Ok(Lexed { statements, data: None });
        }
        match lx.statement()? {
            Some(s) => statements.push(s),
            None => return Ok(Lexed { statements, data: Some(lx.pos) }),
        }
    }
}

/// Finds the byte offset just after `DATA=` in a prefix of a file, tracking quotes, so the
/// metadata can be read from a stream without lexing it twice. `None`: not within `bytes`.
pub fn find_data(bytes: &[u8]) -> Option<usize> {
    let mut in_quote = false;
    let mut statement_start = true;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_quote {
            if c == b'"' {
                in_quote = false;
            }
        } else if c == b'"' {
            in_quote = true;
            statement_start = false;
        } else if c == b';' {
            statement_start = true;
        } else if statement_start && !is_ws(c) {
            statement_start = false;
            if bytes[i..].starts_with(b"DATA") {
                let mut j = i + 4;
                while j < bytes.len() && is_ws(bytes[j]) {
                    j += 1;
                }
                if bytes.get(j) == Some(&b'=') {
                    return Some(j + 1);
                }
            }
        }
        i += 1;
    }
    None
}

fn memchr(needle: u8, hay: &[u8]) -> Option<usize> {
    hay.iter().position(|&c| c == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(i: &Item<'_>) -> String {
        item_text(i, |b| String::from_utf8_lossy(b).into_owned())
    }

    #[test]
    fn quotes_are_literal_and_pieces_join() {
        let bytes = b"TITLE=\"a;b=c, d\"\n\"Parts of S\xc3\xb6\"\n  \"dertalje\";DATA=1";
        let l = lex(bytes).unwrap();
        assert_eq!(l.statements.len(), 1);
        assert_eq!(text(&l.statements[0].values[0]), "a;b=c, dParts of Södertalje");
        assert_eq!(&bytes[l.data.unwrap()..], b"1");
    }

    #[test]
    fn keys_with_language_subkeys_and_whitespace() {
        let l =
            lex(b"VALUES[sv] (\"k\xc3\xb6n\", \"x\") = \"a\",\"b\" ;\nCREATION.DATE=\"2020\";AXIS_VERSION=2000;DATA=")
                .unwrap();
        let s = &l.statements[0];
        assert_eq!((s.keyword, s.lang), ("VALUES", Some("sv")));
        assert_eq!(s.subkeys.iter().map(text).collect::<Vec<_>>(), ["kön", "x"]);
        assert_eq!(s.values.iter().map(text).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(l.statements[1].keyword, "CREATION.DATE");
        assert_eq!(text(&l.statements[2].values[0]), "2000");
    }

    #[test]
    fn data_is_never_confused_with_its_prefixes() {
        let l = lex(b"DATABASE=\"x\";DATANOTE=\"y\";DATASYMBOL1=\"..\";DATANOTECELL(\"*\")=\"A\";DATA=\n1 2").unwrap();
        assert_eq!(
            l.statements.iter().map(|s| s.keyword).collect::<Vec<_>>(),
            ["DATABASE", "DATANOTE", "DATASYMBOL1", "DATANOTECELL"]
        );
        assert_eq!(
            &b"DATABASE=\"x\";DATANOTE=\"y\";DATASYMBOL1=\"..\";DATANOTECELL(\"*\")=\"A\";DATA=\n1 2"
                [l.data.unwrap()..],
            b"\n1 2"
        );
        assert_eq!(find_data(b"NOTE=\"DATA=1\";DATABASE=\"d\"; DATA =\n1"), Some(34));
        assert_eq!(find_data(b"NOTE=\"DATA=1\";"), None);
    }

    #[test]
    fn timeval_forms_and_pairs() {
        let l = lex(b"TIMEVAL(\"t\")=TLIST(A1, \"1994\"-\"1996\");TIMEVAL(\"u\")=TLIST(A1),\"2019\"-\"2022\";HIERARCHIES(\"r\")=\"A\",\"A\":\"B\";").unwrap();
        assert_eq!(text(&l.statements[0].values[0]), "TLIST(A1, \"1994\"-\"1996\")");
        assert_eq!(l.statements[1].values.iter().map(text).collect::<Vec<_>>(), ["TLIST(A1)", "2019-2022"]);
        assert_eq!(l.statements[2].values[1], Item::Pair(b"A".to_vec(), b':', b"B".to_vec()));
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = lex(b"TITLE=\"abc").unwrap_err();
        assert_eq!((e.kind, e.offset), (PxErrorKind::UnterminatedString, 6));
        let e = lex(b"TITLE=\"a\"\nCONTENTS=\"b\";").unwrap_err().locate(b"TITLE=\"a\"\nCONTENTS=\"b\";");
        assert_eq!((e.line, e.column, e.keyword.as_deref()), (2, 1, Some("TITLE")));
        assert!(matches!(e.kind, PxErrorKind::Syntax { expected: ", or ; after a value", .. }));
        let e = lex(b"TITLE \"a\";").unwrap_err();
        assert!(matches!(e.kind, PxErrorKind::Syntax { expected: "= after the keyword", .. }));
    }
}
