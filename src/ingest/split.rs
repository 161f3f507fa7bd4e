//! Splits delimited text into records exactly as `csv` 1.x does with `has_headers(false)` and
//! `flexible(true)` (quote `"`, doubled quotes, no escape byte, no comments, CRLF terminators),
//! with the line each record starts on (what jamfor derived from csv's positions before; the
//! tests keep that derivation, `line_of`, as the reference), at two to three times csv's
//! speed. csv steps a state machine through every byte; this turns each 64-byte block into a
//! bitmask of the bytes that can matter (delimiter, `"`, `\r`, `\n`) and jumps from one to the
//! next, so a field costs a few instructions whatever its length. Quoted fields use the same
//! masks, and are read in place unless they hold a `""`, a structural byte or bytes after the
//! closing quote.
//!
//! The rules, csv_core's:
//! - A record ends at the first `\r` or `\n` outside quotes, or at the end of the input. The
//!   `\r` and `\n` bytes after it (blank lines, the `\n` of a CRLF, lone `\r`s) are skipped, so
//!   no record is ever empty; text ending in a delimiter or an open quote still makes one.
//! - A field starting with `"` is quoted: delimiters, `\r` and `\n` inside are content, `""` is
//!   one `"`, and a missing closing quote runs the field to the end of the input. Bytes after the
//!   closing quote up to the delimiter are appended as they are (`"ab"c` reads `abc`).
//! - A `"` anywhere else is an ordinary byte (`a"b`, `"ab"c"d` reads `abc"d`).
//! - Lines count every `\n`, quoted ones included, before the record's first byte.
//! - A UTF-8 byte order mark at the very start is skipped, as csv_core skips it. Lines are then
//!   true ones, where `line_of` says 1 for a first record after a BOM and blank lines (csv puts
//!   that record at byte 0, before the BOM, so `line_of` skips nothing); jamfor strips the BOM
//!   before splitting, which makes the two agree.
//!
//! Offsets are `usize`, so there is no limit on the input's size but memory; lines are `u32`,
//! which cannot overflow below 4 GiB of input.

/// Bytes described by one mask: one bit per byte of a `u64`.
const BLOCK: usize = 64;

/// Reads records one after another from text held in memory.
pub struct Splitter<'a> {
    text: &'a [u8],
    delimiter: u8,
    cursor: Cursor,
    /// Just past the last record's first terminator byte: what csv reports as consumed.
    pos: usize,
    /// One plus the `\n`s looked at so far, quoted ones included (csv counts those too).
    line: usize,
}

