//! Women − men: Newcombe's hybrid score interval for a difference of two proportions, and MOVER for a
//! difference of any two independent estimates that have good intervals of their own (rates, DSRs,
//! means) (STATISTICS.md §1.2, §1.4).
//!
//! Is a gap significant? Ask whether the interval of the difference excludes 0, never whether the
//! two groups' own intervals overlap (STATISTICS.md §2).

use super::proportion::{check_counts, wilson_z};
use super::{Interval, Method, NoInterval, z};

/// The difference p₁ − p₂ of two proportions (0–1 scale) and Newcombe's hybrid score interval (method
/// 10), built from the two Wilson intervals (l₁, u₁), (l₂, u₂):
/// `L = d − √((p₁ − l₁)² + (u₂ − p₂)²)`, `U = d + √((u₁ − p₁)² + (p₂ − l₂)²)`.
///
/// Newcombe 1998, Stat Med 17:873 (its 56/70 vs 48/80 example is the test); statsmodels
/// `confint_proportions_2indep(method="newcomb")`. The default because it keeps good coverage down to
/// small n, never leaves [−1, 1], is defined at x = 0 and x = n (Fagerland, Lydersen & Laake 2015
/// recommend it), and agrees with the Wilson intervals shown for each sex.
///
/// # Errors
/// As [`super::proportion::wilson`], for either group.
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn newcombe(x1: f64, n1: f64, x2: f64, n2: f64, level: f64) -> Result<(f64, Interval), NoInterval> {
    check_counts(x1, n1)?;
    check_counts(x2, n2)?;
    let z = z(level);
    let (w1, w2) = (wilson_z(x1, n1, z), wilson_z(x2, n2, z));
    let (p1, p2) = (x1 / n1, x2 / n2);
    let iv = mover(p1, (w1.low, w1.high), p2, (w2.low, w2.high));
    Ok((p1 - p2, Interval { method: Method::Newcombe, ..iv }))
}

/// MOVER (method of variance estimates recovery) for the difference d = r₁ − r₂ of two independent
/// estimates, each with its own interval (lᵢ, uᵢ):
/// `L = d − √((r₁ − l₁)² + (u₂ − r₂)²)`, `U = d + √((u₁ − r₁)² + (r₂ − l₂)²)`.
///
/// Zou & Donner 2008, Stat Med 27:1693; STATISTICS.md §1.4 (no library counterpart; checked by hand).
/// The default for differences of rates, DSRs and means because it inherits the asymmetry and edge
/// behaviour of good single intervals (exact/Byar, Dobson), which a Wald interval throws away; Newcombe's
/// interval is the special case with Wilson intervals. Infinite limits give infinite limits.
pub fn mover(est1: f64, iv1: (f64, f64), est2: f64, iv2: (f64, f64)) -> Interval {
    let d = est1 - est2;
    let (l1, u1) = iv1;
    let (l2, u2) = iv2;
    Interval { low: d - (est1 - l1).hypot(u2 - est2), high: d + (u1 - est1).hypot(est2 - l2), method: Method::Mover }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::poisson::rate;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    fn assert_newcombe(x1: f64, n1: f64, x2: f64, n2: f64, d: f64, low: f64, high: f64) {
        let (est, iv) = newcombe(x1, n1, x2, n2, 0.95).unwrap();
        assert!(close(est, d) && close(iv.low, low) && close(iv.high, high), "{est} {iv:?}");
        assert_eq!(iv.method, Method::Newcombe);
    }

    /// Newcombe 1998's own example (STATISTICS.md E2): 56/70 vs 48/80 → 0.2000 (0.0524, 0.3339).
    #[test]
    fn newcombe_1998_example() {
        assert_newcombe(56.0, 70.0, 48.0, 80.0, 0.2, 0.0524, 0.3339);
    }

    /// STATISTICS.md E2, girls 45/60 vs boys 30/55 → 0.2045 (0.0302, 0.3641); hand check L = 0.20455 − 0.17433.
    #[test]
    fn newcombe_jamfor_example() {
        assert_newcombe(45.0, 60.0, 30.0, 55.0, 0.2045, 0.0302, 0.3641);
    }

    /// Fagerland, Lydersen & Laake 2015 (STATISTICS.md E2): 7/34 vs 1/34 → 0.1765 (0.0189, 0.3404).
    #[test]
    fn newcombe_small_counts() {
        assert_newcombe(7.0, 34.0, 1.0, 34.0, 0.1765, 0.0189, 0.3404);
    }

    /// 0/10 vs 0/10: no NaN, the interval contains 0 and is symmetric (± Wilson's upper limit of 0/10).
    #[test]
    fn newcombe_both_zero() {
        let (d, iv) = newcombe(0.0, 10.0, 0.0, 10.0, 0.95).unwrap();
        assert_eq!(d, 0.0);
        assert!(iv.low < 0.0 && 0.0 < iv.high && iv.low == -iv.high, "{iv:?}");
        assert_eq!(newcombe(0.0, 0.0, 1.0, 10.0, 0.95), Err(NoInterval::EmptyDenominator));
    }

    /// STATISTICS.md §1.4: 60/12 000 vs 40/11 000 per 1000 with Byar limits → d = 5.0000 − 3.6364 = 1.3636,
    /// MOVER (−0.4067, 3.1361).
    #[test]
    fn mover_of_two_byar_rates() {
        let (r1, iv1) = rate(60.0, 12_000.0, 1000.0, 0.95).unwrap();
        let (r2, iv2) = rate(40.0, 11_000.0, 1000.0, 0.95).unwrap();
        assert_eq!((iv1.method, iv2.method), (Method::Byar, Method::Byar));
        let iv = mover(r1, (iv1.low, iv1.high), r2, (iv2.low, iv2.high));
        assert!(close(r1 - r2, 1.3636));
        assert!(close(iv.low, -0.4067) && close(iv.high, 3.1361), "{iv:?}");
        assert_eq!(iv.method, Method::Mover);
    }
}
