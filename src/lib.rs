//! # jamfor — benchmarking analytics for sex-disaggregated indicators
//!
//! Swedish municipalities and regions compare their services for women and men, girls and boys,
//! with partner organisations and with all municipalities (SKR's *Modellkommuner* benchmarking).
//! jamfor is the pipeline behind that comparison:
//!
//! ```text
//!  inputs (CSV, xlsx, PX, Kolada JSON, record extracts)      queries/ (indicator catalogue)
//!        │                                                        │
//!        ▼                                                        ▼
//!  ingest ──► Observations ──► indicators ──► compare ──► render (report.html, charts, xlsx)
//! ```
//!
//! Each arrow is a typed value wrapping a polars frame whose schema its constructor checks.
//!
//! ## Source layout
//! - [`model`]: organisation codes, sexes, periods, statuses, units, roles, and [`model::Observations`].
//! - [`round`]: `round.toml` → a checked [`round::Round`] (roles, periods, inputs with hints).
//! - [`ingest`]: files → observations, with positioned errors.
//! - [`error`]: [`error::Location`] and [`error::Problem`], shared by every stage.
//! - [`allocator`]: the allocator the binaries use (mimalloc, keeping freed memory for reuse).
//! - [`timings`]: `JAMFOR_TIMINGS=1` prints where a run's time goes.
//! - [`cli`]: the `jamfor` subcommands (the binary is a thin shell around [`cli::run`]).

pub mod allocator;
pub mod cli;
pub mod compare;
pub mod disclosure;
pub mod error;
pub mod generate;
pub mod indicators;
pub mod ingest;
pub mod model;
pub mod render;
pub mod round;
pub mod stats;
pub mod timings;
