//! One representative value of every [`NodeError`] variant (and of every variant of the typed
//! reasons it wraps), so the messages built from them — the CLI's line and exit code, the
//! console's Vietnamese sentence — can be tested for all of them. A node test checks that the
//! list covers every variant: adding a variant without an example fails to build or to test.

use std::path::PathBuf;

use hoso_schemas::{
    CatalogError, CitizenId, FieldError, Role, Status, UnknownProcedure, WorkflowError,
};

use super::*;
use crate::audit::checkpoint::NoteError;
use crate::config::NodeRole;
use crate::ids::{CaseId, NodeId};
use crate::ingest::quarantine::RefusalKind;
use crate::store::error::StoreError;

fn path(name: &str) -> PathBuf {
    PathBuf::from("/var/lib/hoso").join(name)
}

fn toml_de() -> toml::de::Error {
    match toml::from_str::<toml::Table>("garbage[") {
        Err(e) => e,
        Ok(_) => unreachable!("`garbage[` is not TOML"),
    }
}

fn code() -> String {
    "000.20.06.112-261201-0001".to_string()
}

/// Every variant of [`ConfigError`].
pub fn config_errors() -> Vec<ConfigError> {
    vec![
        ConfigError::UnknownRole("xa".into()),
        ConfigError::BadRealm("abc".into()),
        ConfigError::BadProvince("2".into()),
        ConfigError::CommuneMissing,
        ConfigError::BadCommune("611".into()),
        ConfigError::BadUnitCode("a b".into()),
        ConfigError::Unreadable {
            path: path("node.toml"),
            message: "key with no value, expected `=`".into(),
            source: Box::new(toml_de()),
        },
        ConfigError::Catalog(CatalogError::NoFiles {
            dir: "catalog".into(),
        }),
        ConfigError::Holidays(CatalogError::NoFiles {
            dir: "holidays.toml".into(),
        }),
    ]
}

/// Every variant of [`PeerError`].
pub fn peer_errors() -> Vec<PeerError> {
    vec![
        PeerError::Unreadable {
            path: path("peers.toml"),
            message: "key with no value, expected `=`".into(),
            source: Box::new(toml_de()),
        },
        PeerError::TooManyInFile {
            path: path("peers.toml"),
            max: 4096,
        },
        PeerError::TooMany { max: 4096 },
        PeerError::OwnId,
        PeerError::BadAddr("10.0.0.1".into()),
        PeerError::CommuneScopeMissing,
        PeerError::BadScope {
            code: "1".into(),
            role: NodeRole::Hub,
        },
        PeerError::BadScope {
            code: "1".into(),
            role: NodeRole::Commune,
        },
    ]
}

/// Every variant of [`AuditError`] (and of [`CosignRefusal`]).
pub fn audit_errors() -> Vec<AuditError> {
    let mut out: Vec<AuditError> = [
        CosignRefusal::Malformed(NoteError("body must have 5 lines")),
        CosignRefusal::NotOwnNote,
        CosignRefusal::BadWitnessSignature,
        CosignRefusal::AheadOfChain,
        CosignRefusal::ChainMismatch,
    ]
    .into_iter()
    .map(AuditError::CosignRefused)
    .collect();
    out.extend([
        AuditError::OfficerIdTooLong {
            officer: "x".repeat(80),
            max: 64,
        },
        AuditError::TooManyChanges { max: 1024 },
        AuditError::BatchTooLarge { max: 4096 },
        AuditError::BundleRecordTooLarge,
        AuditError::NoSuchEntry {
            origin: "e1742c1f".into(),
            seq: 7,
            case: CaseId([7; 16]),
        },
    ]);
    out
}

/// Every variant of [`EncodeError`].
pub fn encode_errors() -> Vec<EncodeError> {
    let Err(json) = serde_json::from_str::<u8>("x") else {
        unreachable!("`x` is not JSON")
    };
    vec![
        EncodeError::Json {
            what: "the chain head",
            source: json,
        },
        EncodeError::Toml {
            what: "node.toml",
            source: Box::new(<toml::ser::Error as serde::ser::Error>::custom(
                "unsupported value",
            )),
        },
    ]
}

