//! The [`CaseDoc`] writes of the correction keys ([`crate::case::correction`]): the applicant's
//! name and the append-only correction records.

use automerge::{ObjType, ROOT, ReadDoc, transaction::Transactable};

use crate::case::correction::FieldCorrection;
use crate::case::doc::CaseDoc;
use crate::error::{NodeError, Result};

impl CaseDoc {
    /// Sets the applicant's name (when the case citizen's own name field is corrected).
    pub fn set_applicant_name(&mut self, name: &str) -> Result<()> {
        self.automerge().put(ROOT, "applicant_name", name)?;
        Ok(())
    }

    /// Appends a correction record.
    pub fn push_correction(&mut self, c: &FieldCorrection) -> Result<()> {
        let doc = self.automerge();
        let list = match doc.get(ROOT, "corrections")? {
            Some((automerge::Value::Object(ObjType::List), id)) => id,
            Some(_) => {
                return Err(NodeError::Corrupt {
                    what: "case document".into(),
                    detail: "`corrections` is not a list".into(),
                });
            }
            None => doc.put_object(ROOT, "corrections", ObjType::List)?,
        };
        let n = doc.length(&list);
        let m = doc.insert_object(&list, n, ObjType::Map)?;
        for (k, v) in [
            ("at", c.at.as_str()),
            ("officer", c.officer.as_str()),
            ("node", c.node.as_str()),
            ("field", c.field.as_str()),
            ("from", c.from.as_str()),
            ("to", c.to.as_str()),
            ("reason", c.reason.as_str()),
            ("record_ref", c.record_ref.as_str()),
        ] {
            doc.put(&m, k, v)?;
        }
        Ok(())
    }
}
