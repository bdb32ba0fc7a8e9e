//! FIRST EPSS scores: a gzip CSV, `#model_version…,score_date:…` then `cve,epss,percentile`.

use std::io::Read;

/// `(cve, probability, percentile)` rows and the score date.
pub(crate) type EpssRows = (Vec<(String, f64, f64)>, Option<String>);

pub(crate) fn read(gz: &[u8]) -> Result<EpssRows, String> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_string(&mut text)
        .map_err(|e| format!("not a readable gzip CSV: {e}"))?;
    let mut rows = Vec::new();
    let mut date = None;
    for (n, line) in text.lines().enumerate() {
        if let Some(meta) = line.strip_prefix('#') {
            date = meta
                .split(',')
                .find_map(|kv| kv.strip_prefix("score_date:"))
                .map(|d| d.chars().take(10).collect());
            continue;
        }
        if line.starts_with("cve,") || line.trim().is_empty() {
            continue;
        }
        let mut f = line.split(',');
        let (Some(cve), Some(p), Some(pct)) = (f.next(), f.next(), f.next()) else {
            return Err(format!("line {}: expected cve,epss,percentile", n + 1));
        };
        let (Ok(p), Ok(pct)) = (p.trim().parse(), pct.trim().parse()) else {
            return Err(format!("line {}: scores are not numbers", n + 1));
        };
        rows.push((cve.to_string(), p, pct));
    }
    Ok((rows, date))
}
