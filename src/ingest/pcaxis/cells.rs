//! Cells of the DATA block: numbers and symbols. The hot path reads plain numbers eight bytes
//! at a time and converts them exactly; everything else takes the careful path, and a test
//! checks that both agree on every short string.

use super::data::Symbol;
use super::error::PxErrorKind;
use super::scan::SEPARATOR;

/// A data cell: a number or a symbol.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Cell {
    Number(f64),
    Symbol(Symbol),
}

/// Parses a bare or quoted cell; `None` when it is neither a number nor a symbol.
pub(super) fn cell(bytes: &[u8]) -> Option<Cell> {
    if let Some(v) = fast_number(bytes) {
        return Some(Cell::Number(v));
    }
    if let Some(s) = Symbol::parse(bytes) {
        return Some(Cell::Symbol(s));
    }
    std::str::from_utf8(bytes).ok().and_then(parse_plain).map(Cell::Number)
}

/// What is wrong with a cell [`cell`] refused.
pub(super) fn bad_cell(bytes: &[u8]) -> PxErrorKind {
    PxErrorKind::BadCell { found: String::from_utf8_lossy(bytes).into_owned() }
}

const POW10: [f64; 16] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/// The common case in one pass: `-?digits(.digits)?` with at most 15 digits, which converts
/// exactly by Clinger's fast path (W. D. Clinger, "How to read floating point numbers
/// accurately", PLDI 1990: mantissa and power of ten are both exact doubles, so one correctly
/// rounded division gives the correctly rounded result). Anything else (exponents, long
/// mantissas, symbols, garbage) goes the careful way.
#[inline]
fn fast_number(b: &[u8]) -> Option<f64> {
    match number_at(b, 0) {
        Some((v, end)) if end == b.len() => Some(v),
        _ => None,
    }
}

/// Appends the ASCII digits from `b[p]` on to `mantissa` (wrapping: the caller bounds the
/// count); returns where they end.
#[inline(always)]
fn digit_run(b: &[u8], mut p: usize, mantissa: &mut u64) -> usize {
    while let Some(&c) = b.get(p) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        *mantissa = mantissa.wrapping_mul(10).wrapping_add(u64::from(d));
        p += 1;
    }
    p
}

/// [`fast_number`] for the number starting at `b[start]`: its value and where it ends (the
/// first byte that is not part of it, or `b.len()`).
#[inline(always)]
fn number_at(b: &[u8], start: usize) -> Option<(f64, usize)> {
    let neg = b.get(start) == Some(&b'-');
    let mut mantissa: u64 = 0;
    let int_start = start + usize::from(neg);
    let mut p = digit_run(b, int_start, &mut mantissa);
    let mut digits = p - int_start;
    let mut scale = 0;
    if b.get(p) == Some(&b'.') {
        let frac_start = p + 1;
        p = digit_run(b, frac_start, &mut mantissa);
        scale = p - frac_start;
        // A trailing `.` ("5.") is refused here as by the careful path.
        if scale == 0 {
            return None;
        }
        digits += scale;
    }
    // At most 15 digits: the mantissa is below 10^15 < 2^53 and cannot have wrapped.
    if digits == 0 || digits > 15 {
        return None;
    }
    let v = mantissa as f64 / POW10[scale];
    Some((if neg { -v } else { v }, p))
}

/// Eight bytes at a time (SWAR, as in simdjson's `parse_eight_digits_unrolled`): the length
/// of the run of ASCII digits at `b[p..p + 8]` (0 to 8) and its value. The caller makes sure
/// eight bytes are there.
#[inline(always)]
fn digits8(b: &[u8], p: usize) -> (u64, usize) {
    const LOW: u64 = 0x0101_0101_0101_0101;
    let word: [u8; 8] = b[p..p + 8].try_into().expect("eight bytes");
    let w = u64::from_le_bytes(word);
    // A byte is a digit when its high nibble is 3 and stays 3 after adding 6 ('9' + 6 = '?').
    // A carry out of a byte ≥ 0xFA only reaches bytes after that (non-digit) byte.
    let high = w & (0xF0 * LOW);
    let high6 = w.wrapping_add(0x06 * LOW) & (0xF0 * LOW);
    let not_digit = (high ^ (0x30 * LOW)) | (high6 ^ (0x30 * LOW));
    let n = (not_digit.trailing_zeros() / 8) as usize;
    if n == 0 {
        return (0, 0);
    }
    // Digits to values, the first digit in the lowest byte; shifting left puts zeros first.
    let mut v = w.wrapping_sub(0x30 * LOW) << (8 * (8 - n));
    v = v.wrapping_mul(10).wrapping_add(v >> 8);
    v = (v & 0x0000_00FF_0000_00FF)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    (v, n)
}

