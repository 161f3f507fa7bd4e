//! `--scale round`: the embedded benchmarking round in `data/`, every input shape a controller
//! meets, each file drawn from the same fictional [`World`].
//!
//! | file | shape | who | what |
//! |---|---|---|---|
//! | `scb/folkmangd_2015_2024.px` | PX, Windows-1252, KEYS, `..` | all + regions | inhabitants by age band and sex |
//! | `kolada/*.json` | Kolada v2 and v3 | all + regions | ready-made KPIs 2020–2024, split and paired |
//! | `controllers/skola_ak9_2015_2024.csv` | long, UTF-8 with BOM, `,` | all | pupils in year 9, eligible for a vocational programme |
//! | `controllers/regionala_uttag_2020_2024.csv` | long with age bands, tab | all | fall injuries, emergency visits 65+, assaults |
//! | `controllers/ekonomiskt_bistand_2015_2024.xlsx` | wide: years over sexes, two sheets | all | adult social-assistance recipients, long-term |
//! | `controllers/uppfoljning_2015_2024.csv` | wide by sex, `;`, decimal comma, cp1252, title row | partners | the round's own follow-up measures |
//! | `register/*.csv` | one row per recipient, club, employee, pupil | partners | case-system extracts for `queries/*.sql` |
//!
//! Every number is drawn around a national level for each sex, moved by the organisation's
//! service level (`quality`), its own gender pattern (`equality`) and a yearly trend, with
//! binomial or Poisson noise for counts, so small municipalities have small, noisy counts and
//! disclosure control has something to do. The national levels follow published Swedish
//! patterns (girls ahead in school, women more often on long sick leave and the majority of
//! home-care recipients aged 80+, boys' activities getting most leisure-grant money, men
//! speaking longer in council), at magnitudes of the same order as the real statistics; no
//! number describes any real place.

use std::fmt::Write as _;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Workbook};

use super::rng::Rng;
use super::world::{BANDS, FIRST_YEAR, LAST_YEAR, MENTOR, Org, PARTICIPANTS, World, world};
use super::{Encoding, Files, GenerateError};
use crate::ingest::pcaxis::meta::{Meta, TimeScale, Variable};
use crate::ingest::pcaxis::writer::{self, WriteOptions};
use crate::ingest::pcaxis::{Data, PxTable, Symbol};

/// The first year of the Kolada pull and the regional extracts (the last five years).
const RECENT: u16 = 2020;
const K: usize = 0;
const M: usize = 1;

/// Writes the whole round into `files`.
pub fn write(seed: u64, files: &mut Files) -> Result<(), GenerateError> {
    let mut rng = Rng(seed);
    let w = world(&mut rng.fork(1));
    files.text("round.toml", round_toml(&w), Encoding::Utf8, 0)?;
    files.text("README.md", readme(&w), Encoding::Utf8, 0)?;
    population(&w, files)?;
    kolada(&w, &mut rng.fork(2), files)?;
    school(&w, &mut rng.fork(3), files)?;
    regional(&w, &mut rng.fork(4), files)?;
    social_assistance(&w, &mut rng.fork(5), files)?;
    follow_up(&w, &mut rng.fork(6), files)?;
    home_care(&w, &mut rng.fork(7), files)?;
    leisure_grants(&w, &mut rng.fork(8), files)?;
    payroll(&w, &mut rng.fork(9), files)?;
    pupils(&w, &mut rng.fork(10), files)?;
    Ok(())
}

fn years() -> impl Iterator<Item = u16> {
    FIRST_YEAR..=LAST_YEAR
}

/// Swedish number text: decimal comma and a space between thousands (`12 345,5`).
pub fn sv(x: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').map_or((text.as_str(), None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    if x < 0.0 && text.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    if let Some(f) = frac {
        out.push(',');
        out.push_str(f);
    }
    out
}

/// A text file built line by line, counting its data rows (the header lines are not rows).
struct Lines {
    text: String,
    rows: usize,
}

impl Lines {
    fn new(header: &str) -> Lines {
        Lines { text: header.to_string(), rows: 0 }
    }

    fn row(&mut self, line: std::fmt::Arguments<'_>) {
        self.text.write_fmt(line).expect("writing to a String cannot fail");
        self.text.push('\n');
        self.rows += 1;
    }
}

/// Whole-number rounding for a level drawn as `f64`.
fn whole(x: f64) -> u64 {
    x.round().max(0.0) as u64
}

