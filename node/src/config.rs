//! The node's settings file, `node.toml` in the data dir: name, role, scope, receipt unit code.

use std::fs;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, EncodeError, NodeError, Result};
pub use crate::role::NodeRole;

impl std::str::FromStr for NodeRole {
    type Err = NodeError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "commune" => Ok(NodeRole::Commune),
            "hub" => Ok(NodeRole::Hub),
            other => {
                Err(ConfigError::UnknownRole(crate::text::escape_line(other).into_owned()).into())
            }
        }
    }
}

/// Contents of `node.toml`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeConfig {
    /// Display name, e.g. "Bình Gia".
    pub name: String,
    /// Commune or hub.
    pub role: NodeRole,
    /// Province code (2 digits).
    pub province: String,
    /// Commune code (5 digits); a hub has none.
    pub commune: Option<String>,
    /// Receiving-unit code that prefixes receipt codes (Circular 01/2018 Art. 19).
    pub unit_code: String,
    /// Address the sync endpoint listens on.
    pub listen: String,
    /// Deployment id (hex, 16 bytes) shared by every node of one deployment.
    pub realm: String,
    /// Bumped when a node is restored from backup, so its Automerge actor is fresh.
    #[serde(default)]
    pub incarnation: u32,
}

impl NodeConfig {
    /// The default receiving-unit code for a scope: `000.PP.CC.CCC` (province, then the 5-digit
    /// commune code split to fit the Art. 19 pattern), `000.PP.00.000` for a hub.
    pub fn default_unit_code(province: &str, commune: Option<&str>) -> String {
        let c = commune.unwrap_or("00000");
        format!(
            "000.{}.{}.{}",
            province,
            c.get(..2).unwrap_or("00"),
            c.get(2..).unwrap_or("000")
        )
    }

    /// The default realm of a province.
    pub fn default_realm(province: &str) -> String {
        let k = blake3::derive_key(
            "hoso 2026 realm v1",
            format!("vn-province-{province}").as_bytes(),
        );
        crate::ids::hex(&k[..16])
    }

    /// The realm as bytes.
    pub fn realm_bytes(&self) -> Result<[u8; 16]> {
        let bytes = self.realm.as_bytes();
        let bad = || NodeError::from(ConfigError::BadRealm(self.realm.clone()));
        if bytes.len() != 32 {
            return Err(bad());
        }
        let mut out = [0u8; 16];
        for (i, pair) in bytes.chunks_exact(2).enumerate() {
            let s = std::str::from_utf8(pair).map_err(|_| bad())?;
            out[i] = u8::from_str_radix(s, 16).map_err(|_| bad())?;
        }
        Ok(out)
    }

    /// Checks codes and shapes.
    pub fn validate(&self) -> Result<()> {
        if self.province.len() != 2 || !self.province.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ConfigError::BadProvince(self.province.clone()).into());
        }
        match (self.role, &self.commune) {
            (NodeRole::Commune, None) => {
                return Err(ConfigError::CommuneMissing.into());
            }
            (_, Some(c)) if c.len() != 5 || !c.bytes().all(|b| b.is_ascii_digit()) => {
                return Err(ConfigError::BadCommune(c.clone()).into());
            }
            _ => {}
        }
        if self.unit_code.is_empty()
            || self.unit_code.len() > 40
            || !self
                .unit_code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.')
        {
            return Err(ConfigError::BadUnitCode(self.unit_code.clone()).into());
        }
        self.realm_bytes()?;
        Ok(())
    }

    /// Reads and validates `node.toml`.
    pub fn read(path: &Path) -> Result<Self> {
        let text = fs::read_to_string(path).map_err(|e| NodeError::io(path, e))?;
        let cfg: NodeConfig = toml::from_str(&text).map_err(|source| ConfigError::Unreadable {
            path: path.to_path_buf(),
            message: crate::error::toml_message(&text, &source),
            source: Box::new(source),
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Writes `node.toml`.
    pub fn write(&self, path: &Path) -> Result<()> {
        let text = toml::to_string_pretty(self).map_err(EncodeError::toml("node.toml"))?;
        fs::write(path, text).map_err(|e| NodeError::io(path, e))
    }
}
