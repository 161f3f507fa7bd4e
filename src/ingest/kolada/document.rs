//! One Kolada JSON document → what it holds: values, municipalities, municipality groups or
//! KPIs (KOLADA.md §1). The kind is told by the fields of its items, so API responses (v2's
//! `next_page`, v3's `next_url` envelopes) and rKolada's flattened exports read alike.
//!
//! Values are read as published: `T` is never computed from `K` and `M`, a `null` stays
//! missing (also when only one sex is null), and deleted values are dropped and counted.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::json::{self, Path, Refusal};
use crate::model::{OrgId, Period, Sex};

/// A published value: one KPI, unit, year and sex.
#[derive(Clone, Debug, PartialEq)]
pub struct KoladaValue {
    pub kpi: String,
    pub org: OrgId,
    /// rKolada's flat rows carry the name; API rows do not.
    pub org_name: Option<String>,
    pub period: Period,
    pub sex: Sex,
    pub value: Option<f64>,
    /// Kolada's `status`, kept as the opaque string it is ("" in every real row seen).
    pub status: String,
    /// Where it is: `values[i]` and, for API rows, `.values[j]`.
    pub item: usize,
    pub sub: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Municipality {
    pub id: String,
    pub title: String,
    /// `K` municipality, `L` region (and Riket, `0000`).
    pub kind: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    pub id: String,
    pub title: String,
    pub members: Vec<(String, String)>,
}

/// A KPI from the catalogue (`/kpi`, or rKolada's `v3_kpi_catalog.json`).
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Kpi {
    pub id: String,
    pub title: String,
    pub description: Option<String>,
    /// `is_divided_by_gender`: Kolada's "hint that there may be data on all genders".
    pub divided_by_gender: bool,
    pub municipality_type: Option<String>,
    pub operating_area: Option<String>,
    pub perspective: Option<String>,
}

/// What a document holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Document {
    Values(Values),
    Municipalities(Vec<Municipality>),
    Groups(Vec<Group>),
    Kpis(Vec<Kpi>),
}

/// Data rows, with what the summary reports about them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Values {
    pub values: Vec<KoladaValue>,
    /// Values marked `isdeleted`/`is_deleted` (row or value level), dropped.
    pub deleted: usize,
    /// Non-empty `status` strings and how often each was seen.
    pub statuses: BTreeMap<String, usize>,
    /// The envelope's link to the next page (`next_url` in v3, `next_page` in v2), when not empty.
    pub next_page: Option<String>,
    /// `v2`, `v3` (from the envelope's paging keys), or `rKolada` for flattened rows.
    pub shape: &'static str,
}

