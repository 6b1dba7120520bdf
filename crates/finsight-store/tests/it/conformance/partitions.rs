//! The processor's partitions (issue 10): the outbox splits by user, a
//! lease gives each partition to one replica at a time, replicas share the
//! partitions fairly, a lapsed holder's partitions move on, and positions
//! are saved only under the lease.

use std::sync::Arc;

use finsight_store::{PARTITIONS, Store, partition_of};
use time::Duration;
use time::macros::date;

use super::{fixture, now, record};

const TTL: Duration = Duration::seconds(10);

pub async fn the_outbox_splits_by_user_and_positions_need_the_lease(store: Arc<dyn Store>) {
    let f = fixture(&store).await;
    let (mine, theirs) = (partition_of(f.user), partition_of(f.other_user));
    assert_ne!(mine, theirs);
    let other_account = finsight_core::AccountId::from_random_bytes(super::id(13));
    let batch: Vec<_> = (0..3)
        .map(|n| {
            record(
                f.checking,
                date!(2026 - 03 - 01),
                "-1",
                &format!("ITEM {n}"),
            )
        })
        .chain([record(other_account, date!(2026 - 03 - 01), "-2", "THEIRS")])
        .collect();
    store.insert_transactions(&batch).await.unwrap();
    let entries = store.partition_outbox_after(&[mine], 0, 100).await.unwrap();
    assert_eq!(entries.len(), 3);
    assert!(entries.iter().all(|e| e.user_id == f.user));
    assert!(entries.windows(2).all(|w| w[0].seq < w[1].seq));
    let rest = store
        .partition_outbox_after(&[mine], entries[0].seq, 100)
        .await
        .unwrap();
    assert_eq!(rest, entries[1..]);
    let other = store
        .partition_outbox_after(&[theirs], 0, 100)
        .await
        .unwrap();
    assert_eq!(other.len(), 1);
    assert_eq!(other[0].user_id, f.other_user);
    let both = store
        .partition_outbox_after(&[theirs, mine], 0, 100)
        .await
        .unwrap();
    assert_eq!(both.len(), 4);
    let all: Vec<u16> = (0..PARTITIONS).collect();
    assert_eq!(
        store.partition_outbox_after(&all, 0, 100).await.unwrap(),
        both
    );
    assert_eq!(
        store.partition_outbox_after(&all, 0, 2).await.unwrap(),
        both[..2]
    );
    let empty = (0..PARTITIONS)
        .find(|p| ![mine, theirs].contains(p))
        .unwrap();
    assert!(
        store
            .partition_outbox_after(&[empty], 0, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let head = store.outbox_head().await.unwrap();
    assert_eq!(head, both[3].seq);

    assert!(
        store
            .stage_positions("categorize")
            .await
            .unwrap()
            .is_empty()
    );
    // No lease, no saving.
    assert!(
        !store
            .save_stage_positions("categorize", &[mine], head, "replica-a", now())
            .await
            .unwrap()
    );
    assert!(
        store
            .stage_positions("categorize")
            .await
            .unwrap()
            .is_empty()
    );
    let held = store
        .claim_partitions("replica-a", now(), TTL)
        .await
        .unwrap();
    assert_eq!(held, all);
    assert!(
        store
            .save_stage_positions("categorize", &[mine, empty], head, "replica-a", now())
            .await
            .unwrap()
    );
    let mut want = vec![(mine, head), (empty, head)];
    want.sort_unstable();
    assert_eq!(store.stage_positions("categorize").await.unwrap(), want);
    assert!(store.stage_positions("other").await.unwrap().is_empty());

    let ids: Vec<_> = batch[..3].iter().map(|r| r.transaction_id()).collect();
    let mut loaded = store.transactions_by_id(&ids).await.unwrap();
    loaded.sort_by_key(|t| t.description.to_string());
    assert_eq!(loaded.len(), 3);
    assert_eq!(
        loaded[0],
        finsight_core::Transaction::from_new(f.user, batch[0].clone())
    );
    assert!(store.transactions_by_id(&[]).await.unwrap().is_empty());
}

pub async fn partitions_are_shared_and_move_when_a_holder_lapses(store: Arc<dyn Store>) {
    let start = now();
    let all: Vec<u16> = (0..PARTITIONS).collect();
    assert_eq!(store.claim_partitions("a", start, TTL).await.unwrap(), all);
    // A newcomer finds nothing free until the holder sees it and gives up
    // its extra share.
    assert!(
        store
            .claim_partitions("b", start, TTL)
            .await
            .unwrap()
            .is_empty()
    );
    let a = store.claim_partitions("a", start, TTL).await.unwrap();
    assert_eq!(a, (0..PARTITIONS / 2).collect::<Vec<_>>());
    let b = store.claim_partitions("b", start, TTL).await.unwrap();
    assert_eq!(b, (PARTITIONS / 2..PARTITIONS).collect::<Vec<_>>());
    // Renewing keeps the same partitions.
    assert_eq!(store.claim_partitions("a", start, TTL).await.unwrap(), a);

    // "a" stops claiming (it crashed): once its leases lapse, "b" takes
    // them all, and "a" can no longer save a position.
    let later = start + TTL + Duration::seconds(1);
    assert_eq!(store.claim_partitions("b", later, TTL).await.unwrap(), all);
    assert!(
        !store
            .save_stage_positions("categorize", &[0], 7, "a", later)
            .await
            .unwrap()
    );
    assert!(
        store
            .save_stage_positions("categorize", &[0], 7, "b", later)
            .await
            .unwrap()
    );

    // A clean stop hands everything over at once.
    store.release_partitions("b").await.unwrap();
    assert_eq!(store.claim_partitions("c", later, TTL).await.unwrap(), all);
    assert_eq!(
        store.stage_positions("categorize").await.unwrap(),
        vec![(0, 7)]
    );
}
