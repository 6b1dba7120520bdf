//! Feature lookups, REST's and GraphQL's one door to the online feature
//! store. People see their own households' entities; admins read them
//! audited; service keys within their tenant; analysts name personal
//! entities by their `analyst-view` pseudonyms and only ever see those;
//! market entities (assets, currency pairs) are open to every signed-in
//! principal.

use std::collections::HashMap;
use std::sync::Arc;

use finsight_core::{AccountId, Action, Principal, StaffRole, UserId};
use finsight_features::{EntityKey, EntityKind, FeatureSet, OnlineStore};

use crate::{ServiceError, Services};

/// Most entities one batch may ask for.
pub const MAX_BATCH: usize = 1000;

#[derive(Clone)]
pub(crate) struct FeatureServing {
    pub(crate) set: Arc<FeatureSet>,
    pub(crate) online: Arc<dyn OnlineStore>,
}

/// One view's values for one entity.
#[derive(Debug, Clone, PartialEq)]
pub struct ViewValues {
    pub view: String,
    pub version: u32,
    /// `(feature, value)` in the view's order; `None` for the whole vector
    /// when the entity has none (nothing within the view's TTL).
    pub values: Option<Vec<(String, Option<f64>)>>,
}

/// What one entity looked up gives.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityFeatures {
    pub entity_type: EntityKind,
    /// As the caller named it (a pseudonym for analysts).
    pub entity_id: String,
    /// `false` when the entity is not one the caller may see (or does not
    /// exist): the two look alike.
    pub found: bool,
    pub views: Vec<ViewValues>,
}

impl Services {
    fn serving(&self) -> Result<&FeatureServing, ServiceError> {
        self.features.as_ref().ok_or(ServiceError::Unavailable(
            "the feature store is not configured".into(),
        ))
    }

    /// One entity's features; not visible is `NotFound("entity")`.
    pub async fn entity_features(
        &self,
        principal: &Principal,
        entity_type: &str,
        entity_id: &str,
        features: &[String],
    ) -> Result<EntityFeatures, ServiceError> {
        let entity = EntityKey::parse(entity_type, entity_id).map_err(invalid)?;
        let mut found = self.features_batch(principal, &[entity], features).await?;
        match found.pop() {
            Some(answer) if answer.found => Ok(answer),
            _ => Err(ServiceError::NotFound("entity")),
        }
    }

    /// Several entities' features, in request order (at most
    /// [`MAX_BATCH`]); `features` are `view` or `view.feature` names, none
    /// meaning every view of each entity's kind.
    pub async fn features_batch(
        &self,
        principal: &Principal,
        entities: &[EntityKey],
        features: &[String],
    ) -> Result<Vec<EntityFeatures>, ServiceError> {
        if entities.len() > MAX_BATCH {
            return Err(invalid(finsight_features::DefinitionError::new(
                "entities",
                format!("at most {MAX_BATCH} per request"),
            )));
        }
        let serving = self.serving()?;
        let set = &serving.set;
        let wanted = set.registry().resolve(features).map_err(invalid)?;
        let now = finsight_features::event::micros(self.clock.now());
        // Resolve every entity to the one the store knows, or to nothing;
        // analysts name people and accounts by pseudonym.
        let analyst = matches!(
            principal,
            Principal::Staff {
                role: StaffRole::Analyst,
                ..
            }
        );
        let index = if analyst {
            let accounts = entities.iter().any(|e| e.kind == EntityKind::Account);
            Some(self.pseudonym_index(principal, accounts).await?)
        } else {
            None
        };
        let mut resolved: Vec<Option<EntityKey>> = Vec::with_capacity(entities.len());
        for entity in entities {
            resolved.push(match (&index, entity.kind) {
                (_, EntityKind::Asset | EntityKind::CurrencyPair) => Some(entity.clone()),
                (Some(index), _) => index.resolve(entity),
                (None, _) => self.visible_entity(principal, entity).await?,
            });
        }
        let mut answers: Vec<EntityFeatures> = entities
            .iter()
            .zip(&resolved)
            .map(|(asked, real)| EntityFeatures {
                entity_type: asked.kind,
                entity_id: asked.id.clone(),
                found: real.is_some(),
                views: Vec::new(),
            })
            .collect();
        for (view_index, view) in set.views().iter().enumerate() {
            let picked: Vec<usize> = wanted
                .iter()
                .filter(|(v, _)| *v == view_index)
                .filter_map(|(_, f)| *f)
                .collect();
            let whole =
                wanted.is_empty() || wanted.iter().any(|(v, f)| *v == view_index && f.is_none());
            if !whole && picked.is_empty() {
                continue;
            }
            let asking: Vec<usize> = (0..entities.len())
                .filter(|&i| resolved[i].as_ref().is_some_and(|e| e.kind == view.entity))
                .collect();
            if asking.is_empty() {
                continue;
            }
            let keys: Vec<EntityKey> = asking.iter().filter_map(|&i| resolved[i].clone()).collect();
            let vectors = serving
                .online
                .lookup(view_index, &keys, now)
                .await
                .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
            for (&i, vector) in asking.iter().zip(vectors) {
                let values = vector.map(|values| {
                    view.features
                        .iter()
                        .zip(values)
                        .enumerate()
                        .filter(|(f, _)| whole || picked.contains(f))
                        .map(|(_, (feature, value))| (feature.name.clone(), value))
                        .collect()
                });
                answers[i].views.push(ViewValues {
                    view: view.name.clone(),
                    version: view.version,
                    values,
                });
            }
        }
        Ok(answers)
    }

