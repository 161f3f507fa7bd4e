//! One proportion p = x/n (share of pupils passing, share of inhabitants 80+ with home care, women's
//! share of a count): Wilson by default, Clopper–Pearson and Jeffreys as options (STATISTICS.md §1.1).
//!
//! Counts are `f64` so that weighted data work; every function requires 0 ≤ x ≤ n and n > 0, and
//! returns the interval on the 0–1 scale (multiply by 100 or 1000 for display).

use statrs::distribution::{Beta, Continuous, ContinuousCDF};

use super::{Interval, Method, NoInterval, lower_tail_p, polish_quantile, upper_tail_p, z};

/// The Wilson score interval for the proportion x/n, on the 0–1 scale.
///
/// `L, U = (2x + z² ∓ z·√(z² + 4x(1 − x/n))) / (2(n + z²))` (Wilson 1927, JASA 22:209; PHEindicatormethods
/// `wilson_lower`/`wilson_upper` in `R/utils.R`, used by `phe_proportion`). L is exactly 0 at x = 0 and U
/// exactly 1 at x = n.
///
/// Why the default: Brown, Cai & DasGupta (2001) recommend it for small n, it never leaves [0, 1], it
/// is what PHE/OHID Fingertips use for every proportion, and it is the building block of Newcombe's
/// difference interval and of the funnel limits, so all of jamfor's proportion intervals agree.
///
/// # Errors
/// [`NoInterval::EmptyDenominator`] if n = 0, [`NoInterval::CountAboveDenominator`] if x > n,
/// [`NoInterval::Negative`] or [`NoInterval::NotFinite`] for impossible inputs.
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn wilson(x: f64, n: f64, level: f64) -> Result<Interval, NoInterval> {
    check_counts(x, n)?;
    Ok(wilson_z(x, n, z(level)))
}

/// Wilson with a precomputed z (inputs already checked); shared with Newcombe's interval.
pub(crate) fn wilson_z(x: f64, n: f64, z: f64) -> Interval {
    let z2 = z * z;
    let centre = 2.0 * x + z2;
    let spread = z * (z2 + 4.0 * x * (1.0 - x / n)).max(0.0).sqrt();
    let denom = 2.0 * (n + z2);
    let low = if x == 0.0 { 0.0 } else { ((centre - spread) / denom).max(0.0) };
    let high = if x == n { 1.0 } else { ((centre + spread) / denom).min(1.0) };
    Interval { low, high, method: Method::Wilson }
}

/// The Clopper–Pearson ("exact") interval for x/n: `L = Beta⁻¹(α/2; x, n − x + 1)` (0 at x = 0),
/// `U = Beta⁻¹(1 − α/2; x + 1, n − x)` (1 at x = n).
///
/// Clopper & Pearson 1934, Biometrika 26:404; statsmodels `proportion_confint(method="beta")`.
/// Not the default: its coverage is at least nominal but often 97–99 % at a 95 % level (Brown et al.
/// 2001), so the interval is wider than it needs to be; offer it when guaranteed coverage matters
/// more than width.
///
/// # Errors
/// As [`wilson`].
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn clopper_pearson(x: f64, n: f64, level: f64) -> Result<Interval, NoInterval> {
    check_counts(x, n)?;
    let low = if x == 0.0 { 0.0 } else { beta_quantile(x, n - x + 1.0, lower_tail_p(level)) };
    let high = if x == n { 1.0 } else { beta_quantile(x + 1.0, n - x, upper_tail_p(level)) };
    Ok(Interval { low, high, method: Method::ClopperPearson })
}

/// The Jeffreys interval for x/n: the equal-tailed interval of the Beta(x + ½, n − x + ½) posterior,
/// with Brown, Cai & DasGupta's boundary rule L := 0 at x = 0 and U := 1 at x = n.
///
/// Brown, Cai & DasGupta 2001, Stat Sci 16:101; statsmodels `proportion_confint(method="jeffreys")`
/// (which does not apply the boundary rule: it gives 0.0001 rather than 0 for 0/7). Not the default
/// (Wilson is, to match PHE); it has similar coverage to Wilson and is offered as an option.
///
/// # Errors
/// As [`wilson`].
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn jeffreys(x: f64, n: f64, level: f64) -> Result<Interval, NoInterval> {
    check_counts(x, n)?;
    let (a, b) = (x + 0.5, n - x + 0.5);
    let low = if x == 0.0 { 0.0 } else { beta_quantile(a, b, lower_tail_p(level)) };
    let high = if x == n { 1.0 } else { beta_quantile(a, b, upper_tail_p(level)) };
    Ok(Interval { low, high, method: Method::Jeffreys })
}

