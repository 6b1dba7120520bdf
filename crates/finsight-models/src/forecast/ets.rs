//! Exponential smoothing in state-space form (Hyndman, Koehler, Ord &
//! Snyder 2008), the recursions of R's `forecast::ets` (`etscalc.c`):
//! additive or multiplicative error, no / additive / damped trend, no /
//! additive / multiplicative seasonality. Smoothing parameters and the
//! initial level and trend are fitted by Nelder–Mead on the likelihood;
//! the initial seasonal indices come from a classical decomposition of the
//! first seasons. [`auto`] picks the model with the lowest AICc, as R's
//! `ets()` and statsforecast's `AutoETS` do.

use serde::{Deserialize, Serialize};

use super::decompose::seasonal_indices;
use super::optimize::nelder_mead;

/// How the error enters: added, or a proportion of the level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Component {
    None,
    Additive,
    Multiplicative,
}

/// One member of the ETS family, named as in R: error, trend, season
/// ("MAdA" is multiplicative error, damped additive trend, additive season).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct EtsSpec {
    pub error: Component,
    pub trend: Component,
    pub damped: bool,
    pub season: Component,
}

impl EtsSpec {
    pub fn name(&self) -> String {
        let letter = |c: Component| match c {
            Component::None => "N",
            Component::Additive => "A",
            Component::Multiplicative => "M",
        };
        format!(
            "{}{}{}{}",
            letter(self.error),
            letter(self.trend),
            if self.damped { "d" } else { "" },
            letter(self.season)
        )
    }

    /// Parses R's three-letter names ("AAN", "MNM"); damping is separate.
    pub fn parse(name: &str, damped: bool) -> Option<Self> {
        let component = |c: char| match c {
            'N' => Some(Component::None),
            'A' => Some(Component::Additive),
            'M' => Some(Component::Multiplicative),
            _ => None,
        };
        let mut chars = name.chars();
        let error = component(chars.next()?)?;
        let trend = component(chars.next()?)?;
        let season = component(chars.next()?)?;
        if chars.next().is_some() || error == Component::None {
            return None;
        }
        Some(Self {
            error,
            trend,
            damped: damped && trend != Component::None,
            season,
        })
    }
}

/// Smoothing parameters; `phi` is 1 without damping.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Smoothing {
    pub alpha: f64,
    pub beta: f64,
    pub gamma: f64,
    pub phi: f64,
}

/// Level, trend and the last `m` seasonal states, newest first (the state
/// used for the next observation is the last one), as R stores them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct State {
    pub level: f64,
    pub trend: f64,
    pub season: Vec<f64>,
}

/// What a pass of the recursions over a series gives.
#[derive(Debug, Clone, PartialEq)]
pub struct Pass {
    pub fitted: Vec<f64>,
    pub residuals: Vec<f64>,
    /// The state after each observation (the first is the initial state).
    pub states: Vec<State>,
    /// R's `lik`: n·ln(Σe²), plus 2·Σln|ŷ| for multiplicative error.
    pub lik: f64,
}

const TOL: f64 = 1e-10;
const HUGE: f64 = 1e10;

/// The `h` point forecasts from a state.
pub fn forecast_from(spec: &EtsSpec, smoothing: &Smoothing, state: &State, h: usize) -> Vec<f64> {
    let m = state.season.len();
    let mut out = Vec::with_capacity(h);
    let mut phistar = smoothing.phi;
    for i in 0..h {
        let mut f = match spec.trend {
            Component::None => state.level,
            Component::Additive => state.level + phistar * state.trend,
            Component::Multiplicative if state.trend < 0.0 => f64::NAN,
            Component::Multiplicative => state.level * state.trend.powf(phistar),
        };
        if m > 0 {
            let j = (m - 1) as isize - (i % m) as isize;
            let j = if j < 0 { j + m as isize } else { j } as usize;
            match spec.season {
                Component::Additive => f += state.season[j],
                Component::Multiplicative => f *= state.season[j],
                Component::None => {}
            }
        }
        out.push(f);
        if i + 1 < h {
            phistar += if (smoothing.phi - 1.0).abs() < TOL {
                1.0
            } else {
                smoothing.phi.powi(i as i32 + 2)
            };
        }
    }
    out
}

/// The seasonal states as a ring: logical index `j` (0 newest, `m − 1` the
/// one used next) lives at `ring[(head + j) % m]`, so a step moves `head`
/// instead of shifting the whole vector.
struct Ring {
    ring: Vec<f64>,
    head: usize,
}

impl Ring {
    fn new(season: &[f64]) -> Self {
        Self {
            ring: season.to_vec(),
            head: 0,
        }
    }

    fn oldest(&self) -> f64 {
        let m = self.ring.len();
        if m == 0 {
            0.0
        } else {
            self.ring[(self.head + m - 1) % m]
        }
    }

