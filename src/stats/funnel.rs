//! Funnel-plot control limits (Spiegelhalter 2005, Stat Med 24:1185–1202; STATISTICS.md §4.6).
//!
//! A funnel plot shows each organisation's value against its size with limits around the
//! reference set's pooled value θ₀: a small municipality far from θ₀ may be chance, a large one
//! rarely is. 95 % limits are the "alert" level and 99.8 % the "alarm" level.

use statrs::distribution::{Binomial, ContinuousCDF, DiscreteCDF, Poisson};

use super::z;

/// Lower and upper control limits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub low: f64,
    pub high: f64,
}

/// Normal limits for a proportion, `θ₀ ± z·√(θ₀(1 − θ₀)/n)`.
///
/// PHEindicatormethods' `calculate_funnel_limits` for proportions is algebraically the same
/// (its `sigma_adjustment` inverts the Wilson score). The limits may leave [0, 1] for small n;
/// they are not clipped, so they stay comparable with PHE's. `None` when n ≤ 0.
pub fn normal_proportion(theta: f64, n: f64, level: f64) -> Option<Limits> {
    if n <= 0.0 {
        return None;
    }
    let half = z(level) * (theta * (1.0 - theta) / n).sqrt();
    Some(Limits { low: theta - half, high: theta + half })
}

/// Exact binomial limits with interpolation, for a proportion of `n` around `theta`:
/// for each tail probability p, `r_p` = the smallest r with F(r) ≥ p (F the Bin(n, θ₀) CDF),
/// `α = (F(r_p) − p)/(F(r_p) − F(r_p − 1))`, limit `(r_p − α)/n`.
///
/// Spiegelhalter 2005 §A.1.1, with the interpolation of Seaton & Manktelow 2012 (PLoS ONE
/// 7:e45723), so the limits are smooth in n rather than steps. Jamfor's default for
/// proportions because it is exact for the small municipalities where normal limits are worst.
/// `None` when n is not a positive whole number or θ₀ is outside [0, 1].
pub fn exact_binomial(theta: f64, n: f64, level: f64) -> Option<Limits> {
    if n < 1.0 || n.fract() != 0.0 || !(0.0..=1.0).contains(&theta) {
        return None;
    }
    if theta == 0.0 || theta == 1.0 {
        // Nothing can vary: every organisation is expected at exactly θ₀.
        return Some(Limits { low: theta, high: theta });
    }
    let dist = Binomial::new(theta, n as u64).ok()?;
    let cdf = |r: i64| if r < 0 { 0.0 } else { dist.cdf(r as u64) };
    let (mean, sd) = (n * theta, (n * theta * (1.0 - theta)).sqrt());
    let limit = |p: f64, z: f64| interpolated(p, n as i64, &cdf, mean + z * sd) / n;
    let (tail, z) = ((1.0 - level) / 2.0, z(level));
    Some(Limits { low: limit(tail, -z), high: limit(1.0 - tail, z) })
}

/// Exact Poisson limits with interpolation on the ratio scale O/E, for an expected count `e`:
/// as [`exact_binomial`] with F the Pois(E) CDF, limit `(r_p − α)/E`. For rates and
/// standardised ratios (Spiegelhalter 2005 §A.1.2). `None` when E ≤ 0.
pub fn exact_poisson(e: f64, level: f64) -> Option<Limits> {
    if e <= 0.0 || !e.is_finite() {
        return None;
    }
    let dist = Poisson::new(e).ok()?;
    let cdf = |r: i64| if r < 0 { 0.0 } else { dist.cdf(r as u64) };
    // The upper tail ends well below E + 40√E + 40; search there.
    let top = (e + 40.0 * e.sqrt() + 40.0).ceil() as i64;
    let limit = |p: f64, z: f64| interpolated(p, top, &cdf, e + z * e.sqrt()) / e;
    let (tail, z) = ((1.0 - level) / 2.0, z(level));
    Some(Limits { low: limit(tail, -z), high: limit(1.0 - tail, z) })
}

/// `r_p − α` for tail probability `p`, where `r_p` is the smallest `r ≤ top` with F(r) ≥ p.
fn interpolated(p: f64, top: i64, cdf: &dyn Fn(i64) -> f64, guess: f64) -> f64 {
    let r = smallest_reaching(p, top, cdf, guess);
    let (f, below) = (cdf(r), cdf(r - 1));
    let alpha = if f > below { (f - p) / (f - below) } else { 0.0 };
    // At r_p = 0 the interpolation would reach below 0, which no count can.
    (r as f64 - alpha).max(0.0)
}

