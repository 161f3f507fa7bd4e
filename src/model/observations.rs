//! `Observations`: the one validated table after ingest (DESIGN §3).
//!
//! The frame is private; the only ways to get one are [`ObservationsBuilder::finish`] and
//! [`Observations::new`], which checks the column names, order and types, and the invariant that
//! `value` is null exactly when `status` says the value is absent. Holding an `Observations`
//! therefore proves the contract to every later stage.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use polars::prelude::*;
use rayon::prelude::*;

use super::{Floats, Sex, Status};

/// Column names and order of DESIGN §3.
pub const COLUMNS: [&str; 11] =
    ["source", "row", "org_id", "org_name", "period", "variable", "sex", "age_group", "value", "status", "unit"];

/// The frame does not have the DESIGN §3 shape.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("observation table has columns {found:?}, expected {expected:?}")]
    Columns { found: Vec<String>, expected: Vec<&'static str> },
    #[error("observation column {column:?} has type {found}, expected {expected}")]
    Type { column: &'static str, found: String, expected: String },
    #[error(
        "observation row {index}: value {value:?} does not agree with status {status:?} (value is null exactly when the status says absent)"
    )]
    ValueStatus { index: usize, value: Option<f64>, status: Option<String> },
    #[error("observation column {column:?} has nulls, expected none")]
    Nulls { column: &'static str },
    #[error(transparent)]
    Polars(#[from] PolarsError),
}

/// The polars enum type of the `sex` column: `K`, `M`, `T`.
pub fn sex_dtype() -> DataType {
    enum_dtype(Sex::ALL.iter().map(|s| s.code()))
}

/// The polars enum type of the `status` column.
pub fn status_dtype() -> DataType {
    enum_dtype(Status::ALL.iter().map(|s| s.name()))
}

fn enum_dtype<'a>(names: impl IntoIterator<Item = &'a str>) -> DataType {
    let cats = FrozenCategories::new(names).expect("enum categories are distinct literals");
    DataType::from_frozen_categories(cats)
}

fn expected_types() -> [DataType; 11] {
    use DataType::*;
    [String, UInt32, String, String, String, String, sex_dtype(), String, Float64, status_dtype(), String]
}

/// The validated observation table.
#[derive(Clone, Debug)]
pub struct Observations {
    frame: DataFrame,
}

impl Observations {
    /// Checks `frame` against DESIGN §3: names, order, types, non-null keys, value/status
    /// agreement. The table keeps its chunks (a Parquet file reads as one per row group): a
    /// copy into one chunk cost the indicator stage 0.15–0.4 s at Kolada scale, and every
    /// stage reads chunked columns.
    pub fn new(frame: DataFrame) -> Result<Observations, SchemaError> {
        let names: Vec<String> = frame.get_column_names().iter().map(|s| s.to_string()).collect();
        if names != COLUMNS {
            return Err(SchemaError::Columns { found: names, expected: COLUMNS.to_vec() });
        }
        for ((column, expected), col) in COLUMNS.iter().zip(expected_types()).zip(frame.columns()) {
            if col.dtype() != &expected {
                return Err(SchemaError::Type {
                    column,
                    found: col.dtype().to_string(),
                    expected: expected.to_string(),
                });
            }
            let nullable = matches!(*column, "org_name" | "value" | "status");
            if !nullable && col.null_count() > 0 {
                return Err(SchemaError::Nulls { column });
            }
        }
        // The status column is an enum over `Status::ALL`: its codes index that array.
        let value = frame.column("value")?.f64()?;
        let status = frame.column("status")?.cat8()?.physical();
        let absent: Vec<bool> = Status::ALL.iter().map(|st| st.value_absent()).collect();
        let zero = Status::ALL.iter().position(|&st| st == Status::Zero).map(|z| z as u8);
        let agree = |v: Option<f64>, s: Option<u8>| {
            let is_absent = s.is_some_and(|s| absent[s as usize]);
            v.is_none() == is_absent && (s != zero || v == Some(0.0))
        };
        // Value and status come in the same chunks (the row groups of a Parquet file): each
        // pair is checked on the pool. The first disagreeing row is reported either way.
        let first = if value.chunk_lengths().eq(status.chunk_lengths()) {
            let mut offset = 0;
            let chunks: Vec<_> = value
                .downcast_iter()
                .zip(status.downcast_iter())
                .map(|(v, s)| {
                    offset += v.len();
                    (offset - v.len(), v, s)
                })
                .collect();
            chunks
                .into_par_iter()
                .filter_map(|(at, v, s)| {
                    v.iter().zip(s.iter()).position(|(v, s)| !agree(v.copied(), s.copied())).map(|i| at + i)
                })
                .min()
        } else {
            value.iter().zip(status.iter()).position(|(v, s)| !agree(v, s))
        };
        if let Some(index) = first {
            let status = status.get(index).map(|s| Status::ALL[s as usize].name().to_string());
            return Err(SchemaError::ValueStatus { index, value: value.get(index), status });
        }
        Ok(Observations { frame })
    }

