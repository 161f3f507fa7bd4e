//! Statements → typed metadata: variables in STUB ++ HEADING order with their values, codes,
//! translations, time and content roles; notes; everything else kept as it was written.
//!
//! Languages: the default language's keywords carry no `[lang]`. A translated keyword such as
//! `VALUES[en]("sex")` names the variable by its *translated* name, matched by position through
//! `STUB[en]`/`HEADING[en]` (as PCAxis.Core does), so any language can be chosen for output while
//! `CODES` and `VARIABLECODE` stay the stable ids.

use std::collections::BTreeMap;

use super::decode::Charset;
use super::error::{PxError, PxErrorKind};
use super::lexer::{Item, Statement, item_text};

/// How a variable is eliminated (`ELIMINATION`): summed, or given by one of its values (the
/// total, e.g. `totalt`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Elimination {
    Yes,
    No,
    /// Index of the value that is the total.
    Value(usize),
}

/// The time scale of `TIMEVAL` (`TLIST(A1)` …).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeScale {
    Annual,
    HalfYear,
    Tertial,
    Quarterly,
    Monthly,
    Weekly,
    Daily,
}

impl TimeScale {
    fn parse(code: &str) -> Option<TimeScale> {
        Some(match code.trim() {
            "A1" => TimeScale::Annual,
            "H1" => TimeScale::HalfYear,
            "T1" => TimeScale::Tertial,
            "Q1" => TimeScale::Quarterly,
            "M1" => TimeScale::Monthly,
            "W1" => TimeScale::Weekly,
            "D1" => TimeScale::Daily,
            _ => return None,
        })
    }

    pub fn code(self) -> &'static str {
        match self {
            TimeScale::Annual => "A1",
            TimeScale::HalfYear => "H1",
            TimeScale::Tertial => "T1",
            TimeScale::Quarterly => "Q1",
            TimeScale::Monthly => "M1",
            TimeScale::Weekly => "W1",
            TimeScale::Daily => "D1",
        }
    }
}

/// A variable's names and values in one language.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Labels {
    pub name: String,
    pub values: Vec<String>,
}

/// One dimension of the cube.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Variable {
    /// Name and value texts in the default language.
    pub labels: Labels,
    /// Other languages, by language code.
    pub translations: BTreeMap<String, Labels>,
    /// `VARIABLECODE`: a stable id (`Kon`, `Region`, `Tid`).
    pub code: Option<String>,
    /// `CODES`: stable value ids, as many as values.
    pub codes: Option<Vec<String>>,
    pub elimination: Option<Elimination>,
    pub time: Option<TimeScale>,
    /// `PRESTEXT`: 0 code, 1 text, 2 code+text, 3 text+code.
    pub prestext: Option<u8>,
    pub heading: bool,
    /// The values `TIMEVAL` declares (a list, or a range expanded for A1/H1/T1/Q1/M1). VALUES
    /// decides order and labels; a disagreement is a warning.
    pub timeval: Vec<String>,
}

impl Variable {
    /// A variable with default-language name and values and nothing else (writers, tests).
    pub fn new(name: impl Into<String>, values: Vec<String>, heading: bool) -> Variable {
        Variable {
            labels: Labels { name: name.into(), values },
            translations: BTreeMap::new(),
            code: None,
            codes: None,
            elimination: None,
            time: None,
            prestext: None,
            heading,
            timeval: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.labels.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.values.is_empty()
    }

    /// Name and values in `lang`, falling back to the default language.
    pub fn labels(&self, lang: Option<&str>) -> &Labels {
        lang.and_then(|l| self.translations.get(l)).filter(|t| t.values.len() == self.len()).unwrap_or(&self.labels)
    }

    /// The stable id of value `i`: its code, else its default-language text.
    pub fn value_id(&self, i: usize) -> &str {
        self.codes.as_ref().map_or(&self.labels.values[i], |c| &c[i])
    }
}

/// Per-content metadata under `CONTVARIABLE` (`UNITS("Folkmängd")=…`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContentInfo {
    pub units: Option<String>,
    pub precision: Option<u8>,
    pub last_updated: Option<String>,
    pub refperiod: Option<String>,
    pub stockfa: Option<String>,
}

/// Whether `KEYS` rows name a stub variable by value text or by code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyKind {
    Values,
    Codes,
}

