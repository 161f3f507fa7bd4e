//! Is it getting better, and is the gap closing? Linear trends over the last points, as
//! Fingertips' trend markers (STATISTICS.md §4.7, `TrendMarkerCalculator.cs`).
//!
//! The change between two years uses the difference methods of [`super::difference`] (the
//! people differ from year to year, so the samples are independent); this module tests a
//! steady direction over five or more points.

use statrs::distribution::{ChiSquared, ContinuousCDF};

/// A trend test's result: the statistic, its p-value (χ² with 1 df) and the direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Trend {
    /// The slope: per period on the value's scale for [`weighted_slope`]; for
    /// [`cochran_armitage`] only its sign is meaningful (`N·Σxt − X·Σnt`, scaled by N²).
    pub slope: f64,
    /// Standard error of the slope ([`weighted_slope`] only).
    pub se: Option<f64>,
    pub chi2: f64,
    pub p: f64,
}

impl Trend {
    /// Fingertips' marker: significant when χ² exceeds the critical value at `level` (0.998 in
    /// Fingertips, to keep false alarms rare over many indicators).
    pub fn significant(&self, level: f64) -> bool {
        self.chi2 > super::funnel::chi2_critical(level)
    }
}

fn p_value(chi2: f64) -> f64 {
    1.0 - ChiSquared::new(1.0).expect("1 df").cdf(chi2)
}

/// The Cochran–Armitage χ² test for a linear trend in proportions `(x, n)` at t = 1, 2, …:
/// `χ² = N·(N·Σxₜt − X·Σnₜt)² / [X(N − X)·(N·Σnₜt² − (Σnₜt)²)]`, N = Σnₜ, X = Σxₜ.
///
/// Cochran 1954 (Biometrics 10:417), Armitage 1955 (Biometrics 11:375); R's `prop.trend.test`
/// and Fingertips' `TrendMarkerCalculator`. `None` with fewer than 2 points, or when the
/// statistic is undefined (no events, or all events).
pub fn cochran_armitage(points: &[(f64, f64)]) -> Option<Trend> {
    if points.len() < 2 {
        return None;
    }
    let (mut n, mut x, mut xt, mut nt, mut nt2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &(xi, ni)) in points.iter().enumerate() {
        let t = (i + 1) as f64;
        n += ni;
        x += xi;
        xt += xi * t;
        nt += ni * t;
        nt2 += ni * t * t;
    }
    let numerator = n * xt - x * nt;
    let denominator = x * (n - x) * (n * nt2 - nt * nt);
    if denominator <= 0.0 {
        return None;
    }
    let chi2 = n * numerator * numerator / denominator;
    Some(Trend { slope: numerator / (n * n), se: None, chi2, p: p_value(chi2) })
}

/// Weighted least squares of value on t = 1, 2, … with weights 1/SEₜ²:
/// `b = (S₁S₂ − S₃S₄)/(S₁S₅ − S₃²)`, `SE(b) = √(S₁/(S₁S₅ − S₃²))`, `χ² = (b/SE)²`, with
/// S₁ = Σw, S₂ = Σw·y·t, S₃ = Σw·t, S₄ = Σw·y, S₅ = Σw·t².
///
/// Fingertips' trend marker for indicators other than proportions; SEₜ is taken from the 95 %
/// interval as (U − L)/3.92 by [`se_from_interval`]. `None` with fewer than 2 points or a
/// non-positive SE.
pub fn weighted_slope(points: &[(f64, f64)]) -> Option<Trend> {
    if points.len() < 2 || points.iter().any(|&(_, se)| se <= 0.0 || !se.is_finite()) {
        return None;
    }
    let (mut s1, mut s2, mut s3, mut s4, mut s5) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (i, &(y, se)) in points.iter().enumerate() {
        let (t, w) = ((i + 1) as f64, 1.0 / (se * se));
        s1 += w;
        s2 += w * y * t;
        s3 += w * t;
        s4 += w * y;
        s5 += w * t * t;
    }
    let d = s1 * s5 - s3 * s3;
    if d <= 0.0 {
        return None;
    }
    let b = (s1 * s2 - s3 * s4) / d;
    let se = (s1 / d).sqrt();
    let chi2 = (b / se).powi(2);
    Some(Trend { slope: b, se: Some(se), chi2, p: p_value(chi2) })
}