    /// Drops the oldest state and puts `newest` in front.
    fn push(&mut self, newest: f64) {
        let m = self.ring.len();
        if m == 0 {
            return;
        }
        self.head = (self.head + m - 1) % m;
        self.ring[self.head] = newest;
    }

    fn to_vec(&self) -> Vec<f64> {
        let m = self.ring.len();
        (0..m).map(|j| self.ring[(self.head + j) % m]).collect()
    }
}

/// The one-step forecast from level, trend and the seasonal state in use.
fn one_step(spec: &EtsSpec, p: &Smoothing, level: f64, trend: f64, season: f64) -> f64 {
    let f = match spec.trend {
        Component::None => level,
        Component::Additive => level + p.phi * trend,
        Component::Multiplicative if trend < 0.0 => f64::NAN,
        Component::Multiplicative => level * trend.powf(p.phi),
    };
    match spec.season {
        Component::None => f,
        Component::Additive => f + season,
        Component::Multiplicative => f * season,
    }
}

/// One observation's update of level, trend and season.
fn update(
    spec: &EtsSpec,
    p: &Smoothing,
    level: &mut f64,
    trend: &mut f64,
    ring: &mut Ring,
    y: f64,
) {
    let (old_level, old_trend) = (*level, *trend);
    let (q, phib) = match spec.trend {
        Component::None => (old_level, 0.0),
        Component::Additive => {
            let phib = p.phi * old_trend;
            (old_level + phib, phib)
        }
        Component::Multiplicative => {
            let phib = if (p.phi - 1.0).abs() < TOL {
                old_trend
            } else {
                old_trend.powf(p.phi)
            };
            (old_level * phib, phib)
        }
    };
    let last_season = ring.oldest();
    let deseasoned = match spec.season {
        Component::None => y,
        Component::Additive => y - last_season,
        Component::Multiplicative if last_season.abs() < TOL => HUGE,
        Component::Multiplicative => y / last_season,
    };
    *level = q + p.alpha * (deseasoned - q);
    *trend = match spec.trend {
        Component::None => old_trend,
        Component::Additive => phib + (p.beta / p.alpha) * ((*level - old_level) - phib),
        Component::Multiplicative => {
            let r = if old_level.abs() < TOL {
                HUGE
            } else {
                *level / old_level
            };
            phib + (p.beta / p.alpha) * (r - phib)
        }
    };
    if spec.season != Component::None {
        let t = match spec.season {
            Component::Additive => y - q,
            _ if q.abs() < TOL => HUGE,
            _ => y / q,
        };
        ring.push(last_season + p.gamma * (t - last_season));
    }
}

/// Runs the recursions over `y` from `initial`. With `keep` false only the
/// likelihood and the final state are kept (the optimizer's fast path).
pub fn run(
    spec: &EtsSpec,
    smoothing: &Smoothing,
    initial: &State,
    y: &[f64],
    keep: bool,
) -> (Pass, State) {
    let (mut level, mut trend) = (initial.level, initial.trend);
    let mut ring = Ring::new(&initial.season);
    let mut pass = Pass {
        fitted: Vec::new(),
        residuals: Vec::new(),
        states: Vec::new(),
        lik: f64::INFINITY,
    };
    if keep {
        pass.states.push(initial.clone());
    }
    let (mut sse, mut log_f) = (0.0, 0.0);
    for &value in y {
        let f = one_step(spec, smoothing, level, trend, ring.oldest());
        if !f.is_finite() || (spec.error == Component::Multiplicative && f.abs() < TOL) {
            return (pass, initial.clone());
        }
        let e = match spec.error {
            Component::Multiplicative => (value - f) / f,
            _ => value - f,
        };
        sse += e * e;
        log_f += f.abs().ln();
        update(spec, smoothing, &mut level, &mut trend, &mut ring, value);
        if keep {
            pass.fitted.push(f);
            pass.residuals.push(e);
            pass.states.push(State {
                level,
                trend,
                season: ring.to_vec(),
            });
        }
    }
    let n = y.len() as f64;
    pass.lik = n * sse.max(1e-300).ln();
    if spec.error == Component::Multiplicative {
        pass.lik += 2.0 * log_f;
    }
    let last = State {
        level,
        trend,
        season: ring.to_vec(),
    };
    (pass, last)
}

/// A fitted model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EtsFit {
    pub spec: EtsSpec,
    pub smoothing: Smoothing,
    pub initial: State,
    /// The state after the last observation.
    pub last: State,
    pub aicc: f64,
    /// Σe² / (n − parameters), R's `sigma2`.
    pub sigma2: f64,
}

