//! Variables derived from record-level tables by the SQL beside an indicator
//! (`queries/<id>.sql`), run with polars' SQL context over the tables the round registered.
//!
//! The query returns `org_id, period, sex, [age_group,] variable, value[, unit]`, one row per
//! value. It stays in portable ANSI SQL (GROUP BY, CASE, COUNT(DISTINCT …), SUM, CAST, UNION
//! ALL; no window functions), so the same file runs unchanged on DuckDB or DataFusion when data
//! outgrows one machine — a test runs every shipped query on DuckDB and compares.
//!
//! Age bands come from the indicator (`age_bands = ["65-79", "80-w"]`): before the query runs,
//! every table with an `age` column gets an `age_group` column holding the record's band, or
//! null outside every band, so an indicator can ask for 80+ only. Without bands it is `all`.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use polars::sql::SQLContext;

use super::dictionary::{self, TextColumns};
use super::error::IngestError;
use super::records::RecordTable;
use crate::error::{Location, Problem};
use crate::model::{OrgId, Period, Sex, SexCodes, normalise_age};

/// An age band: `lo` to `hi` inclusive (`hi` open for `80-w`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Band {
    pub label: String,
    pub lo: i64,
    pub hi: Option<i64>,
}

impl Band {
    /// Parses `65-79`, `80-w`, `80+`, `0-17 år` (the forms [`normalise_age`] accepts).
    pub fn parse(text: &str) -> Option<Band> {
        let label = normalise_age(text).ok()?;
        let (lo, hi) = label.split_once('-')?;
        let hi = if hi == "w" { None } else { Some(hi.parse().ok()?) };
        Some(Band { lo: lo.parse().ok()?, hi, label })
    }
}

/// A query to run: its file, text and the indicator's age bands.
#[derive(Clone, Debug)]
pub struct Query {
    pub path: PathBuf,
    /// How the file is named in messages and in `source`.
    pub source: String,
    pub sql: String,
    pub bands: Vec<Band>,
}

impl Query {
    /// Reads `<id>.sql` and the `age_bands` of `<id>.toml` beside it.
    pub fn load(path: &Path, source: String) -> Result<Query, Problem<IngestError>> {
        let at = || Location::file(source.clone());
        let sql = std::fs::read_to_string(path)
            .map_err(|e| Problem::new(at(), IngestError::Io { message: e.to_string() }))?;
        let mut bands = Vec::new();
        let toml_path = path.with_extension("toml");
        if let Ok(text) = std::fs::read_to_string(&toml_path) {
            let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
                Problem::new(
                    Location::file(toml_path.display().to_string()),
                    IngestError::Invalid {
                        found: e.message().to_string(),
                        expected: "an indicator file (DESIGN §4)".into(),
                    },
                )
            })?;
            for b in table.get("age_bands").and_then(|b| b.as_array()).into_iter().flatten() {
                let text = b.as_str().unwrap_or_default();
                let band = Band::parse(text).ok_or_else(|| {
                    Problem::new(
                        Location::file(toml_path.display().to_string()).with_keyword("age_bands"),
                        IngestError::Invalid {
                            found: format!("{b}"),
                            expected: "an age band such as \"65-79\" or \"80-w\"".into(),
                        },
                    )
                })?;
                bands.push(band);
            }
        }
        Ok(Query { path: path.to_path_buf(), source, sql, bands })
    }
}

/// `indicators = ["elderly_care.*"]` in round.toml: `*` matches any run of characters.
pub fn glob_match(pattern: &str, id: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == id,
        Some((head, tail)) => {
            id.starts_with(head)
                && (0..=id.len() - head.len())
                    .any(|i| id.is_char_boundary(head.len() + i) && glob_match(tail, &id[head.len() + i..]))
        }
    }
}

