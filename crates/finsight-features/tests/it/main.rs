//! Integration tests of the feature store's pure engine and its online
//! stores (the Redis one against the real server at 127.0.0.1:6379).

mod online_equals_offline;
