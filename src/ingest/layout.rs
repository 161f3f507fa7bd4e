//! Finds the header row and what each column means, from the first rows of a file.
//!
//! Controllers' exports put title lines above the header, name columns in Swedish or English,
//! and put sexes or periods in the headers instead of in a column. Detection reads header names
//! against the vocabulary below; `[[input]]` hints (`columns = { … }`, `variable`, `sex`,
//! `period`) override it. The result is a [`Layout`] that the shaper applies row by row.
//!
//! Shapes:
//! - **long**: org, period, [variable], sex, [age], value columns;
//! - **wide by sex**: `Kvinnor;Män;Totalt` (or `Flickor;Pojkar`, `K;M;T`) value columns;
//! - **wide by period**: `2019;2020;…` value columns with a sex column;
//! - **both**, in two header rows: periods above sexes (blank cells continue the period to their
//!   left, as merged cells export) or sexes above periods.

use super::error::IngestError;
use super::options::{ColumnHints, DecimalMark, InputHints};
use crate::error::{Location, Problem};
use crate::model::{Period, Sex};

/// How many rows are searched for the header.
pub const HEADER_SEARCH_ROWS: usize = 30;

/// One row of the sample, as trimmed text.
#[derive(Clone, Debug)]
pub struct SampleRow {
    /// Line (text) or row (spreadsheet) number.
    pub line: u32,
    pub cells: Vec<String>,
}

/// What a header name says a column holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Role {
    OrgCode,
    /// `kommun`, `region`: the code when there is no code column, else the name.
    OrgEither,
    OrgName,
    Period,
    Sex,
    Age,
    Variable,
    Value,
    Status,
    Unit,
}

impl Role {
    fn label(self) -> &'static str {
        match self {
            Role::OrgCode | Role::OrgEither => "organisation",
            Role::OrgName => "organisation name",
            Role::Period => "period",
            Role::Sex => "sex",
            Role::Age => "age",
            Role::Variable => "variable",
            Role::Value => "value",
            Role::Status => "status",
            Role::Unit => "unit",
        }
    }
}

/// Lower-cased, trimmed, without a trailing parenthesised note (`Antal (st)` → `antal`).
fn normalise(name: &str) -> String {
    let base = name.split('(').next().unwrap_or(name);
    base.trim().trim_matches('"').trim().to_lowercase()
}

pub(crate) fn role_of(name: &str) -> Option<Role> {
    Some(match normalise(name).as_str() {
        "kommunkod" | "kommun-kod" | "kommunnummer" | "kommunnr" | "regionkod" | "länskod" | "lanskod" | "länkod"
        | "organisationskod" | "org" | "org_id" | "orgid" | "organisation_id" | "kod" | "code"
        | "municipality_code" | "municipality_id" | "region_code" | "geo" | "ou" | "enhetskod" => Role::OrgCode,
        "kommun" | "region" | "län" | "lan" | "organisation" | "municipality" | "organization" => Role::OrgEither,
        "kommunnamn" | "namn" | "name" | "regionnamn" | "länsnamn" | "organisationsnamn" | "org_name"
        | "municipality_name" => Role::OrgName,
        "år" | "ar" | "year" | "period" | "tid" | "tidpunkt" | "månad" | "manad" | "kvartal" | "month" | "quarter"
        | "time" | "tidsperiod" => Role::Period,
        "kön" | "kon" | "sex" | "gender" => Role::Sex,
        "ålder" | "alder" | "age" | "åldersgrupp" | "aldersgrupp" | "age_group" | "åldersklass" | "åldersintervall" => {
            Role::Age
        }
        "variabel" | "variable" | "mått" | "matt" | "indikator" | "indicator" | "kpi" | "nyckeltal" | "measure"
        | "tabellinnehåll" | "innehåll" => Role::Variable,
        "värde" | "varde" | "value" | "antal" | "utfall" | "belopp" | "andel" | "count" | "amount" | "summa"
        | "procent" | "timmar" | "kronor" | "mätvärde" => Role::Value,
        "status" | "flagga" | "flag" => Role::Status,
        "unit" | "måttenhet" | "enhet_mått" => Role::Unit,
        _ => return None,
    })
}

