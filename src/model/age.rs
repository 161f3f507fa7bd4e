//! Age bands: `all` or `LOW-HIGH` or `LOW-w` (open-ended, SCB's "w" for *och äldre*).

/// An age cell that is not a band.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "age {found:?} is not an age band, expected a band like 0-17, 65-79, 80+ (or 80-w), a single age, or totalt/alla"
)]
pub struct AgeError {
    pub found: String,
}

/// Normalises an age cell to the canonical band text of DESIGN §3.
///
/// `65-79`, `65–79 år` → `65-79`; `80+`, `80-`, `80 år och äldre`, `80-w` → `80-w`;
/// `7` → `7`; `totalt`, `alla`, `samtliga`, `total`, `all` → `all`.
pub fn normalise_age(text: &str) -> Result<String, AgeError> {
    let err = || AgeError { found: text.trim().to_string() };
    let lower = text.trim().to_lowercase();
    if matches!(lower.as_str(), "all" | "alla" | "totalt" | "total" | "samtliga" | "alla åldrar" | "all ages") {
        return Ok("all".to_string());
    }
    let t = lower
        .trim_end_matches(" och äldre")
        .trim_end_matches(" and over")
        .trim_end_matches(" år")
        .trim_end_matches(" years")
        .trim();
    let t = t.replace(['–', '—'], "-");
    let number = |s: &str| -> Option<u16> {
        (!s.is_empty() && s.len() <= 3 && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
    };
    let open_ended = lower.ends_with("och äldre") || lower.ends_with("and over");
    if let Some(low) = t.strip_suffix('+').or_else(|| t.strip_suffix("-w")).or_else(|| t.strip_suffix('-')) {
        return number(low.trim()).map(|l| format!("{l}-w")).ok_or_else(err);
    }
    if let Some((a, b)) = t.split_once('-') {
        let (a, b) = (number(a.trim()).ok_or_else(err)?, number(b.trim()).ok_or_else(err)?);
        return if a <= b && b <= 130 { Ok(format!("{a}-{b}")) } else { Err(err()) };
    }
    match number(&t) {
        Some(a) if a <= 130 && open_ended => Ok(format!("{a}-w")),
        Some(a) if a <= 130 => Ok(a.to_string()),
        _ => Err(err()),
    }
}

/// The ages a canonical band covers: `65-79` → (65, Some(79)), `80-w` → (80, None), `7` →
/// (7, Some(7)); `None` for `all` or anything else.
pub fn band_range(band: &str) -> Option<(u16, Option<u16>)> {
    if let Some(low) = band.strip_suffix("-w") {
        return low.parse().ok().map(|l| (l, None));
    }
    match band.split_once('-') {
        Some((a, b)) => Some((a.parse().ok()?, Some(b.parse().ok()?))),
        None => band.parse().ok().map(|a| (a, Some(a))),
    }
}

/// How age bands relate to the all-ages total, when they are disjoint: `Some(true)` when they
/// cover every age (0 to open-ended, no holes: total = Σ bands), `Some(false)` when they cover
/// only some (Σ bands ≤ total), `None` when two overlap or one is not a band (no relation).
pub fn bands_partition(bands: &[&str]) -> Option<bool> {
    let mut ranges: Vec<(u16, Option<u16>)> = bands.iter().map(|b| band_range(b)).collect::<Option<_>>()?;
    ranges.sort_unstable();
    let mut covers = ranges.first().is_some_and(|r| r.0 == 0);
    for w in ranges.windows(2) {
        let end = w[0].1?; // an open band must be the last
        if w[1].0 <= end {
            return None;
        }
        covers &= w[1].0 == end + 1;
    }
    covers &= ranges.last().is_some_and(|r| r.1.is_none());
    Some(covers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_relate_to_the_total() {
        assert_eq!(band_range("65-79"), Some((65, Some(79))));
        assert_eq!(band_range("80-w"), Some((80, None)));
        assert_eq!(band_range("all"), None);
        assert_eq!(bands_partition(&["0-64", "80-w", "65-79"]), Some(true));
        assert_eq!(bands_partition(&["65-79", "80-w"]), Some(false), "no one under 65");
        assert_eq!(bands_partition(&["0-64", "66-w"]), Some(false), "65 is missing");
        assert_eq!(bands_partition(&["65-79", "70-w"]), None, "overlap");
        assert_eq!(bands_partition(&["80-w", "90-99"]), None, "overlap with the open band");
        assert_eq!(bands_partition(&["all"]), None);
    }

    #[test]
    fn bands_normalise() {
        assert_eq!(normalise_age("65-79").unwrap(), "65-79");
        assert_eq!(normalise_age("65–79 år").unwrap(), "65-79");
        assert_eq!(normalise_age("80+").unwrap(), "80-w");
        assert_eq!(normalise_age("80-W").unwrap(), "80-w");
        assert_eq!(normalise_age("80 år och äldre").unwrap(), "80-w");
        assert_eq!(normalise_age("7").unwrap(), "7");
        assert_eq!(normalise_age("Totalt").unwrap(), "all");
        assert_eq!(normalise_age("0-17").unwrap(), "0-17");
    }

    #[test]
    fn bad_bands_are_errors() {
        for bad in ["gamla", "79-65", "", "x-10", "1000", "65-200"] {
            assert!(normalise_age(bad).is_err(), "{bad}");
        }
    }
}
