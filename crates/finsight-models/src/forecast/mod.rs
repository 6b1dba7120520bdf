//! Spending forecasts: every method on every series of a panel, an
//! ensemble weighted by each method's rolling-origin backtest accuracy on
//! that series, and 80% / 95% prediction intervals calibrated on the
//! backtest errors (split conformal, pooled across the panel on a
//! per-series scale), so an 80% interval holds the outcome about 80% of
//! the time whichever method produced it.

pub mod calendar;
pub mod decompose;
pub mod ets;
pub mod gbt;
pub mod global;
pub mod optimize;
pub mod simple;
pub mod spending;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use global::{GlobalModel, SeriesView};

/// A forecasting method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Method {
    Naive,
    SeasonalNaive,
    Naive2,
    Ets,
    Theta,
    Tsb,
    Global,
    Ensemble,
}

impl Method {
    /// The methods the ensemble combines (every one but itself).
    pub const BASE: [Method; 7] = [
        Method::Naive,
        Method::SeasonalNaive,
        Method::Naive2,
        Method::Ets,
        Method::Theta,
        Method::Tsb,
        Method::Global,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Method::Naive => "naive",
            Method::SeasonalNaive => "snaive",
            Method::Naive2 => "naive2",
            Method::Ets => "ets",
            Method::Theta => "theta",
            Method::Tsb => "tsb",
            Method::Global => "global",
            Method::Ensemble => "ensemble",
        }
    }
}

/// One step ahead: the point forecast and its two intervals.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Band {
    pub point: f64,
    pub lo80: f64,
    pub hi80: f64,
    pub lo95: f64,
    pub hi95: f64,
}

/// A series to forecast: its values in time order (equally spaced) and
/// where the first falls in the season (its month, for monthly data).
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesInput {
    pub values: Vec<f64>,
    pub phase: usize,
}

#[derive(Debug, Clone, Copy)]
pub struct PanelOptions {
    pub horizon: usize,
    /// Periods per season (12 for monthly, 52 weekly, 1 for none).
    pub season: usize,
    /// Backtest origins per series.
    pub windows: usize,
    /// Whether to fit the global model (it needs a panel, not one series).
    pub global: bool,
    pub seed: u64,
}

impl PanelOptions {
    pub fn new(horizon: usize, season: usize) -> Self {
        Self {
            horizon,
            season,
            windows: 3,
            global: true,
            seed: 42,
        }
    }
}

/// Every method's forecast for one series, the ensemble's weights, and
/// which ETS model was chosen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SeriesForecast {
    pub methods: Vec<(Method, Vec<Band>)>,
    pub weights: Vec<(Method, f64)>,
    pub ets_model: Option<String>,
}

impl SeriesForecast {
    pub fn of(&self, method: Method) -> Option<&[Band]> {
        self.methods
            .iter()
            .find(|(m, _)| *m == method)
            .map(|(_, bands)| bands.as_slice())
    }
}

/// The in-sample mean absolute error of the seasonal naive forecast (lag 1
/// when there is less than a season and one): MASE's denominator, and the
/// scale intervals are pooled on. Never zero.
pub fn naive_scale(y: &[f64], m: usize) -> f64 {
    let lag = if m >= 2 && y.len() > m { m } else { 1 };
    if y.len() <= lag {
        let mean = y.iter().map(|v| v.abs()).sum::<f64>() / y.len().max(1) as f64;
        return mean.max(1e-9);
    }
    let mae = y
        .windows(lag + 1)
        .map(|w| (w[lag] - w[0]).abs())
        .sum::<f64>()
        / (y.len() - lag) as f64;
    if mae > 1e-9 {
        mae
    } else {
        (y.iter().map(|v| v.abs()).sum::<f64>() / y.len() as f64).max(1e-9)
    }
}

