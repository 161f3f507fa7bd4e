//! The domain values every stage shares (DESIGN §3): organisations, sexes, periods, age bands,
//! statuses, units and roles, and the validated [`Observations`] table they make up.
//!
//! Each scalar has a `FromStr`/`parse` that documents every spelling it accepts and fails with a
//! typed error carrying what was found.

mod age;
mod floats;
pub mod observations;
mod org;
mod period;
mod role;
mod sex;
mod status;
mod unit;

pub use age::{AgeError, band_range, bands_partition, normalise_age};
pub use floats::Floats;
pub use observations::{ObservationRecord, Observations, SchemaError};
pub use org::{OrgId, OrgIdError};
pub use period::{Frequency, Period, PeriodError};
pub use role::Role;
pub use sex::{Sex, SexCodes, SexError};
pub use status::{Status, StatusError};
pub use unit::Unit;
