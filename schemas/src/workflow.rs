//! A procedure's workflow: which status transitions are allowed and for which roles.

use serde::{Deserialize, Serialize};

use crate::role::Role;
use crate::status::Status;

/// One allowed move of a case from one status to another, and the roles that may make it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    /// The status the case is in.
    pub from: Status,
    /// The status the case moves to.
    pub to: Status,
    /// The roles allowed to make the move (never empty in a loaded catalog).
    pub roles: Vec<Role>,
}

fn default_initial() -> Status {
    Status::Received
}

/// The status machine of a procedure (or of a bundle as a whole).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Workflow {
    /// The status a case starts in when received at the desk (default `received`).
    #[serde(default = "default_initial")]
    pub initial: Status,
    /// The allowed transitions, in catalog order.
    pub transitions: Vec<Transition>,
}

impl Default for Workflow {
    fn default() -> Self {
        Workflow {
            initial: default_initial(),
            transitions: Vec::new(),
        }
    }
}

/// A transition a procedure's workflow does not allow.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    /// No transition `from -> to` exists for any role.
    #[error(
        "procedure `{procedure}` does not allow `{from}` -> `{to}`; from `{from}` it allows: {}",
        list_or_nothing(allowed)
    )]
    NotAllowed {
        /// The procedure code.
        procedure: String,
        /// The current status.
        from: Status,
        /// The requested status.
        to: Status,
        /// The statuses reachable from `from` (any role), in catalog order.
        allowed: Vec<Status>,
    },
    /// The transition exists but not for this role.
    #[error(
        "role `{role}` may not move a case `{from}` -> `{to}` (needs: {})",
        roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", ")
    )]
    RoleNotAllowed {
        /// The procedure code.
        procedure: String,
        /// The current status.
        from: Status,
        /// The requested status.
        to: Status,
        /// The role that tried.
        role: Role,
        /// The roles that may make this transition.
        roles: Vec<Role>,
    },
}

fn list_or_nothing(allowed: &[Status]) -> String {
    if allowed.is_empty() {
        "nothing (no transition leaves this status)".to_string()
    } else {
        allowed
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl Workflow {
    /// The transitions leaving `from`, in catalog order.
    pub fn transitions_from(&self, from: Status) -> impl Iterator<Item = &Transition> {
        self.transitions.iter().filter(move |t| t.from == from)
    }

    /// The statuses reachable from `from` by any role, deduplicated, in catalog order.
    pub fn targets(&self, from: Status) -> Vec<Status> {
        let mut out = Vec::new();
        for t in self.transitions_from(from) {
            if !out.contains(&t.to) {
                out.push(t.to);
            }
        }
        out
    }

    /// The statuses `role` may move a case to from `from`, deduplicated, in catalog order.
    pub fn next_statuses(&self, from: Status, role: Role) -> Vec<Status> {
        let mut out = Vec::new();
        for t in self.transitions_from(from) {
            if t.roles.contains(&role) && !out.contains(&t.to) {
                out.push(t.to);
            }
        }
        out
    }

    /// Checks that `role` may move a case of `procedure` from `from` to `to`.
    pub fn check(
        &self,
        procedure: &str,
        from: Status,
        to: Status,
        role: Role,
    ) -> Result<(), WorkflowError> {
        let matching: Vec<&Transition> =
            self.transitions_from(from).filter(|t| t.to == to).collect();
        if matching.is_empty() {
            return Err(WorkflowError::NotAllowed {
                procedure: procedure.to_string(),
                from,
                to,
                allowed: self.targets(from),
            });
        }
        if matching.iter().any(|t| t.roles.contains(&role)) {
            return Ok(());
        }
        let mut roles = Vec::new();
        for r in matching.iter().flat_map(|t| t.roles.iter()) {
            if !roles.contains(r) {
                roles.push(*r);
            }
        }
        Err(WorkflowError::RoleNotAllowed {
            procedure: procedure.to_string(),
            from,
            to,
            role,
            roles,
        })
    }

    /// Statuses reachable from `initial` (including it), in national-code order.
    pub fn reachable(&self) -> Vec<Status> {
        let mut seen = vec![self.initial];
        let mut i = 0;
        while let Some(&s) = seen.get(i) {
            for t in self.targets(s) {
                if !seen.contains(&t) {
                    seen.push(t);
                }
            }
            i += 1;
        }
        seen.sort();
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wf() -> Workflow {
        use Role::*;
        use Status::*;
        let t = |from, to, roles: &[Role]| Transition {
            from,
            to,
            roles: roles.to_vec(),
        };
        Workflow {
            initial: Received,
            transitions: vec![
                t(Received, InProcess, &[Officer, Supervisor]),
                t(Received, RejectedAtIntake, &[Officer, Supervisor]),
                t(InProcess, Decided, &[Supervisor]),
                t(InProcess, Stopped, &[Supervisor]),
                t(Decided, Returned, &[Officer, Supervisor]),
            ],
        }
    }

    #[test]
    fn allowed() {
        let w = wf();
        assert_eq!(
            w.check("p", Status::Received, Status::InProcess, Role::Officer),
            Ok(())
        );
        assert_eq!(
            w.next_statuses(Status::Received, Role::Officer),
            [Status::InProcess, Status::RejectedAtIntake]
        );
        assert!(w.next_statuses(Status::Received, Role::Auditor).is_empty());
        assert_eq!(
            w.reachable(),
            [
                Status::Received,
                Status::RejectedAtIntake,
                Status::InProcess,
                Status::Stopped,
                Status::Decided,
                Status::Returned
            ]
        );
    }

    #[test]
    fn messages() {
        let w = wf();
        let e = w
            .check(
                "birth_registration",
                Status::Received,
                Status::Decided,
                Role::Supervisor,
            )
            .expect_err("expected an error");
        assert_eq!(
            e.to_string(),
            "procedure `birth_registration` does not allow `received` -> `decided`; from `received` it allows: in_process, rejected_at_intake"
        );
        let e = w
            .check("p", Status::InProcess, Status::Stopped, Role::Officer)
            .expect_err("expected an error");
        assert_eq!(
            e.to_string(),
            "role `officer` may not move a case `in_process` -> `stopped` (needs: supervisor)"
        );
        let e = w
            .check("p", Status::Returned, Status::Decided, Role::Officer)
            .expect_err("expected an error");
        assert!(
            e.to_string()
                .ends_with("it allows: nothing (no transition leaves this status)")
        );
    }
}
