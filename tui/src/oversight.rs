//! What the hub's and the auditor's screens ask of the node, and what comes back: the province
//! dashboard, a commune's open cases, a search over every audit chain held, a full verification
//! with progress, and an evidence bundle for a case or a period. Like [`crate::effect`], these
//! run on the blocking pool; nothing here writes to the store.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::NaiveDate;
use hoso_node::audit::search::{AuditFilter, ExportScope};
use hoso_node::audit::source::{AuditSource, DbSource, DocBytes, ForkRecord, RecordVisitor};
use hoso_node::audit::verify::{Policy, Report};
use hoso_node::province::ProvinceDashboard;
use hoso_node::{CaseId, CaseSummary, Node, NodeId};

use crate::audit_line::AuditLine;

/// Entries per page of the auditor's list.
pub const AUDIT_PAGE: usize = 200;

/// A request of the hub or auditor screens.
#[derive(Clone, Debug)]
pub enum OversightEffect {
    /// Read the province dashboard.
    Dashboard {
        /// Today, for overdue and due this week.
        today: NaiveDate,
    },
    /// Read one commune's open cases.
    CommuneCases {
        /// Commune code.
        commune: String,
        /// Today.
        today: NaiveDate,
    },
    /// Search every chain held.
    AuditSearch {
        /// Request number (older answers are dropped).
        generation: u64,
        /// The filter as typed.
        filter: FilterText,
        /// Matches to skip.
        offset: usize,
    },
    /// Verify everything the store holds, counting as it goes.
    Verify {
        /// Shared with the screen, which draws it at every tick.
        progress: Arc<VerifyProgress>,
    },
    /// Write an evidence bundle into `dir`.
    Export {
        /// What for.
        scope: ExportScope,
        /// Where the file goes.
        dir: PathBuf,
    },
}

/// The auditor's filter as typed (parsed when run, so errors come back as sentences).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilterText {
    /// Commune code or name.
    pub commune: String,
    /// Officer id.
    pub officer: String,
    /// Receipt code, short code or its last digits.
    pub code: String,
    /// Action, by index in `Action::ALL` (`None`: every action).
    pub action: Option<usize>,
    /// From date, `dd/mm/yyyy`.
    pub from: String,
    /// To date (inclusive), `dd/mm/yyyy`.
    pub to: String,
}

/// Verification progress, shared between the worker and the screen.
#[derive(Debug, Default)]
pub struct VerifyProgress {
    /// Entries read so far.
    pub entries: AtomicU64,
    /// Entries held.
    pub entries_total: AtomicU64,
    /// Case documents checked so far.
    pub cases: AtomicU64,
    /// Case documents held.
    pub cases_total: AtomicU64,
    /// Finished (the outcome is on its way).
    pub done: AtomicBool,
}

impl VerifyProgress {
    /// `(done, total)` over entries and documents together.
    pub fn fraction(&self) -> (u64, u64) {
        let d = self.entries.load(Ordering::Relaxed) + self.cases.load(Ordering::Relaxed);
        let t =
            self.entries_total.load(Ordering::Relaxed) + self.cases_total.load(Ordering::Relaxed);
        (d.min(t), t)
    }
}

/// One audit entry as the auditor reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRow {
    /// Time, sentence, officer, action…
    pub line: AuditLine,
    /// The chain's node, by name.
    pub node_name: String,
    /// The commune the entry belongs to (the case's, else the node's).
    pub commune: Option<String>,
    /// The case's receipt code, when the entry names a case held here.
    pub receipt_code: Option<String>,
}

/// One page of the auditor's search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuditResults {
    /// Every match.
    pub total: usize,
    /// Chains held.
    pub chains: usize,
    /// Entries held.
    pub held: u64,
    /// From this match.
    pub offset: usize,
    /// The page, newest first.
    pub rows: Vec<AuditRow>,
}

/// A verification report as the auditor reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyView {
    /// No findings.
    pub ok: bool,
    /// The verdict in one sentence.
    pub verdict: String,
    /// Each finding as a sentence (at most [`MAX_FINDINGS_SHOWN`]).
    pub findings: Vec<String>,
    /// Each chain: held, cosigned up to, by whom.
    pub chains: Vec<String>,
}

