//! The dashboard: the built `web/dist` embedded in the binary (so running
//! Finsight needs no Node.js) and served at `/`. Hashed assets are cached
//! for a year; `index.html` is revalidated every time; any other GET that
//! names no file is a page of the single-page app and gets `index.html`.
//! API paths that match no route keep their JSON 404.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "../../web/dist"]
struct Dashboard;

/// Where the API lives: nothing under these is a page.
const API_PREFIXES: [&str; 6] = ["v1/", "graphql", "api/", "metrics", "healthz", "readyz"];

/// What the dashboard's pages may load: only this origin's own scripts,
/// styles and data.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    manifest-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// Serves a file of the dashboard, or its `index.html` for a page path.
pub(crate) async fn serve(method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().trim_start_matches('/');
    if !matches!(method, Method::GET | Method::HEAD)
        || API_PREFIXES.iter().any(|prefix| path.starts_with(prefix))
    {
        return crate::error::not_found().await.into_response();
    }
    if let Some(file) = (!path.is_empty()).then(|| Dashboard::get(path)).flatten() {
        let immutable = path.starts_with("assets/");
        return respond(file, &headers, immutable);
    }
    let is_page = path
        .rsplit('/')
        .next()
        .is_none_or(|last| !last.contains('.'));
    match Dashboard::get("index.html") {
        Some(index) if is_page => respond(index, &headers, false),
        _ => crate::error::not_found().await.into_response(),
    }
}

fn respond(file: rust_embed::EmbeddedFile, request: &HeaderMap, immutable: bool) -> Response {
    let etag = format!("\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let cache = if immutable {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let fresh = request
        .get(header::IF_NONE_MATCH)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.split(',').any(|tag| tag.trim() == etag));
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        Response::new(Body::from(file.data.into_owned()))
    };
    let headers = response.headers_mut();
    let mime = file.metadata.mimetype();
    if let Ok(value) = HeaderValue::from_str(mime) {
        headers.insert(header::CONTENT_TYPE, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if mime.starts_with("text/html") {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        );
    }
    response
}
