//! The `hoso bench sync` workload (filled in below).
