//! Storage cases behind the penetration-test fixes: idempotency keys
//! scoped per principal with expiry, account references bound once per
//! household, quarantine listed per scope (newest first, by cursor), and
//! sign-in throttling per (email, address).

use std::sync::Arc;

use finsight_core::{
    Account, AccountId, AccountKind, Currency, Household, HouseholdId, Tenant, TenantId, User,
    UserId,
};
use finsight_store::{
    Directory, IdempotencyClaim, IdempotencyScope, IdempotencyTimes, ReferenceBinding, Store,
};
use time::Duration;

use super::{fixture, id, now};

fn times(at: time::OffsetDateTime) -> IdempotencyTimes {
    IdempotencyTimes {
        now: at,
        expired_before: at - Duration::hours(24),
        abandoned_before: at - Duration::minutes(5),
    }
}

fn scope<'a>(principal: &'a str, key: &'a str) -> IdempotencyScope<'a> {
    IdempotencyScope { principal, key }
}

pub async fn idempotency_keys_replay_and_refuse_reuse(store: Arc<dyn Store>) {
    let (ann, t) = (scope("user:ann", "k1"), times(now()));
    assert_eq!(
        store.claim_idempotency_key(ann, "h1", t).await.unwrap(),
        IdempotencyClaim::New
    );
    assert_eq!(
        store.claim_idempotency_key(ann, "h1", t).await.unwrap(),
        IdempotencyClaim::InProgress
    );
    store.release_idempotency_key(ann).await.unwrap();
    assert_eq!(
        store.claim_idempotency_key(ann, "h1", t).await.unwrap(),
        IdempotencyClaim::New
    );
    store
        .complete_idempotency_key(ann, 200, "{\"accepted\":1}")
        .await
        .unwrap();
    assert_eq!(
        store.claim_idempotency_key(ann, "h1", t).await.unwrap(),
        IdempotencyClaim::Replay {
            status: 200,
            response: "{\"accepted\":1}".into()
        }
    );
    assert_eq!(
        store.claim_idempotency_key(ann, "other", t).await.unwrap(),
        IdempotencyClaim::Mismatch
    );
    // A completed key is never released.
    store.release_idempotency_key(ann).await.unwrap();
    assert!(matches!(
        store.claim_idempotency_key(ann, "h1", t).await.unwrap(),
        IdempotencyClaim::Replay { .. }
    ));
}

pub async fn idempotency_keys_are_per_principal_and_expire(store: Arc<dyn Store>) {
    let start = now();
    let ann = scope("user:ann", "same-key");
    let cal = scope("user:cal", "same-key");
    assert_eq!(
        store
            .claim_idempotency_key(ann, "h1", times(start))
            .await
            .unwrap(),
        IdempotencyClaim::New
    );
    store
        .complete_idempotency_key(ann, 200, "{\"secret\":true}")
        .await
        .unwrap();
    // Another principal's identical key and body is a new request, and a
    // different body is no mismatch either: the keys never meet.
    assert_eq!(
        store
            .claim_idempotency_key(cal, "h1", times(start))
            .await
            .unwrap(),
        IdempotencyClaim::New
    );
    assert_eq!(
        store
            .claim_idempotency_key(scope("user:dan", "same-key"), "h2", times(start))
            .await
            .unwrap(),
        IdempotencyClaim::New
    );
    // An abandoned claim (its process died) is taken over after the lease.
    assert_eq!(
        store
            .claim_idempotency_key(cal, "h1", times(start + Duration::minutes(1)))
            .await
            .unwrap(),
        IdempotencyClaim::InProgress
    );
    assert_eq!(
        store
            .claim_idempotency_key(cal, "h1", times(start + Duration::minutes(6)))
            .await
            .unwrap(),
        IdempotencyClaim::New
    );
    // A day later Ann's key is expired: the same key runs again.
    let later = start + Duration::hours(25);
    assert_eq!(
        store
            .claim_idempotency_key(ann, "h1", times(later))
            .await
            .unwrap(),
        IdempotencyClaim::New
    );
    // Purging removes what is older than the cut-off, nothing newer.
    let purged = store
        .purge_idempotency_keys(later - Duration::hours(24))
        .await
        .unwrap();
    assert_eq!(purged, 2, "dan's and cal's keys from the start");
    assert_eq!(
        store
            .claim_idempotency_key(ann, "h1", times(later))
            .await
            .unwrap(),
        IdempotencyClaim::InProgress
    );
}

/// A second tenant with one household and a USD checking account.
pub(crate) async fn other_tenant(store: &Arc<dyn Store>) -> (UserId, AccountId) {
    let tenant = TenantId::from_random_bytes(id(101));
    let household = HouseholdId::from_random_bytes(id(102));
    let user = UserId::from_random_bytes(id(103));
    let account = AccountId::from_random_bytes(id(104));
    store
        .upsert_directory(&Directory {
            tenants: vec![Tenant {
                id: tenant,
                name: "Other Finance".into(),
            }],
            households: vec![Household {
                id: household,
                tenant_id: tenant,
                name: "The Others".into(),
            }],
            users: vec![User {
                id: user,
                tenant_id: tenant,
                household_id: household,
                display_name: "Mal Other".into(),
            }],
            accounts: vec![Account {
                id: account,
                user_id: user,
                kind: AccountKind::Checking,
                currency: Currency::parse("USD").unwrap(),
                name: "checking".into(),
                institution: "Other Bank".into(),
            }],
        })
        .await
        .unwrap();
    (user, account)
}

pub async fn account_references_bind_once_per_household(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let (_, intruder) = other_tenant(&store).await;
    let iban = "DE89370400440532013000";
    assert_eq!(
        store
            .bind_account_reference(iban, f.checking)
            .await
            .unwrap(),
        ReferenceBinding::Bound
    );
    assert_eq!(
        store
            .bind_account_reference(iban, f.checking)
            .await
            .unwrap(),
        ReferenceBinding::Unchanged
    );
    // Never rebound within the household.
    assert_eq!(
        store.bind_account_reference(iban, f.card).await.unwrap(),
        ReferenceBinding::Conflict
    );
    assert_eq!(
        store.accounts_for_reference(iban).await.unwrap(),
        vec![f.checking]
    );
    // Another tenant binding the same text adds its own binding; it never
    // replaces ours, and a reader sees both (so it cannot guess).
    assert_eq!(
        store.bind_account_reference(iban, intruder).await.unwrap(),
        ReferenceBinding::Bound
    );
    let mut both = vec![f.checking, intruder];
    both.sort();
    assert_eq!(store.accounts_for_reference(iban).await.unwrap(), both);
}
