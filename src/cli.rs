//! The command line, as clap derive structs. Names follow ../shared/design/cli.md.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// hoso: offline-first case records for commune public-service centers.
#[derive(Debug, Parser)]
#[command(name = "hoso", version, about, long_about = None, propagate_version = true)]
pub(crate) struct Cli {
    /// The node's data dir.
    #[arg(long, global = true, env = "HOSO_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The officer doing the work (for commands that write).
    #[arg(long, global = true, env = "HOSO_OFFICER", value_name = "ID")]
    pub officer: Option<String>,
    /// Print one JSON document on stdout instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a node: data dir, key (mode 0600), settings and store.
    Init(InitArgs),
    /// Node id, role, scope and listen address.
    Id,
    /// Verify the store offline: every case document loads whole, every summary, index and
    /// receipt row equals a rebuild from its document (exit 3 when something is wrong).
    Check {
        /// Rebuild summaries, indexes and receipts from the documents (refused while a
        /// document is damaged).
        #[arg(long)]
        repair: bool,
    },
    /// First run: a node with the sample catalog, registry and cases, a summary, then the console.
    Demo(DemoArgs),
    /// The officer console: a terminal UI for the day's work (works offline).
    Tui(TuiArgs),
    /// Officer accounts.
    #[command(subcommand)]
    Officer(OfficerCmd),
    /// Open a session: later writes of this OS user on this node act as the officer, for 8
    /// hours or until `hoso logout`.
    Login(LoginArgs),
    /// Close this OS user's session on this node.
    Logout,
    /// Print a shell completion script (needs no node), e.g.
    /// `hoso completions bash > /etc/bash_completion.d/hoso`.
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of hoso or of one of its commands, generated from these
    /// definitions (needs no node), e.g. `hoso man > hoso.1`, `hoso man case new`.
    Man {
        /// The command, e.g. `case new` (default: hoso itself).
        command: Vec<String>,
    },
    /// The procedure catalog.
    #[command(subcommand)]
    Procedures(ProceduresCmd),
    /// The working-day calendar: holidays, make-up days, due dates (needs no node).
    #[command(subcommand)]
    Calendar(CalendarCmd),
    /// The population reference data.
    #[command(subcommand)]
    Registry(RegistryCmd),
    /// Case files.
    #[command(subcommand)]
    Case(CaseCmd),
    /// Import cases from a JSON-lines file (all or nothing).
    Import {
        /// The file (`-` for stdin).
        file: PathBuf,
    },
    /// Export every case as JSON lines.
    Export {
        /// Output file (stdout when absent).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Store size, counts, chain head.
    Status {
        /// Skip the per-peer pending counts (they scan the change feed once per peer, which
        /// takes seconds on a hub with many communes).
        #[arg(long)]
        brief: bool,
    },
    /// The peers file: the only nodes this node syncs with.
    #[command(subcommand)]
    Peer(PeerCmd),
    /// Headless node: listens and syncs with peers until SIGINT/SIGTERM.
    Serve(ServeArgs),
    /// Sync now: one round with each peer, then print what moved.
    Sync(SyncArgs),
    /// The signed audit history: log, verify, replay, export.
    #[command(subcommand)]
    Audit(AuditCmd),
    /// A consistent copy of this node (store, key, settings, peers) while it runs:
    /// `hoso backup --out FILE`; `hoso backup verify FILE` checks one.
    Backup(BackupArgs),
    /// Rebuild this node: `hoso node restore --from FILE` into an empty data dir.
    #[command(subcommand, name = "node")]
    NodeOps(NodeCmd),
    /// Check the node as an operator would: key, store, peers, cosigned chain, disk, clock.
    Doctor,
    /// The province's catalog versions: `publish --dir DIR` at the hub, `show` anywhere.
    #[command(subcommand)]
    Catalog(CatalogCmd),
    /// The store file: where its bytes go (`usage`), and giving its slack back (`compact`).
    #[command(subcommand)]
    Store(StoreCmd),
}

/// `hoso catalog …` (issue 12: one catalog for the province).
#[derive(Debug, Subcommand)]
pub(crate) enum CatalogCmd {
    /// Hub, supervisor: publish DIR (`catalog/*.toml`, optional `holidays.toml`,
    /// `forms/*.typ`, `forms/forms.toml`) as the next catalog version, signed by the hub;
    /// communes take it at their next sync.
    Publish {
        /// The directory holding the catalog, calendar and form templates.
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
    },
    /// The catalog version in force and every version held.
    Show,
}

/// `hoso store …`.
#[derive(Debug, Subcommand)]
pub(crate) enum StoreCmd {
    /// Rewrite every table in key order and shrink the file to what it holds. Needs the store
    /// to itself: stop `hoso serve` and the console first (refused while they run).
    Compact,
    /// Bytes per table: stored keys and values, redb's overhead, slack inside pages, and the
    /// file's free pages.
    Usage,
}

/// `hoso backup`.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub(crate) struct BackupArgs {
    /// The backup file to write (mode 0600: it holds the node key), outside the data dir.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// verify FILE.
    #[command(subcommand)]
    pub cmd: Option<BackupCmd>,
}

