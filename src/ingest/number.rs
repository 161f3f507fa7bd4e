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
pub fn parse_value_bytes(text: &[u8], decimal: DecimalMark) -> Result<Parsed, NumberError> {
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
    Some((if negative { -value } else { value }, percent))
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
}
