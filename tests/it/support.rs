//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::Command;

use jamfor::ingest::{self, Input};
use jamfor::model::ObservationRecord;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixtures() -> PathBuf {
    root().join("tests").join("fixtures")
}

/// Runs the `jamfor` binary in `dir`; returns exit code, stdout and stderr in one text, as users
/// see them.
pub fn jamfor(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jamfor")).current_dir(dir).args(args).output().expect("run jamfor");
    let code = out.status.code().unwrap_or(-1);
    let text = format!(
        "exit: {code}\n--- stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (code, text)
}

/// The round file beside a fixture (`NAME.round.toml`), if any.
pub fn round_beside(path: &Path) -> Option<PathBuf> {
    let stem = path.file_stem()?.to_str()?;
    let round = path.with_file_name(format!("{stem}.round.toml"));
    round.exists().then_some(round)
}

/// Ingests one file with the hints of the round beside it, named by its file name.
pub fn ingest_file(path: &Path) -> ingest::Ingested {
    let input = match round_beside(path) {
        Some(round) => {
            let round =
                jamfor::round::load(&round).unwrap_or_else(|p| panic!("round beside {}: {p:?}", path.display()));
            let mut input = round.inputs.into_iter().next().expect("fixture rounds list their file");
            input.path = path.to_path_buf();
            input
        }
        None => Input::from_path(path),
    };
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    ingest::ingest(&[Input { source: name, ..input }])
}

/// Records as CSV lines, for snapshots and comparisons.
pub fn records_text(records: &[ObservationRecord]) -> String {
    let mut s = String::from("source,row,org_id,org_name,period,variable,sex,age_group,value,status,unit\n");
    for r in records {
        s.push_str(&format!(
            "{},{},{},{},{},{},{},{},{},{},{}\n",
            r.source,
            r.row,
            r.org_id,
            r.org_name.as_deref().map_or("<null>".to_string(), |n| format!("{n:?}")),
            r.period,
            r.variable,
            r.sex,
            r.age_group,
            r.value.map_or("<null>".to_string(), |v| v.to_string()),
            r.status.map_or("", |s| s.name()),
            r.unit
        ));
    }
    s
}

/// `../shared/realdata/<sub>` when it is there; tests using real public data skip without it
/// (it is never committed).
pub fn realdata(sub: &str) -> Option<PathBuf> {
    let dir = root().join("../shared/realdata").join(sub);
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is absent", dir.display());
        None
    }
}
