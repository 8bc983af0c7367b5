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