fn round_toml(w: &World) -> String {
    let ids = |orgs: &[Org]| orgs.iter().map(|o| format!("{:?}", o.id)).collect::<Vec<_>>().join(", ");
    let names = w.participants().iter().map(|o| o.name.as_str()).collect::<Vec<_>>();
    format!(
        r#"# The embedded benchmarking round: three fictional municipalities compare themselves with each
# other, with their mentor {mentor} and with every (fictional) municipality. Written by
# `jamfor generate --seed 2024 --out data`; every name and number is invented.
name = "Jämförelseomgång 2024: {a}, {b} och {c} (påhittade data)"
language = "sv"
participants = [{participants}]
mentors = [{mentor_id:?}]
reference = {{ group = "GX0001" }}   # all municipalities, from kolada/kommungrupper.json
periods = {{ from = "{FIRST_YEAR}", to = "{LAST_YEAR}" }}
indicators = ["*"]
disclosure = {{ min_count = 5 }}

# Statistics-office population table: every municipality and region.
[[input]]
path = "scb/folkmangd_2015_2024.px"
variable = "inhabitants"

# Kolada: organisations, groups, and the ready-made KPIs (split by sex and paired).
[[input]]
path = "kolada/kommuner.json"
format = "kolada"

[[input]]
path = "kolada/kommungrupper.json"
format = "kolada"

[[input]]
path = "kolada/kpi_2020_2024.json"
format = "kolada"

[[input]]
path = "kolada/kpi_par_2020_2024.json"
format = "kolada"

# Open-data downloads for every municipality.
[[input]]
path = "controllers/skola_ak9_2015_2024.csv"

[[input]]
path = "controllers/regionala_uttag_2020_2024.csv"

[[input]]
path = "controllers/ekonomiskt_bistand_2015_2024.xlsx"
sheet = "Mottagare"
variable = "social_assistance_recipients"
unit = "count"

[[input]]
path = "controllers/ekonomiskt_bistand_2015_2024.xlsx"
sheet = "Långvarigt"
variable = "social_assistance_recipients_long_term"
unit = "count"

# The partners' own follow-up, from each controller.
[[input]]
path = "controllers/uppfoljning_2015_2024.csv"

# Case-system extracts: one row per person, club or employee; queries/*.sql derive the variables.
[[input]]
path = "register/hemtjanst_2015_2024.csv"
format = "records"
table = "home_care"
unique = ["brukar_id", "period"]

[[input]]
path = "register/foreningsbidrag_2015_2024.csv"
format = "records"
table = "leisure_grants"

[[input]]
path = "register/personal_2020_2024.csv"
format = "records"
table = "payroll"
unique = ["anstallnings_id", "period"]

[[input]]
path = "register/elever_ak9_2015_2024.csv"
format = "records"
table = "pupils_year9"
unique = ["elev_id"]
"#,
        a = names[0],
        b = names[1],
        c = names[2],
        mentor = MENTOR.1,
        mentor_id = MENTOR.0,
        participants = ids(w.participants()),
    )
}

fn readme(w: &World) -> String {
    let small = w.municipalities.iter().filter(|m| m.size < 4_000.0).count();
    format!(
        "# The embedded round (fictional)\n\n\
         Everything in this folder is invented: {n} municipalities (ids `X…`) and {r} regions (ids `XR…`)\n\
         with names that exist nowhere (such as {a}, {b} and {c}, the participants, and {mentor}, the\n\
         mentor), and numbers drawn by jamfor's seeded generator. They describe no real municipality,\n\
         region or person.\n\n\
         Regenerate (byte-identical for the same seed): `jamfor generate --seed 2024 --out data`.\n\
         The generator's module documentation (`src/generate/`) says what is drawn from what.\n\n\
         - `round.toml` — the round: participants, mentor, reference group, periods, inputs\n\
         - `scb/` — a population table in PC-Axis (Windows-1252, KEYS, `..` where a region did not exist)\n\
         - `kolada/` — Kolada-shaped organisations, groups and KPI values 2020–2024\n\
         - `controllers/` — CSV and Excel exports in the shapes controllers meet\n\
         - `register/` — record-level case-system extracts (home care, leisure grants, payroll, pupils)\n\n\
         The {s} smallest municipalities have fewer than 4 000 inhabitants, so some of their counts\n\
         are small on purpose: disclosure control has to act.\n",
        n = w.municipalities.len(),
        r = w.regions.len(),
        a = PARTICIPANTS[0].1,
        b = PARTICIPANTS[1].1,
        c = PARTICIPANTS[2].1,
        mentor = MENTOR.1,
        s = small,
    )
}

// ------------------------------------------------------------------------------- population

/// The region that did not exist in the first year (its cells are `..`).
const NEW_REGION: usize = 19;

