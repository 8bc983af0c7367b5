//! The [`CaseDoc`] writes of the intake keys ([`crate::case::intake`]): the citizen's commune,
//! the verification, the declared fields and the payments.

use automerge::{ObjType, ROOT, ReadDoc, transaction::Transactable};

use crate::case::doc::CaseDoc;
use crate::case::intake::{ExtractRef, Payment, Verification};
use crate::error::{NodeError, Result};

impl CaseDoc {
    fn root_obj(&mut self, key: &str, ty: ObjType) -> Result<automerge::ObjId> {
        let doc = self.automerge();
        match doc.get(ROOT, key)? {
            Some((automerge::Value::Object(_), id)) => Ok(id),
            Some(_) => Err(NodeError::Corrupt {
                what: "case document".into(),
                detail: format!("`{key}` is not an object"),
            }),
            None => Ok(doc.put_object(ROOT, key, ty)?),
        }
    }

    /// Records the citizen's own commune (written once, at receipt).
    pub fn set_citizen_commune(&mut self, code: &str) -> Result<()> {
        self.automerge().put(ROOT, "citizen_commune", code)?;
        Ok(())
    }

    /// Writes the verification state of the citizen.
    pub fn set_verification(&mut self, v: &Verification) -> Result<()> {
        let m = self.root_obj("verification", ObjType::Map)?;
        let doc = self.automerge();
        let pairs = [
            ("state", v.state.as_str()),
            ("declared_full_name", v.declared.full_name.as_str()),
            ("declared_date_of_birth", v.declared.date_of_birth.as_str()),
            ("declared_sex", v.declared.sex.as_str()),
            ("declared_commune", v.declared.commune_code.as_str()),
            ("received_extract_date", v.received_extract.date.as_str()),
            (
                "received_extract_version",
                v.received_extract.version.as_str(),
            ),
            ("extract_date", v.extract.date.as_str()),
            ("extract_version", v.extract.version.as_str()),
            ("checked_at", v.checked_at.as_str()),
            ("checked_by", v.checked_by.as_str()),
            ("note", v.note.as_deref().unwrap_or("")),
        ];
        for (k, val) in pairs {
            // Only what changed: a recheck that moves nothing writes nothing.
            let same = doc
                .get(&m, k)?
                .and_then(|(x, _)| x.into_string().ok())
                .is_some_and(|x| x == val);
            if !same {
                doc.put(&m, k, val)?;
            }
        }
        Ok(())
    }

    /// Marks a typed field as declared by a citizen missing from `extract`.
    pub fn set_declared(&mut self, field: &str, extract: &ExtractRef) -> Result<()> {
        let m = self.root_obj("declared", ObjType::Map)?;
        let v = format!("{}|{}", extract.date, extract.version);
        self.automerge().put(&m, field, v)?;
        Ok(())
    }

    /// Appends a payment.
    pub fn push_payment(&mut self, p: &Payment) -> Result<()> {
        let list = self.root_obj("payments", ObjType::List)?;
        let doc = self.automerge();
        let n = doc.length(&list);
        let m = doc.insert_object(&list, n, ObjType::Map)?;
        let amount = p.amount.to_string();
        let pairs = [
            ("at", p.at.as_str()),
            ("officer", p.officer.as_str()),
            ("node", p.node.as_str()),
            ("amount", amount.as_str()),
            ("method", p.method.as_str()),
            ("reference", p.reference.as_str()),
            ("channel", p.channel.as_str()),
        ];
        for (k, v) in pairs {
            doc.put(&m, k, v)?;
        }
        if let Some(e) = &p.exemption {
            doc.put(&m, "exemption", e.as_str())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use automerge::{ROOT, hydrate};
    use hoso_schemas::{Channel, PaymentMethod};

    use super::*;
    use crate::case::intake::{DeclaredCitizen, VerificationState, read};

    #[test]
    fn intake_keys_round_trip_through_the_document() {
        let mut doc = CaseDoc::new([3; 16]);
        doc.set_citizen_commune("06211").expect("commune");
        let extract = ExtractRef {
            date: "2026-11-01".into(),
            version: "2026-11".into(),
        };
        let v = Verification {
            state: VerificationState::Unverified,
            declared: DeclaredCitizen {
                full_name: "Hoàng Thị Lan".into(),
                date_of_birth: "1990-02-03".into(),
                sex: "Nữ".into(),
                commune_code: "06211".into(),
            },
            received_extract: extract.clone(),
            extract: extract.clone(),
            checked_at: "2026-12-01T08:00:00+07:00".into(),
            checked_by: "canbo01".into(),
            note: None,
        };
        doc.set_verification(&v).expect("verification");
        doc.set_declared("resident_full_name", &extract)
            .expect("declared");
        let p = Payment {
            at: "2026-12-01T08:05:00+07:00".into(),
            officer: "canbo01".into(),
            node: "abcd".into(),
            amount: 20_000,
            method: PaymentMethod::Cash,
            reference: "BL-0001".into(),
            channel: Channel::InPerson,
            exemption: None,
        };
        doc.push_payment(&p).expect("payment");
        let hydrate::Value::Map(root) = doc.automerge().hydrate(ROOT, None).expect("hydrate")
        else {
            panic!("root is a map")
        };
        let got = read(&root);
        assert_eq!(got.citizen_commune.as_deref(), Some("06211"));
        assert_eq!(got.verification, Some(v));
        assert_eq!(got.payments, vec![p]);
        let ev = &got.declared["resident_full_name"];
        assert_eq!(ev.extract, extract);
        assert!(ev.text.contains("01/11/2026"), "{}", ev.text);
        assert!(ev.text.contains("2026-11"), "{}", ev.text);
    }
}
