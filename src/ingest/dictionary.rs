//! Record tables hold their key columns (organisation, period, sex) as dictionary codes
//! (polars' `Categorical`), and a query sees a column as codes only where it uses it in ways
//! codes and text agree on.
//!
//! Why: keys repeat few values over many rows (290 organisations, 12 months, two sexes over
//! 10 M home-care records). As text every row holds a 16-byte view, and polars 0.55 groups text
//! keys by row-encoding and hashing every row's bytes: the shipped home-care query took 1.8 GB
//! above its 0.95 GB table, for a peak of 2.8 GB. As codes a key takes 4 bytes a row and
//! grouping hashes integers: the same run peaks at 1.6 GB and its query takes 0.7 instead of
//! 1.0 s (README, Performance). The indicator's `age_group` is added as codes too.
//!
//! Codes and text agree on what SQL does with a key: grouping, `=`/`<>`, ordering and
//! `<`/`BETWEEN` (polars orders categoricals by their strings), `IN`, `IS NULL`, `COUNT`, and
//! plain selection (jamfor reads every result column as text). They do not agree on the rest:
//! polars' string functions (`SUBSTRING`, `LIKE`, `UPPER`, `LENGTH`…) refuse codes, and a cast
//! or arithmetic could read the code instead of the text. So [`text_columns`] reads the query
//! with the parser polars' SQL uses and names every column it uses in any other way, or
//! compares with one that is; the query sees those as text.

use std::collections::{BTreeSet, HashMap};
use std::ops::ControlFlow;
use std::sync::Arc;

use polars::prelude::*;
use rayon::prelude::*;
use sqlparser::ast::{
    BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr, OrderBy, OrderByKind, Query,
    Select, SelectItem, Value, Visit, Visitor,
};
use sqlparser::dialect::GenericDialect;
use sqlparser::parser::Parser;

/// The one dictionary every record table's codes come from, so that codes of two tables
/// compare (a join on `org_id`); polars frees it with the last column that uses it.
fn categories() -> Arc<Categories> {
    Categories::new("records".into(), "jamfor".into(), CategoricalPhysical::U32)
}

/// The dtype of a text column held as codes.
pub fn codes() -> DataType {
    DataType::from_categories(categories())
}

/// The key columns every record table names this way (`records::column_kind`): few values by
/// nature, and the `GROUP BY` of nearly every query. Other text columns (a person's id, an
/// activity) stay text: a person id has millions of values, which as codes would take longer
/// to encode (0.75 s for 2.2 M ids in 10 M records) than they save.
const KEYS: [&str; 3] = ["org_id", "period", "sex"];

/// `frame` with its text key columns as codes (a Parquet file's keys are codes already, made
/// as they are read), and any other categorical column (a Parquet file's own) as text, like the
/// rest of the text columns.
pub fn encode(mut frame: DataFrame) -> PolarsResult<DataFrame> {
    let names: Vec<PlSmallStr> = frame.get_column_names().into_iter().cloned().collect();
    for name in names {
        let column = frame.column(&name)?;
        let key = KEYS.contains(&name.as_str());
        let recoded = match column.dtype() {
            DataType::String if key => to_codes(column)?,
            t if t.is_categorical() && !key => column.cast(&DataType::String)?,
            _ => continue,
        };
        frame.with_column(recoded)?;
    }
    Ok(frame)
}

/// A text column as codes, cast in row ranges on the pool (polars' cast looks every row's text
/// up in the shared dictionary on one thread: 100 ms for 10 M records).
pub fn to_codes(text: &Column) -> PolarsResult<Column> {
    let codes = codes();
    let step = text.len().div_ceil(2 * rayon::current_num_threads()).max(1 << 16);
    let parts = (0..text.len())
        .step_by(step)
        .collect::<Vec<_>>()
        .into_par_iter()
        .map(|start| text.slice(start as i64, step).cast(&codes))
        .collect::<PolarsResult<Vec<Column>>>()?;
    let mut parts = parts.into_iter();
    let mut coded = parts.next().unwrap_or_else(|| Column::new_empty(text.name().clone(), &codes));
    for part in parts {
        coded.append_owned(part)?;
    }
    Ok(coded)
}

/// The columns a query must see as text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextColumns {
    /// Every column (the query did not parse: polars will say why).
    All,
    /// These names, lower-cased (SQL names are compared without case, which can only add names).
    Named(BTreeSet<String>),
}