fn population(w: &World, files: &mut Files) -> Result<(), GenerateError> {
    let orgs: Vec<&Org> = w.municipalities.iter().chain(&w.regions).collect();
    let mut region = Variable::new("region", orgs.iter().map(|o| format!("{} {}", o.id, o.name)).collect(), false);
    region.codes = Some(orgs.iter().map(|o| o.id.clone()).collect());
    let mut ages: Vec<String> = BANDS.iter().map(|b| format!("{} år", b.replace("-w", "+"))).collect();
    ages.push("totalt".into());
    let mut age = Variable::new("ålder", ages, false);
    let mut codes: Vec<String> = BANDS.iter().map(|b| b.to_string()).collect();
    codes.push("tot".into());
    age.codes = Some(codes);
    let mut sex = Variable::new("kön", vec!["män".into(), "kvinnor".into(), "totalt".into()], false);
    sex.codes = Some(vec!["1".into(), "2".into(), "1+2".into()]);
    let mut year = Variable::new("år", years().map(|y| y.to_string()).collect(), true);
    year.time = Some(TimeScale::Annual);
    year.timeval = year.labels.values.clone();
    let mut meta = Meta::new(vec![region, age, sex, year]);
    meta.title = Some("Folkmängd efter region, ålder, kön och år (påhittade data)".into());
    meta.contents = Some("Folkmängd".into());
    meta.units = Some("antal".into());
    meta.matrix = Some("XBE0101".into());
    meta.decimals = Some(0);
    meta.language = Some("sv".into());

    let mut data = Data::default();
    for org in &orgs {
        for band in 0..=BANDS.len() {
            for sex in [M, K, 2] {
                for y in years() {
                    let i = data.values.len() as u64;
                    if org.is_region && org.region == NEW_REGION && y == FIRST_YEAR {
                        data.values.push(0.0);
                        data.symbols.push((i, Symbol::Dots(2)));
                        continue;
                    }
                    let bands = if band == BANDS.len() { 0..=BANDS.len() - 1 } else { band..=band };
                    let count = |s: usize| -> u64 {
                        bands
                            .clone()
                            .map(|b| {
                                if org.is_region {
                                    w.region_inhabitants(org.region, y, b, s)
                                } else {
                                    org.inhabitants(y, b, s)
                                }
                            })
                            .sum()
                    };
                    let v = if sex == 2 { count(K) + count(M) } else { count(sex) };
                    data.values.push(v as f64);
                }
            }
        }
    }
    let rows = data.values.len();
    let table = PxTable { meta, data };
    let mut bytes = Vec::new();
    writer::write(&table, &mut bytes, WriteOptions { keys: true, ..WriteOptions::default() })
        .map_err(|e| GenerateError::Write { path: "scb/folkmangd_2015_2024.px".into(), source: e })?;
    files.bytes("scb/folkmangd_2015_2024.px", bytes, rows)
}

// ------------------------------------------------------------------------------------ Kolada

/// A ready-made Kolada KPI: national level for women and men in 2022, how far the organisation's
/// service level and gender pattern move it, and the yearly trend.
struct Kpi {
    id: &'static str,
    /// `[women, men]`; equal for a KPI published only as a total.
    level: [f64; 2],
    /// Per standard deviation of `quality` (sign: better service → this change).
    quality: f64,
    /// Per standard deviation of `equality`, added to women's value and taken from men's.
    gap: f64,
    /// Per year, from 2022.
    trend: f64,
    /// Year-to-year noise at 16 000 inhabitants (shrinks with size).
    noise: f64,
    /// Negative: round to tens, hundreds … (`-2` for SEK incomes).
    decimals: i32,
    /// Published by sex (T, K, M) or as a total only.
    split: bool,
    /// Also published for regions.
    regions: bool,
    /// Only election years (2022 in this window).
    election: bool,
    /// `(low, high)` bounds of a plausible value.
    bounds: (f64, f64),
}

const KPIS: [Kpi; 13] = [
    // Share of children 7–15 in the arts school: girls twice as often.
    kpi("N09888", [19.0, 9.5], 2.5, 1.0, -0.2, 1.5, 1, true, false, false, (0.0, 60.0)),
    // Turnout in municipal elections: women vote slightly more.
    kpi("N05401", [85.5, 83.0], 2.0, 0.5, 0.0, 0.8, 1, true, false, true, (60.0, 95.0)),
    // Women's share of council members.
    kpi("N05815", [43.5, 43.5], 0.0, 0.0, 0.0, 4.0, 1, false, false, true, (20.0, 65.0)),
    // Upper-secondary diploma within four years: girls ahead.
    kpi("N17461", [75.0, 68.5], 4.0, 1.5, 0.4, 2.5, 1, true, false, false, (35.0, 95.0)),
    // Home-care share of inhabitants 65+: women more often.
    kpi("N21701", [9.8, 6.4], 0.0, 0.6, -0.1, 0.8, 1, true, false, false, (2.0, 20.0)),
    // Satisfied with special housing (survey; small places unpublished).
    kpi("U23471", [81.0, 82.5], 3.0, 1.0, 0.3, 2.5, 0, true, false, false, (50.0, 100.0)),
    // Women's pay as a share of men's among municipal employees.
    kpi("N00953", [95.0, 95.0], 0.0, 0.0, 0.3, 1.5, 1, false, false, false, (85.0, 105.0)),
    // Sickness benefit days per insured: women more.
    kpi("N00938", [14.5, 8.6], -1.2, 1.0, -0.3, 0.6, 1, true, true, false, (3.0, 30.0)),
    // Employment rate 20–64.
    kpi("N02243", [80.5, 83.5], 2.0, 1.0, 0.3, 0.8, 1, true, false, false, (60.0, 92.0)),
    // Median income from work, SEK.
    kpi(
        "N00906",
        [302_000.0, 346_000.0],
        12_000.0,
        4_000.0,
        8_000.0,
        3_000.0,
        -2,
        true,
        false,
        false,
        (180_000.0, 520_000.0),
    ),
    // Men's share of parental-leave days.
    kpi("N00943", [31.0, 31.0], 1.0, 0.0, 0.5, 1.5, 1, false, false, false, (15.0, 45.0)),
    // Afraid to go out late (survey): women far more.
    kpi("U01420", [27.0, 9.0], -2.5, 2.0, -0.3, 2.5, 0, true, false, false, (2.0, 60.0)),
    // Long-term social assistance, share of inhabitants.
    kpi("N31816", [1.15, 1.3], -0.35, 0.1, -0.05, 0.12, 2, true, false, false, (0.1, 5.0)),
];