/// The smallest `r` in `0..=top` with F(r) ≥ p (`top` when there is none): a galloping search
/// from `guess`, then bisection. F is monotone, so every start finds the same `r`; from the
/// normal approximation it takes a handful of CDF evaluations instead of log₂(top), and the
/// comparison evaluates four limits for each of its 144 000 rows.
fn smallest_reaching(p: f64, top: i64, cdf: &dyn Fn(i64) -> f64, guess: f64) -> i64 {
    // Invariant once the gallop ends: the answer is in lo..=hi.
    let guess = if guess.is_finite() { (guess.round() as i64).clamp(0, top) } else { 0 };
    let (mut lo, mut hi) = (0, top);
    let mut step = 1;
    if cdf(guess) >= p {
        hi = guess;
        while hi > 0 {
            let probe = (hi - step).max(0);
            if cdf(probe) >= p {
                hi = probe;
                step *= 2;
            } else {
                lo = probe + 1;
                break;
            }
        }
    } else {
        lo = guess + 1;
        while lo < top {
            let probe = (lo + step - 1).min(top);
            if cdf(probe) >= p {
                hi = probe;
                break;
            }
            lo = probe + 1;
            step *= 2;
        }
        lo = lo.min(top);
    }
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if cdf(mid) >= p { hi = mid } else { lo = mid + 1 }
    }
    lo
}

/// Overdispersion of proportions around their pooled value (Spiegelhalter 2005 §3.2): the
/// z-scores, φ = mean z², and the additive random-effects variance τ².
#[derive(Clone, Debug, PartialEq)]
pub struct Overdispersion {
    /// θ₀ = Σx / Σn.
    pub theta: f64,
    pub z: Vec<f64>,
    /// φ = (1/I)·Σzᵢ²; about 1 when the spread is only chance.
    pub phi: f64,
    /// τ² = max(0, (Iφ − (I − 1)) / (Σwᵢ − Σwᵢ²/Σwᵢ)), wᵢ = 1/sᵢ².
    pub tau2: f64,
}

/// φ and τ² of proportions `(x, n)` (no Winsorising). Estimate it from all municipalities,
/// never from three partners. `None` with fewer than 2 points, a zero n, or θ₀ of 0 or 1.
pub fn overdispersion(points: &[(f64, f64)]) -> Option<Overdispersion> {
    let (sx, sn): (f64, f64) = points.iter().fold((0.0, 0.0), |(a, b), &(x, n)| (a + x, b + n));
    if points.len() < 2 || points.iter().any(|&(_, n)| n <= 0.0) || sx <= 0.0 || sx >= sn {
        return None;
    }
    let theta = sx / sn;
    let s2 = |n: f64| theta * (1.0 - theta) / n;
    let z: Vec<f64> = points.iter().map(|&(x, n)| (x / n - theta) / s2(n).sqrt()).collect();
    let i = points.len() as f64;
    let phi = z.iter().map(|z| z * z).sum::<f64>() / i;
    let w: Vec<f64> = points.iter().map(|&(_, n)| 1.0 / s2(n)).collect();
    let (sw, sw2) = (w.iter().sum::<f64>(), w.iter().map(|w| w * w).sum::<f64>());
    let tau2 = ((i * phi - (i - 1.0)) / (sw - sw2 / sw)).max(0.0);
    Some(Overdispersion { theta, z, phi, tau2 })
}

