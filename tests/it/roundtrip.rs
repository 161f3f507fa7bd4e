//! Property: any table written as CSV in any supported locale form reads back to the same
//! observations. The oracle is the table itself; the writer below is independent of the reader.

use encoding_rs::WINDOWS_1252;
use jamfor::ingest::{self, DecimalMark, Input, InputHints, ReadOptions};
use jamfor::model::{Sex, Status};
use proptest::prelude::*;

/// One cell of the table: a number (two decimals at most), a symbol, or empty.
#[derive(Clone, Debug)]
enum Value {
    Number(i64), // hundredths
    Symbol(&'static str),
    Empty,
}

#[derive(Clone, Debug)]
struct Form {
    delimiter: u8,
    decimal: DecimalMark,
    thousands: Option<char>,
    minus: char,
    encoding: &'static str,
    crlf: bool,
    title: bool,
    wide: bool,
    hint_decimal: bool,
    english: bool,
}

fn form() -> impl Strategy<Value = Form> {
    (
        prop::sample::select(vec![b';', b',', b'\t']),
        any::<bool>(),
        prop::sample::select(vec![None, Some(' '), Some('\u{A0}'), Some('\u{202F}'), Some('.')]),
        any::<bool>(),
        prop::sample::select(vec!["utf-8", "utf-8-bom", "windows-1252"]),
        (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(|(delimiter, comma, thousands, typographic, encoding, (crlf, title, wide, hint, english))| {
            let decimal = if comma { DecimalMark::Comma } else { DecimalMark::Point };
            let cp1252 = encoding == "windows-1252";
            // cp1252 has no U+202F or U+2212; `.` groups only where `,` is the decimal mark.
            let thousands = match thousands {
                Some('\u{202F}') if cp1252 => Some(' '),
                Some('.') if decimal == DecimalMark::Point => None,
                t => t,
            };
            let minus = if typographic && !cp1252 { '\u{2212}' } else { '-' };
            // Integral values grouped with `.` are ambiguous without the hint, as in real files.
            let hint_decimal = hint || thousands == Some('.');
            Form { delimiter, decimal, thousands, minus, encoding, crlf, title, wide, hint_decimal, english }
        })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => (-1_000_000_000_i64..1_000_000_000).prop_map(Value::Number),
        1 => prop::sample::select(vec!["..", ".", "-", "...", "....."]).prop_map(Value::Symbol),
        1 => Just(Value::Empty),
    ]
}

/// Rows of (org, year, [K, M, T] values).
fn table() -> impl Strategy<Value = Vec<(String, u16, [Value; 3])>> {
    let orgs = prop::sample::subsequence(vec!["X0101", "X0102", "X0201", "X1001"], 1..=4);
    let years = prop::sample::subsequence(vec![2019u16, 2020, 2021, 2022, 2023, 2024], 1..=3);
    (orgs, years, prop::collection::vec([value(), value(), value()], 12)).prop_map(|(orgs, years, values)| {
        let mut rows = Vec::new();
        let mut it = values.into_iter().cycle();
        for o in &orgs {
            for y in &years {
                rows.push((o.to_string(), *y, it.next().unwrap()));
            }
        }
        rows
    })
}

fn write_number(hundredths: i64, f: &Form) -> String {
    let neg = hundredths < 0;
    let abs = hundredths.unsigned_abs();
    let int = (abs / 100).to_string();
    let frac = abs % 100;
    let mut grouped = String::new();
    for (i, ch) in int.chars().enumerate() {
        if let Some(sep) = f.thousands
            && i > 0
            && (int.len() - i).is_multiple_of(3)
        {
            grouped.push(sep);
        }
        grouped.push(ch);
    }
    let mut s = String::new();
    if neg {
        s.push(f.minus);
    }
    s.push_str(&grouped);
    if frac != 0 {
        s.push(f.decimal.char());
        s.push_str(&format!("{frac:02}"));
    }
    s
}

fn write_cell(v: &Value, f: &Form) -> String {
    let text = match v {
        Value::Number(h) => write_number(*h, f),
        Value::Symbol(s) => s.to_string(),
        Value::Empty => String::new(),
    };
    let d = f.delimiter as char;
    if text.contains(d) { format!("\"{text}\"") } else { text }
}

fn write_csv(rows: &[(String, u16, [Value; 3])], f: &Form) -> Vec<u8> {
    let d = (f.delimiter as char).to_string();
    let eol = if f.crlf { "\r\n" } else { "\n" };
    let mut s = String::new();
    if f.title {
        s.push_str("\"Tabell: hemtjänst, timmar\"");
        s.push_str(eol);
        s.push_str(eol);
    }
    let header: Vec<&str> = match (f.wide, f.english) {
        (true, false) => vec!["Kommunkod", "År", "Kvinnor", "Män", "Totalt"],
        (true, true) => vec!["Municipality", "Year", "Women", "Men", "Total"],
        (false, false) => vec!["Kommun", "År", "Kön", "Värde"],
        (false, true) => vec!["Municipality", "Year", "Sex", "Value"],
    };
    s.push_str(&header.join(&d));
    s.push_str(eol);
    let sexes = if f.english { ["women", "men", "total"] } else { ["kvinnor", "män", "totalt"] };
    for (org, year, values) in rows {
        if f.wide {
            let cells: Vec<String> = values.iter().map(|v| write_cell(v, f)).collect();
            s.push_str(&format!("{org}{d}{year}{d}{}{eol}", cells.join(&d)));
        } else {
            for (sex, v) in sexes.iter().zip(values) {
                s.push_str(&format!("{org}{d}{year}{d}{sex}{d}{}{eol}", write_cell(v, f)));
            }
        }
    }
    match f.encoding {
        "windows-1252" => {
            let (bytes, _, unmappable) = WINDOWS_1252.encode(&s);
            assert!(!unmappable, "the form only uses cp1252 characters");
            bytes.into_owned()
        }
        "utf-8-bom" => [&[0xEF, 0xBB, 0xBF][..], s.as_bytes()].concat(),
        _ => s.into_bytes(),
    }
}

/// (org, period, sex, value, status) of one observation.
type Seen = (String, String, Sex, Option<f64>, Option<Status>);

fn expected(rows: &[(String, u16, [Value; 3])]) -> Vec<Seen> {
    let mut out = Vec::new();
    for (org, year, values) in rows {
        for (sex, v) in Sex::ALL.iter().zip(values) {
            let (value, status) = match v {
                // Exact integer over exact 100: IEEE division rounds like parsing the decimal text.
                Value::Number(h) => (Some(*h as f64 / 100.0), None),
                Value::Symbol("..") | Value::Empty => (None, Some(Status::Missing)),
                Value::Symbol(".") => (None, Some(Status::NotApplicable)),
                Value::Symbol("-") => (Some(0.0), Some(Status::Zero)),
                Value::Symbol(_) => (None, Some(Status::Confidential)),
            };
            out.push((org.clone(), year.to_string(), *sex, value, status));
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_locale_form_reads_back_the_same_observations(rows in table(), f in form()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("export.csv");
        std::fs::write(&path, write_csv(&rows, &f)).unwrap();
        let hints = InputHints {
            read: ReadOptions { decimal: f.hint_decimal.then_some(f.decimal), ..ReadOptions::default() },
            ..InputHints::default()
        };
        let got = ingest::ingest(&[Input { path: path.clone(), source: "export.csv".into(), hints }]);
        let problems: Vec<String> = got.reports[0].problems.list.iter().map(ToString::to_string).collect();
        prop_assert!(problems.is_empty(), "{:?}\n{}\n{problems:#?}", f, String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        let records: Vec<_> = got
            .observations
            .records()
            .into_iter()
            .map(|r| (r.org_id, r.period, r.sex, r.value, r.status))
            .collect();
        prop_assert_eq!(records, expected(&rows), "{:?}\n{}", f, String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
    }
}
