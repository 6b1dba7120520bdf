//! `finsight rules`: a user's categorization rules ("description contains
//! X → category Y") from the command line, through the same service (and
//! audit entries) as the API, as the operator.

use clap::Subcommand;

use super::parse_user;

use crate::app::App;

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

pub async fn run(app: &App, command: RulesCommand) -> anyhow::Result<()> {
    let services = &app.services;
    match command {
        RulesCommand::Add {
            user,
            contains,
            category,
            priority,
        } => {
            let user = parse_user(&user)?;
            let operator = super::operator_for(services, user).await?;
            // The command line also takes category names ("Dining >
            // Coffee"); the service takes the path they resolve to.
            let category = finsight_core::Taxonomy::default_tree()
                .resolve(&category)
                .map_err(|e| anyhow::anyhow!("category: {}", e.reason))?;
            let rule = services
                .add_rule(
                    &operator,
                    Some(user),
                    &contains,
                    category.as_str(),
                    Some(priority),
                )
                .await
                .map_err(super::describe)?;
            say!("added rule {}", rule.id);
        }
        RulesCommand::List { user } => {
            let user = parse_user(&user)?;
            let operator = super::operator_for(services, user).await?;
            let rules = services
                .rules(&operator, Some(user))
                .await
                .map_err(super::describe)?;
            for rule in rules {
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
            let user = parse_user(&user)?;
            let operator = super::operator_for(services, user).await?;
            services
                .delete_rule(&operator, Some(user), id)
                .await
                .map_err(super::describe)?;
            say!("deleted rule {id}");
        }
    }
    Ok(())
}
