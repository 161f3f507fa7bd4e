//! Means (home-care hours per recipient, days per stay): the Student t interval for one group and
//! Welch's interval for the difference of two (STATISTICS.md §1.5).
//!
//! A mean needs record-level data or its n, mean and standard deviation. A ratio of two totals
//! without record data has no standard deviation: pass `f64::NAN` as `sd` and the functions say so
//! ([`NoInterval::NoSpread`]) instead of inventing an interval.

use statrs::distribution::{Continuous, ContinuousCDF, StudentsT};

use super::{Interval, Method, NoInterval, polish_quantile, upper_tail_p};

/// Running sums of one group's values: enough for the mean and the sample standard deviation, and
/// cheap to aggregate (sums add across partitions).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Summary {
    /// Number of values (may be a sum of weights).
    pub n: f64,
    /// Σx.
    pub sum: f64,
    /// Σx².
    pub sum_sq: f64,
}

impl Summary {
    /// The sums of `values`.
    pub fn from_values(values: &[f64]) -> Summary {
        values.iter().fold(Summary::default(), |s, &x| Summary {
            n: s.n + 1.0,
            sum: s.sum + x,
            sum_sq: s.sum_sq + x * x,
        })
    }

    /// The mean Σx/n (NaN when n = 0).
    pub fn mean(&self) -> f64 {
        self.sum / self.n
    }

    /// The sample standard deviation from the sums, `s² = (Σx² − (Σx)²/n)/(n − 1)`, with a slightly
    /// negative s² from rounding (all values equal) clamped to 0. NaN when n < 2: there is no spread to
    /// estimate from one value, and [`student_t`] turns that into [`NoInterval::TooFewRecords`].
    pub fn sd(&self) -> f64 {
        if self.n < 2.0 {
            return f64::NAN;
        }
        ((self.sum_sq - self.sum * self.sum / self.n) / (self.n - 1.0)).max(0.0).sqrt()
    }
}

/// The Student t interval of a mean: `x̄ ± t(1 − α/2; n − 1)·s/√n`.
///
/// Student 1908; PHEindicatormethods `phe_mean` (`R/Means.R`), whose own example (30, 40, 50, 60 → 45,
/// (24.4574, 65.5426)) is the test. The default because it is PHE's standard and fine for n ≳ 30 even
/// for skewed data such as care hours.
///
/// # Errors
/// [`NoInterval::TooFewRecords`] if n < 2; [`NoInterval::NoSpread`] if `sd` is NaN (unknown);
/// [`NoInterval::Negative`] or [`NoInterval::NotFinite`] for impossible inputs.
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn student_t(n: f64, mean: f64, sd: f64, level: f64) -> Result<Interval, NoInterval> {
    check_group(n, mean, sd)?;
    let half = t_quantile(n - 1.0, level) * sd / n.sqrt();
    Ok(Interval { low: mean - half, high: mean + half, method: Method::StudentT })
}

/// Welch's interval for the difference of two means a − b, given each group's `(n, mean, sd)`:
/// `SE = √(s₁²/n₁ + s₂²/n₂)`, Welch–Satterthwaite
/// `df = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1))`, `d ± t(1 − α/2; df)·SE`.
/// Returns the difference, the interval and df.
///
/// Welch 1947, Biometrika 34:28; scipy `ttest_ind(equal_var=False)`. The default for women − men because
/// it does not assume equal variances in the two groups. When both standard deviations are 0 the df is
/// 0/0; the interval then has width 0 whatever the df, and df is reported as n₁ + n₂ − 2.
///
/// # Errors
/// As [`student_t`], for either group.
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn welch(a: (f64, f64, f64), b: (f64, f64, f64), level: f64) -> Result<(f64, Interval, f64), NoInterval> {
    let ((n1, m1, s1), (n2, m2, s2)) = (a, b);
    check_group(n1, m1, s1)?;
    check_group(n2, m2, s2)?;
    let (v1, v2) = (s1 * s1 / n1, s2 * s2 / n2);
    let var = v1 + v2;
    let df = if var == 0.0 { n1 + n2 - 2.0 } else { var * var / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0)) };
    let diff = m1 - m2;
    let half = t_quantile(df, level) * var.sqrt();
    Ok((diff, Interval { low: diff - half, high: diff + half, method: Method::Welch }, df))
}

fn check_group(n: f64, mean: f64, sd: f64) -> Result<(), NoInterval> {
    if !n.is_finite() || !mean.is_finite() || sd.is_infinite() {
        Err(NoInterval::NotFinite)
    } else if n < 0.0 || sd < 0.0 {
        Err(NoInterval::Negative)
    } else if n < 2.0 {
        Err(NoInterval::TooFewRecords)
    } else if sd.is_nan() {
        Err(NoInterval::NoSpread)
    } else {
        Ok(())
    }
}

