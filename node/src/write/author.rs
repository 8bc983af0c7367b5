//! Who performs a write: the first thing the write path checks.

use hoso_schemas::Role;

use crate::ids::NodeId;
use crate::officer::Officer;

/// How an officer proved who they are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthMethod {
    /// The passphrase was checked just now ([`Node::authenticate`](crate::Node::authenticate)).
    Passphrase,
    /// A session opened by a passphrase check and still valid (`hoso login`).
    Session,
}

/// An officer whose identity was checked. There is no public constructor: one is obtained from
/// a successful passphrase check ([`Node::authenticate`](crate::Node::authenticate)) or, inside
/// this crate, from a valid session ([`AuthenticatedOfficer::from_session`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuthenticatedOfficer {
    officer: Officer,
    method: AuthMethod,
}

impl AuthenticatedOfficer {
    /// After a passphrase check.
    pub(crate) fn new(officer: Officer, method: AuthMethod) -> Self {
        AuthenticatedOfficer {
            officer: officer.public(),
            method,
        }
    }

    /// For the session module: an officer whose session (opened by a passphrase check) is
    /// still valid.
    pub(crate) fn from_session(officer: Officer) -> Self {
        Self::new(officer, AuthMethod::Session)
    }

    /// The officer id.
    pub fn id(&self) -> &str {
        &self.officer.id
    }
    /// The account as it was when authenticated (the write path re-reads the role from the
    /// store in its own transaction).
    pub fn officer(&self) -> &Officer {
        &self.officer
    }
    /// The role when authenticated.
    pub fn role(&self) -> Role {
        self.officer.role
    }
    /// How the identity was checked.
    pub fn method(&self) -> AuthMethod {
        self.method
    }
}

/// Read access to the account (`o.name`, `o.role`, `o.can_write()`).
impl std::ops::Deref for AuthenticatedOfficer {
    type Target = Officer;
    fn deref(&self) -> &Officer {
        &self.officer
    }
}

/// The author of a write.
#[derive(Clone, Debug)]
pub enum Author {
    /// An officer whose identity was checked.
    Officer(AuthenticatedOfficer),
    /// The node itself: set-up (`init`, the sample data) and maintenance it does on its own.
    Node,
    /// A verified sync peer, by node id (sync ingest).
    Peer(NodeId),
}

impl Author {
    /// The officer id recorded in the audit entry: the officer's id, or
    /// [`SYSTEM_OFFICER`](crate::node::SYSTEM_OFFICER) for the node and for peers (a peer's own
    /// entries carry its officers).
    pub fn audit_name(&self) -> &str {
        match self {
            Author::Officer(o) => o.id(),
            Author::Node | Author::Peer(_) => crate::node::handle::SYSTEM_OFFICER,
        }
    }

    /// Who it is, in a message.
    pub fn describe(&self) -> String {
        match self {
            Author::Officer(o) => format!("officer `{}`", o.id()),
            Author::Node => "the node itself".to_string(),
            Author::Peer(id) => format!("peer {}", id.short()),
        }
    }
}

impl From<AuthenticatedOfficer> for Author {
    fn from(o: AuthenticatedOfficer) -> Self {
        Author::Officer(o)
    }
}

impl From<&AuthenticatedOfficer> for Author {
    fn from(o: &AuthenticatedOfficer) -> Self {
        Author::Officer(o.clone())
    }
}
