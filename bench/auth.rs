//! Sign-in costs: argon2id hashing and verification with the production
//! parameters (the cost an attacker pays per guess, and a user per
//! sign-in), and bearer-token authentication (token → principal, one
//! store lookup per request) on each backend.
//!
//! Usage: `cargo run --release -p finsight-bench --bin auth --
//! [--backend sqlite|postgres|both] [--requests N]`.

use std::sync::Arc;
use std::time::Instant;

use finsight_bench::{Scratch, argument, directory_of, selected_backends};
use finsight_core::{Clock, LoginKind};
use finsight_service::{AuthSettings, PasswordHashing, Services};
use finsight_synth::{SynthConfig, Synthesizer};
use time::macros::date;

struct Now;

impl Clock for Now {
    fn now(&self) -> time::OffsetDateTime {
        time::OffsetDateTime::now_utc()
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let requests: u32 = argument("--requests")
        .map(|r| r.parse())
        .transpose()?
        .unwrap_or(20_000);
    let hashing = PasswordHashing::default();
    let rounds = 20;
    let started = Instant::now();
    let mut hash = String::new();
    for _ in 0..rounds {
        hash = hashing.hash("correct horse battery staple");
    }
    let hash_ms = started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
    let started = Instant::now();
    for _ in 0..rounds {
        assert!(hashing.verify("correct horse battery staple", &hash));
    }
    let verify_ms = started.elapsed().as_secs_f64() * 1000.0 / f64::from(rounds);
    println!(
        "argon2id m={} KiB t={} p={}: hash {hash_ms:.1} ms, verify {verify_ms:.1} ms (one core)",
        hashing.memory_kib, hashing.iterations, hashing.parallelism
    );

    let synth = Synthesizer::new(SynthConfig {
        users: 10,
        months: 1,
        seed: 5,
        first_month: date!(2026 - 01 - 01),
    })?;
    println!("backend      requests   seconds   authentications/s");
    for backend in selected_backends() {
        let scratch = Scratch::open(backend).await?;
        let store = Arc::clone(&scratch.store);
        let directory = directory_of(&synth);
        store.upsert_directory(&directory).await?;
        let user = &directory.users[0];
        let services = Services::new(Arc::clone(&store), Arc::new(Now), AuthSettings::default());
        services
            .auth
            .create_login(
                "bench",
                user.tenant_id,
                "bench@example.com",
                "correct horse battery staple",
                LoginKind::Person(user.id),
            )
            .await?;
        let session = services
            .auth
            .login("bench@example.com", "correct horse battery staple")
            .await?;
        let started = Instant::now();
        for _ in 0..requests {
            services.auth.authenticate(&session.access_token).await?;
        }
        let seconds = started.elapsed().as_secs_f64();
        println!(
            "{backend:<10} {requests:>10} {seconds:>9.2} {:>19.0}",
            f64::from(requests) / seconds
        );
        scratch.drop_now().await?;
    }
    Ok(())
}
