//! Tokens of the DATA block from a stream. The buffer keeps the unread tail when it is refilled,
//! so a token is always whole in memory, and lines are counted only up to what must be located:
//! the hot loops never look at line ends (errors carry offsets, as in ruff's lexer).

use std::io::Read;

use super::error::{PxError, PxErrorKind};

/// A token: its bytes (quotes removed), whether it was quoted, and where it starts in the
/// scanner's buffer (located only when something is wrong with it).
pub(super) struct Token<'t> {
    pub bytes: &'t [u8],
    pub quoted: bool,
    pub start: usize,
}

/// Splits a stream into tokens. The buffer keeps the unread tail when it is refilled, so a token
/// is always whole in memory; lines are counted lazily, only up to what must be located, so the
/// hot loop never looks at line ends.
pub(super) struct Scanner<R> {
    pub reader: R,
    pub buf: Vec<u8>,
    pub len: usize,
    pub pos: usize,
    pub eof: bool,
    /// File offset of `buf[0]`.
    pub base: u64,
    /// `line` and `line_start` (a file offset) are exact at buffer index `cursor`.
    pub cursor: usize,
    pub line: u32,
    pub line_start: u64,
    /// File offset just after the last token, and its location once its bytes were dropped.
    pub last_end: Option<u64>,
    pub last_end_at: Option<(u64, u32, u32)>,
}

pub(super) const CHUNK: usize = 1 << 20;

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
pub(super) const SEPARATOR: [bool; 256] = table(false);
/// What ends an unquoted cell: a separator or a quote.
pub(super) const ENDS_BARE: [bool; 256] = table(true);

impl<R: Read> Scanner<R> {
    pub fn new(reader: R, first: &[u8], base: u64, line: u32, line_start: u64) -> Scanner<R> {
        let mut buf = first.to_vec();
        let len = buf.len();
        buf.resize(len.max(CHUNK), 0);
        Scanner {
            reader,
            buf,
            len,
            pos: 0,
            eof: false,
            base,
            cursor: 0,
            line,
            line_start,
            last_end: None,
            last_end_at: None,
        }
    }

    /// Moves the line count forward to buffer index `p` (never backwards: tokens are located in
    /// file order).
    pub fn advance(&mut self, p: usize) {
        debug_assert!(p >= self.cursor, "located out of order");
        let p = p.max(self.cursor);
        let part = &self.buf[self.cursor..p];
        let newlines = count_newlines(part);
        if newlines > 0 {
            self.line += newlines as u32;
            let last = part.iter().rposition(|&c| c == b'\n').expect("counted one");
            self.line_start = self.base + (self.cursor + last) as u64 + 1;
        }
        self.cursor = p;
    }

    /// File offset, line and (byte) column of buffer index `p`.
    pub fn locate(&mut self, p: usize) -> (u64, u32, u32) {
        self.advance(p);
        let offset = self.base + p as u64;
        (offset, self.line, (offset.saturating_sub(self.line_start)) as u32 + 1)
    }

    pub fn error_at(&mut self, kind: PxErrorKind, p: usize) -> PxError {
        let (offset, line, column) = self.locate(p);
        PxError { kind, offset, line, column, keyword: Some("DATA".into()) }
    }

    /// Just after the last token, for "too few cells" errors (or where reading stopped).
    pub fn end(&mut self) -> (u64, u32, u32) {
        match (self.last_end, self.last_end_at) {
            (Some(e), Some(at)) if at.0 == e => at,
            (Some(e), _) => self.locate((e - self.base) as usize),
            (None, _) => self.locate(self.pos),
        }
    }

    /// Continues on `buf`, the unread bytes from file offset `at.0` (on line `at.1`, which
    /// starts at offset `at.2`), the reader holding what follows unless `eof`; `last_end_at`
    /// locates the end of the last token before them.
    pub fn restart(&mut self, mut buf: Vec<u8>, at: (u64, u32, u64), eof: bool, last_end_at: Option<(u64, u32, u32)>) {
        self.len = buf.len();
        if buf.len() < CHUNK {
            buf.resize(CHUNK, 0);
        }
        (self.buf, self.pos, self.cursor, self.eof) = (buf, 0, 0, eof);
        (self.base, self.line, self.line_start) = at;
        self.last_end = last_end_at.map(|at| at.0);
        self.last_end_at = last_end_at;
    }