impl<'a> Splitter<'a> {
    /// # Panics
    /// If the delimiter is `"`, `\r` or `\n`, which csv would accept but which make no sense.
    pub fn new(text: &'a [u8], delimiter: u8) -> Splitter<'a> {
        assert!(!matches!(delimiter, b'"' | b'\r' | b'\n'), "delimiter {delimiter:#04x} is a structural byte");
        let pos = if text.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let cursor = Cursor { base: 0, mask: structural(text, 0, delimiter) & (u64::MAX << pos) };
        Splitter { text, delimiter, cursor, pos, line: 1 }
    }

    /// Reads the next record into `rec` (reusing its buffers); false at the end of input.
    pub fn read(&mut self, rec: &mut Record<'a>) -> bool {
        let (text, n, delimiter) = (self.text, self.text.len(), self.delimiter);
        rec.text = text;
        rec.spans.clear();
        rec.unescaped.clear();
        // Locals, which the compiler can keep in registers: it must keep `self` and `rec` up to
        // date at every bounds check and push, in case of a panic.
        let (mut cur, mut pos, mut line) = (self.cursor, self.pos, self.line);
        loop {
            match text.get(pos) {
                None => {
                    self.pos = n;
                    return false;
                }
                Some(b'\n') => line += 1,
                Some(b'\r') => {}
                Some(_) => break,
            }
            cur.next(text, delimiter); // the byte just matched
            pos += 1;
        }
        rec.line = u32::try_from(line).unwrap_or(u32::MAX);
        let mut spans = std::mem::take(&mut rec.spans);
        let mut start = pos;
        let end = loop {
            let i = cur.next(text, delimiter).unwrap_or(n);
            match text.get(i) {
                Some(&c) if c == delimiter => {
                    spans.push((start, i));
                    start = i + 1;
                }
                Some(b'"') if i > start => {} // an ordinary byte inside an unquoted field
                Some(b'"') => {
                    // A quoted field holding no structural byte and ending at its closing quote is
                    // a slice of the text too; anything else takes the exact, copying path.
                    let before = cur;
                    let j = cur.next(text, delimiter).unwrap_or(n);
                    let (span, end);
                    if text.get(j) == Some(&b'"')
                        && text.get(j + 1).is_none_or(|&c| c == delimiter || c == b'\r' || c == b'\n')
                    {
                        (span, end) = ((i + 1, j), cur.next(text, delimiter).unwrap_or(n));
                    } else {
                        (span, end, cur, line) = self.quoted(before, line, &mut rec.unescaped, i + 1);
                    }
                    spans.push(span);
                    if text.get(end) != Some(&delimiter) {
                        break end;
                    }
                    start = end + 1;
                }
                _ => {
                    spans.push((start, i));
                    break i;
                }
            }
        };
        rec.spans = spans;
        self.line = line + usize::from(text.get(end) == Some(&b'\n'));
        self.pos = (end + 1).min(n);
        self.cursor = cur;
        true
    }

    /// Bytes consumed so far (for estimating rows from a sample).
    pub fn position(&self) -> usize {
        self.pos
    }

    /// Reads a quoted field from `from`, just past its opening quote, to the delimiter or
    /// terminator after it, into `out`; returns its span (see `Record::spans`), where it ends
    /// (`text.len()` at the end of input), and the cursor and line count after it. Out of line,
    /// so that `read`'s loop stays small.
    #[inline(never)]
    fn quoted(&self, mut cur: Cursor, mut line: usize, out: &mut Vec<u8>, from: usize) -> Quoted {
        let (text, n, delimiter) = (self.text, self.text.len(), self.delimiter);
        let first = n + out.len();
        let mut seg = from;
        while let Some(j) = cur.next(text, delimiter) {
            match text[j] {
                b'"' if text.get(j + 1) == Some(&b'"') => {
                    cur.next(text, delimiter);
                    out.extend_from_slice(&text[seg..=j]);
                    seg = j + 2;
                }
                b'"' => {
                    // Closed: what follows up to the delimiter or terminator is appended as it is.
                    let end = loop {
                        match cur.next(text, delimiter) {
                            Some(k) if text[k] == b'"' => {}
                            k => break k.unwrap_or(n),
                        }
                    };
                    out.extend_from_slice(&text[seg..j]);
                    out.extend_from_slice(&text[j + 1..end]);
                    return ((first, n + out.len()), end, cur, line);
                }
                b'\n' => line += 1,
                _ => {}
            }
        }
        out.extend_from_slice(&text[seg..]);
        ((first, n + out.len()), n, cur, line)
    }
}

/// A quoted field's span, end, and the cursor and line count after it.
type Quoted = ((usize, usize), usize, Cursor, usize);

/// Where the search for structural bytes stands.
#[derive(Clone, Copy)]
struct Cursor {
    /// Start of the block `mask` describes.
    base: usize,
    /// The structural bytes of the block at `base` not yet looked at: every byte before them has
    /// been, which lets the fast path and the quoted one share the cursor.
    mask: u64,
}

impl Cursor {
    /// The next structural byte not yet looked at, moving through the blocks as needed.
    #[inline(always)]
    fn next(&mut self, text: &[u8], delimiter: u8) -> Option<usize> {
        while self.mask == 0 {
            let next = self.base + BLOCK;
            if next >= text.len() {
                return None;
            }
            self.base = next;
            self.mask = structural(text, next, delimiter);
        }
        let bit = self.mask.trailing_zeros() as usize;
        self.mask &= self.mask - 1;
        Some(self.base + bit)
    }
}

/// Bit `i` set where `text[base + i]` is the delimiter, `"`, `\r` or `\n`; `base` is within `text`.
#[inline(always)] // into `Cursor::next`, for a few % (the compare constants stay in registers)
fn structural(text: &[u8], base: usize, delimiter: u8) -> u64 {
    match text.get(base..base + BLOCK) {
        Some(block) => block_mask(block.try_into().expect("a block"), delimiter),
        None => last_block(&text[base..], delimiter),
    }
}

/// The compares into a byte array become SIMD compares. LLVM does not vectorise the direct
/// `m |= bit << i` well (it makes u64 lanes and shifts them), so the 0/1 bytes are packed eight
/// at a time by a multiply that moves byte `k`'s low bit to bit `56 + k` with no carries.
#[inline(always)]
fn block_mask(block: &[u8; BLOCK], delimiter: u8) -> u64 {
    let mut hits = [0u8; BLOCK];
    // Indexes, not `zip`: inlined this deep, `Zip::new` stayed a call per block (3 % of ingest).
    #[allow(clippy::needless_range_loop, reason = "see above")]
    for i in 0..BLOCK {
        let c = block[i];
        hits[i] = u8::from((c == delimiter) | (c == b'"') | (c == b'\r') | (c == b'\n'));
    }
    hits.chunks_exact(8).enumerate().fold(0, |m, (k, eight)| {
        let eight = u64::from_le_bytes(eight.try_into().expect("eight bytes"));
        m | (eight.wrapping_mul(0x0102_0408_1020_4080) >> 56) << (8 * k)
    })
}

/// The last, partial block, padded with zero bytes (never structural).
#[cold]
fn last_block(rest: &[u8], delimiter: u8) -> u64 {
    let mut block = [0u8; BLOCK];
    block[..rest.len()].copy_from_slice(rest);
    block_mask(&block, delimiter)
}

/// One record's fields. Reused from record to record, so that reading allocates only until its
/// buffers have grown to the widest record.
#[derive(Clone, Default)]
pub struct Record<'a> {
    text: &'a [u8],
    /// Field bounds: in `text`, or for copied quoted fields, in `unescaped` offset by
    /// `text.len()`, so that one pair tells both where and which. An empty field reads empty
    /// from either.
    spans: Vec<(usize, usize)>,
    unescaped: Vec<u8>,
    line: u32,
}

