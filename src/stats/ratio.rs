//! Women / men: Koopman's score interval for a ratio of two proportions, and the exact conditional
//! interval for a ratio of two Poisson rates (STATISTICS.md §1.3, §1.4).
//!
//! Both run per row on millions of rows: they allocate nothing, and Koopman's root search is bounded
//! (at most [`MAX_EXPANSIONS`] bracket steps and [`MAX_BRENT`] Brent steps per limit).

use super::proportion::{check_counts, clopper_pearson};
use super::{Interval, Method, NoInterval, brent, z};

/// Bracket-widening steps per Koopman limit (the step in ln θ doubles from 0.5, so 12 steps reach
/// beyond the range of `f64`).
pub const MAX_EXPANSIONS: usize = 12;

/// Brent iterations per Koopman limit (it converges in about 10).
pub const MAX_BRENT: usize = 100;

/// Largest |ln θ| searched: e^700 is near the largest finite `f64`.
const LN_THETA_MAX: f64 = 700.0;

/// The risk ratio RR = (x₁/n₁)/(x₂/n₂) and Koopman's score interval: the θ with U(θ) ≤ χ²₁(level), where
/// `U(θ) = Σᵢ (xᵢ − nᵢp̃ᵢ)² / (nᵢp̃ᵢ(1 − p̃ᵢ))` and p̃₁ = θp̃₂, p̃₂ are the maximum-likelihood estimates under
/// p₁ = θp₂, `p̃₂ = [θ(n₁ + x₂) + x₁ + n₂ − √((θ(n₁ + x₂) + x₁ + n₂)² − 4θ(n₁ + n₂)(x₁ + x₂))] / (2θ(n₁ + n₂))`.
///
/// Koopman 1984, Biometrics 40:513 (its data, via Nam 1995, Biom J 37:375, is the test); PropCIs
/// `riskscoreci` (`R/riskscoreci.R`, Nam's closed-form cubic); statsmodels
/// `confint_proportions_2indep(compare="ratio", method="score", correction=False)`. The default for women /
/// men because it has good coverage with small counts, where the closed-form Katz log interval is too
/// wide or undefined (7/34 vs 1/34: Katz includes 1, Koopman does not).
///
/// Each limit solves U(θ) = z² in ln θ by widening a bracket from RR outward, then Brent's method to
/// ~1e-12 relative. The edges follow PropCIs's branches: x₁ = 0 gives RR = 0 and L = 0; x₂ = 0 gives
/// RR = U = +∞ (with a finite L). At x₁ = n₁ or x₂ = n₂ the constrained estimate can reach 1 and the
/// score's 0/0 term is taken at its limit, `n(1 − p)/p` (`n·p/(1 − p)` at x = 0), which reproduces
/// PropCIs's closed forms, e.g. (n₁/(n₁ + z²), (n₂ + z²)/n₂) when both groups are all successes.
///
/// # Errors
/// [`NoInterval::ZeroReference`] if x₁ = x₂ = 0 (no ratio at all, 0/0); otherwise as
/// [`super::proportion::wilson`], for either group.
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn koopman(x1: f64, n1: f64, x2: f64, n2: f64, level: f64) -> Result<(f64, Interval), NoInterval> {
    check_counts(x1, n1)?;
    check_counts(x2, n2)?;
    if x1 == 0.0 && x2 == 0.0 {
        return Err(NoInterval::ZeroReference);
    }
    let crit = z(level).powi(2);
    // The score in θ (for polishing the cubic's guess) and in ln θ (for the search from RR).
    let u = |theta: f64| score(theta, x1, n1, x2, n2) - crit;
    let g = |t: f64| u(t.exp());
    let rr = if x2 == 0.0 { f64::INFINITY } else { (x1 / n1) / (x2 / n2) };
    let (guess_low, guess_high) = nam_guess(x1, n1, x2, n2, crit);

    let low = if x1 == 0.0 {
        0.0
    } else {
        // Inside the interval: RR itself, or when RR = ∞ a ratio far above the continuity-corrected one.
        let inside = if rr.is_finite() { rr.ln() } else { ((x1 / n1) / (0.5 / n2)).ln() + 30.0 };
        polish(&u, guess_low, -1.0).unwrap_or_else(|| crossing(&g, inside, -1.0).exp())
    };
    let high = if x2 == 0.0 {
        f64::INFINITY
    } else {
        let inside = if rr > 0.0 { rr.ln() } else { ((0.5 / n1) / (x2 / n2)).ln() - 30.0 };
        polish(&u, guess_high, 1.0).unwrap_or_else(|| crossing(&g, inside, 1.0).exp())
    };
    Ok((rr, Interval { low, high, method: Method::Koopman }))
}