/// The χ² critical value with one degree of freedom at `level` (3.8415 at 0.95, 9.5495 at 0.998).
pub fn chi2_critical(level: f64) -> f64 {
    thread_local!(static CRITICAL: super::Memo = const { super::Memo::new() });
    CRITICAL.with(|c| c.get(level, || statrs::distribution::ChiSquared::new(1.0).expect("1 df").inverse_cdf(level)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    /// STATISTICS.md §4.6, E8: θ₀ = 0.60, n = 200.
    #[test]
    fn e8_normal_limits() {
        let l = normal_proportion(0.6, 200.0, 0.95).unwrap();
        assert!(close(l.low, 0.5321) && close(l.high, 0.6679), "{l:?}");
        let l = normal_proportion(0.6, 200.0, 0.998).unwrap();
        assert!(close(l.low, 0.4930) && close(l.high, 0.7070), "{l:?}");
    }

    /// E8, exact binomial with interpolation: r_p = 106, 133 (95 %) and 98, 141 (99.8 %).
    #[test]
    fn e8_exact_binomial_limits() {
        let l = exact_binomial(0.6, 200.0, 0.95).unwrap();
        assert!(close(l.low, 0.5291) && close(l.high, 0.6649), "{l:?}");
        assert_eq!(((l.low * 200.0).ceil(), (l.high * 200.0).ceil()), (106.0, 133.0));
        let l = exact_binomial(0.6, 200.0, 0.998).unwrap();
        assert!(close(l.low, 0.4893) && close(l.high, 0.7030), "{l:?}");
    }

    /// E8's Poisson line: E = 50 on the O/E scale, exact interpolated 95 % (0.7224, 1.2766),
    /// 99.8 % (0.5825, 1.4550).
    #[test]
    fn e8_exact_poisson_limits() {
        let l = exact_poisson(50.0, 0.95).unwrap();
        assert!(close(l.low, 0.7224) && close(l.high, 1.2766), "{l:?}");
        let l = exact_poisson(50.0, 0.998).unwrap();
        assert!(close(l.low, 0.5825) && close(l.high, 1.4550), "{l:?}");
    }

    /// The search from a guess finds what a plain bisection over 0..=top finds, from any
    /// guess, near or far, for steps of every shape.
    #[test]
    fn the_galloping_search_finds_the_bisection_answer() {
        let bisect = |p: f64, top: i64, cdf: &dyn Fn(i64) -> f64| {
            let (mut lo, mut hi) = (0, top);
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                if cdf(mid) >= p { hi = mid } else { lo = mid + 1 }
            }
            lo
        };
        let dist = Binomial::new(0.3, 500).unwrap();
        let binomial = |r: i64| if r < 0 { 0.0 } else { dist.cdf(r as u64) };
        let step = |r: i64| if r < 40 { 0.0 } else { 1.0 };
        let never = |_: i64| 0.0;
        let cdfs: [(&dyn Fn(i64) -> f64, i64); 3] = [(&binomial, 500), (&step, 100), (&never, 64)];
        for (cdf, top) in cdfs {
            for p in [0.001, 0.025, 0.5, 0.975, 0.999] {
                let want = bisect(p, top, cdf);
                for guess in [-5.0, 0.0, 1.0, 39.0, 40.0, 41.0, 150.0, 499.0, 500.0, 1e9, f64::NAN] {
                    assert_eq!(smallest_reaching(p, top, cdf, guess), want, "p {p} top {top} guess {guess}");
                }
            }
        }
    }

    #[test]
    fn limits_need_a_size() {
        assert!(normal_proportion(0.5, 0.0, 0.95).is_none());
        assert!(exact_binomial(0.5, 0.0, 0.95).is_none());
        assert!(exact_binomial(0.5, 10.5, 0.95).is_none());
        assert!(exact_poisson(0.0, 0.95).is_none());
        // θ₀ = 0 or 1: nothing can vary.
        let l = exact_binomial(0.0, 20.0, 0.95).unwrap();
        assert_eq!((l.low, l.high), (0.0, 0.0));
        let l = exact_binomial(1.0, 20.0, 0.95).unwrap();
        assert_eq!((l.low, l.high), (1.0, 1.0));
        // A rare event in a small group: the lower limit stops at 0.
        let l = exact_binomial(0.01, 20.0, 0.95).unwrap();
        assert_eq!(l.low, 0.0);
        assert!(l.high > 0.0 && l.high < 0.15, "{l:?}");
    }

    /// The overdispersion example of §4.6: θ₀ = 377/595 = 0.6336, z = 1.8711, −1.3570, −1.5271,
    /// −2.6557, 1.4839, 0.6508; φ = 2.8921; τ² = 0.006310.
    #[test]
    fn overdispersion_example() {
        let points = [(45.0, 60.0), (30.0, 55.0), (80.0, 140.0), (12.0, 30.0), (150.0, 220.0), (60.0, 90.0)];
        let o = overdispersion(&points).unwrap();
        assert!(close(o.theta, 0.6336));
        for (z, want) in o.z.iter().zip([1.8711, -1.3570, -1.5271, -2.6557, 1.4839, 0.6508]) {
            assert!(close(*z, want), "{z} vs {want}");
        }
        assert!(close(o.phi, 2.8921), "{}", o.phi);
        assert!((o.tau2 - 0.006310).abs() < 5e-7, "{}", o.tau2);
        assert!(overdispersion(&[(1.0, 2.0)]).is_none());
    }

    #[test]
    fn chi2_critical_values() {
        assert!(close(chi2_critical(0.95), 3.8415));
        assert!(close(chi2_critical(0.998), 9.5495));
    }
}
