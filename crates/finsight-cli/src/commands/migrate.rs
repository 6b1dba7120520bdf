//! `finsight migrate`: applies the database migrations (building the app
//! does) and says so.

use crate::app::App;

pub fn run(_app: &App) {
    say!("migrations applied");
}
