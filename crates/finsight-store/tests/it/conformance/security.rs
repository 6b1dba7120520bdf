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
                closed_on: None,
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

fn bad_entry(account: AccountId, location: &str) -> finsight_store::QuarantineEntry {
    finsight_store::QuarantineEntry {
        source: "csv".into(),
        origin: "bad.csv".into(),
        location: location.into(),
        raw: format!("raw {location}"),
        field: "posted_on".into(),
        reason: "not a date".into(),
        record: None,
        account_id: Some(account),
    }
}

pub async fn quarantine_pages_are_scoped_before_they_are_limited(store: Arc<dyn Store>) {
    use finsight_store::{QuarantineQuery, QuarantineScope, QuarantineStatus};
    let f = fixture(&store).await;
    let (intruder_user, intruder) = other_tenant(&store).await;
    // The other tenant floods the quarantine first; ours come later.
    let flood: Vec<_> = (0..30)
        .map(|i| bad_entry(intruder, &format!("flood {i}")))
        .collect();
    store.write_batch(Vec::new(), flood, now()).await.unwrap();
    let ours: Vec<_> = (0..3)
        .map(|i| bad_entry(f.checking, &format!("ours {i}")))
        .collect();
    store
        .write_batch(Vec::new(), ours, now() + Duration::seconds(1))
        .await
        .unwrap();
    let page = |scope, before, limit| QuarantineQuery {
        scope,
        status: Some(QuarantineStatus::Open),
        before,
        limit,
    };
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let got = store
            .quarantine_page(&page(QuarantineScope::Person(f.user), before, 2))
            .await
            .unwrap();
        seen.extend(got.records.iter().map(|r| r.entry.location.clone()));
        match got.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    seen.sort();
    assert_eq!(seen, ["ours 0", "ours 1", "ours 2"]);
    // A household member sees the household's records too; the tenant
    // scope sees its own tenant's only.
    let member = store
        .quarantine_page(&page(QuarantineScope::Person(f.other_user), None, 10))
        .await
        .unwrap();
    assert_eq!(member.records.len(), 3);
    let tenant = store
        .quarantine_page(&page(
            QuarantineScope::Tenant(TenantId::from_random_bytes(id(1))),
            None,
            100,
        ))
        .await
        .unwrap();
    assert_eq!(tenant.records.len(), 3);
    let theirs = store
        .quarantine_page(&page(QuarantineScope::Person(intruder_user), None, 100))
        .await
        .unwrap();
    assert_eq!(theirs.records.len(), 30);
    // The operator's view is newest first: ours came last.
    let all = store.quarantined(None, 1).await.unwrap();
    assert_eq!(all[0].entry.account_id, Some(f.checking));
    // Cursors round-trip through their text form.
    let first = store
        .quarantine_page(&page(QuarantineScope::All, None, 1))
        .await
        .unwrap();
    let cursor = first.next.unwrap();
    assert_eq!(
        finsight_store::QuarantineCursor::decode(&cursor.encode()).unwrap(),
        cursor
    );
}

pub async fn one_email_may_sign_in_to_several_tenants(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let (mal, _) = other_tenant(&store).await;
    let email = finsight_core::Email::parse("shared@example.com").unwrap();
    let login = |n: u8, tenant: TenantId, user: UserId| finsight_store::NewLogin {
        id: finsight_core::LoginId::from_random_bytes(id(n)),
        tenant,
        email: email.clone(),
        password_hash: format!("hash {n}"),
        kind: finsight_core::LoginKind::Person(user),
    };
    let ours = login(61, TenantId::from_random_bytes(id(1)), f.user);
    store.create_login(&ours, now()).await.unwrap();
    // The other tenant's admin can register the same address: nothing
    // tells it the address is in use elsewhere.
    let theirs = login(62, TenantId::from_random_bytes(id(101)), mal);
    store
        .create_login(&theirs, now() + Duration::seconds(1))
        .await
        .unwrap();
    let found = store.logins_by_email(&email).await.unwrap();
    let ids: Vec<_> = found.iter().map(|l| l.id).collect();
    assert_eq!(ids, [ours.id, theirs.id], "oldest first");
    // Within one tenant it stays unique.
    let mut twin = login(63, TenantId::from_random_bytes(id(1)), f.other_user);
    twin.password_hash = "other".into();
    assert!(store.create_login(&twin, now()).await.is_err());
}

