//! A new node's store: created by `init` and nowhere else, in one transaction that records the
//! node it belongs to, the chain's genesis and actor binding, and the first officer.

use std::path::Path;

use hoso_schemas::Role;

use crate::audit::append::{NewEntry, append};
use crate::audit::head::ChainHead;
use crate::chain::entry::Action;
use crate::config::NodeConfig;
use crate::error::{EncodeError, Refusal, Result};
use crate::identity::NodeKey;
use crate::ids::{CaseId, actor_for};
use crate::node::handle::SYSTEM_OFFICER;
use crate::officer::{self, Officer};
use crate::store::tables::OFFICERS;

/// The node's first officer account, created with its store (`hoso init --officer`). Every
/// later account is created by a supervisor.
#[derive(Clone, Debug)]
pub struct FirstOfficer {
    /// Login id.
    pub id: String,
    /// Full name.
    pub name: String,
    /// Role (a supervisor, so that someone may add the others).
    pub role: Role,
    /// Passphrase (hashed before it is stored).
    pub passphrase: String,
}

impl FirstOfficer {
    /// The account to store: validated id and name, hashed passphrase.
    pub fn account(&self) -> Result<Officer> {
        officer::validate_id(&self.id)?;
        if self.name.trim().is_empty() {
            return Err(Refusal::EmptyFirstOfficerName.into());
        }
        Ok(Officer {
            id: self.id.clone(),
            name: hoso_schemas::nfc(self.name.trim()),
            role: self.role,
            passphrase_hash: officer::hash_passphrase(&self.passphrase)?,
            created_at: crate::deadline::now().to_rfc3339(),
            disabled_at: None,
            must_change: false,
        })
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn json(v: serde_json::Value) -> Vec<u8> {
    serde_json::to_vec(&v).unwrap_or_default()
}

/// Creates the store at `path` for the node of `key` and `config`, with its genesis entries and
/// (when given) its first officer, in one durable transaction.
pub(crate) fn create(
    path: &Path,
    key: &NodeKey,
    config: &NodeConfig,
    first: Option<&Officer>,
) -> Result<()> {
    let db = super::create(path)?;
    let realm = config.realm_bytes()?;
    let actor = actor_for(&key.id(), config.incarnation);
    let tx = db.begin_write()?;
    super::set_origin(&tx, &key.id())?;
    let info = serde_json::json!({
        "name": config.name,
        "role": config.role,
        "province": config.province,
        "commune": config.commune,
    });
    let (_, head) = append(
        &tx,
        key,
        realm,
        &ChainHead::default(),
        NewEntry {
            officer: SYSTEM_OFFICER,
            action: Action::Genesis,
            case_id: CaseId::NONE,
            actor: [0; 16],
            heads_before: vec![],
            changes: vec![],
            payload: &json(info),
            now_ms: now_ms(),
        },
    )?;
    let (_, head) = append(
        &tx,
        key,
        realm,
        &head,
        NewEntry {
            officer: SYSTEM_OFFICER,
            action: Action::ActorBind,
            case_id: CaseId::NONE,
            actor,
            heads_before: vec![],
            changes: vec![],
            payload: &json(serde_json::json!({"incarnation": config.incarnation})),
            now_ms: now_ms(),
        },
    )?;
    if let Some(off) = first {
        let bytes = serde_json::to_vec(off).map_err(EncodeError::json("an officer account"))?;
        tx.open_table(OFFICERS)?
            .insert(off.id.as_str(), bytes.as_slice())?;
        append(
            &tx,
            key,
            realm,
            &head,
            NewEntry {
                officer: SYSTEM_OFFICER,
                action: Action::OfficerAdd,
                case_id: CaseId::NONE,
                actor: [0; 16],
                heads_before: vec![],
                changes: vec![],
                payload: &json(
                    serde_json::json!({"officer": off.id, "name": off.name, "role": off.role}),
                ),
                now_ms: now_ms(),
            },
        )?;
    }
    tx.commit()?;
    Ok(())
}
