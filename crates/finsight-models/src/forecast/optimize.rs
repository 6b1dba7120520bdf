//! Nelder–Mead minimization, the derivative-free simplex search R's
//! `optim` uses by default for ETS and Theta fits.

/// The best point found and its value.
#[derive(Debug, Clone)]
pub struct Minimum {
    pub point: Vec<f64>,
    pub value: f64,
}

/// Minimizes `f` from `x0`, with the initial simplex one `step` along each
/// axis; stops after `max_evals` evaluations or when the simplex's values
/// agree within `tolerance` (relative).
pub fn nelder_mead(
    f: impl Fn(&[f64]) -> f64,
    x0: &[f64],
    step: &[f64],
    max_evals: usize,
    tolerance: f64,
) -> Minimum {
    let n = x0.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(n + 1);
    simplex.push((x0.to_vec(), f(x0)));
    for i in 0..n {
        let mut x = x0.to_vec();
        x[i] += step[i];
        let mut value = f(&x);
        if !value.is_finite() {
            // Step the other way when the first lands outside the bounds.
            x[i] = x0[i] - step[i];
            value = f(&x);
        }
        simplex.push((x, value));
    }
    let mut evals = n + 1;
    let (alpha, gamma, rho, sigma) = (1.0, 2.0, 0.5, 0.5);
    while evals < max_evals {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let best = simplex[0].1;
        let worst = simplex[n].1;
        if best.is_finite()
            && worst.is_finite()
            && (worst - best).abs() <= tolerance * (best.abs() + tolerance)
        {
            break;
        }
        let mut centroid = vec![0.0; n];
        for (x, _) in &simplex[..n] {
            for (c, v) in centroid.iter_mut().zip(x) {
                *c += v / n as f64;
            }
        }
        let toward = |coef: f64| -> Vec<f64> {
            centroid
                .iter()
                .zip(&simplex[n].0)
                .map(|(c, w)| c + coef * (w - c))
                .collect()
        };
        let reflected = toward(-alpha);
        let fr = f(&reflected);
        evals += 1;
        if fr < simplex[0].1 {
            let expanded = toward(-gamma);
            let fe = f(&expanded);
            evals += 1;
            simplex[n] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < simplex[n - 1].1 {
            simplex[n] = (reflected, fr);
        } else {
            let contracted = if fr < simplex[n].1 {
                toward(-rho)
            } else {
                toward(rho)
            };
            let fc = f(&contracted);
            evals += 1;
            if fc < simplex[n].1.min(fr) {
                simplex[n] = (contracted, fc);
            } else {
                let first = simplex[0].0.clone();
                for (x, value) in simplex.iter_mut().skip(1) {
                    for (xi, bi) in x.iter_mut().zip(&first) {
                        *xi = bi + sigma * (*xi - bi);
                    }
                    *value = f(x);
                }
                evals += n;
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    let (point, value) = simplex.swap_remove(0);
    Minimum { point, value }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_minimum_of_rosenbrock() {
        let f = |x: &[f64]| (1.0 - x[0]).powi(2) + 100.0 * (x[1] - x[0] * x[0]).powi(2);
        let m = nelder_mead(f, &[-1.2, 1.0], &[0.1, 0.1], 5_000, 1e-14);
        assert!(
            (m.point[0] - 1.0).abs() < 1e-3 && (m.point[1] - 1.0).abs() < 1e-3,
            "{m:?}"
        );
    }
}
