//! Replay: the case as it was, and what each action changed.

use hoso_node::audit::replay::ReplayPoint;
use hoso_schemas::Status;

use super::fixture::build;

#[test]
fn replay_to_each_moment() {
    let c = build();
    let n = c.node();
    let case = &c.cases[0];
    let now = n
        .replay(&case.receipt_code, ReplayPoint::Now)
        .expect("replay");
    assert_eq!(now.steps.len(), 3, "create, note, transition");
    assert_eq!(
        now.state.as_ref().map(|s| s.status),
        Some(Status::InProcess)
    );
    assert_eq!(now.steps[0].action, "case_create");
    assert_eq!(now.steps[0].officer, "canbo01");
    assert_eq!(now.steps[0].node, n.id().short());
    assert!(now.steps[2].changed.iter().any(|f| f.field == "status"
        && f.from.as_deref() == Some("received")
        && f.to.as_deref() == Some("in_process")));
    assert!(
        now.steps[1]
            .changed
            .iter()
            .any(|f| f.field.starts_with("notes[0]"))
    );
    // At the note's seq: the note is there, the transition is not.
    let at = n
        .replay(
            &case.receipt_code,
            ReplayPoint::Seq {
                origin: n.id(),
                seq: now.steps[1].seq,
            },
        )
        .expect("replay at seq");
    assert_eq!(at.steps.len(), 2);
    assert_eq!(at.later_steps, 1);
    let st = at.state.expect("state");
    assert_eq!(st.status, Status::Received);
    assert_eq!(st.notes.len(), 1);
    // Before anything: no state.
    let before = n
        .replay(
            &case.receipt_code,
            ReplayPoint::At(now.steps[0].time_ms - 1),
        )
        .expect("replay before");
    assert!(before.state.is_none());
    assert_eq!(before.later_steps, 3);
    // Replay never writes: the case is unchanged.
    assert_eq!(
        n.case(&case.receipt_code).expect("case").status,
        Status::InProcess
    );
    assert!(n.verify_audit(&Default::default()).expect("v").ok);
}
