//! The benchmark methods every forecast must beat, and the two classic
//! specialists: naive, seasonal naive, Naive2 (naive on seasonally
//! adjusted data, the M-competitions' benchmark), the Theta method
//! (Assimakopoulos & Nikolopoulos 2000, in Hyndman & Billah's form, as
//! R's `thetaf`) and TSB (Teunter, Syntetos & Babai 2011: Croston's method
//! for intermittent demand, with the demand probability smoothed so a
//! category someone stopped buying fades out).

use super::decompose::adjustment;
use super::optimize::nelder_mead;

/// The last value, repeated.
pub fn naive(y: &[f64], h: usize) -> Vec<f64> {
    vec![y.last().copied().unwrap_or(0.0); h]
}

/// The value one season back (plain naive when there is less than a
/// season).
pub fn seasonal_naive(y: &[f64], m: usize, h: usize) -> Vec<f64> {
    let n = y.len();
    if m < 2 || n < m {
        return naive(y, h);
    }
    (0..h).map(|i| y[n - m + i % m]).collect()
}

/// Naive on the seasonally adjusted series, seasonality put back.
pub fn naive2(y: &[f64], m: usize, h: usize) -> Vec<f64> {
    let n = y.len();
    if n == 0 {
        return vec![0.0; h];
    }
    let index = adjustment(y, m);
    let k = index.len();
    let last = y[n - 1] / index[(n - 1) % k];
    (0..h).map(|i| last * index[(n + i) % k]).collect()
}

/// Simple exponential smoothing fitted by least squares: the smoothing
/// parameter and the final level.
fn ses(y: &[f64]) -> (f64, f64) {
    if y.len() < 3 {
        return (0.5, y.last().copied().unwrap_or(0.0));
    }
    let sse = |x: &[f64]| -> f64 {
        let (alpha, mut level) = (x[0], x[1]);
        if !(1e-4..=0.9999).contains(&alpha) {
            return f64::INFINITY;
        }
        let mut total = 0.0;
        for v in y {
            let e = v - level;
            total += e * e;
            level += alpha * e;
        }
        total
    };
    let scale = y.iter().map(|v| v.abs()).sum::<f64>() / y.len() as f64;
    let best = nelder_mead(
        sse,
        &[0.3, y[0]],
        &[0.1, (scale * 0.1).max(1e-3)],
        300,
        1e-9,
    );
    let (alpha, mut level) = (best.point[0], best.point[1]);
    for v in y {
        level += alpha * (v - level);
    }
    (alpha, level)
}

/// The Theta method: simple smoothing of the (seasonally adjusted) series
/// plus half the slope of its linear trend.
pub fn theta(y: &[f64], m: usize, h: usize) -> Vec<f64> {
    let n = y.len();
    if n < 3 {
        return naive(y, h);
    }
    let index = adjustment(y, m);
    let k = index.len();
    let adjusted: Vec<f64> = y
        .iter()
        .enumerate()
        .map(|(t, v)| v / index[t % k])
        .collect();
    let (alpha, level) = ses(&adjusted);
    let mean_t = (n as f64 + 1.0) / 2.0;
    let mean_y = adjusted.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (t, v) in adjusted.iter().enumerate() {
        let dt = t as f64 + 1.0 - mean_t;
        sxy += dt * (v - mean_y);
        sxx += dt * dt;
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    let drift = (1.0 - (1.0 - alpha).powi(n as i32)) / alpha;
    (0..h)
        .map(|i| (level + 0.5 * slope * (i as f64 + drift)) * index[(n + i) % k])
        .collect()
}

/// Whether a series is intermittent: zero in at least a third of periods.
pub fn is_intermittent(y: &[f64]) -> bool {
    !y.is_empty() && y.iter().filter(|v| **v == 0.0).count() * 3 >= y.len()
}

/// TSB: the smoothed size of a non-zero value times the smoothed
/// probability of one, the pair of smoothing constants chosen by one-step
/// squared error on a small grid.
pub fn tsb(y: &[f64], h: usize) -> Vec<f64> {
    let Some(first) = y.iter().position(|v| *v != 0.0) else {
        return vec![0.0; h];
    };
    const GRID: [f64; 4] = [0.05, 0.1, 0.2, 0.4];
    let run = |a: f64, b: f64| -> (f64, f64) {
        let mut size = y[first];
        let mut probability = y.iter().filter(|v| **v != 0.0).count() as f64 / y.len() as f64;
        let mut sse = 0.0;
        for v in &y[first + 1..] {
            let e = v - size * probability;
            sse += e * e;
            if *v != 0.0 {
                size += a * (v - size);
                probability += b * (1.0 - probability);
            } else {
                probability -= b * probability;
            }
        }
        (sse, size * probability)
    };
    let mut best = (f64::INFINITY, 0.0);
    for a in GRID {
        for b in GRID {
            let (sse, forecast) = run(a, b);
            if sse < best.0 {
                best = (sse, forecast);
            }
        }
    }
    vec![best.1; h]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn benchmarks_on_a_seasonal_series() {
        let pattern = [1.3, 0.7, 1.0, 1.0];
        let y: Vec<f64> = (0..24).map(|t| 100.0 * pattern[t % 4]).collect();
        assert_eq!(naive(&y, 2), vec![100.0, 100.0]);
        assert_eq!(
            seasonal_naive(&y, 4, 5),
            vec![130.0, 70.0, 100.0, 100.0, 130.0]
        );
        let n2 = naive2(&y, 4, 4);
        for (got, want) in n2.iter().zip([130.0, 70.0, 100.0, 100.0]) {
            assert!((got - want).abs() < 1e-6, "{n2:?}");
        }
        let th = theta(&y, 4, 4);
        for (got, want) in th.iter().zip([130.0, 70.0, 100.0, 100.0]) {
            assert!((got - want).abs() < 1.0, "{th:?}");
        }
    }

    #[test]
    fn theta_follows_a_trend() {
        let y: Vec<f64> = (0..30).map(|t| 50.0 + 3.0 * t as f64).collect();
        let f = theta(&y, 1, 3);
        // Theta damps the trend to half: between flat and the full line.
        assert!(f[0] > 137.0 && f[2] < 150.0 && f[2] > f[0], "{f:?}");
    }

    #[test]
    fn tsb_forecasts_the_mean_rate_of_intermittent_demand() {
        let y: Vec<f64> = (0..48)
            .map(|t| if t % 4 == 0 { 40.0 } else { 0.0 })
            .collect();
        assert!(is_intermittent(&y));
        let f = tsb(&y, 3)[0];
        assert!((f - 10.0).abs() < 3.0, "{f}");
        assert_eq!(tsb(&[0.0, 0.0], 2), vec![0.0, 0.0]);
    }
}