/// The local methods' point forecasts from one history (and the ETS model
/// chosen).
fn local_forecasts(y: &[f64], m: usize, h: usize) -> (Points, Option<String>) {
    let ets_fit = ets::auto(y, m);
    let ets_points = ets_fit
        .as_ref()
        .map(|f| f.forecast(h))
        .filter(|f| f.iter().all(|v| v.is_finite()))
        .unwrap_or_else(|| simple::naive(y, h));
    (
        vec![
            (Method::Naive, simple::naive(y, h)),
            (Method::SeasonalNaive, simple::seasonal_naive(y, m, h)),
            (Method::Naive2, simple::naive2(y, m, h)),
            (Method::Ets, ets_points),
            (Method::Theta, simple::theta(y, m, h)),
            (Method::Tsb, simple::tsb(y, h)),
        ],
        ets_fit.map(|f| f.spec.name()),
    )
}

/// The backtest origins of a series of length `n`: `step` (half the
/// horizon) apart back from the end, at least 3 values in. The latest
/// origins see only the first steps of the horizon before the data ends;
/// later steps are scored from the earlier origins.
fn origins(n: usize, horizon: usize, windows: usize) -> Vec<usize> {
    let step = (horizon / 2).max(1);
    (1..=windows)
        .filter_map(|k| n.checked_sub(k * step))
        .filter(|o| *o >= 3)
        .collect()
}

/// Each method's points from one history.
type Points = Vec<(Method, Vec<f64>)>;

/// What every method forecast at every backtest origin of one series.
struct Backtest {
    /// Per origin: (origin, per method points).
    runs: Vec<(usize, Points)>,
}

/// Forecasts every series of the panel `options.horizon` steps past its
/// end. `progress` is told each series done with its local methods.
pub fn forecast_panel(
    panel: &[SeriesInput],
    options: &PanelOptions,
    progress: impl Fn() + Sync,
) -> Vec<SeriesForecast> {
    let (h, m) = (options.horizon.max(1), options.season.max(1));
    let mut local: Vec<(Backtest, Points, Option<String>)> = panel
        .par_iter()
        .map(|series| {
            let y = &series.values;
            let runs = origins(y.len(), h, options.windows)
                .into_iter()
                .map(|o| (o, local_forecasts(&y[..o], m, h).0))
                .collect();
            let (final_points, ets_model) = local_forecasts(y, m, h);
            progress();
            (Backtest { runs }, final_points, ets_model)
        })
        .collect();
    if options.global {
        add_global(panel, options, &mut local);
    }
    let scales: Vec<f64> = panel.iter().map(|s| naive_scale(&s.values, m)).collect();
    // Scaled errors per method, per series.
    let errors: Vec<Vec<(Method, f64)>> = local
        .iter()
        .zip(panel)
        .zip(&scales)
        .map(|(((backtest, _, _), series), scale)| method_errors(backtest, &series.values, *scale))
        .collect();
    let mut panel_typical: Vec<(Method, f64)> = Method::BASE
        .iter()
        .map(|method| {
            let values: Vec<f64> = errors
                .iter()
                .filter_map(|e| e.iter().find(|(m, _)| m == method).map(|(_, v)| *v))
                .filter(|v| v.is_finite())
                .collect();
            // Winsorized at 4: a few series with a near-constant history
            // have huge scaled errors for every method and would decide
            // alone.
            let total: f64 = values.iter().map(|v| v.min(4.0)).sum();
            (*method, total / values.len().max(1) as f64)
        })
        .collect();
    panel_typical.retain(|(_, v)| v.is_finite() && *v > 0.0);
    let weights: Vec<Vec<(Method, f64)>> =
        errors.iter().map(|e| weigh(e, &panel_typical)).collect();
    // Residual pools: per method (and the ensemble), per horizon step.
    let mut pools: Vec<(Method, Vec<Vec<f64>>)> = Method::BASE
        .iter()
        .chain([&Method::Ensemble])
        .map(|method| (*method, vec![Vec::new(); h]))
        .collect();
    for (((backtest, _, _), series), (scale, w)) in
        local.iter().zip(panel).zip(scales.iter().zip(&weights))
    {
        for (origin, methods) in &backtest.runs {
            let ensemble = combine(methods, w, h);
            for (method, points) in methods.iter().chain([&(Method::Ensemble, ensemble)]) {
                let pool = &mut pools.iter_mut().find(|(m, _)| m == method).expect("pool").1;
                for (step, point) in points.iter().enumerate() {
                    if let Some(actual) = series.values.get(origin + step) {
                        pool[step].push((actual - point).abs() / scale);
                    }
                }
            }
        }
    }
    let quantiles: Vec<(Method, Vec<(f64, f64)>)> = pools
        .into_iter()
        .map(|(method, steps)| (method, step_quantiles(steps)))
        .collect();
    local
        .into_iter()
        .zip(panel)
        .zip(scales.iter().zip(weights))
        .map(|(((_, finals, ets_model), series), (scale, weights))| {
            let nonnegative = series.values.iter().all(|v| *v >= 0.0);
            let ensemble = combine(&finals, &weights, h);
            let methods = finals
                .iter()
                .chain([&(Method::Ensemble, ensemble)])
                .map(|(method, points)| {
                    let q = &quantiles.iter().find(|(m, _)| m == method).expect("q").1;
                    (*method, bands(points, q, *scale, nonnegative))
                })
                .collect();
            SeriesForecast {
                methods,
                weights,
                ets_model,
            }
        })
        .collect()
}

