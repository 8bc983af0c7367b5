//! Updating a case's view from the change just made (issue 13, target 5), instead of reading
//! the whole document again.
//!
//! [`CaseDoc::view`] hydrates the whole document: its notes and status history grow with every
//! change, so on a case with 10,000 changes it costs milliseconds per write. A document held by
//! the node's cache (`doc_cache.rs`) records what each change does ([`CaseDoc::track_changes`]:
//! Automerge's patch log, indexed by the diff cursor), and [`CaseDoc::view_after`] takes the
//! view before the change and the patches of the change and
//!
//! - hydrates every root key again except the growing lists (`history`, `notes`): the case's
//!   fields, status, tracks, payments, supplements and the rest are small;
//! - keeps a growing list's part of the view when the change did not touch it, appends only
//!   the new items when the change only appended (the write path's notes and transitions), and
//!   reads the whole list again for anything else (a list replaced, an item changed or removed,
//!   a view whose list does not match the document's).
//!
//! The result equals [`CaseDoc::view`] of the document after the change; debug builds check
//! that on every update, and a test checks it for each kind of edit.

use automerge::{Patch, PatchAction, Prop, ROOT, ReadDoc, hydrate};

use crate::case::doc::{history_entry, history_of, item_map, note_entry, notes_of};
use crate::case::{CaseDoc, CaseView};
use crate::error::{NodeError, Result};

/// Root lists whose part of the view grows with the case's history.
const GROWING: [&str; 2] = ["history", "notes"];

/// What a change did to one growing list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum ListChange {
    /// Not touched.
    Same,
    /// Items inserted at these indexes (the list before the change had no more items than the
    /// smallest) and the contents of items at or past it: only appends, checked against the
    /// list's length afterwards.
    Appended { first: usize, inserted: usize },
    /// Anything else: read the whole list again.
    Other,
}

impl ListChange {
    fn insert(self, index: usize, n: usize) -> ListChange {
        match self {
            ListChange::Same => ListChange::Appended {
                first: index,
                inserted: n,
            },
            ListChange::Appended { first, inserted } => ListChange::Appended {
                first: first.min(index),
                inserted: inserted + n,
            },
            ListChange::Other => ListChange::Other,
        }
    }

    /// A patch inside item `index` of the list.
    fn inside(self, index: usize) -> ListChange {
        match self {
            ListChange::Appended { first, inserted } if index >= first => {
                ListChange::Appended { first, inserted }
            }
            _ => ListChange::Other,
        }
    }
}

/// What `patches` did to the growing list `key`.
fn classify(patches: &[Patch], key: &str) -> ListChange {
    let mut c = ListChange::Same;
    for p in patches {
        match p.path.first() {
            None => {
                // A patch on the root itself: a growing list replaced, removed or in conflict.
                let touched = match &p.action {
                    PatchAction::PutMap { key: k, .. } | PatchAction::DeleteMap { key: k } => {
                        k == key
                    }
                    PatchAction::Conflict { prop } | PatchAction::Increment { prop, .. } => {
                        matches!(prop, Prop::Map(k) if k == key)
                    }
                    _ => false,
                };
                if touched {
                    return ListChange::Other;
                }
            }
            Some((_, Prop::Map(k))) if k == key => match (p.path.get(1), &p.action) {
                (None, PatchAction::Insert { index, values }) => {
                    c = c.insert(*index, values.len());
                }
                (None, _) => return ListChange::Other,
                (Some((_, Prop::Seq(i))), _) => c = c.inside(*i),
                (Some(_), _) => return ListChange::Other,
            },
            Some(_) => {}
        }
        if c == ListChange::Other {
            return c;
        }
    }
    c
}

fn corrupt(detail: &str) -> NodeError {
    NodeError::Corrupt {
        what: "case document".into(),
        detail: detail.into(),
    }
}

impl CaseDoc {
    /// Starts recording the document's changes from its present state (Automerge's patch log
    /// and diff cursor), so that [`CaseDoc::view_after`] can update a view of this state. A
    /// document already recording keeps its cursor.
    pub(crate) fn track_changes(&mut self) {
        let am = self.automerge();
        if am.diff_cursor().is_empty() {
            am.update_diff_cursor();
        }
    }

