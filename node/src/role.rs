//! What a node is in the province: a commune service center or a provincial hub.

use serde::{Deserialize, Serialize};

/// What a node is in the province.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeRole {
    /// A commune service center.
    Commune,
    /// A provincial hub that aggregates its communes.
    Hub,
}

impl NodeRole {
    /// The word.
    pub fn as_str(self) -> &'static str {
        match self {
            NodeRole::Commune => "commune",
            NodeRole::Hub => "hub",
        }
    }
}