pub async fn throttles_count_lock_reset_and_expire(store: Arc<dyn Store>) {
    let start = now();
    let window = start - Duration::hours(1);
    assert_eq!(store.throttle("pair ann 203.0.113.9").await.unwrap(), None);
    for expected in 1..=3 {
        assert_eq!(
            store
                .count_failure("pair ann 203.0.113.9", start, window)
                .await
                .unwrap(),
            expected
        );
    }
    // Another subject counts on its own.
    assert_eq!(
        store
            .count_failure("pair ann 198.51.100.7", start, window)
            .await
            .unwrap(),
        1
    );
    store
        .lock_throttle("pair ann 203.0.113.9", start + Duration::minutes(1))
        .await
        .unwrap();
    let state = store
        .throttle("pair ann 203.0.113.9")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (state.failures, state.locked_until),
        (3, Some(start + Duration::minutes(1)))
    );
    // A failure after the window starts the count again.
    let later = start + Duration::hours(2);
    assert_eq!(
        store
            .count_failure("pair ann 203.0.113.9", later, later - Duration::hours(1))
            .await
            .unwrap(),
        1
    );
    store
        .reset_throttle("pair ann 203.0.113.9", later)
        .await
        .unwrap();
    let state = store
        .throttle("pair ann 203.0.113.9")
        .await
        .unwrap()
        .unwrap();
    assert_eq!((state.failures, state.locked_until), (0, None));
    // Purging removes what was untouched since the cut-off.
    assert_eq!(
        store
            .purge_throttles(start + Duration::hours(1))
            .await
            .unwrap(),
        1
    );
    assert!(
        store
            .throttle("pair ann 198.51.100.7")
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .throttle("pair ann 203.0.113.9")
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn invitations_join_only_when_both_sides_agree(store: Arc<dyn Store>) {
    use finsight_core::HouseholdRole;
    use finsight_store::{Consent, Invitation, InvitationOutcome};
    let f = fixture(&store).await;
    let (mal, _) = other_tenant(&store).await;
    let household = HouseholdId::from_random_bytes(id(2));
    // Ada owns the household; Ben is a member already; Mal is invited by
    // an admin: neither side has agreed yet.
    store
        .set_membership(household, f.other_user, HouseholdRole::Member)
        .await
        .unwrap();
    let invitation = Invitation {
        household,
        user: mal,
        role: HouseholdRole::Viewer,
        invited_by: "admin:x".into(),
        owner_approved: false,
        person_accepted: false,
        created_at: now(),
    };
    store.invite(&invitation).await.unwrap();
    assert_eq!(
        store.invitation(household, mal).await.unwrap(),
        Some(invitation.clone())
    );
    // Both the invitee and the household's owner see it; a member does not.
    assert_eq!(store.invitations_involving(mal).await.unwrap().len(), 1);
    assert_eq!(store.invitations_involving(f.user).await.unwrap().len(), 1);
    assert!(
        store
            .invitations_involving(f.other_user)
            .await
            .unwrap()
            .is_empty()
    );
    let waiting = store
        .consent(household, mal, Consent::Person)
        .await
        .unwrap();
    assert!(
        matches!(waiting, InvitationOutcome::Waiting(ref i) if i.person_accepted && !i.owner_approved)
    );
    assert!(
        store
            .memberships_of(mal)
            .await
            .unwrap()
            .iter()
            .all(|m| m.household != household)
    );
    assert_eq!(
        store.consent(household, mal, Consent::Owner).await.unwrap(),
        InvitationOutcome::Joined(HouseholdRole::Viewer)
    );
    assert!(
        store
            .memberships_of(mal)
            .await
            .unwrap()
            .iter()
            .any(|m| m.household == household && m.role == HouseholdRole::Viewer)
    );
    assert_eq!(store.invitation(household, mal).await.unwrap(), None);
    assert_eq!(
        store.consent(household, mal, Consent::Owner).await.unwrap(),
        InvitationOutcome::NotFound
    );
    // Declining removes it.
    store
        .invite(&Invitation {
            user: f.other_user,
            ..invitation
        })
        .await
        .unwrap();
    assert!(
        store
            .remove_invitation(household, f.other_user)
            .await
            .unwrap()
    );
    assert!(
        !store
            .remove_invitation(household, f.other_user)
            .await
            .unwrap()
    );
}