/// A note of any kind (NOTE, NOTEX, VALUENOTE, CELLNOTE, DATANOTECELL …), `#` turned into line
/// breaks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub keyword: String,
    pub lang: Option<String>,
    pub subkeys: Vec<String>,
    pub text: String,
}

/// Any statement, decoded, as written (for `px info` and unknown keywords).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyword {
    pub keyword: String,
    pub lang: Option<String>,
    pub subkeys: Vec<String>,
    pub values: Vec<String>,
    pub offset: usize,
}

/// Everything above `DATA=`.
#[derive(Clone, Debug, PartialEq)]
pub struct Meta {
    pub charset: Charset,
    pub warnings: Vec<String>,
    pub language: Option<String>,
    pub languages: Vec<String>,
    pub matrix: Option<String>,
    pub title: Option<String>,
    pub contents: Option<String>,
    pub units: Option<String>,
    pub decimals: Option<u8>,
    pub showdecimals: Option<u8>,
    /// STUB then HEADING.
    pub variables: Vec<Variable>,
    pub stub_len: usize,
    /// Index into `variables` of the CONTVARIABLE.
    pub content_variable: Option<usize>,
    /// Per value of the content variable.
    pub content: Vec<ContentInfo>,
    /// Per stub variable, when the data is sparse (`KEYS`).
    pub keys: Option<Vec<KeyKind>>,
    pub notes: Vec<Note>,
    /// `DATASYMBOL1`…`6`, `NIL`, `SUM`: display texts only.
    pub symbols: BTreeMap<String, String>,
    pub keywords: Vec<Keyword>,
}

impl Meta {
    /// Metadata for a table built in code (the generator, tests): `variables` in STUB then
    /// HEADING order (each variable's `heading` flag says which).
    pub fn new(variables: Vec<Variable>) -> Meta {
        let stub_len = variables.iter().take_while(|v| !v.heading).count();
        Meta {
            charset: Charset {
                decoder: super::decode::Decoder::Utf8,
                name: "UTF-8".into(),
                reason: "built in code".into(),
            },
            warnings: Vec::new(),
            language: None,
            languages: Vec::new(),
            matrix: None,
            title: None,
            contents: None,
            units: None,
            decimals: None,
            showdecimals: None,
            variables,
            stub_len,
            content_variable: None,
            content: Vec::new(),
            keys: None,
            notes: Vec::new(),
            symbols: BTreeMap::new(),
            keywords: Vec::new(),
        }
    }

    /// Number of cells the cube holds: the product of the value counts.
    pub fn cells(&self) -> u64 {
        self.variables.iter().map(|v| v.len() as u64).product()
    }

    pub fn stub(&self) -> &[Variable] {
        &self.variables[..self.stub_len]
    }

    pub fn heading(&self) -> &[Variable] {
        &self.variables[self.stub_len..]
    }

    /// `region(2) × kön(2) × år(3)`, for messages.
    pub fn dims(&self) -> String {
        self.variables.iter().map(|v| format!("{}({})", v.labels.name, v.len())).collect::<Vec<_>>().join(" × ")
    }
}

struct Ctx<'b> {
    charset: &'b Charset,
}

impl Ctx<'_> {
    fn text(&self, item: &Item<'_>) -> String {
        item_text(item, |b| self.charset.decode(b))
    }

    fn texts(&self, items: &[Item<'_>]) -> Vec<String> {
        items.iter().map(|i| self.text(i)).collect()
    }

    fn err(&self, s: &Statement<'_>, kind: PxErrorKind) -> PxError {
        PxError::new(kind, s.offset as u64).with_keyword(s.describe(|b| self.charset.decode(b)))
    }
}

