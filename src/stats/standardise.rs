//! Directly standardised rates (DSR): age-specific rates weighted by one fixed standard population,
//! with Dobson et al.'s interval, as PHE's `calculate_dsr` (STATISTICS.md §1.6, §5).
//!
//! Use one combined-sex standard for both women and men, so that the standardised gap reflects the
//! two sexes' age-specific rates and not two different standards.

use super::poisson::byar;
use super::{Interval, Method, NoInterval};

/// Below this many events in total PHE's `calculate_dsr` returns no DSR at all.
pub const MIN_EVENTS: f64 = 10.0;

/// One stratum (e.g. an age band) of a directly standardised rate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Stratum {
    /// Events (or persons) counted in the stratum.
    pub x: f64,
    /// The stratum's population (the denominator of its rate).
    pub n: f64,
    /// The standard population of the stratum (Nᵢ); only the shares Nᵢ/ΣN matter.
    pub standard: f64,
}

/// The directly standardised rate `DSR = Σᵢ wᵢ xᵢ/nᵢ`, wᵢ = Nᵢ/ΣN, per `per`, and Dobson's interval:
/// with `var = Σᵢ xᵢ (Nᵢ/nᵢ)² / (ΣN)²`, O = Σxᵢ and Byar's limits (O_L, O_U) of O,
/// `L = DSR + √(var/O)·(O_L − O)`, `U = DSR + √(var/O)·(O_U − O)`, times `per`.
///
/// Dobson, Kuulasmaa, Eberle & Scherer 1991, Stat Med 10:457; PHEindicatormethods `calculate_dsr`
/// (`R/DSR.R`, replacing the deprecated `phe_dsr`), which uses Byar's limits for O where Dobson used exact
/// ones (the two differ in the 4th significant digit). The default because it is PHE's, and treats the
/// DSR as a weighted sum of Poisson counts, so the interval is asymmetric like the count's.
///
/// # Errors
/// [`NoInterval::EmptyDenominator`] if a stratum's population is 0 or the standard population sums to
/// 0 (or there are no strata); [`NoInterval::TooFewEvents`] if O < 10, where PHE withholds the DSR;
/// [`NoInterval::Negative`] or [`NoInterval::NotFinite`] for impossible inputs.
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn dobson(strata: &[Stratum], per: f64, level: f64) -> Result<(f64, Interval), NoInterval> {
    if !per.is_finite() {
        return Err(NoInterval::NotFinite);
    }
    if per < 0.0 {
        return Err(NoInterval::Negative);
    }
    let (mut total_standard, mut observed) = (0.0, 0.0);
    for s in strata {
        if !(s.x.is_finite() && s.n.is_finite() && s.standard.is_finite()) {
            return Err(NoInterval::NotFinite);
        }
        if s.x < 0.0 || s.n < 0.0 || s.standard < 0.0 {
            return Err(NoInterval::Negative);
        }
        if s.n == 0.0 {
            return Err(NoInterval::EmptyDenominator);
        }
        total_standard += s.standard;
        observed += s.x;
    }
    if total_standard == 0.0 {
        return Err(NoInterval::EmptyDenominator);
    }
    if observed < MIN_EVENTS {
        return Err(NoInterval::TooFewEvents);
    }
    let (mut weighted, mut var) = (0.0, 0.0);
    for s in strata {
        let w = s.standard / s.n;
        weighted += s.x * w;
        var += s.x * w * w;
    }
    let dsr = weighted / total_standard;
    var /= total_standard * total_standard;
    let (o_low, o_high) = byar(observed, level);
    let k = (var / observed).sqrt();
    let iv = Interval {
        low: (dsr + k * (o_low - observed)) * per,
        high: (dsr + k * (o_high - observed)) * per,
        method: Method::Dobson,
    };
    Ok((dsr * per, iv))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    const STANDARD: [f64; 3] = [7000.0, 2500.0, 500.0];

    fn strata(x: [f64; 3], n: [f64; 3]) -> Vec<Stratum> {
        (0..3).map(|i| Stratum { x: x[i], n: n[i], standard: STANDARD[i] }).collect()
    }

    /// STATISTICS.md E6 (women), PHE `calculate_dsr`: DSR = 0.70·5 + 0.25·40 + 0.05·200 = 23.5 per 1000,
    /// var = 3.707738e-6, √(var/O)·1000 = 0.157220, Dobson/PHE (19.8768, 27.5906).
    #[test]
    fn dobson_e6_women() {
        let (dsr, iv) = dobson(&strata([20.0, 60.0, 70.0], [4000.0, 1500.0, 350.0]), 1000.0, 0.95).unwrap();
        assert!(close(dsr, 23.5));
        assert!(close(iv.low, 19.8768) && close(iv.high, 27.5906), "{iv:?}");
        assert_eq!(iv.method, Method::Dobson);
    }

    /// STATISTICS.md E6 (men): DSR 23.5 per 1000, Dobson/PHE (18.7712, 29.0370).
    #[test]
    fn dobson_e6_men() {
        let (dsr, iv) = dobson(&strata([19.0, 40.0, 30.0], [3800.0, 1000.0, 150.0]), 1000.0, 0.95).unwrap();
        assert!(close(dsr, 23.5));
        assert!(close(iv.low, 18.7712) && close(iv.high, 29.0370), "{iv:?}");
    }

    /// PHE `calculate_dsr` withholds the DSR when the total count is below 10.
    #[test]
    fn dobson_withheld_below_10_events() {
        let nine = strata([2.0, 3.0, 4.0], [4000.0, 1500.0, 350.0]);
        assert_eq!(dobson(&nine, 1000.0, 0.95), Err(NoInterval::TooFewEvents));
        let ten = strata([2.0, 3.0, 5.0], [4000.0, 1500.0, 350.0]);
        assert!(dobson(&ten, 1000.0, 0.95).is_ok());
    }

    #[test]
    fn dobson_rejects_empty_strata() {
        let empty_band = strata([20.0, 60.0, 70.0], [4000.0, 0.0, 350.0]);
        assert_eq!(dobson(&empty_band, 1000.0, 0.95), Err(NoInterval::EmptyDenominator));
        assert_eq!(dobson(&[], 1000.0, 0.95), Err(NoInterval::EmptyDenominator));
        let negative = strata([20.0, -1.0, 70.0], [4000.0, 1500.0, 350.0]);
        assert_eq!(dobson(&negative, 1000.0, 0.95), Err(NoInterval::Negative));
    }
}
