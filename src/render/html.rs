//! `report.html`: the meeting report as one self-contained file — inline SVG charts, inline CSS
//! and a few lines of vanilla JavaScript (filter and sort the summary table), no network, no
//! fonts to fetch. A Content-Security-Policy forbids every request, so a stray reference would
//! show as an error in the browser instead of a silent fetch.
//!
//! The page is built from a [`minijinja`] template (`templates/report.html`, escaped because its
//! name ends in `.html`) and a serialisable [`Page`]; every text comes from the [`View`], the
//! [`Finding`]s and the labels here, in the report's language.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::indicators::{Indicator, Kind, Polarity};
use crate::model::Sex;
use crate::render::charts::Chart;
use crate::render::findings::{self, Finding};
use crate::render::lang::{self, Lang, SUPPRESSED};
use crate::render::view::{Key, Panel, View};

const TEMPLATE: &str = include_str!("templates/report.html");
const CSS: &str = include_str!("templates/report.css");
const JS: &str = include_str!("templates/report.js");

/// What the disclosure audit proved, for the methods appendix.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuditSummary {
    pub hidden: usize,
    pub primary: usize,
    pub secondary: usize,
    pub complementary: usize,
}

/// Everything the template shows.
#[derive(Serialize)]
struct Page {
    lang: &'static str,
    version: &'static str,
    title: String,
    t: BTreeMap<&'static str, String>,
    participants: String,
    mentors: String,
    reference: String,
    periods: String,
    indicator_count: usize,
    headlines: Vec<Headline>,
    overview: Option<Figure>,
    summary: Summary,
    areas: Vec<Area>,
    methods: Vec<(String, String)>,
    css: &'static str,
    js: &'static str,
}

#[derive(Serialize)]
struct Headline {
    anchor: String,
    text: String,
}

#[derive(Serialize)]
struct Figure {
    svg: String,
    alt: String,
    caption: String,
}

#[derive(Serialize)]
struct Summary {
    orgs: Vec<String>,
    rows: Vec<SummaryRow>,
}

#[derive(Serialize)]
struct SummaryRow {
    area: String,
    area_label: String,
    anchor: String,
    title: String,
    cells: Vec<SummaryCell>,
}

#[derive(Serialize)]
struct SummaryCell {
    text: String,
    class: String,
    sort: String,
    title: String,
}

#[derive(Serialize)]
struct Area {
    id: String,
    label: String,
    panels: Vec<PanelOut>,
}

#[derive(Serialize)]
struct PanelOut {
    anchor: String,
    title: String,
    why: String,
    findings: Vec<FindingOut>,
    charts: Vec<Figure>,
    table: Option<Table>,
    table_caption: String,
    suppressed: bool,
    definition: Vec<(String, String)>,
    source: String,
}

#[derive(Serialize)]
struct FindingOut {
    org: String,
    period: String,
    text: String,
}

#[derive(Serialize)]
struct Table {
    header: Vec<String>,
    rows: Vec<TableRow>,
}

#[derive(Serialize)]
struct TableRow {
    label: String,
    cells: Vec<String>,
}

