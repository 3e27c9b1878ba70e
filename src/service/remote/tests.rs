//! Tests of the remote engine adapter.