    /// Drops what was read, keeps the unread tail `buf[pos..len]` and reads more after it.
    /// `Ok(false)` at the end of the input.
    pub fn refill(&mut self) -> Result<bool, PxError> {
        if self.eof {
            return Ok(false);
        }
        if let Some(e) = self.last_end
            && e < self.base + self.pos as u64
            && self.last_end_at.is_none_or(|at| at.0 != e)
        {
            self.last_end_at = Some(self.locate((e - self.base) as usize));
        }
        self.advance(self.pos);
        self.buf.copy_within(self.pos..self.len, 0);
        self.base += self.pos as u64;
        self.len -= self.pos;
        self.pos = 0;
        self.cursor = 0;
        if self.len == self.buf.len() {
            // One token longer than the buffer (a runaway quoted string): grow.
            self.buf.resize(self.buf.len() * 2, 0);
        }
        loop {
            match self.reader.read(&mut self.buf[self.len..]) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(false);
                }
                Ok(n) => {
                    self.len += n;
                    return Ok(true);
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(PxError::new(PxErrorKind::Io(e.to_string()), self.base + self.len as u64)),
            }
        }
    }

    /// The next token as `(start, end, quoted)` buffer indices (see [`Scanner::token`]), or
    /// `None` at the end of the input.
    pub fn next(&mut self) -> Result<Option<(usize, usize, bool)>, PxError> {
        loop {
            let buf = &self.buf[..self.len];
            let mut pos = self.pos;
            while pos < buf.len() && SEPARATOR[buf[pos] as usize] {
                pos += 1;
            }
            self.pos = pos;
            if pos == buf.len() {
                if !self.refill()? {
                    return Ok(None);
                }
                continue;
            }
            let (start, end, quoted) = token_at(buf, pos);
            let end = match end {
                Some(end) => end,
                None if !self.eof => {
                    // The token runs past the buffer: keep it and read on.
                    self.refill()?;
                    continue;
                }
                None if quoted => return Err(self.error_at(PxErrorKind::UnterminatedString, pos)),
                None => buf.len(),
            };
            self.pos = if quoted { end + 1 } else { end };
            self.last_end = Some(self.base + self.pos as u64);
            return Ok(Some((start, end, quoted)));
        }
    }

    pub fn token(&self, (start, end, quoted): (usize, usize, bool)) -> Token<'_> {
        Token { bytes: &self.buf[start..end], quoted, start: if quoted { start - 1 } else { start } }
    }
}

/// The token starting at `buf[pos]` (not a separator): `(start, end, quoted)` without the quotes;
/// `end` is `None` when nothing in `buf` closes it.
pub(super) fn token_at(buf: &[u8], pos: usize) -> (usize, Option<usize>, bool) {
    let quoted = buf[pos] == b'"';
    let start = pos + usize::from(quoted);
    let end = if quoted {
        buf[start..].iter().position(|&c| c == b'"')
    } else {
        buf[start..].iter().position(|&c| ENDS_BARE[c as usize])
    };
    (start, end.map(|n| start + n), quoted)
}

/// Line feeds in `b`, 64 bytes at a time (the byte sums vectorise).
pub(super) fn count_newlines(b: &[u8]) -> usize {
    let mut chunks = b.chunks_exact(64);
    let mut n = 0;
    for c in &mut chunks {
        n += c.iter().map(|&x| u8::from(x == b'\n')).sum::<u8>() as usize;
    }
    n + chunks.remainder().iter().filter(|&&x| x == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_and_lines() {
        assert_eq!(token_at(b"12 3", 0), (0, Some(2), false));
        assert_eq!(token_at(b"\"..\" 3", 0), (1, Some(3), true));
        assert_eq!(token_at(b"\"..", 0), (1, None, true));
        assert_eq!(token_at(b"12", 0), (0, None, false));
        assert_eq!(token_at(b"12\"x\"", 0), (0, Some(2), false));
        assert_eq!(count_newlines(&b"a\nb\n".repeat(100)), 200);
        assert_eq!(count_newlines(b""), 0);
    }

    #[test]
    fn located_across_refills() {
        // A reader that hands out three bytes at a time: every token crosses a refill.
        struct Trickle<'a>(&'a [u8]);
        impl Read for Trickle<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(out.len()).min(3);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let text = b"1 22\n333 \"a\nb\" 4444\n  55555";
        let mut sc = Scanner::new(Trickle(&text[2..]), &text[..2], 100, 7, 100);
        let mut seen = Vec::new();
        while let Some(at) = sc.next().unwrap() {
            let t = sc.token(at);
            let (bytes, start) = (t.bytes.to_vec(), t.start);
            seen.push((String::from_utf8(bytes).unwrap(), sc.locate(start)));
        }
        let expect = [
            ("1", (100, 7, 1)),
            ("22", (102, 7, 3)),
            ("333", (105, 8, 1)),
            ("a\nb", (109, 8, 5)),
            ("4444", (115, 9, 4)),
            ("55555", (122, 10, 3)),
        ];
        let expect: Vec<_> = expect.iter().map(|(s, at)| (s.to_string(), *at)).collect();
        assert_eq!(seen, expect);
        assert_eq!(sc.end(), (127, 10, 8));
    }
}