#[allow(clippy::too_many_arguments, reason = "a table row; named by the column comments above")]
const fn kpi(
    id: &'static str,
    level: [f64; 2],
    quality: f64,
    gap: f64,
    trend: f64,
    noise: f64,
    decimals: i32,
    split: bool,
    regions: bool,
    election: bool,
    bounds: (f64, f64),
) -> Kpi {
    Kpi { id, level, quality, gap, trend, noise, decimals, split, regions, election, bounds }
}

/// A KPI pair: one KPI per sex, bound in `queries/`, each published as a "T" value.
struct Paired {
    women: &'static str,
    men: &'static str,
    level: [f64; 2],
    /// Per standard deviation of `quality`, and the yearly trend's step.
    spread: f64,
    decimals: i32,
    regions: bool,
}

/// Median monthly pay of municipal employees, and life expectancy at birth (also for regions).
const PAIRED: [Paired; 2] = [
    Paired { women: "N00949", men: "N00950", level: [35_900.0, 38_700.0], spread: 600.0, decimals: 0, regions: false },
    Paired { women: "N00925", men: "N00923", level: [84.6, 81.2], spread: 0.6, decimals: 1, regions: true },
];

fn kpi_value(k: &Kpi, org: &Org, year: u16, sex: usize, rng: &mut Rng) -> f64 {
    let side = if sex == K { 1.0 } else { -1.0 };
    let noise = k.noise * (16_000.0 / org.size.max(1.0)).sqrt().clamp(0.25, 3.0) * rng.normal();
    let v = k.level[sex]
        + k.quality * org.quality
        + side * 0.5 * k.gap * org.equality
        + k.trend * (f64::from(year) - 2022.0)
        + noise;
    let (lo, hi) = k.bounds;
    round_to(v.clamp(lo, hi), k.decimals)
}

/// `v` rounded to `decimals` places; negative places round to tens, hundreds …
fn round_to(v: f64, decimals: i32) -> f64 {
    if decimals < 0 {
        let step = 10f64.powi(-decimals);
        (v / step).round() * step
    } else {
        let f = 10f64.powi(decimals);
        (v * f).round() / f
    }
}

fn json_number(v: Option<f64>) -> String {
    match v {
        Some(x) => format!("{x}"),
        None => "null".into(),
    }
}

fn kolada(w: &World, rng: &mut Rng, files: &mut Files) -> Result<(), GenerateError> {
    // Organisations.
    let mut list = String::new();
    let orgs: Vec<&Org> = w.municipalities.iter().chain(&w.regions).collect();
    writeln!(list, "{{\"count\": {}, \"values\": [", orgs.len()).expect("writing to a String cannot fail");
    for (i, o) in orgs.iter().enumerate() {
        let kind = if o.is_region { "L" } else { "K" };
        let comma = if i + 1 < orgs.len() { "," } else { "" };
        writeln!(list, "  {{\"id\": {:?}, \"title\": {:?}, \"type\": \"{kind}\"}}{comma}", o.id, o.name)
            .expect("writing to a String cannot fail");
    }
    list.push_str("]}\n");
    files.text("kolada/kommuner.json", list, Encoding::Utf8, orgs.len())?;

    // Groups: every municipality, and municipalities of about Åbyholm's size.
    let member = |o: &Org| format!("{{\"member_id\": {:?}, \"member_title\": {:?}}}", o.id, o.name);
    let all: Vec<String> = w.municipalities.iter().map(member).collect();
    let home = &w.municipalities[0];
    let mut similar: Vec<&Org> = w.municipalities[4..].iter().collect();
    similar.sort_by(|a, b| (a.size.ln() - home.size.ln()).abs().total_cmp(&(b.size.ln() - home.size.ln()).abs()));
    let mut similar: Vec<&Org> = similar.into_iter().take(9).collect();
    similar.sort_by(|a, b| a.id.cmp(&b.id));
    let similar: Vec<String> = similar.into_iter().map(member).collect();
    let groups = format!(
        "[\n  {{\"id\": \"GX0001\", \"title\": \"Alla kommuner (påhittade)\",\n   \"members\": [\n    {}]}},\n  \
         {{\"id\": \"GX0002\", \"title\": \"Kommuner av {}s storlek (påhittad grupp)\",\n   \"members\": [\n    {}]}}\n]\n",
        all.join(",\n    "),
        home.name,
        similar.join(",\n    ")
    );
    files.text("kolada/kommungrupper.json", groups, Encoding::Utf8, 2)?;

    // Split KPIs, Kolada v2: one row per KPI × organisation × year with T, K and M.
    let mut rows: Vec<String> = Vec::new();
    // The one partial suppression: T and K published, M not (too few men answered).
    let partial = w.municipalities.iter().find(|m| (3_000.0..6_000.0).contains(&m.size)).map(|m| m.id.as_str());
    for (i, k) in KPIS.iter().enumerate() {
        let mut krng = rng.fork(i as u64);
        for o in w.municipalities.iter().chain(w.regions.iter().filter(|_| k.regions)) {
            for y in RECENT..=LAST_YEAR {
                if k.election && y != 2022 {
                    continue;
                }
                let (kv, mv) = (kpi_value(k, o, y, K, &mut krng), kpi_value(k, o, y, M, &mut krng));
                let t = round_to((kv + mv) / 2.0, k.decimals);
                // Surveys are not published for the smallest municipalities.
                let unpublished = k.id.starts_with('U') && o.size < 3_000.0;
                let mut values = vec![("T", (!unpublished).then_some(t))];
                if k.split {
                    let m_hidden = partial == Some(o.id.as_str()) && k.id == "U23471" && y == LAST_YEAR;
                    values.push(("K", (!unpublished).then_some(kv)));
                    values.push(("M", (!unpublished && !m_hidden).then_some(mv)));
                }
                let values: Vec<String> = values
                    .into_iter()
                    .map(|(g, v)| {
                        format!(
                            "{{\"count\":{},\"gender\":\"{g}\",\"status\":\"\",\"value\":{}}}",
                            u8::from(v.is_some()),
                            json_number(v)
                        )
                    })
                    .collect();
                rows.push(format!(
                    "{{\"kpi\":\"{}\",\"municipality\":{:?},\"period\":{y},\"values\":[{}]}}",
                    k.id,
                    o.id,
                    values.join(",")
                ));
            }
        }
    }
    let n = rows.len();
    let body = format!("{{\"count\": {n}, \"next_page\": null, \"values\": [\n{}\n]}}\n", rows.join(",\n"));
    files.text("kolada/kpi_2020_2024.json", body, Encoding::Utf8, n)?;

    // Paired KPIs, Kolada v3: one KPI per sex, each published as a "T" value.
    let mut rows: Vec<String> = Vec::new();
    for p in &PAIRED {
        let (level, spread, decimals, regions) = (p.level, p.spread, p.decimals, p.regions);
        for (sex, id) in [(K, p.women), (M, p.men)] {
            let mut krng = rng.fork(sex as u64);
            for o in w.municipalities.iter().chain(w.regions.iter().filter(|_| regions)) {
                for y in RECENT..=LAST_YEAR {
                    let v = level[sex]
                        + spread * (0.8 * o.quality + 0.3 * krng.normal())
                        + spread * 0.4 * (f64::from(y) - 2022.0);
                    rows.push(format!(
                        "{{\"kpi\":\"{id}\",\"municipality\":{:?},\"period\":{y},\"values\":[{{\"gender\":\"T\",\"count\":1,\"status\":\"\",\"value\":{},\"isdeleted\":false}}]}}",
                        o.id,
                        round_to(v, decimals)
                    ));
                }
            }
        }
    }
    let n = rows.len();
    let body = format!(
        "{{\"count\": {n}, \"next_url\": null, \"previous_url\": null, \"values\": [\n{}\n]}}\n",
        rows.join(",\n")
    );
    files.text("kolada/kpi_par_2020_2024.json", body, Encoding::Utf8, n)
}