/// `hoso backup verify`.
#[derive(Debug, Subcommand)]
pub(crate) enum BackupCmd {
    /// Check a backup file: format, checksum, the store opens bound to its key, `hoso check`.
    Verify {
        /// The backup file.
        file: PathBuf,
    },
}

/// `hoso node …`.
#[derive(Debug, Subcommand)]
pub(crate) enum NodeCmd {
    /// Restore this node into an empty data dir from a backup (`--from FILE`): a new chain
    /// incarnation, after asking the hub for everything the node did since the backup.
    Restore {
        /// The backup file (`hoso backup --out FILE`).
        #[arg(long, value_name = "FILE", required_unless_present_any = ["resume", "from_hub"])]
        from: Option<PathBuf>,
        /// No backup: this new node (`hoso init`, a new key, enrolled at the hub) takes the
        /// place of the lost node `--predecessor ID`, pulling its commune's cases and chain
        /// from the hub.
        #[arg(long, conflicts_with_all = ["from", "resume"], requires = "predecessor")]
        from_hub: bool,
        /// With --from-hub: the lost node's id (the hub retired it: `hoso node retire`).
        #[arg(long, value_name = "NODE_ID")]
        predecessor: Option<String>,
        /// Finish a restore that could not reach its hub (the data dir is already restored).
        #[arg(long, conflicts_with = "from")]
        resume: bool,
        /// Restore without asking the hub first (no hub reachable). Refused when the node
        /// has a hub peer unless given: a node that writes before it has heard its hub may
        /// reuse receipt codes.
        #[arg(long)]
        offline: bool,
    },
    /// Hub: retire a lost commune node in favour of its successor (already `peer add`ed): the
    /// old id leaves peers.toml and is refused from then on; the successor receives its chain.
    Retire {
        /// The lost node's id.
        node_id: String,
        /// The node that takes its place.
        #[arg(long, value_name = "NODE_ID")]
        successor: String,
    },
}

/// `hoso init`.
#[derive(Debug, Args)]
pub(crate) struct InitArgs {
    /// Display name of the node.
    #[arg(long)]
    pub name: Option<String>,
    /// commune or hub.
    #[arg(long, default_value = "commune")]
    pub role: String,
    /// Province code (2 digits).
    #[arg(long, default_value = "20")]
    pub province: String,
    /// Commune code (5 digits); required for a commune.
    #[arg(long)]
    pub commune: Option<String>,
    /// Receipt unit code (default derived from the commune code).
    #[arg(long)]
    pub unit_code: Option<String>,
    /// Sync listen address.
    #[arg(long, default_value = "127.0.0.1:7420")]
    pub listen: String,
    /// Also load the sample registry, officers and cases from fixtures/.
    #[arg(long)]
    pub sample: bool,
    /// Full name of the node's first officer, a supervisor whose id is the global `--officer
    /// ID`: created with the store (every later account is created by a supervisor).
    #[arg(long, value_name = "NAME")]
    pub officer_name: Option<String>,
    /// Read the first officer's passphrase from stdin instead of the terminal.
    #[arg(long)]
    pub passphrase_stdin: bool,
}