/// Every variant of [`IngestError`].
pub fn ingest_errors() -> Vec<IngestError> {
    let id = CaseId([3; 16]);
    vec![
        IngestError::Refused {
            id,
            kind: RefusalKind::Unaccounted,
            reason: "no audit entry accounts for change 1a2b".into(),
        },
        IngestError::Refused {
            id,
            kind: RefusalKind::OutOfScope,
            reason: "commune 06113 is not this node's".into(),
        },
        IngestError::Refused {
            id,
            kind: RefusalKind::Invalid,
            reason: "not a document".into(),
        },
        IngestError::NothingMerged,
    ]
}

/// Every variant of [`Refusal`].
pub fn refusals() -> Vec<Refusal> {
    vec![
        Refusal::NothingToSet,
        Refusal::AlreadyImported {
            file: "cases.jsonl".into(),
            before: Box::new(ImportedBefore {
                blake3: "b1e780e4212b7e31".into(),
                at: "01/12/2026 18:17".into(),
                officer: "canbo01".into(),
                cases: 2,
                first_file: "cases.jsonl".into(),
            }),
        },
        Refusal::NothingToChange,
        Refusal::EmptyNote,
        Refusal::EmptyOfficerName,
        Refusal::EmptyFirstOfficerName,
        Refusal::OfficerExists("canbo01".into()),
        Refusal::FieldsFrozen {
            receipt_code: code(),
            status: Status::Returned,
        },
        Refusal::NoSuchTrack {
            receipt_code: code(),
            track: "permanent_residence".into(),
            tracks: "birth_registration".into(),
        },
        Refusal::ReceiptCodeExists(code()),
        Refusal::AuthorMayNot {
            author: "the node".into(),
            action: "record a payment".into(),
        },
        Refusal::NeedsSupervisor,
        Refusal::BadOfficerId("Cán bộ".into()),
        Refusal::ShortPassphrase,
        Refusal::ImportHistory {
            entry: 2,
            problem: "goes back to received".into(),
        },
        Refusal::ForeignAttribution {
            what: "note 1".into(),
            named: "lanhdao01".into(),
            importer: "canbo01".into(),
        },
    ]
}

/// Every variant of [`IntakeError`].
pub fn intake_errors() -> Vec<IntakeError> {
    vec![
        IntakeError::NoFee {
            receipt_code: code(),
            procedure: "birth_registration".into(),
        },
        IntakeError::FeeMismatch {
            receipt_code: code(),
            expected: 8_000,
            given: 5_000,
            channel: "Trực tiếp".into(),
        },
        IntakeError::ExemptionWithoutReason,
        IntakeError::NoPaymentReference {
            method: "transfer".into(),
        },
        IntakeError::AlreadyPaid {
            receipt_code: code(),
            at: "2026-12-01T08:00:00+07:00".into(),
        },
        IntakeError::NotPaid {
            receipt_code: code(),
        },
        IntakeError::CaseEnded {
            receipt_code: code(),
            status: "returned".into(),
            action: "a payment".into(),
        },
        IntakeError::BadDeclaration {
            what: "date of birth".into(),
            hint: "dd/mm/yyyy".into(),
        },
        IntakeError::CommuneOutsideProvince {
            code: "99999".into(),
            province: "20".into(),
        },
        IntakeError::CitizenInExtract {
            citizen_id: "020190000001".into(),
        },
        IntakeError::RecomputeNeedsSupervisor,
    ]
}

