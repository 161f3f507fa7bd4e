//! The one file that turns a parsed PX table into observations (the reader itself knows nothing
//! of them). Which PX variable is the organisation, the sex, the period, the age band and the
//! measured variable is found from names and codes (`region`/`Region`, `kön`/`Kon`, `TIMEVAL` or
//! `tid`/`år`, `ålder`/`Alder`, `CONTVARIABLE`), or set with `columns = { … }` in `[[input]]`.
//! Any other variable must be fixed to one value with `select = { civilstånd = "totalt" }`:
//! jamfor never sums over a dimension silently. A variable with a single value is fixed already.

use super::error::IngestError;
use super::options::Input;
use super::pcaxis::{self, PxTable, Variable};
use super::{FileReport, Session};
use crate::error::{Location, Problem};
use crate::model::observations::{NO_NAME, RowIds};
use crate::model::{OrgId, Period, Sex, SexCodes, Unit, normalise_age};

/// What a PX variable is in the observation table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Org,
    Sex,
    Period,
    Age,
    Variable,
    /// Fixed to one value (by `select` or by having one value).
    Fixed(usize),
}

fn names(v: &Variable) -> impl Iterator<Item = String> + '_ {
    std::iter::once(v.labels.name.to_lowercase()).chain(v.code.iter().map(|c| c.to_lowercase()))
}

fn detect(v: &Variable, is_content: bool) -> Option<Role> {
    if is_content {
        return Some(Role::Variable);
    }
    if v.time.is_some() {
        return Some(Role::Period);
    }
    names(v).find_map(|n| {
        Some(match n.trim() {
            "region" | "kommun" | "län" | "lan" | "municipality" | "kommuner" | "regioner" | "organisation" => {
                Role::Org
            }
            "kön" | "kon" | "sex" | "gender" => Role::Sex,
            "tid" | "år" | "ar" | "year" | "period" | "time" => Role::Period,
            "ålder" | "alder" | "age" | "åldersgrupp" => Role::Age,
            _ => return None,
        })
    })
}

/// Reads one PX input into the session.
pub fn read(input: &Input, session: &mut Session, report: &mut FileReport) {
    let source = input.source.clone();
    let table = match pcaxis::read_path(&input.path) {
        Ok(t) => t,
        Err(e) => {
            let mut loc = Location::at(source.clone(), e.line, Some(e.column));
            if let Some(k) = &e.keyword {
                loc = loc.with_keyword(k.clone());
            }
            return report.problems.push(Problem::new(loc, IngestError::Px { message: e.kind.to_string() }));
        }
    };
    report.encoding = Some(super::decode::EncodingChoice {
        name: table.meta.charset.name.clone(),
        reason: table.meta.charset.reason.clone(),
    });
    if let Err(p) = shape(&table, input, session, report) {
        report.problems.push(*p);
    }
}

fn problem(source: &str, keyword: String, kind: IngestError, hint: Option<String>) -> Box<Problem<IngestError>> {
    Box::new(Problem::new(Location::file(source.to_string()).with_keyword(keyword), kind).with_hint(hint))
}

