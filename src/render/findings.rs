//! Plain-language findings: per indicator × focus organisation, a few short sentences a
//! politician understands, from templates in Swedish and English.
//!
//! The templates say no more than the statistics do:
//! - "higher"/"lower" only for a difference whose interval excludes zero (`significant`);
//!   a non-significant difference is called one that may be chance, and a difference without
//!   an interval (a published value whose counts are unknown) is given as a number only;
//! - a suppressed value is "too few to say", never described, never guessed;
//! - positions among all organisations are quartiles of published values (descriptive), and a
//!   trend is "rising"/"falling" only when its interval excludes zero.
//!
//! [`headlines`] picks the first page's findings: significant gaps, largest first relative to
//! how gaps vary among the reference organisations, at most one per indicator.

use crate::indicators::{Indicator, Kind, Population};
use crate::model::Role;
use crate::render::lang::{Lang, SUPPRESSED, capitalise};
use crate::render::view::{Cell, Entry, Favours, Gap, Key, Org, Panel, Position, Status, View};

/// The findings for one organisation in one panel's latest period.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    /// Index into [`View::panels`].
    pub panel: usize,
    /// The panel's indicator (several age-group panels share one).
    pub indicator: String,
    pub org: Org,
    pub period: String,
    pub sentences: Vec<String>,
    /// One sentence for the first page, when the gap is significant.
    pub headline: Option<String>,
    /// How notable the finding is: |gap| over the reference organisations' interquartile range of
    /// gaps; 0 when the gap is not significant.
    pub score: f64,
}

impl Finding {
    pub fn text(&self) -> String {
        self.sentences.join(" ")
    }
}

/// Every finding of the view: panel by panel, focus organisations in the round's order.
pub fn all(view: &View, lang: Lang) -> Vec<Finding> {
    let mut out = Vec::new();
    for (i, panel) in view.panels.iter().enumerate() {
        let Some(period) = &panel.latest else { continue };
        for series in &panel.focus {
            let entry = series.periods.get(period).cloned().unwrap_or_default();
            out.push(finding(view, i, panel, &series.org, period, &entry, lang));
        }
    }
    out
}

/// The first page: up to `max` participants' findings with significant gaps, the most notable
/// first, one per indicator (the highest-scoring organisation's).
pub fn headlines(findings: &[Finding], max: usize) -> Vec<&Finding> {
    let mut candidates: Vec<&Finding> =
        findings.iter().filter(|f| f.headline.is_some() && f.org.role == Role::Participant).collect();
    candidates.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.panel.cmp(&b.panel)).then(a.org.id.cmp(&b.org.id)));
    let mut out: Vec<&Finding> = Vec::new();
    for f in candidates {
        if out.len() == max {
            break;
        }
        if !out.iter().any(|o| o.indicator == f.indicator) {
            out.push(f);
        }
    }
    out
}

/// Words that depend on the indicator's population.
struct Words {
    k: &'static str,
    m: &'static str,
    /// Possessive: kvinnornas, girls'.
    k_of: &'static str,
    m_of: &'static str,
}

fn words(population: Population, lang: Lang) -> Words {
    match (population, lang) {
        (Population::Children, Lang::Sv) => Words { k: "flickor", m: "pojkar", k_of: "flickornas", m_of: "pojkarnas" },
        (Population::Children, Lang::En) => Words { k: "girls", m: "boys", k_of: "girls'", m_of: "boys'" },
        (_, Lang::Sv) => Words { k: "kvinnor", m: "män", k_of: "kvinnornas", m_of: "männens" },
        (_, Lang::En) => Words { k: "women", m: "men", k_of: "women's", m_of: "men's" },
    }
}