impl EtsFit {
    pub fn forecast(&self, h: usize) -> Vec<f64> {
        forecast_from(&self.spec, &self.smoothing, &self.last, h)
    }
}

/// Whether a spec can be fitted to this series: multiplicative parts need
/// positive data, seasonality two full seasons, and every model more
/// observations than parameters.
fn admissible(spec: &EtsSpec, y: &[f64], m: usize) -> bool {
    let positive = y.iter().all(|v| *v > 0.0);
    let multiplicative = spec.error == Component::Multiplicative
        || spec.season == Component::Multiplicative
        || spec.trend == Component::Multiplicative;
    if multiplicative && !positive {
        return false;
    }
    // R's default restriction: additive error with multiplicative season
    // (or trend) is numerically unstable.
    if spec.error == Component::Additive
        && (spec.season == Component::Multiplicative || spec.trend == Component::Multiplicative)
    {
        return false;
    }
    if spec.season != Component::None && (m < 2 || y.len() < 2 * m) {
        return false;
    }
    y.len() > parameter_count(spec, m) + 1
}

fn parameter_count(spec: &EtsSpec, m: usize) -> usize {
    let mut k = 2; // alpha, level
    if spec.trend != Component::None {
        k += 2;
    }
    if spec.damped {
        k += 1;
    }
    if spec.season != Component::None {
        k += m; // gamma and m − 1 free indices
    }
    k
}

/// The heuristic initial state: seasonal indices from a decomposition of
/// the first seasons, level and trend from a line through the first
/// (deseasonalized) observations.
fn initial_state(spec: &EtsSpec, y: &[f64], m: usize) -> State {
    let (season, deseasoned): (Vec<f64>, Vec<f64>) = if spec.season != Component::None {
        let multiplicative = spec.season == Component::Multiplicative;
        let indices = seasonal_indices(&y[..y.len().min(4 * m).max(2 * m)], m, multiplicative);
        let deseasoned = y
            .iter()
            .enumerate()
            .map(|(t, v)| {
                if multiplicative {
                    v / indices[t % m]
                } else {
                    v - indices[t % m]
                }
            })
            .collect();
        // Newest first: the state used for observation 0 is the last.
        (indices.iter().rev().copied().collect(), deseasoned)
    } else {
        (Vec::new(), y.to_vec())
    };
    // At least two points when there are two, at most ten.
    let k = deseasoned.len().min(10);
    let (intercept, slope) = line(&deseasoned[..k]);
    let (level, trend) = match spec.trend {
        Component::None => (deseasoned[..k].iter().sum::<f64>() / k as f64, 0.0),
        Component::Additive => (intercept, slope),
        Component::Multiplicative => {
            let level = intercept.max(1e-3);
            (level, ((level + slope) / level).max(1e-3))
        }
    };
    State {
        level,
        trend,
        season,
    }
}

/// Least-squares intercept (at t = 0) and slope of `y` against t.
fn line(y: &[f64]) -> (f64, f64) {
    let n = y.len() as f64;
    if y.len() < 2 {
        return (y.first().copied().unwrap_or(0.0), 0.0);
    }
    let mean_t = (n - 1.0) / 2.0;
    let mean_y = y.iter().sum::<f64>() / n;
    let (mut sxy, mut sxx) = (0.0, 0.0);
    for (t, v) in y.iter().enumerate() {
        let dt = t as f64 - mean_t;
        sxy += dt * (v - mean_y);
        sxx += dt * dt;
    }
    let slope = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    (mean_y - slope * mean_t, slope)
}