/// Where a row's sex, period or variable comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Origin<T> {
    Column(usize),
    Fixed(T),
    /// Each value column carries its own (wide layouts).
    Header,
}

/// A column holding values, with what its header fixes.
#[derive(Clone, Debug, PartialEq)]
pub struct ValueColumn {
    pub index: usize,
    pub header: String,
    pub sex: Option<Sex>,
    pub period: Option<Period>,
}

/// How the organisation is written.
#[derive(Clone, Debug, PartialEq)]
pub struct OrgColumn {
    pub index: usize,
    pub header: String,
    /// `0180 Stockholm` style: code and name in one cell.
    pub split_name: bool,
    /// Numeric codes must have this many digits (4 municipalities, 2 regions).
    pub width: Option<usize>,
}

/// Everything the shaper needs to turn rows into observations.
#[derive(Clone, Debug, PartialEq)]
pub struct Layout {
    /// Index in the sample of the (last) header row; data starts after it.
    pub header_row: usize,
    /// Line of the first header row.
    pub header_line: u32,
    /// Number of fields in the header row (CSV rows must match it).
    pub width: usize,
    /// The header names (two header rows merged).
    pub names: Vec<String>,
    pub org: OrgColumn,
    pub org_name: Option<usize>,
    pub period: Origin<Period>,
    pub sex: Origin<Sex>,
    pub variable: Origin<String>,
    /// Why the variable is named as it is, for the summary.
    pub variable_reason: &'static str,
    pub age: Option<usize>,
    pub status: Option<usize>,
    pub unit: Option<usize>,
    /// A unit implied by the value header (`Antal` → count), when no hint gives one.
    pub header_unit: Option<&'static str>,
    pub values: Vec<ValueColumn>,
    /// Columns that mean nothing to jamfor, reported in the summary.
    pub ignored: Vec<String>,
    /// `long`, `wide by sex`, `wide by period`, `wide by period and sex`.
    pub shape: &'static str,
}

type Found = Result<Layout, Problem<IngestError>>;

