//! Fees: recording what the citizen paid (portal status 6, `awaiting_payment`).
//!
//! The amount is checked against the catalog fee for the case's submission channel (in person
//! and by post, or online); less is accepted only with the exemption's reason. A payment is
//! recorded once, with its method and transaction reference; on a case awaiting payment it
//! also moves the case on to processing, in the same audited change. A case cannot leave
//! `awaiting_payment` for processing without one ([`check_paid`]).

use hoso_schemas::{Channel, PaymentMethod, Status};

use crate::case::{CaseView, HistoryEntry, Payment};
use crate::chain::entry::Action;
use crate::deadline;
use crate::error::{IntakeError, Limited, NodeError, Result};
use crate::write::{AuthenticatedOfficer, Author, Permission};
use crate::{limits, text};

use super::handle::Node;

/// A payment as the officer enters it.
#[derive(Clone, Debug)]
pub struct NewPayment {
    /// Amount paid, in đồng.
    pub amount: u64,
    /// How.
    pub method: PaymentMethod,
    /// Transaction code or receipt number (required for transfers and online payments).
    pub reference: String,
    /// Why the citizen pays less than the fee (one of the catalog's exemptions, in words).
    pub exemption: Option<String>,
}

impl Node {
    /// Records a fee payment on a case, through the write path (one audited change; a case
    /// awaiting payment moves on to `in_process` in the same change).
    pub fn record_payment(
        &self,
        by: &AuthenticatedOfficer,
        reference: &str,
        p: NewPayment,
    ) -> Result<CaseView> {
        let paid_ref = hoso_schemas::nfc(p.reference.trim());
        text::check("the payment reference", &paid_ref)?;
        limits::check(Limited::Field, paid_ref.len(), limits::MAX_FIELD_BYTES)?;
        let exemption = p
            .exemption
            .as_deref()
            .map(|e| hoso_schemas::nfc(e.trim()))
            .filter(|e| !e.is_empty());
        if let Some(e) = &exemption {
            text::check("the exemption", e)?;
            limits::check(Limited::Note, e.len(), limits::MAX_NOTE_BYTES)?;
        }
        if p.method == PaymentMethod::Exempt && exemption.is_none() {
            return Err(IntakeError::ExemptionWithoutReason.into());
        }
        if matches!(p.method, PaymentMethod::Transfer | PaymentMethod::Online)
            && paid_ref.is_empty()
        {
            return Err(IntakeError::NoPaymentReference {
                method: p.method.as_str().into(),
            }
            .into());
        }
        let id = self.resolve(reference)?;
        let node_short = self.id().short();
        let mut ctx = self.begin_write(&Author::from(by), Permission::ChangeCases)?;
        let view = ctx.edit_case(id, Action::Payment, |doc, before, procedure, ctx| {
            let off = ctx.officer().ok_or(NodeError::NoOfficer)?;
            if before.status.ends_processing() {
                return Err(IntakeError::CaseEnded {
                    receipt_code: before.receipt_code.clone(),
                    status: before.status.as_str().into(),
                    action: "recording a payment".into(),
                }
                .into());
            }
            let fee = procedure
                .fee
                .as_ref()
                .filter(|f| !f.is_free())
                .ok_or_else(|| IntakeError::NoFee {
                    receipt_code: before.receipt_code.clone(),
                    procedure: procedure.code.clone(),
                })?;
            if let Some(first) = before.payments.first() {
                return Err(IntakeError::AlreadyPaid {
                    receipt_code: before.receipt_code.clone(),
                    at: first.at.clone(),
                }
                .into());
            }
            let channel = Channel::of_fields(|k| before.fields.get(k).map(String::as_str));
            let expected = fee.amount(channel);
            let exempt_ok = exemption.is_some() && p.amount < expected;
            if p.amount != expected && !exempt_ok {
                return Err(IntakeError::FeeMismatch {
                    receipt_code: before.receipt_code.clone(),
                    expected,
                    given: p.amount,
                    channel: channel.label_vi().into(),
                }
                .into());
            }
            let now = deadline::now().to_rfc3339();
            let payment = Payment {
                at: now.clone(),
                officer: off.id.clone(),
                node: node_short.clone(),
                amount: p.amount,
                method: p.method,
                reference: paid_ref.clone(),
                channel,
                exemption: exemption.clone(),
            };
            doc.push_payment(&payment)?;
            let mut moved = None;
            if before.status == Status::AwaitingPayment {
                procedure.check_transition(Status::AwaitingPayment, Status::InProcess, off.role)?;
                doc.set_status(Status::InProcess, None)?;
                doc.push_history(&HistoryEntry {
                    at: now,
                    officer: off.id.clone(),
                    node: node_short.clone(),
                    from: Some(Status::AwaitingPayment),
                    to: Status::InProcess,
                    track: None,
                    note: Some(format!(
                        "Đã nộp {} ({})",
                        hoso_schemas::format_dong(p.amount),
                        p.method.label_vi()
                    )),
                })?;
                moved = Some(Status::InProcess);
            }
            Ok(serde_json::json!({
                "procedure": procedure.code,
                "amount": p.amount,
                "expected": expected,
                "method": p.method,
                "reference": paid_ref,
                "channel": channel,
                "exemption": exemption,
                "fee_source": fee.source,
                "to": moved,
            }))
        })?;
        ctx.commit()?;
        Ok(self.finish_view(view))
    }
}

/// Refuses moving a case from `awaiting_payment` to processing with no payment recorded (the
/// workflow's fee step is a real gate, not a label).
pub(crate) fn check_paid(
    before: &CaseView,
    from: Status,
    to: Status,
    track: Option<&str>,
) -> Result<()> {
    if track.is_none()
        && from == Status::AwaitingPayment
        && to == Status::InProcess
        && before.payments.is_empty()
    {
        return Err(IntakeError::NotPaid {
            receipt_code: before.receipt_code.clone(),
        }
        .into());
    }
    Ok(())
}
