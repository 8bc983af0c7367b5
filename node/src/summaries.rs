//! The case summary row (`cases` table): its one encoding and its one decoding. Lists, indexes,
//! scope checks and the console's work queue all read summaries through [`decode`] (or
//! [`jurisdiction`], which reads only the place).
//!
//! Store format 4 (`cases-2`) keeps a summary as a compact binary row (issue 13: disk per case;
//! the JSON row of format 3 took 480 bytes): the case id is the row's key, the status its
//! national code, and each text a varint length and its UTF-8 bytes. Province and commune come
//! first, so a scope check reads only them. A row that starts with `{` is a format-3 JSON row,
//! kept as it was by the migration because it did not decode (so `hoso check` still names it),
//! and read as before.
//!
//! | field | bytes |
//! |---|---|
//! | version | u8, 1 |
//! | flags | u8: conflict, overdue, unverified, then which of the four optional texts follow |
//! | status | u8, [`Status::code`] |
//! | supplement_requests | varint |
//! | province, commune, receipt_code, procedure, citizen_id, applicant_name, received_at, due_date | text each |
//! | assigned_officer, ended_on, channel, portal_case_code | text each, if its flag is set |

use hoso_schemas::Status;

use crate::case::CaseSummary;
use crate::error::Result;
use crate::ids::CaseId;
use crate::store::error::StoreError;
use crate::store::tables::SummaryRow;

const VERSION: u8 = 1;
const F_CONFLICT: u8 = 1;
const F_OVERDUE: u8 = 1 << 1;
const F_UNVERIFIED: u8 = 1 << 2;
const F_OFFICER: u8 = 1 << 3;
const F_ENDED: u8 = 1 << 4;
const F_CHANNEL: u8 = 1 << 5;
const F_PORTAL: u8 = 1 << 6;
const F_KNOWN: u8 = (1 << 7) - 1;
/// The first byte of a format-3 JSON row.
const JSON: u8 = b'{';

/// Decodes case `id`'s stored summary row. A row that does not decode is
/// [`StoreError::CorruptSummary`]; readers that skip such a row use `.ok()`.
pub(crate) fn decode(id: &CaseId, row: SummaryRow<'_>) -> Result<CaseSummary> {
    decode_bytes(id, row.0)
}

/// Decodes a summary row's bytes (see [`decode`]).
pub(crate) fn decode_bytes(id: &CaseId, bytes: &[u8]) -> Result<CaseSummary> {
    let corrupt = |detail: String| -> crate::error::NodeError {
        StoreError::CorruptSummary { case: *id, detail }.into()
    };
    if bytes.first() == Some(&JSON) {
        return serde_json::from_slice(bytes).map_err(|e| corrupt(e.to_string()));
    }
    let mut r = Cursor(bytes);
    let s = read_summary(&mut r, id).map_err(|e| corrupt(e.to_string()))?;
    if !r.0.is_empty() {
        return Err(corrupt("trailing bytes".into()));
    }
    Ok(s)
}

/// The province and commune of a stored summary, without decoding the rest.
pub(crate) fn jurisdiction(id: &CaseId, row: SummaryRow<'_>) -> Result<(String, String)> {
    if row.0.first() == Some(&JSON) {
        let s = decode(id, row)?;
        return Ok((s.province, s.commune));
    }
    let mut r = Cursor(row.0);
    let place = (|| {
        r.header()?;
        r.varint()?;
        Ok::<_, &'static str>((r.text()?, r.text()?))
    })();
    place.map_err(|e| {
        StoreError::CorruptSummary {
            case: *id,
            detail: e.to_string(),
        }
        .into()
    })
}

/// Encodes a summary row.
pub(crate) fn encode(s: &CaseSummary) -> Result<Vec<u8>> {
    let mut flags = 0;
    for (on, f) in [
        (s.conflict, F_CONFLICT),
        (s.overdue, F_OVERDUE),
        (s.unverified, F_UNVERIFIED),
        (s.assigned_officer.is_some(), F_OFFICER),
        (s.ended_on.is_some(), F_ENDED),
        (s.channel.is_some(), F_CHANNEL),
        (s.portal_case_code.is_some(), F_PORTAL),
    ] {
        if on {
            flags |= f;
        }
    }
    let mut out = Vec::with_capacity(128);
    out.extend_from_slice(&[VERSION, flags, s.status.code()]);
    put_varint(&mut out, u64::from(s.supplement_requests));
    for t in [
        &s.province,
        &s.commune,
        &s.receipt_code,
        &s.procedure,
        &s.citizen_id,
        &s.applicant_name,
        &s.received_at,
        &s.due_date,
    ] {
        put_text(&mut out, t);
    }
    for t in [
        &s.assigned_officer,
        &s.ended_on,
        &s.channel,
        &s.portal_case_code,
    ]
    .into_iter()
    .flatten()
    {
        put_text(&mut out, t);
    }
    Ok(out)
}

fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn put_text(out: &mut Vec<u8>, t: &str) {
    put_varint(out, t.len() as u64);
    out.extend_from_slice(t.as_bytes());
}

struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn byte(&mut self) -> std::result::Result<u8, &'static str> {
        let (&b, rest) = self.0.split_first().ok_or("truncated")?;
        self.0 = rest;
        Ok(b)
    }

    fn varint(&mut self) -> std::result::Result<u64, &'static str> {
        let mut v = 0u64;
        for i in 0..10 {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
        Err("a varint too long")
    }

    fn text(&mut self) -> std::result::Result<String, &'static str> {
        let n = usize::try_from(self.varint()?).map_err(|_| "a text too long")?;
        if n > self.0.len() {
            return Err("truncated text");
        }
        let (t, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8(t.to_vec()).map_err(|_| "a text that is not UTF-8")
    }

    /// Reads the version, flags and status bytes.
    fn header(&mut self) -> std::result::Result<(u8, Status), &'static str> {
        if self.byte()? != VERSION {
            return Err("an unknown summary row version");
        }
        let flags = self.byte()?;
        if flags & !F_KNOWN != 0 {
            return Err("unknown summary flags");
        }
        let status = Status::from_code(self.byte()?).ok_or("an unknown status code")?;
        Ok((flags, status))
    }

    fn text_if(&mut self, flags: u8, f: u8) -> std::result::Result<Option<String>, &'static str> {
        if flags & f == 0 {
            Ok(None)
        } else {
            self.text().map(Some)
        }
    }
}

fn read_summary(r: &mut Cursor<'_>, id: &CaseId) -> std::result::Result<CaseSummary, &'static str> {
    let (flags, status) = r.header()?;
    let supplement_requests =
        u32::try_from(r.varint()?).map_err(|_| "a supplement count over u32")?;
    let province = r.text()?;
    let commune = r.text()?;
    let receipt_code = r.text()?;
    let procedure = r.text()?;
    let citizen_id = r.text()?;
    let applicant_name = r.text()?;
    let received_at = r.text()?;
    let due_date = r.text()?;
    Ok(CaseSummary {
        id: *id,
        receipt_code,
        procedure,
        status,
        citizen_id,
        applicant_name,
        province,
        commune,
        received_at,
        due_date,
        assigned_officer: r.text_if(flags, F_OFFICER)?,
        conflict: flags & F_CONFLICT != 0,
        supplement_requests,
        ended_on: r.text_if(flags, F_ENDED)?,
        overdue: flags & F_OVERDUE != 0,
        channel: r.text_if(flags, F_CHANNEL)?,
        portal_case_code: r.text_if(flags, F_PORTAL)?,
        unverified: flags & F_UNVERIFIED != 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CaseSummary {
        CaseSummary {
            id: CaseId([3; 16]),
            receipt_code: "06112-261201-0001".into(),
            procedure: "1.001612".into(),
            status: Status::InProcess,
            citizen_id: "001203004567".into(),
            applicant_name: "Nguyễn Văn An".into(),
            province: "01".into(),
            commune: "06112".into(),
            received_at: "2026-12-01T08:30:00+07:00".into(),
            due_date: "2026-12-04".into(),
            assigned_officer: Some("canbo01".into()),
            conflict: false,
            supplement_requests: 2,
            ended_on: None,
            overdue: false,
            channel: Some("truc_tiep".into()),
            portal_case_code: None,
            unverified: true,
        }
    }

    #[test]
    fn rows_decode_to_what_was_encoded_and_are_short() {
        let s = sample();
        let row = encode(&s).expect("encodes");
        let json = serde_json::to_vec(&s).expect("json");
        assert!(
            row.len() * 3 < json.len(),
            "{} vs {}",
            row.len(),
            json.len()
        );
        assert_eq!(decode(&s.id, SummaryRow(&row)).expect("decodes"), s);
        assert_eq!(
            jurisdiction(&s.id, SummaryRow(&row)).expect("place"),
            ("01".to_string(), "06112".to_string())
        );
        let mut all = s.clone();
        all.conflict = true;
        all.overdue = true;
        all.ended_on = Some("2026-12-03".into());
        all.portal_case_code = Some("G22.99-261201-0001".into());
        all.assigned_officer = None;
        all.status = Status::Returned;
        let row = encode(&all).expect("encodes");
        assert_eq!(decode(&all.id, SummaryRow(&row)).expect("decodes"), all);
    }

    #[test]
    fn format_3_json_rows_still_read() {
        let s = sample();
        let json = serde_json::to_vec(&s).expect("json");
        assert_eq!(decode(&s.id, SummaryRow(&json)).expect("decodes"), s);
        assert_eq!(
            jurisdiction(&s.id, SummaryRow(&json)).expect("place").1,
            "06112"
        );
    }

    #[test]
    fn damaged_rows_are_corrupt_summaries() {
        let s = sample();
        let row = encode(&s).expect("encodes");
        let mut trailing = row.clone();
        trailing.push(0);
        let mut bad_status = row.clone();
        bad_status[2] = 42;
        let mut bad_flags = row.clone();
        bad_flags[1] |= 0x80;
        for bad in [
            &[][..],
            &row[..row.len() - 1],
            &trailing,
            &bad_status,
            &bad_flags,
            &[2, 0, 1, 0][..],
            b"{not json",
        ] {
            let e = decode(&s.id, SummaryRow(bad)).expect_err("refused");
            assert!(
                matches!(
                    &e,
                    crate::error::NodeError::Integrity(StoreError::CorruptSummary { .. })
                ),
                "{e:?}"
            );
        }
    }
}
