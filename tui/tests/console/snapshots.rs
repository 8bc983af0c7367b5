//! Snapshots of whole screens.