/// Why the page could not be rendered (a bug in the template, never the user's input).
#[derive(Debug, thiserror::Error)]
#[error("rendering report.html: {0:#}")]
pub struct HtmlError(#[from] minijinja::Error);

/// Renders `report.html`. `charts[i]` are panel `i`'s charts.
pub fn render(
    view: &View,
    charts: &[Vec<Chart>],
    overview: Option<&Chart>,
    findings: &[Finding],
    audit: AuditSummary,
    lang: Lang,
) -> Result<String, HtmlError> {
    let mut env = minijinja::Environment::new();
    env.add_template("report.html", TEMPLATE)?;
    let page = page(view, charts, overview, findings, audit, lang);
    let html = env.get_template("report.html")?.render(minijinja::value::Serde(&page))?;
    Ok(html)
}

/// The anchor of a panel's section.
pub fn anchor(panel: &Panel) -> String {
    format!("ind-{}", panel.stem().replace('.', "-"))
}

/// A panel's heading: the title, and the age group when it is not every age.
pub fn panel_title(panel: &Panel, lang: Lang) -> String {
    let title = panel.indicator.title.get(lang.code());
    if panel.age_group == "all" {
        title.to_string()
    } else {
        format!("{title} ({} {})", lang.pick("ålder", "age"), panel.age_group.replace("-w", "+").replace('-', "–"))
    }
}

fn page(
    view: &View,
    charts: &[Vec<Chart>],
    overview: Option<&Chart>,
    findings: &[Finding],
    audit: AuditSummary,
    lang: Lang,
) -> Page {
    let names = |orgs: &[crate::render::view::Org]| orgs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ");
    let mut periods: Vec<&str> = view.panels.iter().flat_map(|p| p.periods.iter().map(String::as_str)).collect();
    periods.sort_unstable();
    periods.dedup();
    let period_span = match (periods.first(), periods.last()) {
        (Some(a), Some(b)) if a != b => format!("{a}–{b}"),
        (Some(a), _) => a.to_string(),
        _ => String::new(),
    };
    let headlines = findings::headlines(findings, 8)
        .into_iter()
        .filter_map(|f| Some(Headline { anchor: anchor(&view.panels[f.panel]), text: f.headline.clone()? }))
        .collect();
    Page {
        lang: lang.code(),
        version: env!("CARGO_PKG_VERSION"),
        title: view.name.clone(),
        t: labels(view, lang),
        participants: names(&view.participants),
        mentors: names(&view.mentors),
        reference: match lang {
            Lang::Sv => format!("{} organisationer", view.reference_n),
            Lang::En => format!("{} organisations", view.reference_n),
        },
        periods: period_span,
        indicator_count: view.panels.iter().map(|p| &p.indicator.id).collect::<std::collections::BTreeSet<_>>().len(),
        headlines,
        overview: overview.map(|c| figure(c, lang)),
        summary: summary(view, lang),
        areas: areas(view, charts, findings, lang),
        methods: methods(view, audit, lang),
        css: CSS,
        js: JS,
    }
}

fn figure(chart: &Chart, lang: Lang) -> Figure {
    let svg = chart.svg.trim_start_matches(|c: char| c != '<');
    let svg =
        if svg.starts_with("<?xml") { svg.split_once("?>").map_or(svg, |(_, rest)| rest.trim_start()) } else { svg };
    Figure {
        svg: svg.replacen("<svg ", "<svg aria-hidden=\"true\" focusable=\"false\" ", 1),
        alt: chart.alt.clone(),
        caption: format!("{} {}", chart.title, lang.pick("(diagram)", "(chart)")),
    }
}

fn summary(view: &View, lang: Lang) -> Summary {
    let orgs: Vec<String> = view.focus().map(|o| o.name.clone()).collect();
    let rows = view
        .panels
        .iter()
        .map(|panel| {
            let ind = &panel.indicator;
            let latest = panel.latest.as_deref().unwrap_or("");
            let mut cells = Vec::new();
            for series in &panel.focus {
                let entry = series.periods.get(latest).cloned().unwrap_or_default();
                for key in [Key::K, Key::M] {
                    let cell = entry.cell(key);
                    let colour = entry.position.get(&key).map(|p| p.colour.as_str()).unwrap_or("");
                    cells.push(SummaryCell {
                        text: lang.cell(ind, &cell),
                        class: if colour.is_empty() || colour == "grey" {
                            String::new()
                        } else {
                            format!("q-{colour}")
                        },
                        sort: cell.value.map(|v| v.to_string()).unwrap_or_default(),
                        title: quartile_title(entry.position.get(&key).and_then(|p| p.quartile), lang),
                    });
                }
                let gap = entry.gap.clone().unwrap_or_default();
                cells.push(SummaryCell {
                    text: lang.gap(ind, &gap),
                    class: if gap.significant == Some(true) { "sig".into() } else { String::new() },
                    sort: gap.diff.map(|v| v.to_string()).unwrap_or_default(),
                    title: match gap.significant {
                        Some(true) => {
                            lang.pick("statistiskt säkerställd skillnad", "statistically significant gap").into()
                        }
                        Some(false) => {
                            lang.pick("inte statistiskt säkerställd", "not statistically significant").into()
                        }
                        None => String::new(),
                    },
                });
            }
            SummaryRow {
                area: ind.area.clone(),
                area_label: area_label(&ind.area, lang),
                anchor: anchor(panel),
                title: format!("{} ({latest})", panel_title(panel, lang)),
                cells,
            }
        })
        .collect();
    Summary { orgs, rows }
}

fn quartile_title(q: Option<u8>, lang: Lang) -> String {
    match q {
        Some(q) => {
            format!("{} {q} {}", lang.pick("kvartil", "quartile"), lang.pick("av 4 (1 = lägst)", "of 4 (1 = lowest)"))
        }
        None => String::new(),
    }
}

fn areas(view: &View, charts: &[Vec<Chart>], findings: &[Finding], lang: Lang) -> Vec<Area> {
    let mut out: Vec<Area> = Vec::new();
    for (i, panel) in view.panels.iter().enumerate() {
        let ind = &panel.indicator;
        if out.last().is_none_or(|a| a.id != ind.area) {
            out.push(Area { id: ind.area.clone(), label: area_label(&ind.area, lang), panels: Vec::new() });
        }
        let (table, suppressed) = table(view, panel, lang);
        let panel_out = PanelOut {
            anchor: anchor(panel),
            title: panel_title(panel, lang),
            why: ind.why.as_ref().map(|w| w.get(lang.code()).to_string()).unwrap_or_default(),
            findings: findings
                .iter()
                .filter(|f| f.panel == i)
                .map(|f| FindingOut { org: f.org.name.clone(), period: f.period.clone(), text: f.text() })
                .collect(),
            charts: charts.get(i).map(|c| c.iter().map(|c| figure(c, lang)).collect()).unwrap_or_default(),
            table_caption: match (&panel.latest, lang) {
                (Some(p), Lang::Sv) => format!("Värden {p} med 95 % konfidensintervall."),
                (Some(p), Lang::En) => format!("Values {p} with 95% confidence intervals."),
                (None, _) => String::new(),
            },
            table,
            suppressed,
            definition: definition(view, ind, lang),
            source: lang::source_line(ind, lang),
        };
        out.last_mut().expect("pushed above").panels.push(panel_out);
    }
    out
}

/// The panel's short table: each focus organisation, the partner group and the reference
/// median in the latest period. Returns whether a `..` is in it.
fn table(view: &View, panel: &Panel, lang: Lang) -> (Option<Table>, bool) {
    let Some(latest) = panel.latest.as_deref() else { return (None, false) };
    let ind = &panel.indicator;
    let sex = |s| lang.sex_title(ind.population, s);
    let ci = lang.pick("95 % KI", "95% CI").to_string();
    let header = vec![
        lang.pick("Organisation", "Organisation").to_string(),
        sex(Sex::K),
        ci.clone(),
        sex(Sex::M),
        ci.clone(),
        lang.pick("Skillnad", "Gap").to_string(),
        ci,
    ];
    let interval = |c: Option<(f64, f64)>| {
        c.map(|(l, h)| format!("{}–{}", lang.number(l, lang::decimals(ind)), lang.number(h, lang::decimals(ind))))
            .unwrap_or_default()
    };
    let mut suppressed = false;
    let mut rows = Vec::new();
    for series in &panel.focus {
        let e = series.periods.get(latest).cloned().unwrap_or_default();
        let (k, m) = (e.cell(Key::K), e.cell(Key::M));
        let gap = e.gap.clone().unwrap_or_default();
        suppressed |= k.status.is_suppressed() || m.status.is_suppressed() || gap.status.is_suppressed();
        let role = match series.org.role {
            crate::model::Role::Mentor => lang.pick(" (mentor)", " (mentor)"),
            _ => "",
        };
        rows.push(TableRow {
            label: format!("{}{role}", series.org.name),
            cells: vec![
                lang.cell(ind, &k),
                interval(k.ci),
                lang.cell(ind, &m),
                interval(m.ci),
                lang.gap(ind, &gap),
                if gap.status.is_suppressed() { String::new() } else { interval(gap.diff_ci) },
            ],
        });
    }
    let group = |key| panel.partners.get(&(latest.to_string(), key)).and_then(|g| g.value);
    if group(Key::K).is_some() || group(Key::M).is_some() {
        let v = |x: Option<f64>| x.map(|v| lang.value(ind, v)).unwrap_or_else(|| "–".into());
        rows.push(TableRow {
            label: lang.pick("Partnergruppen", "Partner group").to_string(),
            cells: vec![v(group(Key::K)), String::new(), v(group(Key::M)), String::new(), String::new(), String::new()],
        });
    }
    let median = |key| panel.spread.get(&(latest.to_string(), key)).map(|s| lang.value(ind, s.median));
    if median(Key::K).is_some() || median(Key::M).is_some() {
        rows.push(TableRow {
            label: match lang {
                Lang::Sv => format!("Referensmedian ({} org.)", view.reference_n),
                Lang::En => format!("Reference median ({} orgs)", view.reference_n),
            },
            cells: vec![
                median(Key::K).unwrap_or_default(),
                String::new(),
                median(Key::M).unwrap_or_default(),
                String::new(),
                String::new(),
                String::new(),
            ],
        });
    }
    (Some(Table { header, rows }), suppressed)
}

/// The definition list under each indicator.
fn definition(view: &View, ind: &Indicator, lang: Lang) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let kind = match (ind.kind, lang) {
        (Kind::Proportion, Lang::Sv) => {
            "Andel: personer med egenskapen delat med gruppen de tillhör. Intervall: Wilson."
        }
        (Kind::Proportion, Lang::En) => "Proportion: people with the attribute out of their group. Interval: Wilson.",
        (Kind::Rate, Lang::Sv) => {
            "Tal per invånare: händelser delat med befolkningen. Intervall: exakt Poisson under 10 händelser, Byar från 10."
        }
        (Kind::Rate, Lang::En) => "Rate: events per population. Interval: exact Poisson below 10 events, Byar from 10.",
        (Kind::Mean, Lang::Sv) => {
            "Medelvärde per person. Intervall: Students t när spridningen i registerdata är känd."
        }
        (Kind::Mean, Lang::En) => {
            "Mean per person. Interval: Student's t when the spread in record-level data is known."
        }
        (Kind::Share, Lang::Sv) => "Fördelning: könens andel av resursen jämförd med deras andel av underlaget.",
        (Kind::Share, Lang::En) => "Share: each sex's share of the resource, set against its share of the base.",
        (Kind::Value, Lang::Sv) => "Publicerat värde. Intervall bara när antalen bakom värdet är kända.",
        (Kind::Value, Lang::En) => "Published value. An interval only when the counts behind it are known.",
    };
    out.push((lang.pick("Mått", "Measure").to_string(), kind.to_string()));
    let unit = lang.unit(ind);
    if !unit.is_empty() {
        out.push((lang.pick("Enhet", "Unit").to_string(), unit));
    }
    let polarity = match (ind.polarity, lang) {
        (Polarity::HigherIsBetter, _) => lang.pick("Högre är bättre", "Higher is better"),
        (Polarity::LowerIsBetter, _) => lang.pick("Lägre är bättre", "Lower is better"),
        (Polarity::Neutral, _) => lang.pick("Varken högre eller lägre är bättre", "Neither higher nor lower is better"),
    };
    out.push((lang.pick("Riktning", "Direction").to_string(), polarity.to_string()));
    out.push((lang.pick("Variabler", "Variables").to_string(), ind.variables().join(", ")));
    out.push((
        lang.pick("Sekretess", "Disclosure").to_string(),
        match lang {
            Lang::Sv => format!("Antal under {} visas inte ({SUPPRESSED}).", ind.min_count.unwrap_or(view.min_count)),
            Lang::En => {
                format!("Counts below {} are not shown ({SUPPRESSED}).", ind.min_count.unwrap_or(view.min_count))
            }
        },
    ));
    out.push((lang.pick("Id", "Id").to_string(), ind.id.clone()));
    out
}