impl Document {
    pub fn kind(&self) -> &'static str {
        match self {
            Document::Values(_) => "values",
            Document::Municipalities(_) => "municipalities",
            Document::Groups(_) => "municipality groups",
            Document::Kpis(_) => "KPI catalogue",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Nested,
    Flat,
    Municipalities,
    Groups,
    Kpis,
}

fn kind_of(item: &Map<String, Value>) -> Option<Kind> {
    let has = |k: &str| item.contains_key(k);
    Some(if has("members") {
        Kind::Groups
    } else if has("is_divided_by_gender") || has("operating_area") || has("perspective") {
        Kind::Kpis
    } else if has("kpi") && has("values") {
        Kind::Nested
    } else if has("kpi") && has("gender") {
        Kind::Flat
    } else if has("id") && has("title") {
        Kind::Municipalities
    } else {
        return None;
    })
}

const WHAT: &str = "a Kolada response: an object with `values` (API v2/v3) or an array of values, \
                    municipalities, municipality groups or KPIs";

/// Parses a document into what it holds: usually one kind, but rKolada bundles (`values` beside
/// `kpi_filter`, `munic_grp_filter` …) hold several. `Err` when it is not a Kolada document at
/// all; otherwise every problem in its items goes to `problems` (capped by the caller).
pub fn parse(doc: &Value, problems: &mut Vec<Refusal>) -> Result<Vec<Document>, Refusal> {
    let root = Path::ROOT;
    match doc {
        Value::Object(o) if o.contains_key("values") => {
            let values_at = root.key("values");
            let link = |k: &str| o.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
            let shape = if o.contains_key("next_url") || o.contains_key("previous_url") { "v3" } else { "v2" };
            let next_page = link("next_url").or_else(|| link("next_page"));
            let mut docs =
                vec![items(json::array(o.get("values"), values_at)?, values_at, shape, next_page, problems)?];
            // Other arrays of Kolada objects beside `values` (unknown fields are ignored).
            for (key, v) in o {
                let Value::Array(list) = v else { continue };
                let known = list.first().and_then(Value::as_object).and_then(kind_of).is_some();
                if key != "values" && known {
                    let at = root.key(key);
                    docs.push(items(list, at, shape, None, problems)?);
                }
            }
            Ok(docs)
        }
        Value::Array(list) => Ok(vec![items(list, root, "array", None, problems)?]),
        other => Err(Refusal::new(root, Some(other), WHAT)),
    }
}

fn items(
    items: &[Value],
    at: Path<'_>,
    mut shape: &'static str,
    next_page: Option<String>,
    problems: &mut Vec<Refusal>,
) -> Result<Document, Refusal> {
    let Some(first) = items.first() else {
        return Ok(Document::Values(Values { next_page, shape, ..Values::default() }));
    };
    let first_at = at.index(0);
    let kind = kind_of(json::object(first, first_at, "an object")?)
        .ok_or_else(|| Refusal::new(first_at, Some(first), WHAT))?;
    if kind == Kind::Flat {
        // At the top level, or under `values` in one of rKolada's bundles (paths differ).
        shape = if shape == "array" { "rKolada" } else { "rKolada bundle" };
    }
    let mut out = Values { next_page, shape, ..Values::default() };
    let mut municipalities = Vec::new();
    let mut groups = Vec::new();
    let mut kpis = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let at = at.index(i);
        let result = json::object(item, at, "an object").and_then(|o| match kind {
            Kind::Nested => nested(o, at, i, &mut out, problems),
            Kind::Flat => flat(o, at, i, &mut out),
            Kind::Municipalities => municipality(o, at).map(|m| municipalities.push(m)),
            Kind::Groups => group(o, at).map(|g| groups.push(g)),
            Kind::Kpis => kpi(o, at).map(|k| kpis.push(k)),
        });
        if let Err(r) = result {
            problems.push(r);
        }
    }
    Ok(match kind {
        Kind::Nested | Kind::Flat => Document::Values(out),
        Kind::Municipalities => Document::Municipalities(municipalities),
        Kind::Groups => Document::Groups(groups),
        Kind::Kpis => Document::Kpis(kpis),
    })
}

fn org(obj: &Map<String, Value>, key: &str, at: Path<'_>) -> json::Result<OrgId> {
    match obj.get(key) {
        Some(Value::String(s)) => OrgId::new(s).map_err(|e| Refusal::new(at.key(key), obj.get(key), e.to_string())),
        other => Err(Refusal::new(
            at.key(key),
            other,
            "a code as a string, such as \"0180\" (a number loses the leading zero)",
        )),
    }
}

fn period(obj: &Map<String, Value>, key: &str, at: Path<'_>) -> json::Result<Period> {
    let text = json::number_or_string(obj, key, at)?;
    text.parse().map_err(|_| Refusal::new(at.key(key), obj.get(key), "a year such as 2023"))
}

/// Kolada's genders are exactly T, K and M (the v2 documentation's `F` is a typo).
fn gender(obj: &Map<String, Value>, at: Path<'_>) -> json::Result<Sex> {
    match json::string(obj, "gender", at)? {
        "T" => Ok(Sex::T),
        "K" => Ok(Sex::K),
        "M" => Ok(Sex::M),
        _ => Err(Refusal::new(at.key("gender"), obj.get("gender"), "T, K or M")),
    }
}

fn deleted(obj: &Map<String, Value>, at: Path<'_>) -> json::Result<bool> {
    Ok(json::flag(obj, "isdeleted", at)?.or(json::flag(obj, "is_deleted", at)?).unwrap_or(false))
}

fn status(obj: &Map<String, Value>, at: Path<'_>, out: &mut Values) -> json::Result<String> {
    let status = json::opt_string(obj, "status", at)?.unwrap_or("").to_string();
    if !status.is_empty() {
        *out.statuses.entry(status.clone()).or_default() += 1;
    }
    Ok(status)
}

