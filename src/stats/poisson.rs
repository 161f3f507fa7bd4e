//! Counts and rates of events (admissions, falls, decisions: events that can repeat for one person),
//! with exact Poisson limits below 10 events and Byar's approximation from 10, as PHE's `phe_rate`
//! (STATISTICS.md §1.4).
//!
//! ## Caching the exact limits
//! [`count_limits`] is called once per row on millions of rows, and an exact limit is a gamma
//! quantile found by iteration. The ten exact pairs for x = 0, 1, …, 9 therefore live in a
//! [`PoissonTable`], built once per confidence level. Callers with a level at hand may build and
//! keep a table themselves; the free functions keep one per level in a small per-thread cache (up to
//! [`CACHED_LEVELS`] levels, keyed by the level's bits), so they need no lock and each thread pays
//! for the 20 quantiles once per level. Non-integer counts below 10 (weighted data) are not in the
//! table and use the gamma quantiles directly.

use std::cell::RefCell;

use statrs::distribution::{Continuous, ContinuousCDF, Gamma};

use super::{Interval, Method, NoInterval, lower_tail_p, polish_quantile, upper_tail_p, z};

/// Below this count the exact limits are used, from it Byar's (PHE `phe_rate`).
pub const BYAR_FROM: f64 = 10.0;

/// How many confidence levels each thread keeps a [`PoissonTable`] for.
pub const CACHED_LEVELS: usize = 8;

/// Garwood's exact limits for a Poisson count x: `L = χ²⁻¹(α/2; 2x)/2` (0 at x = 0),
/// `U = χ²⁻¹(1 − α/2; 2x + 2)/2`, computed as the equivalent Gamma(x, 1) and Gamma(x + 1, 1) quantiles.
///
/// Garwood 1936, Biometrika 28:437; PHEindicatormethods `phe_rate` (`R/Rates.R`, for x < 10); statsmodels
/// `rates.confint_poisson(method="exact-c")`. The exact limits guarantee coverage, which matters for small
/// counts; for x ≥ 10 PHE (and so jamfor, via [`count_limits`]) uses Byar's closed form instead.
/// Works for non-integer x (weighted data). Returns NaNs for a negative or non-finite x.
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn exact(x: f64, level: f64) -> (f64, f64) {
    let (pl, pu) = (lower_tail_p(level), upper_tail_p(level));
    if !(x >= 0.0 && x.is_finite()) {
        return (f64::NAN, f64::NAN);
    }
    let low = if x == 0.0 { 0.0 } else { gamma_quantile(x, pl) };
    (low, gamma_quantile(x + 1.0, pu))
}

/// Byar's approximation to the exact Poisson limits of a count x:
/// `L = x(1 − 1/(9x) − z/(3√x))³`, `U = (x + 1)(1 − 1/(9(x + 1)) + z/(3√(x + 1)))³`.
///
/// Breslow & Day 1987, IARC Sci Publ 82; PHEindicatormethods `byars_lower`/`byars_upper` (`R/utils.R`),
/// used by `phe_rate` for x ≥ 10 and by `calculate_dsr` for the total count. Closed form and within the
/// 4th significant digit of the exact limits from x = 10 (150 events: 126.9547 vs exact 126.9562).
/// L is 0 at x = 0 and is clamped at 0 where the cube would go negative (tiny x, high level).
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn byar(x: f64, level: f64) -> (f64, f64) {
    byar_z(x, z(level))
}

fn byar_z(x: f64, z: f64) -> (f64, f64) {
    let low = if x == 0.0 { 0.0 } else { x * (1.0 - 1.0 / (9.0 * x) - z / (3.0 * x.sqrt())).max(0.0).powi(3) };
    let x1 = x + 1.0;
    (low, x1 * (1.0 - 1.0 / (9.0 * x1) + z / (3.0 * x1.sqrt())).powi(3))
}

/// PHE's choice of limits for a count: exact ([`exact`]) for x < 10, Byar ([`byar`]) for x ≥ 10, with the
/// method used.
///
/// PHEindicatormethods `phe_rate` (`R/Rates.R`), which reports "Exact"/"Byars" beside each value. Integer
/// x < 10 come from a per-thread cached [`PoissonTable`] (see the module docs), so no quantile is searched
/// for on the hot path; non-integer x < 10 use the gamma quantiles directly.
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn count_limits(x: f64, level: f64) -> (f64, f64, Method) {
    with_table(level, |t| t.count_limits(x))
}