/// Every variant of [`LifecycleError`].
pub fn lifecycle_errors() -> Vec<LifecycleError> {
    vec![
        LifecycleError::TrackWaits {
            receipt_code: code(),
            track: "permanent_residence".into(),
            after: "birth_registration".into(),
            after_status: Status::Received,
        },
        LifecycleError::BundleEnded {
            receipt_code: code(),
            status: Status::Returned,
        },
        LifecycleError::TracksOpen {
            receipt_code: code(),
            to: Status::Decided,
            open: "permanent_residence (in_process)".into(),
        },
        LifecycleError::NoResult {
            receipt_code: code(),
            track: None,
        },
        LifecycleError::ResultNotNow {
            receipt_code: code(),
            track: Some("birth_registration".into()),
            status: Status::Received,
        },
        LifecycleError::ResultDate {
            date: "02/12/2026".into(),
            received: "01/11/2026".into(),
            today: "01/12/2026".into(),
        },
        LifecycleError::Empty {
            what: "the result number".into(),
            hint: "pass --number".into(),
        },
        LifecycleError::UnknownChannel("email".into()),
        LifecycleError::SecondSupplement {
            receipt_code: code(),
            previous: 1,
        },
        LifecycleError::SupplementDeadline {
            deadline: "01/12/2026".into(),
            today: "01/12/2026".into(),
        },
        LifecycleError::NoSupplementLimit {
            procedure: "birth_registration".into(),
        },
        LifecycleError::ApologyNeedsSupervisor,
        LifecycleError::ApologyTooLate {
            receipt_code: code(),
            due: "30/11/2026".into(),
            today: "01/12/2026".into(),
            status: Status::InProcess,
        },
        LifecycleError::ApologyDate {
            new: "01/12/2026".into(),
            current: "02/12/2026".into(),
        },
        LifecycleError::TrackNotOpen {
            receipt_code: code(),
            track: "permanent_residence".into(),
            status: Status::Received,
        },
    ]
}

/// Every variant of [`StoreError`].
pub fn store_errors() -> Vec<StoreError> {
    let case = CaseId([5; 16]);
    vec![
        StoreError::Missing {
            path: path("store.redb"),
        },
        StoreError::Empty {
            path: path("store.redb"),
        },
        StoreError::KeyMissing {
            path: path("node.key"),
        },
        StoreError::Foreign {
            path: path("store.redb"),
            store: NodeId([1; 32]),
            key: NodeId([2; 32]),
        },
        StoreError::NoGenesis {
            path: path("store.redb"),
        },
        StoreError::TooNew {
            path: path("store.redb"),
            format: 9,
            supported: 2,
        },
        StoreError::Migration {
            path: path("store.redb"),
            from: 1,
            to: 2,
            detail: "table missing".into(),
        },
        StoreError::DamagedCase {
            case,
            detail: "checksum".into(),
        },
        StoreError::CorruptSummary {
            case,
            detail: "bad json".into(),
        },
        StoreError::CorruptChainHead {
            path: path("store.redb"),
            detail: "bad json".into(),
        },
        StoreError::WorkerPanicked("index out of bounds".into()),
    ]
}

/// Every kind of [`LimitExceeded`].
pub fn limits() -> Vec<LimitExceeded> {
    [
        Limited::Note,
        Limited::TransitionNote,
        Limited::Field,
        Limited::Name,
        Limited::DocBytes,
        Limited::DocChanges,
        Limited::ImportLine,
        Limited::RegistryLine,
        Limited::ImportPast,
    ]
    .into_iter()
    .map(|what| LimitExceeded {
        what,
        limit: 100,
        actual: 101,
    })
    .collect()
}