/// Detects the layout from the first rows. `stem` names the variable when nothing else does.
pub fn detect(sample: &[SampleRow], hints: &InputHints, source: &str, stem: &str) -> Found {
    let first_line = sample.first().map_or(1, |r| r.line);
    let at = |line: u32, col: Option<usize>| Location::at(source, line, col.map(|c| c as u32 + 1));
    let h = find_header(sample, &hints.columns).ok_or_else(|| {
        let kind = IngestError::NoHeader { searched: HEADER_SEARCH_ROWS.min(sample.len()) };
        let hint = kind.hint();
        Problem::new(at(first_line, None), kind).with_hint(hint)
    })?;
    let top = &sample[h];
    // A second header row below: sexes under periods, or periods under sexes.
    let below = sample.get(h + 1);
    let two_rows = below.is_some_and(|b| is_second_header(&top.cells, &b.cells));
    let names: Vec<String> = if two_rows {
        let b = &below.expect("checked").cells;
        (0..top.cells.len().max(b.len()))
            .map(|i| {
                let lower = b.get(i).map_or("", String::as_str);
                let upper = top.cells.get(i).map_or("", String::as_str);
                if lower.is_empty() { upper.to_string() } else { lower.to_string() }
            })
            .collect()
    } else {
        top.cells.clone()
    };
    let header_row = if two_rows { h + 1 } else { h };
    let header_line = top.line;

    let mut roles: Vec<Option<Role>> = names.iter().map(|n| role_of(n)).collect();
    // Hints override detection: the hinted column gets the role, any other with it loses it.
    for (key, wanted) in hints.columns.given() {
        let role = match key {
            "org" => Role::OrgCode,
            "org_name" => Role::OrgName,
            "period" => Role::Period,
            "sex" => Role::Sex,
            "variable" => Role::Variable,
            "value" => Role::Value,
            _ => Role::Age,
        };
        let Some(i) = names.iter().position(|n| normalise(n) == normalise(wanted)) else {
            let header =
                names.iter().filter(|n| !n.is_empty()).map(|n| format!("{n:?}")).collect::<Vec<_>>().join(", ");
            return Err(Problem::new(
                at(header_line, None),
                IngestError::HintedColumnNotFound { role: key, found: wanted.to_string(), header },
            ));
        };
        for r in roles.iter_mut() {
            if *r == Some(role) || (role == Role::OrgCode && *r == Some(Role::OrgEither)) {
                *r = None;
            }
        }
        roles[i] = Some(role);
    }

    let find = |role: Role| -> Result<Option<usize>, Problem<IngestError>> {
        let mut hits = roles.iter().enumerate().filter(|(_, r)| **r == Some(role)).map(|(i, _)| i);
        let first = hits.next();
        if let (Some(a), Some(b)) = (first, hits.next()) {
            return Err(Problem::new(
                at(header_line, Some(b)),
                IngestError::AmbiguousColumns {
                    role: role.label(),
                    first: format!("{:?} (column {})", names[a], a + 1),
                    second: format!("{:?} (column {})", names[b], b + 1),
                },
            )
            .with_hint(Some(format!("say which in [[input]]: columns = {{ {} = \"…\" }}", hint_key(role)))));
        }
        Ok(first)
    };

    // Organisation: a code column wins; `kommun`/`region` is then the name.
    let code = find(Role::OrgCode)?;
    let either = find(Role::OrgEither)?;
    let named = find(Role::OrgName)?;
    let (org_index, org_name) = match (code, either, named) {
        (Some(c), e, n) => (c, n.or(e)),
        (None, Some(e), n) => (e, n),
        (None, None, _) => {
            let kind = IngestError::MissingColumn {
                role: "organisation",
                expected: "kommun, kommunkod, region, organisation, org_id or geo",
            };
            let hint = kind.hint();
            return Err(Problem::new(at(header_line, None), kind).with_hint(hint));
        }
    };
    let data = &sample[header_row + 1..];
    let org = org_column(org_index, &names[org_index], org_name.is_none(), data);

    // Value columns: sexes and/or periods in the headers, else one value column.
    let sex_col = find(Role::Sex)?;
    let period_col = find(Role::Period)?;
    let mut values = Vec::new();
    let mut ignored = Vec::new();
    let mut header_sex: Option<Sex> = None;
    let mut header_period: Option<Period> = None;
    for (i, name) in names.iter().enumerate() {
        if roles[i].is_some() {
            continue;
        }
        // In two-row headers, the upper row's period continues over blank cells to its right.
        if two_rows {
            let upper = top.cells.get(i).map_or("", String::as_str);
            let lower = below.expect("two rows").cells.get(i).map_or("", String::as_str);
            if let Ok(p) = upper.parse::<Period>() {
                header_period = Some(p);
            } else if let Some(s) = Sex::from_word(upper) {
                header_sex = Some(s);
            } else if !upper.is_empty() {
                header_period = None;
                header_sex = None;
            }
            let (sex, period) = match (Sex::from_word(lower), lower.parse::<Period>().ok()) {
                (Some(s), _) => (Some(s), header_period),
                (None, Some(p)) => (header_sex, Some(p)),
                _ => (None, None),
            };
            if sex.is_some() && period.is_some() && sex_col.is_none() && period_col.is_none() {
                values.push(ValueColumn {
                    index: i,
                    header: format!("{upper} {lower}").trim().to_string(),
                    sex,
                    period,
                });
                continue;
            }
        } else {
            let sex = if sex_col.is_none() { Sex::from_word(name) } else { None };
            let period = if period_col.is_none() { name.parse::<Period>().ok() } else { None };
            if sex.is_some() || period.is_some() {
                values.push(ValueColumn { index: i, header: name.clone(), sex, period });
                continue;
            }
        }
        if !name.trim().is_empty() {
            ignored.push(format!("{name:?} (column {})", i + 1));
        }
    }
    let by_sex = values.iter().any(|v| v.sex.is_some());
    let by_period = values.iter().any(|v| v.period.is_some());
    if by_sex && by_period && values.iter().any(|v| v.sex.is_none() || v.period.is_none()) {
        values.retain(|v| v.sex.is_some() && v.period.is_some());
    }
    let value_col = find(Role::Value)?;
    let mut header_unit = None;
    if values.is_empty() {
        let Some(v) = value_col else {
            let kind = IngestError::MissingColumn {
                role: "value",
                expected: "värde, antal, value, utfall, andel, or sexes (Kvinnor;Män;Totalt) or periods (2019;2020) as column names",
            };
            let hint = kind.hint();
            return Err(Problem::new(at(header_line, None), kind).with_hint(hint));
        };
        header_unit = match normalise(&names[v]).as_str() {
            "antal" | "count" => Some("count"),
            "andel" | "procent" => Some("percent"),
            "timmar" => Some("hours"),
            "kronor" => Some("sek"),
            _ => None,
        };
        values.push(ValueColumn { index: v, header: names[v].clone(), sex: None, period: None });
    } else if let Some(v) = value_col {
        ignored.push(format!("{:?} (column {})", names[v], v + 1));
    }

    let sex = match (sex_col, by_sex, hints.sex) {
        (Some(c), _, _) => Origin::Column(c),
        (None, true, _) => Origin::Header,
        (None, false, Some(s)) => Origin::Fixed(s),
        (None, false, None) => {
            let kind = IngestError::MissingColumn {
                role: "sex",
                expected: "kön, kon, sex or gender, or sexes as column names (Kvinnor;Män;Totalt)",
            };
            return Err(Problem::new(at(header_line, None), kind)
                .with_hint(Some("a file of totals only needs `sex = \"T\"` in its [[input]] in round.toml".into())));
        }
    };
    let period = match (period_col, by_period, hints.period) {
        (Some(c), _, _) => Origin::Column(c),
        (None, true, _) => Origin::Header,
        (None, false, Some(p)) => Origin::Fixed(p),
        (None, false, None) => {
            let kind = IngestError::MissingColumn {
                role: "period",
                expected: "år, year, period, tid or månad, or periods as column names (2019;2020)",
            };
            return Err(Problem::new(at(header_line, None), kind)
                .with_hint(Some("a file for one period only needs `period = \"2024\"` in its [[input]]".into())));
        }
    };
    let variable_col = find(Role::Variable)?;
    let (variable, variable_reason) = match (&hints.variable, variable_col) {
        (Some(v), _) => (Origin::Fixed(v.clone()), "from round.toml"),
        (None, Some(c)) => (Origin::Column(c), "from the variable column"),
        (None, None) if hints.columns.value.is_some() => {
            (Origin::Fixed(names[values[0].index].trim().to_string()), "from the value column's name")
        }
        (None, None) => (Origin::Fixed(stem.to_string()), "from the file name; set `variable = …` to name it"),
    };
    let (age, status, unit) = (find(Role::Age)?, find(Role::Status)?, find(Role::Unit)?);
    let shape = match (by_sex, by_period) {
        (true, true) => "wide by period and sex",
        (true, false) => "wide by sex",
        (false, true) => "wide by period",
        (false, false) => "long",
    };
    Ok(Layout {
        header_row,
        header_line,
        width: top.cells.len().max(if two_rows { below.expect("two rows").cells.len() } else { 0 }),
        org,
        org_name,
        names,
        period,
        sex,
        variable,
        variable_reason,
        age,
        status,
        unit,
        header_unit,
        values,
        ignored,
        shape,
    })
}