fn finding(view: &View, index: usize, panel: &Panel, org: &Org, period: &str, entry: &Entry, lang: Lang) -> Finding {
    let ind = &panel.indicator;
    let w = words(ind.population, lang);
    let (k, m, t) = (entry.cell(Key::K), entry.cell(Key::M), entry.cell(Key::T));
    let mut sentences = vec![level(ind, &w, &k, &m, &t, lang)];
    let gap = entry.gap.clone().unwrap_or_default();
    sentences.push(difference(ind, &w, &k, &m, &gap, lang));
    if let Some(s) = position(view, &w, entry, lang) {
        sentences.push(s);
    }
    if org.role == Role::Participant
        && let Some(s) = mentor(view, ind, &w, entry, lang)
    {
        sentences.push(s);
    }
    if let Some(s) = trend(ind, &w, entry, lang) {
        sentences.push(s);
    }
    let headline = headline(ind, &w, org, &k, &m, &gap, lang);
    let score = match (&headline, gap.diff) {
        (Some(_), Some(d)) => {
            let iqr = reference_gap_iqr(panel, period).filter(|r| *r > 0.0);
            iqr.map_or(1.0, |r| d.abs() / r)
        }
        _ => 0.0,
    };
    Finding {
        panel: index,
        indicator: ind.id.clone(),
        org: org.clone(),
        period: period.to_string(),
        sentences,
        headline,
        score,
    }
}

/// "Flickor 85,2 %, pojkar 80,1 % (totalt 82,6 %)."
fn level(ind: &Indicator, w: &Words, k: &Cell, m: &Cell, t: &Cell, lang: Lang) -> String {
    let mut s = format!("{} {}, {} {}", capitalise(w.k), lang.cell(ind, k), w.m, lang.cell(ind, m));
    if t.value.is_some() {
        s += &format!(" ({} {})", lang.pick("totalt", "total"), lang.cell(ind, t));
    }
    s.push('.');
    s
}

/// The gap: a claim of direction only when significant.
fn difference(ind: &Indicator, w: &Words, k: &Cell, m: &Cell, gap: &Gap, lang: Lang) -> String {
    let hidden = |c: &Cell| c.status == Status::Suppressed;
    if hidden(k) || hidden(m) || gap.status == Status::Suppressed {
        let who = match (hidden(k), hidden(m)) {
            (true, false) => w.k,
            (false, true) => w.m,
            _ => lang.pick("personer", "people"),
        };
        return match lang {
            Lang::Sv => {
                format!("För få {who} för att säga något om skillnaden: värdet är dolt av sekretesskäl ({SUPPRESSED}).")
            }
            Lang::En => format!("Too few {who} to say anything about the gap: the value is suppressed ({SUPPRESSED})."),
        };
    }
    let Some(diff) = gap.diff else {
        return lang
            .pick(
                "Skillnaden kan inte beräknas: en av uppgifterna saknas.",
                "The gap cannot be computed: a value is missing.",
            )
            .into();
    };
    if ind.kind == Kind::Share {
        return share(w, gap, diff, lang);
    }
    let size = lang.difference(ind, diff.abs()).trim_start_matches('+').to_string();
    match gap.significant {
        Some(true) => {
            let (more, less) = if diff > 0.0 { (w.k_of, w.m_of) } else { (w.m_of, w.k_of) };
            let side = favours(gap.favours, w, lang);
            match lang {
                Lang::Sv => format!(
                    "{} värde är {size} högre än {less}, en statistiskt säkerställd skillnad{side}.",
                    capitalise(more)
                ),
                Lang::En => format!(
                    "The {more} value is {size} higher than the {less}, a statistically significant difference{side}."
                ),
            }
        }
        Some(false) => match lang {
            Lang::Sv => format!(
                "Skillnaden mellan {} och {} ({}) är inte statistiskt säkerställd; den kan bero på slumpen.",
                w.k,
                w.m,
                lang.difference(ind, diff)
            ),
            Lang::En => format!(
                "The difference between {} and {} ({}) is not statistically significant; it may be chance.",
                w.k,
                w.m,
                lang.difference(ind, diff)
            ),
        },
        None => match lang {
            Lang::Sv => format!(
                "Skillnaden {} − {} är {}; hur säker den är går inte att bedöma, eftersom antalen bakom värdena inte är kända.",
                w.k,
                w.m,
                lang.difference(ind, diff)
            ),
            Lang::En => format!(
                "The difference {} − {} is {}; how certain it is cannot be judged, because the counts behind the values are not known.",
                w.k,
                w.m,
                lang.difference(ind, diff)
            ),
        },
    }
}

