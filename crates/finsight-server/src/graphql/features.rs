//! Feature vectors in GraphQL: the same service calls as REST's
//! `/v1/features` routes.

use async_graphql::{Context, InputObject, SimpleObject};
use finsight_features::EntityKey;
use finsight_service::features::EntityFeatures;

use super::{env, gql, invalid};

#[derive(SimpleObject)]
pub struct FeatureValue {
    pub name: String,
    /// Null when it cannot be computed (e.g. a mean of nothing).
    pub value: Option<f64>,
}

#[derive(SimpleObject)]
pub struct FeatureViewVector {
    pub view: String,
    pub version: u32,
    /// Null when the entity has no vector (no event within the TTL).
    pub features: Option<Vec<FeatureValue>>,
}

#[derive(SimpleObject)]
pub struct EntityFeatureVectors {
    pub entity_type: String,
    /// As asked for (analysts: the pseudonym).
    pub entity_id: String,
    /// False when the entity is unknown or not visible to the caller.
    pub found: bool,
    pub views: Vec<FeatureViewVector>,
}

#[derive(InputObject)]
pub struct EntityInput {
    /// user, user_category, user_merchant, account, asset or currency_pair.
    pub entity_type: String,
    pub entity_id: String,
}

pub(super) fn node(answer: EntityFeatures) -> EntityFeatureVectors {
    EntityFeatureVectors {
        entity_type: answer.entity_type.as_str().to_owned(),
        entity_id: answer.entity_id,
        found: answer.found,
        views: answer
            .views
            .into_iter()
            .map(|v| FeatureViewVector {
                view: v.view,
                version: v.version,
                features: v.values.map(|values| {
                    values
                        .into_iter()
                        .map(|(name, value)| FeatureValue { name, value })
                        .collect()
                }),
            })
            .collect(),
    }
}

pub(super) async fn one(
    ctx: &Context<'_>,
    entity_type: String,
    entity_id: String,
    features: Option<Vec<String>>,
) -> async_graphql::Result<EntityFeatureVectors> {
    let env = env(ctx)?;
    let answer = env
        .services
        .entity_features(
            env.principal,
            &entity_type,
            &entity_id,
            &features.unwrap_or_default(),
        )
        .await
        .map_err(gql)?;
    Ok(node(answer))
}

pub(super) async fn batch(
    ctx: &Context<'_>,
    entities: Vec<EntityInput>,
    features: Option<Vec<String>>,
) -> async_graphql::Result<Vec<EntityFeatureVectors>> {
    let env = env(ctx)?;
    let keys = entities
        .iter()
        .enumerate()
        .map(|(i, e)| {
            EntityKey::parse(&e.entity_type, &e.entity_id)
                .map_err(|error| invalid(&format!("entities[{i}].{}", error.field), error.reason))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let answers = env
        .services
        .features_batch(env.principal, &keys, &features.unwrap_or_default())
        .await
        .map_err(gql)?;
    Ok(answers.into_iter().map(node).collect())
}