    /// An empty table with the right schema.
    pub fn empty() -> Observations {
        ObservationsBuilder::default().finish()
    }

    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }

    pub fn into_frame(self) -> DataFrame {
        self.frame
    }

    pub fn lazy(&self) -> LazyFrame {
        self.frame.clone().lazy()
    }

    pub fn len(&self) -> usize {
        self.frame.height()
    }

    pub fn is_empty(&self) -> bool {
        self.frame.height() == 0
    }

    /// Stacks tables in the order given (inputs keep the order of the command line or round file).
    pub fn concat(parts: Vec<Observations>) -> Result<Observations, SchemaError> {
        let mut iter = parts.into_iter();
        let Some(first) = iter.next() else { return Ok(Observations::empty()) };
        let mut frame = first.frame;
        for part in iter {
            frame.vstack_mut(&part.frame)?;
        }
        frame.rechunk_mut();
        Ok(Observations { frame })
    }

    /// Writes Parquet (zstd). The bytes depend only on the rows and the locked polars version.
    pub fn write_parquet(&self, path: &std::path::Path) -> Result<(), PolarsError> {
        let file = std::fs::File::create(path).map_err(|e| PolarsError::IO { error: Arc::new(e), msg: None })?;
        let mut frame = self.frame.clone();
        ParquetWriter::new(file).with_compression(ParquetCompression::Zstd(None)).finish(&mut frame)?;
        Ok(())
    }
}

/// One observation, as a plain struct (tests and small inputs).
#[derive(Clone, Debug, PartialEq)]
pub struct ObservationRecord {
    pub source: String,
    pub row: u32,
    pub org_id: String,
    pub org_name: Option<String>,
    pub period: String,
    pub variable: String,
    pub sex: Sex,
    pub age_group: String,
    pub value: Option<f64>,
    pub status: Option<Status>,
    pub unit: String,
}

impl Observations {
    /// All rows as records, in table order. Meant for tests and small tables.
    pub fn records(&self) -> Vec<ObservationRecord> {
        let f = &self.frame;
        let s = |name: &str| f.column(name).expect("schema checked").str().expect("schema checked").clone();
        let (source, org, name, period, variable, age, unit) =
            (s("source"), s("org_id"), s("org_name"), s("period"), s("variable"), s("age_group"), s("unit"));
        let sex = f.column("sex").and_then(|c| c.cast(&DataType::String)).expect("schema checked");
        let sex = sex.str().expect("cast to string");
        let status = f.column("status").and_then(|c| c.cast(&DataType::String)).expect("schema checked");
        let status = status.str().expect("cast to string");
        let row = f.column("row").expect("schema checked").u32().expect("schema checked");
        let value = f.column("value").expect("schema checked").f64().expect("schema checked");
        (0..f.height())
            .map(|i| ObservationRecord {
                source: source.get(i).unwrap_or_default().to_string(),
                row: row.get(i).unwrap_or_default(),
                org_id: org.get(i).unwrap_or_default().to_string(),
                org_name: name.get(i).map(str::to_string),
                period: period.get(i).unwrap_or_default().to_string(),
                variable: variable.get(i).unwrap_or_default().to_string(),
                sex: sex.get(i).and_then(Sex::from_word).expect("enum holds K/M/T"),
                age_group: age.get(i).unwrap_or_default().to_string(),
                value: value.get(i),
                status: status.get(i).and_then(|s| Status::ALL.into_iter().find(|st| st.name() == s)),
                unit: unit.get(i).unwrap_or_default().to_string(),
            })
            .collect()
    }
}

