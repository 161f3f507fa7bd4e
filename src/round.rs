//! The benchmarking round: `round.toml` → a checked [`Round`] (DESIGN §2).
//!
//! Like ripgrep's low-level → high-level arguments: the file is first read into [`RoundFile`]
//! (serde, unknown keys refused so a typo never silently does nothing), then every field is
//! checked — org codes, one role per organisation, period range, formats, encodings, hints, input
//! files that exist — and *all* problems are returned at once, before any input is opened.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::error::{Location, Problem};
use crate::ingest::{ColumnHints, DecimalMark, Format, Input, InputHints, ReadOptions};
use crate::model::{OrgId, Period, Role, Sex, SexCodes, Unit};

/// A problem in the round file.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RoundError {
    #[error("cannot read the round file: {message}")]
    Io { message: String },
    #[error("{message}")]
    Toml { message: String },
    #[error("{found:?} is not an organisation code: {reason}")]
    BadOrg { found: String, reason: String },
    #[error("{org} is both {first} and {second}, expected one role per organisation")]
    TwoRoles { org: String, first: &'static str, second: &'static str },
    #[error(
        "found no participants, expected `participants = [\"…\", …]` with the organisations benchmarking each other"
    )]
    NoParticipants,
    #[error("{org} is a {role} but has no observations in any input, expected data for every organisation in a role")]
    NoData { org: String, role: &'static str },
    #[error("period {found:?} is not a period, expected a year (2023), 2023-Q1, 2023-01 or 2023-H1")]
    BadPeriod { found: String },
    #[error("periods run from {from} to {to}, expected `from` before or equal to `to` in one frequency")]
    PeriodRange { from: String, to: String },
    #[error("input file {found:?} does not exist (looked for {looked})")]
    MissingInput { found: String, looked: String },
    #[error("the same input file {found:?} is listed twice")]
    DuplicateInput { found: String },
    #[error("format {found:?} is unknown, expected one of {expected}")]
    UnknownFormat { found: String, expected: &'static str },
    #[error("encoding {found:?} is unknown, expected a label such as windows-1252, utf-8, iso-8859-1 or utf-16le")]
    UnknownEncoding { found: String },
    #[error("{key} = {found:?} is not allowed, expected {expected}")]
    BadValue { key: &'static str, found: String, expected: &'static str },
    #[error("language {found:?} is not supported, expected \"sv\" or \"en\"")]
    Language { found: String },
    #[error(
        "group {id:?} is not among the {known} Kolada municipality groups read, expected a group id from the inputs"
    )]
    UnknownGroup { id: String, known: usize },
}

/// `reference = …`: who the participants are compared with.
#[derive(Clone, Debug, PartialEq)]
pub enum Reference {
    /// Every organisation in the data that has no other role.
    All,
    /// These organisations.
    List(Vec<OrgId>),
    /// A file listing organisation codes (one per line, or a Kolada group file).
    File(PathBuf),
    /// A Kolada municipality group by id (`G35951`), resolved when Kolada metadata is read.
    Group(String),
}

/// The report language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Language {
    #[default]
    Sv,
    En,
}

/// A checked round.
#[derive(Clone, Debug)]
pub struct Round {
    pub path: PathBuf,
    pub name: String,
    pub language: Language,
    pub participants: Vec<OrgId>,
    /// `participants = { group = "G…" }`: the partner set is a Kolada group, resolved into
    /// `participants` by [`Round::resolve_groups`] once the inputs are read.
    pub participant_group: Option<String>,
    pub mentors: Vec<OrgId>,
    pub reference: Reference,
    pub periods: Option<(Period, Period)>,
    pub indicators: Vec<String>,
    pub min_count: u32,
    pub inputs: Vec<Input>,
    /// Where each role organisation is written in the file, to point at it later.
    org_locations: Vec<(OrgId, Role, Location)>,
    /// Where each `{ group = … }` is written.
    group_locations: Vec<(String, Location)>,
}

impl Round {
    /// The role of an organisation in this round.
    pub fn role_of(&self, org: &str) -> Role {
        if self.participants.iter().any(|o| o.as_str() == org) {
            Role::Participant
        } else if self.mentors.iter().any(|o| o.as_str() == org) {
            Role::Mentor
        } else {
            Role::Reference
        }
    }