/// Trains the global model once per backtest round (on each series cut at
/// its origin of that round) and once on everything, and adds its
/// forecasts beside the local methods'.
fn add_global(
    panel: &[SeriesInput],
    options: &PanelOptions,
    local: &mut [(Backtest, Points, Option<String>)],
) {
    let (h, m) = (options.horizon.max(1), options.season.max(1));
    let rounds = local.iter().map(|l| l.0.runs.len()).max().unwrap_or(0);
    for round in 0..rounds {
        let views: Vec<SeriesView<'_>> = panel
            .iter()
            .zip(local.iter())
            .filter_map(|(series, (backtest, _, _))| {
                backtest.runs.get(round).map(|(origin, _)| SeriesView {
                    values: &series.values[..*origin],
                    phase: series.phase,
                })
            })
            .collect();
        let model = GlobalModel::train(&views, m, h, options.seed + round as u64);
        for (series, (backtest, _, _)) in panel.iter().zip(local.iter_mut()) {
            if let Some((origin, methods)) = backtest.runs.get_mut(round) {
                let view = SeriesView {
                    values: &series.values[..*origin],
                    phase: series.phase,
                };
                methods.push((Method::Global, model.forecast(view, h)));
            }
        }
    }
    let views: Vec<SeriesView<'_>> = panel
        .iter()
        .map(|s| SeriesView {
            values: &s.values,
            phase: s.phase,
        })
        .collect();
    let model = GlobalModel::train(&views, m, h, options.seed);
    for (view, (_, finals, _)) in views.iter().zip(local.iter_mut()) {
        finals.push((Method::Global, model.forecast(*view, h)));
    }
}

/// Each method's mean scaled absolute error over the series' backtest.
fn method_errors(backtest: &Backtest, y: &[f64], scale: f64) -> Vec<(Method, f64)> {
    let mut totals: Vec<(Method, f64, usize)> = Vec::new();
    for (origin, methods) in &backtest.runs {
        for (method, points) in methods {
            let at = match totals.iter().position(|(m, _, _)| m == method) {
                Some(at) => at,
                None => {
                    totals.push((*method, 0.0, 0));
                    totals.len() - 1
                }
            };
            for (step, point) in points.iter().enumerate() {
                if let Some(actual) = y.get(origin + step) {
                    totals[at].1 += (actual - point).abs() / scale;
                    totals[at].2 += 1;
                }
            }
        }
    }
    totals
        .into_iter()
        .filter(|(_, _, n)| *n > 0)
        .map(|(m, total, n)| (m, total / n as f64))
        .collect()
}

