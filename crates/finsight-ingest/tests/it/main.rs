//! Integration tests of finsight-ingest.