    /// Replaces Kolada group ids by their members (`lookup` gives a group's member codes;
    /// `known` is how many groups the inputs held, for the message). A participant group's
    /// members become participants (each one role: a mentor in the group is an error); a
    /// reference group becomes the reference list.
    pub fn resolve_groups(
        &mut self,
        lookup: impl Fn(&str) -> Option<Vec<String>>,
        known: usize,
    ) -> Vec<Problem<RoundError>> {
        let mut problems = Vec::new();
        let at = |id: &str| {
            self.group_locations.iter().find(|(g, _)| g == id).map_or_else(|| Location::file(""), |(_, l)| l.clone())
        };
        let unknown = |id: &str, problems: &mut Vec<Problem<RoundError>>| {
            let hint = "add the municipality groups file (Kolada /v3/municipality_groups) as an [[input]] with format = \"kolada\"";
            problems.push(
                Problem::new(at(id), RoundError::UnknownGroup { id: id.into(), known }).with_hint(Some(hint.into())),
            );
        };
        let codes = |members: Vec<String>, loc: &Location, problems: &mut Vec<Problem<RoundError>>| -> Vec<OrgId> {
            let mut out = Vec::new();
            for m in members {
                match OrgId::new(&m) {
                    Ok(org) => out.push(org),
                    Err(e) => {
                        problems.push(Problem::new(loc.clone(), RoundError::BadOrg { found: m, reason: e.to_string() }))
                    }
                }
            }
            out
        };
        if let Some(id) = self.participant_group.clone() {
            match lookup(&id) {
                None => unknown(&id, &mut problems),
                Some(members) => {
                    let loc = at(&id);
                    for org in codes(members, &loc, &mut problems) {
                        if self.mentors.contains(&org) {
                            let kind =
                                RoundError::TwoRoles { org: org.to_string(), first: "participant", second: "mentor" };
                            problems.push(Problem::new(loc.clone(), kind));
                        } else if !self.participants.contains(&org) {
                            self.org_locations.push((org.clone(), Role::Participant, loc.clone()));
                            self.participants.push(org);
                        }
                    }
                }
            }
        }
        if let Reference::Group(id) = &self.reference {
            let id = id.clone();
            match lookup(&id) {
                None => unknown(&id, &mut problems),
                Some(members) => self.reference = Reference::List(codes(members, &at(&id), &mut problems)),
            }
        }
        problems
    }