/// `{kpi, municipality | ou, period, values: [{gender, count, status, value, isdeleted}]}`.
fn nested(
    o: &Map<String, Value>,
    at: Path<'_>,
    i: usize,
    out: &mut Values,
    problems: &mut Vec<Refusal>,
) -> json::Result<()> {
    let kpi = json::string(o, "kpi", at)?;
    let org = if o.contains_key("ou") { org(o, "ou", at)? } else { org(o, "municipality", at)? };
    let period = period(o, "period", at)?;
    let row_deleted = deleted(o, at)?;
    let values_at = at.key("values");
    for (j, v) in json::array(o.get("values"), values_at)?.iter().enumerate() {
        let at = values_at.index(j);
        let mut one = || -> json::Result<()> {
            let v = json::object(v, at, "an object {gender, value, …}")?;
            let sex = gender(v, at)?;
            let value = json::opt_number(v, "value", at)?;
            let status = status(v, at, out)?;
            if row_deleted || deleted(v, at)? {
                out.deleted += 1;
                return Ok(());
            }
            let kpi = kpi.to_string();
            out.values.push(KoladaValue {
                kpi,
                org: org.clone(),
                org_name: None,
                period,
                sex,
                value,
                status,
                item: i,
                sub: Some(j),
            });
            Ok(())
        };
        if let Err(r) = one() {
            problems.push(r);
        }
    }
    Ok(())
}

/// rKolada's flat rows: `{gender, count, status, value, kpi, year, municipality_id, municipality}`.
fn flat(o: &Map<String, Value>, at: Path<'_>, i: usize, out: &mut Values) -> json::Result<()> {
    let kpi = json::string(o, "kpi", at)?.to_string();
    let (org, org_name) = if o.contains_key("municipality_id") {
        (org(o, "municipality_id", at)?, json::opt_string(o, "municipality", at)?.map(str::to_string))
    } else {
        (org(o, "municipality", at)?, None)
    };
    let period = period(o, if o.contains_key("year") { "year" } else { "period" }, at)?;
    let sex = gender(o, at)?;
    let value = json::opt_number(o, "value", at)?;
    let status = status(o, at, out)?;
    if deleted(o, at)? {
        out.deleted += 1;
        return Ok(());
    }
    out.values.push(KoladaValue { kpi, org, org_name, period, sex, value, status, item: i, sub: None });
    Ok(())
}

fn municipality(o: &Map<String, Value>, at: Path<'_>) -> json::Result<Municipality> {
    Ok(Municipality {
        id: json::string(o, "id", at)?.to_string(),
        title: json::string(o, "title", at)?.to_string(),
        kind: json::opt_string(o, "type", at)?.map(str::to_string),
    })
}

/// Members are `{id, title}` (v2) or `{member_id, member_title}` (v3).
fn group(o: &Map<String, Value>, at: Path<'_>) -> json::Result<Group> {
    let members_at = at.key("members");
    let mut members = Vec::new();
    for (j, m) in json::array(o.get("members"), members_at)?.iter().enumerate() {
        let at = members_at.index(j);
        let m = json::object(m, at, "an object {member_id, member_title}")?;
        let (id, title) = if m.contains_key("member_id") { ("member_id", "member_title") } else { ("id", "title") };
        members.push((json::string(m, id, at)?.to_string(), json::opt_string(m, title, at)?.unwrap_or("").to_string()));
    }
    Ok(Group { id: json::string(o, "id", at)?.to_string(), title: json::string(o, "title", at)?.to_string(), members })
}