/// A fast, deterministic hasher for small integer keys (FxHash's multiply-rotate). Hash order is
/// never observable: maps keyed with it are only probed, never iterated.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.write_u64(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        for &b in chunks.remainder() {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.write_u64(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
}

pub type FxBuild = BuildHasherDefault<FxHasher>;

/// Interns strings to `u32` ids so that a column of repeated codes costs one lookup per distinct
/// run, not one allocation per row.
#[derive(Default, Debug)]
pub struct Interner {
    ids: HashMap<String, u32, FxBuild>,
    strings: Vec<String>,
    last: Option<(u32, usize)>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some((id, _)) = self.last
            && self.strings[id as usize] == s
        {
            return id;
        }
        let id = match self.ids.get(s) {
            Some(&id) => id,
            None => {
                let id = u32::try_from(self.strings.len()).expect("fewer than 4 billion distinct strings");
                self.ids.insert(s.to_string(), id);
                self.strings.push(s.to_string());
                id
            }
        };
        self.last = Some((id, 0));
        id
    }

    pub fn get(&self, id: u32) -> &str {
        &self.strings[id as usize]
    }

    pub fn len(&self) -> usize {
        self.strings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }
}

/// No org name: the source did not give one.
pub const NO_NAME: u32 = u32::MAX;

/// Column-wise builder. Strings are interned; `finish` turns the ids into polars columns.
#[derive(Default, Debug)]
pub struct ObservationsBuilder {
    pub sources: Interner,
    pub orgs: Interner,
    pub names: Interner,
    pub periods: Interner,
    pub variables: Interner,
    pub ages: Interner,
    pub units: Interner,
    pub source: Vec<u32>,
    pub row: Vec<u32>,
    pub org: Vec<u32>,
    pub name: Vec<u32>,
    pub period: Vec<u32>,
    pub variable: Vec<u32>,
    pub sex: Vec<Sex>,
    pub age: Vec<u32>,
    /// Numbers and presence bits, which become the value column without a copy.
    pub value: Floats,
    pub status: Vec<Option<Status>>,
    pub unit: Vec<u32>,
}

/// One row of ids for [`ObservationsBuilder::push`].
#[derive(Clone, Copy, Debug)]
pub struct RowIds {
    pub source: u32,
    pub row: u32,
    pub org: u32,
    pub name: u32,
    pub period: u32,
    pub variable: u32,
    pub sex: Sex,
    pub age: u32,
    pub unit: u32,
}

impl ObservationsBuilder {
    pub fn len(&self) -> usize {
        self.row.len()
    }

    pub fn is_empty(&self) -> bool {
        self.row.is_empty()
    }

    /// The id columns, for operations on every column at once.
    fn id_columns(&mut self) -> [&mut Vec<u32>; 8] {
        [
            &mut self.source,
            &mut self.row,
            &mut self.org,
            &mut self.name,
            &mut self.period,
            &mut self.variable,
            &mut self.age,
            &mut self.unit,
        ]
    }

    /// Room for `n` more rows (a reader's estimate), so large files do not regrow every column.
    pub fn reserve(&mut self, n: usize) {
        self.id_columns().into_iter().for_each(|v| v.reserve(n));
        self.sex.reserve(n);
        self.value.reserve(n);
        self.status.reserve(n);
    }

    pub fn push(&mut self, ids: RowIds, value: Option<f64>, status: Option<Status>) {
        self.source.push(ids.source);
        self.row.push(ids.row);
        self.org.push(ids.org);
        self.name.push(ids.name);
        self.period.push(ids.period);
        self.variable.push(ids.variable);
        self.sex.push(ids.sex);
        self.age.push(ids.age);
        self.value.push(value);
        self.status.push(status);
        self.unit.push(ids.unit);
    }