/// Nam's closed-form cubic for Koopman's limits (Nam 1995; PropCIs `riskscoreci`), as a first
/// guess only: its trigonometric solution loses digits for extreme counts, so [`polish`] checks
/// the guess against the score itself before using it, and the search of [`crossing`] remains.
/// `(NaN, NaN)` outside the cubic's branches (x₁ = n₁ or x₂ = n₂).
fn nam_guess(x1: f64, n1: f64, x2: f64, n2: f64, z2: f64) -> (f64, f64) {
    if !(x1 < n1 && x2 < n2) {
        return (f64::NAN, f64::NAN);
    }
    let a1 = n2 * (n2 * (n2 + n1) * x1 + n1 * (n2 + x1) * z2);
    let a2 = -n2 * (n2 * n1 * (x2 + x1) + 2.0 * (n2 + n1) * x2 * x1 + n1 * (n2 + x2 + 2.0 * x1) * z2);
    let a3 = 2.0 * n2 * n1 * x2 * (x2 + x1) + (n2 + n1) * x2 * x2 * x1 + n2 * n1 * (x2 + x1) * z2;
    let a4 = -n1 * x2 * x2 * (x2 + x1);
    let (b1, b2, b3) = (a2 / a1, a3 / a1, a4 / a1);
    let c1 = b2 - b1 * b1 / 3.0;
    let c2 = b3 - b1 * b2 / 3.0 + 2.0 * b1.powi(3) / 27.0;
    let angle = (27f64.sqrt() * c2 / (2.0 * c1 * (-c1).sqrt())).acos();
    let r = 2.0 * (-c1 / 3.0).sqrt();
    // The three roots are r·cos(φ), −r·cos(π/3 + φ) and −r·cos(π/3 − φ) (less b₁/3), with
    // φ = angle/3 in [0, π/3]: largest, middle and smallest. Koopman's limits come from the
    // middle one (the lower limit) and the smallest (the upper).
    let (third, phi) = (std::f64::consts::PI / 3.0, angle / 3.0);
    let low = -r * (third + phi).cos() - b1 / 3.0;
    let up = -r * (third - phi).cos() - b1 / 3.0;
    let limit = |p0: f64| (1.0 - (n1 - x1) * (1.0 - p0) / (x2 + n1 - (n2 + n1) * p0)) / p0;
    (limit(low), limit(up))
}

