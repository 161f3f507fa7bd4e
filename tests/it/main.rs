//! jamfor's one integration-test binary (every extra binary re-links polars on a 2-core CI).

mod cli;
mod disclosure;
mod fixtures;
mod generate;
mod indicators;
mod kolada;
mod kolada_real;
mod px;
mod px_roundtrip;
mod records;
mod report;
mod roundtrip;
mod support;