    /// The ids of row `i` (to derive a row from another).
    pub fn ids(&self, i: usize) -> RowIds {
        RowIds {
            source: self.source[i],
            row: self.row[i],
            org: self.org[i],
            name: self.name[i],
            period: self.period[i],
            variable: self.variable[i],
            sex: self.sex[i],
            age: self.age[i],
            unit: self.unit[i],
        }
    }

    /// Appends `other`'s rows after this builder's, its strings interned here (files read
    /// apart are joined in input order).
    pub fn append(&mut self, other: ObservationsBuilder) {
        fn ids(into: &mut Interner, from: &Interner) -> Vec<u32> {
            from.strings.iter().map(|s| into.intern(s)).collect()
        }
        fn extend(column: &mut Vec<u32>, from: &[u32], ids: &[u32]) {
            column.extend(from.iter().map(|&i| ids[i as usize]));
        }
        let source = ids(&mut self.sources, &other.sources);
        let org = ids(&mut self.orgs, &other.orgs);
        let period = ids(&mut self.periods, &other.periods);
        let variable = ids(&mut self.variables, &other.variables);
        let age = ids(&mut self.ages, &other.ages);
        let unit = ids(&mut self.units, &other.units);
        let name = ids(&mut self.names, &other.names);
        extend(&mut self.source, &other.source, &source);
        extend(&mut self.org, &other.org, &org);
        extend(&mut self.period, &other.period, &period);
        extend(&mut self.variable, &other.variable, &variable);
        extend(&mut self.age, &other.age, &age);
        extend(&mut self.unit, &other.unit, &unit);
        self.name.extend(other.name.iter().map(|&i| if i == NO_NAME { NO_NAME } else { name[i as usize] }));
        self.row.extend(other.row);
        self.sex.extend(other.sex);
        self.value.append(&other.value);
        self.status.extend(other.status);
    }

    /// Drops every row from `len` on (a file that failed validation leaves nothing behind).
    pub fn truncate(&mut self, len: usize) {
        self.id_columns().into_iter().for_each(|v| v.truncate(len));
        self.sex.truncate(len);
        self.value.truncate(len);
        self.status.truncate(len);
    }

    /// Builds the polars frame. The value/status invariant holds by construction (ingest sets
    /// them together), and `Observations::new` re-checks it in debug builds.
    pub fn finish(self) -> Observations {
        // Each string column is its few distinct values gathered by id: views are copied, the
        // strings themselves once (a row-by-row build was a fifth of ingest time). A column of
        // one value (the source of a single file, an age group or unit a file does not vary) is
        // a scalar column: polars repeats it only if a consumer needs it materialised, which
        // saves a 16-byte view per row (the gathers were a quarter of CSV ingest).
        fn strings(name: &str, dict: &Interner, ids: Vec<u32>) -> Column {
            if let Some(only) = only(&ids) {
                return string_scalar(name, Some(dict.get(only)), ids.len());
            }
            let values = StringChunked::from_iter_values(name.into(), dict.strings.iter().map(String::as_str));
            let idx = IdxCa::from_vec(name.into(), ids);
            values.take(&idx).expect("ids index their interner").into_column()
        }
        let names = match only(&self.name) {
            Some(only) => string_scalar("org_name", (only != NO_NAME).then(|| self.names.get(only)), self.name.len()),
            None => {
                // The null name sits after the distinct names.
                let null = u32::try_from(self.names.len()).expect("fewer than 4 billion names");
                let values = StringChunked::from_iter_options(
                    "org_name".into(),
                    self.names.strings.iter().map(|s| Some(s.as_str())).chain(std::iter::once(None)),
                );
                let idx = IdxCa::from_vec(
                    "org_name".into(),
                    self.name.iter().map(|&i| if i == NO_NAME { null } else { i }).collect(),
                );
                values.take(&idx).expect("ids index their interner").into_column()
            }
        };
        // Enum columns from their category ids (the order of `Sex::ALL`/`Status::ALL`), without
        // hashing millions of strings. The sexes are gathered from an enum of the three: a
        // gather keeps the type, where building from ids checks each id against the categories.
        let sexes = UInt8Chunked::from_iter_values("sex".into(), Sex::ALL.iter().map(|&s| s as u8));
        let sexes = Categorical8Chunked::from_cats_and_dtype(sexes, sex_dtype()).into_series();
        let sex_ids: Vec<IdxSize> = self.sex.iter().map(|&s| s as IdxSize).collect();
        let sex = sexes.take_slice(&sex_ids).expect("sexes index Sex::ALL").into_column();
        // Most files have no status at all: a null column, not a check of millions of nulls.
        let status = if self.status.iter().all(Option::is_none) {
            Column::full_null("status".into(), self.status.len(), &status_dtype())
        } else {
            let status_ids =
                UInt8Chunked::from_iter_options("status".into(), self.status.iter().map(|s| s.map(|s| s as u8)));
            Categorical8Chunked::from_cats_and_dtype(status_ids, status_dtype()).into_column()
        };
        let columns = vec![
            strings("source", &self.sources, self.source),
            Column::new("row".into(), self.row),
            strings("org_id", &self.orgs, self.org),
            names,
            strings("period", &self.periods, self.period),
            strings("variable", &self.variables, self.variable),
            sex,
            strings("age_group", &self.ages, self.age),
            self.value.column("value"),
            status,
            strings("unit", &self.units, self.unit),
        ];
        let frame = DataFrame::new_infer_height(columns).expect("columns have equal length");
        if cfg!(debug_assertions) {
            Observations::new(frame).expect("builder output satisfies the schema")
        } else {
            Observations { frame }
        }
    }
}

