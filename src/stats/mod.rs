//! # Statistics: confidence intervals for proportions, rates, means, gaps and standardised rates
//!
//! This module owns every formula jamfor uses to put an interval around a number. It is pure `f64`
//! arithmetic on counts, sums and standard populations: it knows nothing of polars, frames or
//! indicators, so the `indicators` and `compare` stages call it row by row.
//!
//! Every public function cites its method (the paper and the open reference implementation it was
//! checked against, mostly PHEindicatormethods, PropCIs and statsmodels) and says why it is jamfor's
//! default; every formula has a unit test asserting a hand-checked or published value to 4 decimals
//! (the worked examples of `STATISTICS.md` §1–2).
//!
//! ## Layout
//! - [`proportion`]: one proportion x/n — Wilson (default), Clopper–Pearson, Jeffreys.
//! - [`poisson`]: counts and rates of events — exact (Garwood) below 10, Byar from 10, as PHE.
//! - [`mean`]: means — Student t for one group, Welch for a difference of two.
//! - [`difference`]: women − men — Newcombe's hybrid score for proportions, MOVER for anything else.
//! - [`ratio`]: women / men — Koopman's score interval for proportions, exact conditional for rates.
//! - [`standardise`]: directly standardised rates with Dobson's interval (Byar limits for the total).
//! - [`position`]: where a value stands in a reference set — type 7 quartiles, ranks with ties,
//!   percentiles, Kolada's quartile colours.
//! - [`funnel`]: funnel-plot limits (normal and exact binomial/Poisson) and overdispersion.
//! - [`trend`]: Cochran–Armitage and weighted-slope trend tests, Fingertips' trend markers.
//!
//! ## Conventions
//! - Proportions are on the 0–1 scale; rates are per `per` (e.g. 1000) of the denominator.
//! - Counts are `f64` because weighted data give non-integer counts.
//! - A statistic that has no interval says why with a [`NoInterval`], whose message a user can read.
//! - `level` is a two-sided confidence level such as 0.95; callers check it once with
//!   [`check_level`] when they read the configuration. The functions panic on a level outside (0, 1)
//!   rather than return numbers that look like an interval.

use std::fmt;

use statrs::distribution::{ContinuousCDF, Normal};

pub mod difference;
pub mod funnel;
pub mod mean;
pub mod poisson;
pub mod position;
pub mod proportion;
pub mod ratio;
pub mod standardise;
pub mod trend;

/// A two-sided confidence interval and the method that produced it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Interval {
    /// Lower limit (may be 0, or negative for a difference).
    pub low: f64,
    /// Upper limit (may be `f64::INFINITY` for a ratio whose reference count is 0).
    pub high: f64,
    /// How the limits were computed; reported beside every interval.
    pub method: Method,
}

/// The method behind an [`Interval`]. `label` is the name shown in reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Method {
    /// Wilson score interval for a proportion.
    Wilson,
    /// Clopper–Pearson "exact" (beta) interval for a proportion.
    ClopperPearson,
    /// Jeffreys (beta ½, ½ prior) interval for a proportion.
    Jeffreys,
    /// Garwood's exact (gamma) limits for a Poisson count.
    ExactPoisson,
    /// Byar's approximation to the exact Poisson limits.
    Byar,
    /// Student t interval for a mean.
    StudentT,
    /// Welch interval for a difference of two means.
    Welch,
    /// Newcombe's hybrid score interval for a difference of two proportions.
    Newcombe,
    /// MOVER (method of variance estimates recovery) for a difference of two estimates.
    Mover,
    /// Koopman's score interval for a ratio of two proportions.
    Koopman,
    /// Exact conditional (binomial) interval for a ratio of two Poisson rates.
    ExactConditional,
    /// Dobson et al.'s interval for a directly standardised rate.
    Dobson,
}

