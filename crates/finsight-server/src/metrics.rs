//! The process-wide Prometheus recorder. Installed once, by whoever asks
//! first (the binary at start, or a test); every later call gets the same
//! handle.

use std::sync::OnceLock;

use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

pub fn install() -> PrometheusHandle {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            // Fails only if another recorder is installed: then this one
            // simply records nothing, and the handle renders empty.
            let _ = metrics::set_global_recorder(recorder);
            metrics::gauge!("finsight_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
            handle
        })
        .clone()
}