/// Most findings turned into sentences.
pub const MAX_FINDINGS_SHOWN: usize = 500;

/// The answer to an [`OversightEffect`].
#[derive(Clone, Debug)]
pub enum OversightOutcome {
    /// The dashboard.
    Dashboard(Result<Box<ProvinceDashboard>, String>),
    /// A commune's open cases and their total.
    CommuneCases {
        /// Commune code.
        commune: String,
        /// Rows and total, or an error.
        result: Result<(Vec<CaseSummary>, usize), String>,
    },
    /// A search page.
    Audit {
        /// The request it answers.
        generation: u64,
        /// The page or an error.
        result: Result<Box<AuditResults>, String>,
    },
    /// A verification, as sentences.
    Verified(Result<Box<VerifyView>, String>),
    /// An evidence bundle was written: the file, its size and the entries in its scope.
    Exported(Result<(PathBuf, u64, usize), String>),
}

fn vi(node: &Node) -> impl Fn(hoso_node::NodeError) -> String + '_ {
    move |e| crate::errors::node_error_vi(&e, node.catalog())
}

/// Runs one request (blocking).
pub fn execute(node: &Node, effect: OversightEffect) -> OversightOutcome {
    match effect {
        OversightEffect::Dashboard { today } => OversightOutcome::Dashboard(
            node.province_dashboard(today)
                .map(Box::new)
                .map_err(vi(node)),
        ),
        OversightEffect::CommuneCases { commune, today } => OversightOutcome::CommuneCases {
            result: node.commune_cases(&commune, today).map_err(vi(node)),
            commune,
        },
        OversightEffect::AuditSearch {
            generation,
            filter,
            offset,
        } => OversightOutcome::Audit {
            generation,
            result: search(node, &filter, offset).map(Box::new),
        },
        OversightEffect::Verify { progress } => {
            let r = verify(node, &progress).map(|r| Box::new(verify_view(node, &r)));
            progress.done.store(true, Ordering::Relaxed);
            OversightOutcome::Verified(r.map_err(vi(node)))
        }
        OversightEffect::Export { scope, dir } => {
            OversightOutcome::Exported(export(node, &scope, &dir))
        }
    }
}

/// A `dd/mm/yyyy` date.
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%d/%m/%Y").ok()
}

/// Vietnam midnight of `d`, Unix ms.
pub fn day_ms(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0)
        .and_then(|t| {
            t.and_local_timezone(hoso_node::deadline::vn_offset())
                .single()
        })
        .map_or(0, |t| t.timestamp_millis())
}

/// The filter as the node reads it, or what is wrong with it (a Vietnamese sentence).
pub fn parse_filter(node: &Node, f: &FilterText) -> Result<AuditFilter, String> {
    let mut out = AuditFilter::default();
    let commune = f.commune.trim();
    if !commune.is_empty() {
        if commune.len() == 5 && commune.bytes().all(|b| b.is_ascii_digit()) {
            out.commune = Some(commune.to_string());
        } else {
            let want = hoso_schemas::fold(commune);
            let found: Vec<_> = hoso_schemas::LANG_SON_COMMUNES
                .iter()
                .filter(|c| hoso_schemas::fold(c.name).contains(&want))
                .collect();
            match found.as_slice() {
                [one] => out.commune = Some(one.code.to_string()),
                [] => return Err(format!("Không có xã nào tên «{commune}».")),
                many => {
                    return Err(format!(
                        "«{commune}» khớp {} xã: gõ thêm tên hoặc mã xã (5 chữ số).",
                        many.len()
                    ));
                }
            }
        }
    }
    let officer = f.officer.trim();
    if !officer.is_empty() {
        out.officer = Some(officer.to_string());
    }
    let code = f.code.trim();
    if !code.is_empty() {
        let ids = if crate::queue::is_code_like(code) {
            crate::queue::candidates(node, code)?
        } else {
            Default::default()
        };
        let ids: Vec<CaseId> = ids.into_iter().collect();
        match ids.as_slice() {
            [one] => out.case = Some(*one),
            [] => return Err(format!("Không có hồ sơ nào mã «{code}» ở máy này.")),
            many => {
                return Err(format!(
                    "Mã «{code}» khớp {} hồ sơ: gõ đủ mã biên nhận.",
                    many.len()
                ));
            }
        }
    }
    out.action = f
        .action
        .and_then(|i| hoso_node::audit::entry::Action::ALL.get(i).copied());
    let from = f.from.trim();
    if !from.is_empty() {
        let d = parse_day(from)
            .ok_or_else(|| format!("Ngày «{from}» không đúng dạng ngày/tháng/năm (dd/mm/yyyy)."))?;
        out.from_ms = Some(day_ms(d));
    }
    let to = f.to.trim();
    if !to.is_empty() {
        let d = parse_day(to)
            .ok_or_else(|| format!("Ngày «{to}» không đúng dạng ngày/tháng/năm (dd/mm/yyyy)."))?;
        out.to_ms = Some(day_ms(d + chrono::Days::new(1)));
    }
    Ok(out)
}

