//! `finsight process`: runs the stream processor until it has caught up
//! with the outbox.

use crate::app::App;

pub async fn run(app: &App) -> anyhow::Result<()> {
    app.warm_features().await?;
    let processed = app.processor().drain().await?;
    say!("processed {processed} outbox entries");
    Ok(())
}
