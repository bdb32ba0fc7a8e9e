//! A plain-text table: one package per line, columns aligned.

use crate::Sbom;

pub(crate) fn render(sbom: &Sbom) -> String {
    let header = ["NAME", "VERSION", "TYPE"];
    let rows: Vec<[String; 3]> = sbom
        .packages
        .iter()
        .map(|p| {
            [
                p.name.clone(),
                p.version.clone(),
                p.package_type.as_str().to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for r in &rows {
        for (w, cell) in widths.iter_mut().zip(r) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: [&str; 3]| {
        let text = format!(
            "{:<w0$}  {:<w1$}  {}",
            cells[0],
            cells[1],
            cells[2],
            w0 = widths[0],
            w1 = widths[1]
        );
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(header);
    for r in &rows {
        line([&r[0], &r[1], &r[2]]);
    }
    if rows.is_empty() {
        out.push_str("(no packages found)\n");
    }
    out
}