fn search(node: &Node, f: &FilterText, offset: usize) -> Result<AuditResults, String> {
    let filter = parse_filter(node, f)?;
    let page = node
        .audit_search(&filter, offset, AUDIT_PAGE)
        .map_err(vi(node))?;
    Ok(AuditResults {
        total: page.total,
        chains: page.chains,
        held: page.held,
        offset,
        rows: page
            .hits
            .iter()
            .map(|h| AuditRow {
                line: AuditLine::from_stored(&h.stored, node.catalog()),
                node_name: h.node_name.clone(),
                commune: h
                    .case
                    .as_ref()
                    .map(|c| c.1.clone())
                    .or_else(|| h.node_commune.clone()),
                receipt_code: h.case.as_ref().map(|c| c.0.clone()),
            })
            .collect(),
    })
}

/// A store as an audit source that counts what verification has read.
struct Counting<'a> {
    inner: DbSource<'a>,
    progress: &'a VerifyProgress,
}

impl AuditSource for Counting<'_> {
    fn realm(&self) -> [u8; 16] {
        self.inner.realm()
    }
    fn origins(&self) -> hoso_node::Result<Vec<NodeId>> {
        self.inner.origins()
    }
    fn records(&self, origin: &NodeId, f: &mut RecordVisitor<'_>) -> hoso_node::Result<()> {
        let p = self.progress;
        self.inner.records(origin, &mut |k, r, pl| {
            p.entries.fetch_add(1, Ordering::Relaxed);
            f(k, r, pl);
        })
    }
    fn forks(&self) -> hoso_node::Result<Vec<ForkRecord>> {
        self.inner.forks()
    }
    fn checkpoints(&self, origin: &NodeId) -> hoso_node::Result<Vec<(u64, Vec<u8>)>> {
        self.inner.checkpoints(origin)
    }
    fn cosignatures(
        &self,
        origin: &NodeId,
        size: u64,
    ) -> hoso_node::Result<Vec<(NodeId, Vec<u8>)>> {
        self.inner.cosignatures(origin, size)
    }
    fn evidence(&self) -> hoso_node::Result<Vec<(NodeId, Vec<u8>)>> {
        self.inner.evidence()
    }
    fn case_ids(&self) -> hoso_node::Result<Vec<CaseId>> {
        let ids = self.inner.case_ids()?;
        self.progress
            .cases_total
            .store(ids.len() as u64, Ordering::Relaxed);
        Ok(ids)
    }
    fn doc(&self, case: &CaseId) -> hoso_node::Result<Option<DocBytes>> {
        self.progress.cases.fetch_add(1, Ordering::Relaxed);
        self.inner.doc(case)
    }
    fn roster(&self) -> Option<std::collections::BTreeSet<NodeId>> {
        self.inner.roster()
    }
}

fn verify(node: &Node, progress: &VerifyProgress) -> hoso_node::Result<Report> {
    let inner = node.audit_source();
    let mut total = 0;
    for o in inner.origins()? {
        total += node.chain_len(&o)?;
    }
    progress.entries_total.store(total, Ordering::Relaxed);
    progress
        .cases_total
        .store(node.count_cases()?, Ordering::Relaxed);
    let src = Counting { inner, progress };
    hoso_node::audit::verify::verify(&src, &Policy::default())
}

