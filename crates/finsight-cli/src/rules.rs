//! `finsight rules`: a user's categorization rules ("description contains
//! X → category Y") from the command line.

use std::sync::Arc;

use clap::Subcommand;
use finsight_store::Store;
use time::OffsetDateTime;

use crate::{audit, parse_user};

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Add a rule; it applies to new transactions and, with `finsight
    /// process`, to those not yet processed.
    Add {
        #[arg(long, value_name = "USER_ID")]
        user: String,
        /// Text the description must contain (case-insensitive).
        #[arg(long, value_name = "TEXT")]
        contains: String,
        /// The category path, e.g. dining.coffee.
        #[arg(long)]
        category: String,
        /// Higher wins when several rules match.
        #[arg(long, default_value_t = 0)]
        priority: i32,
    },
    /// List a user's rules.
    List {
        #[arg(long, value_name = "USER_ID")]
        user: String,
    },
    /// Delete one of a user's rules.
    Delete {
        #[arg(long, value_name = "USER_ID")]
        user: String,
        id: uuid::Uuid,
    },
}

pub async fn run(store: &Arc<dyn Store>, command: RulesCommand) -> anyhow::Result<()> {
    match command {
        RulesCommand::Add {
            user,
            contains,
            category,
            priority,
        } => {
            let user = parse_user(&user)?;
            anyhow::ensure!(
                store.users().await?.iter().any(|u| u.id == user),
                "user: {user} does not exist"
            );
            let rule = finsight_core::CategoryRule {
                id: uuid::Uuid::new_v4(),
                user_id: user,
                pattern: finsight_core::CategoryRule::parse_pattern(&contains)
                    .map_err(|e| anyhow::anyhow!("contains: {}", e.reason))?,
                category: finsight_core::Taxonomy::default_tree()
                    .resolve(&category)
                    .map_err(|e| anyhow::anyhow!("category: {}", e.reason))?,
                priority,
            };
            store
                .add_category_rule(&rule, OffsetDateTime::now_utc())
                .await?;
            say!("added rule {}", rule.id);
        }
        RulesCommand::List { user } => {
            for rule in store.rules_of_users(&[parse_user(&user)?]).await? {
                say!(
                    "{}  {:>3}  {:?} → {}",
                    rule.id,
                    rule.priority,
                    rule.pattern,
                    rule.category
                );
            }
        }
        RulesCommand::Delete { user, id } => {
            anyhow::ensure!(
                store.delete_category_rule(parse_user(&user)?, id).await?,
                "id: the user has no rule {id}"
            );
            audit(
                store,
                "rule.delete",
                &id.to_string(),
                format!("user={user}"),
            )
            .await?;
            say!("deleted rule {id}");
        }
    }
    Ok(())
}
