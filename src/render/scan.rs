//! The disclosure audit's last step, over the text jamfor writes: every number in the report's
//! prose and tables (`report.html` outside its charts, and `findings.md`) and in the charts'
//! labels must be one the audited tables publish (a value, an interval bound, a gap, a
//! position, a reference quantile…) as rounded for display, or one of the round's own numbers
//! (periods, counts of organisations, thresholds, numbers in indicator titles), or an axis tick.
//!
//! The LP audit proves the *tables* safe; this proves the report adds no number beside them, so
//! nothing in the HTML, an SVG label or a finding can rest on a hidden value. A number that
//! cannot be traced fails the run, naming the file and the text around it.

use rayon::prelude::*;

use crate::render::File;
use crate::render::lang::Lang;
use crate::render::view::{Cell, Gap, Position, View};

/// A number in a written file that no published number explains.
#[derive(Debug, thiserror::Error)]
#[error("{file}: the number {number:?} in “…{context}…” is not one the audited tables publish")]
pub struct Untraced {
    pub file: String,
    pub number: String,
    pub context: String,
}

/// The published numbers, sorted, for tracing.
pub struct Published {
    values: Vec<f64>,
}

impl Published {
    /// Every number of the view, with the scalings the report shows (percent of a 0–1 share,
    /// absolute values of differences), plus the round's own numbers.
    pub fn of(view: &View) -> Published {
        let mut v: Vec<f64> = Vec::new();
        let cell = |c: &Cell, v: &mut Vec<f64>| {
            v.extend(c.value);
            v.extend(c.numerator);
            v.extend(c.denominator);
            if let Some((l, h)) = c.ci {
                v.extend([l, h]);
            }
        };
        let gap = |g: &Gap, v: &mut Vec<f64>| {
            v.extend(g.diff);
            v.extend(g.ratio);
            for s in [g.women_share, g.base_share].into_iter().flatten() {
                v.extend([s, s * 100.0]);
            }
            for (l, h) in [g.diff_ci, g.ratio_ci, g.women_share_ci].into_iter().flatten() {
                v.extend([l, h]);
            }
        };
        let position = |p: &Position, v: &mut Vec<f64>| {
            v.extend(p.rank.map(|r| r as f64));
            v.extend(p.n.map(|r| r as f64));
            v.extend(p.percentile);
            v.extend(p.quartile.map(f64::from));
            v.extend(p.vs_mentor);
            v.extend(p.change);
            if let Some(t) = p.trend {
                v.push(t.slope);
                v.extend(t.ci.map(|c| [c.0, c.1]).into_iter().flatten());
            }
            for (l, h) in [p.vs_mentor_ci, p.change_ci, p.funnel_95, p.funnel_998].into_iter().flatten() {
                v.extend([l, h]);
            }
        };
        for panel in &view.panels {
            for series in panel.focus.iter().chain(&panel.reference) {
                for entry in series.periods.values() {
                    for c in [&entry.k, &entry.m, &entry.t].into_iter().flatten() {
                        cell(c, &mut v);
                    }
                    if let Some(g) = &entry.gap {
                        gap(g, &mut v);
                    }
                    for p in entry.position.values() {
                        position(p, &mut v);
                    }
                }
            }
            for s in panel.spread.values() {
                v.extend([s.n as f64, s.min, s.q1, s.median, s.q3, s.max]);
            }
            v.extend(panel.partners.values().filter_map(|g| g.value));
            for p in &panel.periods {
                v.extend(numbers_in(p));
            }
            let ind = &panel.indicator;
            for text in [&ind.title.sv, &ind.title.en, &panel.age_group, &ind.id] {
                v.extend(numbers_in(text));
            }
            if let Some(why) = &ind.why {
                v.extend(numbers_in(&why.sv));
                v.extend(numbers_in(&why.en));
            }
            v.extend([ind.per, f64::from(ind.min_count.unwrap_or(view.min_count))]);
        }
        v.extend(numbers_in(&view.name));
        v.extend([
            view.reference_n as f64,
            f64::from(view.min_count),
            view.level * 100.0,
            99.8,
            25.0,
            50.0,
            75.0,
            100.0,
            1000.0,
        ]);
        // Small whole numbers are words in sentences (five periods, quartile 4 of 4, 10 events).
        v.extend((0..=10).map(f64::from));
        let mut magnitudes: Vec<f64> = v.iter().filter(|x| x.is_finite()).map(|x| x.abs()).collect();
        magnitudes.sort_by(f64::total_cmp);
        magnitudes.dedup();
        Published { values: magnitudes }
    }