fn export(
    node: &Node,
    scope: &ExportScope,
    dir: &std::path::Path,
) -> Result<(PathBuf, u64, usize), String> {
    let stamp = hoso_node::deadline::now().format("%Y%m%d-%H%M%S");
    let what = match scope {
        ExportScope::All => "toan-bo".to_string(),
        ExportScope::Case { receipt_code } => {
            format!("ho-so-{}", receipt_code.replace(['.', '/'], "_"))
        }
        ExportScope::Period { .. } => "khoang-thoi-gian".to_string(),
    };
    let name = format!("bang-chung-{what}-{stamp}.hoso-bundle");
    let path = dir.join(&name);
    let cant = |e: std::io::Error| {
        format!(
            "Không ghi được tệp bằng chứng {} ({e}). Kiểm tra thư mục và quyền ghi.",
            path.display()
        )
    };
    // Never inside the data dir (a bundle there would be copied with the store) and never over
    // an existing file: written under a temporary name, then renamed into place.
    let data = node.dir().canonicalize().map_err(cant)?;
    let target_dir = dir.canonicalize().map_err(cant)?;
    if target_dir.starts_with(&data) {
        return Err(format!(
            "Không ghi tệp bằng chứng vào thư mục dữ liệu của máy ({}): chạy bảng điều khiển từ thư mục khác.",
            target_dir.display()
        ));
    }
    if path.exists() {
        return Err(format!(
            "Đã có tệp {}: thử lại sau một giây.",
            path.display()
        ));
    }
    let tmp = dir.join(format!(".{name}.tmp"));
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .map_err(cant)?;
    let mut w = std::io::BufWriter::new(file);
    let written = node.export_audit_scope(scope, &mut w);
    let finish = |w: std::io::BufWriter<std::fs::File>| -> std::io::Result<()> {
        let file = w
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        file.sync_all()?;
        std::fs::rename(&tmp, &path)
    };
    match written {
        Ok((summary, in_scope)) => match finish(w) {
            Ok(()) => Ok((path.clone(), summary.bytes, in_scope)),
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                Err(cant(e))
            }
        },
        Err(e) => {
            drop(w);
            let _ = std::fs::remove_file(&tmp);
            Err(vi(node)(e))
        }
    }
}

struct NodeNames<'a> {
    node: &'a Node,
    peers: std::collections::HashMap<NodeId, String>,
}

impl crate::finding_text::Names for NodeNames<'_> {
    fn node(&self, id: &NodeId) -> String {
        if *id == self.node.id() {
            return format!("{} (máy này)", self.node.config().name);
        }
        self.peers
            .get(id)
            .cloned()
            .unwrap_or_else(|| format!("máy {}", id.short()))
    }
    fn case(&self, id: &CaseId) -> String {
        self.node
            .case(&id.to_string())
            .map_or_else(|_| format!("(mã nội bộ {id})"), |v| v.receipt_code)
    }
}

fn verify_view(node: &Node, r: &Report) -> VerifyView {
    let peers = hoso_node::Peers::load(node.dir())
        .map(|p| p.peer.into_iter().map(|p| (p.node_id, p.name)).collect())
        .unwrap_or_default();
    let names = NodeNames { node, peers };
    let mut findings: Vec<String> = r
        .findings
        .iter()
        .take(MAX_FINDINGS_SHOWN)
        .map(|f| crate::finding_text::finding_vi(f, &names))
        .collect();
    if r.findings.len() > MAX_FINDINGS_SHOWN {
        findings.push(format!(
            "… và {} sai lệch khác (báo quản trị xuất danh sách đầy đủ).",
            r.findings.len() - MAX_FINDINGS_SHOWN
        ));
    }
    let mut chains: Vec<String> = r
        .chains
        .iter()
        .map(|c| {
            use crate::finding_text::Names;
            format!(
                "Chuỗi {}: {} mục, đã được ký xác nhận tới mục {}{}.",
                names.node(&c.origin),
                c.length,
                c.cosigned_size,
                if c.witnesses.is_empty() {
                    String::new()
                } else {
                    format!(
                        " bởi {}",
                        c.witnesses
                            .iter()
                            .map(|w| names.node(w))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                }
            )
        })
        .collect();
    chains.sort();
    VerifyView {
        ok: r.ok,
        verdict: crate::finding_text::verdict_vi(r),
        findings,
        chains,
    }
}