/// The limit near `guess` (a ratio θ) where u, negative inside the interval, turns non-negative
/// walking in direction `dir`. U is 0 at RR and grows away from it on each side (what the search
/// from RR relies on too), so each side has one crossing, and a bracket with u < 0 on its inner
/// end and u ≥ 0 on its outer end holds that side's. `None` when the guess brackets nothing.
///
/// Nam's cubic is exact but for rounding on ordinary counts, so the bracket `guess·(1 ± 10⁻¹⁰)`
/// almost always holds the limit, and one secant step inside it is as close as the score's own
/// rounding allows: two evaluations per limit, where Brent on `guess·(1 ± 10⁻⁷)` took seven or
/// eight (at Kolada scale Koopman was a third of the values' and gaps' time). The bracket is in θ
/// itself, not ln θ, so that no evaluation needs an `exp` (they were a quarter of Koopman's
/// time). Where the cubic lost digits, Brent on the wider bracket, then the search of [`crossing`].
fn polish(u: &impl Fn(f64) -> f64, guess: f64, dir: f64) -> Option<f64> {
    if !(guess.is_finite() && guess > 0.0) {
        return None;
    }
    let bracket = |width: f64| {
        let d = width * guess;
        let (inner, outer) = (guess - dir * d, guess + dir * d);
        let (ui, uo) = (u(inner), u(outer));
        (ui < 0.0 && uo >= 0.0).then_some((inner, outer, ui, uo))
    };
    if let Some((inner, outer, ui, uo)) = bracket(1e-10) {
        return Some(inner + (outer - inner) * (-ui / (uo - ui)));
    }
    bracket(1e-7).map(|(inner, outer, _, _)| brent(u, inner, outer, 1e-12 * guess, MAX_BRENT))
}

/// Koopman's score statistic U(θ) at the constrained maximum-likelihood estimates (x₁ + x₂ > 0).
fn score(theta: f64, x1: f64, n1: f64, x2: f64, n2: f64) -> f64 {
    // The smaller root of θ(n₁+n₂)p² − (θ(n₁+x₂) + x₁ + n₂)p + (x₁+x₂) = 0, written 2c/(−b + √D) to avoid
    // cancellation; it is ≤ min(1, 1/θ), so p̃₁ = θp̃₂ is a probability.
    let a = theta * (n1 + n2);
    let minus_b = theta * (n1 + x2) + x1 + n2;
    let c = x1 + x2;
    let disc = (minus_b * minus_b - 4.0 * a * c).max(0.0);
    let p2 = (2.0 * c / (minus_b + disc.sqrt())).min(1.0);
    let p1 = (theta * p2).min(1.0);
    score_term(x1, n1, p1) + score_term(x2, n2, p2)
}

/// (x − np)²/(np(1 − p)), with its limits at the edges so that p = 0 or 1 gives no 0/0.
fn score_term(x: f64, n: f64, p: f64) -> f64 {
    if x == 0.0 {
        n * p / (1.0 - p)
    } else if x == n {
        n * (1.0 - p) / p
    } else {
        let e = x - n * p;
        e * e / (n * p * (1.0 - p))
    }
}

/// Where g (negative at `inside`) turns non-negative, walking from `inside` in direction `dir` (±1)
/// along ln θ; ±∞ if it never does within ±[`LN_THETA_MAX`].
fn crossing(g: &impl Fn(f64) -> f64, mut inside: f64, dir: f64) -> f64 {
    // If the starting guess is not inside (only possible for the far-out guesses when RR is 0 or ∞),
    // move it further out first.
    let mut tries = 0;
    while g(inside) >= 0.0 {
        inside -= dir * 30.0;
        tries += 1;
        if tries > MAX_EXPANSIONS || inside.abs() > LN_THETA_MAX {
            return -dir * f64::INFINITY;
        }
    }
    let mut step = 0.5;
    for _ in 0..MAX_EXPANSIONS {
        let out = (inside + dir * step).clamp(-LN_THETA_MAX, LN_THETA_MAX);
        if g(out) >= 0.0 {
            return brent(g, inside, out, 1e-12, MAX_BRENT);
        }
        if out.abs() >= LN_THETA_MAX {
            break;
        }
        inside = out;
        step *= 2.0;
    }
    dir * f64::INFINITY
}