/// The rate x/n × `per` (e.g. per 1000 inhabitants) and its interval: [`count_limits`] divided by n, times
/// `per`. The method is [`Method::ExactPoisson`] for x < 10 and [`Method::Byar`] from 10.
///
/// PHEindicatormethods `phe_rate` (`R/Rates.R`); Garwood 1936 and Breslow & Day 1987. The default for
/// events that can repeat; a numerator of *persons* who belong to the denominator is a proportion (use
/// [`super::proportion::wilson`] with a multiplier), as STATISTICS.md §1.1 explains.
///
/// # Errors
/// [`NoInterval::EmptyDenominator`] if n = 0; [`NoInterval::Negative`] or [`NoInterval::NotFinite`] for
/// impossible inputs. The count may exceed n (events repeat).
///
/// # Panics
/// If `level` is not strictly between 0 and 1.
pub fn rate(x: f64, n: f64, per: f64, level: f64) -> Result<(f64, Interval), NoInterval> {
    if !x.is_finite() || !n.is_finite() || !per.is_finite() {
        return Err(NoInterval::NotFinite);
    }
    if x < 0.0 || n < 0.0 || per < 0.0 {
        return Err(NoInterval::Negative);
    }
    if n == 0.0 {
        return Err(NoInterval::EmptyDenominator);
    }
    let (low, high, method) = count_limits(x, level);
    let scale = per / n;
    Ok((x * scale, Interval { low: low * scale, high: high * scale, method }))
}

/// The limits of PHE's rule (exact below 10, Byar from 10) for one confidence level, with the exact pairs
/// of x = 0, …, 9 computed once. Build one and keep it when a loop uses a single level; the free
/// [`count_limits`] keeps one per level and thread for you.
#[derive(Clone, Debug, PartialEq)]
pub struct PoissonTable {
    level: f64,
    z: f64,
    exact: [(f64, f64); 10],
}

impl PoissonTable {
    /// Computes the ten exact limit pairs and z for `level`.
    ///
    /// # Panics
    /// If `level` is not strictly between 0 and 1.
    pub fn new(level: f64) -> PoissonTable {
        let mut exact_pairs = [(0.0, 0.0); 10];
        for (x, pair) in exact_pairs.iter_mut().enumerate() {
            *pair = exact(x as f64, level);
        }
        PoissonTable { level, z: z(level), exact: exact_pairs }
    }

    /// The confidence level the table was built for.
    pub fn level(&self) -> f64 {
        self.level
    }

    /// As the free [`count_limits`], for this table's level. Returns NaNs for a negative or non-finite x.
    pub fn count_limits(&self, x: f64) -> (f64, f64, Method) {
        if !(x >= 0.0 && x.is_finite()) {
            (f64::NAN, f64::NAN, Method::ExactPoisson)
        } else if x >= BYAR_FROM {
            let (low, high) = byar_z(x, self.z);
            (low, high, Method::Byar)
        } else if x.fract() == 0.0 {
            let (low, high) = self.exact[x as usize];
            (low, high, Method::ExactPoisson)
        } else {
            let (low, high) = exact(x, self.level);
            (low, high, Method::ExactPoisson)
        }
    }
}

