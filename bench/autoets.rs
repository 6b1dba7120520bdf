//! AutoETS fit + forecast on every series of a `series_id,date,value` CSV
//! (the last H points held out): prints the seconds taken and the mean
//! sMAPE, as statsforecast's `AutoETS` does beside it on the same file
//! (`bench/models_peer.py`). Series are fitted in parallel with rayon.
//!
//!   cargo run --release -p finsight-bench --bin autoets -- FILE [H] [SEASON]

use std::collections::BTreeMap;
use std::time::Instant;

use finsight_models::evaluate::smape;
use finsight_models::forecast::ets;
use rayon::prelude::*;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: autoets FILE [H] [SEASON]"))?;
    let h: usize = args.next().map_or(Ok(12), |a| a.parse())?;
    let m: usize = args.next().map_or(Ok(12), |a| a.parse())?;
    let text = std::fs::read_to_string(&path)?;
    let mut series: BTreeMap<String, Vec<(String, f64)>> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let mut parts = line.split(',');
        let (Some(id), Some(date), Some(value)) = (parts.next(), parts.next(), parts.next()) else {
            anyhow::bail!("bad line {line:?}");
        };
        series
            .entry(id.to_owned())
            .or_default()
            .push((date.to_owned(), value.parse()?));
    }
    let series: Vec<Vec<f64>> = series
        .into_values()
        .map(|mut points| {
            points.sort_by(|a, b| a.0.cmp(&b.0));
            points.into_iter().map(|(_, v)| v).collect()
        })
        .filter(|v: &Vec<f64>| v.len() > h + 3)
        .collect();
    let start = Instant::now();
    let forecasts: Vec<Vec<f64>> = series
        .par_iter()
        .map(|y| {
            let train = &y[..y.len() - h];
            ets::auto(train, m)
                .map(|fit| fit.forecast(h))
                .filter(|f| f.iter().all(|v| v.is_finite()))
                .unwrap_or_else(|| vec![*train.last().unwrap_or(&0.0); h])
        })
        .collect();
    let seconds = start.elapsed().as_secs_f64();
    let mean_smape = series
        .iter()
        .zip(&forecasts)
        .map(|(y, f)| smape(&y[y.len() - h..], f))
        .sum::<f64>()
        / series.len().max(1) as f64;
    println!(
        "finsight AutoETS: {} series, h={h}, season {m}: fit+forecast {seconds:.3} s, sMAPE {mean_smape:.3}",
        series.len()
    );
    Ok(())
}