/// The periods a `TIMEVAL` declares, in its four written forms:
/// `TLIST(A1),"1994","1995"` (list), `TLIST(A1, "1994"-"1996")` (PX 2013),
/// `TLIST(A1),"1994"-"1996"` (SSB), `TLIST(A1, "1994-1996")` (Px.Utils). Ranges are expanded for
/// the scales with a fixed number of periods per year; weekly and daily ranges keep their ends.
fn timeval_values(scale: TimeScale, tlist: &str, rest: &[String], rest_items: &[Item<'_>]) -> Vec<String> {
    let inner = tlist.trim().strip_prefix("TLIST(").and_then(|r| r.strip_suffix(')')).unwrap_or("");
    let range_in_tlist = inner.split_once(',').map(|(_, r)| r.trim().replace('"', ""));
    let range = match (range_in_tlist, rest_items) {
        (Some(r), _) if !r.is_empty() => r.split_once('-').map(|(a, b)| (a.trim().to_string(), b.trim().to_string())),
        (_, [Item::Pair(..)]) => {
            rest.first().and_then(|r| r.split_once('-')).map(|(a, b)| (a.to_string(), b.to_string()))
        }
        _ => None,
    };
    let Some((from, to)) = range else { return rest.to_vec() };
    let per_year: u32 = match scale {
        TimeScale::Annual => 1,
        TimeScale::HalfYear => 2,
        TimeScale::Tertial => 3,
        TimeScale::Quarterly => 4,
        TimeScale::Monthly => 12,
        TimeScale::Weekly | TimeScale::Daily => return vec![from, to],
    };
    let split = |s: &str| -> Option<(u32, u32)> {
        let year: u32 = s.get(..4)?.parse().ok()?;
        let sub: u32 = if per_year == 1 {
            1
        } else {
            s.get(4..)?.trim_start_matches(|c: char| c.is_ascii_alphabetic()).parse().ok()?
        };
        (sub >= 1 && sub <= per_year).then_some((year, sub))
    };
    let (Some((y0, s0)), Some((y1, s1))) = (split(&from), split(&to)) else { return vec![from, to] };
    let (start, end) = (y0 * per_year + s0 - 1, y1 * per_year + s1 - 1);
    if end < start || end - start > 10_000 {
        return vec![from, to];
    }
    (start..=end)
        .map(|p| {
            let (y, s) = (p / per_year, p % per_year + 1);
            match scale {
                TimeScale::Annual => y.to_string(),
                TimeScale::Monthly => format!("{y}{s:02}"),
                _ => format!("{y}{s}"),
            }
        })
        .collect()
}

/// The raw value of a file-level keyword with no language and no subkeys (for CHARSET/CODEPAGE,
/// read before the encoding is known; they are ASCII).
pub fn raw_value<'a>(statements: &'a [Statement<'_>], keyword: &str) -> Option<&'a [u8]> {
    statements.iter().find(|s| s.keyword == keyword && s.lang.is_none()).and_then(|s| match s.values.first() {
        Some(Item::Text(t)) => Some(t.as_slice()),
        Some(Item::Bare(b)) => Some(*b),
        _ => None,
    })
}

/// Builds typed metadata. `data_offset` is where `DATA=` ended (for errors pointing at DATA).
pub fn build(statements: &[Statement<'_>], charset: Charset, mut warnings: Vec<String>) -> Result<Meta, PxError> {
    let cx = Ctx { charset: &charset };
    let keywords: Vec<Keyword> = statements
        .iter()
        .map(|s| Keyword {
            keyword: s.keyword.to_string(),
            lang: s.lang.map(str::to_string),
            subkeys: cx.texts(&s.subkeys),
            values: cx.texts(&s.values),
            offset: s.offset,
        })
        .collect();
    let first = |kw: &str| {
        statements.iter().zip(&keywords).find(|(s, _)| s.keyword == kw && s.lang.is_none() && s.subkeys.is_empty())
    };
    let single = |kw: &str| first(kw).and_then(|(_, k)| k.values.first().cloned());
    let language = single("LANGUAGE");
    let languages = first("LANGUAGES").map(|(_, k)| k.values.clone()).unwrap_or_default();
    let is_default = |lang: Option<&str>| lang.is_none() || lang == language.as_deref();
    let small = |kw: &str, max: u8| -> Result<Option<u8>, PxError> {
        match first(kw) {
            None => Ok(None),
            Some((s, k)) => {
                let v = k.values.first().map(|v| v.trim()).unwrap_or("");
                match v.parse::<u8>() {
                    Ok(n) if n <= max => Ok(Some(n)),
                    _ => Err(cx.err(
                        s,
                        PxErrorKind::Invalid {
                            found: format!("{v:?}"),
                            expected: format!("a whole number from 0 to {max}"),
                        },
                    )),
                }
            }
        }
    };
    let decimals = small("DECIMALS", 15)?;
    let showdecimals = small("SHOWDECIMALS", 6)?;

    // Variables: STUB then HEADING, default language.
    let names = |kw: &str, lang: Option<&str>| -> Vec<String> {
        statements
            .iter()
            .zip(&keywords)
            .filter(|(s, _)| {
                s.keyword == kw && (s.lang == lang || (lang.is_some() && is_default(lang) && s.lang.is_none()))
            })
            .map(|(_, k)| k.values.clone())
            .next()
            .unwrap_or_default()
    };
    let stub = names("STUB", None);
    let heading = names("HEADING", None);
    if stub.is_empty() && heading.is_empty() {
        let kind = PxErrorKind::Missing {
            keyword: "STUB and HEADING".into(),
            expected: "at least one of them naming the variables".into(),
        };
        return Err(PxError::new(kind, 0));
    }
    let mut variables: Vec<Variable> = stub
        .iter()
        .map(|n| (n, false))
        .chain(heading.iter().map(|n| (n, true)))
        .map(|(name, heading)| Variable::new(name.clone(), Vec::new(), heading))
        .collect();
    // Translated names, by position.
    let mut other_langs: Vec<String> =
        statements.iter().filter_map(|s| s.lang).filter(|l| !is_default(Some(l))).map(str::to_string).collect();
    other_langs.sort();
    other_langs.dedup();
    for lang in &other_langs {
        let translated: Vec<String> =
            names("STUB", Some(lang)).into_iter().chain(names("HEADING", Some(lang))).collect();
        if translated.len() == variables.len() {
            for (v, name) in variables.iter_mut().zip(translated) {
                v.translations.insert(lang.clone(), Labels { name, values: Vec::new() });
            }
        }
    }
    // Which variable a subkey names, in the statement's language.
    let find_var = |lang: Option<&str>, name: &str, vars: &[Variable]| -> Option<usize> {
        match lang.filter(|l| !is_default(Some(l))) {
            None => vars.iter().position(|v| v.labels.name == name),
            Some(l) => vars.iter().position(|v| v.translations.get(l).is_some_and(|t| t.name == name)),
        }
    };

    let mut seen_values: Vec<(usize, Option<String>)> = Vec::new();
    for (s, k) in statements.iter().zip(&keywords) {
        let per_var = matches!(s.keyword, "VALUES" | "CODES" | "VARIABLECODE" | "ELIMINATION" | "TIMEVAL" | "PRESTEXT");
        if !per_var {
            continue;
        }
        let Some(name) = k.subkeys.first() else {
            return Err(cx.err(
                s,
                PxErrorKind::Missing {
                    keyword: format!("the variable name of {}", s.keyword),
                    expected: format!("{}(\"variable\")=…", s.keyword),
                },
            ));
        };
        let Some(i) = find_var(s.lang, name, &variables) else {
            // A keyword for a variable that is in neither STUB nor HEADING: kept, not used.
            warnings.push(format!(
                "{} names {name:?}, which is in neither STUB nor HEADING",
                s.describe(|b| charset.decode(b))
            ));
            continue;
        };
        let translated = s.lang.filter(|l| !is_default(Some(l))).map(str::to_string);
        let v = &mut variables[i];
        match s.keyword {
            "VALUES" => {
                if seen_values.contains(&(i, translated.clone())) {
                    return Err(
                        cx.err(s, PxErrorKind::Duplicate { keyword: "VALUES".into(), subject: format!("{name:?}") })
                    );
                }
                seen_values.push((i, translated.clone()));
                match &translated {
                    None => v.labels.values = k.values.clone(),
                    Some(l) => {
                        if let Some(t) = v.translations.get_mut(l) {
                            t.values = k.values.clone();
                        }
                    }
                }
            }
            "CODES" if translated.is_none() => v.codes = Some(k.values.clone()),
            "VARIABLECODE" if translated.is_none() => v.code = k.values.first().cloned(),
            "PRESTEXT" => v.prestext = k.values.first().and_then(|p| p.trim().parse().ok()),
            "TIMEVAL" if translated.is_none() => {
                let raw = k.values.first().cloned().unwrap_or_default();
                let scale = raw
                    .trim()
                    .strip_prefix("TLIST(")
                    .and_then(|r| r.split([',', ')']).next())
                    .and_then(TimeScale::parse);
                match scale {
                    Some(sc) => {
                        v.time = Some(sc);
                        v.timeval = timeval_values(sc, &raw, &k.values[1..], &s.values[1..]);
                    }
                    None => {
                        return Err(cx.err(
                            s,
                            PxErrorKind::Invalid {
                                found: format!("{raw:?}"),
                                expected: "TLIST(A1|H1|T1|Q1|M1|W1|D1 …)".into(),
                            },
                        ));
                    }
                }
            }
            "ELIMINATION" if translated.is_none() => {
                let e = k.values.first().cloned().unwrap_or_default();
                v.elimination = Some(match (e.as_str(), &s.values.first()) {
                    ("YES", Some(Item::Bare(_))) => Elimination::Yes,
                    ("NO", Some(Item::Bare(_))) => Elimination::No,
                    _ => match v.labels.values.iter().position(|x| *x == e) {
                        Some(p) => Elimination::Value(p),
                        // VALUES may come later in the file: resolved below.
                        None => Elimination::Value(usize::MAX),
                    },
                });
                if v.elimination == Some(Elimination::Value(usize::MAX)) {
                    v.elimination = None;
                    v.translations.entry(String::new()).or_default().name = e;
                }
            }
            _ => {}
        }
    }
    // Pending eliminations by value text (stored under the "" translation key above).
    for v in &mut variables {
        if let Some(pending) = v.translations.remove("") {
            v.elimination = v.labels.values.iter().position(|x| *x == pending.name).map(Elimination::Value);
        }
    }
    for v in &variables {
        let declared = v.timeval.len();
        if v.time.is_some() && declared > 0 && declared != v.len() {
            warnings.push(format!(
                "TIMEVAL({:?}) declares {declared} periods but VALUES has {}; VALUES decides",
                v.labels.name,
                v.len()
            ));
        }
    }
    // Every variable needs its values; codes must pair up with them.
    for v in &variables {
        let stub_stmt =
            statements.iter().find(|s| s.keyword == if v.heading { "HEADING" } else { "STUB" } && s.lang.is_none());
        let at = stub_stmt.map_or(0, |s| s.offset as u64);
        if v.labels.values.is_empty() {
            let kind = PxErrorKind::Missing {
                keyword: format!("VALUES({:?})", v.labels.name),
                expected: "the values of every STUB and HEADING variable".into(),
            };
            return Err(PxError::new(kind, at).with_keyword(if v.heading { "HEADING" } else { "STUB" }));
        }
        if let Some(codes) = &v.codes
            && codes.len() != v.len()
        {
            let s = statements
                .iter()
                .find(|s| s.keyword == "CODES" && cx.texts(&s.subkeys).first() == Some(&v.labels.name))
                .expect("codes came from a statement");
            let kind = PxErrorKind::Invalid {
                found: format!("{} codes", codes.len()),
                expected: format!("{} codes, one per value", v.len()),
            };
            return Err(cx.err(s, kind));
        }
    }

    let content_variable = single("CONTVARIABLE").and_then(|name| variables.iter().position(|v| v.labels.name == name));
    let mut content = Vec::new();
    if let Some(ci) = content_variable {
        let cv = &variables[ci];
        content = vec![ContentInfo::default(); cv.len()];
        for (s, k) in statements.iter().zip(&keywords) {
            if !is_default(s.lang) {
                continue;
            }
            // One subkey (`UNITS("Folkmängd")`) or two (`UNITS("tabellinnehåll","Folkmängd")`).
            let value = match k.subkeys.as_slice() {
                [v] => v,
                [var, v] if *var == cv.labels.name => v,
                _ => continue,
            };
            let Some(j) = cv.labels.values.iter().position(|x| x == value) else { continue };
            let text = k.values.first().cloned();
            let c = &mut content[j];
            match s.keyword {
                "UNITS" => c.units = text,
                "PRECISION" => c.precision = text.and_then(|t| t.trim().parse().ok()),
                "LAST-UPDATED" => c.last_updated = text,
                "REFPERIOD" => c.refperiod = text,
                "STOCKFA" => c.stockfa = text,
                _ => {}
            }
        }
    }

    // KEYS key the stub's rows; a table without stub variables has one row and is read dense
    // (found by fuzzing: KEYS with no STUB indexed past the cube).
    let keys = if !stub.is_empty() && statements.iter().any(|s| s.keyword == "KEYS") {
        let mut kinds = Vec::with_capacity(stub.len());
        for v in &variables[..stub.len()] {
            let s = statements
                .iter()
                .zip(&keywords)
                .find(|(s, k)| s.keyword == "KEYS" && k.subkeys.first() == Some(&v.labels.name));
            kinds.push(match s.map(|(s, k)| (s, k.values.first().map(String::as_str))) {
                Some((_, Some("CODES"))) if v.codes.is_some() => KeyKind::Codes,
                Some((_, Some("VALUES"))) => KeyKind::Values,
                Some((s, other)) => {
                    let kind = PxErrorKind::Invalid {
                        found: format!("{:?}", other.unwrap_or("")),
                        expected: "VALUES, or CODES for a variable with CODES".into(),
                    };
                    return Err(cx.err(s, kind));
                }
                None => {
                    let kind = PxErrorKind::Missing {
                        keyword: format!("KEYS({:?})", v.labels.name),
                        expected: "KEYS for every STUB variable of a sparse table".into(),
                    };
                    return Err(PxError::new(kind, 0));
                }
            });
        }
        Some(kinds)
    } else {
        None
    };

    let notes = statements
        .iter()
        .zip(&keywords)
        .filter(|(s, _)| {
            matches!(
                s.keyword,
                "NOTE"
                    | "NOTEX"
                    | "VALUENOTE"
                    | "VALUENOTEX"
                    | "CELLNOTE"
                    | "CELLNOTEX"
                    | "DATANOTE"
                    | "DATANOTECELL"
                    | "DATANOTESUM"
            )
        })
        .map(|(s, k)| Note {
            keyword: k.keyword.clone(),
            lang: s.lang.map(str::to_string),
            subkeys: k.subkeys.clone(),
            text: k.values.join("").replace('#', "\n"),
        })
        .collect();
    let symbols = keywords
        .iter()
        .filter(|k| k.keyword.starts_with("DATASYMBOL") && k.lang.is_none())
        .filter_map(|k| Some((k.keyword.clone(), k.values.first()?.clone())))
        .collect();
    let stub_len = stub.len();
    Ok(Meta {
        warnings,
        language,
        languages,
        matrix: single("MATRIX"),
        title: single("TITLE"),
        contents: single("CONTENTS"),
        units: single("UNITS"),
        decimals,
        showdecimals,
        variables,
        stub_len,
        content_variable,
        content,
        keys,
        notes,
        symbols,
        keywords,
        charset,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::pcaxis::read_bytes;

    fn timeval(decl: &str) -> (Vec<String>, Vec<String>) {
        let text = format!(
            "STUB=\"r\";HEADING=\"t\";VALUES(\"r\")=\"a\";VALUES(\"t\")=\"2019\",\"2020\",\"2021\";TIMEVAL(\"t\")={decl};DATA=1 2 3;"
        );
        let t = read_bytes(text.as_bytes()).unwrap();
        (t.meta.variables[1].timeval.clone(), t.meta.warnings.clone())
    }

    #[test]
    fn every_timeval_form() {
        let want: Vec<String> = ["2019", "2020", "2021"].map(String::from).to_vec();
        for decl in [
            "TLIST(A1),\"2019\",\"2020\",\"2021\"",
            "TLIST(A1, \"2019\"-\"2021\")",
            "TLIST(A1),\"2019\"-\"2021\"",
            "TLIST(A1, \"2019-2021\")",
        ] {
            assert_eq!(timeval(decl), (want.clone(), vec![]), "{decl}");
        }
        let (_, warnings) = timeval("TLIST(A1),\"2019\"-\"2022\"");
        assert_eq!(warnings, ["TIMEVAL(\"t\") declares 4 periods but VALUES has 3; VALUES decides"]);
    }

    #[test]
    fn keys_without_a_stub_read_dense_and_never_index_past_the_cube() {
        let text = "HEADING=\"t\";VALUES(\"t\")=\"a\",\"b\";KEYS(\"t\")=VALUES;DATA=1 2 3;";
        let e = read_bytes(text.as_bytes()).unwrap_err();
        assert!(matches!(e.kind, PxErrorKind::CellCount { found: 3, expected: 2, .. }), "{e:?}");
        let ok = read_bytes(b"HEADING=\"t\";VALUES(\"t\")=\"a\",\"b\";KEYS(\"t\")=VALUES;DATA=1 2;").unwrap();
        assert_eq!(ok.data.values, [1.0, 2.0]);
    }

    #[test]
    fn ranges_expand_per_scale() {
        assert_eq!(
            timeval_values(TimeScale::Quarterly, "TLIST(Q1, \"20234\"-\"20242\")", &[], &[]),
            ["20234", "20241", "20242"]
        );
        assert_eq!(
            timeval_values(TimeScale::Monthly, "TLIST(M1, \"202311\"-\"202402\")", &[], &[]),
            ["202311", "202312", "202401", "202402"]
        );
        assert_eq!(
            timeval_values(TimeScale::Weekly, "TLIST(W1, \"202301\"-\"202352\")", &[], &[]),
            ["202301", "202352"]
        );
    }
}
