//! The committed API documents are what the code generates. To refresh
//! them after changing the API: `FINSIGHT_UPDATE_API_DOCS=1 cargo test -p
//! finsight-server --test it documents`.

use std::path::PathBuf;

fn committed(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../api")
        .join(name)
}

pub fn check_fresh(name: &str, generated: &str) {
    let path = committed(name);
    if std::env::var_os("FINSIGHT_UPDATE_API_DOCS").is_some() {
        std::fs::write(&path, generated).unwrap();
        return;
    }
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        on_disk == generated,
        "api/{name} is stale; regenerate it with \
         FINSIGHT_UPDATE_API_DOCS=1 cargo test -p finsight-server --test it documents"
    );
}

#[test]
fn openapi_document_is_committed_and_fresh() {
    let document = finsight_server::api::openapi();
    let json: serde_json::Value = serde_json::from_str(&document).unwrap();
    assert!(json["openapi"].as_str().unwrap().starts_with("3.1"));
    check_fresh("openapi.json", &document);
}

#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let (state, _dir) = crate::state().await;
    let (status, body) = crate::get(finsight_server::router(state), "/v1/openapi.json").await;
    assert_eq!(status, axum::http::StatusCode::OK);
    assert_eq!(body, finsight_server::api::openapi());
}