    /// The view after the changes made since [`CaseDoc::track_changes`] (or the last
    /// `view_after`), from `before`, the view at that point: see the module docs. A document
    /// that does not record its changes is read whole.
    pub(crate) fn view_after(&mut self, before: CaseView) -> Result<CaseView> {
        let am = self.automerge();
        if am.diff_cursor().is_empty() {
            return self.view();
        }
        let patches = am.diff_incremental();
        let changes = GROWING.map(|k| classify(&patches, k));
        let mut root = hydrate::Map::default();
        let keys: Vec<(String, bool)> = self
            .doc_ref()
            .map_range(ROOT, ..)
            .map(|i| (i.key.into_owned(), i.conflict))
            .collect();
        let mut lists = [None, None];
        for (key, conflict) in keys {
            let value = match self.doc_ref().get(ROOT, key.as_str())? {
                None => continue,
                Some((automerge::Value::Scalar(s), _)) => hydrate::Value::Scalar(s.into_owned()),
                Some((automerge::Value::Object(_), id)) => {
                    if let Some(n) = GROWING.iter().position(|g| *g == key) {
                        lists[n] = Some(id);
                        hydrate::Value::list()
                    } else {
                        self.doc_ref().hydrate(&id, None)?
                    }
                }
            };
            root.insert(key, hydrate::MapValue { value, conflict });
        }
        let mut view = self.view_of_root(&root)?;
        let CaseView { history, notes, .. } = before;
        let [history_change, notes_change] = changes;
        let [history_list, notes_list] = lists;
        view.history = match self.grown(history_list.as_ref(), history_change, history.len())? {
            Grown::Same => history,
            Grown::Items(items) => {
                let mut h = history;
                for m in items {
                    h.push(history_entry(&m)?);
                }
                h
            }
            Grown::Whole(list) => history_of(list.as_ref())?,
        };
        view.notes = match self.grown(notes_list.as_ref(), notes_change, notes.len())? {
            Grown::Same => notes,
            Grown::Items(items) => {
                let mut n = notes;
                n.extend(items.iter().map(note_entry));
                n
            }
            Grown::Whole(list) => notes_of(list.as_ref()),
        };
        #[cfg(debug_assertions)]
        {
            let whole = self.view()?;
            debug_assert_eq!(view, whole, "the updated view differs from the whole one");
        }
        Ok(view)
    }

    /// What to do for one growing list of `had` view items, changed as `change`.
    fn grown(
        &self,
        list: Option<&automerge::ObjId>,
        change: ListChange,
        had: usize,
    ) -> Result<Grown> {
        let Some(list) = list else {
            return Ok(Grown::Whole(None));
        };
        let whole =
            || -> Result<Grown> { Ok(Grown::Whole(Some(self.doc_ref().hydrate(list, None)?))) };
        match change {
            ListChange::Same => Ok(Grown::Same),
            ListChange::Other => whole(),
            ListChange::Appended { first, inserted } => {
                let len = self.doc_ref().length(list);
                let before = len
                    .checked_sub(inserted)
                    .ok_or_else(|| corrupt("list length"))?;
                // Only appends, onto a list whose every item was in the view.
                if first < before || before != had {
                    return whole();
                }
                let mut items = Vec::with_capacity(inserted);
                for i in before..len {
                    if let Some((automerge::Value::Object(_), id)) = self.doc_ref().get(list, i)?
                        && let Some(m) = item_map(&self.doc_ref().hydrate(&id, None)?)
                    {
                        items.push(m);
                    }
                }
                Ok(Grown::Items(items))
            }
        }
    }
}

/// A growing list's part of the updated view.
enum Grown {
    /// As before.
    Same,
    /// The items appended.
    Items(Vec<std::collections::BTreeMap<String, String>>),
    /// The whole list, hydrated (none when the document has no such list).
    Whole(Option<hydrate::Value>),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::case::{HistoryEntry, Note};
    use automerge::transaction::Transactable;
    use hoso_schemas::Status;

    fn note(n: usize) -> Note {
        Note {
            at: format!("2026-12-01T10:00:{:02}+07:00", n % 60),
            officer: "canbo01".into(),
            node: "abcd".into(),
            text: format!("Ghi chú số {n}"),
        }
    }