/// Checks a proportion's count and denominator: finite, non-negative, n > 0, x ≤ n.
pub(crate) fn check_counts(x: f64, n: f64) -> Result<(), NoInterval> {
    if !x.is_finite() || !n.is_finite() {
        Err(NoInterval::NotFinite)
    } else if x < 0.0 || n < 0.0 {
        Err(NoInterval::Negative)
    } else if n == 0.0 {
        Err(NoInterval::EmptyDenominator)
    } else if x > n {
        Err(NoInterval::CountAboveDenominator)
    } else {
        Ok(())
    }
}

/// The p-quantile of Beta(a, b) (a, b > 0): statrs's `inv_beta_reg`, polished on the beta CDF where it is
/// off (it misses by ~1e-5 relative for shapes like (3, 100 000); see [`super::polish_quantile`]).
fn beta_quantile(a: f64, b: f64, p: f64) -> f64 {
    let d = Beta::new(a, b).expect("beta shapes are positive for 0 < x < n");
    polish_quantile(|q| d.cdf(q), |q| d.pdf(q), p, d.inverse_cdf(p), a / (a + b), 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    fn assert_interval(iv: Interval, low: f64, high: f64) {
        assert!(close(iv.low, low) && close(iv.high, high), "{iv:?} vs ({low}, {high})");
    }

    /// STATISTICS.md E1 (45/60): Wilson (0.6277, 0.8422), hand check L = 0.627679; 99.8 % (0.5516, 0.8798).
    /// Matches PHEindicatormethods `phe_proportion` and statsmodels `proportion_confint(method="wilson")`.
    #[test]
    fn wilson_e1() {
        let iv = wilson(45.0, 60.0, 0.95).unwrap();
        assert_interval(iv, 0.6277, 0.8422);
        assert!((iv.low - 0.627679).abs() < 1e-6);
        assert_eq!(iv.method, Method::Wilson);
        assert_interval(wilson(45.0, 60.0, 0.998).unwrap(), 0.5516, 0.8798);
    }

    /// STATISTICS.md §1.1 small n: 2/9 (0.0632, 0.5474); 0/7 (0, 0.3543); 7/7 (0.6457, 1), limits exact at the edges.
    #[test]
    fn wilson_small_counts_and_edges() {
        assert_interval(wilson(2.0, 9.0, 0.95).unwrap(), 0.0632, 0.5474);
        let zero = wilson(0.0, 7.0, 0.95).unwrap();
        assert_interval(zero, 0.0, 0.3543);
        assert_eq!(zero.low, 0.0);
        let all = wilson(7.0, 7.0, 0.95).unwrap();
        assert_interval(all, 0.6457, 1.0);
        assert_eq!(all.high, 1.0);
    }

    #[test]
    fn wilson_rejects_impossible_counts() {
        assert_eq!(wilson(0.0, 0.0, 0.95), Err(NoInterval::EmptyDenominator));
        assert_eq!(wilson(8.0, 7.0, 0.95), Err(NoInterval::CountAboveDenominator));
        assert_eq!(wilson(-1.0, 7.0, 0.95), Err(NoInterval::Negative));
        assert_eq!(wilson(f64::NAN, 7.0, 0.95), Err(NoInterval::NotFinite));
        assert_eq!(clopper_pearson(1.0, 0.0, 0.95), Err(NoInterval::EmptyDenominator));
        assert_eq!(jeffreys(3.0, 2.0, 0.95), Err(NoInterval::CountAboveDenominator));
    }

    /// STATISTICS.md §2: women's share of the passers, 45 of 45 + 30 = 75 → Wilson (0.4869, 0.7034).
    #[test]
    fn womens_share_is_a_wilson_interval() {
        assert_interval(wilson(45.0, 75.0, 0.95).unwrap(), 0.4869, 0.7034);
    }

    /// STATISTICS.md E1 and §1.1: Clopper–Pearson 45/60 (0.6214, 0.8528), 2/9 (0.0281, 0.6001),
    /// 0/7 (0, 0.4096 = 1 − 0.025^(1/7)), 7/7 (0.5904, 1); statsmodels `proportion_confint(method="beta")`.
    #[test]
    fn clopper_pearson_e1_and_small_counts() {
        let iv = clopper_pearson(45.0, 60.0, 0.95).unwrap();
        assert_interval(iv, 0.6214, 0.8528);
        assert_eq!(iv.method, Method::ClopperPearson);
        assert_interval(clopper_pearson(2.0, 9.0, 0.95).unwrap(), 0.0281, 0.6001);
        let zero = clopper_pearson(0.0, 7.0, 0.95).unwrap();
        assert_interval(zero, 0.0, 0.4096);
        assert_eq!(zero.low, 0.0);
        assert!((zero.high - (1.0 - 0.025f64.powf(1.0 / 7.0))).abs() < 1e-10);
        let all = clopper_pearson(7.0, 7.0, 0.95).unwrap();
        assert_interval(all, 0.5904, 1.0);
        assert_eq!(all.high, 1.0);
    }

    /// STATISTICS.md E1 and §1.1: Jeffreys 45/60 (0.6305, 0.8461), 2/9 (0.0493, 0.5438), 0/7 upper 0.2924
    /// with the Brown–Cai–DasGupta boundary rule making the lower limit exactly 0.
    #[test]
    fn jeffreys_e1_and_boundary_rule() {
        let iv = jeffreys(45.0, 60.0, 0.95).unwrap();
        assert_interval(iv, 0.6305, 0.8461);
        assert_eq!(iv.method, Method::Jeffreys);
        assert_interval(jeffreys(2.0, 9.0, 0.95).unwrap(), 0.0493, 0.5438);
        let zero = jeffreys(0.0, 7.0, 0.95).unwrap();
        assert_interval(zero, 0.0, 0.2924);
        assert_eq!(zero.low, 0.0);
        assert_eq!(jeffreys(7.0, 7.0, 0.95).unwrap().high, 1.0);
    }

    /// Clopper–Pearson for 3 of 100 000: the limits satisfy their defining equations, P(X ≥ 3 | L) = 0.025 and
    /// P(X ≤ 3 | U) = 0.025 (binomial tails written as sums), to 1e-10.
    #[test]
    fn clopper_pearson_rare_events_in_a_large_population() {
        let n = 100_000.0;
        let iv = clopper_pearson(3.0, n, 0.95).unwrap();
        let at_most = |k: u32, p: f64| -> f64 {
            (0..=k)
                .map(|i| {
                    let i = f64::from(i);
                    let log_choose =
                        (0..i as u32).map(|j| ((n - f64::from(j)) / (f64::from(j) + 1.0)).ln()).sum::<f64>();
                    (log_choose + i * p.ln() + (n - i) * (-p).ln_1p()).exp()
                })
                .sum()
        };
        assert!((1.0 - at_most(2, iv.low) - 0.025).abs() < 1e-10, "{iv:?}");
        assert!((at_most(3, iv.high) - 0.025).abs() < 1e-10, "{iv:?}");
    }

    /// Weighted (non-integer) counts are accepted and stay inside [0, 1].
    #[test]
    fn weighted_counts_work() {
        for f in [wilson, clopper_pearson, jeffreys] {
            let iv = f(2.5, 9.3, 0.95).unwrap();
            assert!(0.0 < iv.low && iv.low < 2.5 / 9.3 && 2.5 / 9.3 < iv.high && iv.high < 1.0, "{iv:?}");
        }
    }

    /// Round trip of the beta quantile used by Clopper–Pearson and Jeffreys: I(Beta⁻¹(p)) = p.
    #[test]
    fn beta_quantile_round_trips() {
        // (3, 1e5): Clopper–Pearson for 3 events in 100 000, where statrs's own quantile is ~1e-5 off (polished).
        let shapes =
            [(45.0, 16.0), (2.5, 7.5), (0.5, 7.5), (1.0, 7.0), (300.0, 2.0), (3.0, 1e5), (1e5, 3.0), (0.5, 1e6)];
        for (a, b) in shapes {
            let d = Beta::new(a, b).unwrap();
            for p in [0.001, 0.025, 0.5, 0.975, 0.999] {
                assert!((d.cdf(beta_quantile(a, b, p)) - p).abs() < 1e-9, "Beta({a}, {b}) at {p}");
            }
        }
    }
}
