//! Numbers as Swedish (and English) exports write them, and the symbols that stand for none.
//!
//! Accepted, after trimming spaces (also U+00A0 and U+202F):
//! - a sign: `-`, `+` or the typographic minus `−` (U+2212, what Excel's Swedish number formats
//!   and SCB's web tables print);
//! - digits, optionally grouped in threes by a space, U+00A0 or U+202F, or by `.` when the
//!   decimal mark is `,` (`1 234 567,5`, `1.234.567,5`); a group that is not three digits is an
//!   error, because `12 34` is more likely two numbers than one;
//! - the decimal mark of the file and digits after it;
//! - an exponent (`1.5e-3`) when no thousands separator is used;
//! - a trailing `%` (`45,2 %`): the number is kept as written (45.2), in percent.
//!
//! Whole-cell symbols become a [`Status`] (see `model::status`); an empty cell is `missing`.

use super::options::DecimalMark;
use crate::model::Status;

/// What one value cell holds.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Parsed {
    Number { value: f64, percent: bool },
    Symbol(Status),
    Empty,
}

impl Parsed {
    /// The value and status an observation gets: a symbol's status with no value, except `-`,
    /// which is exactly 0; an empty cell is `missing`.
    pub fn value_status(self) -> (Option<f64>, Option<Status>) {
        match self {
            Parsed::Number { value, .. } => (Some(value), None),
            Parsed::Symbol(Status::Zero) => (Some(0.0), Some(Status::Zero)),
            Parsed::Symbol(s) => (None, Some(s)),
            Parsed::Empty => (None, Some(Status::Missing)),
        }
    }
}

/// The cell is not a number in the file's locale.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NumberError {
    /// A hint when the text would parse with the other decimal mark.
    pub other_mark: Option<DecimalMark>,
}

/// What a number is expected to look like, for messages.
pub fn expected(decimal: DecimalMark) -> &'static str {
    match decimal {
        DecimalMark::Comma => "a number with decimal comma (1 234,5) or a symbol (.. . - ...)",
        DecimalMark::Point => "a number with decimal point (1234.5) or a symbol (.. . - ...)",
    }
}

/// Parses one value cell.
pub fn parse_value(text: &str, decimal: DecimalMark) -> Result<Parsed, NumberError> {
    parse_value_bytes(text.as_bytes(), decimal)
}

/// Parses one value cell from its UTF-8 bytes (ASCII bytes of any ASCII-compatible encoding
/// are the same). Works on bytes with fixed patterns: comparing `str` prefixes and suffixes
/// called `memcmp` for every cell, a quarter of CSV ingest's time.
///
/// Almost every cell is a plain number with nothing around it (`217 346,1`, `-0,5`, `45,2 %`):
/// those take [`plain_number`] directly, which made this function 2–3 times faster on
/// municipal exports than going through trimming, the symbol check and [`general_number`].
/// Any other cell (spaces to trim, symbols, `+`, `−`, U+00A0 grouping, exponents, long
/// mantissas, errors) takes [`parse_value_slow`], the general path, which gives the same result
/// for the cells the fast path takes. `#[inline]` lets the fast path join the caller's loop;
/// the general path stays out of line.
#[inline]
pub fn parse_value_bytes(text: &[u8], decimal: DecimalMark) -> Result<Parsed, NumberError> {
    match plain_value(text, decimal) {
        Some(parsed) => Ok(parsed),
        None => parse_value_slow(text, decimal),
    }
}