// ------------------------------------------------------------------- open data, every municipality

fn school(w: &World, rng: &mut Rng, files: &mut Files) -> Result<(), GenerateError> {
    let mut out = Lines::new("Kommunkod,Kommun,År,Kön,Mått,Antal\n");
    for o in &w.municipalities {
        for y in years() {
            let youth = o.inhabitants_in(y, 1..=1);
            for (sex, label) in [(K, "flickor"), (M, "pojkar")] {
                let pupils = whole(youth[sex] as f64 / 5.0 * (1.0 + 0.04 * rng.normal()));
                // Girls ahead; better schools help everyone; a slow decline nationally.
                let p = 0.875 + 0.025 * o.quality
                    - 0.003 * f64::from(y - FIRST_YEAR)
                    - if sex == M { 0.035 + 0.012 * o.equality } else { 0.0 };
                let eligible = rng.binomial(pupils, p.clamp(0.5, 0.99));
                out.row(format_args!("{},{},{y},{label},pupils_year9,{pupils}", o.id, o.name));
                out.row(format_args!("{},{},{y},{label},pupils_eligible_vocational,{eligible}", o.id, o.name));
            }
        }
    }
    files.text("controllers/skola_ak9_2015_2024.csv", out.text, Encoding::Utf8Bom, out.rows)
}

/// Yearly events per 1 000 inhabitants aged 65–79, 80–89 and 90+, `[women, men]`.
const FALLS: [[f64; 2]; 3] = [[9.0, 7.0], [33.0, 26.0], [78.0, 66.0]];
const EMERGENCY: [[f64; 2]; 3] = [[255.0, 285.0], [470.0, 520.0], [600.0, 650.0]];
/// Reported assaults per 100 000 inhabitants, by the victim's sex.
const ASSAULTS: [f64; 2] = [460.0, 690.0];