/// Fits one spec: smoothing parameters, level and trend by Nelder–Mead
/// within R's "usual" bounds (0 < β < α < 1, 0 < γ < 1 − α, 0.8 ≤ φ ≤ 0.98).
pub fn fit(spec: &EtsSpec, y: &[f64], m: usize) -> Option<EtsFit> {
    if y.is_empty() || !admissible(spec, y, m) {
        return None;
    }
    let m = if spec.season == Component::None { 0 } else { m };
    let initial = initial_state(spec, y, m);
    let has_trend = spec.trend != Component::None;
    let has_season = spec.season != Component::None;
    // x = [alpha, beta?, gamma?, phi?, level, trend?]
    let mut x0 = vec![0.1];
    if has_trend {
        x0.push(0.01);
    }
    if has_season {
        x0.push(0.01);
    }
    if spec.damped {
        x0.push(0.97);
    }
    x0.push(initial.level);
    if has_trend {
        x0.push(initial.trend);
    }
    let unpack = |x: &[f64]| -> (Smoothing, State) {
        let mut i = 0;
        let mut next = || {
            i += 1;
            x[i - 1]
        };
        let alpha = next();
        let beta = if has_trend { next() } else { 0.0 };
        let gamma = if has_season { next() } else { 0.0 };
        let phi = if spec.damped { next() } else { 1.0 };
        let level = next();
        let trend = if has_trend { next() } else { initial.trend };
        (
            Smoothing {
                alpha,
                beta,
                gamma,
                phi,
            },
            State {
                level,
                trend,
                season: initial.season.clone(),
            },
        )
    };
    let objective = |x: &[f64]| -> f64 {
        let (p, state) = unpack(x);
        let inside = p.alpha > 1e-4
            && p.alpha < 0.9999
            && (!has_trend || (p.beta > 1e-4 && p.beta < p.alpha))
            && (!has_season || (p.gamma > 1e-4 && p.gamma < 1.0 - p.alpha))
            && (!spec.damped || (0.8..=0.98).contains(&p.phi))
            && (spec.trend != Component::Multiplicative || state.trend > 0.0)
            && (spec.error != Component::Multiplicative || state.level > 0.0);
        if !inside {
            return f64::INFINITY;
        }
        let lik = run(spec, &p, &state, y, false).0.lik;
        if lik.is_finite() { lik } else { f64::INFINITY }
    };
    let scale = y.iter().map(|v| v.abs()).sum::<f64>() / y.len() as f64;
    let mut steps: Vec<f64> = vec![0.05; x0.len()];
    let level_at = x0.len() - 1 - usize::from(has_trend);
    steps[level_at] = (scale * 0.1).max(1e-3);
    if has_trend {
        *steps.last_mut().expect("trend") = if spec.trend == Component::Multiplicative {
            0.01
        } else {
            (scale * 0.01).max(1e-4)
        };
    }
    if spec.damped {
        steps[level_at - 1] = -0.05;
    }
    let best = nelder_mead(objective, &x0, &steps, 250 * x0.len(), 1e-8);
    if !best.value.is_finite() {
        return None;
    }
    let (smoothing, initial) = unpack(&best.point);
    let (pass, last) = run(spec, &smoothing, &initial, y, true);
    let n = y.len();
    let k = parameter_count(spec, m) + 1;
    let aic = pass.lik + 2.0 * k as f64;
    let aicc = aic + 2.0 * (k * (k + 1)) as f64 / (n as f64 - k as f64 - 1.0).max(1.0);
    let sse: f64 = pass.residuals.iter().map(|e| e * e).sum();
    Some(EtsFit {
        spec: *spec,
        smoothing,
        initial,
        last,
        aicc,
        sigma2: sse / (n as f64 - (k - 1) as f64).max(1.0),
    })
}

/// Every spec AutoETS considers (no multiplicative trend, as R's default).
pub fn candidates(m: usize) -> Vec<EtsSpec> {
    let mut specs = Vec::new();
    for error in [Component::Additive, Component::Multiplicative] {
        for (trend, damped) in [
            (Component::None, false),
            (Component::Additive, false),
            (Component::Additive, true),
        ] {
            let seasons: &[Component] = if m > 1 {
                &[
                    Component::None,
                    Component::Additive,
                    Component::Multiplicative,
                ]
            } else {
                &[Component::None]
            };
            for &season in seasons {
                specs.push(EtsSpec {
                    error,
                    trend,
                    damped,
                    season,
                });
            }
        }
    }
    specs
}

/// The admissible model with the lowest AICc.
pub fn auto(y: &[f64], m: usize) -> Option<EtsFit> {
    candidates(m)
        .iter()
        .filter_map(|spec| fit(spec, y, m))
        .filter(|f| f.aicc.is_finite())
        .min_by(|a, b| a.aicc.total_cmp(&b.aicc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        let spec = EtsSpec::parse("MAM", true).unwrap();
        assert_eq!(spec.name(), "MAdM");
        assert!(EtsSpec::parse("NAN", false).is_none());
        assert_eq!(candidates(12).len(), 18);
        assert_eq!(candidates(1).len(), 6);
    }

    #[test]
    fn a_level_series_is_fitted_by_simple_smoothing() {
        let y: Vec<f64> = (0..40)
            .map(|t| 100.0 + if t % 2 == 0 { 1.0 } else { -1.0 })
            .collect();
        let fit = auto(&y, 1).unwrap();
        let f = fit.forecast(3);
        assert!(
            f.iter().all(|v| (v - 100.0).abs() < 1.5),
            "{f:?} {}",
            fit.spec.name()
        );
    }

    #[test]
    fn a_trend_is_followed() {
        let y: Vec<f64> = (0..40).map(|t| 10.0 + 2.0 * t as f64).collect();
        let fit = fit(&EtsSpec::parse("AAN", false).unwrap(), &y, 1).unwrap();
        let f = fit.forecast(2);
        assert!(
            (f[0] - 90.0).abs() < 0.5 && (f[1] - 92.0).abs() < 0.5,
            "{f:?}"
        );
    }
}