/// The cell as a plain number (`217 346,1`, `-0,5`, `45,2 %`): ASCII only, so it reads the
/// same in every encoding jamfor splits as bytes; `None` for anything else, which
/// [`parse_value_bytes`] then decides. A Windows-1252 reader calls it before checking that the
/// cell is ASCII, which is then needed only for the cells it does not take. Always inlined:
/// left to the compiler it stayed a call from the shaper, 5 % of CSV ingest.
#[inline(always)]
pub fn plain_value(text: &[u8], decimal: DecimalMark) -> Option<Parsed> {
    // Symbols (`..`, `.`, `...`) start with `.`; so does `.5`, rare enough to take the slow path.
    if let [b'.', ..] = text {
        return None;
    }
    // `45,2 %` and `45,2%`; other spacing before the `%` is left to the slow path.
    let (body, percent) = match text {
        [rest @ .., b' ', b'%'] | [rest @ .., b'%'] => (rest, true),
        _ => (text, false),
    };
    // A branch on the sign rather than a flag: with a flag the digits would start at an address
    // computed from the first byte, and every digit load would wait for that comparison (about
    // 1 ns a cell in the benchmark); the branch is predicted.
    let value = match body {
        [b'-', rest @ ..] => plain_number(rest, decimal).map(|v| -v),
        _ => plain_number(body, decimal),
    };
    value.map(|value| Parsed::Number { value, percent })
}

/// [`parse_value_bytes`] for any cell: trims, recognises symbols, and on an error tries the
/// other decimal mark for the hint.
#[cold]
#[inline(never)]
fn parse_value_slow(text: &[u8], decimal: DecimalMark) -> Result<Parsed, NumberError> {
    let t = trim(text);
    if t.is_empty() {
        return Ok(Parsed::Empty);
    }
    // Symbols start with `.` or are a lone `-`; skip the comparisons for ordinary numbers.
    if matches!(t, [b'.', ..] | [b'-'])
        && let Some(status) = std::str::from_utf8(t).ok().and_then(Status::from_symbol)
    {
        return Ok(Parsed::Symbol(status));
    }
    match number_bytes(t, decimal) {
        Some((value, percent)) => Ok(Parsed::Number { value, percent }),
        None => {
            let other = match decimal {
                DecimalMark::Comma => DecimalMark::Point,
                DecimalMark::Point => DecimalMark::Comma,
            };
            Err(NumberError { other_mark: number_bytes(t, other).is_some().then_some(other) })
        }
    }
}

/// The length of the space (ASCII space or tab, U+00A0, U+202F in UTF-8) that `b` starts with.
fn space_at_start(b: &[u8]) -> usize {
    match b {
        [b' ' | b'\t', ..] => 1,
        [0xC2, 0xA0, ..] => 2,
        [0xE2, 0x80, 0xAF, ..] => 3,
        _ => 0,
    }
}

/// The length of the space that `b` ends with.
fn space_at_end(b: &[u8]) -> usize {
    match b {
        [.., b' ' | b'\t'] => 1,
        [.., 0xC2, 0xA0] => 2,
        [.., 0xE2, 0x80, 0xAF] => 3,
        _ => 0,
    }
}

fn trim_end(mut b: &[u8]) -> &[u8] {
    loop {
        match space_at_end(b) {
            0 => return b,
            n => b = &b[..b.len() - n],
        }
    }
}

fn trim(mut b: &[u8]) -> &[u8] {
    loop {
        match space_at_start(b) {
            0 => return trim_end(b),
            n => b = &b[n..],
        }
    }
}

/// Parses a trimmed number; `None` if it is not one. Returns the value and whether a `%` followed.
pub fn parse_number(t: &str, decimal: DecimalMark) -> Option<(f64, bool)> {
    number_bytes(t.as_bytes(), decimal)
}

fn number_bytes(t: &[u8], decimal: DecimalMark) -> Option<(f64, bool)> {
    let (body, percent) = match t {
        [rest @ .., b'%'] => (trim_end(rest), true),
        _ => (t, false),
    };
    let (negative, b) = match body {
        [b'-', rest @ ..] => (true, rest),
        // U+2212 minus sign.
        [0xE2, 0x88, 0x92, rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, body),
    };
    let value = match plain_number(b, decimal) {
        Some(value) => value,
        None => general_number(b, decimal)?,
    };
    Some((if negative { -value } else { value }, percent))
}