/// The queries of the chosen indicators: `<id>.sql` from the first folder that has it (the
/// round's `queries/`, then the project's), sorted by id.
pub fn find(folders: &[PathBuf], indicators: &[String]) -> Result<Vec<Query>, Vec<Problem<IngestError>>> {
    let mut chosen: std::collections::BTreeMap<String, (PathBuf, String)> = std::collections::BTreeMap::new();
    for dir in folders {
        let Ok(entries) = std::fs::read_dir(dir) else { continue };
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            let Some(id) = path.file_stem().and_then(|s| s.to_str()).map(str::to_string) else { continue };
            if path.extension().is_some_and(|e| e == "sql") && indicators.iter().any(|g| glob_match(g, &id)) {
                let source = format!("queries/{id}.sql");
                chosen.entry(id).or_insert_with(|| (path.clone(), source));
            }
        }
    }
    let mut queries = Vec::new();
    let mut problems = Vec::new();
    for (path, source) in chosen.into_values() {
        match Query::load(&path, source) {
            Ok(q) => queries.push(q),
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() { Ok(queries) } else { Err(problems) }
}

/// The `age_group` column for `bands`, as dictionary codes (a band label per record as text
/// would take four times the memory).
fn age_group(bands: &[Band]) -> Expr {
    if bands.is_empty() {
        return lit("all").cast(dictionary::codes()).alias("age_group");
    }
    let cond = |b: &Band| {
        let low = col("age").gt_eq(lit(b.lo));
        match b.hi {
            Some(hi) => low.and(col("age").lt_eq(lit(hi))),
            None => low,
        }
    };
    // The first band that holds the age wins; none: null.
    let outside = lit(NULL).cast(dictionary::codes());
    bands
        .iter()
        .rev()
        .fold(outside, |rest, b| when(cond(b)).then(lit(b.label.clone()).cast(dictionary::codes())).otherwise(rest))
        .alias("age_group")
}

/// The tables as the query sees them: with `age_group` from its bands where there is an `age`,
/// and the key columns the tables hold as dictionary codes handed over as text wherever the
/// query needs text ([`dictionary::text_columns`]). (Public so that a test can hand DuckDB the
/// same tables.)
pub fn registered(query: &Query, tables: &[RecordTable]) -> Vec<(String, LazyFrame)> {
    registered_as(query, tables, &dictionary::text_columns(&query.sql))
}

fn registered_as(query: &Query, tables: &[RecordTable], text: &TextColumns) -> Vec<(String, LazyFrame)> {
    tables
        .iter()
        .map(|t| {
            let mut lf = t.frame.clone().lazy();
            let mut casts = Vec::new();
            if t.frame.column("age").is_ok() {
                lf = lf.with_column(age_group(&query.bands));
                if text.contains("age_group") {
                    casts.push(col("age_group").cast(DataType::String));
                }
            }
            for c in t.frame.columns() {
                if c.dtype().is_categorical() && text.contains(c.name()) {
                    casts.push(col(c.name().clone()).cast(DataType::String));
                }
            }
            if !casts.is_empty() {
                lf = lf.with_columns(casts);
            }
            (t.name.clone(), lf)
        })
        .collect()
}

/// One derived value.
#[derive(Clone, Debug, PartialEq)]
pub struct Derived {
    pub org: OrgId,
    pub period: Period,
    pub sex: Sex,
    pub age_group: String,
    pub variable: String,
    pub value: Option<f64>,
    pub unit: Option<String>,
}

const COLUMNS: &str = "org_id, period, sex, [age_group,] variable, value[, unit]";

/// Runs a query over the tables (with `age_group` added from its bands) and checks its result.
pub fn run(query: &Query, tables: &[RecordTable]) -> Result<Vec<Derived>, Vec<Problem<IngestError>>> {
    let at = || Location::file(query.source.clone());
    let fail = |message: String| vec![Problem::new(at(), IngestError::Sql { message })];
    let execute = |text: &TextColumns| {
        let mut ctx = SQLContext::new();
        for (name, lf) in registered_as(query, tables, text) {
            ctx.register(&name, lf);
        }
        ctx.execute(&query.sql).and_then(LazyFrame::collect)
    };
    let clock = crate::timings::Stopwatch::start();
    let text = dictionary::text_columns(&query.sql);
    let frame = match execute(&text) {
        Ok(frame) => frame,
        Err(e) if text == TextColumns::All => return Err(fail(e.to_string())),
        // Should polars refuse codes somewhere `text_columns` let them through, the query runs
        // again on text, so that a user never sees an error that text would not give.
        Err(_) => execute(&TextColumns::All).map_err(|e| fail(e.to_string()))?,
    };
    clock.lap("sql: query run");
    // GROUP BY returns groups in no fixed order; sorting by every key (and the value, so that
    // even duplicate keys come out the same way) makes the derived rows, their row numbers and
    // any "result row N" in an error the same on every run.
    let keys: Vec<&str> = ["variable", "org_id", "period", "sex", "age_group", "value"]
        .into_iter()
        .filter(|k| frame.get_column_names().iter().any(|n| n.as_str() == *k))
        .collect();
    let frame = frame.sort(keys, SortMultipleOptions::default()).map_err(|e| fail(e.to_string()))?;
    let names: Vec<&str> = frame.get_column_names().into_iter().map(|n| n.as_str()).collect();
    let known = ["org_id", "period", "sex", "age_group", "variable", "value", "unit"];
    let mut problems = Vec::new();
    for n in &names {
        if !known.contains(n) {
            problems.push(Problem::new(
                at(),
                IngestError::Invalid { found: format!("result column {n:?}"), expected: format!("only {COLUMNS}") },
            ));
        }
    }
    for n in ["org_id", "period", "sex", "variable", "value"] {
        if !names.contains(&n) {
            problems.push(Problem::new(
                at(),
                IngestError::Invalid {
                    found: format!("no result column {n:?}"),
                    expected: format!("the query to return {COLUMNS}"),
                },
            ));
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let text = |name: &str| -> Result<StringChunked, Vec<Problem<IngestError>>> {
        let c = frame.column(name).and_then(|c| c.cast(&DataType::String)).map_err(|e| fail(e.to_string()))?;
        c.str().cloned().map_err(|e| fail(e.to_string()))
    };
    let (orgs, periods, sexes, variables) = (text("org_id")?, text("period")?, text("sex")?, text("variable")?);
    let ages = names.contains(&"age_group").then(|| text("age_group")).transpose()?;
    let units = names.contains(&"unit").then(|| text("unit")).transpose()?;
    let values = frame.column("value").and_then(|c| c.cast(&DataType::Float64)).map_err(|e| fail(e.to_string()))?;
    let values = values.f64().map_err(|e| fail(e.to_string()))?;
    let mut out = Vec::with_capacity(frame.height());
    let mut seen = std::collections::HashMap::new();
    for i in 0..frame.height() {
        let row = i + 1;
        let mut bad = |what: String, expected: &str| {
            problems.push(Problem::new(
                at(),
                IngestError::Invalid { found: format!("result row {row}: {what}"), expected: expected.to_string() },
            ));
        };
        let Some(org) = orgs.get(i).and_then(|o| OrgId::new(o).ok()) else {
            bad(format!("org_id {:?}", orgs.get(i)), "an organisation code");
            continue;
        };
        let Some(period) = periods.get(i).and_then(|p| p.parse::<Period>().ok()) else {
            bad(format!("period {:?}", periods.get(i)), "a period such as 2024 or 2024-03");
            continue;
        };
        let Some(sex) = sexes.get(i).and_then(|s| Sex::parse(s, SexCodes::Standard).ok()) else {
            bad(format!("sex {:?}", sexes.get(i)), "K, M or T");
            continue;
        };
        let Some(variable) = variables.get(i).filter(|v| !v.trim().is_empty()) else {
            bad("an empty variable".into(), "a variable name");
            continue;
        };
        let age_group = match &ages {
            None => "all".to_string(),
            Some(a) => match a.get(i) {
                Some(g) => g.to_string(),
                None => {
                    bad(
                        "age_group null".into(),
                        "a band: filter records outside the bands with WHERE age_group IS NOT NULL",
                    );
                    continue;
                }
            },
        };
        let key = (org.to_string(), period, sex, age_group.clone(), variable.to_string());
        if let Some(first) = seen.insert(key, row) {
            bad(
                format!("{org} {period} {} {age_group} {variable} again (first in row {first})", sex.code()),
                "one row per value: GROUP BY every key column",
            );
            continue;
        }
        let unit = units.as_ref().and_then(|u| u.get(i)).map(str::to_string);
        out.push(Derived { org, period, sex, age_group, variable: variable.to_string(), value: values.get(i), unit });
    }
    if problems.is_empty() { Ok(out) } else { Err(problems) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> RecordTable {
        let frame = df!(
            "org_id" => ["X1", "X1", "X1", "X1", "X2"],
            "period" => ["2024", "2024", "2024", "2024", "2024"],
            "sex" => ["K", "K", "M", "K", "M"],
            "age" => [70i64, 85, 90, 50, 81],
            "person_id" => ["a", "b", "c", "d", "e"],
            "hours" => [10.0, 20.5, 30.0, 5.0, 7.5],
        )
        .unwrap();
        RecordTable { name: "home_care".into(), source: "hc.csv".into(), frame: dictionary::encode(frame).unwrap() }
    }

    /// Should polars refuse a query on codes, `run` answers from text: here a hand-built table
    /// whose codes come from another dictionary, which polars will not join with jamfor's.
    #[test]
    fn a_query_refused_on_codes_runs_on_text() {
        let mut orgs = df!("org_id" => ["X1"], "namn" => ["Åsa"]).unwrap();
        let foreign = DataType::from_categories(Categories::random("test".into(), CategoricalPhysical::U32));
        orgs.with_column(orgs.column("org_id").unwrap().cast(&foreign).unwrap()).unwrap();
        let tables = [table(), RecordTable { name: "orgs".into(), source: "orgs.csv".into(), frame: orgs }];
        let q = query(
            "SELECT h.org_id, h.period, h.sex, 'n' AS variable, CAST(COUNT(*) AS DOUBLE) AS value \
             FROM home_care h JOIN orgs o ON h.org_id = o.org_id GROUP BY h.org_id, h.period, h.sex",
            &[],
        );
        let mut ctx = SQLContext::new();
        for (name, lf) in registered(&q, &tables) {
            ctx.register(&name, lf);
        }
        assert!(ctx.execute(&q.sql).and_then(LazyFrame::collect).is_err(), "polars refuses codes of two dictionaries");
        let got = run(&q, &tables).unwrap();
        let rows: Vec<_> = got.iter().map(|d| (d.org.as_str(), d.sex, d.value)).collect();
        assert_eq!(rows, [("X1", Sex::K, Some(3.0)), ("X1", Sex::M, Some(1.0))]);
    }

    /// Every way `dictionary::text_columns` lets a column through as codes gives the rows text
    /// gives, and so do the ways it does not (those columns are handed over as text).
    #[test]
    fn codes_give_what_text_gives() {
        let orgs = df!("org_id" => ["X2", "X1", "X3"], "namn" => ["Bäckby", "Åsa", "Ödeby"]).unwrap();
        let tables = [
            table(),
            RecordTable { name: "orgs".into(), source: "orgs.csv".into(), frame: dictionary::encode(orgs).unwrap() },
        ];
        let mut handed = registered(&query("SELECT org_id FROM home_care", &[]), &tables);
        let schema = handed[0].1.collect_schema().unwrap();
        assert!(schema.get("org_id").unwrap().is_categorical(), "a key column is handed over as codes");
        for sql in [
            "SELECT org_id, period, sex, age_group, COUNT(DISTINCT person_id) AS n, SUM(hours) AS h FROM home_care \
             WHERE age_group IS NOT NULL GROUP BY org_id, period, sex, age_group",
            "SELECT org_id, sex FROM home_care WHERE sex = 'K' AND org_id <> 'X2' ORDER BY org_id, sex",
            "SELECT org_id, person_id FROM home_care WHERE person_id < 'c' OR person_id BETWEEN 'd' AND 'e'",
            "SELECT person_id FROM home_care WHERE sex IN ('K') AND age_group IS NULL",
            "SELECT h.person_id, o.namn FROM home_care h JOIN orgs o ON h.org_id = o.org_id",
            "SELECT org_id FROM orgs UNION ALL SELECT 'X9' AS org_id FROM orgs ORDER BY org_id",
            "SELECT SUM(CASE WHEN sex = 'K' THEN hours ELSE 0 END) AS k, org_id FROM home_care GROUP BY org_id",
            "SELECT SUBSTRING(org_id, 1, 1) AS land, UPPER(namn) AS namn, LENGTH(namn) AS n FROM orgs",
            "SELECT CAST(period AS INT) + 1 AS next, person_id || sex AS ps, sex LIKE 'K%' AS k FROM home_care",
            "SELECT o.namn FROM orgs o JOIN home_care h ON o.org_id = h.org_id WHERE h.org_id LIKE 'X1%'",
        ] {
            let q = query(sql, &["65-79", "80-w"]);
            let collect = |text: &TextColumns| {
                let mut ctx = SQLContext::new();
                for (name, lf) in registered_as(&q, &tables, text) {
                    ctx.register(&name, lf);
                }
                let frame = ctx.execute(sql).and_then(LazyFrame::collect).unwrap_or_else(|e| panic!("{sql}: {e}"));
                let mut rows: Vec<String> = (0..frame.height())
                    .map(|i| {
                        format!("{:?}", frame.get_row(i).unwrap().0.iter().map(|v| v.to_string()).collect::<Vec<_>>())
                    })
                    .collect();
                rows.sort();
                (frame.get_column_names().into_iter().cloned().collect::<Vec<_>>(), rows)
            };
            let (text, codes) = (collect(&TextColumns::All), collect(&dictionary::text_columns(sql)));
            assert!(!text.1.is_empty(), "{sql}");
            assert_eq!(codes, text, "{sql}");
        }
    }

    fn query(sql: &str, bands: &[&str]) -> Query {
        let bands = bands.iter().map(|b| Band::parse(b).unwrap()).collect();
        Query { path: "q.sql".into(), source: "queries/q.sql".into(), sql: sql.into(), bands }
    }

    const HOURS: &str = "SELECT org_id, period, sex, age_group, 'home_care_hours' AS variable, SUM(hours) AS value \
                         FROM home_care WHERE age_group IS NOT NULL GROUP BY org_id, period, sex, age_group";

    #[test]
    fn bands_from_the_indicator_group_the_records() {
        let mut got = run(&query(HOURS, &["65-79", "80-w"]), &[table()]).unwrap();
        got.sort_by(|a, b| (a.org.as_str(), a.sex, &a.age_group).cmp(&(b.org.as_str(), b.sex, &b.age_group)));
        let rows: Vec<_> = got.iter().map(|d| (d.org.as_str(), d.sex, d.age_group.as_str(), d.value)).collect();
        // Hand-checked: X1 women 65-79: 10; 80+: 20.5 (the 50-year-old is outside every band);
        // X1 men 80+: 30; X2 men 80+: 7.5.
        assert_eq!(
            rows,
            [
                ("X1", Sex::K, "65-79", Some(10.0)),
                ("X1", Sex::K, "80-w", Some(20.5)),
                ("X1", Sex::M, "80-w", Some(30.0)),
                ("X2", Sex::M, "80-w", Some(7.5))
            ]
        );
        let only_80 = run(&query(HOURS, &["80+"]), &[table()]).unwrap();
        assert_eq!(only_80.iter().map(|d| d.value.unwrap()).sum::<f64>(), 58.0, "an indicator can ask for 80+ only");
    }

    #[test]
    fn indicator_globs() {
        assert!(glob_match("*", "leisure.participants"));
        assert!(glob_match("leisure.*", "leisure.participants"));
        assert!(glob_match("*.participants", "leisure.participants"));
        assert!(!glob_match("elderly_care.*", "leisure.participants"));
        assert!(glob_match("leisure.participants", "leisure.participants"));
        assert!(!glob_match("leisure", "leisure.participants"));
    }

    #[test]
    fn sql_errors_name_the_file() {
        let e = run(&query("SELECT * FROM nowhere", &[]), &[table()]).unwrap_err();
        let text = e[0].to_string();
        assert!(text.starts_with("queries/q.sql: the SQL failed: "), "{text}");
        assert!(text.contains("nowhere"), "{text}");
        let e = run(&query("SELECT org_id, period, sex, hours AS value FROM home_care", &[]), &[table()]).unwrap_err();
        assert!(e[0].to_string().contains("no result column \"variable\""), "{}", e[0]);
        let e =
            run(&query("SELECT org_id, period, sex, 'h' AS variable, hours AS value FROM home_care", &[]), &[table()])
                .unwrap_err();
        assert!(e[0].to_string().contains("again (first in row 1)"), "{}", e[0]);
    }
}
