//! The Redis online store, for replicas that share features: per entity one
//! key with its windowed state and one key per view with its vector
//! (`{prefix}vec:{view}:v{version}:{kind}:{id}`), so a lookup is one `GET`
//! (one `MGET` for a batch). Works over `redis://` and `rediss://` (rustls).
//! An entity is written only by the replica holding its user's partition
//! (or by the market import for market entities), so writes need no
//! compare-and-set.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use redis::aio::ConnectionManager;

use crate::FeatureSet;
use crate::engine::{Computed, EntityState};
use crate::event::{EntityKey, Event};
use crate::online::{Applied, OnlineError, OnlineStore, Vector, record_lookup};

pub struct RedisOnlineStore {
    set: Arc<FeatureSet>,
    connection: ConnectionManager,
    prefix: String,
}

impl std::fmt::Debug for RedisOnlineStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisOnlineStore")
            .field("prefix", &self.prefix)
            .finish()
    }
}

fn unavailable(error: redis::RedisError) -> OnlineError {
    OnlineError::Unavailable(error.to_string())
}

fn corrupt(error: serde_json::Error) -> OnlineError {
    OnlineError::Corrupt(error.to_string())
}

impl RedisOnlineStore {
    /// Connects to `url` (`redis://` or `rediss://`); every key starts with
    /// `prefix` (several deployments, or tests, can share one Redis).
    pub async fn connect(
        set: Arc<FeatureSet>,
        url: &str,
        prefix: &str,
    ) -> Result<Self, OnlineError> {
        let client = redis::Client::open(url).map_err(unavailable)?;
        let connection = ConnectionManager::new(client).await.map_err(unavailable)?;
        Ok(Self {
            set,
            connection,
            prefix: prefix.to_owned(),
        })
    }

    fn state_key(&self, entity: &EntityKey) -> String {
        format!("{}state:{}:{}", self.prefix, entity.kind, entity.id)
    }

    fn vector_key(&self, view: usize, entity: &EntityKey) -> String {
        let view = &self.set.views()[view];
        format!(
            "{}vec:{}:v{}:{}:{}",
            self.prefix, view.name, view.version, entity.kind, entity.id
        )
    }

    /// How long an entity's keys live without a new event.
    fn expiry_ms(&self, kind: crate::EntityKind) -> u64 {
        let ttl = self
            .set
            .views_of(kind)
            .iter()
            .map(|&v| self.set.views()[v].ttl_micros)
            .max()
            .unwrap_or(0);
        u64::try_from((ttl + self.set.horizon(kind)) / 1_000)
            .unwrap_or(u64::MAX)
            .max(1)
    }

    async fn states(
        &self,
        entities: &[&EntityKey],
    ) -> Result<Vec<Option<EntityState>>, OnlineError> {
        if entities.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = entities.iter().map(|e| self.state_key(e)).collect();
        let raw: Vec<Option<Vec<u8>>> = redis::cmd("MGET")
            .arg(&keys)
            .query_async(&mut self.connection.clone())
            .await
            .map_err(unavailable)?;
        raw.into_iter()
            .map(|r| {
                r.map(|bytes| serde_json::from_slice(&bytes).map_err(corrupt))
                    .transpose()
            })
            .collect()
    }

    fn write_entity(
        &self,
        pipe: &mut redis::Pipeline,
        entity: &EntityKey,
        state: &EntityState,
        now: i64,
    ) -> Result<(), OnlineError> {
        let expiry = self.expiry_ms(entity.kind);
        pipe.cmd("SET")
            .arg(self.state_key(entity))
            .arg(serde_json::to_vec(state).map_err(corrupt)?)
            .arg("PX")
            .arg(expiry)
            .ignore();
        for &view in self.set.views_of(entity.kind) {
            let computed = self.set.plan(view).evaluate(state, now);
            pipe.cmd("SET")
                .arg(self.vector_key(view, entity))
                .arg(serde_json::to_vec(&computed).map_err(corrupt)?)
                .arg("PX")
                .arg(expiry)
                .ignore();
        }
        Ok(())
    }