/// Representative values of every [`NodeError`] variant, with every variant of the typed
/// reasons above wrapped in theirs.
pub fn all() -> Vec<NodeError> {
    let mut out = vec![
        NodeError::io(&path("peers.toml"), std::io::Error::other("disk full")),
        NodeError::NotInitialized { dir: path("") },
        NodeError::AlreadyInitialized { dir: path("") },
        NodeError::StoreLocked {
            path: path("store.redb"),
        },
        NodeError::Corrupt {
            what: "officer canbo01".into(),
            detail: "bad hash".into(),
        },
        NodeError::Store(Box::new(redb::Error::DatabaseAlreadyOpen)),
        NodeError::Document("missing object".into()),
        NodeError::UnknownProcedure(UnknownProcedure {
            code: "no_such_procedure".into(),
            known: vec!["birth_registration".into()],
        }),
        NodeError::Field(FieldError {
            field: "purpose".into(),
            value: "x".into(),
            message: "must be one of: ...".into(),
        }),
        NodeError::UnknownField {
            procedure: "birth_registration".into(),
            field: "colour".into(),
        },
        NodeError::MissingFields {
            procedure: "judicial_record".into(),
            fields: vec!["purpose".into()],
        },
        NodeError::RegistryField {
            field: "full_name".into(),
        },
        NodeError::CorrectionNeedsReason {
            field: "father_full_name".into(),
        },
        NodeError::Workflow(WorkflowError::NotAllowed {
            procedure: "birth_registration".into(),
            from: Status::Returned,
            to: Status::InProcess,
            allowed: vec![],
        }),
        NodeError::Workflow(WorkflowError::RoleNotAllowed {
            procedure: "birth_registration".into(),
            from: Status::InProcess,
            to: Status::Decided,
            role: Role::Officer,
            roles: vec![Role::Supervisor],
        }),
        NodeError::UnknownCitizen("020190000001".into()),
        NodeError::CaseNotFound("261201-0009".into()),
        NodeError::UnknownOfficer("canbo09".into()),
        NodeError::NoOfficer,
        NodeError::WrongPassphrase("canbo01".into()),
        NodeError::NotPermitted {
            officer: "kiemtra01".into(),
            role: "auditor".into(),
            action: "receive a case".into(),
        },
        NodeError::ImportLine {
            file: "cases.jsonl".into(),
            line: 3,
            message: "not JSON".into(),
        },
        NodeError::ControlChar(ControlChar {
            what: "note".into(),
            at: 3,
            code: 0x1b,
        }),
        NodeError::NoSession,
        NodeError::SessionRefused {
            path: path("session.json"),
            reason: "another OS user opened it".into(),
        },
        NodeError::SessionExpired {
            officer: "canbo01".into(),
            at: "01/12/2026 16:00".into(),
        },
        NodeError::SessionOfficer {
            session: "canbo01".into(),
            given: "canbo02".into(),
        },
        NodeError::LoginThrottled {
            officer: "canbo01".into(),
            wait_secs: 30,
        },
        NodeError::BadDocument {
            source: Box::new(automerge::AutomergeError::InvalidIndex(9)),
        },
        NodeError::PassphraseHash {
            cause: argon2::password_hash::Error::Password,
        },
        NodeError::Automerge(Box::new(automerge::AutomergeError::InvalidIndex(2))),
    ];
    for s in ["12345", "0201900000x1"] {
        if let Err(e) = CitizenId::parse(s) {
            out.push(NodeError::CitizenId(e));
        }
    }
    out.extend(store_errors().into_iter().map(NodeError::Integrity));
    out.extend(refusals().into_iter().map(NodeError::Refused));
    out.extend(intake_errors().into_iter().map(NodeError::Intake));
    out.extend(lifecycle_errors().into_iter().map(NodeError::Lifecycle));
    out.extend(limits().into_iter().map(NodeError::TooLarge));
    out.extend(config_errors().into_iter().map(NodeError::Config));
    out.extend(peer_errors().into_iter().map(NodeError::Peer));
    out.extend(audit_errors().into_iter().map(NodeError::Audit));
    out.extend(encode_errors().into_iter().map(NodeError::Encode));
    out.extend(ingest_errors().into_iter().map(NodeError::Ingest));
    out.extend(account_errors().into_iter().map(NodeError::Account));
    out.extend(backup_errors().into_iter().map(NodeError::Backup));
    out.extend(restore_errors().into_iter().map(NodeError::Restore));
    out.extend(
        catalog_bundle_errors()
            .into_iter()
            .map(NodeError::CatalogBundle),
    );
    out
}

/// Every variant of [`crate::catalog_bundle::CatalogBundleError`].
pub fn catalog_bundle_errors() -> Vec<crate::catalog_bundle::CatalogBundleError> {
    use crate::catalog_bundle::CatalogBundleError as E;
    vec![
        E::Malformed {
            what: "it ends inside a file".into(),
        },
        E::TooLarge {
            what: "the bundle",
            size: 5 << 20,
            limit: 4 << 20,
        },
        E::BadPath {
            path: "../node.key".into(),
        },
        E::BadHash,
        E::BadSignature {
            publisher: "f499b447d0d4e551".into(),
        },
        E::WrongRealm,
        E::NotNewer {
            held: 3,
            offered: 2,
        },
        E::NotFromHub {
            peer: "Xã Bình Gia".into(),
        },
        E::NotHub,
        E::Invalid(CatalogError::NoFiles {
            dir: "catalog".into(),
        }),
        E::NoCatalog,
        E::ReasonRequired,
        E::UnknownVersion { version: 4 },
    ]
}