/// The fields rather than the whole input `text` refers to.
impl std::fmt::Debug for Record<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let fields: Vec<String> = self.iter().map(|f| f.escape_ascii().to_string()).collect();
        f.debug_struct("Record").field("line", &self.line).field("fields", &fields).finish()
    }
}

impl Record<'_> {
    /// 1-based line the record starts on: one plus the `\n`s before its first byte (for messages).
    #[inline]
    pub fn line(&self) -> u32 {
        self.line
    }

    #[inline]
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Field i's content: a slice of the input for unquoted fields and plain quoted ones (no
    /// copy), the unescaped content for the others.
    #[inline]
    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.spans.get(i).map(|&span| self.field(span))
    }

    #[inline]
    pub fn iter(&self) -> impl Iterator<Item = &[u8]> + '_ {
        self.spans.iter().map(|&span| self.field(span))
    }

    #[inline]
    fn field(&self, (s, e): (usize, usize)) -> &[u8] {
        let n = self.text.len();
        if s < n { &self.text[s..e] } else { &self.unescaped[s - n..e - n] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The line a record starts on, as jamfor computed it with `csv` (the reference).
    fn line_of(rec: &csv::ByteRecord, text: &[u8]) -> u32 {
        let Some(p) = rec.position() else { return 0 };
        let start = (p.byte() as usize).min(text.len());
        let skipped = text[start..].iter().take_while(|&&c| c == b'\n' || c == b'\r').filter(|&&c| c == b'\n').count();
        (p.line() as usize + skipped) as u32
    }

    /// (line, fields, position after) per record.
    type Split = Vec<(u32, Vec<Vec<u8>>, usize)>;

    /// csv's split, but with true lines after a BOM: csv's own on the text without it.
    fn with_csv(text: &[u8], delimiter: u8) -> Split {
        if let Some(rest) = text.strip_prefix(b"\xEF\xBB\xBF") {
            let split = with_csv(rest, delimiter);
            let fields = |s: &Split| s.iter().map(|r| r.1.clone()).collect::<Vec<_>>();
            assert_eq!(fields(&split), fields(&csv_split(text, delimiter)));
            return split.into_iter().map(|(line, fields, pos)| (line, fields, pos + 3)).collect();
        }
        csv_split(text, delimiter)
    }

    fn csv_split(text: &[u8], delimiter: u8) -> Split {
        let mut rdr =
            csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while rdr.read_byte_record(&mut rec).unwrap() {
            out.push((line_of(&rec, text), rec.iter().map(<[u8]>::to_vec).collect(), rdr.position().byte() as usize));
        }
        out
    }

    fn with_splitter(text: &[u8], delimiter: u8) -> Split {
        let mut sp = Splitter::new(text, delimiter);
        let mut rec = Record::default();
        let mut out = Vec::new();
        while sp.read(&mut rec) {
            assert_eq!(rec.iter().collect::<Vec<_>>(), (0..rec.len()).map(|i| rec.get(i).unwrap()).collect::<Vec<_>>());
            out.push((rec.line(), rec.iter().map(<[u8]>::to_vec).collect(), sp.position()));
        }
        assert!(!sp.read(&mut rec) && rec.len() == 0, "the end stays the end");
        assert_eq!(sp.position(), text.len(), "everything is consumed at the end");
        out
    }

    /// Checks the records and their lines against hand-written ones, and against csv.
    fn check(text: &str, delimiter: u8, want: &[(u32, &[&str])]) {
        let text = text.as_bytes();
        let got = with_splitter(text, delimiter);
        let got: Vec<(u32, Vec<&str>)> = got
            .iter()
            .map(|(line, fields, _)| (*line, fields.iter().map(|f| std::str::from_utf8(f).unwrap()).collect()))
            .collect();
        let want: Vec<(u32, Vec<&str>)> = want.iter().map(|(l, f)| (*l, f.to_vec())).collect();
        assert_eq!(got, want, "{text:?}");
        assert_eq!(with_splitter(text, delimiter), with_csv(text, delimiter), "{text:?}");
    }

    #[test]
    fn terminators_and_blank_lines() {
        check("", b';', &[]);
        check("\r\n\n\r", b';', &[]);
        check("a;b\r\nc;d", b';', &[(1, &["a", "b"]), (2, &["c", "d"])]);
        check("\r\n\na\r\r\nb\n\n", b';', &[(3, &["a"]), (4, &["b"])]);
        check("a\rb\n\rc", b';', &[(1, &["a"]), (1, &["b"]), (2, &["c"])]);
        check("a\tb,c;d", b'\t', &[(1, &["a", "b,c;d"])]);
    }

    #[test]
    fn empty_fields_and_the_end_of_input() {
        check("a;", b';', &[(1, &["a", ""])]);
        check("a;\n;", b';', &[(1, &["a", ""]), (2, &["", ""])]);
        check(";;\r\n", b';', &[(1, &["", "", ""])]);
        check("\"", b';', &[(1, &[""])]);
        check("\"\"", b';', &[(1, &[""])]);
        check("\"\";\"\"\n", b';', &[(1, &["", ""])]);
    }

    #[test]
    fn quotes() {
        check("\"a;b\";\"c\r\nd\"\nx", b';', &[(1, &["a;b", "c\r\nd"]), (3, &["x"])]);
        check("\"a\"\"b\";\"\"\"\"", b';', &[(1, &["a\"b", "\""])]);
        check("\"ab\"c;d", b';', &[(1, &["abc", "d"])]);
        check("\"ab\"c\"d\"\"\n", b';', &[(1, &["abc\"d\"\""])]);
        check("a\"b;c\"\n", b';', &[(1, &["a\"b", "c\""])]);
        check(" \"a\"", b';', &[(1, &[" \"a\""])]);
        check("\"a\"\"", b';', &[(1, &["a\""])]);
        check("\"abc\nx;y\r\n", b';', &[(1, &["abc\nx;y\r\n"])]);
        check("\"a\n\nb\"\n\nc", b';', &[(1, &["a\n\nb"]), (5, &["c"])]);
    }

    #[test]
    fn a_byte_order_mark_is_skipped_only_at_the_start() {
        check("\u{FEFF}a;b\n\u{FEFF}c", b';', &[(1, &["a", "b"]), (2, &["\u{FEFF}c"])]);
        check("\u{FEFF}", b';', &[]);
        check("\u{FEFF}\r\n\na", b';', &[(3, &["a"])]);
    }

    #[test]
    fn fields_cross_blocks() {
        let long = "x".repeat(150);
        let text = format!("{long};\"{long}\"\"\n{long}\";{long}\n{long}");
        let quoted = format!("{long}\"\n{long}");
        check(&text, b';', &[(1, &[&long, &quoted, &long]), (3, &[&long])]);
        // Every structural byte, the pair `""` included, at every offset from a block boundary.
        for pad in 0..130 {
            let x = "x".repeat(pad);
            check(&format!("{x};\"a\"\"b\nc\"d;e\r\nf"), b';', &[(1, &[&x, "a\"b\ncd", "e"]), (3, &["f"])]);
        }
    }

    /// Records of 1 to 8 fields, a quarter of them quoted with delimiters, quotes and line breaks
    /// inside, separated by LF, CRLF, CR or blank lines: many KB crossing blocks at every offset.
    #[test]
    fn long_mixed_inputs_split_as_csv_does() {
        let mut seed = 0x2545_F491_4F6C_DD1D_u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..40 {
            let mut text = Vec::new();
            for _ in 0..400 {
                for f in 0..=next(8) {
                    if f > 0 {
                        text.push(b';');
                    }
                    let len = next(20) as usize;
                    if next(4) == 0 {
                        text.push(b'"');
                        text.extend((0..len).map(|_| b"ab;\"\r\n\xE5"[next(7) as usize]));
                        text.push(b'"');
                    } else {
                        text.extend((0..len).map(|_| b"ab 1,\xE5"[next(6) as usize]));
                    }
                }
                text.extend_from_slice([&b"\n"[..], b"\r\n", b"\r", b"\n\r\n"][next(4) as usize]);
            }
            if round % 2 == 1 {
                text.truncate(text.len() - 1 - next(20) as usize);
            }
            assert_eq!(with_splitter(&text, b';'), with_csv(&text, b';'), "round {round}");
        }
    }

    fn input() -> impl Strategy<Value = (Vec<u8>, u8)> {
        let byte = prop::sample::select(&b";;;,,,\"\"\"\"\r\r\n\n\n  aaa11\t\t\xE5"[..]);
        // Runs of plain bytes make quoted fields reach across blocks.
        let piece = prop_oneof![
            8 => byte.prop_map(|b| vec![b]),
            1 => (1..100usize).prop_map(|n| vec![b'a'; n]),
        ];
        let text = (prop::bool::weighted(0.1), prop::collection::vec(piece, 0..120)).prop_map(|(bom, pieces)| {
            let mut text = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
            text.extend(pieces.concat().into_iter().take(300));
            text
        });
        (text, prop::sample::select(&b";,\t"[..]))
    }

    proptest! {
        #[test]
        fn splits_as_csv_does((text, delimiter) in input()) {
            prop_assert_eq!(with_splitter(&text, delimiter), with_csv(&text, delimiter));
        }
    }
}