    /// Deletes every key under the prefix.
    pub async fn clear(&self) -> Result<(), OnlineError> {
        let mut connection = self.connection.clone();
        let mut cursor: u64 = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{}*", self.prefix))
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut connection)
                .await
                .map_err(unavailable)?;
            if !keys.is_empty() {
                redis::cmd("DEL")
                    .arg(&keys)
                    .query_async::<()>(&mut connection)
                    .await
                    .map_err(unavailable)?;
            }
            if next == 0 {
                return Ok(());
            }
            cursor = next;
        }
    }
}

#[async_trait::async_trait]
impl OnlineStore for RedisOnlineStore {
    fn kind(&self) -> &'static str {
        "redis"
    }

    async fn apply(
        &self,
        events: &[Event],
        is_new: &[bool],
        now: i64,
    ) -> Result<usize, OnlineError> {
        let mut groups: HashMap<&EntityKey, Vec<usize>> = HashMap::new();
        for (i, event) in events.iter().enumerate() {
            groups.entry(&event.entity).or_default().push(i);
        }
        let entities: Vec<&EntityKey> = groups.keys().copied().collect();
        let states = self.states(&entities).await?;
        let mut pipe = redis::pipe();
        let mut applied = Applied::default();
        for (entity, state) in entities.iter().zip(states) {
            let mut state = state.unwrap_or_default();
            applied.add(&self.set, &mut state, events, &groups[entity], is_new, now);
            self.write_entity(&mut pipe, entity, &state, now)?;
        }
        if !entities.is_empty() {
            pipe.query_async::<()>(&mut self.connection.clone())
                .await
                .map_err(unavailable)?;
        }
        applied.record_freshness(&self.set, now);
        Ok(applied.counted)
    }

    async fn lookup(
        &self,
        view: usize,
        entities: &[EntityKey],
        now: i64,
    ) -> Result<Vec<Vector>, OnlineError> {
        let started = Instant::now();
        if entities.is_empty() {
            return Ok(Vec::new());
        }
        let plan = self.set.plan(view);
        let keys: Vec<String> = entities.iter().map(|e| self.vector_key(view, e)).collect();
        let raw: Vec<Option<Vec<u8>>> = redis::cmd("MGET")
            .arg(&keys)
            .query_async(&mut self.connection.clone())
            .await
            .map_err(unavailable)?;
        let mut vectors: Vec<Vector> = Vec::with_capacity(entities.len());
        let mut stale: Vec<usize> = Vec::new();
        for (i, bytes) in raw.into_iter().enumerate() {
            let computed: Option<Computed> = match bytes {
                Some(bytes) => serde_json::from_slice(&bytes).map_err(corrupt)?,
                None => None,
            };
            match computed {
                Some(c) if c.computed_at <= now && now < c.valid_until => {
                    vectors.push(Some(c.read(plan, now)))
                }
                Some(_) => {
                    stale.push(i);
                    vectors.push(None);
                }
                None => vectors.push(None),
            }
        }
        if !stale.is_empty() {
            let states = self
                .states(&stale.iter().map(|&i| &entities[i]).collect::<Vec<_>>())
                .await?;
            for (&i, state) in stale.iter().zip(states) {
                vectors[i] = state
                    .and_then(|s| plan.evaluate(&s, now))
                    .map(|c| c.read(plan, now));
            }
        }
        record_lookup(self.kind(), &self.set.views()[view].name, started, &vectors);
        Ok(vectors)
    }

    async fn rebuild(
        &self,
        states: Vec<(EntityKey, EntityState)>,
        now: i64,
    ) -> Result<(), OnlineError> {
        self.clear().await?;
        for chunk in states.chunks(500) {
            let mut pipe = redis::pipe();
            for (entity, state) in chunk {
                let mut state = state.clone();
                state.evict(now.saturating_sub(self.set.horizon(entity.kind)));
                self.write_entity(&mut pipe, entity, &state, now)?;
            }
            pipe.query_async::<()>(&mut self.connection.clone())
                .await
                .map_err(unavailable)?;
        }
        Ok(())
    }

    async fn entity_count(&self) -> Result<usize, OnlineError> {
        let mut connection = self.connection.clone();
        let mut cursor: u64 = 0;
        let mut count = 0;
        loop {
            let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                .arg(cursor)
                .arg("MATCH")
                .arg(format!("{}state:*", self.prefix))
                .arg("COUNT")
                .arg(1000)
                .query_async(&mut connection)
                .await
                .map_err(unavailable)?;
            count += keys.len();
            if next == 0 {
                return Ok(count);
            }
            cursor = next;
        }
    }
}
