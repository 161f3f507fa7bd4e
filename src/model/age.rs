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

#[cfg(test)]
mod tests {
    use super::*;

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
