//! Small statistics helpers.

/// Median (upper middle) of `v`; 0 when empty. Sorts `v`.
pub(crate) fn median(v: &mut [f64]) -> f64 {
    percentile(v, 0.5)
}

/// The `q` quantile of `v` (nearest rank); 0 when empty. Sorts `v`.
pub(crate) fn percentile(v: &mut [f64], q: f64) -> f64 {
    if v.is_empty() {
        return 0.0;
    }
    v.sort_by(f64::total_cmp);
    let i = ((v.len() - 1) as f64 * q).round() as usize;
    v[i.min(v.len() - 1)]
}

/// Bytes to MiB.
pub(crate) fn mib(b: u64) -> f64 {
    b as f64 / (1024.0 * 1024.0)
}

/// Rounds to 3 decimals for the report.
pub(crate) fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// `VmHWM` (peak resident set) from a `/proc/PID/status` file, MiB.
pub(crate) fn vm_hwm_mib(status_path: &str) -> Option<f64> {
    let s = std::fs::read_to_string(status_path).ok()?;
    let kib: f64 = s
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kib / 1024.0)
}

/// A plain-text table of `(figure, value, target, verdict)` rows, for stderr.
pub(crate) fn table(title: &str, rows: &[(String, String, String, String)]) -> String {
    let head = (
        "figure".to_string(),
        "measured".to_string(),
        "target".to_string(),
        "".to_string(),
    );
    let all: Vec<&(String, String, String, String)> = std::iter::once(&head).chain(rows).collect();
    let w = |f: fn(&(String, String, String, String)) -> &String| {
        all.iter().map(|r| f(r).chars().count()).max().unwrap_or(0)
    };
    let (w0, w1, w2) = (w(|r| &r.0), w(|r| &r.1), w(|r| &r.2));
    let pad = |s: &str, n: usize| format!("{s}{}", " ".repeat(n.saturating_sub(s.chars().count())));
    let mut out = format!("{title}\n");
    for (i, r) in all.iter().enumerate() {
        out.push_str(&format!(
            "  {}  {}  {}  {}\n",
            pad(&r.0, w0),
            pad(&r.1, w1),
            pad(&r.2, w2),
            r.3
        ));
        if i == 0 {
            out.push_str(&format!("  {}\n", "-".repeat(w0 + w1 + w2 + 10)));
        }
    }
    out
}

/// A table row: `ok` when `value <= limit`, `MISSED` otherwise.
pub(crate) fn row(
    name: &str,
    value: String,
    limit_text: &str,
    met: Option<bool>,
) -> (String, String, String, String) {
    let verdict = match met {
        Some(true) => "ok",
        Some(false) => "MISSED",
        None => "",
    };
    (
        name.to_string(),
        value,
        limit_text.to_string(),
        verdict.to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_and_percentile_take_nearest_rank() {
        let mut v = vec![5.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(median(&mut v), 3.0);
        assert_eq!(percentile(&mut v, 1.0), 5.0);
        assert_eq!(percentile(&mut v, 0.0), 1.0);
        assert_eq!(median(&mut []), 0.0);
    }
}