    /// Whether `shown` (as written, rounded to `decimals`) is a published number.
    fn explains(&self, shown: f64, decimals: usize) -> bool {
        let half = 0.5 * 10f64.powi(-(decimals as i32)) + 1e-9 * shown.abs().max(1.0);
        let from = self.values.partition_point(|x| *x < shown - half);
        self.values.get(from).is_some_and(|x| *x <= shown + half)
    }
}

/// Numbers written in a plain text (ASCII digits with `.` or `,` decimals, spaces inside
/// thousands already removed by the caller's tokenizer).
fn numbers_in(text: &str) -> Vec<f64> {
    tokens(text).into_iter().filter_map(|t| parse(&t.text).map(|(x, _)| x)).collect()
}

struct Token {
    text: String,
    at: usize,
}

/// Number tokens: digits, with `\u{a0}`/`\u{202f}`/`,` thousands separators and a `.` or `,`
/// decimal mark, as [`Lang::number`] writes them.
fn tokens(text: &str) -> Vec<Token> {
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let (at, c) = bytes[i];
        let glued = i > 0 && (bytes[i - 1].1.is_alphanumeric() || bytes[i - 1].1 == '_' || bytes[i - 1].1 == '#');
        if c.is_ascii_digit() && !glued {
            let mut s = String::new();
            let mut j = i;
            while j < bytes.len() {
                let ch = bytes[j].1;
                let next_digit = bytes.get(j + 1).is_some_and(|(_, n)| n.is_ascii_digit());
                if ch.is_ascii_digit() || (matches!(ch, '.' | ',' | '\u{a0}' | '\u{202f}') && next_digit) {
                    s.push(ch);
                } else {
                    break;
                }
                j += 1;
            }
            // A token glued to letters after it (`X0101`, `2024-Q1`'s parts are fine) is an id.
            let tail = bytes.get(j).map(|(_, c)| *c);
            if !tail.is_some_and(|c| c.is_alphabetic() || c == '_') {
                out.push(Token { text: s, at });
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    out
}

/// A token's value and its number of decimals, whichever language wrote it: with both `.` and
/// `,` the last one is the decimal mark; a lone one is read as a decimal mark.
fn parse(token: &str) -> Option<(f64, usize)> {
    let t: String = token.chars().filter(|c| !matches!(c, '\u{a0}' | '\u{202f}')).collect();
    let (int, frac) = match t.rfind(['.', ',']) {
        Some(p) => (t[..p].replace([',', '.'], ""), Some(&t[p + 1..])),
        None => (t.clone(), None),
    };
    let text = frac.map_or_else(|| int.clone(), |f| format!("{int}.{f}"));
    Some((text.parse().ok()?, frac.map_or(0, str::len)))
}

/// Whether a number looks like an axis tick: at most two significant digits (20, 0,5, 1 500).
fn tick_like(x: f64) -> bool {
    if x == 0.0 {
        return true;
    }
    let scale = 10f64.powi(x.abs().log10().floor() as i32 - 1);
    ((x / scale).round() - x / scale).abs() < 1e-9
}

/// Checks the prose of `report.html` and `findings.md` and the text labels of every SVG chart.
/// In a chart, a number with at most two significant digits may be an axis tick (ticks scale
/// the axes; they are not data) and passes untraced.
pub fn check(files: &[File], view: &View, lang: Lang) -> Result<(), Vec<Untraced>> {
    let published = Published::of(view);
    // Files are independent: traced side by side, reported in the files' order.
    let problems: Vec<Untraced> = files
        .par_iter()
        .flat_map_iter(|file| check_file(file, &published, lang))
        .collect::<Vec<_>>()
        .into_iter()
        .take(MAX_REPORTED)
        .collect();
    if problems.is_empty() { Ok(()) } else { Err(problems) }
}

/// Untraced numbers reported at most: the first few say what is wrong.
const MAX_REPORTED: usize = 20;

/// The untraced numbers of one file (at most [`MAX_REPORTED`]).
fn check_file(file: &File, published: &Published, lang: Lang) -> Vec<Untraced> {
    let svg = file.path.ends_with(".svg");
    let texts: Vec<String> = if file.path.ends_with(".html") {
        html_text(&String::from_utf8_lossy(&file.bytes))
    } else if svg {
        svg_labels(&String::from_utf8_lossy(&file.bytes))
    } else if file.path.ends_with(".md") {
        vec![String::from_utf8_lossy(&file.bytes).into_owned()]
    } else {
        return Vec::new();
    };
    let mut problems = Vec::new();
    for text in texts {
        for token in tokens(&text) {
            let candidates = readings(&token.text, lang);
            if candidates.iter().any(|(x, d)| published.explains(*x, *d) || (svg && tick_like(*x))) {
                continue;
            }
            let from = text[..token.at].char_indices().rev().nth(40).map_or(0, |(i, _)| i);
            let to = text[token.at..].char_indices().nth(40).map_or(text.len(), |(i, _)| token.at + i);
            problems.push(Untraced {
                file: file.path.clone(),
                number: token.text.clone(),
                context: text[from..to].to_string(),
            });
            if problems.len() >= MAX_REPORTED {
                return problems;
            }
        }
    }
    problems
}

/// The ways a token can be read: in the report's language first.
fn readings(token: &str, lang: Lang) -> Vec<(f64, usize)> {
    let plain: String = token.chars().filter(|c| !matches!(c, '\u{a0}' | '\u{202f}')).collect();
    let mut out = Vec::new();
    let (group, point) = match lang {
        Lang::Sv => (None, ','),
        Lang::En => (Some(','), '.'),
    };
    let mut t = plain.clone();
    if let Some(g) = group {
        t = t.replace(g, "");
    }
    if let Some((i, f)) = t.split_once(point) {
        if let Ok(x) = format!("{i}.{f}").parse() {
            out.push((x, f.len()));
        }
    } else if let Ok(x) = t.parse() {
        out.push((x, 0));
    }
    if out.is_empty() {
        out.extend(parse(&plain));
    }
    out
}

/// The text of an HTML page outside `<svg>`, `<style>` and `<script>`, tags removed.
fn html_text(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() {
        let next = ["<svg", "<style", "<script"].iter().filter_map(|t| rest.find(t).map(|i| (i, *t))).min();
        let Some((i, tag)) = next else {
            out.push(strip_tags(rest));
            break;
        };
        out.push(strip_tags(&rest[..i]));
        let close = format!("</{}>", &tag[1..]);
        rest = rest[i..].find(&close).map_or("", |j| &rest[i + j + close.len()..]);
    }
    out
}

/// The contents of an SVG's `<text>` elements.
fn svg_labels(svg: &str) -> Vec<String> {
    svg.split("<text").skip(1).filter_map(|t| Some(t.split_once('>')?.1.split("</text>").next()?.to_string())).collect()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut inside = false;
    for c in html.chars() {
        match c {
            '<' => inside = true,
            '>' if inside => {
                inside = false;
                out.push(' ');
            }
            _ if !inside => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_read_both_languages_number_forms() {
        let t: Vec<String> =
            tokens("Flickor 85,2 %, pojkar 1\u{a0}234,5 kr; X0101 2024; 12.5%").into_iter().map(|t| t.text).collect();
        assert_eq!(t, ["85,2", "1\u{a0}234,5", "2024", "12.5"]);
        assert_eq!(readings("85,2", Lang::Sv), [(85.2, 1)]);
        assert_eq!(readings("1,234.5", Lang::En), [(1234.5, 1)]);
    }

    #[test]
    fn html_text_leaves_out_charts_styles_and_scripts() {
        let text = html_text("<p>a 1</p><svg><text>2</text></svg><style>.x{}</style><td>3</td><script>4</script>");
        assert_eq!(text.concat().split_whitespace().collect::<Vec<_>>(), ["a", "1", "3"]);
    }

    #[test]
    fn ticks_have_two_significant_digits() {
        assert!(tick_like(20.0) && tick_like(0.5) && tick_like(1500.0) && tick_like(-0.25));
        assert!(!tick_like(85.2) && !tick_like(7.25) && !tick_like(1234.0));
    }

    #[test]
    fn a_number_is_traced_within_its_rounding() {
        let p = Published { values: vec![12.34, 80.05] };
        assert!(p.explains(12.3, 1));
        assert!(!p.explains(12.5, 1));
        assert!(p.explains(80.1, 1) && p.explains(80.0, 1), "80.05 is written 80,0 or 80,1");
        assert!(!p.explains(81.0, 0));
    }
}