/// Ensemble weights: each method's series error shrunk halfway to its
/// panel-wide error (a few backtest windows are noisy), then the best three
/// weighted by inverse squared error. Without a backtest, the panel's.
fn weigh(series: &[(Method, f64)], panel: &[(Method, f64)]) -> Vec<(Method, f64)> {
    let mut blended: Vec<(Method, f64)> = panel
        .iter()
        .map(|(method, overall)| {
            let own = series
                .iter()
                .find(|(m, _)| m == method)
                .map_or(*overall, |(_, e)| *e);
            (*method, 0.5 * own + 0.5 * overall)
        })
        .filter(|(_, e)| e.is_finite())
        .collect();
    if blended.is_empty() {
        return vec![(Method::Naive, 1.0)];
    }
    blended.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    blended.truncate(3);
    let inverse: Vec<f64> = blended
        .iter()
        .map(|(_, e)| 1.0 / e.max(1e-6).powi(2))
        .collect();
    let total: f64 = inverse.iter().sum();
    blended
        .iter()
        .zip(inverse)
        .map(|((m, _), w)| (*m, w / total))
        .collect()
}

fn combine(methods: &[(Method, Vec<f64>)], weights: &[(Method, f64)], h: usize) -> Vec<f64> {
    let mut out = vec![0.0; h];
    let mut used = 0.0;
    for (method, weight) in weights {
        if let Some((_, points)) = methods.iter().find(|(m, _)| m == method) {
            for (o, p) in out.iter_mut().zip(points) {
                *o += weight * p;
            }
            used += weight;
        }
    }
    if used > 0.0 && (used - 1.0).abs() > 1e-12 {
        for o in &mut out {
            *o /= used;
        }
    }
    out
}

/// The conformal quantiles (80%, 95%) of each step's pooled scaled errors,
/// with the finite-sample correction ⌈(n+1)q⌉/n. A step without errors
/// borrows the nearest earlier one's, widened by √(step ratio).
fn step_quantiles(steps: Vec<Vec<f64>>) -> Vec<(f64, f64)> {
    let mut out: Vec<(f64, f64)> = Vec::with_capacity(steps.len());
    let mut last: Option<(usize, (f64, f64))> = None;
    for (step, mut errors) in steps.into_iter().enumerate() {
        if errors.len() >= 5 {
            errors.sort_by(f64::total_cmp);
            let q = |level: f64| {
                let n = errors.len();
                let rank = ((n as f64 + 1.0) * level).ceil() as usize;
                errors[rank.clamp(1, n) - 1]
            };
            let pair = (q(0.8), q(0.95));
            last = Some((step, pair));
            out.push(pair);
        } else if let Some((at, (q80, q95))) = last {
            let widen = ((step + 1) as f64 / (at + 1) as f64).sqrt();
            out.push((q80 * widen, q95 * widen));
        } else {
            out.push((
                1.28 * ((step + 1) as f64).sqrt(),
                1.96 * ((step + 1) as f64).sqrt(),
            ));
        }
    }
    out
}

fn bands(points: &[f64], quantiles: &[(f64, f64)], scale: f64, nonnegative: bool) -> Vec<Band> {
    let floor = |v: f64| if nonnegative { v.max(0.0) } else { v };
    points
        .iter()
        .zip(quantiles)
        .map(|(p, (q80, q95))| Band {
            point: floor(*p),
            lo80: floor(p - q80 * scale),
            hi80: floor(p + q80 * scale),
            lo95: floor(p - q95 * scale),
            hi95: floor(p + q95 * scale),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_step_back_half_a_horizon() {
        assert_eq!(origins(36, 12, 3), vec![30, 24, 18]);
        assert_eq!(origins(14, 12, 3), vec![8]);
        assert!(origins(5, 12, 3).is_empty());
    }

    #[test]
    fn weights_favour_the_accurate_and_sum_to_one() {
        let panel = vec![
            (Method::Naive, 1.0),
            (Method::Ets, 0.5),
            (Method::Theta, 0.6),
            (Method::Tsb, 2.0),
        ];
        let w = weigh(&[(Method::Ets, 0.4)], &panel);
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].0, Method::Ets);
        assert!((w.iter().map(|(_, v)| v).sum::<f64>() - 1.0).abs() < 1e-12);
    }
}