/// The value of an unsigned number `b` in its simplest and by far most common forms: digits,
/// optionally grouped in threes by an ASCII space (or `.` under a decimal comma), then
/// optionally the decimal mark and digits; at most 15 bytes, so at most 15 digits and the
/// mantissa is below 2^53. `None` for anything else, which [`general_number`] then decides.
///
/// For every `b` it accepts, the result is bit for bit [`general_number`]'s: the same digits
/// make the same mantissa (no digit is dropped below 19 digits), the exponent is minus the
/// number of decimals, and the same single division rounds it. It is the cheap path because it
/// keeps no per-digit count of significant digits, overflow or exponent, takes a thousands
/// group as three digits at once, and never looks for an exponent or a multi-byte separator.
/// Inlined into both callers so that the sign and `%` branches around it stay predictable.
#[inline(always)]
fn plain_number(b: &[u8], decimal: DecimalMark) -> Option<f64> {
    let n = b.len();
    if n > 15 {
        return None;
    }
    let mark = decimal.char() as u8;
    // The second thousands separator: `.` under a decimal comma; under a point, a space again.
    let sep2 = if decimal == DecimalMark::Comma { b'.' } else { b' ' };
    let mut m = 0u64;
    let mut i = 0;
    while i < n {
        let d = b[i].wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        m = m * 10 + u64::from(d);
        i += 1;
    }
    let mut decimals = 0;
    if i < n {
        let mut c = b[i];
        if c == b' ' || c == sep2 {
            if !(1..=3).contains(&i) {
                return None;
            }
            loop {
                let &[d0, d1, d2] = b.get(i + 1..i + 4)? else {
                    return None;
                };
                let (d0, d1, d2) = (d0.wrapping_sub(b'0'), d1.wrapping_sub(b'0'), d2.wrapping_sub(b'0'));
                if d0 > 9 || d1 > 9 || d2 > 9 {
                    return None;
                }
                m = m * 1000 + (u64::from(d0) * 100 + u64::from(d1) * 10 + u64::from(d2));
                i += 4;
                if i == n {
                    break;
                }
                c = b[i];
                if !(c == b' ' || c == sep2) {
                    break;
                }
            }
        }
        if i < n {
            if c != mark || i + 1 == n {
                return None;
            }
            for &c in &b[i + 1..] {
                let d = c.wrapping_sub(b'0');
                if d > 9 {
                    return None;
                }
                m = m * 10 + u64::from(d);
            }
            decimals = n - i - 1;
        }
    } else if n == 0 {
        return None;
    }
    // Clinger's fast path, as in `general_number`: m < 10^15 < 2^53 and at most 14 decimals.
    // Through i64 because that is one instruction on x86-64 and exact below 2^53.
    Some(m as i64 as f64 / POW10[decimals])
}

