//! Where a value stands in a reference set: quartiles, ranks with ties, percentiles and the
//! quartile colour (STATISTICS.md §4.2–4.3).
//!
//! These answer the mentor's first question, "how do we stand against all municipalities?", for
//! one indicator × period × sex at a time: the reference distribution is always that of the same
//! indicator, year and sex, so women's values are placed among women's values.

/// Which direction is better, as the indicator's polarity says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Better {
    Higher,
    Lower,
    /// Neither: ranks run from the highest value and no colours are given.
    Neither,
}

/// The Hyndman–Fan **type 7** quantile of sorted, finite values: `h = (N − 1)·p + 1`, linear
/// interpolation between the order statistics around `h`.
///
/// Hyndman & Fan 1996, Am Stat 50:361. R's default `quantile(type = 7)`, numpy's `linear`, and
/// what Fingertips' `ValueCategoriesCalculator` uses, so jamfor's quartiles match the tools
/// analysts check them with. `None` for an empty slice.
///
/// # Panics
/// If `p` is outside [0, 1].
pub fn type7(sorted: &[f64], p: f64) -> Option<f64> {
    assert!((0.0..=1.0).contains(&p), "quantile probability must lie in [0, 1], got {p}");
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let h = (n - 1) as f64 * p; // zero-based: h − 1 of the one-based formula
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(n - 1);
    Some(sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo]))
}

/// The five-number summary of a reference set (type 7 quartiles).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Distribution {
    pub n: usize,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

impl Distribution {
    /// The summary of `values` (NaN-free; the order does not matter). `None` when empty.
    pub fn of(values: &[f64]) -> Option<Distribution> {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        let q = |p| type7(&sorted, p);
        Some(Distribution {
            n: sorted.len(),
            min: *sorted.first()?,
            q1: q(0.25)?,
            median: q(0.5)?,
            q3: q(0.75)?,
            max: *sorted.last()?,
        })
    }

    /// The quartile `value` falls in, 1–4 from the lowest, with inclusive upper bounds as
    /// Fingertips' `QuartilesComparer` (≤ Q1 → 1, ≤ Q2 → 2, ≤ Q3 → 3, else 4). `None` with
    /// fewer than 4 reference values, where quartiles say nothing.
    pub fn quartile(&self, value: f64) -> Option<u8> {
        if self.n < 4 {
            return None;
        }
        Some(if value <= self.q1 {
            1
        } else if value <= self.median {
            2
        } else if value <= self.q3 {
            3
        } else {
            4
        })
    }
}

/// Kolada's colours: the best 25 % green, the middle 50 % yellow, the worst 25 % red; grey when
/// the value or the quartiles are missing; none for neutral indicators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Colour {
    Green,
    Yellow,
    Red,
    Grey,
    None,
}

impl Colour {
    /// The colour of a value in `quartile` (1 = lowest values) for the polarity.
    pub fn of(quartile: Option<u8>, better: Better) -> Colour {
        match (quartile, better) {
            (_, Better::Neither) => Colour::None,
            (None, _) => Colour::Grey,
            (Some(4), Better::Higher) | (Some(1), Better::Lower) => Colour::Green,
            (Some(1), Better::Higher) | (Some(4), Better::Lower) => Colour::Red,
            (Some(_), _) => Colour::Yellow,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Colour::Green => "green",
            Colour::Yellow => "yellow",
            Colour::Red => "red",
            Colour::Grey => "grey",
            Colour::None => "",
        }
    }
}

/// A reference set sorted once, so that many values can be placed in it by binary search.
#[derive(Clone, Debug)]
pub struct Ranking {
    /// Ascending, NaN-free.
    sorted: Vec<f64>,
    better: Better,
}

/// Where one value stands in a [`Ranking`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Place {
    /// Competition rank ("1224"): 1 + how many values are strictly better.
    pub rank: usize,
    /// Average rank: tied values share the mean of their places ("1 2.5 2.5 4").
    pub average: f64,
    /// How many values were ranked, this one included.
    pub n: usize,
}

impl Ranking {
    /// `values` ranked by `better` (the highest first for neutral indicators).
    pub fn new(values: &[f64], better: Better) -> Ranking {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        Ranking { sorted, better }
    }

    /// The place of `x` among the values. `member`: `x` is one of them and counts once;
    /// otherwise it is placed among them as one more.
    ///
    /// STATISTICS.md §4.2: competition ranks for display, average ranks for any statistic, and
    /// never a rank without its interval-based verdict (Goldstein & Spiegelhalter 1996).
    pub fn place(&self, x: f64, member: bool) -> Place {
        let below = self.sorted.partition_point(|&v| v < x);
        let equal = self.sorted.partition_point(|&v| v <= x) - below;
        let above = self.sorted.len() - below - equal;
        let ahead = match self.better {
            Better::Lower => below,
            Better::Higher | Better::Neither => above,
        };
        let ties = equal - usize::from(member && equal > 0);
        Place {
            rank: ahead + 1,
            average: (ahead + 1) as f64 + ties as f64 / 2.0,
            n: self.sorted.len() + usize::from(!member),
        }
    }
}

/// Competition ranks of the present values (`None` values are not ranked); see [`Place`].
pub fn competition_ranks(values: &[Option<f64>], better: Better) -> Vec<Option<usize>> {
    places(values, better).into_iter().map(|p| p.map(|p| p.rank)).collect()
}

/// Average ranks of the present values; see [`Place`].
pub fn average_ranks(values: &[Option<f64>], better: Better) -> Vec<Option<f64>> {
    places(values, better).into_iter().map(|p| p.map(|p| p.average)).collect()
}