const POW10_U64: [u64; 9] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000];

/// [`number_at`] for the common case (up to 7 integer and 7 decimal digits) without a loop per
/// digit, where 17 bytes are at hand; anything else goes to [`number_at`].
#[inline(always)]
fn number_at_swar(b: &[u8], start: usize) -> Option<(f64, usize)> {
    if start + 18 > b.len() {
        return number_at(b, start);
    }
    let neg = b[start] == b'-';
    let p = start + usize::from(neg);
    let (int, n) = digits8(b, p);
    if n == 8 {
        return number_at(b, start);
    }
    let mut end = p + n;
    let mut mantissa = int;
    let mut scale = 0;
    if b[end] == b'.' {
        let (frac, m) = digits8(b, end + 1);
        if m == 0 || m == 8 {
            return number_at(b, start);
        }
        mantissa = int * POW10_U64[m] + frac;
        scale = m;
        end += 1 + m;
    } else if n == 0 {
        return None;
    }
    // At most 7 + 7 digits: an exact double, divided once by an exact power of ten.
    let v = if scale == 0 { mantissa as f64 } else { mantissa as f64 / POW10[scale] };
    Some((if neg { -v } else { v }, end))
}

/// The dense hot loop: separators and plain numbers, pushed while there is `room`. Every token
/// starting in `buf` must end inside it (the caller cuts `buf` after a separator). Stops at
/// the first token that is anything else; returns where, and the end of the last number read.
#[inline(never)]
pub(super) fn plain_cells(buf: &[u8], mut pos: usize, values: &mut Vec<f64>, room: usize) -> (usize, Option<usize>) {
    let stop = values.len().saturating_add(room);
    let mut last_end = None;
    while values.len() < stop {
        while pos < buf.len() && SEPARATOR[buf[pos] as usize] {
            pos += 1;
        }
        if pos == buf.len() {
            break;
        }
        match number_at_swar(buf, pos) {
            Some((v, end)) if end < buf.len() && SEPARATOR[buf[end] as usize] => {
                values.push(v);
                // The separator after the number is known.
                pos = end + 1;
                last_end = Some(end);
            }
            _ => break,
        }
    }
    (pos, last_end)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swar_numbers_agree_with_the_digit_loop() {
        // Every string over these bytes up to length 6, then some long and wide ones; padded so
        // that the SWAR path applies, and unpadded so that it does not.
        let alphabet = b"0159.-x ";
        let mut cases: Vec<Vec<u8>> = vec![Vec::new()];
        for _ in 0..6 {
            let next: Vec<Vec<u8>> =
                cases.iter().flat_map(|c| alphabet.iter().map(move |&a| [c.as_slice(), &[a]].concat())).collect();
            cases.extend(next);
            cases.sort();
            cases.dedup();
        }
        for long in ["12345678", "99999999", "9999999.9999999", "1234567.1234567", "99999999.5", "0.00000001"] {
            cases.push(long.as_bytes().to_vec());
        }
        let bits = |r: Option<(f64, usize)>| r.map(|(v, e)| (v.to_bits(), e));
        for case in &cases {
            let padded = [case.as_slice(), b" ".repeat(24).as_slice()].concat();
            assert_eq!(bits(number_at_swar(&padded, 0)), bits(number_at(&padded, 0)), "{case:?}");
            assert_eq!(bits(number_at_swar(case, 0)), bits(number_at(case, 0)), "{case:?}");
        }
        assert_eq!(digits8(b"12345678", 0), (12_345_678, 8));
        assert_eq!(digits8(b"907 x   ", 0), (907, 3));
        assert_eq!(digits8(b"\xff9999999", 0), (0, 0));
    }

    #[test]
    fn plain_cells_stop_at_anything_else() {
        let mut values = Vec::new();
        let buf = b"1 2.5\n-3;\"..\" 4 ";
        assert_eq!(plain_cells(buf, 0, &mut values, usize::MAX), (9, Some(8)));
        assert_eq!(values, [1.0, 2.5, -3.0]);
        assert_eq!(plain_cells(buf, 0, &mut values, 1), (2, Some(1)), "room for one");
    }

    #[test]
    fn cells_numbers_and_symbols() {
        assert_eq!(cell(b"..."), Some(Cell::Symbol(Symbol::Dots(3))));
        assert_eq!(cell(b"-"), Some(Cell::Symbol(Symbol::Nil)));
        assert_eq!(cell(b"1.5E+3"), Some(Cell::Number(1500.0)));
        assert_eq!(cell(b"12x"), None);
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
        for bad in ["12x", "1,5", "1 234", "45%", ".", "--1", "1e", "\u{2212}1"] {
            assert_eq!(parse_plain(bad), None, "{bad}");
        }
    }
}