/// The id every row has, if all have one and the same (and there are rows).
fn only(ids: &[u32]) -> Option<u32> {
    let &first = ids.first()?;
    ids.iter().all(|&i| i == first).then_some(first)
}

/// A text column of `len` rows that all hold `value` (null for `None`), as a scalar column:
/// nothing is repeated until a consumer needs it materialised.
pub fn string_scalar(name: &str, value: Option<&str>, len: usize) -> Column {
    let value = value.map_or(AnyValue::Null, |v| AnyValue::StringOwned(v.into()));
    Column::new_scalar(name.into(), Scalar::new(DataType::String, value), len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one_row(value: Option<f64>, status: Option<Status>) -> ObservationsBuilder {
        let mut b = ObservationsBuilder::default();
        let ids = RowIds {
            source: b.sources.intern("f.csv"),
            row: 2,
            org: b.orgs.intern("0180"),
            name: NO_NAME,
            period: b.periods.intern("2023"),
            variable: b.variables.intern("v"),
            sex: Sex::M,
            age: b.ages.intern("all"),
            unit: b.units.intern("count"),
        };
        b.push(ids, value, status);
        b
    }

    #[test]
    fn builder_output_passes_the_schema_check_and_keeps_codes() {
        let obs = one_row(None, Some(Status::Confidential)).finish();
        let again = Observations::new(obs.frame().clone()).unwrap();
        let r = &again.records()[0];
        assert_eq!((r.org_id.as_str(), r.sex, r.status, r.value), ("0180", Sex::M, Some(Status::Confidential), None));
        assert_eq!(r.org_name, None);
    }

    /// Columns of one value become scalar columns and the others gathers; both read back as
    /// the same rows, stack with each other, and write the same Parquet rows.
    #[test]
    fn one_valued_columns_read_like_gathered_ones() {
        let mut b = one_row(Some(1.0), None);
        let mut second = one_row(Some(2.0), None);
        second.org[0] = second.orgs.intern("0181");
        b.append(second);
        let obs = b.finish();
        let f = obs.frame();
        assert!(matches!(f.column("source").unwrap(), Column::Scalar(_)), "one source");
        assert!(matches!(f.column("org_name").unwrap(), Column::Scalar(_)), "no names: a null scalar");
        assert!(!matches!(f.column("org_id").unwrap(), Column::Scalar(_)), "two organisations");
        let r = obs.records();
        let got: Vec<_> = r.iter().map(|r| (&r.source[..], &r.org_id[..], r.org_name.clone(), r.value)).collect();
        assert_eq!(got, [("f.csv", "0180", None, Some(1.0)), ("f.csv", "0181", None, Some(2.0))]);
        let other = one_row(Some(3.0), None);
        let mut named = one_row(Some(4.0), None);
        named.name[0] = named.names.intern("Norrvik");
        named.source[0] = named.sources.intern("g.csv");
        let stacked = Observations::concat(vec![obs, other.finish(), named.finish()]).unwrap();
        let r = stacked.records();
        let got: Vec<_> = r.iter().map(|r| (&r.source[..], r.org_name.as_deref(), r.value)).collect();
        let want = [("f.csv", None, 1.0), ("f.csv", None, 2.0), ("f.csv", None, 3.0), ("g.csv", Some("Norrvik"), 4.0)];
        assert_eq!(got, want.map(|(s, n, v)| (s, n, Some(v))));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("o.parquet");
        stacked.write_parquet(&path).unwrap();
        let back = ParquetReader::new(std::fs::File::open(&path).unwrap()).finish().unwrap();
        assert_eq!(Observations::new(back).unwrap().records(), r);
    }

    #[test]
    fn appended_rows_keep_their_strings() {
        let mut a = one_row(Some(1.0), None);
        let mut b = ObservationsBuilder::default();
        // Interned in another order than in `a`, with a string no row uses and a named org.
        let unused = b.orgs.intern("9999");
        let ids = RowIds {
            source: b.sources.intern("g.csv"),
            row: 7,
            org: b.orgs.intern("0180"),
            name: b.names.intern("Stockholm"),
            period: b.periods.intern("2024"),
            variable: b.variables.intern("v"),
            sex: Sex::K,
            age: b.ages.intern("0-17"),
            unit: b.units.intern("count"),
        };
        assert_ne!(ids.org, unused);
        b.push(ids, None, Some(Status::Missing));
        a.append(b);
        let r = a.finish().records();
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].org_name, None);
        let got = (&r[1].source[..], r[1].row, &r[1].org_id[..], r[1].org_name.as_deref(), &r[1].period[..]);
        assert_eq!(got, ("g.csv", 7, "0180", Some("Stockholm"), "2024"));
        assert_eq!(
            (&r[1].age_group[..], &r[1].unit[..], r[1].sex, r[1].status),
            ("0-17", "count", Sex::K, Some(Status::Missing))
        );
    }

    /// The value/status check finds the first disagreeing row across chunks, whether value
    /// and status share their chunks or not.
    #[test]
    fn value_status_disagreement_is_found_in_any_chunk() {
        let good = || one_row(Some(1.0), None).finish().into_frame();
        let mut bad = good();
        let status = one_row(None, Some(Status::Missing)).finish().into_frame().column("status").unwrap().clone();
        bad.with_column(status).unwrap();
        let mut frame = good();
        for part in [good(), bad.clone(), good(), bad] {
            frame.vstack_mut(&part).unwrap();
        }
        assert_eq!(frame.first_col_n_chunks(), 5);
        assert!(matches!(Observations::new(frame.clone()), Err(SchemaError::ValueStatus { index: 2, .. })));
        // The status in one chunk, the values in five.
        let status = frame.column("status").unwrap().rechunk();
        frame.with_column(status).unwrap();
        assert!(matches!(Observations::new(frame), Err(SchemaError::ValueStatus { index: 2, .. })));
    }

    #[test]
    fn schema_violations_are_refused() {
        let frame = one_row(Some(1.0), None).finish().into_frame();
        let swapped = frame.select(["row", "source"]).unwrap();
        assert!(matches!(Observations::new(swapped), Err(SchemaError::Columns { .. })));
        // A value under a status that says absent.
        let mut bad = frame.clone();
        let status = one_row(None, Some(Status::Missing)).finish().into_frame().column("status").unwrap().clone();
        bad.with_column(status).unwrap();
        assert!(matches!(Observations::new(bad), Err(SchemaError::ValueStatus { index: 0, .. })));
        // Codes as numbers are not an observation table.
        let mut numeric = frame;
        numeric.with_column(Column::new("org_id".into(), [180u32])).unwrap();
        assert!(matches!(Observations::new(numeric), Err(SchemaError::Type { column: "org_id", .. })));
    }
}
