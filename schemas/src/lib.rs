//! # hoso-schemas
//!
//! The typed procedure catalog of hoso, the offline-first records system for Vietnamese
//! commune public-service centres: case statuses (the National Public Service Portal codes),
//! officer roles, procedures with their form fields and workflows, validation of field
//! values (dates, citizen ids, commune codes, …), Vietnamese text folding for search, and
//! the working-day calendar used for statutory deadlines.
//!
//! ```
//! use hoso_schemas::{Catalog, HolidayCalendar, Role, Status, fold};
//!
//! let catalog = Catalog::builtin()?;
//! let birth = catalog.procedure("birth_registration")?;
//! assert_eq!(birth.check_transition(Status::Received, Status::InProcess, Role::Officer), Ok(()));
//! assert_eq!(birth.field("child_sex").unwrap().validate("nu")?, "Nữ");
//! assert_eq!(fold("Đặng Văn Đức"), "dang van duc");
//!
//! let cal = HolidayCalendar::builtin()?;
//! let received = chrono::NaiveDate::from_ymd_opt(2026, 2, 13).unwrap();
//! // Tết 2026 (14–22 Feb) is skipped.
//! assert_eq!(cal.add_working_days(received, 1).to_string(), "2026-02-23");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Modules: [`catalog`] (every procedure file, checked and cross-linked; the on-disk format of
//! one file is the private `catalog_file`), [`catalog_error`] (load errors with file, line and
//! field path), [`procedure`], [`field`] (form fields and validation of typed values),
//! [`workflow`] (allowed transitions per role), [`status`] (the portal's status codes),
//! [`role`], [`deadline`] and [`clock`] (time limits and where a case stands against them),
//! [`calendar`] (working days and holidays), [`fee`], [`payment`], [`intake`] (channel and
//! portal code fields), [`registry_source`] (`population:` field sources), [`citizen_id`],
//! [`commune`](mod@commune) (Lạng Sơn's communes), [`sex`], [`text`] (NFC and accent-insensitive folding),
//! [`records`] (the case record format the node imports and the fixtures write).

#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod calendar;
pub mod catalog;
pub mod catalog_error;
mod catalog_file;
pub mod citizen_id;
pub mod clock;
pub mod commune;
pub mod deadline;
pub mod fee;
pub mod field;
pub mod intake;
pub mod payment;
pub mod procedure;
pub mod records;
pub mod registry_source;
pub mod role;
pub mod sex;
pub mod status;
pub mod text;
pub mod workflow;

pub use calendar::{BUILTIN_HOLIDAYS, CalendarDay, DayKind, HolidayCalendar};
pub use catalog::{BUILTIN_FILES, Catalog, UnknownProcedure};
pub use catalog_error::CatalogError;
pub use citizen_id::{CitizenId, CitizenIdError};
pub use clock::Clock;
pub use commune::{Commune, LANG_SON_COMMUNES, PROVINCE_LANG_SON, commune};
pub use deadline::{Deadline, default_same_day_cutoff, vn_offset};
pub use fee::{Fee, format_dong};
pub use field::{
    DEFAULT_MAX_LEN, FieldDef, FieldError, FieldLookup, FieldType, canonical_number, parse_date,
};
pub use intake::{CHANNEL_FIELD, Channel, PORTAL_CODE_FIELD, intake_fields};
pub use payment::PaymentMethod;
pub use procedure::{Procedure, TrackSpec};
pub use registry_source::{
    POPULATION_PREFIX, REGISTRY_ATTRS, REGISTRY_RELATIONS, RegistrySource, parse_source,
};
pub use role::{Role, UnknownRole, valid_role_words};
pub use sex::{Sex, UnknownSex};
pub use status::{Status, UnknownStatus, valid_status_words};
pub use text::{fold, is_nfc, nfc, tokens};
pub use workflow::{Transition, Workflow, WorkflowError};
