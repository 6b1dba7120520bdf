//! Bootstrapping sign-in from the command line, and the demo's login used
//! against the running server.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

use crate::{SMALL_DEMO, finsight, ok, with_dir};

pub fn with_stdin(args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_finsight"))
        .args(args)
        .env("FINSIGHT__LOG__FILTER", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// One HTTP/1.1 request on a fresh connection: (status, body).
pub fn http(
    address: &str,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> (u16, String) {
    let mut socket = std::net::TcpStream::connect(address).unwrap();
    let mut request =
        format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n");
    if let Some(token) = token {
        request.push_str(&format!("Authorization: Bearer {token}\r\n"));
    }
    let body = body.unwrap_or("");
    request.push_str(&format!(
        "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    socket.write_all(request.as_bytes()).unwrap();
    let mut response = String::new();
    socket.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn the_first_admin_and_api_keys_come_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let tenant = ok(&finsight(&with_dir(
        dir.path(),
        &["tenants", "create", "--name", "Acme Finance"],
    )));
    let tenant = tenant.trim();
    let listed = ok(&finsight(&with_dir(dir.path(), &["tenants", "list"])));
    assert!(
        listed.contains(tenant) && listed.contains("Acme Finance"),
        "{listed}"
    );
    let create = |email: &str| {
        with_dir(
            dir.path(),
            &[
                "logins",
                "create",
                "--tenant",
                tenant,
                "--email",
                email,
                "--admin",
                "--password-stdin",
            ],
        )
        .into_iter()
        .map(str::to_owned)
        .collect::<Vec<String>>()
    };
    let args = create("boss@acme.test");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let created = with_stdin(&args, "a very long admin password\n");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let again = with_stdin(&args, "a very long admin password\n");
    assert!(!again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("email:"),
        "{again:?}"
    );
    let short = create("other@acme.test");
    let short: Vec<&str> = short.iter().map(String::as_str).collect();
    let refused = with_stdin(&short, "short\n");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("password:"),
        "{refused:?}"
    );
    let no_stdin = finsight(&with_dir(
        dir.path(),
        &[
            "logins",
            "create",
            "--tenant",
            tenant,
            "--email",
            "x@acme.test",
            "--admin",
        ],
    ));
    assert!(String::from_utf8_lossy(&no_stdin.stderr).contains("password-stdin"));
    let key = ok(&finsight(&with_dir(
        dir.path(),
        &[
            "api-keys", "create", "--tenant", tenant, "--name", "payments",
        ],
    )));
    assert!(key.contains("fsk_"), "{key}");
}

#[test]
fn the_demo_prints_a_login_that_works_against_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let demo = ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    assert!(
        demo.contains("demo login: demo@finsight.local / finsight-demo-password"),
        "{demo}"
    );
    // Loading again keeps the logins (no duplicate-email failure).
    ok(&finsight(&with_dir(dir.path(), SMALL_DEMO)));
    let mut child = Command::new(env!("CARGO_BIN_EXE_finsight"))
        .args(with_dir(dir.path(), &["serve", "--listen", "127.0.0.1:0"]))
        .env("FINSIGHT__LOG__FILTER", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line.trim().rsplit("http://").next().unwrap().to_owned();
    let (status, _) = http(&address, "GET", "/v1/accounts", None, None);
    assert_eq!(status, 401);
    let (status, session) = http(
        &address,
        "POST",
        "/v1/auth/login",
        None,
        Some(r#"{"email":"demo@finsight.local","password":"finsight-demo-password"}"#),
    );
    assert_eq!(status, 200, "{session}");
    let session: serde_json::Value = serde_json::from_str(&session).unwrap();
    let token = session["access_token"].as_str().unwrap();
    let (status, accounts) = http(&address, "GET", "/v1/accounts", Some(token), None);
    assert_eq!(status, 200, "{accounts}");
    let accounts: serde_json::Value = serde_json::from_str(&accounts).unwrap();
    assert!(!accounts["accounts"].as_array().unwrap().is_empty());
    let (status, page) = http(
        &address,
        "GET",
        "/v1/transactions?limit=5",
        Some(token),
        None,
    );
    assert_eq!(status, 200, "{page}");
    let page: serde_json::Value = serde_json::from_str(&page).unwrap();
    assert_eq!(page["transactions"].as_array().unwrap().len(), 5);
    // The demo left the person a budget, a goal and advice.
    assert!(
        demo.contains("planning: 12 users given a budget and a goal"),
        "{demo}"
    );
    for (uri, list) in [("/v1/budgets", "lines"), ("/v1/goals", "items")] {
        let (status, body) = http(&address, "GET", uri, Some(token), None);
        assert_eq!(status, 200, "{uri}: {body}");
        let body: serde_json::Value = serde_json::from_str(&body).unwrap();
        assert!(!body[list].as_array().unwrap().is_empty(), "{uri}: {body}");
    }
    for uri in [
        "/v1/insights",
        "/v1/budgets/status",
        "/v1/financial-health",
        "/v1/balances",
        "/v1/dashboard/layout",
    ] {
        let (status, body) = http(&address, "GET", uri, Some(token), None);
        assert_eq!(status, 200, "{uri}: {body}");
    }
    // The dashboard is in the binary, at `/` and at every page's path.
    for page in ["/", "/budgets"] {
        let (status, html) = http(&address, "GET", page, None, None);
        assert_eq!(status, 200, "{page}");
        assert!(html.contains(r#"<div id="root">"#), "{page}: {html}");
    }
    // The same write from REST and from the command line goes through the
    // same service and leaves the same audit entry (only the actor differs).
    let (_, me) = http(&address, "GET", "/v1/me", Some(token), None);
    let me: serde_json::Value = serde_json::from_str(&me).unwrap();
    let user = me["user_id"].as_str().unwrap().to_owned();
    let (status, rule) = http(
        &address,
        "POST",
        "/v1/rules",
        Some(token),
        Some(r#"{"pattern":"BAKERY","category":"dining"}"#),
    );
    assert_eq!(status, 201, "{rule}");
    let rest_rule = serde_json::from_str::<serde_json::Value>(&rule).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let added = ok(&finsight(&with_dir(
        dir.path(),
        &[
            "rules",
            "add",
            "--user",
            &user,
            "--contains",
            "FLORIST",
            "--category",
            "shopping",
        ],
    )));
    let cli_rule = added.trim().rsplit(' ').next().unwrap().to_owned();
    ok(&finsight(&with_dir(
        dir.path(),
        &["rules", "delete", "--user", &user, &cli_rule],
    )));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    // (The server's daily jobs may write entries of their own meanwhile.)
    let listed = ok(&finsight(&with_dir(
        dir.path(),
        &["audit", "list", "--limit", "20"],
    )));
    let lines: Vec<&str> = listed.lines().filter(|l| l.contains(" rule.")).collect();
    assert_eq!(lines.len(), 3, "{listed}");
    assert!(
        lines[0].contains(" login:")
            && lines[0].contains("rule.add")
            && lines[0].contains(&format!("rule:{rest_rule}")),
        "{listed}"
    );
    assert!(
        lines[1].contains(" cli ")
            && lines[1].contains("rule.add")
            && lines[1].contains(&format!("rule:{cli_rule}")),
        "{listed}"
    );
    assert!(
        lines[2].contains(" cli ")
            && lines[2].contains("rule.delete")
            && lines[2].contains(&format!("rule:{cli_rule}")),
        "{listed}"
    );
}

#[test]
fn the_printed_openapi_document_is_the_committed_one() {
    let printed = ok(&finsight(&["openapi"]));
    let committed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../api/openapi.json"
    ))
    .unwrap();
    assert_eq!(printed, committed);
}