thread_local! {
    /// Per-thread tables, most recently built last; at most [`CACHED_LEVELS`].
    static TABLES: RefCell<Vec<PoissonTable>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` on this thread's table for `level`, building (and caching) it on first use.
fn with_table<R>(level: f64, f: impl FnOnce(&PoissonTable) -> R) -> R {
    TABLES.with(|cell| {
        let mut tables = cell.borrow_mut();
        let key = level.to_bits();
        let index = match tables.iter().position(|t| t.level.to_bits() == key) {
            Some(i) => i,
            None => {
                let table = PoissonTable::new(level);
                if tables.len() == CACHED_LEVELS {
                    tables.remove(0);
                }
                tables.push(table);
                tables.len() - 1
            }
        };
        f(&tables[index])
    })
}

/// The p-quantile of Gamma(shape, rate 1), i.e. χ²⁻¹(p; 2·shape)/2: statrs's safeguarded Newton iteration
/// (accurate for the shapes ≥ 1 of integer counts; the ~1e-5 relative error of statrs#200 is gone), polished
/// on the gamma CDF where it is not: for shapes below ~0.3 (weighted counts below 1) statrs stalls near
/// 2⁻³⁰ for small p. See [`super::polish_quantile`] and the round-trip test.
fn gamma_quantile(shape: f64, p: f64) -> f64 {
    let d = Gamma::new(shape, 1.0).expect("gamma shape is positive");
    polish_quantile(|q| d.cdf(q), |q| d.pdf(q), p, d.inverse_cdf(p), shape, f64::INFINITY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use statrs::distribution::ChiSquared;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    /// STATISTICS.md E4: 8 events → exact count limits (3.4538, 15.7632) = χ²(0.025; 16)/2, χ²(0.975; 18)/2.
    #[test]
    fn exact_limits_of_8() {
        let (l, u) = exact(8.0, 0.95);
        assert!(close(l, 3.4538) && close(u, 15.7632), "({l}, {u})");
        let chi_l = ChiSquared::new(16.0).unwrap().inverse_cdf(0.025) / 2.0;
        let chi_u = ChiSquared::new(18.0).unwrap().inverse_cdf(0.975) / 2.0;
        assert!((l - chi_l).abs() < 1e-9 && (u - chi_u).abs() < 1e-9);
    }

    /// STATISTICS.md E4: 8 / 12 000 per 1000 → 0.6667 (0.2878, 1.3136), exact (PHE `phe_rate`).
    #[test]
    fn rate_below_10_is_exact() {
        let (r, iv) = rate(8.0, 12_000.0, 1000.0, 0.95).unwrap();
        assert!(close(r, 0.6667));
        assert!(close(iv.low, 0.2878) && close(iv.high, 1.3136), "{iv:?}");
        assert_eq!(iv.method, Method::ExactPoisson);
    }

    /// STATISTICS.md E4: 150 / 25 000 per 1000 → 6.0 (5.0782, 7.0407), Byar; count limits (126.9547, 176.0182)
    /// (hand check 150 × 0.94591580³ = 126.9547), exact (126.9562, 176.0172); 99.8 % → (4.5987, 7.6742).
    #[test]
    fn rate_from_10_is_byar() {
        let (r, iv) = rate(150.0, 25_000.0, 1000.0, 0.95).unwrap();
        assert!(close(r, 6.0));
        assert!(close(iv.low, 5.0782) && close(iv.high, 7.0407), "{iv:?}");
        assert_eq!(iv.method, Method::Byar);
        let (l, u, m) = count_limits(150.0, 0.95);
        assert!(close(l, 126.9547) && close(u, 176.0182) && m == Method::Byar, "({l}, {u})");
        let (l, u) = exact(150.0, 0.95);
        assert!(close(l, 126.9562) && close(u, 176.0172), "({l}, {u})");
        let (_, iv) = rate(150.0, 25_000.0, 1000.0, 0.998).unwrap();
        assert!(close(iv.low, 4.5987) && close(iv.high, 7.6742), "{iv:?}");
    }

    /// STATISTICS.md E4: 0 / 5000 per 1000 → (0, 0.7378), upper count 3.6889 (= −ln 0.025).
    #[test]
    fn rate_of_zero_events() {
        let (r, iv) = rate(0.0, 5000.0, 1000.0, 0.95).unwrap();
        assert_eq!(r, 0.0);
        assert_eq!(iv.low, 0.0);
        assert!(close(iv.high, 0.7378), "{iv:?}");
        let (l, u, m) = count_limits(0.0, 0.95);
        assert_eq!((l, m), (0.0, Method::ExactPoisson));
        assert!(close(u, 3.6889) && (u + 0.025f64.ln()).abs() < 1e-9);
    }

    #[test]
    fn rate_rejects_impossible_inputs() {
        assert_eq!(rate(3.0, 0.0, 1000.0, 0.95), Err(NoInterval::EmptyDenominator));
        assert_eq!(rate(-3.0, 10.0, 1000.0, 0.95), Err(NoInterval::Negative));
        assert_eq!(rate(3.0, f64::INFINITY, 1000.0, 0.95), Err(NoInterval::NotFinite));
        // Events may outnumber the population.
        assert!(rate(30.0, 10.0, 1.0, 0.95).is_ok());
    }

    /// The cached table gives the same limits as a fresh quantile search, for every x < 10 and two levels;
    /// non-integer counts below 10 bypass it.
    #[test]
    fn table_matches_direct_quantiles() {
        for level in [0.95, 0.998] {
            let table = PoissonTable::new(level);
            assert_eq!(table.level(), level);
            for x in 0..10 {
                let x = x as f64;
                let (l, u, m) = count_limits(x, level);
                assert_eq!((l, u), exact(x, level));
                assert_eq!(table.count_limits(x), (l, u, m));
                assert_eq!(m, Method::ExactPoisson);
            }
        }
        let (l, u, m) = count_limits(2.5, 0.95);
        assert_eq!((l, u), exact(2.5, 0.95));
        assert!(exact(2.0, 0.95).0 < l && l < exact(3.0, 0.95).0 && m == Method::ExactPoisson);
    }

    #[test]
    fn cache_survives_many_levels() {
        for i in 1..=(2 * CACHED_LEVELS) {
            let level = 0.5 + i as f64 / 100.0;
            assert_eq!(count_limits(3.0, level), PoissonTable::new(level).count_limits(3.0));
        }
        assert!(TABLES.with(|t| t.borrow().len()) <= CACHED_LEVELS);
    }

    /// A weighted count of 0.1 events: the lower limit is the Gamma(0.1) quantile at 0.025, which for such a
    /// tiny value is (p·Γ(1.1))^(1/0.1) to ~1e-16 relative (F(q) = q^a/Γ(a + 1)·(1 − O(q))); statrs alone gives
    /// 9.3e-10 here.
    #[test]
    fn exact_lower_limit_below_one_event() {
        let gamma_1_1: f64 = 0.951_350_769_866_873_2;
        let expected = (0.025 * gamma_1_1).powf(10.0);
        let (low, _) = exact(0.1, 0.95);
        assert!(((low - expected) / expected).abs() < 1e-9, "{low:e} vs {expected:e}");
    }

    /// Byar's lower limit never goes negative (x = 1 at 99.8 %: the cubed term is negative) and is 0 at x = 0.
    #[test]
    fn byar_is_clamped_at_zero() {
        assert_eq!(byar(0.0, 0.95).0, 0.0);
        assert_eq!(byar(1.0, 0.998).0, 0.0);
        let (l, u) = byar(150.0, 0.95);
        assert!(close(l, 126.9547) && close(u, 176.0182));
    }

    /// Round trip of the χ² and gamma quantiles used here: cdf(inverse_cdf(p)) = p to 1e-9 (statrs#200 was
    /// a ~1e-5 relative error in the gamma quantile of old statrs versions).
    #[test]
    fn gamma_and_chi_squared_quantiles_round_trip() {
        // Shapes below 1 are weighted counts below 1, where statrs's own gamma quantile stalls (polished here).
        for shape in [0.01, 0.1, 0.3, 0.5, 1.0, 2.5, 8.0, 9.0, 150.0, 151.0, 5000.0] {
            let d = Gamma::new(shape, 1.0).unwrap();
            for p in [0.0005, 0.001, 0.025, 0.5, 0.975, 0.999, 0.9995] {
                if shape == 0.01 && p < 0.025 {
                    continue; // the quantile, (p·Γ(1.01))^100 < 1e-330, underflows f64
                }
                let q = gamma_quantile(shape, p);
                assert!((d.cdf(q) - p).abs() < 1e-9, "Gamma({shape}) at {p}: {}", d.cdf(q));
            }
        }
        for df in [1.0, 16.0, 18.0, 300.0, 302.0] {
            let d = ChiSquared::new(df).unwrap();
            for p in [0.001, 0.025, 0.975, 0.999] {
                assert!((d.cdf(d.inverse_cdf(p)) - p).abs() < 1e-9, "χ²({df}) at {p}");
            }
        }
    }
}