/// The standard error behind a 95 % interval, (U − L)/3.92, as Fingertips takes it.
pub fn se_from_interval(low: f64, high: f64) -> f64 {
    (high - low) / 3.92
}

/// Whether the direction survives leaving out each point in turn (Fingertips' second
/// condition for a trend marker): `test` on every leave-one-out subset has the sign of `full`.
pub fn robust_direction(points: &[(f64, f64)], full: &Trend, test: fn(&[(f64, f64)]) -> Option<Trend>) -> bool {
    (0..points.len()).all(|skip| {
        let rest: Vec<(f64, f64)> = points.iter().enumerate().filter(|&(i, _)| i != skip).map(|(_, &p)| p).collect();
        test(&rest).is_some_and(|t| t.slope.signum() == full.slope.signum() && t.slope != 0.0)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::difference;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    /// STATISTICS.md §4.7, E9: x = 30, 34, 38, 41, 45 of n = 60, 61, 60, 62, 60: χ² = 9.3203,
    /// p = 0.0023; significant at 95 % but not at Fingertips' 99.8 %.
    #[test]
    fn e9_cochran_armitage() {
        let points = [(30.0, 60.0), (34.0, 61.0), (38.0, 60.0), (41.0, 62.0), (45.0, 60.0)];
        let t = cochran_armitage(&points).unwrap();
        assert!(close(t.chi2, 9.3203), "{t:?}");
        assert!((t.p - 0.0023).abs() < 5e-5, "{t:?}");
        assert!(t.slope > 0.0);
        assert!(t.significant(0.95) && !t.significant(0.998));
        assert!(robust_direction(&points, &t, cochran_armitage));
    }

    /// §4.7's WLS example: 6.0, 6.3, 6.1, 6.8, 7.2, each with a 95 % interval ± 0.5:
    /// b = 0.2900, SE 0.0807, χ² = 12.9231, increasing.
    #[test]
    fn weighted_slope_example() {
        let se = se_from_interval(-0.5, 0.5);
        let points: Vec<(f64, f64)> = [6.0, 6.3, 6.1, 6.8, 7.2].iter().map(|&y| (y, se)).collect();
        let t = weighted_slope(&points).unwrap();
        assert!(close(t.slope, 0.29) && close(t.se.unwrap(), 0.0807) && close(t.chi2, 12.9231), "{t:?}");
        assert!(t.significant(0.998));
        assert!(robust_direction(&points, &t, weighted_slope));
    }

    /// §4.7: the change 30/60 → 45/60 is +0.2500 with Newcombe's interval (0.0768, 0.4035).
    #[test]
    fn change_between_two_years() {
        let (d, iv) = difference::newcombe(45.0, 60.0, 30.0, 60.0, 0.95).unwrap();
        assert!(close(d, 0.25) && close(iv.low, 0.0768) && close(iv.high, 0.4035), "{d} {iv:?}");
    }

    #[test]
    fn undefined_trends() {
        assert!(cochran_armitage(&[(1.0, 10.0)]).is_none());
        assert!(cochran_armitage(&[(0.0, 10.0), (0.0, 12.0), (0.0, 9.0)]).is_none(), "no events");
        assert!(weighted_slope(&[(1.0, 0.0), (2.0, 0.1)]).is_none());
        // A flat series: χ² = 0, and no robust direction.
        let flat = [(10.0, 20.0), (10.0, 20.0), (10.0, 20.0)];
        let t = cochran_armitage(&flat).unwrap();
        assert_eq!(t.chi2, 0.0);
        assert!(!robust_direction(&flat, &t, cochran_armitage));
    }
}