/// A share indicator: the women's share of the resource against their share of the base.
fn share(w: &Words, gap: &Gap, diff: f64, lang: Lang) -> String {
    let pct = |x: f64| match lang {
        Lang::Sv => format!("{}\u{a0}%", lang.number(x, 1)),
        Lang::En => format!("{}%", lang.number(x, 1)),
    };
    let (Some(share), Some(base)) = (gap.women_share, gap.base_share) else {
        return lang
            .pick("Fördelningen mot underlaget kan inte beräknas.", "The split against the base cannot be computed.")
            .into();
    };
    let points = lang.number(diff.abs() * if share > 1.0 { 1.0 } else { 100.0 }, 1);
    let (share, base) = if share > 1.0 { (share, base) } else { (share * 100.0, base * 100.0) };
    match (gap.significant, lang) {
        (Some(true), Lang::Sv) => format!(
            "{} får {} av resursen men utgör {} av underlaget: {points} procentenheter {}, en statistiskt säkerställd skillnad.",
            capitalise(w.k),
            pct(share),
            pct(base),
            if diff < 0.0 { "mindre" } else { "mer" }
        ),
        (Some(true), Lang::En) => format!(
            "{} get {} of the resource but are {} of the base: {points} percentage points {}, a statistically significant difference.",
            capitalise(w.k),
            pct(share),
            pct(base),
            if diff < 0.0 { "less" } else { "more" }
        ),
        (_, Lang::Sv) => format!(
            "{} får {} av resursen och utgör {} av underlaget; skillnaden är inte statistiskt säkerställd.",
            capitalise(w.k),
            pct(share),
            pct(base)
        ),
        (_, Lang::En) => format!(
            "{} get {} of the resource and are {} of the base; the difference is not statistically significant.",
            capitalise(w.k),
            pct(share),
            pct(base)
        ),
    }
}

fn favours(f: Favours, w: &Words, lang: Lang) -> String {
    match (f, lang) {
        (Favours::Women, Lang::Sv) => format!(", till {} fördel", w.k_of),
        (Favours::Men, Lang::Sv) => format!(", till {} fördel", w.m_of),
        (Favours::Women, Lang::En) => format!(", in the {} favour", w.k_of),
        (Favours::Men, Lang::En) => format!(", in the {} favour", w.m_of),
        (Favours::None, _) => String::new(),
    }
}

/// Quartile among the reference organisations, in words.
fn quartile_words(q: u8, lang: Lang) -> &'static str {
    match (q, lang) {
        (1, Lang::Sv) => "bland den lägsta fjärdedelen",
        (4, Lang::Sv) => "bland den högsta fjärdedelen",
        (_, Lang::Sv) => "i mittenhalvan",
        (1, Lang::En) => "in the lowest quarter",
        (4, Lang::En) => "in the highest quarter",
        (_, Lang::En) => "in the middle half",
    }
}

/// "Bland referensgruppens 286 organisationer ligger flickorna … och pojkarna …; skillnaden hör
/// till de 25 % största."
fn position(view: &View, w: &Words, entry: &Entry, lang: Lang) -> Option<String> {
    let q = |key: Key| entry.position.get(&key).and_then(|p| p.quartile);
    let n = entry.position.values().filter_map(|p| p.n).max().unwrap_or(view.reference_n);
    let (qk, qm) = (q(Key::K), q(Key::M));
    if qk.is_none() && qm.is_none() {
        return None;
    }
    let part = |who: &str, q: Option<u8>| {
        q.map(|q| match lang {
            Lang::Sv => format!("{who} värde {}", quartile_words(q, lang)),
            Lang::En => format!("the {who} value is {}", quartile_words(q, lang)),
        })
    };
    let values: Vec<String> = [part(w.k_of, qk), part(w.m_of, qm)].into_iter().flatten().collect();
    let values = values.join(lang.pick(" och ", " and "));
    let gap = match (q(Key::Gap), lang) {
        (Some(1), Lang::Sv) => "; skillnaden mellan könen hör till de 25 % minsta",
        (Some(4), Lang::Sv) => "; skillnaden mellan könen hör till de 25 % största",
        (Some(1), Lang::En) => "; the gap between the sexes is among the smallest 25%",
        (Some(4), Lang::En) => "; the gap between the sexes is among the largest 25%",
        _ => "",
    };
    Some(match lang {
        Lang::Sv => format!("Jämfört med referensgruppens {n} organisationer ligger {values}{gap}."),
        Lang::En => format!("Among the {n} reference organisations, {values}{gap}."),
    })
}

