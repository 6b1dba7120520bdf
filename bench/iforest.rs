//! Isolation forest fit + score on a CSV of numeric features with a label
//! in the last column (written by `bench/models_peer.py`): prints the
//! seconds taken and the ROC-AUC, as scikit-learn's `IsolationForest` does
//! beside it on the same file.
//!
//!   cargo run --release -p finsight-bench --bin iforest -- FILE [TREES] [SAMPLE]

use std::time::Instant;

use finsight_models::anomaly::IsolationForest;
use finsight_models::evaluate::roc_auc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or_else(|| anyhow::anyhow!("usage: iforest FILE [TREES] [SAMPLE]"))?;
    let trees: usize = args.next().map_or(Ok(100), |a| a.parse())?;
    let sample: usize = args.next().map_or(Ok(256), |a| a.parse())?;
    let text = std::fs::read_to_string(&path)?;
    let (mut rows, mut labels) = (Vec::new(), Vec::new());
    for line in text.lines().skip(1) {
        let mut values: Vec<f64> = line.split(',').map(str::parse).collect::<Result<_, _>>()?;
        labels.push(values.pop() == Some(1.0));
        rows.push(values);
    }
    let start = Instant::now();
    let forest = IsolationForest::fit(&rows, trees, sample, 0);
    let scores = forest.score_all(&rows);
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "finsight iforest: {} rows x {} features, {trees} trees, sample {sample}: fit+score {seconds:.3} s, ROC-AUC {:.4}",
        rows.len(),
        rows.first().map_or(0, Vec::len),
        roc_auc(&scores, &labels)
    );
    Ok(())
}