/// The methods appendix.
fn methods(view: &View, audit: AuditSummary, lang: Lang) -> Vec<(String, String)> {
    let level = lang.number(view.level * 100.0, 0);
    let k = view.min_count;
    let items: Vec<(&str, String)> = match lang {
        Lang::Sv => vec![
            ("Konfidensintervall", format!("Alla intervall har {level} % konfidensgrad. Andelar: Wilsons intervall. Tal per invånare: exakt Poisson under 10 händelser, Byars approximation från 10; åldersstandardiserade tal med Dobsons metod. Medelvärden: Students t från spridningen i registerdata. Publicerade värden utan kända antal får inget intervall.")),
            ("Skillnader mellan könen", "Skillnaden kvinnor − män (flickor − pojkar) har Newcombes intervall för andelar, MOVER för tal per invånare och Welchs för medelvärden. En skillnad kallas statistiskt säkerställd bara när intervallet inte innehåller noll; annars sägs den kunna bero på slumpen.".into()),
            ("Jämförelser", "Kvartiler (Hyndman–Fan typ 7) och rang bland referensgruppens publicerade värden, samma år, kön och indikator. Grönt: bästa fjärdedelen, gult: mittenhalvan, rött: sämsta fjärdedelen (efter indikatorns riktning; neutrala indikatorer färgas inte). För skillnaden rangordnas storleken |K − M|.".into()),
            ("Partnergruppen", "Andelar och tal per invånare vägs samman (summan av täljarna delat med summan av nämnarna); andra mått är ett ovägt medelvärde av partnernas värden. Värdet visas bara när alla partners värden är publicerade.".into()),
            ("Trender", "Vägd lutning per period över de fem senaste perioderna med intervall; en trend kallas ökande eller minskande bara när intervallet inte innehåller noll.".into()),
            ("Sekretess", format!("Ett antal mellan 1 och {} (eller en rest under {k}) visas inte: det skrivs {SUPPRESSED}. Eftersom totalt = kvinnor + män döljs också det andra könet (sekundär sekretess), och allt som räknas fram ur ett dolt värde (intervall, skillnader, kvoter, andelar) döljs. En revision med linjärprogrammering visar att ingen dold uppgift kan räknas fram ur det som publiceras: i denna rapport {} dolda celler ({} primära, {} sekundära, {} kompletterande), alla med ett intervall på minst {k} för den som försöker.", k.saturating_sub(1), audit.hidden, audit.primary, audit.secondary, audit.complementary)),
            ("Källor", "Råa värden från Kolada anges med ”Källa: Kolada”; allt som jamfor räknat fram ur dem anges som ”Egen bearbetning av data från Kolada”.".into()),
        ],
        Lang::En => vec![
            ("Confidence intervals", format!("Every interval has {level}% confidence. Proportions: Wilson. Rates: exact Poisson below 10 events, Byar from 10; age-standardised rates by Dobson's method. Means: Student's t from the spread in record-level data. Published values without known counts get no interval.")),
            ("Gaps between the sexes", "The difference women − men (girls − boys) has Newcombe's interval for proportions, MOVER for rates and Welch's for means. A difference is called statistically significant only when its interval excludes zero; otherwise it may be chance.".into()),
            ("Comparisons", "Quartiles (Hyndman–Fan type 7) and ranks among the reference organisations' published values for the same year, sex and indicator. Green: best quarter, yellow: middle half, red: worst quarter (by the indicator's direction; neutral indicators are not coloured). For the gap the size |K − M| is ranked.".into()),
            ("Partner group", "Proportions and rates are pooled (sum of numerators over sum of denominators); other measures are the unweighted mean of the partners' values. The value is shown only when every partner's value is published.".into()),
            ("Trends", "Weighted slope per period over the last five periods with its interval; a trend is called rising or falling only when the interval excludes zero.".into()),
            ("Disclosure control", format!("A count between 1 and {} (or a remainder below {k}) is not shown: it is written {SUPPRESSED}. Because total = women + men, the other sex is hidden too (secondary suppression), and everything computed from a hidden value (intervals, gaps, ratios, shares) is hidden. A linear-programming audit proves that no hidden value can be recomputed from what is published: in this report {} hidden cells ({} primary, {} secondary, {} complementary), each with an attacker interval at least {k} wide.", k.saturating_sub(1), audit.hidden, audit.primary, audit.secondary, audit.complementary)),
            ("Sources", "Raw values from Kolada are marked “Source: Kolada”; everything jamfor computed from them is marked as its own calculation from Kolada data.".into()),
        ],
    };
    items.into_iter().map(|(a, b)| (a.to_string(), b)).collect()
}