    /// Organisations in roles that have no observations (checked once the inputs are read).
    pub fn check_orgs<'a>(&self, present: impl Fn(&str) -> bool + 'a) -> Vec<Problem<RoundError>> {
        self.org_locations
            .iter()
            .filter(|(org, _, _)| !present(org.as_str()))
            .map(|(org, role, loc)| {
                Problem::new(loc.clone(), RoundError::NoData { org: org.to_string(), role: role.name() })
                    .with_hint(Some(
                    "check the code against the inputs (leading zeros, X-prefixed ids), or add the input that holds it"
                        .into(),
                ))
            })
            .collect()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RoundFile {
    name: Option<String>,
    language: Option<Spanned<String>>,
    participants: Option<Spanned<ParticipantsFile>>,
    #[serde(default)]
    mentors: Vec<Spanned<String>>,
    mentor: Option<Spanned<String>>,
    reference: Option<Spanned<ReferenceFile>>,
    periods: Option<Spanned<PeriodsFile>>,
    indicators: Option<Vec<String>>,
    disclosure: Option<DisclosureFile>,
    #[serde(default, rename = "input")]
    inputs: Vec<InputFile>,
}

/// `participants = ["X0101", …]` or `participants = { group = "G…" }`. Deserialised by hand so
/// that each code keeps its position (serde's untagged enums lose inner spans).
enum ParticipantsFile {
    List(Vec<Spanned<String>>),
    Group(String),
}

impl<'de> Deserialize<'de> for ParticipantsFile {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<ParticipantsFile, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = ParticipantsFile;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of organisation codes or { group = \"G…\" }")
            }

            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<ParticipantsFile, A::Error> {
                let mut list = Vec::new();
                while let Some(code) = seq.next_element::<Spanned<String>>()? {
                    list.push(code);
                }
                Ok(ParticipantsFile::List(list))
            }

            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<ParticipantsFile, A::Error> {
                use serde::de::Error;
                let mut group = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "group" {
                        return Err(A::Error::unknown_field(&key, &["group"]));
                    }
                    group = Some(map.next_value::<String>()?);
                }
                group.map(ParticipantsFile::Group).ok_or_else(|| A::Error::missing_field("group"))
            }
        }
        d.deserialize_any(Visit)
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ReferenceFile {
    Text(String),
    List(Vec<String>),
    Group { group: String },
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PeriodsFile {
    from: Spanned<String>,
    to: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DisclosureFile {
    min_count: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct InputFile {
    path: Spanned<String>,
    format: Option<Spanned<String>>,
    encoding: Option<Spanned<String>>,
    delimiter: Option<Spanned<String>>,
    decimal: Option<Spanned<String>>,
    sheet: Option<String>,
    columns: Option<ColumnsFile>,
    sex_codes: Option<Spanned<String>>,
    #[serde(default)]
    pad_org_codes: bool,
    variable: Option<String>,
    unit: Option<String>,
    sex: Option<Spanned<String>>,
    period: Option<Spanned<String>>,
    #[serde(default)]
    select: BTreeMap<String, String>,
    table: Option<String>,
    #[serde(default)]
    unique: Vec<String>,
    #[serde(default)]
    signed: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ColumnsFile {
    org: Option<String>,
    org_name: Option<String>,
    period: Option<String>,
    sex: Option<String>,
    variable: Option<String>,
    value: Option<String>,
    age: Option<String>,
}

/// Byte span → 1-based line and column (in characters).
struct Spans<'a> {
    text: &'a str,
    source: String,
}

impl Spans<'_> {
    fn at(&self, span: Range<usize>) -> Location {
        crate::error::text_location(self.source.clone(), self.text, span.start)
    }
}

type Problems = Vec<Problem<RoundError>>;

/// Reads and checks a round file. Every problem is returned, none is fatal before the end.
pub fn load(path: &Path) -> Result<Round, Problems> {
    let source = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|e| vec![Problem::new(Location::file(source.clone()), RoundError::Io { message: e.to_string() })])?;
    parse(&text, path)
}

/// Checks round-file text; `path` resolves relative input paths and names the file in errors.
pub fn parse(text: &str, path: &Path) -> Result<Round, Problems> {
    let spans = Spans { text, source: path.display().to_string() };
    let file: RoundFile = toml::from_str(text).map_err(|e| {
        let loc = e.span().map_or_else(|| Location::file(spans.source.clone()), |s| spans.at(s));
        vec![Problem::new(loc, RoundError::Toml { message: e.message().trim().to_string() })]
    })?;
    let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
    let mut problems = Vec::new();
    let mut problem = |span: Range<usize>, kind: RoundError, hint: Option<String>| {
        problems.push(Problem::new(spans.at(span), kind).with_hint(hint));
    };

    let language = match file.language.as_ref().map(|l| (l.get_ref().as_str(), l.span())) {
        None | Some(("sv", _)) => Language::Sv,
        Some(("en", _)) => Language::En,
        Some((other, span)) => {
            problem(span, RoundError::Language { found: other.to_string() }, None);
            Language::Sv
        }
    };

    // Roles: one per organisation.
    let mut org_locations: Vec<(OrgId, Role, Location)> = Vec::new();
    let mut roles: Vec<(String, Role)> = Vec::new();
    let mut take_org = |s: &Spanned<String>,
                        role: Role,
                        problem: &mut dyn FnMut(Range<usize>, RoundError, Option<String>)| {
        match OrgId::new(s.get_ref()) {
            Ok(org) => {
                if let Some((_, first)) = roles.iter().find(|(o, _)| o == org.as_str()) {
                    let kind = RoundError::TwoRoles { org: org.to_string(), first: first.name(), second: role.name() };
                    problem(s.span(), kind, None);
                    return None;
                }
                roles.push((org.to_string(), role));
                org_locations.push((org.clone(), role, spans.at(s.span())));
                Some(org)
            }
            Err(e) => {
                problem(s.span(), RoundError::BadOrg { found: s.get_ref().clone(), reason: e.to_string() }, None);
                None
            }
        }
    };
    let mut group_locations = Vec::new();
    let (participants, participant_group) = match file.participants.as_ref().map(|p| (p.get_ref(), p.span())) {
        None => (Vec::new(), None),
        Some((ParticipantsFile::List(list), _)) => {
            (list.iter().filter_map(|s| take_org(s, Role::Participant, &mut problem)).collect(), None)
        }
        Some((ParticipantsFile::Group(id), span)) => {
            group_locations.push((id.clone(), spans.at(span)));
            (Vec::new(), Some(id.clone()))
        }
    };
    let mentors: Vec<OrgId> =
        file.mentors.iter().chain(file.mentor.iter()).filter_map(|s| take_org(s, Role::Mentor, &mut problem)).collect();
    let reference = match file.reference.as_ref().map(|r| (r.get_ref(), r.span())) {
        None => Reference::All,
        Some((ReferenceFile::Text(t), _)) if t == "all" => Reference::All,
        Some((ReferenceFile::Text(t), span)) => {
            let p = dir.join(t);
            if !p.exists() {
                let kind = RoundError::MissingInput { found: t.clone(), looked: p.display().to_string() };
                problem(
                    span,
                    kind,
                    Some("reference is \"all\", a list of codes, { group = \"G…\" } or a file of codes".into()),
                );
            }
            Reference::File(p)
        }
        Some((ReferenceFile::List(list), span)) => {
            // serde's untagged enums lose inner spans: point at the list.
            let list: Vec<Spanned<String>> = list.iter().map(|s| Spanned::new(span.clone(), s.clone())).collect();
            Reference::List(list.iter().filter_map(|s| take_org(s, Role::Reference, &mut problem)).collect())
        }
        Some((ReferenceFile::Group { group }, span)) => {
            group_locations.push((group.clone(), spans.at(span)));
            Reference::Group(group.clone())
        }
    };

    let periods = file.periods.as_ref().and_then(|p| {
        let parse = |s: &Spanned<String>, problem: &mut dyn FnMut(Range<usize>, RoundError, Option<String>)| {
            s.get_ref()
                .parse::<Period>()
                .map_err(|_| problem(s.span(), RoundError::BadPeriod { found: s.get_ref().clone() }, None))
                .ok()
        };
        let (from, to) = (parse(&p.get_ref().from, &mut problem), parse(&p.get_ref().to, &mut problem));
        let (from, to) = (from?, to?);
        if from.frequency() != to.frequency() || from > to {
            problem(p.span(), RoundError::PeriodRange { from: from.to_string(), to: to.to_string() }, None);
            return None;
        }
        Some((from, to))
    });

    let min_count = match file.disclosure.as_ref().and_then(|d| d.min_count.as_ref()) {
        None => 5,
        Some(m) if (1..=1000).contains(m.get_ref()) => *m.get_ref() as u32,
        Some(m) => {
            let kind = RoundError::BadValue {
                key: "min_count",
                found: m.get_ref().to_string(),
                expected: "a count from 1 to 1000",
            };
            problem(m.span(), kind, None);
            5
        }
    };

    let mut inputs = Vec::new();
    for input in &file.inputs {
        if let Some(i) = check_input(input, &dir, &mut problem) {
            // Two sheets of one workbook, or two `select`s of one PX cube, are two inputs.
            let same = |o: &Input| {
                o.path == i.path && o.hints.read.sheet == i.hints.read.sheet && o.hints.select == i.hints.select
            };
            if inputs.iter().any(same) {
                problem(input.path.span(), RoundError::DuplicateInput { found: input.path.get_ref().clone() }, None);
            }
            inputs.push(i);
        }
    }

    if participants.is_empty() && participant_group.is_none() {
        problems.push(Problem::new(Location::file(spans.source.clone()), RoundError::NoParticipants));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Round {
        path: path.to_path_buf(),
        name: file.name.unwrap_or_else(|| "Benchmarking round".to_string()),
        language,
        participants,
        participant_group,
        mentors,
        reference,
        periods,
        indicators: file.indicators.unwrap_or_else(|| vec!["*".to_string()]),
        min_count,
        inputs,
        org_locations,
        group_locations,
    })
}

fn check_input(
    f: &InputFile,
    dir: &Path,
    problem: &mut dyn FnMut(Range<usize>, RoundError, Option<String>),
) -> Option<Input> {
    let mut ok = true;
    let mut fail = |span, kind, hint: Option<&str>| {
        ok = false;
        problem(span, kind, hint.map(str::to_string));
    };
    let rel = f.path.get_ref();
    let path = dir.join(rel);
    if !path.is_file() {
        let kind = RoundError::MissingInput { found: rel.clone(), looked: path.display().to_string() };
        fail(f.path.span(), kind, Some("input paths are relative to the round file"));
    }
    let format = f.format.as_ref().and_then(|s| {
        let parsed = Format::parse(s.get_ref());
        if parsed.is_none() {
            fail(s.span(), RoundError::UnknownFormat { found: s.get_ref().clone(), expected: Format::NAMES }, None);
        }
        parsed
    });
    let encoding = f.encoding.as_ref().and_then(|s| {
        let e = encoding_rs::Encoding::for_label(s.get_ref().trim().as_bytes());
        if e.is_none() {
            fail(s.span(), RoundError::UnknownEncoding { found: s.get_ref().clone() }, None);
        }
        e
    });
    let delimiter = f.delimiter.as_ref().and_then(|s| match s.get_ref().as_str() {
        ";" => Some(b';'),
        "," => Some(b','),
        "\t" | "tab" | "\\t" => Some(b'\t'),
        "|" => Some(b'|'),
        other => {
            let kind = RoundError::BadValue {
                key: "delimiter",
                found: other.to_string(),
                expected: "\";\", \",\", \"|\" or \"tab\"",
            };
            fail(s.span(), kind, None);
            None
        }
    });
    let decimal = f.decimal.as_ref().and_then(|s| match s.get_ref().as_str() {
        "," => Some(DecimalMark::Comma),
        "." => Some(DecimalMark::Point),
        other => {
            fail(
                s.span(),
                RoundError::BadValue { key: "decimal", found: other.to_string(), expected: "\",\" or \".\"" },
                None,
            );
            None
        }
    });
    let sex_codes = match f.sex_codes.as_ref().map(|s| (s.get_ref().as_str(), s.span())) {
        None | Some(("standard", _)) => SexCodes::Standard,
        Some(("scb", _)) => SexCodes::Scb,
        Some((other, span)) => {
            fail(
                span,
                RoundError::BadValue {
                    key: "sex_codes",
                    found: other.to_string(),
                    expected: "\"scb\" or \"standard\"",
                },
                None,
            );
            SexCodes::Standard
        }
    };
    let sex = f.sex.as_ref().and_then(|s| {
        let parsed = Sex::from_word(s.get_ref());
        if parsed.is_none() {
            fail(
                s.span(),
                RoundError::BadValue { key: "sex", found: s.get_ref().clone(), expected: "\"K\", \"M\" or \"T\"" },
                None,
            );
        }
        parsed
    });
    let period = f.period.as_ref().and_then(|s| {
        let parsed = s.get_ref().parse::<Period>().ok();
        if parsed.is_none() {
            fail(s.span(), RoundError::BadPeriod { found: s.get_ref().clone() }, None);
        }
        parsed
    });
    let columns = f.columns.as_ref().map_or_else(ColumnHints::default, |c| ColumnHints {
        org: c.org.clone(),
        org_name: c.org_name.clone(),
        period: c.period.clone(),
        sex: c.sex.clone(),
        variable: c.variable.clone(),
        value: c.value.clone(),
        age: c.age.clone(),
    });
    let hints = InputHints {
        format,
        read: ReadOptions { encoding, delimiter, decimal, sheet: f.sheet.clone() },
        columns,
        sex_codes,
        pad_org_codes: f.pad_org_codes,
        variable: f.variable.clone(),
        unit: f.unit.as_deref().map(|u| u.parse::<Unit>().unwrap_or(Unit::Unspecified)),
        sex,
        period,
        select: f.select.clone(),
        table: f.table.clone(),
        unique: f.unique.clone(),
        signed: f.signed.clone(),
    };
    ok.then(|| Input { path, source: rel.clone(), hints })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        parse(text, Path::new("/nonexistent/round.toml")).unwrap_err().iter().map(ToString::to_string).collect()
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let text = r#"
participants = ["X0101", "X0102"]
mentors = ["X0101"]
periods = { from = "2024", to = "2016" }

[[input]]
path = "missing.csv"
format = "pdf"
"#;
        let p = problems(text);
        assert_eq!(p.len(), 4, "{p:#?}");
        assert!(p[0].starts_with("/nonexistent/round.toml:3:12: X0101 is both participant and mentor"), "{}", p[0]);
        assert!(p[1].starts_with("/nonexistent/round.toml:4:11: periods run from 2024 to 2016"), "{}", p[1]);
        assert!(p[2].contains(":7:8: input file \"missing.csv\" does not exist"), "{}", p[2]);
        assert!(p[3].contains(":8:10: format \"pdf\" is unknown"), "{}", p[3]);
    }

    #[test]
    fn one_file_twice_is_refused_but_two_sheets_of_it_are_two_inputs() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.xlsx"), b"").unwrap();
        let round = dir.path().join("round.toml");
        let input = |sheet: &str| format!("[[input]]\npath = \"b.xlsx\"\nsheet = \"{sheet}\"\n");
        let two = format!("participants = [\"X1\"]\n{}{}", input("Mottagare"), input("Långvarigt"));
        assert_eq!(parse(&two, &round).unwrap().inputs.len(), 2);
        let same = format!("participants = [\"X1\"]\n{}{}", input("Mottagare"), input("Mottagare"));
        let p: Vec<String> = parse(&same, &round).unwrap_err().iter().map(ToString::to_string).collect();
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].ends_with("the same input file \"b.xlsx\" is listed twice"), "{}", p[0]);
    }

    #[test]
    fn unknown_keys_are_refused_with_their_position() {
        let p = problems("participants = [\"X1\"]\nmentros = [\"X2\"]\n");
        assert_eq!(p.len(), 1);
        assert!(p[0].starts_with("/nonexistent/round.toml:2:1: unknown field `mentros`"), "{}", p[0]);
    }

    #[test]
    fn kolada_groups_become_partners_and_reference() {
        let text = "participants = { group = \"GX1\" }\nmentors = [\"X3\"]\nreference = { group = \"GX2\" }\n";
        let mut r = parse(text, Path::new("r.toml")).unwrap();
        assert_eq!(r.participant_group.as_deref(), Some("GX1"));
        let groups = |id: &str| match id {
            "GX1" => Some(vec!["X1".to_string(), "X2".to_string()]),
            "GX2" => Some(vec!["X4".to_string(), "X5".to_string()]),
            _ => None,
        };
        assert!(r.resolve_groups(groups, 2).is_empty());
        assert_eq!(r.role_of("X2"), Role::Participant);
        assert_eq!(r.reference, Reference::List(vec![OrgId::new("X4").unwrap(), OrgId::new("X5").unwrap()]));
        let mut r = parse("participants = { group = \"GX9\" }\nmentor = \"X1\"\n", Path::new("r.toml")).unwrap();
        let p = r.resolve_groups(groups, 2);
        assert_eq!(
            p[0].to_string(),
            "r.toml:1:16: group \"GX9\" is not among the 2 Kolada municipality groups read, expected a group id from the inputs"
        );
        let mut r = parse("participants = { group = \"GX1\" }\nmentor = \"X1\"\n", Path::new("r.toml")).unwrap();
        assert_eq!(
            r.resolve_groups(groups, 2)[0].to_string(),
            "r.toml:1:16: X1 is both participant and mentor, expected one role per organisation"
        );
        assert!(problems("participants = { gruop = \"G1\" }\n")[0].contains("unknown field `gruop`"));
    }

    #[test]
    fn roles() {
        let r = parse("participants = [\"X1\", \"X2\"]\nmentor = \"X3\"\nreference = [\"X4\"]\n", Path::new("r.toml"))
            .unwrap();
        assert_eq!(r.role_of("X1"), Role::Participant);
        assert_eq!(r.role_of("X3"), Role::Mentor);
        assert_eq!(r.role_of("X9"), Role::Reference);
        assert_eq!(r.reference, Reference::List(vec![OrgId::new("X4").unwrap()]));
        let missing = r.check_orgs(|o| o != "X2");
        assert_eq!(missing.len(), 1);
        assert_eq!(
            missing[0].to_string(),
            "r.toml:1:23: X2 is a participant but has no observations in any input, expected data for every organisation in a role"
        );
    }
}