fn places(values: &[Option<f64>], better: Better) -> Vec<Option<Place>> {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let ranking = Ranking::new(&present, better);
    values.iter().map(|v| v.map(|x| ranking.place(x, true))).collect()
}

/// The percentile position of an average rank among `n`: 100 for the best, 0 for the worst,
/// `100·(n − rank)/(n − 1)`; 100 when the set has one member. Ties share their average rank, so
/// two organisations with the same value get the same percentile.
pub fn percentile(average_rank: f64, n: usize) -> f64 {
    if n <= 1 { 100.0 } else { 100.0 * (n as f64 - average_rank) / (n as f64 - 1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// STATISTICS.md §4.2–4.3, example E: 11 organisations, higher is better.
    const E: [f64; 11] = [0.62, 0.75, 0.58, 0.75, 0.81, 0.70, 0.66, 0.90, 0.55, 0.70, 0.73];

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-5
    }

    #[test]
    fn type7_quartiles_of_example_e() {
        let d = Distribution::of(&E).unwrap();
        assert_eq!(d.n, 11);
        assert!(close(d.q1, 0.64) && close(d.median, 0.70) && close(d.q3, 0.75), "{d:?}");
        assert_eq!((d.min, d.max), (0.55, 0.90));
    }

    /// Type 7 interpolates: R's `quantile(c(1, 2, 3, 4), 0.25, type = 7)` is 1.75.
    #[test]
    fn type7_interpolates_like_r() {
        assert!(close(type7(&[1.0, 2.0, 3.0, 4.0], 0.25).unwrap(), 1.75));
        assert!(close(type7(&[1.0, 2.0, 3.0, 4.0], 0.5).unwrap(), 2.5));
        assert_eq!(type7(&[5.0], 0.75), Some(5.0));
        assert_eq!(type7(&[], 0.5), None);
    }

    /// E: red (≤ 0.64) 0.62, 0.58, 0.55; green (> 0.75) 0.81, 0.90; yellow the six others, with
    /// 0.75 in quartile 3 because the bound is inclusive.
    #[test]
    fn colours_of_example_e() {
        let d = Distribution::of(&E).unwrap();
        let colours: Vec<Colour> = E.iter().map(|&v| Colour::of(d.quartile(v), Better::Higher)).collect();
        use Colour::*;
        assert_eq!(colours, [Red, Yellow, Red, Yellow, Green, Yellow, Yellow, Green, Red, Yellow, Yellow]);
        assert_eq!(d.quartile(0.75), Some(3));
        // Lower is better: the same quartiles, the colours swap.
        assert_eq!(Colour::of(d.quartile(0.55), Better::Lower), Green);
        assert_eq!(Colour::of(d.quartile(0.90), Better::Lower), Red);
        assert_eq!(Colour::of(d.quartile(0.90), Better::Neither), Colour::None);
    }

    #[test]
    fn too_few_values_have_no_quartile_and_are_grey() {
        let d = Distribution::of(&[0.1, 0.2, 0.3]).unwrap();
        assert_eq!(d.quartile(0.2), None);
        assert_eq!(Colour::of(d.quartile(0.2), Better::Higher), Colour::Grey);
        assert!(Distribution::of(&[]).is_none());
    }

    /// E: competition ranks 9, 3, 10, 3, 2, 6, 8, 1, 11, 6, 5; average ranks 9, 3.5, 10, 3.5,
    /// 2, 6.5, 8, 1, 11, 6.5, 5.
    #[test]
    fn ranks_of_example_e() {
        let values: Vec<Option<f64>> = E.iter().map(|&v| Some(v)).collect();
        let comp: Vec<usize> = competition_ranks(&values, Better::Higher).into_iter().flatten().collect();
        assert_eq!(comp, [9, 3, 10, 3, 2, 6, 8, 1, 11, 6, 5]);
        let avg: Vec<f64> = average_ranks(&values, Better::Higher).into_iter().flatten().collect();
        assert_eq!(avg, [9.0, 3.5, 10.0, 3.5, 2.0, 6.5, 8.0, 1.0, 11.0, 6.5, 5.0]);
    }

    /// Lower is better flips the order; a missing value is not ranked and takes no place.
    #[test]
    fn polarity_flips_and_missing_values_are_not_ranked() {
        let values = [Some(3.0), None, Some(1.0), Some(3.0), Some(2.0)];
        assert_eq!(competition_ranks(&values, Better::Lower), [Some(3), None, Some(1), Some(3), Some(2)]);
        assert_eq!(competition_ranks(&values, Better::Higher), [Some(1), None, Some(4), Some(1), Some(3)]);
        assert_eq!(competition_ranks(&values, Better::Neither), competition_ranks(&values, Better::Higher));
    }

    /// A value outside the set is placed among it as one more; a member counts once.
    #[test]
    fn placing_a_value_among_others() {
        let r = Ranking::new(&[0.6, 0.8, 0.8, 0.5], Better::Higher);
        assert_eq!(r.place(0.55, false), Place { rank: 4, average: 4.0, n: 5 });
        assert_eq!(r.place(0.8, false), Place { rank: 1, average: 2.0, n: 5 });
        assert_eq!(r.place(0.8, true), Place { rank: 1, average: 1.5, n: 4 });
        assert_eq!(Ranking::new(&[0.6, 0.5], Better::Lower).place(0.55, false).rank, 2);
    }

    #[test]
    fn percentiles_run_from_worst_to_best() {
        assert_eq!(percentile(1.0, 11), 100.0);
        assert_eq!(percentile(11.0, 11), 0.0);
        assert_eq!(percentile(6.0, 11), 50.0);
        assert_eq!(percentile(1.0, 1), 100.0);
    }
}