/// The value of an unsigned number `b` in any accepted form; `None` if it is not one. Out of
/// line: it is rarely reached and would crowd the registers of the fast path.
#[inline(never)]
fn general_number(b: &[u8], decimal: DecimalMark) -> Option<f64> {
    let mark = decimal.char() as u8;
    let mut mantissa: u64 = 0;
    let mut digits = 0usize; // significant digits taken into the mantissa
    let mut exp10: i32 = 0;
    let mut overflow = false;
    let mut i = 0;
    let mut int_digits = 0usize;
    let mut group_len = 0usize; // digits since the last thousands separator
    let mut grouped = false;
    let mut take = |d: u8, mantissa: &mut u64, exp10: &mut i32, fractional: bool| {
        if digits < 19 {
            *mantissa = *mantissa * 10 + u64::from(d - b'0');
            if *mantissa != 0 {
                digits += 1;
            }
            if fractional {
                *exp10 -= 1;
            }
        } else {
            overflow = true;
            if !fractional {
                *exp10 += 1;
            }
        }
    };
    // Integer part, with optional thousands grouping.
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() {
            take(c, &mut mantissa, &mut exp10, false);
            int_digits += 1;
            group_len += 1;
            i += 1;
            continue;
        }
        let sep_len = thousands_separator(&b[i..], decimal);
        if sep_len > 0 {
            // A separator needs 1–3 digits before the first one, exactly 3 between, and 3 after.
            let ok_before = if grouped { group_len == 3 } else { (1..=3).contains(&group_len) };
            let next3 = b.get(i + sep_len..i + sep_len + 3).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
            if !ok_before || !next3 {
                return None;
            }
            grouped = true;
            group_len = 0;
            i += sep_len;
            continue;
        }
        break;
    }
    if grouped && group_len != 3 {
        return None;
    }
    let mut frac_digits = 0usize;
    if i < b.len() && b[i] == mark {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            take(b[i], &mut mantissa, &mut exp10, true);
            frac_digits += 1;
            i += 1;
        }
        if frac_digits == 0 {
            return None;
        }
    }
    if int_digits + frac_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') && !grouped {
        i += 1;
        let (eneg, start) = match b.get(i) {
            Some(b'-') => (true, i + 1),
            Some(b'+') => (false, i + 1),
            _ => (false, i),
        };
        let mut e: i32 = 0;
        let mut j = start;
        while j < b.len() && b[j].is_ascii_digit() {
            e = e.saturating_mul(10).saturating_add(i32::from(b[j] - b'0'));
            j += 1;
        }
        if j == start {
            return None;
        }
        exp10 = exp10.saturating_add(if eneg { -e } else { e });
        i = j;
    }
    if i != b.len() {
        return None;
    }
    let value = if !overflow && mantissa < (1 << 53) && (-22..=22).contains(&exp10) {
        // Clinger's fast path: both operands are exact doubles, so one IEEE operation gives the
        // correctly rounded result.
        let m = mantissa as f64;
        if exp10 >= 0 { m * POW10[exp10 as usize] } else { m / POW10[(-exp10) as usize] }
    } else {
        // Rare (more than 15 digits or a large exponent): let the standard library round.
        format!("{mantissa}e{exp10}").parse::<f64>().ok()?
    };
    Some(value)
}

const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
    1e21, 1e22,
];

