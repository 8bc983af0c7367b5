//! Moving a case's status: the transitions the logged-in officer may take (per track for a
//! bundle, from every concurrent value in a conflict) and the ones that need another role,
//! greyed with the reason.

use hoso_node::CaseView;
use hoso_schemas::Status;

use crate::action::{AppAction, toast};
use crate::context::Context;
use crate::screen::detail_state::{Action, DetailState, Popup};

/// The actions the logged-in officer may take on `v`: transitions from the current status
/// (and, in a conflict, from each concurrent value), per track for a bundle.
pub fn actions(ctx: &Context, v: &CaseView) -> Vec<Action> {
    let Some(officer) = &ctx.officer else {
        return vec![];
    };
    if !officer.can_write() {
        return vec![];
    }
    let mut out: Vec<Action> = vec![];
    if let Some(p) = ctx.catalog.get(&v.procedure) {
        for from in concurrent(v.status, &v.conflicting_status) {
            for to in p.next_statuses(from, officer.role) {
                let a = Action {
                    to,
                    track: None,
                    blocked: None,
                };
                if !out.contains(&a) {
                    out.push(a);
                }
            }
        }
    }
    for (code, tr) in &v.tracks {
        if let Some(p) = ctx.catalog.get(code) {
            for from in concurrent(tr.status, &tr.conflicting) {
                for to in p.next_statuses(from, officer.role) {
                    let a = Action {
                        to,
                        track: Some(code.clone()),
                        blocked: None,
                    };
                    if !out.contains(&a) {
                        out.push(a);
                    }
                }
            }
        }
    }
    out
}

/// The transition menu: the actions the officer may take, then the ones the workflow has from
/// here that need another role, greyed with the reason ("Chỉ Lãnh đạo được chuyển").
pub fn menu(ctx: &Context, v: &CaseView) -> Vec<Action> {
    let mut out = actions(ctx, v);
    let Some(officer) = &ctx.officer else {
        return out;
    };
    let mut add_blocked = |p: &hoso_schemas::Procedure, from: Status, track: Option<&String>| {
        for t in p.workflow.transitions_from(from) {
            if t.roles.contains(&officer.role) {
                continue;
            }
            if out
                .iter()
                .any(|a| a.to == t.to && a.track.as_ref() == track)
            {
                continue;
            }
            let who = t
                .roles
                .iter()
                .map(|r| r.label_vi())
                .collect::<Vec<_>>()
                .join(" hoặc ");
            out.push(Action {
                to: t.to,
                track: track.cloned(),
                blocked: Some(format!("Chỉ {who} được chuyển")),
            });
        }
    };
    if let Some(p) = ctx.catalog.get(&v.procedure) {
        for from in concurrent(v.status, &v.conflicting_status) {
            add_blocked(p, from, None);
        }
    }
    for (code, tr) in &v.tracks {
        if let Some(p) = ctx.catalog.get(code) {
            for from in concurrent(tr.status, &tr.conflicting) {
                add_blocked(p, from, Some(code));
            }
        }
    }
    out
}

/// A status and its concurrent values, in workflow order. Which value the document reports as
/// current is arbitrary (it depends on actor ids), so none is shown first.
pub fn concurrent(current: Status, others: &[Status]) -> Vec<Status> {
    let mut all: Vec<Status> = std::iter::once(current)
        .chain(others.iter().copied())
        .collect();
    all.sort();
    all.dedup();
    all
}

/// Opens the transition menu over the shown case (`t`), or says why there is none.
pub fn open(d: &mut DetailState, ctx: &Context) -> Vec<AppAction> {
    if !ctx.can_write() {
        return vec![toast("Vai trò của bạn chỉ được xem hồ sơ.", true)];
    }
    let Some(c) = &d.case else {
        return vec![];
    };
    let options = menu(ctx, &c.view);
    if options.is_empty() {
        return vec![toast(
            format!(
                "Không có thao tác nào cho vai trò {} ở trạng thái này.",
                ctx.officer.as_ref().map_or("", |o| o.role.label_vi())
            ),
            false,
        )];
    }
    d.popup = Some(Popup::Actions {
        options,
        selected: 0,
    });
    vec![]
}