/// Every variant of [`AccountError`].
pub fn account_errors() -> Vec<AccountError> {
    vec![
        AccountError::Disabled {
            officer: "canbo01".into(),
        },
        AccountError::MustChangePassphrase {
            officer: "canbo01".into(),
        },
        AccountError::SelfDisable {
            officer: "lanhdao01".into(),
        },
        AccountError::AlreadyDisabled {
            officer: "canbo01".into(),
        },
        AccountError::SamePassphrase,
    ]
}

/// Every variant of [`crate::backup::BackupError`].
pub fn backup_errors() -> Vec<crate::backup::BackupError> {
    use crate::backup::BackupError;
    vec![
        BackupError::UnknownTable("new-table-1".into()),
        BackupError::Malformed {
            path: path("bg.hoso-backup"),
            what: "it ends early (a truncated copy)".into(),
        },
        BackupError::Checksum {
            path: path("bg.hoso-backup"),
        },
    ]
}

/// Every variant of [`crate::restore::RestoreError`].
pub fn restore_errors() -> Vec<crate::restore::RestoreError> {
    use crate::restore::RestoreError;
    vec![
        RestoreError::Pending,
        RestoreError::NotEmpty { dir: path("") },
        RestoreError::NotRestoring,
        RestoreError::SelfSuccession,
        RestoreError::AlreadyRetired {
            node: "f499b447d0d4e551".into(),
            successor: "0a1b2c3d4e5f6071".into(),
        },
        RestoreError::Incarnations,
    ]
}

/// How many variants [`NodeError`] has.
#[cfg(test)]
const VARIANTS: usize = 45;

/// The variant's position; no wildcard, so a new variant must be counted here.
#[cfg(test)]
fn variant(e: &NodeError) -> usize {
    match e {
        NodeError::Io { .. } => 0,
        NodeError::NotInitialized { .. } => 1,
        NodeError::AlreadyInitialized { .. } => 2,
        NodeError::StoreLocked { .. } => 3,
        NodeError::Corrupt { .. } => 4,
        NodeError::Integrity(_) => 5,
        NodeError::Store(_) => 6,
        NodeError::Document(_) => 7,
        NodeError::UnknownProcedure(_) => 8,
        NodeError::Field(_) => 9,
        NodeError::UnknownField { .. } => 10,
        NodeError::MissingFields { .. } => 11,
        NodeError::RegistryField { .. } => 12,
        NodeError::Workflow(_) => 13,
        NodeError::CitizenId(_) => 14,
        NodeError::UnknownCitizen(_) => 15,
        NodeError::CaseNotFound(_) => 16,
        NodeError::UnknownOfficer(_) => 17,
        NodeError::NoOfficer => 18,
        NodeError::WrongPassphrase(_) => 19,
        NodeError::NotPermitted { .. } => 20,
        NodeError::ImportLine { .. } => 21,
        NodeError::Refused(_) => 22,
        NodeError::Intake(_) => 23,
        NodeError::TooLarge(_) => 24,
        NodeError::Lifecycle(_) => 25,
        NodeError::ControlChar(_) => 26,
        NodeError::NoSession => 27,
        NodeError::SessionRefused { .. } => 28,
        NodeError::SessionExpired { .. } => 29,
        NodeError::SessionOfficer { .. } => 30,
        NodeError::LoginThrottled { .. } => 31,
        NodeError::Config(_) => 32,
        NodeError::Peer(_) => 33,
        NodeError::Audit(_) => 34,
        NodeError::Encode(_) => 35,
        NodeError::Ingest(_) => 36,
        NodeError::BadDocument { .. } => 37,
        NodeError::PassphraseHash { .. } => 38,
        NodeError::Automerge(_) => 39,
        NodeError::CorrectionNeedsReason { .. } => 40,
        NodeError::Account(_) => 41,
        NodeError::Backup(_) => 42,
        NodeError::Restore(_) => 43,
        NodeError::CatalogBundle(_) => 44,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_examples_cover_every_variant() {
        let mut seen = [false; VARIANTS];
        for e in all() {
            seen[variant(&e)] = true;
        }
        let missing: Vec<usize> = (0..VARIANTS).filter(|i| !seen[*i]).collect();
        assert!(missing.is_empty(), "variants with no example: {missing:?}");
    }

    #[test]
    fn every_message_is_one_line() {
        for e in all() {
            let m = e.to_string();
            assert!(!m.contains('\n'), "{m}");
            assert!(!m.is_empty());
        }
    }
}