impl<T> Origin<T> {
    /// The column index, when the value comes from a column.
    pub fn column(&self) -> Option<usize> {
        match self {
            Origin::Column(c) => Some(*c),
            _ => None,
        }
    }
}

impl Layout {
    /// The decimal mark of the file's text numbers: comma when a value cell in the sample has a
    /// digit, a comma and a digit (or starts `,5`), else point. A hint overrides it.
    pub fn decimal_mark(&self, sample: &[SampleRow]) -> DecimalMark {
        let comma = sample[self.header_row + 1..].iter().any(|r| {
            self.values.iter().filter_map(|v| r.cells.get(v.index)).any(|c| {
                let b = c.as_bytes();
                b.windows(3).any(|w| w[0].is_ascii_digit() && w[1] == b',' && w[2].is_ascii_digit())
                    || (b.first() == Some(&b',') && b.get(1).is_some_and(u8::is_ascii_digit))
            })
        });
        if comma { DecimalMark::Comma } else { DecimalMark::Point }
    }

    /// `(role, header)` of every column used, for the summary.
    pub fn described_columns(&self) -> Vec<(&'static str, String)> {
        let name = |i: usize| format!("{:?}", self.names[i]);
        let mut out = vec![("org", name(self.org.index))];
        let roles = [
            ("org_name", self.org_name),
            ("period", self.period.column()),
            ("sex", self.sex.column()),
            ("variable", self.variable.column()),
            ("age", self.age),
            ("status", self.status),
            ("unit", self.unit),
        ];
        out.extend(roles.into_iter().filter_map(|(role, i)| Some((role, name(i?)))));
        let values: Vec<String> = self.values.iter().map(|v| format!("{:?}", v.header)).collect();
        out.push(("value", values.join(" ")));
        out
    }
}