/// The ratio of two Poisson rates (x₁/n₁)/(x₂/n₂) and its exact conditional interval: given x₁ + x₂,
/// x₁ ~ Bin(x₁ + x₂, π) with π = θn₁/(θn₁ + n₂); the Clopper–Pearson interval (π_L, π_U) for x₁ of x₁ + x₂
/// maps to `θ = π/(1 − π) · n₂/n₁`.
///
/// Clopper & Pearson 1934 applied conditionally (Breslow & Day 1987, §2); R's two-sample `poisson.test`
/// (stats package), which the test reproduces (60/12 000 vs 40/11 000 → 1.3750 (0.9065, 2.1057)). The
/// default for women / men of two rates because it is exact (coverage ≥ nominal) and needs no search
/// beyond two beta quantiles. x₁ = 0 gives RR = L = 0; x₂ = 0 gives RR = U = +∞, as `poisson.test`.
///
/// # Errors
/// [`NoInterval::NoEvents`] if x₁ = x₂ = 0; [`NoInterval::EmptyDenominator`] if a denominator is 0;
/// [`NoInterval::Negative`] or [`NoInterval::NotFinite`] for impossible inputs.
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn rate_ratio(x1: f64, n1: f64, x2: f64, n2: f64, level: f64) -> Result<(f64, Interval), NoInterval> {
    for v in [x1, n1, x2, n2] {
        if !v.is_finite() {
            return Err(NoInterval::NotFinite);
        }
        if v < 0.0 {
            return Err(NoInterval::Negative);
        }
    }
    if n1 == 0.0 || n2 == 0.0 {
        return Err(NoInterval::EmptyDenominator);
    }
    if x1 == 0.0 && x2 == 0.0 {
        return Err(NoInterval::NoEvents);
    }
    let pi = clopper_pearson(x1, x1 + x2, level)?;
    let odds_to_ratio = |p: f64| if p >= 1.0 { f64::INFINITY } else { p / (1.0 - p) * n2 / n1 };
    let rr = if x2 == 0.0 { f64::INFINITY } else { (x1 / n1) / (x2 / n2) };
    Ok((rr, Interval { low: odds_to_ratio(pi.low), high: odds_to_ratio(pi.high), method: Method::ExactConditional }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    fn assert_koopman(x1: f64, n1: f64, x2: f64, n2: f64, rr: f64, low: f64, high: f64) {
        let (est, iv) = koopman(x1, n1, x2, n2, 0.95).unwrap();
        assert!(close(est, rr) && close(iv.low, low) && close(iv.high, high), "{est} {iv:?}");
        assert_eq!(iv.method, Method::Koopman);
    }

    /// PropCIs `riskscoreci` (Nam 1995's closed-form cubic, [`nam_guess`]) with its branches for
    /// x₁ = 0 (L = 0) and x₂ = 0 (U = ∞). Valid for x₁ < n₁ and x₂ < n₂.
    fn nam_cubic(x1: f64, n1: f64, x2: f64, n2: f64, level: f64) -> (f64, f64) {
        let (low, up) = nam_guess(x1, n1, x2, n2, z(level).powi(2));
        (if x1 == 0.0 { 0.0 } else { low }, if x2 == 0.0 { f64::INFINITY } else { up })
    }

    /// Koopman 1984's data via Nam 1995 (statsmodels `test_score_confint_koopman_nam`; STATISTICS.md E3):
    /// 36/40 vs 16/80 → RR 4.5, (2.9396, 7.1522), published (2.940, 7.152).
    #[test]
    fn koopman_1984_example() {
        assert_koopman(36.0, 40.0, 16.0, 80.0, 4.5, 2.9396, 7.1522);
    }

    /// STATISTICS.md E3, 45/60 vs 30/55 → 1.3750 (1.0480, 1.8586); statsmodels score, correction=False.
    #[test]
    fn koopman_jamfor_example() {
        assert_koopman(45.0, 60.0, 30.0, 55.0, 1.375, 1.0480, 1.8586);
    }

    /// Fagerland, Lydersen & Laake 2015 (STATISTICS.md E3): 7/34 vs 1/34 → 7.0 (1.2209, 42.5757), published
    /// (1.21, 43); Katz (0.91, 54) would include 1.
    #[test]
    fn koopman_small_counts() {
        assert_koopman(7.0, 34.0, 1.0, 34.0, 7.0, 1.2209, 42.5757);
    }

    /// The root of the score agrees with Nam's closed-form cubic (PropCIs) to 1e-8 relative,
    /// including the x₁ = 0 and x₂ = 0 branches and a 99.8 % level. (The cubic is only the root
    /// search's first guess, and the search from RR finds the same roots:
    /// `koopman_polishes_the_cubics_guess`.)
    #[test]
    fn koopman_matches_nams_cubic() {
        let cases = [
            (36.0, 40.0, 16.0, 80.0, 0.95),
            (45.0, 60.0, 30.0, 55.0, 0.998),
            (7.0, 34.0, 1.0, 34.0, 0.95),
            (0.0, 20.0, 5.0, 30.0, 0.95),
            (4.0, 20.0, 0.0, 30.0, 0.95),
            (3.0, 1000.0, 250.0, 400.0, 0.95),
            (2.5, 9.5, 4.25, 11.0, 0.95),
        ];
        for (x1, n1, x2, n2, level) in cases {
            let (_, iv) = koopman(x1, n1, x2, n2, level).unwrap();
            let (l, u) = nam_cubic(x1, n1, x2, n2, level);
            let rel = |a: f64, b: f64| if a == b { 0.0 } else { ((a - b) / b).abs() };
            assert!(rel(iv.low, l) < 1e-8 && rel(iv.high, u) < 1e-8, "{x1}/{n1} vs {x2}/{n2}: {iv:?} vs ({l}, {u})");
        }
    }

    /// The guess from Nam's cubic brackets both limits of ordinary counts, and polishing it gives
    /// the root the search from RR finds; a guess that brackets nothing is declined.
    #[test]
    fn koopman_polishes_the_cubics_guess() {
        for (x1, n1, x2, n2) in [(45.0, 60.0, 30.0, 55.0), (305.0, 457.0, 288.0, 389.0), (3.0, 1000.0, 250.0, 400.0)] {
            let crit = z(0.95).powi(2);
            let u = |theta: f64| score(theta, x1, n1, x2, n2) - crit;
            let g = |t: f64| u(t.exp());
            let rr = (x1 / n1) / (x2 / n2);
            let (low, high) = nam_guess(x1, n1, x2, n2, crit);
            for (guess, dir) in [(low, -1.0), (high, 1.0)] {
                let polished = polish(&u, guess, dir).expect("the cubic's guess brackets the limit");
                let searched = crossing(&g, rr.ln(), dir).exp();
                assert!(((polished - searched) / searched).abs() < 1e-12, "{x1}/{n1} vs {x2}/{n2}");
                // A guess off by more than the tight bracket is still polished (Brent on the wider one).
                let off = polish(&u, guess * (1.0 + dir * 1e-8), dir).expect("within the wider bracket");
                assert!(((off - searched) / searched).abs() < 1e-11, "{x1}/{n1} vs {x2}/{n2}");
            }
            assert_eq!(polish(&u, rr, 1.0), None, "RR itself brackets no limit");
            assert_eq!(polish(&u, f64::NAN, 1.0), None);
            assert_eq!(polish(&u, -1.0, 1.0), None, "a negative guess is no ratio");
        }
        assert!(nam_guess(20.0, 20.0, 15.0, 30.0, 3.84).0.is_nan(), "x₁ = n₁ is outside the cubic's branches");
    }

    /// Edges: x₁ = 0 → RR = L = 0; x₂ = 0 → RR = U = ∞ with a finite positive L; both 0 → no ratio.
    #[test]
    fn koopman_zero_counts() {
        let (rr, iv) = koopman(0.0, 20.0, 5.0, 30.0, 0.95).unwrap();
        assert_eq!((rr, iv.low), (0.0, 0.0));
        assert!(iv.high.is_finite() && iv.high > 0.0);
        let (rr, iv) = koopman(4.0, 20.0, 0.0, 30.0, 0.95).unwrap();
        assert!(rr.is_infinite() && iv.high.is_infinite() && iv.high > 0.0);
        assert!(iv.low.is_finite() && iv.low > 0.0);
        assert_eq!(koopman(0.0, 20.0, 0.0, 30.0, 0.95), Err(NoInterval::ZeroReference));
        assert_eq!(koopman(1.0, 0.0, 0.0, 30.0, 0.95), Err(NoInterval::EmptyDenominator));
    }

    /// x = n edges follow PropCIs's branches: both all successes → (n₁/(n₁ + z²), (n₂ + z²)/n₂); one group
    /// all successes gives a finite interval around RR; 0 of n₁ vs n₂ of n₂ has L = 0.
    #[test]
    fn koopman_full_groups() {
        let z2 = z(0.95).powi(2);
        let (rr, iv) = koopman(20.0, 20.0, 30.0, 30.0, 0.95).unwrap();
        assert_eq!(rr, 1.0);
        assert!((iv.low - 20.0 / (20.0 + z2)).abs() < 1e-9 && (iv.high - (30.0 + z2) / 30.0).abs() < 1e-9, "{iv:?}");
        for (x1, n1, x2, n2) in [(20.0, 20.0, 15.0, 30.0), (5.0, 20.0, 30.0, 30.0)] {
            let (rr, iv) = koopman(x1, n1, x2, n2, 0.95).unwrap();
            assert!(iv.low > 0.0 && iv.low < rr && rr < iv.high && iv.high.is_finite(), "{rr} {iv:?}");
            // At the limits the score equals the critical value.
            for t in [iv.low, iv.high] {
                assert!((score(t, x1, n1, x2, n2) - z2).abs() < 1e-8);
            }
        }
        let (_, iv) = koopman(0.0, 20.0, 30.0, 30.0, 0.95).unwrap();
        assert!(iv.low == 0.0 && iv.high > 0.0 && iv.high.is_finite());
        // Score 0 of n₁ against all of group 2: U = n₁θ/(1 − θ) = z² below θ = n₂/(n₁ + n₂).
        assert!((iv.high - z2 / (20.0 + z2)).abs() < 1e-9, "{iv:?}");
    }

    /// STATISTICS.md §1.4, R `poisson.test(c(60, 40), c(12000, 11000))`: 1.3750 (0.9065, 2.1057).
    #[test]
    fn rate_ratio_exact_conditional() {
        let (rr, iv) = rate_ratio(60.0, 12_000.0, 40.0, 11_000.0, 0.95).unwrap();
        assert!(close(rr, 1.375) && close(iv.low, 0.9065) && close(iv.high, 2.1057), "{rr} {iv:?}");
        assert_eq!(iv.method, Method::ExactConditional);
    }

    #[test]
    fn rate_ratio_edges() {
        let (rr, iv) = rate_ratio(0.0, 1000.0, 4.0, 1000.0, 0.95).unwrap();
        assert_eq!((rr, iv.low), (0.0, 0.0));
        assert!(iv.high.is_finite());
        let (rr, iv) = rate_ratio(4.0, 1000.0, 0.0, 1000.0, 0.95).unwrap();
        assert!(rr.is_infinite() && iv.high.is_infinite() && iv.low > 0.0);
        assert_eq!(rate_ratio(0.0, 1000.0, 0.0, 900.0, 0.95), Err(NoInterval::NoEvents));
        assert_eq!(rate_ratio(1.0, 0.0, 2.0, 900.0, 0.95), Err(NoInterval::EmptyDenominator));
        // Events may outnumber the population.
        assert!(rate_ratio(30.0, 10.0, 20.0, 10.0, 0.95).is_ok());
    }
}
