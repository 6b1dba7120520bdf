//! Renders ledger statistics as plain text. Only facts about the data are
//! printed, never anything about the backend, so SQLite and PostgreSQL
//! holding the same data print the same bytes.

use std::fmt::Write;

use finsight_core::{Currency, Money};
use finsight_store::LedgerStats;

fn money(minor: i64, currency: &str) -> String {
    Currency::parse(currency)
        .and_then(|c| Money::from_minor(minor, c))
        .map(|m| m.amount_text())
        .unwrap_or_else(|_| format!("{minor} (minor units)"))
}

pub fn render(stats: &LedgerStats) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "tenants       {:>10}", stats.tenants);
    let _ = writeln!(w, "households    {:>10}", stats.households);
    let _ = writeln!(w, "users         {:>10}", stats.users);
    let _ = writeln!(w, "accounts      {:>10}", stats.accounts);
    let _ = writeln!(w, "transactions  {:>10}", stats.transactions);
    let _ = writeln!(w, "outbox        {:>10}", stats.outbox);
    let _ = writeln!(w, "\naccounts by kind");
    let _ = writeln!(
        w,
        "  {:<12} {:<8} {:>8} {:>12} {:>18}",
        "kind", "currency", "accounts", "transactions", "net"
    );
    for row in &stats.by_account_kind {
        let _ = writeln!(
            w,
            "  {:<12} {:<8} {:>8} {:>12} {:>18}",
            row.kind.as_str(),
            row.currency,
            row.accounts,
            row.transactions,
            money(row.net_minor, &row.currency)
        );
    }
    let _ = writeln!(w, "\ntransactions by category");
    let _ = writeln!(
        w,
        "  {:<16} {:<8} {:>12} {:>18}",
        "category", "currency", "transactions", "net"
    );
    for row in &stats.by_category {
        let _ = writeln!(
            w,
            "  {:<16} {:<8} {:>12} {:>18}",
            row.category,
            row.currency,
            row.transactions,
            money(row.net_minor, &row.currency)
        );
    }
    let _ = writeln!(w, "\nusers");
    let _ = writeln!(
        w,
        "  {:<36} {:<20} {:>8} {:>12} {:<10} {:<10}",
        "user_id", "name", "accounts", "transactions", "first", "last"
    );
    for row in &stats.by_user {
        let day = |d: Option<time::Date>| d.map(|d| d.to_string()).unwrap_or_else(|| "-".into());
        let _ = writeln!(
            w,
            "  {:<36} {:<20} {:>8} {:>12} {:<10} {:<10}",
            row.user_id.to_string(),
            row.display_name,
            row.accounts,
            row.transactions,
            day(row.first_posted_on),
            day(row.last_posted_on)
        );
    }
    out
}

/// `finsight stats`: counts per user, account kind and category.
pub async fn run(app: &crate::app::App) -> anyhow::Result<()> {
    use std::io::Write as _;
    let stats = app.store.stats().await?;
    let _ = write!(std::io::stdout().lock(), "{}", render(&stats));
    Ok(())
}