fn hint_key(role: Role) -> &'static str {
    match role {
        Role::OrgCode | Role::OrgEither => "org",
        Role::OrgName => "org_name",
        Role::Period => "period",
        Role::Sex => "sex",
        Role::Age => "age",
        Role::Variable => "variable",
        Role::Value | Role::Status | Role::Unit => "value",
    }
}

/// The first row that names columns: it has a role name and two recognised cells, or two
/// sexes, or two periods (so that a data row such as `X0101;2022;K;12` is not taken for one).
/// With column hints, the first row containing every hinted name.
fn find_header(sample: &[SampleRow], hints: &ColumnHints) -> Option<usize> {
    let given = hints.given();
    sample.iter().take(HEADER_SEARCH_ROWS).position(|row| {
        let cells = &row.cells;
        if !given.is_empty() {
            return given.iter().all(|(_, name)| cells.iter().any(|c| normalise(c) == normalise(name)));
        }
        let named = cells.iter().filter(|c| role_of(c).is_some()).count();
        let sexes = cells.iter().filter(|c| Sex::from_word(c).is_some()).count();
        let periods = cells.iter().filter(|c| Period::looks_like(c)).count();
        (named >= 1 && named + sexes + periods >= 2) || sexes >= 2 || periods >= 2
    })
}

/// Whether `lower` completes `upper` as a two-row header: periods above at least two sexes, or
/// sexes above at least two periods.
fn is_second_header(upper: &[String], lower: &[String]) -> bool {
    let periods = |cells: &[String]| cells.iter().filter(|c| Period::looks_like(c)).count();
    let sexes = |cells: &[String]| cells.iter().filter(|c| Sex::from_word(c).is_some()).count();
    // Every filled cell of a header row names something; a data row has values.
    let all_named = lower
        .iter()
        .all(|c| c.is_empty() || role_of(c).is_some() || Sex::from_word(c).is_some() || Period::looks_like(c));
    all_named
        && ((periods(upper) >= 1 && sexes(lower) >= 2 && periods(lower) == 0)
            || (sexes(upper) >= 1 && periods(lower) >= 2 && sexes(lower) == 0))
}

/// How organisation cells are written, judged from the sample's data rows.
fn org_column(index: usize, header: &str, may_split: bool, data: &[SampleRow]) -> OrgColumn {
    let cells: Vec<&str> =
        data.iter().filter_map(|r| r.cells.get(index)).map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
    let split_name = may_split && !cells.is_empty() && cells.iter().all(|c| split_code(c).is_some());
    let codes: Vec<&str> =
        cells.iter().map(|c| if split_name { split_code(c).expect("checked").0 } else { c }).collect();
    let numeric = !codes.is_empty() && codes.iter().all(|c| c.bytes().all(|b| b.is_ascii_digit()));
    let h = normalise(header);
    let width = if !numeric {
        None
    } else if h.contains("kommun") || h.contains("municipal") || codes.iter().any(|c| c.len() == 4) {
        Some(4)
    } else if h.contains("region") || h.contains("län") || h.contains("lan") {
        Some(2)
    } else {
        None
    };
    OrgColumn { index, header: header.to_string(), split_name, width }
}