impl Method {
    /// The name shown beside an interval in reports (PHE's spelling where PHE has one).
    pub fn label(self) -> &'static str {
        match self {
            Method::Wilson => "Wilson",
            Method::ClopperPearson => "Clopper-Pearson",
            Method::Jeffreys => "Jeffreys",
            Method::ExactPoisson => "exact Poisson",
            Method::Byar => "Byar",
            Method::StudentT => "Student t",
            Method::Welch => "Welch",
            Method::Newcombe => "Newcombe",
            Method::Mover => "MOVER",
            Method::Koopman => "Koopman",
            Method::ExactConditional => "exact conditional",
            Method::Dobson => "Dobson",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Why a statistic has no interval (or no value). Each message is one plain English sentence.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NoInterval {
    /// The denominator (n, population, or a stratum's population) is 0.
    #[error("n = 0: there is no one to take a proportion or rate of")]
    EmptyDenominator,
    /// A proportion's count is larger than its denominator.
    #[error("the count is larger than its denominator, so it cannot be a share of it")]
    CountAboveDenominator,
    /// A count, denominator, standard population or standard deviation is negative.
    #[error("a count, population or standard deviation is negative, which no real data can be")]
    Negative,
    /// An input is NaN or infinite.
    #[error("an input is missing or not a finite number, so nothing can be computed from it")]
    NotFinite,
    /// A t interval needs n ≥ 2.
    #[error("fewer than 2 records: a mean's interval needs at least two values to estimate their spread")]
    TooFewRecords,
    /// The standard deviation is unknown (e.g. a ratio of two totals without record data).
    #[error("the standard deviation is unknown, so the mean has no interval")]
    NoSpread,
    /// A directly standardised rate with fewer than 10 events in total (PHE withholds it).
    #[error("fewer than 10 events in total: a standardised rate is withheld below 10, as PHE does")]
    TooFewEvents,
    /// A ratio whose reference (men's) value is 0.
    #[error("the men's value is 0, so there is no ratio to it")]
    ZeroReference,
    /// Both counts of a conditional rate ratio are 0.
    #[error("both counts are 0, so there is no ratio between them")]
    NoEvents,
}

/// Whether `level` is a usable two-sided confidence level: 0 < level < 1 (0.95, 0.998, …).
pub fn check_level(level: f64) -> bool {
    level > 0.0 && level < 1.0
}

/// z = Φ⁻¹(1 − α/2) for a two-sided level such as 0.95 (α = 1 − level): 1.959964 at 0.95,
/// 3.090232 at 0.998.
///
/// # Panics
/// If `!check_level(level)`.
pub fn z(level: f64) -> f64 {
    thread_local!(static Z: Memo = const { Memo::new() });
    Z.with(|z| z.get(level, || Normal::standard().inverse_cdf(upper_tail_p(level))))
}

/// The last few quantiles a thread computed, by level. Millions of intervals, limits and tests
/// share two or three levels (0.95, 0.998), and a quantile is an iterative solve, far dearer
/// than the interval itself; a one-entry memo thrashed when the funnel's 95 % and 99.8 % limits
/// alternated.
pub(crate) struct Memo(std::cell::Cell<[(f64, f64); 4]>);

impl Memo {
    pub(crate) const fn new() -> Memo {
        Memo(std::cell::Cell::new([(f64::NAN, f64::NAN); 4]))
    }

    /// The value at `level`, computed by `f` when not remembered (evicting the oldest).
    pub(crate) fn get(&self, level: f64, f: impl FnOnce() -> f64) -> f64 {
        let mut kept = self.0.get();
        if let Some(&(_, v)) = kept.iter().find(|(l, _)| *l == level) {
            return v;
        }
        let v = f();
        kept.rotate_right(1);
        kept[0] = (level, v);
        self.0.set(kept);
        v
    }
}

/// 1 − α/2 for a two-sided `level`, after checking it.
pub(crate) fn upper_tail_p(level: f64) -> f64 {
    assert!(check_level(level), "confidence level must lie strictly between 0 and 1, got {level}");
    0.5 + level / 2.0
}

/// α/2 for a two-sided `level`, after checking it.
pub(crate) fn lower_tail_p(level: f64) -> f64 {
    assert!(check_level(level), "confidence level must lie strictly between 0 and 1, got {level}");
    (1.0 - level) / 2.0
}

/// Polishes a quantile of a continuous distribution on (0, `sup`): returns the q with `cdf(q) = p`, starting
/// from `guess` (statrs's `inverse_cdf`; `fallback` if that is not inside the support).
///
/// Why: statrs 0.19.1's inverse CDFs are not accurate everywhere. Its gamma quantile stalls near 2⁻³⁰ for
/// shapes below ~0.3 and small p (weighted counts below 1), its beta quantile is off by ~1e-5 relative for
/// shapes like (3, 100 000) (Clopper–Pearson for 3 events in 100 000), and its t quantile by ~4e-6 at
/// df = 10⁵ (see statrs-dev/statrs#200 for the older gamma report). The CDFs themselves are accurate, so a
/// guess whose Newton step is below 1e-11 (relative) is returned as is; otherwise a safeguarded Newton
/// iteration on `ln q` (bisection whenever a step leaves the bracket, cf. Numerical Recipes' `rtsafe`)
/// solves `cdf(q) = p` to ~1e-14 relative. Bounded: at most 64 bracket steps and 100 iterations.
pub(crate) fn polish_quantile(
    cdf: impl Fn(f64) -> f64,
    pdf: impl Fn(f64) -> f64,
    p: f64,
    guess: f64,
    fallback: f64,
    sup: f64,
) -> f64 {
    // F(u) = cdf(e^u) − p is increasing in u; dF/du = pdf(e^u)·e^u.
    let f = |u: f64| cdf(u.exp()) - p;
    let newton_step = |u: f64, fu: f64| -fu / (pdf(u.exp()) * u.exp());
    let (u_min, u_max) = (-745.0, sup.ln().min(709.0));
    let x0 = if guess > 0.0 && guess < sup { guess } else { fallback };
    let u0 = x0.ln();
    let f0 = f(u0);
    if f0 == 0.0 {
        return x0;
    }
    // Accept the guess if Newton would move it by less than 1e-11 relative to its distance from both ends
    // of the support (near 1, a beta quantile's error is measured against 1 − q).
    let step0 = newton_step(u0, f0);
    if step0.is_finite() && (step0 * x0).abs() <= 1e-11 * x0.min(sup - x0) {
        return x0;
    }

    // Bracket [lo, hi] with F(lo) < 0 < F(hi), widening from u0 by doubling steps.
    let mut step = if step0.is_finite() && step0 != 0.0 { 2.0 * step0.abs() } else { 1e-3 };
    let (mut lo, mut hi) = (u0, u0);
    let dir = if f0 < 0.0 { 1.0 } else { -1.0 };
    for _ in 0..64 {
        let u = (u0 + dir * step).clamp(u_min, u_max);
        let fu = f(u);
        if dir > 0.0 {
            if fu >= 0.0 || u >= u_max {
                hi = u;
                break;
            }
            lo = u;
        } else {
            if fu <= 0.0 || u <= u_min {
                lo = u;
                break;
            }
            hi = u;
        }
        step *= 2.0;
    }

    let mut u = (lo + hi) / 2.0;
    if lo < u0 && u0 < hi {
        u = u0;
    }
    for _ in 0..100 {
        let fu = f(u);
        if fu == 0.0 {
            break;
        }
        if fu < 0.0 {
            lo = u;
        } else {
            hi = u;
        }
        let mut next = u + newton_step(u, fu);
        if !(next > lo && next < hi) {
            next = (lo + hi) / 2.0;
        }
        let done = (next - u).abs() <= 1e-14 * u.abs().max(1.0) || next.exp() == u.exp();
        u = next;
        if done {
            break;
        }
    }
    u.exp()
}

/// Brent's root finder (Brent 1973, *Algorithms for Minimization without Derivatives*, ch. 4; the
/// netlib `zeroin`) on a bracket `[a, b]` with `f(a)` and `f(b)` of opposite signs (or one zero).
///
/// Stops when the bracket is narrower than `tol` (absolute) or after `max_iter` evaluations, so
/// the cost per call is bounded. Allocation-free; `f` is called at most `max_iter` times.
pub(crate) fn brent(f: impl Fn(f64) -> f64, mut a: f64, mut b: f64, tol: f64, max_iter: usize) -> f64 {
    let mut fa = f(a);
    let mut fb = f(b);
    if fa == 0.0 {
        return a;
    }
    if fb == 0.0 {
        return b;
    }
    let (mut c, mut fc) = (a, fa);
    let mut d = b - a;
    let mut e = d;
    for _ in 0..max_iter {
        if (fb > 0.0) == (fc > 0.0) {
            c = a;
            fc = fa;
            d = b - a;
            e = d;
        }
        if fc.abs() < fb.abs() {
            a = b;
            b = c;
            c = a;
            fa = fb;
            fb = fc;
            fc = fa;
        }
        let tol1 = 2.0 * f64::EPSILON * b.abs() + 0.5 * tol;
        let m = 0.5 * (c - b);
        if m.abs() <= tol1 || fb == 0.0 {
            return b;
        }
        if e.abs() >= tol1 && fa.abs() > fb.abs() {
            // Inverse quadratic interpolation, or the secant step when only two points are distinct.
            let s = fb / fa;
            let (mut p, mut q);
            if a == c {
                p = 2.0 * m * s;
                q = 1.0 - s;
            } else {
                let qa = fa / fc;
                let r = fb / fc;
                p = s * (2.0 * m * qa * (qa - r) - (b - a) * (r - 1.0));
                q = (qa - 1.0) * (r - 1.0) * (s - 1.0);
            }
            if p > 0.0 {
                q = -q;
            } else {
                p = -p;
            }
            if 2.0 * p < (3.0 * m * q - (tol1 * q).abs()).min((e * q).abs()) {
                e = d;
                d = p / q;
            } else {
                d = m;
                e = m;
            }
        } else {
            d = m;
            e = m;
        }
        a = b;
        fa = fb;
        b += if d.abs() > tol1 { d } else { tol1.copysign(m) };
        fb = f(b);
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    /// STATISTICS.md header: z = Φ⁻¹(0.975) = 1.959964; z₀.₉₉₈ = Φ⁻¹(0.999) = 3.090232.
    #[test]
    fn z_matches_the_normal_quantiles_of_statistics_md() {
        assert!((z(0.95) - 1.959964).abs() < 1e-6);
        assert!((z(0.998) - 3.090232).abs() < 1e-6);
        // χ²₁(0.998) = z₀.₉₉₈² = 9.549536.
        assert!(close(z(0.998).powi(2), 9.549536));
    }

    /// The memo answers every level with its own value however levels alternate, and computes
    /// each level once while no more than four are in use.
    #[test]
    fn the_memo_keeps_the_last_four_levels() {
        let memo = Memo::new();
        let calls = std::cell::Cell::new(0);
        let square = |l: f64| {
            calls.set(calls.get() + 1);
            l * l
        };
        for _ in 0..3 {
            for level in [0.95, 0.998, 0.9, 0.99] {
                assert_eq!(memo.get(level, || square(level)), level * level);
            }
        }
        assert_eq!(calls.get(), 4);
        assert_eq!(memo.get(0.5, || square(0.5)), 0.25);
        assert_eq!(memo.get(0.95, || square(0.95)), 0.95 * 0.95, "the oldest went; recomputed");
        assert_eq!(calls.get(), 6);
    }

    #[test]
    fn level_must_lie_strictly_inside_0_1() {
        assert!(check_level(0.95));
        assert!(check_level(0.998));
        assert!(!check_level(0.0));
        assert!(!check_level(1.0));
        assert!(!check_level(95.0));
        assert!(!check_level(f64::NAN));
    }

    #[test]
    #[should_panic(expected = "confidence level")]
    fn z_panics_on_a_percentage_given_as_a_level() {
        z(95.0);
    }

    #[test]
    fn labels_are_the_report_names() {
        assert_eq!(Method::ClopperPearson.label(), "Clopper-Pearson");
        assert_eq!(Method::ExactPoisson.to_string(), "exact Poisson");
        assert_eq!(Method::Mover.label(), "MOVER");
    }

    #[test]
    fn messages_are_sentences() {
        for e in [
            NoInterval::EmptyDenominator,
            NoInterval::CountAboveDenominator,
            NoInterval::Negative,
            NoInterval::NotFinite,
            NoInterval::TooFewRecords,
            NoInterval::NoSpread,
            NoInterval::TooFewEvents,
            NoInterval::ZeroReference,
            NoInterval::NoEvents,
        ] {
            let m = e.to_string();
            assert!(!m.is_empty() && !m.ends_with('.') && !m.contains('\n'), "{m}");
        }
    }

    /// Brent on x³ − 2x − 5 (Wallis's example; root 2.0945514815423265).
    #[test]
    fn brent_finds_wallis_root() {
        let r = brent(|x| x * x * x - 2.0 * x - 5.0, 2.0, 3.0, 1e-14, 100);
        assert!((r - 2.094_551_481_542_326_5).abs() < 1e-12);
    }
}
