//! `finsight serve`: the HTTP server and, beside it, the stream processor
//! and the scheduler; all three stop together on Ctrl-C or SIGTERM.

use anyhow::Context;
use clap::Args;

use crate::app::App;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (default from settings: 127.0.0.1:8080).
    #[arg(long, value_name = "ADDR")]
    listen: Option<std::net::SocketAddr>,
}

pub async fn run(app: &App, args: &ServeArgs) -> anyhow::Result<()> {
    let settings = &app.settings;
    let tls = match (&settings.server.tls_cert, &settings.server.tls_key) {
        (Some(cert), Some(key)) => Some(finsight_server::TlsFiles {
            cert: cert.clone(),
            key: key.clone(),
        }),
        (None, None) => None,
        _ => anyhow::bail!("server.tls_cert and server.tls_key: set both or neither"),
    };
    app.warm_features().await?;
    let state = app.server_state()?;
    let listen = args.listen.unwrap_or(settings.server.listen);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listen: cannot bind {listen}"))?;
    let address = listener.local_addr()?;
    let scheme = if tls.is_some() { "https" } else { "http" };
    say!("finsight is listening on {scheme}://{address}");
    say!("the dashboard: {scheme}://{address}/ (REST under /v1, GraphQL at /graphql)");
    tracing::info!(%address, "serving");
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = |mut receiver: tokio::sync::watch::Receiver<bool>| async move {
        let _ = receiver.wait_for(|stop| *stop).await;
    };
    // Aborted when dropped at the end of serving.
    let following = app.follow_model_aliases();
    let processing = tokio::spawn(app.processor().run(until_stopped(stopped.clone())));
    let scheduling = tokio::spawn(app.scheduler().run(until_stopped(stopped.clone())));
    let signal = async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    };
    let served = match &tls {
        Some(tls) => finsight_server::serve_tls(listener, state, signal, tls).await,
        None => finsight_server::serve(listener, state, signal).await,
    };
    let _ = processing.await;
    let _ = scheduling.await;
    following.abort();
    served.context("server failed")?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
