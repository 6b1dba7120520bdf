//! Time as a dependency: services ask a [`Clock`] instead of reading the
//! system time, so tests fix it and the domain stays deterministic. The
//! system clock itself lives in the binary.

use time::OffsetDateTime;

pub trait Clock: Send + Sync {
    fn now(&self) -> OffsetDateTime;
}

/// A clock that always says the same instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub OffsetDateTime);

impl Clock for FixedClock {
    fn now(&self) -> OffsetDateTime {
        self.0
    }
}