    /// The entity, if the principal (not an analyst) may read it.
    async fn visible_entity(
        &self,
        principal: &Principal,
        entity: &EntityKey,
    ) -> Result<Option<EntityKey>, ServiceError> {
        let user = match entity.kind {
            EntityKind::Account => {
                let Ok(id) = AccountId::parse(&entity.id) else {
                    return Ok(None);
                };
                match self.store.account(id).await? {
                    Some(account) => account.user_id,
                    None => return Ok(None),
                }
            }
            _ => match entity.user_part().map(UserId::parse) {
                Some(Ok(user)) => user,
                _ => return Ok(None),
            },
        };
        match self
            .authorize_user(principal, user, Action::Read, "entity")
            .await
        {
            Ok(()) => Ok(Some(entity.clone())),
            Err(ServiceError::NotFound(_)) => Ok(None),
            Err(other) => Err(other),
        }
    }

    /// The `analyst-view` pseudonyms of the people and accounts of the
    /// principal's tenant, built once per request.
    async fn pseudonym_index(
        &self,
        principal: &Principal,
        accounts: bool,
    ) -> Result<PseudonymIndex, ServiceError> {
        let mut index = PseudonymIndex::default();
        let Some(pseudonyms) = &self.analyst_pseudonyms else {
            return Ok(index);
        };
        let tenant = principal.tenant();
        for user in self
            .store
            .users()
            .await?
            .into_iter()
            .filter(|u| u.tenant_id == tenant)
        {
            index.users.insert(
                pseudonyms.pseudonym("user", user.id.as_uuid().as_bytes()),
                user.id.to_string(),
            );
            if accounts {
                for account in self.store.accounts_of_user(user.id).await? {
                    index.accounts.insert(
                        pseudonyms.pseudonym("account", account.id.as_uuid().as_bytes()),
                        account.id.to_string(),
                    );
                }
            }
        }
        Ok(index)
    }
}

/// Pseudonym → real id, for analysts' lookups.
#[derive(Default)]
struct PseudonymIndex {
    users: HashMap<String, String>,
    accounts: HashMap<String, String>,
}

impl PseudonymIndex {
    /// An analyst's entity: its user (or account) part is a pseudonym.
    fn resolve(&self, entity: &EntityKey) -> Option<EntityKey> {
        let id = match entity.kind {
            EntityKind::Account => self.accounts.get(&entity.id)?.clone(),
            EntityKind::User => self.users.get(&entity.id)?.clone(),
            _ => {
                let (pseudonym, rest) = entity.id.split_once(':')?;
                format!("{}:{rest}", self.users.get(pseudonym)?)
            }
        };
        Some(EntityKey::new(entity.kind, id))
    }
}

fn invalid(error: finsight_features::DefinitionError) -> ServiceError {
    ServiceError::Invalid(finsight_core::ValidationError::new(
        error.field,
        error.reason,
    ))
}
