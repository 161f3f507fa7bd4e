//! SplitMix64 (Steele, Lea & Flood 2014) and the few distributions the generator draws from.
//!
//! Written out rather than taken from `rand`: the generated files are committed and checked
//! byte for byte, and `rand` does not promise the same stream across its versions. Uniforms and
//! Irwin–Hall normals use only IEEE-exact arithmetic; log-normal sizes and Poisson draws above
//! λ = 30 go through `exp`/`ln`/`sqrt`, whose results are rounded to whole people or one decimal
//! before they are written.

/// A deterministic stream of 64-bit words from a seed.
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// The next word.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// An independent stream for one part of the world (so that adding draws to one part does
    /// not shift every number drawn after it in another).
    pub fn fork(&mut self, salt: u64) -> Rng {
        Rng(self.next_u64() ^ salt.wrapping_mul(0xD134_2543_DE82_EF95))
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Uniform integer in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.unit() * n as f64) as usize
    }

    /// Standard normal, Irwin–Hall: the sum of 12 uniforms minus 6 (mean 0, variance 1, bounded
    /// at ±6, which keeps generated magnitudes plausible without clamping every draw).
    pub fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }

    /// Bernoulli(p).
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// Binomial(n, p): exact (n Bernoulli draws) up to n = 60, the normal approximation with
    /// continuity rounding above, clamped to 0..=n.
    pub fn binomial(&mut self, n: u64, p: f64) -> u64 {
        let p = p.clamp(0.0, 1.0);
        if n <= 60 {
            (0..n).filter(|_| self.chance(p)).count() as u64
        } else {
            let (mean, sd) = (n as f64 * p, (n as f64 * p * (1.0 - p)).sqrt());
            (mean + sd * self.normal()).round().clamp(0.0, n as f64) as u64
        }
    }

    /// Poisson(λ): Knuth's product of uniforms below λ = 30, the normal approximation above.
    pub fn poisson(&mut self, lambda: f64) -> u64 {
        if lambda <= 0.0 {
            return 0;
        }
        if lambda < 30.0 {
            let limit = (-lambda).exp();
            let mut k = 0;
            let mut p = self.unit();
            while p > limit {
                k += 1;
                p *= self.unit();
            }
            k
        } else {
            (lambda + lambda.sqrt() * self.normal()).round().max(0.0) as u64
        }
    }

    /// One of `items`.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// Fisher–Yates shuffle.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stream_is_splitmix64() {
        // Reference values of SplitMix64 seeded with 0 (Vigna's splitmix64.c).
        let mut r = Rng(0);
        assert_eq!(r.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(r.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn draws_have_the_moments_they_promise() {
        let mut r = Rng(42);
        let n = 20_000;
        let normals: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = normals.iter().sum::<f64>() / n as f64;
        let var = normals.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.03 && (var - 1.0).abs() < 0.05, "{mean} {var}");
        let poisson: f64 = (0..n).map(|_| r.poisson(4.0) as f64).sum::<f64>() / n as f64;
        assert!((poisson - 4.0).abs() < 0.06, "{poisson}");
        let big: f64 = (0..n).map(|_| r.poisson(200.0) as f64).sum::<f64>() / n as f64;
        assert!((big - 200.0).abs() < 0.5, "{big}");
        let binom: f64 = (0..n).map(|_| r.binomial(30, 0.2) as f64).sum::<f64>() / n as f64;
        assert!((binom - 6.0).abs() < 0.06, "{binom}");
        assert!((0..1000).all(|_| r.binomial(500, 0.99) <= 500));
    }
}
