//! The `Node` handle and its operations: the handle itself in `handle` (what modules below the
//! operations name), opening and creating a node in `open`, each group of operations in its own
//! child (`impl Node` blocks), the pieces several children share in small siblings (`fields`,
//! `feed_bump`, `new_case`, `paths`, `passphrase`). Children import their siblings by name,
//! never this module: it only declares them and re-exports what the crate names as `node::…`.

mod accounts;
mod apology;
mod cases;
mod catalog;
mod corrections;
mod due;
mod edits;
pub(crate) mod feed_bump;
mod fields;
pub(crate) mod fold;
pub(crate) mod handle;
mod intake;
mod new_case;
mod officers;
mod open;
pub(crate) mod passphrase;
pub mod paths;
mod payments;
mod read;
mod registry;
pub(crate) mod repack_live;
mod results;
mod rules;
mod storage;
mod supplement;
mod tracks;

pub use apology::ApologyInput;
pub use catalog::{CatalogVersion, META_CATALOG};
pub use due::DueRecompute;
pub(crate) use fields::check_field_input;
pub use fold::{BACKGROUND_AT, CaseStorage, MAX_CHUNKS, SMALL_DOC_BYTES};
pub use handle::{COMPACT_AFTER, Node, SYSTEM_OFFICER};
pub use intake::{DeclaredInput, ExtractImportReport, ExtractLabel, ExtractMeta, RecheckReport};
pub use new_case::{DeclaredIntake, ImportedPast, NewCase, Prefill};
pub use open::InitOptions;
pub use passphrase::one_time_passphrase;
pub use payments::NewPayment;
pub use read::{CaseQuery, EXACT_RANK_MAX, NodeStatus};
pub use repack_live::{REPACK_SLACK_FROM, REPACK_STEP_BYTES, Repacked};
pub use results::ResultInput;
pub use rules::Rules;
pub use supplement::SupplementInput;
pub use tracks::{TrackDue, track_clock, track_rows};
