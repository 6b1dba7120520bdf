//! `finsight openapi`: prints the OpenAPI 3.1 document of the REST API.

pub fn run() {
    use std::io::Write as _;
    let _ = write!(
        std::io::stdout().lock(),
        "{}",
        finsight_server::api::openapi()
    );
}