fn regional(w: &World, rng: &mut Rng, files: &mut Files) -> Result<(), GenerateError> {
    let mut out = Lines::new("kommun\tår\tkön\tålder\tmått\tantal\n");
    for o in &w.municipalities {
        for y in RECENT..=LAST_YEAR {
            for (sex, label) in [(K, "kvinnor"), (M, "män")] {
                for (i, band) in BANDS[3..].iter().enumerate() {
                    let people = o.inhabitants(y, 3 + i, sex) as f64;
                    let better = (-0.08 * o.quality).exp();
                    let falls = rng.poisson(people * FALLS[i][sex] / 1000.0 * better);
                    let visits = rng.poisson(people * EMERGENCY[i][sex] / 1000.0 * (1.0 + 0.1 * o.equality * 0.5));
                    out.row(format_args!("{}\t{y}\t{label}\t{band}\tfall_injury_admissions\t{falls}", o.id));
                    out.row(format_args!("{}\t{y}\t{label}\t{band}\temergency_visits\t{visits}", o.id));
                }
                let all: u64 = o.inhabitants_in(y, 0..=BANDS.len() - 1)[sex];
                let assaults = rng.poisson(all as f64 * ASSAULTS[sex] / 100_000.0 * (-0.15 * o.quality).exp());
                out.row(format_args!("{}\t{y}\t{label}\ttotalt\treported_assaults\t{assaults}", o.id));
            }
        }
    }
    files.text("controllers/regionala_uttag_2020_2024.csv", out.text, Encoding::Utf8, out.rows)
}

fn social_assistance(w: &World, rng: &mut Rng, files: &mut Files) -> Result<(), GenerateError> {
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title("Ekonomiskt bistånd (påhittade data)")
            .set_author("jamfor generate")
            .set_creation_datetime(&ExcelDateTime::from_ymd(2025, 3, 1).expect("a valid date")),
    );
    // Recipients among adults 18–64 (women slightly more often), and how many are long-term.
    let mut counts: Vec<[[u64; 2]; 2]> = Vec::new();
    for o in &w.municipalities {
        for y in years() {
            let adults = o.inhabitants_in(y, 2..=2);
            let mut cell = [[0; 2]; 2];
            for sex in [K, M] {
                let rate = 0.034 * (-0.25 * o.quality).exp() * (1.0 - 0.02 * f64::from(y - FIRST_YEAR))
                    + if sex == K { 0.002 } else { 0.0 };
                let recipients = rng.binomial(adults[sex], rate);
                let long =
                    0.40 + 0.03 * o.equality * if sex == K { 1.0 } else { -1.0 } + if sex == M { 0.04 } else { 0.0 };
                cell[0][sex] = recipients;
                cell[1][sex] = rng.binomial(recipients, long.clamp(0.1, 0.8));
            }
            counts.push(cell);
        }
    }
    let n_years = usize::from(LAST_YEAR - FIRST_YEAR) + 1;
    for (k, (sheet, title)) in [
        ("Mottagare", "Vuxna (18–64 år) med ekonomiskt bistånd efter kommun, år och kön (påhittade data)"),
        ("Långvarigt", "Vuxna (18–64 år) med långvarigt ekonomiskt bistånd efter kommun, år och kön (påhittade data)"),
    ]
    .into_iter()
    .enumerate()
    {
        let ws = book.add_worksheet();
        let xl = |e: rust_xlsxwriter::XlsxError| GenerateError::Xlsx(e.to_string());
        ws.set_name(sheet).map_err(xl)?;
        ws.write_string(0, 0, title).map_err(xl)?;
        ws.write_string(2, 0, "Kommun").map_err(xl)?;
        ws.write_string(3, 0, "").map_err(xl)?;
        for (j, y) in years().enumerate() {
            let col = 1 + 2 * j as u16;
            ws.write_number(2, col, f64::from(y)).map_err(xl)?;
            ws.write_string(3, col, "Kvinnor").map_err(xl)?;
            ws.write_string(3, col + 1, "Män").map_err(xl)?;
        }
        for (i, o) in w.municipalities.iter().enumerate() {
            let row = 4 + i as u32;
            ws.write_string(row, 0, format!("{} {}", o.id, o.name)).map_err(xl)?;
            for j in 0..n_years {
                let cell = counts[i * n_years + j][k];
                let col = 1 + 2 * j as u16;
                ws.write_number(row, col, cell[K] as f64).map_err(xl)?;
                ws.write_number(row, col + 1, cell[M] as f64).map_err(xl)?;
            }
        }
    }
    let bytes = book.save_to_buffer().map_err(|e| GenerateError::Xlsx(e.to_string()))?;
    files.bytes("controllers/ekonomiskt_bistand_2015_2024.xlsx", bytes, 2 * w.municipalities.len())
}

// --------------------------------------------------------------------- the partners' own data

