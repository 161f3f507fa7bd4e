//! Kolada input (`format = "kolada"`): KPI values from the API (v2 or v3 envelopes, several
//! pages as several files or a folder), rKolada's flattened exports, and the metadata that goes
//! with them — municipality names, municipality groups ("Liknande kommuner") and the KPI
//! catalogue. See `../shared/KOLADA.md`.
//!
//! - [`json`]: lenient reading where Kolada varies, errors with the JSON path;
//! - [`document`]: one JSON document → values or metadata;
//! - [`catalogue`]: KPI search and indicator files for `jamfor catalogue`;
//! - this module: documents → observations (`variable` = the KPI id, `age_group` = `all`), and
//!   metadata into the session for names, round groups and `jamfor catalogue`.
//!
//! Sex as Kolada publishes it: a split KPI gives `T`, `K`, `M` rows; a paired KPI (one per sex,
//! such as N00950/N00949) gives `T` rows under each id, and the indicator catalogue binds them.
//! `T` is never derived here: Kolada's KPIs are mostly rates and medians.

pub mod catalogue;
pub mod document;
pub mod json;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

pub use document::{Document, Group, KoladaValue, Kpi, Municipality};

use super::error::IngestError;
use super::options::Input;
use super::{FileReport, Session};
use crate::error::Location;
use crate::model::observations::{FxBuild, NO_NAME, RowIds};
use crate::model::{Sex, Status};

/// What Kolada says the data is, for the report's source lines: raw values carry `raw`,
/// anything jamfor computed from them `processed` (Kolada's terms forbid naming Kolada as the
/// source of processed data).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Attribution {
    pub raw: &'static str,
    pub processed: &'static str,
}

pub const ATTRIBUTION: Attribution =
    Attribution { raw: "Källa: Kolada", processed: "Egen bearbetning av data från Kolada" };

/// Kolada metadata met among the inputs.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KoladaMeta {
    /// Organisation names by id, from municipality lists (and rKolada's flat rows).
    pub names: BTreeMap<String, String>,
    pub groups: Vec<Group>,
    pub kpis: Vec<Kpi>,
}

impl KoladaMeta {
    pub fn group(&self, id: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.id == id)
    }
}

/// The files of an input: the file itself, or every `.json` in a folder, in name order (pages).
fn files(input: &Input) -> std::io::Result<Vec<(PathBuf, String)>> {
    if !input.path.is_dir() {
        return Ok(vec![(input.path.clone(), input.source.clone())]);
    }
    let mut found: Vec<PathBuf> = std::fs::read_dir(&input.path)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e.eq_ignore_ascii_case("json")))
        .collect();
    found.sort();
    let source = |p: &Path| {
        format!("{}/{}", input.source.trim_end_matches('/'), p.file_name().unwrap_or_default().to_string_lossy())
    };
    Ok(found.into_iter().map(|p| (p.clone(), source(&p))).collect())
}

/// Reads one Kolada input (a file or a folder of pages) into the session.
pub fn read(input: &Input, session: &mut Session, report: &mut FileReport) {
    let files = match files(input) {
        Ok(f) if f.is_empty() => {
            let kind = IngestError::Invalid {
                found: "a folder with no .json files".into(),
                expected: "Kolada JSON pages".into(),
            };
            return report.problems.add(Location::file(input.source.clone()), kind);
        }
        Ok(f) => f,
        Err(e) => {
            return report
                .problems
                .add(Location::file(input.source.clone()), IngestError::Io { message: e.to_string() });
        }
    };
    // One key per published value over all pages: overlapping pulls must not double a value.
    let mut seen: HashMap<SeenKey, Seen, FxBuild> = HashMap::default();
    for (path, source) in &files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                report.problems.add(Location::file(source.clone()), IngestError::Io { message: e.to_string() });
                continue;
            }
        };
        let doc: serde_json::Value = match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                let loc = Location::at(source.clone(), e.line() as u32, Some(e.column() as u32));
                let message = e.to_string();
                let message = message.rfind(" at line ").map_or(message.as_str(), |i| &message[..i]).to_string();
                report.problems.add(loc, IngestError::Json { message });
                continue;
            }
        };
        let mut refusals = Vec::new();
        let parsed = document::parse(&doc, &mut refusals);
        for r in refusals {
            report.problems.add(
                Location::file(source.clone()),
                IngestError::JsonValue { path: r.path, found: r.found, expected: r.expected },
            );
        }
        let docs = match parsed {
            Ok(d) => d,
            Err(r) => {
                let kind = IngestError::JsonValue { path: r.path, found: r.found, expected: r.expected };
                report.problems.add(Location::file(source.clone()), kind);
                continue;
            }
        };
        let details: Vec<String> = docs.into_iter().map(|doc| take(doc, source, session, report, &mut seen)).collect();
        let detail = details.join("; ");
        report.details.push(if files.len() > 1 { format!("{source}: {detail}") } else { detail });
    }
}