    fn doc() -> (CaseDoc, CaseView) {
        let mut d = CaseDoc::new([9; 16]);
        let init = crate::case::CaseInit {
            id: crate::ids::CaseId([4; 16]),
            receipt_code: "BG-261201-0001".into(),
            procedure: "judicial_record".into(),
            tracks: vec!["land".into()],
            citizen_id: "001090000001".into(),
            applicant_name: "Nguyễn Văn An".into(),
            province: "20".into(),
            commune: "06112".into(),
            received_at: "2026-12-01T09:00:00+07:00".into(),
            due_date: "2026-12-08".into(),
            status: Status::Received,
            assigned_officer: "canbo01".into(),
            fields: [("purpose".to_string(), "xin việc".to_string())].into(),
            evidence: Default::default(),
            history: vec![HistoryEntry {
                at: "2026-12-01T09:00:00+07:00".into(),
                officer: "canbo01".into(),
                node: "abcd".into(),
                from: None,
                to: Status::Received,
                track: None,
                note: None,
            }],
            notes: vec![],
        };
        d.init(&init).expect("init");
        d.commit("case_created", 0);
        let v = d.view().expect("view");
        d.track_changes();
        (d, v)
    }

    /// Every kind of change the write path makes, one after another: the updated view equals
    /// the whole one each time (and the debug check inside `view_after` agrees).
    #[test]
    fn the_updated_view_equals_the_whole_one_after_each_kind_of_change() {
        let (mut d, mut v) = doc();
        type Step = Box<dyn Fn(&mut CaseDoc)>;
        let steps: Vec<Step> = vec![
            Box::new(|d| d.push_note(&note(1)).expect("note")),
            Box::new(|d| {
                d.push_note(&note(2)).expect("note");
                d.push_note(&note(3)).expect("note");
            }),
            Box::new(|d| {
                d.set_status(Status::InProcess, None).expect("status");
                d.push_history(&HistoryEntry {
                    at: "2026-12-01T11:00:00+07:00".into(),
                    officer: "canbo01".into(),
                    node: "abcd".into(),
                    from: Some(Status::Received),
                    to: Status::InProcess,
                    track: None,
                    note: Some("bắt đầu".into()),
                })
                .expect("history");
            }),
            Box::new(|d| d.set_field("purpose", "đi học").expect("field")),
            Box::new(|d| {
                d.set_status(Status::InProcess, Some("land"))
                    .expect("track");
            }),
            Box::new(|d| d.set_due_date("2026-12-09").expect("due")),
            Box::new(|d| {
                // An old note changed: not an append, the list is read again.
                let am = d.automerge();
                let (_, notes) = am.get(ROOT, "notes").expect("get").expect("notes");
                let (_, first) = am.get(&notes, 0).expect("get").expect("first");
                am.put(&first, "text", "sửa").expect("put");
            }),
            Box::new(|d| {
                // A note removed.
                let am = d.automerge();
                let (_, notes) = am.get(ROOT, "notes").expect("get").expect("notes");
                am.delete(&notes, 1).expect("delete");
            }),
            Box::new(|d| {
                // The whole list replaced.
                d.automerge()
                    .put_object(ROOT, "notes", automerge::ObjType::List)
                    .expect("replace");
            }),
            Box::new(|d| d.push_note(&note(4)).expect("note")),
        ];
        for (n, step) in steps.iter().enumerate() {
            step(&mut d);
            d.commit("step", 0);
            v = d.view_after(v).expect("updated");
            assert_eq!(v, d.view().expect("whole"), "after step {n}");
        }
        assert_eq!(v.notes.len(), 1);
        assert_eq!(v.history.len(), 2);
    }

    #[test]
    fn only_appends_are_taken_as_appends() {
        let (mut d, _) = doc();
        d.push_note(&note(1)).expect("note");
        d.commit("note", 0);
        let patches = d.automerge().diff_incremental();
        assert!(matches!(
            classify(&patches, "notes"),
            ListChange::Appended {
                first: 0,
                inserted: 1
            }
        ));
        assert_eq!(classify(&patches, "history"), ListChange::Same);
        d.set_status(Status::InProcess, None).expect("status");
        d.commit("status", 0);
        let patches = d.automerge().diff_incremental();
        assert_eq!(classify(&patches, "notes"), ListChange::Same);
    }
}