impl TextColumns {
    pub fn contains(&self, column: &str) -> bool {
        match self {
            TextColumns::All => true,
            TextColumns::Named(names) => names.contains(&column.to_lowercase()),
        }
    }
}

/// The columns `sql` uses other than as a key: anything but a plain select item (under its own
/// name), a `GROUP BY` or `ORDER BY` term, a comparison, `IN` list or `BETWEEN` against string
/// literals, `IS [NOT] NULL` or `COUNT([DISTINCT] column)`. A column compared with another
/// column (`a.org_id = b.org_id`) is text when the other is, so that both sides agree.
pub fn text_columns(sql: &str) -> TextColumns {
    let Ok(statements) = Parser::new(&GenericDialect).try_with_sql(sql).and_then(|mut p| p.parse_statements()) else {
        return TextColumns::All;
    };
    let mut uses = Uses::default();
    let _ = statements.visit(&mut uses);
    let mut text: BTreeSet<String> = uses
        .all
        .iter()
        .filter(|(name, n)| uses.as_key.get(*name).copied().unwrap_or(0) < **n)
        .map(|(name, _)| name.clone())
        .collect();
    // Compared columns share their form: spread text along the pairs until nothing changes.
    loop {
        let more: Vec<String> = uses
            .pairs
            .iter()
            .filter_map(|(a, b)| match (text.contains(a), text.contains(b)) {
                (true, false) => Some(b.clone()),
                (false, true) => Some(a.clone()),
                _ => None,
            })
            .collect();
        if more.is_empty() {
            break;
        }
        text.extend(more);
    }
    TextColumns::Named(text)
}

/// How often each column name occurs, and how often as a key.
#[derive(Default)]
struct Uses {
    all: HashMap<String, usize>,
    as_key: HashMap<String, usize>,
    /// Columns compared with each other.
    pairs: Vec<(String, String)>,
}

/// The column an expression is, if it is one: `org_id` or `t.org_id`.
fn column(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(i) => Some(i.value.to_lowercase()),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| i.value.to_lowercase()),
        _ => None,
    }
}

fn is_string_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)))
}

impl Uses {
    fn key(&mut self, e: &Expr) {
        if let Some(name) = column(e) {
            *self.as_key.entry(name).or_default() += 1;
        }
    }
}

impl Visitor for Uses {
    type Break = ();

    fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
        if let Some(name) = column(e) {
            *self.all.entry(name).or_default() += 1;
        }
        match e {
            Expr::BinaryOp { left, op, right } => {
                let ordering =
                    matches!(op, BinaryOperator::Lt | BinaryOperator::LtEq | BinaryOperator::Gt | BinaryOperator::GtEq);
                if !ordering && !matches!(op, BinaryOperator::Eq | BinaryOperator::NotEq) {
                    return ControlFlow::Continue(());
                }
                match (column(left), column(right)) {
                    (Some(a), Some(b)) if !ordering => {
                        self.key(left);
                        self.key(right);
                        self.pairs.push((a, b));
                    }
                    (Some(_), None) if is_string_literal(right) => self.key(left),
                    (None, Some(_)) if is_string_literal(left) => self.key(right),
                    _ => {}
                }
            }
            Expr::InList { expr, list, .. } if list.iter().all(is_string_literal) => self.key(expr),
            Expr::Between { expr, low, high, .. } if is_string_literal(low) && is_string_literal(high) => {
                self.key(expr)
            }
            Expr::IsNull(x) | Expr::IsNotNull(x) => self.key(x),
            Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("count") => {
                if let FunctionArguments::List(list) = &f.args
                    && let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_slice()
                {
                    self.key(arg);
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &Select) -> ControlFlow<()> {
        for item in &select.projection {
            match item {
                SelectItem::UnnamedExpr(e) => self.key(e),
                SelectItem::ExprWithAlias { expr, alias } if column(expr) == Some(alias.value.to_lowercase()) => {
                    self.key(expr);
                }
                _ => {}
            }
        }
        if let GroupByExpr::Expressions(terms, _) = &select.group_by {
            terms.iter().for_each(|t| self.key(t));
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        if let Some(OrderBy { kind: OrderByKind::Expressions(terms), .. }) = &query.order_by {
            terms.iter().for_each(|t| self.key(&t.expr));
        }
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(sql: &str) -> Vec<String> {
        match text_columns(sql) {
            TextColumns::All => vec!["*".into()],
            TextColumns::Named(n) => n.into_iter().collect(),
        }
    }

    #[test]
    fn keys_stay_codes() {
        let sql = "WITH g AS (SELECT org_id, period, sex, age_group, SUM(h) AS hours, \
                   COUNT(DISTINCT person_id) AS n FROM t WHERE age_group IS NOT NULL AND sex IN ('K', 'M') \
                   AND period BETWEEN '2024-01' AND '2024-06' AND org_id <> 'X0000' \
                   GROUP BY org_id, period, sex, age_group) \
                   SELECT org_id, period, sex, age_group AS age_group, 'v' AS variable, hours AS value FROM g \
                   UNION ALL SELECT * FROM g ORDER BY org_id";
        // `h` is summed and `hours` is selected under another name: both are values, not keys,
        // and are named (they are numbers, so naming them changes nothing).
        assert_eq!(text(sql), ["h", "hours"]);
        assert_eq!(
            text("SELECT a.org_id FROM a JOIN b ON a.org_id = b.org_id WHERE 'K' = a.sex"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn other_uses_need_text() {
        for (sql, want) in [
            ("SELECT SUBSTRING(org_id, 1, 2) AS c FROM t", vec!["org_id"]),
            ("SELECT org_id FROM t WHERE sex LIKE 'K%'", vec!["sex"]),
            ("SELECT UPPER(sex) AS s, org_id FROM t GROUP BY org_id, sex", vec!["sex"]),
            ("SELECT CAST(org_id AS INT) AS c FROM t", vec!["org_id"]),
            ("SELECT org_id || sex AS c FROM t", vec!["org_id", "sex"]),
            ("SELECT org_id AS kommun FROM t", vec!["org_id"]),
            ("SELECT org_id FROM t WHERE org_id = 180", vec!["org_id"]),
            ("SELECT org_id FROM t WHERE org_id < other", vec!["org_id", "other"]),
            ("SELECT COUNT(DISTINCT CASE WHEN heltid = 'ja' THEN id END) AS n FROM t", vec!["id"]),
            ("SELECT CASE sex WHEN 'K' THEN 1 END AS k FROM t", vec!["sex"]),
            // Joined columns share their form: `kommun` needs text, so `org_id` gets it too.
            (
                "SELECT a.org_id FROM a JOIN b ON a.org_id = b.kommun WHERE LENGTH(b.kommun) = 4",
                vec!["kommun", "org_id"],
            ),
            ("SELEKT nothing", vec!["*"]),
        ] {
            assert_eq!(text(sql), want, "{sql}");
        }
        assert!(TextColumns::Named(["org_id".into()].into()).contains("ORG_ID"), "names compare without case");
    }

    #[test]
    fn encoding_keeps_the_text() {
        // Enough rows for several parts on the pool, in an order the parts must keep.
        let orgs: Vec<String> = (0..300_000u64).map(|i| format!("X{:04}", (i * 7919) % 290)).collect();
        let ids: Vec<String> = (0..300_000).map(|i| format!("B{i}")).collect();
        let n: Vec<i64> = (0..300_000).collect();
        let frame = df!("org_id" => &orgs, "person_id" => &ids, "n" => n).unwrap();
        let mut with_file_codes = frame.clone();
        with_file_codes
            .with_column(
                frame
                    .column("person_id")
                    .unwrap()
                    .cast(&DataType::from_categories(Categories::random("file".into(), CategoricalPhysical::U32)))
                    .unwrap(),
            )
            .unwrap();
        for frame_in in [frame.clone(), with_file_codes] {
            let coded = encode(frame_in).unwrap();
            assert_eq!(coded.column("org_id").unwrap().dtype(), &codes());
            assert_eq!(coded.column("person_id").unwrap().dtype(), &DataType::String, "not a key: text");
            assert_eq!(coded.column("n").unwrap().dtype(), &DataType::Int64);
            let back = coded.column("org_id").unwrap().cast(&DataType::String).unwrap();
            assert_eq!(back, *frame.column("org_id").unwrap());
            assert_eq!(coded.column("person_id").unwrap(), frame.column("person_id").unwrap());
        }
    }
}