/// Takes in one document: values become observations, metadata goes to the session. Returns
/// the line for the summary.
fn take(
    doc: Document,
    source: &str,
    session: &mut Session,
    report: &mut FileReport,
    seen: &mut HashMap<SeenKey, Seen, FxBuild>,
) -> String {
    match doc {
        Document::Values(v) => values(v, source, session, report, seen),
        Document::Municipalities(list) => {
            let n = list.len();
            session.kolada.names.extend(list.into_iter().map(|m| (m.id, m.title)));
            format!("{n} municipalities and regions (names for org ids)")
        }
        Document::Groups(groups) => {
            let n = groups.len();
            session.kolada.groups.extend(groups);
            format!("{n} municipality groups (usable as `reference = {{ group = \"G…\" }}` in round.toml)")
        }
        Document::Kpis(kpis) => {
            let split = kpis.iter().filter(|k| k.divided_by_gender).count();
            let n = kpis.len();
            session.kolada.kpis.extend(kpis);
            format!("KPI catalogue: {n} KPIs, {split} divided by gender")
        }
    }
}

/// A published value's identity over all pages of an input: KPI, organisation and period as
/// interned ids, and the sex.
type SeenKey = (u32, u32, u32, Sex);

/// Where a value was read (its source interned), for the message when it comes again.
#[derive(Clone, Copy)]
struct Seen {
    source: u32,
    item: usize,
    sub: Option<usize>,
    /// rKolada's top-level array of flat rows.
    flat: bool,
}

impl Seen {
    fn path(self) -> String {
        match (self.sub, self.flat) {
            (Some(j), _) => format!("values[{}].values[{j}]", self.item),
            (None, true) => format!("[{}]", self.item),
            (None, false) => format!("values[{}]", self.item),
        }
    }
}

/// Values → observations; returns the line for the summary.
fn values(
    v: document::Values,
    source: &str,
    session: &mut Session,
    report: &mut FileReport,
    seen: &mut HashMap<SeenKey, Seen, FxBuild>,
) -> String {
    let b = &mut session.builder;
    let source_id = b.sources.intern(source);
    let all = b.ages.intern("all");
    let unit = session.unit;
    let mut missing = 0;
    b.reserve(v.values.len());
    // Pages run by KPI, then organisation, then year: each string is interned once per run.
    let mut last_period: Option<(crate::model::Period, u32)> = None;
    for x in &v.values {
        let here = Seen { source: source_id, item: x.item, sub: x.sub, flat: v.shape == "rKolada" };
        let period = match last_period {
            Some((p, id)) if p == x.period => id,
            _ => {
                let id = b.periods.intern(&x.period.to_string());
                last_period = Some((x.period, id));
                id
            }
        };
        let (org, variable) = (b.orgs.intern(x.org.as_str()), b.variables.intern(&x.kpi));
        let key = (variable, org, period, x.sex);
        if let Some(first) = seen.get(&key) {
            let first = format!("{} {}", b.sources.get(first.source), first.path());
            let kind = IngestError::JsonValue {
                path: here.path(),
                found: format!(
                    "{} {} {} {} a second time (first at {first})",
                    x.kpi,
                    x.org.as_str(),
                    x.period,
                    x.sex.code()
                ),
                expected: "each KPI, unit, year and gender once over all pages".into(),
            };
            report.problems.add(Location::file(source.to_string()), kind);
            continue;
        }
        seen.insert(key, here);
        if let Some(name) = &x.org_name {
            session.kolada.names.entry(x.org.as_str().to_string()).or_insert_with(|| name.clone());
        }
        let ids = RowIds {
            source: source_id,
            row: u32::try_from(x.item + 1).unwrap_or(u32::MAX),
            org,
            name: x.org_name.as_deref().map_or(NO_NAME, |n| b.names.intern(n)),
            period,
            variable,
            sex: x.sex,
            age: all,
            unit,
        };
        // A null is missing; Kolada's own status string is opaque and reported, not mapped.
        let status = x.value.is_none().then_some(Status::Missing);
        missing += usize::from(x.value.is_none());
        b.push(ids, x.value, status);
    }
    report.rows += v.values.len() + v.deleted;
    report.empty_values += missing;
    let mut line = format!("Kolada values ({}): {} values", v.shape, v.values.len());
    if missing > 0 {
        line.push_str(&format!(", {missing} null (missing)"));
    }
    if v.deleted > 0 {
        line.push_str(&format!(", {} marked deleted and dropped", v.deleted));
    }
    if !v.statuses.is_empty() {
        let st: Vec<String> = v.statuses.iter().map(|(s, n)| format!("{s:?} × {n}")).collect();
        line.push_str(&format!(", status strings kept as reported: {}", st.join(", ")));
    }
    if let Some(next) = &v.next_page {
        line.push_str(&format!("; the response says more pages follow ({next}): add them as inputs"));
    }
    line
}

/// Fills organisation names from Kolada municipality lists where a row has none.
pub(crate) fn fill_names(session: &mut Session) {
    let b = &mut session.builder;
    if session.kolada.names.is_empty() {
        return;
    }
    let by_org: Vec<u32> = (0..b.orgs.len() as u32)
        .map(|o| session.kolada.names.get(b.orgs.get(o)).map_or(NO_NAME, |n| b.names.intern(n)))
        .collect();
    for i in 0..b.len() {
        if b.name[i] == NO_NAME {
            b.name[i] = by_org[b.org[i] as usize];
        }
    }
}