fn follow_up(w: &World, rng: &mut Rng, files: &mut Files) -> Result<(), GenerateError> {
    let mut out = Lines::new(
        "Uppföljning jämställdhet 2015–2024, egna uttag från verksamheterna (påhittade data)\n\
         Kommun;År;Mått;Måttenhet;Ålder;Kvinnor;Män;Totalt\n",
    );
    for (p, o) in w.partners().iter().enumerate() {
        let seats = [41.0, 61.0, 31.0, 51.0][p];
        for y in years() {
            let t = f64::from(y - FIRST_YEAR);
            let mut line = |name: &str, unit: &str, age: &str, k: f64, m: f64, decimals: usize| {
                out.row(format_args!(
                    "{} {};{y};{name};{unit};{age};{};{};{}",
                    o.id,
                    o.name,
                    sv(k, decimals),
                    sv(m, decimals),
                    sv(k + m, decimals)
                ));
            };
            let youth = o.inhabitants_in(y, 1..=1);
            let children = o.inhabitants_in(y, 0..=1);
            // Youth centres: boys visit about twice as often.
            let visits = [rng.poisson(youth[K] as f64 * 2.3), rng.poisson(youth[M] as f64 * 4.2)];
            line("youth_centre_visits", "antal", "13-17", visits[K] as f64, visits[M] as f64, 0);
            // Libraries: more girls borrow, and borrow more.
            let borrowers = [
                rng.binomial(children[K], 0.44 + 0.02 * o.quality),
                rng.binomial(children[M], 0.35 + 0.02 * o.quality),
            ];
            let loans = [rng.poisson(borrowers[K] as f64 * 14.0), rng.poisson(borrowers[M] as f64 * 10.5)];
            line("library_borrowers", "antal", "totalt", borrowers[K] as f64, borrowers[M] as f64, 0);
            line("library_loans", "antal", "totalt", loans[K] as f64, loans[M] as f64, 0);
            // Sports-hall prime time booked by girls' and boys' teams, in half hours.
            let hours = children[K] as f64 * 0.09 + children[M] as f64 * 0.16;
            let girls = (0.34 + 0.004 * t + 0.02 * o.equality).clamp(0.2, 0.5);
            let halves = |x: f64| (x * 2.0).round() / 2.0;
            line(
                "sports_hall_prime_time_hours",
                "timmar",
                "totalt",
                halves(hours * girls),
                halves(hours * (1.0 - girls)),
                1,
            );
            // Activation programmes for social-assistance recipients: men get more days.
            let adults = o.inhabitants_in(y, 2..=2);
            let days = [rng.poisson(adults[K] as f64 * 0.034 * 36.0), rng.poisson(adults[M] as f64 * 0.032 * 47.0)];
            line("activation_programme_days", "dagar", "totalt", days[K] as f64, days[M] as f64, 0);
            // Council: seats and minutes spoken; men speak longer per member.
            let women_seats = (seats * (0.40 + 0.006 * t + 0.02 * o.equality)).round();
            let men_seats = seats - women_seats;
            let minutes =
                [women_seats * 38.0 * (1.0 + 0.1 * rng.normal()), men_seats * 49.0 * (1.0 + 0.1 * rng.normal())];
            line("council_members", "antal", "totalt", women_seats, men_seats, 0);
            line("council_speaking_minutes", "minuter", "totalt", minutes[K].round(), minutes[M].round(), 0);
            // Elected representatives in committees, and how many chair one.
            let reps = [whole(seats * 2.6 * (0.43 + 0.01 * o.equality)), whole(seats * 2.6 * 0.57)];
            let chairs = [rng.binomial(reps[K], 0.10), rng.binomial(reps[M], 0.14)];
            line("elected_representatives", "antal", "totalt", reps[K] as f64, reps[M] as f64, 0);
            line("elected_representatives_chairing", "antal", "totalt", chairs[K] as f64, chairs[M] as f64, 0);
        }
    }
    files.text("controllers/uppfoljning_2015_2024.csv", out.text, Encoding::Windows1252, out.rows)
}

fn home_care(w: &World, rng: &mut Rng, files: &mut Files) -> Result<(), GenerateError> {
    let mut out = Lines::new(
        "Hemtjänst, beviljade timmar i oktober, en rad per brukare och år (påhittade data)\n\
         Kommun;År;Brukar-id;Kön;Ålder;Beviljade timmar\n",
    );
    for (p, o) in w.partners().iter().enumerate() {
        for y in years() {
            let mut n = 0;
            for sex in [K, M] {
                for (band, coverage) in [(3, [0.035, 0.028]), (4, [0.20, 0.14]), (5, [0.42, 0.33])] {
                    let people = o.inhabitants(y, band, sex);
                    let recipients = rng.binomial(people, coverage[sex]);
                    let (low, span) = [(65, 15), (80, 10), (90, 8)][band - 3];
                    for _ in 0..recipients {
                        n += 1;
                        let age = low + rng.below(span);
                        // Log-normal hours, more for the oldest; a long right tail.
                        let median = [9.0, 17.0, 26.0][band - 3] * if sex == K { 1.05 } else { 1.0 };
                        let hours = (median * (0.75 * rng.normal()).exp()).clamp(0.5, 180.0);
                        let hours = (hours * 2.0).round() / 2.0;
                        let code = ["K", "M"][sex];
                        out.row(format_args!("{};{y};B{}{:05};{code};{age};{}", o.id, p + 1, n, sv(hours, 1)));
                    }
                }
            }
        }
    }
    files.text("register/hemtjanst_2015_2024.csv", out.text, Encoding::Windows1252, out.rows)
}

/// Activities with the girls' share of members and the grant per member per year (SEK): boys'
/// team sports get more per member than girls' riding and dance.
const ACTIVITIES: [(&str, f64, f64); 9] = [
    ("Fotboll", 0.30, 620.0),
    ("Ishockey", 0.10, 1_450.0),
    ("Innebandy", 0.28, 560.0),
    ("Ridning", 0.88, 300.0),
    ("Dans", 0.84, 260.0),
    ("Gymnastik", 0.70, 380.0),
    ("Simning", 0.52, 420.0),
    ("Scouting", 0.50, 330.0),
    ("E-sport", 0.08, 280.0),
];
const CLUB_WORDS: [&str; 8] = ["IF", "IK", "BK", "Ryttarsällskap", "Dansklubb", "GF", "SK", "Scoutkår"];