/// The difference from the mentor, with a direction only when its interval excludes zero.
fn mentor(view: &View, ind: &Indicator, w: &Words, entry: &Entry, lang: Lang) -> Option<String> {
    let mentor = view.mentors.first()?;
    let part = |who: &str, p: Option<&Position>| -> Option<String> {
        let p = p?;
        let d = p.vs_mentor?;
        let judged = match p.vs_mentor_ci {
            Some((lo, hi)) if lo > 0.0 || hi < 0.0 => lang.pick("säkerställd", "significant"),
            Some(_) => lang.pick("inte säkerställd", "not significant"),
            None => lang.pick("osäkerhet okänd", "uncertainty unknown"),
        };
        Some(format!("{who} {} ({judged})", lang.difference(ind, d)))
    };
    let parts: Vec<String> = [part(w.k, entry.position.get(&Key::K)), part(w.m, entry.position.get(&Key::M))]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        return None;
    }
    Some(match lang {
        Lang::Sv => format!("Skillnad mot mentorn {}: {}.", mentor.name, parts.join(", ")),
        Lang::En => format!("Difference from the mentor {}: {}.", mentor.name, parts.join(", ")),
    })
}

/// The five-period trend of each sex: rising or falling only when the slope's interval
/// excludes zero.
fn trend(ind: &Indicator, w: &Words, entry: &Entry, lang: Lang) -> Option<String> {
    let part = |who: &str, key: Key| -> Option<String> {
        let t = entry.position.get(&key)?.trend?;
        let (lo, hi) = t.ci?;
        let per_year = lang.number(t.slope.abs(), crate::render::lang::decimals(ind) + 1);
        Some(match (lo > 0.0, hi < 0.0, lang) {
            (true, _, Lang::Sv) => format!("{who} ökar (med {per_year} per period)"),
            (_, true, Lang::Sv) => format!("{who} minskar (med {per_year} per period)"),
            (_, _, Lang::Sv) => format!("{who} utan säkerställd förändring"),
            (true, _, Lang::En) => format!("{who} rising (by {per_year} per period)"),
            (_, true, Lang::En) => format!("{who} falling (by {per_year} per period)"),
            (_, _, Lang::En) => format!("{who} with no significant change"),
        })
    };
    let parts: Vec<String> = [part(w.k, Key::K), part(w.m, Key::M)].into_iter().flatten().collect();
    if parts.is_empty() {
        return None;
    }
    Some(match lang {
        Lang::Sv => format!("De senaste fem åren: {}.", parts.join(", ")),
        Lang::En => format!("Over the last five periods: {}.", parts.join(", ")),
    })
}

/// The first page's sentence, only for a significant gap.
fn headline(ind: &Indicator, w: &Words, org: &Org, k: &Cell, m: &Cell, gap: &Gap, lang: Lang) -> Option<String> {
    if gap.significant != Some(true) || k.value.is_none() || m.value.is_none() {
        return None;
    }
    let diff = gap.diff?;
    let title = ind.title.get(lang.code());
    let size = lang.difference(ind, diff.abs()).trim_start_matches('+').to_string();
    let side = favours(gap.favours, w, lang);
    if ind.kind == Kind::Share {
        let text = share(w, gap, diff, lang);
        return Some(format!("{title}, {}: {text}", org.name));
    }
    let (more, less) = if diff > 0.0 { (w.k_of, w.m_of) } else { (w.m_of, w.k_of) };
    Some(match lang {
        Lang::Sv => format!(
            "{title}, {}: {} ({}) är {size} högre än {less} ({}), en säkerställd skillnad{side}.",
            org.name,
            capitalise(&format!("{more} värde")),
            lang.cell(ind, if diff > 0.0 { k } else { m }),
            lang.cell(ind, if diff > 0.0 { m } else { k }),
        ),
        Lang::En => format!(
            "{title}, {}: the {more} value ({}) is {size} higher than the {less} ({}), a significant difference{side}.",
            org.name,
            lang.cell(ind, if diff > 0.0 { k } else { m }),
            lang.cell(ind, if diff > 0.0 { m } else { k }),
        ),
    })
}

/// The reference organisations' interquartile range of signed gaps in a period.
fn reference_gap_iqr(panel: &Panel, period: &str) -> Option<f64> {
    let gaps: Vec<f64> = panel.reference.iter().filter_map(|s| s.periods.get(period)?.gap.as_ref()?.diff).collect();
    let d = crate::stats::position::Distribution::of(&gaps)?;
    Some(d.q3 - d.q1)
}