fn shape(
    t: &PxTable,
    input: &Input,
    session: &mut Session,
    report: &mut FileReport,
) -> Result<(), Box<Problem<IngestError>>> {
    let m = &t.meta;
    let source = input.source.as_str();
    let hints = &input.hints;
    let hinted =
        |v: &Variable, hint: &Option<String>| hint.as_deref().is_some_and(|h| names(v).any(|n| n == h.to_lowercase()));
    let mut roles: Vec<Option<Role>> = Vec::with_capacity(m.variables.len());
    for (i, v) in m.variables.iter().enumerate() {
        let c = &hints.columns;
        let role = if hinted(v, &c.org) {
            Some(Role::Org)
        } else if hinted(v, &c.sex) {
            Some(Role::Sex)
        } else if hinted(v, &c.period) {
            Some(Role::Period)
        } else if hinted(v, &c.age) {
            Some(Role::Age)
        } else if hinted(v, &c.variable) {
            Some(Role::Variable)
        } else if let Some((_, wanted)) = hints.select.iter().find(|(k, _)| names(v).any(|n| n == k.to_lowercase())) {
            let j = (0..v.len()).find(|&j| v.labels.values[j] == *wanted || v.value_id(j) == wanted);
            match j {
                Some(j) => Some(Role::Fixed(j)),
                None => {
                    let kind = IngestError::Invalid {
                        found: format!("select {:?} = {wanted:?}", v.labels.name),
                        expected: format!(
                            "one of the values of {:?}: {}",
                            v.labels.name,
                            v.labels.values.iter().take(8).map(|x| format!("{x:?}")).collect::<Vec<_>>().join(", ")
                        ),
                    };
                    return Err(problem(source, format!("VALUES({:?})", v.labels.name), kind, None));
                }
            }
        } else {
            detect(v, m.content_variable == Some(i)).or((v.len() == 1).then_some(Role::Fixed(0)))
        };
        roles.push(role);
    }
    // Variables that are none of the roles: refuse, naming them and their totals.
    let unplaced: Vec<usize> = (0..roles.len()).filter(|&i| roles[i].is_none()).collect();
    if !unplaced.is_empty() {
        let listed: Vec<String> = unplaced.iter().map(|&i| format!("{:?}", m.variables[i].labels.name)).collect();
        let suggestion: Vec<String> = unplaced
            .iter()
            .map(|&i| {
                let v = &m.variables[i];
                let total = match v.elimination {
                    Some(pcaxis::meta::Elimination::Value(j)) => v.labels.values[j].clone(),
                    _ => v.labels.values[0].clone(),
                };
                format!("{:?} = {total:?}", v.labels.name)
            })
            .collect();
        let kind = IngestError::Invalid {
            found: format!("variables {} that are not organisation, sex, period, age or contents", listed.join(", ")),
            expected: "each fixed to one value (jamfor never sums over a dimension)".into(),
        };
        let hint = Some(format!("fix them in this file's [[input]]: select = {{ {} }}", suggestion.join(", ")));
        return Err(problem(source, "STUB/HEADING".into(), kind, hint));
    }
    let find = |r: Role| roles.iter().position(|x| *x == Some(r));
    let Some(org_var) = find(Role::Org) else {
        let kind = IngestError::MissingColumn {
            role: "organisation",
            expected: "a PX variable named region, kommun or län (or columns = { org = \"…\" })",
        };
        return Err(problem(source, "STUB/HEADING".into(), kind, None));
    };
    let sex_var = find(Role::Sex);
    if sex_var.is_none() && hints.sex.is_none() {
        let kind = IngestError::MissingColumn {
            role: "sex",
            expected: "a PX variable named kön, Kon or sex, or `sex = \"T\"` for a table of totals",
        };
        return Err(problem(source, "STUB/HEADING".into(), kind, None));
    }
    let period_var = find(Role::Period);
    if period_var.is_none() && hints.period.is_none() {
        let kind =
            IngestError::MissingColumn { role: "period", expected: "a TIMEVAL variable or one named tid, år or year" };
        return Err(problem(source, "STUB/HEADING".into(), kind, None));
    }
    let content_var = find(Role::Variable);
    let age_var = find(Role::Age);

    // Per-value lookups, each parsed once.
    let b = &mut session.builder;
    let org_ids: Vec<(u32, u32)> = {
        let v = &m.variables[org_var];
        let mut out = Vec::with_capacity(v.len());
        for j in 0..v.len() {
            let code = v.value_id(j);
            let org =
                OrgId::new(code).map_err(|e| problem(source, format!("CODES({:?})", v.labels.name), e.into(), None))?;
            let label = v.labels.values[j].trim();
            let name = label.strip_prefix(code).map(str::trim).filter(|n| !n.is_empty()).unwrap_or(label);
            out.push((b.orgs.intern(org.as_str()), if name.is_empty() { NO_NAME } else { b.names.intern(name) }));
        }
        out
    };
    let sexes: Vec<Sex> = match sex_var {
        Some(s) => {
            let v = &m.variables[s];
            (0..v.len())
                .map(|j| {
                    Sex::parse(v.value_id(j), SexCodes::Scb)
                        .or_else(|_| Sex::parse(&v.labels.values[j], SexCodes::Standard))
                        .map_err(|e| problem(source, format!("VALUES({:?})", v.labels.name), e.into(), None))
                })
                .collect::<Result<_, _>>()?
        }
        None => vec![hints.sex.expect("checked above")],
    };
    let periods: Vec<u32> = match period_var {
        Some(p) => {
            let v = &m.variables[p];
            (0..v.len())
                .map(|j| {
                    let text = v.value_id(j);
                    let parsed = text.parse::<Period>().or_else(|_| px_period(text).ok_or(()));
                    match parsed {
                        Ok(p) => Ok(b.periods.intern(&p.to_string())),
                        Err(()) => {
                            let e = text.parse::<Period>().unwrap_err();
                            Err(problem(source, format!("VALUES({:?})", v.labels.name), e.into(), None))
                        }
                    }
                })
                .collect::<Result<_, _>>()?
        }
        None => vec![b.periods.intern(&hints.period.expect("checked above").to_string())],
    };
    let ages: Vec<u32> = match age_var {
        Some(a) => {
            let v = &m.variables[a];
            (0..v.len())
                .map(|j| {
                    let label = &v.labels.values[j];
                    normalise_age(v.value_id(j))
                        .or_else(|_| normalise_age(label))
                        .map(|a| b.ages.intern(&a))
                        .map_err(|e| problem(source, format!("VALUES({:?})", v.labels.name), e.into(), None))
                })
                .collect::<Result<_, _>>()?
        }
        None => vec![b.ages.intern("all")],
    };
    let table_unit = hints.unit.clone().or_else(|| m.units.as_deref().map(|u| u.parse().unwrap_or(Unit::Unspecified)));
    let (variables, units): (Vec<u32>, Vec<u32>) = match content_var {
        Some(c) => {
            let v = &m.variables[c];
            (0..v.len())
                .map(|j| {
                    let id =
                        hints.variable.clone().filter(|_| v.len() == 1).unwrap_or_else(|| v.value_id(j).to_string());
                    let unit = hints
                        .unit
                        .clone()
                        .or_else(|| {
                            m.content
                                .get(j)
                                .and_then(|ci| ci.units.as_deref())
                                .map(|u| u.parse().unwrap_or(Unit::Unspecified))
                        })
                        .or(table_unit.clone())
                        .unwrap_or(Unit::Unspecified);
                    (b.variables.intern(&id), b.units.intern(unit.name()))
                })
                .unzip()
        }
        None => {
            let id = hints
                .variable
                .clone()
                .or(m.matrix.clone())
                .or(m.contents.clone())
                .unwrap_or_else(|| source.to_string());
            (vec![b.variables.intern(&id)], vec![b.units.intern(table_unit.unwrap_or(Unit::Unspecified).name())])
        }
    };

    // Walk the cube in cell order; strides give each variable's value index.
    let mut strides = vec![0u64; m.variables.len()];
    let mut stride = 1u64;
    for (k, v) in m.variables.iter().enumerate().rev() {
        strides[k] = stride;
        stride *= v.len() as u64;
    }
    let at = |i: u64, k: Option<usize>| k.map_or(0, |k| ((i / strides[k]) % m.variables[k].len() as u64) as usize);
    let source_id = b.sources.intern(source);
    let mut rows = 0usize;
    for i in 0..m.cells() {
        let fixed_ok = roles.iter().enumerate().all(|(k, r)| match r {
            Some(Role::Fixed(j)) => at(i, Some(k)) == *j,
            _ => true,
        });
        if !fixed_ok {
            continue;
        }
        let (org, name) = org_ids[at(i, Some(org_var))];
        let content = at(i, content_var);
        let ids = RowIds {
            source: source_id,
            row: u32::try_from(i + 1).unwrap_or(u32::MAX),
            org,
            name,
            period: periods[at(i, period_var)],
            variable: variables[content],
            sex: sexes[at(i, sex_var)],
            age: ages[at(i, age_var)],
            unit: units[content],
        };
        let (value, symbol) = t.data.cell(i);
        b.push(ids, value, symbol.map(|s| s.status()));
        rows += 1;
    }
    report.rows = rows;
    report.shape = Some("px cube");
    report.columns = roles
        .iter()
        .zip(&m.variables)
        .map(|(r, v)| {
            let role = match r {
                Some(Role::Org) => "org",
                Some(Role::Sex) => "sex",
                Some(Role::Period) => "period",
                Some(Role::Age) => "age",
                Some(Role::Variable) => "variable",
                _ => "fixed",
            };
            (role, format!("{:?}", v.labels.name))
        })
        .collect();
    let mut unit_names: Vec<&str> = units.iter().map(|&u| b.units.get(u)).collect();
    unit_names.dedup();
    report.unit = Some((unit_names.join(", "), if hints.unit.is_some() { "from round.toml" } else { "from UNITS" }));
    // Totals are derived per (variable, unit) group, for additive units only.
    report.unit_evidence.unit_column = true;
    Ok(())
}

/// PX time values that are not DESIGN periods as written: `2020M01` is handled by `Period`, but
/// bare `202001` (M1 without the M) and `20201` (Q1 without the Q) are PX 2013 forms.
fn px_period(text: &str) -> Option<Period> {
    use crate::model::Frequency;
    let t = text.trim();
    let year: u16 = t.get(..4)?.parse().ok()?;
    let rest = t.get(4..)?;
    match rest.len() {
        2 if rest.bytes().all(|c| c.is_ascii_digit()) => Period::new(year, Frequency::Month, rest.parse().ok()?),
        _ => None,
    }
}