/// `0180 Stockholm` → (`0180`, `Stockholm`); `X0101 Åbyholm` likewise. The code is 1–4 digits
/// or a letter followed by digits.
pub fn split_code(cell: &str) -> Option<(&str, &str)> {
    let (code, name) = cell.trim().split_once(char::is_whitespace)?;
    let b = code.as_bytes();
    let digits = !b.is_empty() && b.len() <= 4 && b.iter().all(u8::is_ascii_digit);
    let lettered = b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1..].iter().all(u8::is_ascii_digit);
    let name = name.trim();
    ((digits || lettered) && !name.is_empty()).then_some((code, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<SampleRow> {
        text.lines()
            .enumerate()
            .map(|(i, l)| SampleRow { line: i as u32 + 1, cells: l.split(';').map(|c| c.trim().to_string()).collect() })
            .collect()
    }

    fn layout(text: &str) -> Layout {
        detect(&rows(text), &InputHints::default(), "t.csv", "t").unwrap()
    }

    #[test]
    fn long_with_title_rows() {
        let l = layout("Hemtjänst 2023\n\nKommun;År;Kön;Antal\nX0101 Åby;2023;K;12");
        assert_eq!(l.header_line, 3);
        assert_eq!(l.shape, "long");
        assert!(l.org.split_name);
        assert_eq!(l.period, Origin::Column(1));
        assert_eq!(l.sex, Origin::Column(2));
        assert_eq!(l.header_unit, Some("count"));
    }

    #[test]
    fn code_column_makes_kommun_the_name() {
        let l = layout("Kommunkod;Kommun;År;Kvinnor;Män;Totalt\n0999;Norrvik;2023;1;2;3");
        assert_eq!(l.org.index, 0);
        assert_eq!(l.org_name, Some(1));
        assert_eq!(l.org.width, Some(4));
        assert_eq!(l.shape, "wide by sex");
        assert_eq!(l.values.iter().map(|v| v.sex).collect::<Vec<_>>(), [Some(Sex::K), Some(Sex::M), Some(Sex::T)]);
    }

    #[test]
    fn periods_in_headers() {
        let l = layout("Region;Kön;2019;2020\nX01;K;1;2");
        assert_eq!(l.shape, "wide by period");
        assert_eq!(l.values.len(), 2);
        assert_eq!(l.period, Origin::Header);
    }

    #[test]
    fn two_header_rows() {
        let l = layout(";;2022;;2023;\nKommunkod;Kommunnamn;Kvinnor;Män;Kvinnor;Män\nX0101;Åby;1;2;3;4");
        assert_eq!(l.shape, "wide by period and sex");
        assert_eq!(l.header_row, 1);
        let got: Vec<String> = l.values.iter().map(|v| format!("{}/{}", v.period.unwrap(), v.sex.unwrap())).collect();
        assert_eq!(got, ["2022/K", "2022/M", "2023/K", "2023/M"]);
    }

    #[test]
    fn a_data_row_is_not_a_header() {
        let e = detect(&rows("X0101;2022;K;12\nX0102;2022;K;13"), &InputHints::default(), "t.csv", "t").unwrap_err();
        assert!(matches!(e.kind, IngestError::NoHeader { .. }));
    }

    #[test]
    fn split_codes() {
        assert_eq!(split_code("0180 Stockholm"), Some(("0180", "Stockholm")));
        assert_eq!(split_code("X0101 Åbyholm Norra"), Some(("X0101", "Åbyholm Norra")));
        assert_eq!(split_code("Stockholm"), None);
        assert_eq!(split_code("Upplands Väsby"), None);
    }
}