fn kpi(o: &Map<String, Value>, at: Path<'_>) -> json::Result<Kpi> {
    let text = |k: &str| json::opt_string(o, k, at).map(|s| s.map(str::to_string));
    Ok(Kpi {
        id: json::string(o, "id", at)?.to_string(),
        title: json::string(o, "title", at)?.to_string(),
        description: text("description")?,
        divided_by_gender: json::flag(o, "is_divided_by_gender", at)?.unwrap_or(false),
        municipality_type: text("municipality_type")?,
        operating_area: text("operating_area")?,
        perspective: text("perspective")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_ok(text: &str) -> (Document, Vec<Refusal>) {
        let mut problems = Vec::new();
        let mut docs = parse(&serde_json::from_str(text).unwrap(), &mut problems).unwrap();
        (docs.remove(0), problems)
    }

    #[test]
    fn bundles_hold_several_kinds() {
        let doc = serde_json::json!({"kpi_filter": [{"id": "N1", "title": "t", "is_divided_by_gender": true}],
            "munic_grp_filter": [{"id": "G1", "title": "g", "members": []}], "other": [1, 2],
            "values": [{"gender": "T", "value": 1.5, "kpi": "N1", "year": 2020, "municipality_id": "X1"}]});
        let docs = parse(&doc, &mut Vec::new()).unwrap();
        assert_eq!(
            docs.iter().map(Document::kind).collect::<Vec<_>>(),
            ["values", "KPI catalogue", "municipality groups"]
        );
    }

    #[test]
    fn v3_rows_with_partial_suppression_stay_partial() {
        let (doc, problems) = parse_ok(
            r#"{"count": 1, "next_url": null, "values": [{"kpi": "N15507", "municipality": "X0761", "period": 2016,
                "values": [{"gender": "T", "count": 1, "status": "", "value": 212.5, "isdeleted": false},
                           {"gender": "K", "value": 230.1}, {"gender": "M", "value": null}]}]}"#,
        );
        assert!(problems.is_empty(), "{problems:?}");
        let Document::Values(v) = doc else { panic!("values") };
        assert_eq!(v.shape, "v3");
        let got: Vec<_> = v.values.iter().map(|x| (x.sex, x.value)).collect();
        assert_eq!(got, [(Sex::T, Some(212.5)), (Sex::K, Some(230.1)), (Sex::M, None)]);
    }

    #[test]
    fn deleted_values_are_dropped_and_counted_at_both_levels() {
        let (doc, _) = parse_ok(
            r#"{"values": [{"kpi": "N1", "municipality": "X1", "period": "2020", "is_deleted": 1,
                            "values": [{"gender": "T", "value": null}]},
                           {"kpi": "N1", "municipality": "X1", "period": "2021",
                            "values": [{"gender": "T", "value": null, "isdeleted": true}, {"gender": "K", "value": 3, "status": "X"}]}],
                "next_page": "http://api.kolada.se/v2/data/kpi/N1?page=2"}"#,
        );
        let Document::Values(v) = doc else { panic!("values") };
        assert_eq!((v.deleted, v.values.len(), v.shape), (2, 1, "v2"));
        assert_eq!(v.statuses.get("X"), Some(&1));
        assert!(v.next_page.is_some());
    }

    #[test]
    fn wrong_values_name_their_path() {
        let mut problems = Vec::new();
        let doc = serde_json::json!({"values": [{"kpi": "N1", "municipality": "X1", "period": 2020,
            "values": [{"gender": "T", "value": 1}, {"gender": "X", "value": 2}]},
            {"kpi": "N1", "municipality": 180, "period": 2020, "values": []}]});
        parse(&doc, &mut problems).unwrap();
        let texts: Vec<_> = problems.iter().map(|p| format!("{}: found {}", p.path, p.found)).collect();
        assert_eq!(texts, ["values[0].values[1].gender: found \"X\"", "values[1].municipality: found 180"]);
    }

    #[test]
    fn metadata_kinds_are_told_by_their_fields() {
        let (doc, _) = parse_ok(r#"[{"id": "X0001", "title": "Påhittad kommun", "type": "K"}]"#);
        assert!(matches!(doc, Document::Municipalities(m) if m[0].title == "Påhittad kommun"));
        let (doc, _) = parse_ok(
            r#"[{"id": "G1", "title": "Liknande", "members": [{"member_id": "X1", "member_title": "A"}]},
                {"id": "G2", "title": "v2", "members": [{"id": "X2", "title": "B"}]}]"#,
        );
        let Document::Groups(g) = doc else { panic!("groups") };
        assert_eq!((g[0].members[0].0.as_str(), g[1].members[0].0.as_str()), ("X1", "X2"));
        let (doc, _) = parse_ok(r#"{"values": [{"id": "N1", "title": "t", "is_divided_by_gender": 1}]}"#);
        assert!(matches!(doc, Document::Kpis(k) if k[0].divided_by_gender));
    }
}
