//! Reading JSON leniently where Kolada varies (v2 and v3, rKolada's flattening) and strictly
//! where a wrong value would mislead: every refusal names the JSON path a user can look up in
//! the file (`values[3].values[1].gender`) and what was found there.
//!
//! Paths are a chain of borrowed segments on the stack, rendered only for an error, so walking a
//! 5 000-row page allocates nothing per value.

use std::fmt;

use serde_json::{Map, Value};

/// Where a value is in the document.
#[derive(Clone, Copy, Debug)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    seg: Seg<'a>,
}

#[derive(Clone, Copy, Debug)]
enum Seg<'a> {
    Root,
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    pub const ROOT: Path<'static> = Path { parent: None, seg: Seg::Root };

    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path { parent: Some(self), seg: Seg::Key(key) }
    }

    pub fn index(&'a self, i: usize) -> Path<'a> {
        Path { parent: Some(self), seg: Seg::Index(i) }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(parent) = self.parent {
            parent.fmt(f)?;
        }
        match self.seg {
            Seg::Root => Ok(()),
            Seg::Key(k) if self.parent.is_none_or(|p| matches!(p.seg, Seg::Root)) => f.write_str(k),
            Seg::Key(k) => write!(f, ".{k}"),
            Seg::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// A value that is not what Kolada sends there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub path: String,
    pub found: String,
    pub expected: String,
}

impl Refusal {
    pub fn new(path: Path<'_>, found: Option<&Value>, expected: impl Into<String>) -> Refusal {
        let path = path.to_string();
        let path = if path.is_empty() { "(top level)".to_string() } else { path };
        Refusal { path, found: describe(found), expected: expected.into() }
    }
}

/// A short description of what a JSON value is: strings quoted, numbers as written, containers
/// by kind.
pub fn describe(v: Option<&Value>) -> String {
    match v {
        None => "nothing (the field is absent)".into(),
        Some(Value::Null) => "null".into(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::String(s)) => format!("{s:?}"),
        Some(Value::Array(a)) => format!("an array of {}", a.len()),
        Some(Value::Object(_)) => "an object".into(),
    }
}

pub type Result<T> = std::result::Result<T, Refusal>;

pub fn object<'v>(v: &'v Value, at: Path<'_>, expected: &str) -> Result<&'v Map<String, Value>> {
    v.as_object().ok_or_else(|| Refusal::new(at, Some(v), expected))
}

pub fn array<'v>(v: Option<&'v Value>, at: Path<'_>) -> Result<&'v [Value]> {
    match v {
        Some(Value::Array(a)) => Ok(a),
        other => Err(Refusal::new(at, other, "an array")),
    }
}

/// A required string field.
pub fn string<'v>(obj: &'v Map<String, Value>, key: &str, at: Path<'_>) -> Result<&'v str> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s),
        other => Err(Refusal::new(at.key(key), other, "a string")),
    }
}

/// An optional string field (absent or null is `None`).
pub fn opt_string<'v>(obj: &'v Map<String, Value>, key: &str, at: Path<'_>) -> Result<Option<&'v str>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        other => Err(Refusal::new(at.key(key), other, "a string")),
    }
}

/// A flag written as `true`/`false` (v3) or `1`/`0` (v2); absent or null is `None`.
pub fn flag(obj: &Map<String, Value>, key: &str, at: Path<'_>) -> Result<Option<bool>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Number(n)) if n.as_u64() == Some(0) => Ok(Some(false)),
        Some(Value::Number(n)) if n.as_u64() == Some(1) => Ok(Some(true)),
        other => Err(Refusal::new(at.key(key), other, "true, false, 1 or 0")),
    }
}

/// A year written as a number (`2022`, as the API sends it) or a string (`"2022"`, as its
/// documentation says), as text.
pub fn number_or_string(obj: &Map<String, Value>, key: &str, at: Path<'_>) -> Result<String> {
    match obj.get(key) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) if n.is_u64() => Ok(n.to_string()),
        other => Err(Refusal::new(at.key(key), other, "a year such as 2023 (a number or a string)")),
    }
}

/// A value: a number, or null where Kolada has none.
pub fn opt_number(obj: &Map<String, Value>, key: &str, at: Path<'_>) -> Result<Option<f64>> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => {
            n.as_f64().map(Some).ok_or_else(|| Refusal::new(at.key(key), obj.get(key), "a number"))
        }
        other => Err(Refusal::new(at.key(key), other, "a number or null")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_like_the_file() {
        let root = Path::ROOT;
        let values = root.key("values");
        let third = values.index(3);
        let inner = third.key("values");
        let second = inner.index(1);
        assert_eq!(Refusal::new(second.key("gender"), None, "x").path, "values[3].values[1].gender");
        assert_eq!(Refusal::new(root.index(2), None, "x").path, "[2]");
        assert_eq!(Refusal::new(root, None, "x").path, "(top level)");
    }

    #[test]
    fn lenient_where_kolada_varies() {
        let v: Value = serde_json::json!({"a": 1, "b": false, "c": "2022", "d": 2022, "e": null, "f": 2});
        let o = v.as_object().unwrap();
        let at = Path::ROOT;
        assert_eq!(flag(o, "a", at), Ok(Some(true)));
        assert_eq!(flag(o, "b", at), Ok(Some(false)));
        assert_eq!(flag(o, "e", at), Ok(None));
        assert_eq!(flag(o, "f", at).unwrap_err().found, "2");
        assert_eq!(number_or_string(o, "c", at).unwrap(), "2022");
        assert_eq!(number_or_string(o, "d", at).unwrap(), "2022");
        assert_eq!(opt_number(o, "e", at), Ok(None));
        assert_eq!(opt_number(o, "c", at).unwrap_err().found, "\"2022\"");
        assert_eq!(string(o, "x", at).unwrap_err().found, "nothing (the field is absent)");
    }
}
