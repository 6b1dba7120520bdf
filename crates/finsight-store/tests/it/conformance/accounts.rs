//! Accounts people open, rename and close (issue 9): the change round-trips
//! on every backend, and an invited person created with their invitation
//! is no member until both sides agree.

use std::sync::Arc;

use finsight_core::{HouseholdId, HouseholdRole, TenantId, User, UserId};
use finsight_store::{Directory, Invitation, Store};
use time::macros::date;

use super::{fixture, id, now};

pub async fn accounts_rename_close_and_reopen(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let mut account = store.account(f.checking).await.unwrap().unwrap();
    assert_eq!(account.closed_on, None);
    account.name = "Everyday".into();
    account.closed_on = Some(date!(2026 - 03 - 31));
    store
        .upsert_directory(&Directory {
            accounts: vec![account.clone()],
            ..Directory::default()
        })
        .await
        .unwrap();
    assert_eq!(
        store.account(f.checking).await.unwrap(),
        Some(account.clone())
    );
    assert!(
        store
            .accounts_of_user(account.user_id)
            .await
            .unwrap()
            .contains(&account)
    );
    account.closed_on = None;
    store
        .upsert_directory(&Directory {
            accounts: vec![account.clone()],
            ..Directory::default()
        })
        .await
        .unwrap();
    assert_eq!(store.account(f.checking).await.unwrap(), Some(account));
}

pub async fn a_new_person_invited_is_no_member_until_approved(store: Arc<dyn Store>) {
    fixture(&store).await;
    let household = HouseholdId::from_random_bytes(id(2));
    let person = User {
        id: UserId::from_random_bytes(id(90)),
        tenant_id: TenantId::from_random_bytes(id(1)),
        household_id: household,
        display_name: "Pat Proxy".into(),
    };
    let invitation = Invitation {
        household,
        user: person.id,
        role: HouseholdRole::Member,
        invited_by: "admin:x".into(),
        owner_approved: false,
        person_accepted: true,
        created_at: now(),
    };
    store.invite_new_person(&person, &invitation).await.unwrap();
    assert_eq!(store.user(person.id).await.unwrap(), Some(person.clone()));
    assert!(store.memberships_of(person.id).await.unwrap().is_empty());
    assert_eq!(
        store.invitation(household, person.id).await.unwrap(),
        Some(invitation)
    );
}