/// Length in bytes of a thousands separator at the start of `b`, or 0.
fn thousands_separator(b: &[u8], decimal: DecimalMark) -> usize {
    match b {
        [b' ', ..] => 1,
        [0xC2, 0xA0, ..] => 2,       // U+00A0 no-break space
        [0xE2, 0x80, 0xAF, ..] => 3, // U+202F narrow no-break space
        [b'.', ..] if decimal == DecimalMark::Comma => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use DecimalMark::{Comma, Point};

    fn num(t: &str, d: DecimalMark) -> f64 {
        match parse_value(t, d) {
            Ok(Parsed::Number { value, .. }) => value,
            other => panic!("{t:?}: {other:?}"),
        }
    }

    #[test]
    fn swedish_forms() {
        assert_eq!(num("12,5", Comma), 12.5);
        assert_eq!(num("1 234,5", Comma), 1234.5);
        assert_eq!(num("1\u{A0}234\u{A0}567,25", Comma), 1234567.25);
        assert_eq!(num("1\u{202F}234", Comma), 1234.0);
        assert_eq!(num("1.234.567,5", Comma), 1234567.5);
        assert_eq!(num("\u{2212}1,5", Comma), -1.5);
        assert_eq!(num("-0,25", Comma), -0.25);
        assert_eq!(num(" 42 ", Comma), 42.0);
        assert_eq!(num(",5", Comma), 0.5);
    }

    #[test]
    fn english_forms() {
        assert_eq!(num("1234.5", Point), 1234.5);
        assert_eq!(num("1 234.5", Point), 1234.5);
        assert_eq!(num("1.5e-3", Point), 0.0015);
        assert_eq!(num("-7", Point), -7.0);
        assert_eq!(num("+7", Point), 7.0);
        assert_eq!(num("0.1", Point), 0.1);
        assert_eq!(num("12345678901234567890", Point), 12345678901234567890.0);
        assert_eq!(num("0.30000000000000004", Point), 0.30000000000000004);
    }

    #[test]
    fn percent_is_kept_as_written() {
        assert_eq!(parse_value("45,2 %", Comma), Ok(Parsed::Number { value: 45.2, percent: true }));
        assert_eq!(parse_value("45.2%", Point), Ok(Parsed::Number { value: 45.2, percent: true }));
    }

    #[test]
    fn symbols_and_empty() {
        assert_eq!(parse_value("..", Comma), Ok(Parsed::Symbol(Status::Missing)));
        assert_eq!(parse_value(".", Comma), Ok(Parsed::Symbol(Status::NotApplicable)));
        assert_eq!(parse_value("-", Comma), Ok(Parsed::Symbol(Status::Zero)));
        assert_eq!(Parsed::Symbol(Status::Zero).value_status(), (Some(0.0), Some(Status::Zero)));
        assert_eq!(Parsed::Empty.value_status(), (None, Some(Status::Missing)));
        assert_eq!(parse_value("....", Comma), Ok(Parsed::Symbol(Status::Confidential)));
        assert_eq!(parse_value("  ", Comma), Ok(Parsed::Empty));
        assert_eq!(parse_value("", Point), Ok(Parsed::Empty));
    }

    #[test]
    fn malformed_numbers_are_errors() {
        for bad in [
            "12,5x", "12 34,5", "1 2345", "1.23,5", "x", "n/a", "1,2,3", "12,", "--1", "1e", "1 234e3", "12 %%", "−",
            "1.2.3",
        ] {
            assert!(parse_value(bad, Comma).is_err(), "{bad:?} with comma");
        }
        for bad in ["12,5", "1.2.3", "1,234.5", "12 34"] {
            assert!(parse_value(bad, Point).is_err(), "{bad:?} with point");
        }
    }

    #[test]
    fn the_other_mark_is_suggested() {
        assert_eq!(parse_value("12,5", Point), Err(NumberError { other_mark: Some(Comma) }));
        assert_eq!(parse_value("12.5", Comma), Err(NumberError { other_mark: Some(Point) }));
        assert_eq!(parse_value("12x", Comma), Err(NumberError { other_mark: None }));
    }

    #[test]
    fn fast_path_agrees_with_std() {
        for (t, s) in [
            ("3,14159", "3.14159"),
            ("0,1", "0.1"),
            ("99999,99", "99999.99"),
            ("123456789012345,6", "123456789012345.6"),
        ] {
            assert_eq!(num(t, Comma), s.parse::<f64>().unwrap(), "{t}");
        }
    }

    #[test]
    fn plain_cells_agree_with_the_general_path() {
        // The fast path's edges: each must give what `general_number` gives.
        for (t, d) in [
            ("1 234 567 890 12", Comma),
            ("999999999999999", Point),
            ("9999999999999999", Point),
            ("9007199254740993", Point),
            ("0,00000000000001", Comma),
            ("-0", Comma),
            ("1 234,", Comma),
            ("1234 567", Comma),
            ("12 %", Comma),
            ("12  %", Comma),
            ("-12,5%", Comma),
            (".5", Point),
            ("1 234.5", Comma),
        ] {
            let general = match t.strip_suffix('%').map(str::trim_end) {
                Some(body) => parse_number(body, d).map(|(v, _)| (v, true)),
                None => parse_number(t, d),
            };
            let slow = match t.as_bytes() {
                [b'-', rest @ ..] => general_number(rest, d).map(|v| -v),
                b => general_number(b, d),
            };
            match parse_value(t, d) {
                Ok(Parsed::Number { value, percent }) => {
                    assert_eq!(general.map(|(v, p)| (v.to_bits(), p)), Some((value.to_bits(), percent)), "{t:?}");
                    if !percent {
                        assert_eq!(slow.map(f64::to_bits), Some(value.to_bits()), "{t:?}");
                    }
                }
                Err(_) => assert_eq!(general, None, "{t:?}"),
                other => panic!("{t:?}: {other:?}"),
            }
        }
        assert_eq!(num("-0", Comma).to_bits(), (-0.0f64).to_bits());
    }

    use proptest::prelude::*;

    const SEPARATORS: [&str; 4] = [" ", "\u{A0}", "\u{202F}", "."];

    /// `int` (ASCII digits) in groups of three, the separators taken in turn from `seps`.
    fn grouped(int: &str, seps: &[usize]) -> String {
        let mut out = String::new();
        for (k, c) in int.chars().enumerate() {
            if k > 0 && (int.len() - k).is_multiple_of(3) {
                out.push_str(SEPARATORS[seps[(int.len() - k) / 3 % seps.len()]]);
            }
            out.push(c);
        }
        out
    }

    /// `sign int,frac` as a Swedish export may write it: grouped or not, `-`, `−` or `+`, and
    /// a trailing `%` with or without a space. Checks the value against `str::parse` on the
    /// plain form `sign int.frac`, bit for bit, and the percent flag.
    fn check_swedish(negative: bool, int: &str, frac: &str, group: bool, seps: &[usize], sign: usize, percent: usize) {
        let mut cell = String::new();
        cell.push_str(match (negative, sign) {
            (true, 0) => "-",
            (true, _) => "\u{2212}",
            (false, 0) => "+",
            (false, _) => "",
        });
        cell.push_str(&if group { grouped(int, seps) } else { int.to_string() });
        if !frac.is_empty() {
            cell.push(',');
            cell.push_str(frac);
        }
        cell.push_str(["", "%", " %"][percent]);
        let plain = format!("{}{int}.{}", if negative { "-" } else { "" }, if frac.is_empty() { "0" } else { frac });
        let expected = plain.parse::<f64>().unwrap();
        match parse_value(&cell, Comma) {
            Ok(Parsed::Number { value, percent: p }) => {
                assert_eq!(value.to_bits(), expected.to_bits(), "{cell:?}: {value} but {plain} is {expected}");
                assert_eq!(p, percent > 0, "{cell:?}");
            }
            other => panic!("{cell:?}: {other:?}"),
        }
    }

    fn finite() -> impl Strategy<Value = f64> {
        use proptest::num::f64::{NEGATIVE, NORMAL, POSITIVE, SUBNORMAL, ZERO};
        POSITIVE | NEGATIVE | NORMAL | SUBNORMAL | ZERO
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        /// Any f64, written out in full (Rust's shortest round-trip digits, up to 309 integer
        /// digits or 300-odd decimals) in Swedish form, reads back as exactly that f64.
        #[test]
        fn any_f64_in_swedish_form_reads_back(
            v in finite(),
            group: bool,
            seps in proptest::collection::vec(0..4usize, 1..6),
            sign in 0..3usize,
            percent in 0..3usize,
        ) {
            let plain = format!("{}", v.abs());
            let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
            check_swedish(v.is_sign_negative(), int, frac, group, &seps, sign, percent);
        }

        /// Up to 19 significant digits, the most the parser keeps exactly: correctly rounded,
        /// on the fast path (up to 15 bytes) and off it.
        #[test]
        fn digit_strings_in_swedish_form_round_like_std(
            int in "0|[1-9][0-9]{0,11}",
            frac in "[0-9]{0,7}",
            negative: bool,
            group: bool,
            seps in proptest::collection::vec(0..4usize, 1..6),
            sign in 0..3usize,
            percent in 0..3usize,
        ) {
            check_swedish(negative, &int, &frac, group, &seps, sign, percent);
        }
    }
}