/// The label of a catalogue area.
pub fn area_label(area: &str, lang: Lang) -> String {
    let (sv, en) = match area {
        "education" => ("Utbildning", "Education"),
        "elderly_care" => ("Äldreomsorg", "Elderly care"),
        "social_assistance" => ("Ekonomiskt bistånd", "Social assistance"),
        "leisure" => ("Fritid", "Leisure"),
        "culture" => ("Kultur", "Culture"),
        "labour_market" => ("Arbetsmarknad och inkomst", "Labour market and income"),
        "health" => ("Hälsa och sjukfrånvaro", "Health and sick leave"),
        "safety" => ("Trygghet och säkerhet", "Safety"),
        "democracy" => ("Demokrati och inflytande", "Democracy"),
        "employer" => ("Kommunen som arbetsgivare", "The organisation as employer"),
        other => return other.replace('_', " "),
    };
    lang.pick(sv, en).to_string()
}

/// The fixed words of the page.
fn labels(view: &View, lang: Lang) -> BTreeMap<&'static str, String> {
    let k = view.min_count;
    let pairs: [(&'static str, &str, String); 29] = [
        ("skip", "Hoppa till innehållet", "Skip to content".into()),
        ("kicker", "Jämställdhet i jämförelse · lärandeträff: följa upp och analysera resultat", "Gender equality benchmarking · learning meeting: follow up and analyse results".into()),
        ("participants", "Deltagare", "Participants".into()),
        ("mentor", "Mentor", "Mentor".into()),
        ("reference", "Referensgrupp", "Reference set".into()),
        ("periods", "Perioder", "Periods".into()),
        ("indicators", "Indikatorer", "Indicators".into()),
        ("headlines", "Det viktigaste", "Key findings".into()),
        ("no_headlines", "Inga statistiskt säkerställda skillnader mellan könen i senaste perioden.", "No statistically significant gaps between the sexes in the latest period.".into()),
        ("headlines_note", "Urval: statistiskt säkerställda skillnader mellan könen hos deltagarna, störst först i förhållande till hur skillnaderna varierar mellan referensgruppens organisationer; högst en per indikator.", "Selection: the participants' statistically significant gaps between the sexes, largest first relative to how gaps vary among the reference organisations; at most one per indicator.".into()),
        ("contents", "Innehåll", "Contents".into()),
        ("overview", "Översikt", "Overview".into()),
        ("overview_text", "En rad per indikator: referensgruppens spridning (min–max, och mellersta hälften mörkare) med deltagarnas värden, färgade efter kvartil.", "One row per indicator: the reference set's range (min–max, the middle half darker) with the participants' values, coloured by quartile.".into()),
        ("summary", "Sammanställning", "Summary table".into()),
        ("summary_text", "Senaste periodens värden för kvinnor/flickor (K) och män/pojkar (M) och skillnaden K − M. Färgen visar kvartil bland referensgruppen efter indikatorns riktning; fet skillnad är statistiskt säkerställd.", "Latest values for women/girls (W) and men/boys (M) and the gap W − M. Colour shows the quartile among the reference set by the indicator's direction; a bold gap is statistically significant.".into()),
        ("summary_caption", "Grönt = bästa fjärdedelen, gult = mittenhalvan, rött = sämsta fjärdedelen.", "Green = best quarter, yellow = middle half, red = worst quarter.".into()),
        ("filter", "Visa område", "Show area".into()),
        ("all_areas", "Alla områden", "All areas".into()),
        ("rows_shown", "rader visas", "rows shown".into()),
        ("area", "Område", "Area".into()),
        ("indicator", "Indikator", "Indicator".into()),
        ("k_short", "K", "W".into()),
        ("m_short", "M", "M".into()),
        ("gap_short", "K − M", "W − M".into()),
        ("definition", "Definition", "Definition".into()),
        ("methods", "Metoder", "Methods".into()),
        ("footer", "Skapad med jamfor. Samma indata ger samma rapport.", "Made with jamfor. The same inputs give the same report.".into()),
        ("ci", "95 % KI", "95% CI".into()),
        ("none", "–", "–".into()),
    ];
    let mut out: BTreeMap<&'static str, String> =
        pairs.into_iter().map(|(key, sv, en)| (key, if lang == Lang::Sv { sv.to_string() } else { en })).collect();
    out.insert(
        "suppressed_note",
        match lang {
            Lang::Sv => format!("{SUPPRESSED} = uppgiften visas inte av sekretesskäl: den bygger på färre än {k} personer eller skulle kunna räknas fram ur andra publicerade uppgifter. – = uppgift saknas."),
            Lang::En => format!("{SUPPRESSED} = not shown for confidentiality: it rests on fewer than {k} people or could be recomputed from other published numbers. – = no data."),
        },
    );
    out
}
