//! Forecast evaluation: the last `horizon` points of every series held
//! out, every method (and the ensemble) forecast from the rest, scored by
//! MASE, sMAPE and how often the 80% and 95% intervals hold the truth.

use std::collections::BTreeMap;

use serde::Serialize;
use time::Date;

use crate::forecast::calendar::Frequency;
use crate::forecast::{Method, PanelOptions, SeriesInput, forecast_panel, naive_scale};

/// One series of an evaluation file, in date order.
#[derive(Debug, Clone, PartialEq)]
pub struct DatedSeries {
    pub id: String,
    pub dates: Vec<Date>,
    pub values: Vec<f64>,
}

/// A method's scores, averaged over series (MASE — over the series whose
/// history varies —, sMAPE in percent) or over every held-out point
/// (coverage).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct MethodScore {
    pub smape: f64,
    pub mase: f64,
    pub coverage80: f64,
    pub coverage95: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ForecastReport {
    pub frequency: Frequency,
    pub horizon: usize,
    pub series: usize,
    /// Series too short to hold out `horizon` points and keep 3.
    pub skipped: usize,
    pub methods: BTreeMap<&'static str, MethodScore>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ForecastEvalError {
    #[error("horizon: must be at least 1")]
    Horizon,
    #[error(
        "date: the dates' spacing fits no frequency (daily, weekly, monthly, quarterly, yearly)"
    )]
    Frequency,
    #[error("series: none has more than horizon + 3 points")]
    TooShort,
}

/// sMAPE of one forecast, in percent (a point where both are 0 scores 0).
pub fn smape(actual: &[f64], forecast: &[f64]) -> f64 {
    let terms: Vec<f64> = actual
        .iter()
        .zip(forecast)
        .map(|(a, f)| {
            let denominator = a.abs() + f.abs();
            if denominator == 0.0 {
                0.0
            } else {
                200.0 * (a - f).abs() / denominator
            }
        })
        .collect();
    terms.iter().sum::<f64>() / terms.len().max(1) as f64
}

/// Per method: sMAPE sum, MASE sum, series, points inside the 80% and
/// 95% intervals, points, series with a MASE.
type Tally = (f64, f64, usize, usize, usize, usize, usize);

/// Holds out the last `horizon` points of each series and scores every
/// method. `progress` is told each series done.
pub fn forecasts(
    series: &[DatedSeries],
    horizon: usize,
    seed: u64,
    progress: impl Fn() + Sync,
) -> Result<ForecastReport, ForecastEvalError> {
    if horizon == 0 {
        return Err(ForecastEvalError::Horizon);
    }
    let longest = series
        .iter()
        .max_by_key(|s| s.dates.len())
        .ok_or(ForecastEvalError::TooShort)?;
    let frequency = Frequency::infer(&longest.dates).ok_or(ForecastEvalError::Frequency)?;
    let usable: Vec<&DatedSeries> = series
        .iter()
        .filter(|s| s.values.len() >= horizon + 3)
        .collect();
    if usable.is_empty() {
        return Err(ForecastEvalError::TooShort);
    }
    let m = frequency.season();
    let panel: Vec<SeriesInput> = usable
        .iter()
        .map(|s| SeriesInput {
            values: s.values[..s.values.len() - horizon].to_vec(),
            phase: frequency.phase(s.dates[0]),
        })
        .collect();
    let options = PanelOptions {
        seed,
        ..PanelOptions::new(horizon, m)
    };
    let forecasts = forecast_panel(&panel, &options, progress);
    let mut sums: BTreeMap<&'static str, Tally> = BTreeMap::new();
    for ((s, input), forecast) in usable.iter().zip(&panel).zip(&forecasts) {
        let actual = &s.values[s.values.len() - horizon..];
        let scale = Some(naive_scale(&input.values, m))
            .filter(|_| input.values.windows(2).any(|w| w[0] != w[1]));
        for (method, bands) in &forecast.methods {
            let points: Vec<f64> = bands.iter().map(|b| b.point).collect();
            let mae = actual
                .iter()
                .zip(&points)
                .map(|(a, p)| (a - p).abs())
                .sum::<f64>()
                / horizon as f64;
            let entry = sums.entry(method.name()).or_default();
            entry.0 += smape(actual, &points);
            // MASE is undefined for a history without variation.
            if let Some(scale) = scale {
                entry.1 += mae / scale;
                entry.6 += 1;
            }
            entry.2 += 1;
            for (a, b) in actual.iter().zip(bands) {
                entry.3 += usize::from(b.lo80 <= *a && *a <= b.hi80);
                entry.4 += usize::from(b.lo95 <= *a && *a <= b.hi95);
                entry.5 += 1;
            }
        }
    }
    let methods = sums
        .into_iter()
        .map(|(name, (smape, mase, n, in80, in95, points, scaled))| {
            (
                name,
                MethodScore {
                    smape: smape / n as f64,
                    mase: mase / scaled.max(1) as f64,
                    coverage80: in80 as f64 / points as f64,
                    coverage95: in95 as f64 / points as f64,
                },
            )
        })
        .collect();
    Ok(ForecastReport {
        frequency,
        horizon,
        series: usable.len(),
        skipped: series.len() - usable.len(),
        methods,
    })
}

/// Whether `Method` names are what the report keys by.
pub fn method_names() -> Vec<&'static str> {
    Method::BASE
        .iter()
        .chain([&Method::Ensemble])
        .map(|m| m.name())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smape_is_symmetric_and_bounded() {
        assert_eq!(smape(&[100.0], &[100.0]), 0.0);
        assert!((smape(&[100.0], &[50.0]) - 66.666).abs() < 0.01);
        assert_eq!(smape(&[0.0], &[0.0]), 0.0);
        assert_eq!(smape(&[0.0], &[5.0]), 200.0);
    }
}