/// `hoso demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Start from a fresh demo node even if one exists.
    #[arg(long)]
    pub reset: bool,
    /// Print the summary only; do not open the console.
    #[arg(long)]
    pub no_console: bool,
    /// Also run a provincial hub node in this process (in `<data dir>-hub`), synced with the
    /// demo node, so the console's Sync panel shows sync happen and the link can be cut.
    #[arg(long)]
    pub with_hub: bool,
    /// Console: capture the mouse (wheel and click on the list).
    #[arg(long)]
    pub mouse: bool,
}

/// `hoso tui`.
#[derive(Debug, Args)]
pub(crate) struct TuiArgs {
    /// Capture the mouse (wheel and click on the list; the terminal's own text selection is off).
    #[arg(long)]
    pub mouse: bool,
}

/// `hoso officer …`.
#[derive(Debug, Subcommand)]
pub(crate) enum OfficerCmd {
    /// Create an officer account.
    Add {
        /// Login id, e.g. canbo01.
        id: String,
        /// Full name.
        #[arg(long)]
        name: String,
        /// officer, supervisor or auditor.
        #[arg(long, default_value = "officer")]
        role: String,
        /// Read the passphrase from stdin instead of the terminal.
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// List officer accounts.
    List,
    /// Disable an account (supervisor): the officer can no longer log in or write, and every
    /// session they hold ends now. Audited.
    Disable {
        /// The officer's id.
        id: String,
    },
    /// Change your own passphrase, proving the old one (`--officer ID`, or the session's
    /// officer); also how a one-time passphrase from `officer reset` is replaced. Audited.
    Passwd {
        /// Read the old passphrase, then the new one, as two lines of stdin.
        #[arg(long)]
        passphrase_stdin: bool,
    },
    /// Set a one-time passphrase for an officer who forgot theirs (supervisor); it is printed
    /// once, their sessions end, and they must change it (`officer passwd`) before anything
    /// else. Audited.
    Reset {
        /// The officer's id.
        id: String,
    },
}

/// `hoso login`.
#[derive(Debug, Args)]
pub(crate) struct LoginArgs {
    /// The officer id (default: --officer / `HOSO_OFFICER`).
    pub id: Option<String>,
    /// Read the passphrase from stdin instead of the terminal (scripts).
    #[arg(long)]
    pub passphrase_stdin: bool,
}

/// `hoso procedures …`.
#[derive(Debug, Subcommand)]
pub(crate) enum ProceduresCmd {
    /// Every procedure in the catalog.
    List,
    /// One procedure: fields, sources, workflow.
    Show {
        /// Procedure code.
        code: String,
    },
}

/// `hoso calendar …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CalendarCmd {
    /// The days off and make-up working days of a year, from the data dir's holidays.toml
    /// (or the built-in calendar).
    Show {
        /// The year, e.g. 2026.
        year: i32,
    },
    /// The appointment date of a procedure for a dossier received at a given time.
    Due {
        /// Procedure code (see `hoso procedures list`).
        procedure: String,
        /// When the dossier was received, RFC 3339 (e.g. 2025-12-31T15:30:00+07:00).
        #[arg(long, value_name = "RFC3339")]
        received: String,
        /// Use the limit that applies when the dossier must be verified.
        #[arg(long)]
        verification: bool,
    },
}

/// `hoso registry …`.
#[derive(Debug, Subcommand)]
pub(crate) enum RegistryCmd {
    /// Import a population file (JSON lines; all or nothing).
    Import {
        /// The file.
        file: PathBuf,
        /// The date the extract was taken, dd/mm/yyyy or YYYY-MM-DD (default: today); written
        /// into every evidence record filled from it.
        #[arg(long, value_name = "DATE")]
        extract_date: Option<String>,
        /// The extract's version label (default: the import number and the file digest).
        #[arg(long, value_name = "TEXT")]
        extract_version: Option<String>,
    },
    /// Check the cases of citizens missing from the extract against the extract held now
    /// (also done by every import): clears or flags each, audited.
    Recheck,
    /// One citizen.
    Show {
        /// Citizen id (12 digits).
        citizen_id: String,
    },
    /// Citizens, optionally matching a name (accent-insensitive).
    List {
        /// Name to search for.
        #[arg(long)]
        search: Option<String>,
        /// Most rows.
        #[arg(long, default_value_t = 20)]
        limit: usize,
    },
}

