//! Classical seasonal decomposition (a centred moving average, then the
//! average deviation per season position) and the 90% autocorrelation test
//! the M4 benchmarks use to decide whether a series is seasonal.

/// Seasonal indices for positions `0..m` of `y` (position 0 is `y[0]`'s):
/// ratios to the trend that average 1 when `multiplicative`, differences
/// that sum to 0 otherwise.
pub fn seasonal_indices(y: &[f64], m: usize, multiplicative: bool) -> Vec<f64> {
    let neutral = if multiplicative { 1.0 } else { 0.0 };
    if m < 2 || y.len() < 2 * m {
        return vec![neutral; m];
    }
    let trend = centred_moving_average(y, m);
    let mut sums = vec![0.0; m];
    let mut counts = vec![0usize; m];
    for (t, (v, c)) in y.iter().zip(&trend).enumerate() {
        let Some(c) = c else { continue };
        let deviation = if multiplicative {
            if c.abs() < 1e-12 {
                continue;
            }
            v / c
        } else {
            v - c
        };
        sums[t % m] += deviation;
        counts[t % m] += 1;
    }
    let mut indices: Vec<f64> = sums
        .iter()
        .zip(&counts)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { neutral })
        .collect();
    let mean = indices.iter().sum::<f64>() / m as f64;
    for index in &mut indices {
        if multiplicative {
            *index = if mean.abs() > 1e-12 {
                *index / mean
            } else {
                1.0
            };
        } else {
            *index -= mean;
        }
    }
    indices
}

/// The 2×m centred moving average (for odd `m`, the plain m-term one);
/// `None` where the window does not fit.
fn centred_moving_average(y: &[f64], m: usize) -> Vec<Option<f64>> {
    let n = y.len();
    let mut out = vec![None; n];
    let half = m / 2;
    for (t, slot) in out.iter_mut().enumerate() {
        if t < half || t + half >= n {
            continue;
        }
        *slot = Some(if m % 2 == 1 {
            y[t - half..=t + half].iter().sum::<f64>() / m as f64
        } else {
            let inner: f64 = y[t - half + 1..t + half].iter().sum();
            (inner + 0.5 * (y[t - half] + y[t + half])) / m as f64
        });
    }
    out
}

/// Whether the autocorrelation at lag `m` exceeds its 90% limit, with the
/// variance of the earlier lags (Bartlett), as in the M4 benchmark code.
pub fn is_seasonal(y: &[f64], m: usize) -> bool {
    let n = y.len();
    if m < 2 || n < 3 * m {
        return false;
    }
    let acf = autocorrelations(y, m);
    let sum_sq: f64 = acf[..m - 1].iter().map(|r| r * r).sum();
    let limit = 1.645 * ((1.0 + 2.0 * sum_sq) / n as f64).sqrt();
    acf[m - 1].abs() > limit
}

/// Autocorrelations at lags 1..=`max_lag`.
fn autocorrelations(y: &[f64], max_lag: usize) -> Vec<f64> {
    let n = y.len();
    let mean = y.iter().sum::<f64>() / n as f64;
    let denominator: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
    (1..=max_lag)
        .map(|lag| {
            if denominator <= 0.0 {
                return 0.0;
            }
            (lag..n)
                .map(|t| (y[t] - mean) * (y[t - lag] - mean))
                .sum::<f64>()
                / denominator
        })
        .collect()
}

/// Multiplicative seasonal indices if `y` is seasonal at `m` and positive,
/// otherwise all ones: what Naive2 and Theta adjust by.
pub fn adjustment(y: &[f64], m: usize) -> Vec<f64> {
    if m >= 2 && y.iter().all(|v| *v > 0.0) && is_seasonal(y, m) {
        seasonal_indices(y, m, true)
    } else {
        vec![1.0; m.max(1)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_planted_seasonality() {
        let pattern = [1.2, 0.8, 1.0, 1.0];
        let y: Vec<f64> = (0..40).map(|t| 100.0 * pattern[t % 4]).collect();
        let indices = seasonal_indices(&y, 4, true);
        for (got, want) in indices.iter().zip(pattern) {
            assert!((got - want).abs() < 1e-9, "{indices:?}");
        }
        assert!(is_seasonal(&y, 4));
        let flat: Vec<f64> = (0..40).map(|t| 100.0 + (t * 7 % 5) as f64).collect();
        assert!(!is_seasonal(&flat, 12));
    }
}
