//! The Kolada KPI catalogue as a controller uses it: find KPIs by id or by words in the title
//! (and see whether each is split by sex), and turn chosen KPIs into indicator files for
//! `queries/` (DESIGN §4) to edit — never finished indicators: what jamfor had to guess is
//! marked `check` in a comment.

use std::fmt::Write as _;

use super::Kpi;

/// KPIs whose id is `query`, or whose title holds every word of it (case-insensitive), by id.
pub fn search<'k>(kpis: &'k [Kpi], query: &str) -> Vec<&'k Kpi> {
    let words: Vec<String> = query.split_whitespace().map(str::to_lowercase).collect();
    let mut found: Vec<&Kpi> = kpis
        .iter()
        .filter(|k| {
            let title = k.title.to_lowercase();
            k.id.eq_ignore_ascii_case(query.trim()) || (!words.is_empty() && words.iter().all(|w| title.contains(w)))
        })
        .collect();
    found.sort_by(|a, b| a.id.cmp(&b.id));
    found.dedup_by(|a, b| a.id == b.id);
    found
}

/// Words in a title that say the population is children (so the labels read flickor/pojkar).
const CHILDREN: [&str; 12] = [
    "elever",
    "elev ",
    "barn",
    "ungdomar",
    "unga ",
    "flickor",
    "pojkar",
    "förskola",
    "grundskola",
    "gymnasie",
    "åk ",
    "0-17",
];

/// `children` or `adults`, and the word that decided (`None`: nothing pointed to children).
pub fn population(title: &str) -> (&'static str, Option<&'static str>) {
    let t = format!("{} ", title.to_lowercase());
    match CHILDREN.iter().find(|w| t.contains(*w)) {
        Some(w) => ("children", Some(w.trim())),
        None => ("adults", None),
    }
}

/// The indicator id for a KPI.
pub fn indicator_id(kpi: &Kpi) -> String {
    format!("kolada.{}", kpi.id)
}

fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// An indicator TOML for one KPI, ready to edit.
pub fn indicator_toml(kpi: &Kpi) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# Imported from the Kolada KPI catalogue: {} ({}).", kpi.id, kpi.title);
    let _ = writeln!(s, "# Lines marked \"check\" are guesses; edit them before the meeting.");
    if let Some(d) = &kpi.description {
        let _ = writeln!(s, "#");
        for line in wrap(d, 96) {
            let _ = writeln!(s, "# {line}");
        }
    }
    let _ = writeln!(s, "id = {}", quoted(&indicator_id(kpi)));
    let _ = writeln!(s, "title = {{ sv = {} }}  # check: add en = \"…\"", quoted(&kpi.title));
    if let Some(area) = &kpi.operating_area {
        let _ = writeln!(s, "area = {}  # Kolada's operating area", quoted(area));
    }
    match population(&kpi.title) {
        (p, Some(word)) => {
            let _ = writeln!(s, "population = \"{p}\"  # check: guessed from \"{word}\" in the title");
        }
        (p, None) => {
            let _ = writeln!(s, "population = \"{p}\"  # check: guessed (no word for children in the title)");
        }
    }
    let _ = writeln!(s, "kind = \"value\"");
    if kpi.divided_by_gender {
        let _ =
            writeln!(s, "value = {}  # Kolada publishes it for women (K), men (M) and in total (T)", quoted(&kpi.id));
    } else {
        let _ = writeln!(
            s,
            "# Kolada publishes {} for the total only (T). If it is one of a women's/men's pair, bind both:\n\
             # value = {{ K = \"…\", M = \"…\" }}",
            kpi.id
        );
        let _ = writeln!(s, "value = {}", quoted(&kpi.id));
    }
    let _ = writeln!(s, "polarity = \"neutral\"  # check: higher_is_better or lower_is_better");
    let _ = writeln!(s, "source = {{ kolada = {} }}", quoted(&kpi.id));
    s
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kpi(id: &str, title: &str, split: bool) -> Kpi {
        Kpi { id: id.into(), title: title.into(), divided_by_gender: split, ..Kpi::default() }
    }

    #[test]
    fn search_by_id_or_all_words() {
        let kpis = [
            kpi("N15507", "Elever i åk 9, meritvärde, hemkommun", true),
            kpi("N21826", "Beviljade antal hemtjänsttimmar per brukare", true),
            kpi("N00950", "Medianlön för kvinnor anställda av kommunen, kr", false),
        ];
        let ids = |q: &str| search(&kpis, q).iter().map(|k| k.id.as_str()).collect::<Vec<_>>();
        assert_eq!(ids("n21826"), ["N21826"]);
        assert_eq!(ids("ELEVER meritvärde"), ["N15507"]);
        assert_eq!(ids("kommun"), ["N00950", "N15507"]);
        assert!(ids("elever hemtjänst").is_empty());
    }

    #[test]
    fn population_is_a_marked_guess() {
        assert_eq!(population("Elever i åk 9 som är behöriga"), ("children", Some("elever")));
        assert_eq!(population("Invånare 65+ med hemtjänst"), ("adults", None));
    }

    #[test]
    fn indicator_files_parse_as_toml_and_say_what_to_check() {
        let mut k = kpi("N15507", "Elever i åk 9, \"meritvärde\"", true);
        k.operating_area = Some("Grundskola".into());
        k.description = Some("Genomsnittligt meritvärde. Källa: Skolverket.".into());
        let text = indicator_toml(&k);
        let v: toml::Table = text.parse().unwrap();
        assert_eq!(v["id"].as_str(), Some("kolada.N15507"));
        assert_eq!(v["title"]["sv"].as_str(), Some("Elever i åk 9, \"meritvärde\""));
        assert_eq!((v["kind"].as_str(), v["value"].as_str()), (Some("value"), Some("N15507")));
        assert_eq!(v["source"]["kolada"].as_str(), Some("N15507"));
        assert_eq!(v["population"].as_str(), Some("children"));
        assert_eq!(text.matches("# check").count(), 3, "{text}");
        let t = indicator_toml(&kpi("N00950", "Medianlön för kvinnor", false));
        assert!(t.contains("for the total only (T)"), "{t}");
        assert!(t.parse::<toml::Table>().is_ok());
    }
}
