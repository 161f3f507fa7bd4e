//! `findings.md`: the findings as plain Markdown, grouped by area and indicator, for pasting
//! into minutes and mails.

use std::fmt::Write;

use crate::render::findings::Finding;
use crate::render::html::{area_label, panel_title};
use crate::render::lang::{Lang, SUPPRESSED, source_line};
use crate::render::view::View;

/// The whole file.
pub fn findings(view: &View, findings: &[Finding], lang: Lang) -> String {
    let mut out = String::new();
    let heading = lang.pick("Resultat", "Findings");
    let _ = writeln!(out, "# {heading}: {}\n", view.name);
    let names = |orgs: &[crate::render::view::Org]| orgs.iter().map(|o| o.name.as_str()).collect::<Vec<_>>().join(", ");
    let _ = writeln!(out, "- {}: {}", lang.pick("Deltagare", "Participants"), names(&view.participants));
    if !view.mentors.is_empty() {
        let _ = writeln!(out, "- {}: {}", lang.pick("Mentor", "Mentor"), names(&view.mentors));
    }
    let _ = writeln!(
        out,
        "- {}: {} {}",
        lang.pick("Referensgrupp", "Reference set"),
        view.reference_n,
        lang.pick("organisationer", "organisations")
    );
    let _ = writeln!(
        out,
        "\n{}\n",
        match lang {
            Lang::Sv => format!(
                "`{SUPPRESSED}` betyder att uppgiften inte visas av sekretesskäl (färre än {} personer, eller den skulle kunna räknas fram ur andra uppgifter). En skillnad kallas högre eller lägre bara när den är statistiskt säkerställd.",
                view.min_count
            ),
            Lang::En => format!(
                "`{SUPPRESSED}` means the value is not shown for confidentiality (fewer than {} people, or it could be recomputed from other numbers). A difference is called higher or lower only when it is statistically significant.",
                view.min_count
            ),
        }
    );
    let mut area = "";
    for (i, panel) in view.panels.iter().enumerate() {
        let ind = &panel.indicator;
        if ind.area != area {
            area = &ind.area;
            let _ = writeln!(out, "## {}\n", area_label(area, lang));
        }
        let _ = writeln!(out, "### {}\n", panel_title(panel, lang));
        let mut any = false;
        for f in findings.iter().filter(|f| f.panel == i) {
            let _ = writeln!(out, "**{} {}.** {}\n", f.org.name, f.period, f.text());
            any = true;
        }
        if !any {
            let _ = writeln!(out, "{}\n", lang.pick("Inga värden för deltagarna.", "No values for the participants."));
        }
        let _ = writeln!(out, "*{}*\n", source_line(ind, lang));
    }
    out
}
