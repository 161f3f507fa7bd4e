//! The PC-Axis (`.px`) reader: jamfor's own, since no Rust one exists.
//!
//! ## Overview
//! It knows nothing of polars (as csv-core sits under csv): bytes in, a [`PxTable`] out — typed
//! metadata and the cube's cells — and only [`frame`] turns a table into observations. It could
//! become its own crate.
//!
//! ```text
//! file ─► metadata bytes up to DATA= ─► lexer ─► statements ─► encoding ─► meta ─┐
//!    └──────────────────────────────── streamed DATA ─► data (f64 + sparse symbols) ┴► PxTable
//! ```
//!
//! ## Source code layout
//! - [`decode`]: which encoding strings are in, and why (PCAXIS.md §1.3);
//! - [`lexer`]: `KEYWORD[lang]("sub")=values;` without escapes, pieces joined;
//! - [`meta`]: variables, languages, time, contents, notes;
//! - [`data`]: the dense or KEYS cube, streamed: `scan` cuts tokens, `cells` reads numbers and
//!   symbols, `chunks` spreads large dense blocks over threads;
//! - [`error`]: errors with byte offsets, turned into line and column when reported.
//!
//! The format as real files use it, and what other readers get wrong: `../shared/PCAXIS.md`.

mod cells;
mod chunks;
pub mod data;
pub mod decode;
pub mod error;
pub mod lexer;
pub mod meta;
mod scan;
pub mod writer;

use std::io::Read;
use std::path::Path;

pub use data::{Data, Symbol, Tuning};
pub use error::{PxError, PxErrorKind};
pub use meta::{Meta, Variable};

/// A parsed PX file.
#[derive(Clone, Debug, PartialEq)]
pub struct PxTable {
    pub meta: Meta,
    pub data: Data,
}

const META_CHUNK: usize = 1 << 16;

/// Reads a PX file from disk.
pub fn read_path(path: &Path) -> Result<PxTable, PxError> {
    let file = std::fs::File::open(path).map_err(|e| PxError::new(PxErrorKind::Io(e.to_string()), 0))?;
    read(file)
}

/// Reads a PX file from any reader: the metadata is buffered, the data streamed.
pub fn read(reader: impl Read) -> Result<PxTable, PxError> {
    read_with(reader, Tuning::default())
}

/// [`read`], with the data block read as `tuning` says.
pub fn read_with(mut reader: impl Read, tuning: Tuning) -> Result<PxTable, PxError> {
    let mut buf: Vec<u8> = Vec::new();
    let mut data_at = None;
    loop {
        let old = buf.len();
        buf.resize(old + META_CHUNK, 0);
        let n = loop {
            match reader.read(&mut buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(PxError::new(PxErrorKind::Io(e.to_string()), old as u64)),
            }
        };
        buf.truncate(old + n);
        // Metadata is small: rescanning from the start keeps quote tracking exact.
        if let Some(at) = lexer::find_data(&buf) {
            data_at = Some(at);
            break;
        }
        if n == 0 {
            break;
        }
    }
    let bom = buf.starts_with(&[0xEF, 0xBB, 0xBF]);
    let skip = if bom { 3 } else { 0 };
    let text = &buf[skip..];
    let data_at = data_at.map(|d| d - skip);
    let meta_end = data_at.unwrap_or(text.len());
    let lexed = lexer::lex(&text[..meta_end]).map_err(|e| e.locate(text))?;
    let Some(data_start) = lexed.data.or(data_at) else {
        if text.iter().all(u8::is_ascii_whitespace) {
            return Err(PxError::new(PxErrorKind::Empty, 0).locate(text));
        }
        return Err(PxError::new(PxErrorKind::NoData, text.len() as u64).locate(text));
    };
    let raw = |kw| meta::raw_value(&lexed.statements, kw).map(|v| String::from_utf8_lossy(v).into_owned());
    let (charset, warning) =
        decode::Charset::resolve(&text[..data_start], bom, raw("CHARSET").as_deref(), raw("CODEPAGE").as_deref());
    let meta = meta::build(&lexed.statements, charset, warning.into_iter().collect()).map_err(|e| e.locate(text))?;
    let before = &text[..data_start];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1) as u64;
    let data = data::read(&meta, &text[data_start..], reader, (data_start as u64, line, line_start), tuning)?;
    Ok(PxTable { meta, data })
}

/// Reads a PX file held in memory (tests, fuzzing).
pub fn read_bytes(bytes: &[u8]) -> Result<PxTable, PxError> {
    read(bytes)
}