/// t(1 − α/2; df), df > 0: statrs's quantile, polished on the t CDF where it is off (~4e-6 relative at
/// df = 10⁵; see [`super::polish_quantile`]). The quantile is positive since 1 − α/2 > ½.
fn t_quantile(df: f64, level: f64) -> f64 {
    let d = StudentsT::new(0.0, 1.0, df).expect("df is positive for n ≥ 2");
    let p = upper_tail_p(level);
    polish_quantile(|q| d.cdf(q), |q| d.pdf(q), p, d.inverse_cdf(p), 2.0, f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    /// STATISTICS.md E5, PHE's own `phe_mean` example: 30, 40, 50, 60 → mean 45, s = 12.909944,
    /// t(0.975; 3) = 3.182446, half-width 20.5426 → (24.4574, 65.5426); the same from the sums.
    #[test]
    fn student_t_phe_example() {
        let s = Summary::from_values(&[30.0, 40.0, 50.0, 60.0]);
        assert_eq!(s, Summary { n: 4.0, sum: 180.0, sum_sq: 8600.0 });
        let s = Summary { n: 4.0, sum: 180.0, sum_sq: 8600.0 };
        assert_eq!(s.mean(), 45.0);
        assert!((s.sd() - 12.909944).abs() < 1e-6);
        assert!((t_quantile(3.0, 0.95) - 3.182446).abs() < 1e-6);
        let iv = student_t(s.n, s.mean(), s.sd(), 0.95).unwrap();
        assert!(close(iv.low, 24.4574) && close(iv.high, 65.5426), "{iv:?}");
        assert_eq!(iv.method, Method::StudentT);
    }

    /// STATISTICS.md E5, scipy `ttest_ind(equal_var=False)`: {30, 40, 50, 60} vs {20, 25, 35, 40} → 15, SE
    /// 7.905694, df 5.4000, t = 2.514352, (−4.8777, 34.8777).
    #[test]
    fn welch_e5() {
        let w = Summary::from_values(&[30.0, 40.0, 50.0, 60.0]);
        let m = Summary::from_values(&[20.0, 25.0, 35.0, 40.0]);
        let (d, iv, df) = welch((w.n, w.mean(), w.sd()), (m.n, m.mean(), m.sd()), 0.95).unwrap();
        assert!(close(d, 15.0) && close(df, 5.4));
        assert!((t_quantile(df, 0.95) - 2.514352).abs() < 1e-6);
        assert!(close(iv.low, -4.8777) && close(iv.high, 34.8777), "{iv:?}");
        assert_eq!(iv.method, Method::Welch);
    }

    /// The t quantile round-trips through the t CDF, including df = 10⁵ where statrs's own quantile is
    /// ~4e-6 off, and approaches z: t(0.975; 10⁵) = z + (z³ + z)/(4ν) + O(ν⁻²) = 1.9599877 (Cornish–Fisher).
    #[test]
    fn t_quantile_round_trips() {
        for df in [1.0, 1.5, 3.0, 5.4, 30.0, 1e5] {
            let d = StudentsT::new(0.0, 1.0, df).unwrap();
            for level in [0.95, 0.998] {
                let q = t_quantile(df, level);
                assert!((d.cdf(q) - upper_tail_p(level)).abs() < 1e-12, "t({df}) at {level}");
            }
        }
        let z = crate::stats::z(0.95);
        assert!((t_quantile(1e5, 0.95) - (z + (z.powi(3) + z) / 4e5)).abs() < 1e-9);
    }

    #[test]
    fn too_few_records_or_no_spread() {
        let one = Summary::from_values(&[30.0]);
        assert!(one.sd().is_nan());
        assert_eq!(student_t(one.n, one.mean(), one.sd(), 0.95), Err(NoInterval::TooFewRecords));
        assert_eq!(student_t(1.0, 30.0, 5.0, 0.95), Err(NoInterval::TooFewRecords));
        assert_eq!(student_t(40.0, 30.0, f64::NAN, 0.95), Err(NoInterval::NoSpread));
        assert_eq!(student_t(40.0, 30.0, -1.0, 0.95), Err(NoInterval::Negative));
        assert_eq!(welch((4.0, 45.0, 12.9), (1.0, 30.0, 0.0), 0.95), Err(NoInterval::TooFewRecords));
    }

    /// Equal values: s² from the sums rounds to a tiny negative, clamped to sd = 0, a zero-width interval.
    #[test]
    fn equal_values_have_zero_spread() {
        let s = Summary::from_values(&[0.1, 0.1, 0.1]);
        assert_eq!(s.sd(), 0.0);
        let iv = student_t(s.n, s.mean(), s.sd(), 0.95).unwrap();
        assert_eq!(iv.low, iv.high);
        let (d, iv, df) = welch((3.0, 2.0, 0.0), (3.0, 1.0, 0.0), 0.95).unwrap();
        assert_eq!((d, iv.low, iv.high, df), (1.0, 1.0, 1.0, 4.0));
    }
}
