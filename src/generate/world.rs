//! The fictional country: municipalities and regions with invented names, sizes, age profiles
//! and the organisation effects every generated number is drawn around.
//!
//! Sizes follow Sweden's shape without copying it: log-normal with median 16 000 inhabitants
//! and log-sd 0.85, bounded to 2 400 – 900 000 (the real range is about 2 400 – 990 000, median
//! about 16 000). Older populations in small places: the share aged 65+ rises as size falls,
//! 17–30 %. Names are composed from Swedish place-name parts with endings no real municipality
//! or region has (`-lunda`, `-åsa`, `-hyttan`, `-landet` …); a test checks them against the
//! real municipality list when `../shared/realdata` is present.

use super::rng::Rng;

/// First and last year of the generated history.
pub const FIRST_YEAR: u16 = 2015;
pub const LAST_YEAR: u16 = 2024;

/// The age bands of the population table (SCB's *ålder*), youngest first; they partition all ages.
pub const BANDS: [&str; 6] = ["0-12", "13-17", "18-64", "65-79", "80-89", "90-w"];
/// Share of each band in a municipality with the median age profile.
const BAND_SHARE: [f64; 6] = [0.146, 0.058, 0.566, 0.160, 0.055, 0.015];
/// Women's share of each band (more women among the oldest, as everywhere).
const WOMEN_SHARE: [f64; 6] = [0.486, 0.485, 0.488, 0.512, 0.575, 0.690];

/// A municipality (kommun) or a region.
#[derive(Clone, Debug)]
pub struct Org {
    /// `X` and four digits for municipalities, `XR` and two for regions.
    pub id: String,
    pub name: String,
    pub is_region: bool,
    /// The region a municipality belongs to (index into [`World::regions`]).
    pub region: usize,
    /// Inhabitants in [`FIRST_YEAR`].
    pub size: f64,
    /// Yearly population growth.
    pub growth: f64,
    /// −1 (young) … +1 (old): scales the 65+ bands.
    pub age: f64,
    /// General level of its services, a standard normal: better schools, fewer falls …
    pub quality: f64,
    /// How far its gender gaps differ from the country's, a standard normal.
    pub equality: f64,
}

/// Every organisation of the generated round.
#[derive(Clone, Debug)]
pub struct World {
    /// Participants, mentor, then the reference municipalities.
    pub municipalities: Vec<Org>,
    pub regions: Vec<Org>,
}

/// The round's cast, fixed so that the README and tests can name them.
pub const PARTICIPANTS: [(&str, &str, f64); 3] =
    [("X0101", "Åbyholm", 24_300.0), ("X0102", "Norrvik", 61_800.0), ("X0103", "Ekeskog", 9_850.0)];
pub const MENTOR: (&str, &str, f64) = ("X0201", "Sjöbacka", 43_200.0);
/// Municipalities in all (participants and mentor included), and regions.
pub const MUNICIPALITIES: usize = 290;
pub const REGIONS: usize = 20;

const STEMS: [&str; 36] = [
    "Al", "Björk", "Ek", "Lind", "Gran", "Tall", "Hassel", "Asp", "Rönn", "Alm", "Lönn", "Hägg", "Ljung", "Myr",
    "Kärr", "Sjö", "Bäck", "Ås", "Dal", "Berg", "Näs", "Holm", "Strand", "Ängs", "Åker", "Löv", "Sten", "Kvarn", "Hed",
    "Mos", "Ör", "Trast", "Lärk", "Svan", "Tran", "Uggle",
];
const ENDINGS: [&str; 10] = ["lunda", "åsa", "holma", "vika", "hyttan", "näset", "torpa", "bäcken", "heden", "sätra"];

/// The world for a seed.
pub fn world(rng: &mut Rng) -> World {
    let mut names: Vec<String> = STEMS.iter().flat_map(|s| ENDINGS.iter().map(move |e| format!("{s}{e}"))).collect();
    names.retain(|n| !["Åbyholm", "Norrvik", "Ekeskog", "Sjöbacka"].contains(&n.as_str()));
    rng.shuffle(&mut names);
    let mut regions: Vec<Org> = (0..REGIONS)
        .map(|i| Org {
            id: format!("XR{:02}", i + 1),
            name: format!("Region {}landet", STEMS[(i * 7 + 3) % STEMS.len()]),
            is_region: true,
            region: i,
            size: 0.0,
            growth: 0.0,
            age: 0.0,
            quality: rng.normal(),
            equality: rng.normal(),
        })
        .collect();
    let mut municipalities = Vec::with_capacity(MUNICIPALITIES);
    let fixed = PARTICIPANTS.iter().chain(std::iter::once(&MENTOR));
    for (i, &(id, name, size)) in fixed.enumerate() {
        municipalities.push(municipality(rng, id.into(), name.into(), Some(size), i % REGIONS));
    }
    for (i, name) in names.iter().enumerate().take(MUNICIPALITIES).skip(municipalities.len()) {
        let id = format!("X{:04}", 1000 + i - 3);
        municipalities.push(municipality(rng, id, name.clone(), None, i % REGIONS));
    }
    for r in &mut regions {
        let members = municipalities.iter().filter(|m| m.region == r.region);
        r.size = members.map(|m| m.size).sum();
    }
    World { municipalities, regions }
}

