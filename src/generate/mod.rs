//! `jamfor generate`: the fictional data jamfor ships and benchmarks on, from a seed.
//!
//! Same seed, same bytes: every draw comes from one [`rng::Rng`] stream (SplitMix64), forked
//! per file so that changing one file's recipe leaves the others as they were; nothing reads
//! the clock, the environment or a hash map's order. The test `generated_round_is_committed`
//! regenerates `data/` and compares it byte for byte with what is committed.
//!
//! - [`round`] (`--scale round`): the embedded benchmarking round in `data/` — 290 invented
//!   municipalities and 20 regions, 2015–2024, inputs in every shape jamfor reads.
//! - [`kolada`] (`--scale kolada`): the ≈ 9.4 M-observation Parquet set the benchmarks use.

pub mod kolada;
pub mod rng;
pub mod round;
pub mod world;

use std::path::{Path, PathBuf};

pub use rng::Rng;

/// The seed of the committed `data/`.
pub const DEFAULT_SEED: u64 = 2024;

/// What to generate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scale {
    /// The embedded round (`data/`).
    Round,
    /// The benchmark set (one Parquet file).
    Kolada,
}

/// Why generation failed (only the file system or a writer can fail it).
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("{path} would hold characters Windows-1252 cannot encode")]
    Encoding { path: String },
    #[error("writing Excel: {0}")]
    Xlsx(String),
    #[error("writing Parquet: {0}")]
    Polars(String),
}

/// How a text file is encoded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf8Bom,
    Windows1252,
}

/// One file written, for the summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// Relative to the output folder, with `/`.
    pub path: String,
    /// Data rows (cells for PX, rows for tables, 0 for the round file and README).
    pub rows: usize,
    pub bytes: usize,
}

/// Writes files under one folder and remembers what was written.
#[derive(Debug)]
pub struct Files {
    out: PathBuf,
    pub written: Vec<Written>,
}

impl Files {
    pub fn new(out: &Path) -> Files {
        Files { out: out.to_path_buf(), written: Vec::new() }
    }

    /// Writes `text` in `encoding` (Windows-1252 refuses characters it cannot hold).
    pub fn text(&mut self, path: &str, text: String, encoding: Encoding, rows: usize) -> Result<(), GenerateError> {
        let bytes = match encoding {
            Encoding::Utf8 => text.into_bytes(),
            Encoding::Utf8Bom => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
            Encoding::Windows1252 => {
                let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
                if unmappable {
                    return Err(GenerateError::Encoding { path: path.into() });
                }
                bytes.into_owned()
            }
        };
        self.bytes(path, bytes, rows)
    }

    pub fn bytes(&mut self, path: &str, bytes: Vec<u8>, rows: usize) -> Result<(), GenerateError> {
        let full = self.out.join(path);
        let io = |e| GenerateError::Write { path: full.display().to_string(), source: e };
        if let Some(dir) = full.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        std::fs::write(&full, &bytes).map_err(io)?;
        self.written.push(Written { path: path.into(), rows, bytes: bytes.len() });
        Ok(())
    }
}

/// Generates `scale` into `out` (a folder for the round, a file path for the Kolada set).
pub fn generate(seed: u64, scale: Scale, out: &Path) -> Result<Vec<Written>, GenerateError> {
    match scale {
        Scale::Round => {
            let mut files = Files::new(out);
            round::write(seed, &mut files)?;
            Ok(files.written)
        }
        Scale::Kolada => {
            let rows = kolada::write(seed, out)?;
            let bytes = std::fs::metadata(out).map(|m| m.len() as usize).unwrap_or(0);
            Ok(vec![Written { path: out.display().to_string(), rows, bytes }])
        }
    }
}
