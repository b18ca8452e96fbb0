//! Benchmarks against the paper (filled in below).