fn municipality(rng: &mut Rng, id: String, name: String, size: Option<f64>, region: usize) -> Org {
    let size = size.unwrap_or_else(|| (16_000f64.ln() + 0.85 * rng.normal()).exp().clamp(2_400.0, 900_000.0).round());
    // Small places are older; the noise keeps size from deciding everything.
    let age = ((16_000f64.ln() - size.ln()) * 0.35 + 0.3 * rng.normal()).clamp(-1.0, 1.0);
    let growth = 0.002 + 0.004 * (size / 16_000.0).ln().clamp(-2.0, 3.0) / 3.0 + 0.003 * rng.normal();
    Org { id, name, is_region: false, region, size, growth, age, quality: rng.normal(), equality: rng.normal() }
}

impl Org {
    /// Inhabitants of one sex (0 women, 1 men) and age band in a year: the size grown to that
    /// year, spread over the bands by the age profile, split by the band's women's share.
    pub fn inhabitants(&self, year: u16, band: usize, sex: usize) -> u64 {
        let total = self.size * (1.0 + self.growth).powi(i32::from(year - FIRST_YEAR));
        let old = |b: usize| if b >= 3 { 1.0 + 0.45 * self.age } else { 1.0 - 0.12 * self.age };
        let norm: f64 = (0..BANDS.len()).map(|b| BAND_SHARE[b] * old(b)).sum();
        let share = BAND_SHARE[band] * old(band) / norm;
        let women = WOMEN_SHARE[band];
        (total * share * if sex == 0 { women } else { 1.0 - women }).round() as u64
    }

    /// Women's and men's inhabitants summed over bands `from..=to`.
    pub fn inhabitants_in(&self, year: u16, bands: std::ops::RangeInclusive<usize>) -> [u64; 2] {
        let mut out = [0, 0];
        for b in bands {
            out[0] += self.inhabitants(year, b, 0);
            out[1] += self.inhabitants(year, b, 1);
        }
        out
    }
}

impl World {
    /// The round's participants.
    pub fn participants(&self) -> &[Org] {
        &self.municipalities[..PARTICIPANTS.len()]
    }

    /// The organisations with their own case-system extracts: participants and mentor.
    pub fn partners(&self) -> &[Org] {
        &self.municipalities[..=PARTICIPANTS.len()]
    }

    /// A region's inhabitants: the sum over its municipalities.
    pub fn region_inhabitants(&self, region: usize, year: u16, band: usize, sex: usize) -> u64 {
        self.municipalities.iter().filter(|m| m.region == region).map(|m| m.inhabitants(year, band, sex)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_sizes_plausible() {
        let w = world(&mut Rng(1));
        assert_eq!(w.municipalities.len(), MUNICIPALITIES);
        let mut names: Vec<&str> = w.municipalities.iter().chain(&w.regions).map(|o| o.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), MUNICIPALITIES + REGIONS);
        let mut sizes: Vec<f64> = w.municipalities.iter().map(|m| m.size).collect();
        sizes.sort_by(f64::total_cmp);
        let median = sizes[sizes.len() / 2];
        assert!((10_000.0..25_000.0).contains(&median), "{median}");
        assert!(sizes[0] >= 2_400.0 && sizes.iter().filter(|&&s| s < 5_000.0).count() >= 10);
    }

    #[test]
    fn bands_add_up_and_the_oldest_are_mostly_women() {
        let w = world(&mut Rng(1));
        let m = &w.municipalities[0];
        let all: u64 = (0..BANDS.len()).map(|b| m.inhabitants(2015, b, 0) + m.inhabitants(2015, b, 1)).sum();
        assert!((all as f64 - m.size).abs() <= 6.0, "{all} vs {}", m.size);
        assert!(m.inhabitants(2024, 5, 0) > 2 * m.inhabitants(2024, 5, 1));
    }
}