fn leisure_grants(w: &World, rng: &mut Rng, files: &mut Files) -> Result<(), GenerateError> {
    let mut out = Lines::new("Kommun;År;Förening;Aktivitet;Flickor;Pojkar;Bidrag (kr)\n");
    for o in w.partners() {
        let stem = o.name.chars().take(4).collect::<String>();
        let clubs = 6 + (o.size / 4_000.0) as usize;
        for y in years() {
            let children = o.inhabitants_in(y, 0..=1);
            let members_per_club = (children[K] + children[M]) as f64 * 0.45 / clubs as f64;
            for c in 0..clubs {
                let (activity, girls, per_member) = ACTIVITIES[c % ACTIVITIES.len()];
                let club = format!("{stem}{} {}", ["by", "ås", "vik", "dal"][c % 4], CLUB_WORDS[c % CLUB_WORDS.len()]);
                let members = rng.poisson(members_per_club * (0.6 + 0.8 * ((c * 37 % 11) as f64 / 10.0)));
                let flickor = rng.binomial(members, girls);
                let pojkar = members - flickor;
                let grant = (members as f64 * per_member * (1.0 + 0.1 * rng.normal()) / 500.0).round() * 500.0;
                out.row(format_args!("{};{y};{club};{activity};{flickor};{pojkar};{}", o.id, sv(grant.max(0.0), 0)));
            }
        }
    }
    files.text("register/foreningsbidrag_2015_2024.csv", out.text, Encoding::Windows1252, out.rows)
}

fn payroll(w: &World, rng: &mut Rng, files: &mut Files) -> Result<(), GenerateError> {
    let mut out = Lines::new("Kommun;År;Anställnings-id;Kön;Heltid;Sjukdagar;Kompetensutveckling (kr)\n");
    for (p, o) in w.partners().iter().enumerate() {
        // Municipal employees: about 5 % of inhabitants, four in five of them women.
        let staff = (o.size * 0.05) as usize;
        for y in RECENT..=LAST_YEAR {
            for e in 0..staff {
                let sex = if rng.chance(0.79) { K } else { M };
                let full_time = rng.chance(if sex == K { 0.78 } else { 0.88 } + 0.01 * f64::from(y - RECENT));
                // Sick days: most have a few, some a long spell (women more often).
                let long_spell = rng.chance(if sex == K { 0.07 } else { 0.04 });
                let days =
                    rng.poisson(if sex == K { 6.5 } else { 4.5 }) + if long_spell { 30 + rng.poisson(60.0) } else { 0 };
                let training = if rng.chance(0.55) { (rng.unit() * 12_000.0 / 100.0).round() * 100.0 } else { 0.0 };
                let training = if sex == M { training * 1.15 } else { training };
                out.row(format_args!(
                    "{};{y};A{}{:05};{};{};{days};{}",
                    o.id,
                    p + 1,
                    e,
                    ["kvinna", "man"][sex],
                    if full_time { "ja" } else { "nej" },
                    sv(training.round(), 0)
                ));
            }
        }
    }
    files.text("register/personal_2020_2024.csv", out.text, Encoding::Windows1252, out.rows)
}

fn pupils(w: &World, rng: &mut Rng, files: &mut Files) -> Result<(), GenerateError> {
    let mut out = Lines::new("Kommun;År;Elev-id;Kön;Meritvärde\n");
    for (p, o) in w.partners().iter().enumerate() {
        let mut id = 0;
        for y in years() {
            let youth = o.inhabitants_in(y, 1..=1);
            for sex in [K, M] {
                let n = whole(youth[sex] as f64 / 5.0 * 0.96);
                for _ in 0..n {
                    id += 1;
                    // Girls ahead by about 25 points (merit values 0–340 in steps of 2.5).
                    let mean = if sex == K { 243.0 } else { 218.0 } + 6.0 * o.quality;
                    let merit = (mean + 58.0 * rng.normal()).clamp(0.0, 340.0);
                    let merit = (merit / 2.5).round() * 2.5;
                    out.row(format_args!(
                        "{};{y};E{}{:06};{};{}",
                        o.id,
                        p + 1,
                        id,
                        ["flicka", "pojke"][sex],
                        sv(merit, 1)
                    ));
                }
            }
        }
    }
    files.text("register/elever_ak9_2015_2024.csv", out.text, Encoding::Windows1252, out.rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn swedish_numbers_have_a_decimal_comma_and_spaced_thousands() {
        assert_eq!(sv(1234567.26, 1), "1 234 567,3");
        assert_eq!(sv(999.0, 0), "999");
        assert_eq!(sv(1000.0, 0), "1 000");
        assert_eq!(sv(-12.5, 1), "-12,5");
        assert_eq!(sv(-0.01, 1), "0,0");
    }

    #[test]
    fn kpi_rounding_to_hundreds_and_decimals() {
        assert_eq!(round_to(302_049.0, -2), 302_000.0);
        assert_eq!(round_to(12.345, 1), 12.3);
    }
}