/// `hoso case …`.
#[derive(Debug, Subcommand)]
pub(crate) enum CaseCmd {
    /// Receive a case for a citizen; prints id, receipt code, due date.
    New {
        /// Procedure code (see `hoso procedures list`).
        #[arg(long)]
        procedure: String,
        /// The citizen's id number.
        #[arg(long)]
        citizen: String,
        /// A field the citizen provides, NAME=VALUE (repeatable).
        #[arg(long = "field", value_name = "NAME=VALUE")]
        fields: Vec<String>,
        /// Fields from a JSON object file.
        #[arg(long)]
        from_file: Option<PathBuf>,
        /// How the dossier came in: `in_person`, online or post (default in person).
        #[arg(long, value_name = "CHANNEL")]
        channel: Option<String>,
        /// The National Public Service Portal's own case code of the dossier.
        #[arg(long, value_name = "CODE")]
        portal_code: Option<String>,
        #[command(flatten)]
        declared: DeclaredArgs,
        /// Only show the prefilled form and what is missing; create nothing.
        #[arg(long)]
        check: bool,
    },
    /// List cases, soonest due first.
    List {
        /// Only this status.
        #[arg(long)]
        status: Option<String>,
        /// Only this procedure.
        #[arg(long)]
        procedure: Option<String>,
        /// Name (accents optional), citizen id or receipt code.
        #[arg(long)]
        search: Option<String>,
        /// Only overdue cases.
        #[arg(long)]
        overdue: bool,
        /// Most rows.
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// One case, every field.
    Show {
        /// Case id or receipt code.
        case: String,
    },
    /// Edit fields (validated against the catalog).
    Set {
        /// Case id or receipt code.
        case: String,
        /// NAME=VALUE pairs.
        #[arg(required = true, value_name = "NAME=VALUE")]
        fields: Vec<String>,
    },
    /// Move a case (or one track of a bundle) through its workflow.
    Transition {
        /// Case id or receipt code.
        case: String,
        /// New status word.
        status: String,
        /// Track (procedure code) of an integrated bundle.
        #[arg(long)]
        track: Option<String>,
        /// A note for the history.
        #[arg(long)]
        note: Option<String>,
    },
    /// Append a note.
    Note {
        /// Case id or receipt code.
        case: String,
        /// The text.
        text: String,
    },
    /// Cases in the review queue after a concurrent edit.
    Conflicts,
    /// Record the fee paid (checked against the catalog fee for the case's channel).
    Pay {
        /// Case id or receipt code.
        case: String,
        /// Amount paid, in đồng (e.g. 20000).
        #[arg(long)]
        amount: u64,
        /// cash, transfer, online or exempt.
        #[arg(long)]
        method: String,
        /// Transaction code or receipt number (required for transfer and online).
        #[arg(long, default_value = "")]
        reference: String,
        /// Why the citizen pays less than the fee (one of the catalog's exemptions).
        #[arg(long, value_name = "REASON")]
        exemption: Option<String>,
    },
    /// Recompute the due date on the current holiday calendar (supervisor; audited).
    RecomputeDue {
        /// Case id or receipt code.
        case: String,
    },
    /// Move a received case to the catalog version in force (supervisor; audited): its
    /// deadlines, fee and workflow follow that version from then on.
    Recatalog {
        /// Case id or receipt code.
        case: String,
        /// Why (kept in the audit entry).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
    /// Move one track of an integrated bundle through its own procedure's workflow; the first
    /// move out of `received` hands it off to its agency and starts its own due date.
    Track {
        /// Case id or receipt code.
        case: String,
        /// The track (procedure code), e.g. `permanent_residence`.
        track: String,
        /// New status word.
        #[arg(long)]
        to: String,
        /// A note for the history.
        #[arg(long)]
        note: Option<String>,
    },
    /// Open tracks of bundle cases against their own due dates: an agency's list.
    Tracks {
        /// Only this agency (part of its name, accents optional), e.g. "cong an".
        #[arg(long)]
        agency: Option<String>,
        /// Only tracks past their own due date.
        #[arg(long)]
        overdue: bool,
    },
    /// Record the result of a case (or of one track): what was issued, its number, date,
    /// signer and how it reaches the citizen. `returned` needs it.
    Result {
        /// Case id or receipt code.
        case: String,
        /// The track (procedure code) of a bundle, when the result is that track's.
        #[arg(long)]
        track: Option<String>,
        /// What was issued, e.g. "Trích lục khai sinh".
        #[arg(long)]
        kind: String,
        /// Its number.
        #[arg(long)]
        number: String,
        /// The date it was signed, dd/mm/yyyy (default: today).
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Who signed it.
        #[arg(long)]
        signer: String,
        /// desk, post or vneid.
        #[arg(long)]
        channel: String,
    },
    /// Ask the citizen for a supplement (Mẫu 02): every missing item at once, with a deadline;
    /// the clock pauses. A second request needs a supervisor and --reason.
    Supplement {
        /// Case id or receipt code.
        case: String,
        /// The track (procedure code) of a bundle that has its own deadline: the request is
        /// that track's and only its clock pauses.
        #[arg(long)]
        track: Option<String>,
        /// One missing item (repeat for each).
        #[arg(long = "item", value_name = "TEXT")]
        items: Vec<String>,
        /// The date to supplement by, dd/mm/yyyy (default: the catalog's limit from today).
        #[arg(long, value_name = "DATE")]
        deadline: Option<String>,
        /// Why (required from the second request on).
        #[arg(long)]
        reason: Option<String>,
    },
    /// Apologise for a late result with a new appointment date (Mẫu 04; supervisors, before
    /// the appointment date passes).
    Apology {
        /// Case id or receipt code.
        case: String,
        /// The track (procedure code) of a bundle whose own result is late: the new date is
        /// that track's.
        #[arg(long)]
        track: Option<String>,
        /// The new appointment date, dd/mm/yyyy.
        #[arg(long, value_name = "DATE")]
        new_date: String,
        /// Why the result is late.
        #[arg(long)]
        reason: String,
    },
    /// Print a one-stop form of a case as PDF (read-only): receipt (Mẫu 01), supplement
    /// request (02), refusal (03), apology with a new date (04), tracking sheet (05).
    Print(PrintArgs),
}

/// `hoso case new` for a citizen missing from the population extract (Decree 118/2025): the
/// identity the citizen declares. Giving `--declared-name` receives the case unverified.
#[derive(Debug, Args)]
pub(crate) struct DeclaredArgs {
    /// The citizen's full name, as declared.
    #[arg(long, value_name = "NAME", requires_all = ["declared_dob", "declared_sex", "declared_commune"])]
    pub declared_name: Option<String>,
    /// Date of birth, dd/mm/yyyy.
    #[arg(long, value_name = "DATE")]
    pub declared_dob: Option<String>,
    /// Nam or Nữ.
    #[arg(long, value_name = "SEX")]
    pub declared_sex: Option<String>,
    /// The citizen's commune of residence (5-digit code).
    #[arg(long, value_name = "CODE")]
    pub declared_commune: Option<String>,
}

/// `hoso case print`.
#[derive(Debug, Args)]
pub(crate) struct PrintArgs {
    /// Case id or receipt code.
    pub case: String,
    /// receipt, supplement, refusal, apology or tracking.
    #[arg(long)]
    pub form: String,
    /// The PDF file to write.
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// Paper size, a4 or a5 (default: the form's size in <data dir>/forms/forms.toml, else
    /// A5, the tracking sheet A4).
    #[arg(long)]
    pub paper: Option<String>,
    /// Supplement: one missing item (repeat for each; the request lists everything at once).
    #[arg(long = "item", value_name = "TEXT")]
    pub items: Vec<String>,
    /// Supplement: the date to supplement by, dd/mm/yyyy (default: the catalog's
    /// supplement limit counted from today).
    #[arg(long, value_name = "DATE")]
    pub deadline: Option<String>,
    /// Refusal: one reason (repeatable); supplement and apology: the reason.
    #[arg(long = "reason", value_name = "TEXT")]
    pub reasons: Vec<String>,
    /// Apology: the new appointment date, dd/mm/yyyy (after the current due date).
    #[arg(long, value_name = "DATE")]
    pub new_date: Option<String>,
    /// The date printed on the form, dd/mm/yyyy (default: today in Vietnam).
    #[arg(long, value_name = "DATE")]
    pub date: Option<String>,
}

/// `hoso peer …`.
#[derive(Debug, Subcommand)]
pub(crate) enum PeerCmd {
    /// Add (or update) a peer.
    Add {
        /// The peer's node id (64 hex characters; `hoso id` on that node prints it).
        node_id: String,
        /// Its address, IP:PORT (repeatable).
        #[arg(long = "addr", value_name = "IP:PORT")]
        addrs: Vec<String>,
        /// hub or commune.
        #[arg(long)]
        role: String,
        /// Display name.
        #[arg(long)]
        name: Option<String>,
        /// Scope codes: the commune code of a commune, the province code of a hub (repeatable).
        #[arg(long = "scope", value_name = "CODE")]
        scope: Vec<String>,
    },
    /// List peers.
    List,
    /// Remove a peer.
    Remove {
        /// The peer's node id.
        node_id: String,
    },
}

/// `hoso serve`.
#[derive(Debug, Args)]
pub(crate) struct ServeArgs {
    /// Listen address (default: `listen` in node.toml).
    #[arg(long, value_name = "IP:PORT")]
    pub listen: Option<String>,
    /// Use relays and discovery where the network has them (default: direct addresses only).
    #[arg(long)]
    pub relays: bool,
}

/// `hoso sync`.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// Only this peer.
    #[arg(long, value_name = "NODE_ID")]
    pub peer: Option<String>,
    /// One round with each peer, then print what moved (the default; `hoso serve` stays on).
    #[arg(long)]
    pub once: bool,
    /// Use relays and discovery.
    #[arg(long)]
    pub relays: bool,
}

/// `hoso audit …`.
#[derive(Debug, Subcommand)]
pub(crate) enum AuditCmd {
    /// Audit entries, oldest first: all chains held, or one case or one node.
    Log {
        /// Only entries naming this case (id or receipt code).
        #[arg(long)]
        case: Option<String>,
        /// Only this node's chain (node id, 64 hex).
        #[arg(long)]
        node: Option<String>,
        /// Most entries shown (0 = all).
        #[arg(long, default_value_t = 0)]
        limit: usize,
    },
    /// Verify every chain, checkpoint and case document; exit 3 on tampering.
    Verify {
        /// Only report findings about this node's chain.
        #[arg(long)]
        node: Option<String>,
        /// Verify an evidence bundle offline instead of the data dir.
        #[arg(long, value_name = "FILE")]
        bundle: Option<PathBuf>,
        /// Trust only this witness key for cosignatures (repeatable).
        #[arg(long, value_name = "NODE_ID")]
        witness: Vec<String>,
    },
    /// A case as it was at a moment, and every recorded action up to then.
    Replay {
        /// Case id or receipt code.
        case: String,
        /// RFC 3339 time, or a date (end of that day, Vietnam time).
        #[arg(long, conflicts_with = "seq")]
        at: Option<String>,
        /// A position in a node's chain (with --node; default this node).
        #[arg(long)]
        seq: Option<u64>,
        /// The chain `--seq` counts in.
        #[arg(long, requires = "seq")]
        node: Option<String>,
    },
    /// Write an evidence bundle: chains, checkpoints, cosignatures, fork evidence, case documents.
    Export {
        /// Output file (default hoso-audit-<node>-<date>.bundle in the current dir).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}
