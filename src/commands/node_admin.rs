//! init, id, demo, status, officer.

use std::process::ExitCode;

use anyhow::Context;
use hoso_node::FirstOfficer;
use hoso_node::{InitOptions, Node, NodeRole};
use hoso_schemas::Role;

use crate::cli::{Cli, DemoArgs, InitArgs, OfficerCmd};
use crate::commands::console;
use crate::data_dir::{data_dir, open};
use crate::exit::UsageError;
use crate::{output, sample};

fn init_node(cli: &Cli, args: &InitArgs) -> anyhow::Result<Node> {
    let role: NodeRole = args.role.parse()?;
    let commune = args.commune.clone();
    let name = args.name.clone().unwrap_or_else(|| match (&commune, role) {
        (Some(c), _) => hoso_schemas::commune(c)
            .map(|c| c.name.to_string())
            .unwrap_or_else(|| format!("Xã {c}")),
        (None, NodeRole::Hub) => format!("Hub tỉnh {}", args.province),
        (None, NodeRole::Commune) => "hoso".into(),
    });
    let first = first_officer(cli, args)?;
    Ok(Node::init_with_officer(
        &data_dir(cli),
        InitOptions {
            name,
            role,
            province: args.province.clone(),
            commune,
            unit_code: args.unit_code.clone(),
            listen: args.listen.clone(),
            realm: None,
        },
        first.as_ref(),
    )?)
}

/// The first officer of `init`: `--officer ID --officer-name NAME`, a supervisor, with the
/// passphrase from the terminal (or `--passphrase-stdin`). `None` when no name is given.
fn first_officer(cli: &Cli, args: &InitArgs) -> anyhow::Result<Option<FirstOfficer>> {
    let Some(name) = args.officer_name.as_deref() else {
        if args.passphrase_stdin {
            return Err(UsageError(
                "--passphrase-stdin is the first officer's: give --officer ID --officer-name NAME too"
                    .into(),
            )
            .into());
        }
        return Ok(None);
    };
    let Some(id) = cli.officer.as_deref().filter(|o| !o.is_empty()) else {
        return Err(UsageError(
            "--officer-name needs the first officer's id: pass --officer ID".into(),
        )
        .into());
    };
    if args.sample {
        return Err(UsageError(
            "--sample brings its own officers (canbo01, lanhdao01, thanhtra01): leave out --officer-name"
                .into(),
        )
        .into());
    }
    // Checked before the passphrase is asked for and before anything is written.
    hoso_node::officer::validate_id(id)?;
    let passphrase = read_new_passphrase(args.passphrase_stdin)?;
    Ok(Some(FirstOfficer {
        id: id.to_string(),
        name: name.to_string(),
        role: Role::Supervisor,
        passphrase,
    }))
}

#[derive(serde::Serialize)]
struct IdOut<'a> {
    node_id: String,
    name: &'a str,
    role: &'a str,
    province: &'a str,
    commune: Option<&'a str>,
    unit_code: &'a str,
    listen: &'a str,
    data_dir: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    sample: Option<sample::Loaded>,
}

fn id_out(node: &Node, sample: Option<sample::Loaded>) -> IdOut<'_> {
    let c = node.config();
    IdOut {
        node_id: node.id().to_string(),
        name: &c.name,
        role: c.role.as_str(),
        province: &c.province,
        commune: c.commune.as_deref(),
        unit_code: &c.unit_code,
        listen: &c.listen,
        data_dir: node.dir().display().to_string(),
        sample,
    }
}

fn print_id(cli: &Cli, out: &IdOut<'_>) -> anyhow::Result<()> {
    if cli.json {
        return output::json(out);
    }
    println!("node id    {}", out.node_id);
    println!("name       {}", out.name);
    println!("role       {}", out.role);
    println!(
        "scope      province {}{}",
        out.province,
        out.commune
            .map(|c| format!(", commune {c}"))
            .unwrap_or_default()
    );
    println!("unit code  {}", out.unit_code);
    println!("listen     {}", out.listen);
    println!("data dir   {}", out.data_dir);
    if let Some(s) = &out.sample {
        println!(
            "sample     {} officers, {} citizens, {} cases",
            s.officers, s.citizens, s.cases
        );
    }
    Ok(())
}

/// `hoso init`.
pub(super) fn init(cli: &Cli, args: &InitArgs) -> anyhow::Result<ExitCode> {
    let node = init_node(cli, args)?;
    let loaded = if args.sample {
        Some(sample::load(&node)?)
    } else {
        None
    };
    print_id(cli, &id_out(&node, loaded))?;
    Ok(ExitCode::SUCCESS)
}

/// `hoso id`.
pub(super) fn id(cli: &Cli) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    print_id(cli, &id_out(&node, None))?;
    Ok(ExitCode::SUCCESS)
}

/// `hoso demo`: a node with the sample data (created on first run), then a summary.
pub(super) fn demo(cli: &Cli, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let dir = data_dir(cli);
    if args.reset && dir.join(hoso_node::node::paths::CONFIG).exists() {
        std::fs::remove_dir_all(&dir).with_context(|| format!("removing {}", dir.display()))?;
    }
    let fresh = !dir.join(hoso_node::node::paths::CONFIG).exists();
    let node = if fresh {
        let node = init_node(
            cli,
            &InitArgs {
                name: None,
                role: "commune".into(),
                province: "20".into(),
                commune: Some("06112".into()),
                unit_code: None,
                listen: "127.0.0.1:7420".into(),
                sample: true,
                officer_name: None,
                passphrase_stdin: false,
            },
        )?;
        sample::load(&node)?;
        node
    } else {
        Node::open(&dir)?
    };
    let hub = if args.with_hub {
        Some(demo_hub(&dir, &node)?)
    } else {
        None
    };
    let status = node.status()?;
    if cli.json {
        return output::json(&status).map(|()| ExitCode::SUCCESS);
    }
    println!(
        "hoso demo node `{}` ({}) in {}{}",
        status.name,
        node.id().short(),
        dir.display(),
        if fresh { " (new)" } else { "" }
    );
    println!(
        "  {} cases, {} citizens in the registry, {} officers, audit chain of {} entries",
        status.cases, status.registry_citizens, status.officers, status.chain_length
    );
    for (s, n) in &status.by_status {
        if *n > 0 {
            println!("  {s:<22} {n}");
        }
    }
    println!();
    println!(
        "Sample officers (passphrase `{}`): canbo01 (officer), lanhdao01 (supervisor), thanhtra01 (auditor).",
        sample::PASSPHRASE
    );
    println!("Try, with HOSO_DATA_DIR={}:", dir.display());
    println!(
        "  hoso login canbo01   (passphrase {}; writes then act as canbo01 for 8 hours, `hoso logout` ends it)",
        sample::PASSPHRASE
    );
    println!("  hoso case list --search \"nguyen\"");
    println!("  hoso registry list --limit 5");
    println!(
        "  hoso case new --procedure judicial_record --citizen <ID from the registry> --check   (what the registry fills, what the citizen must still provide)"
    );
    if let Some(h) = &hub {
        println!(
            "Hub `{}` ({}) in {} syncs with this node on 127.0.0.1: watch the Sync panel (Tab), cut and restore the link there.",
            h.config().name,
            h.id().short(),
            h.dir().display()
        );
    }
    if args.no_console {
        return Ok(ExitCode::SUCCESS);
    }
    if !console::interactive() {
        println!();
        println!(
            "(Not a terminal: the console was not opened. Run `hoso demo` in a terminal to use it.)"
        );
        return Ok(ExitCode::SUCCESS);
    }
    println!();
    println!(
        "Opening the console: log in as canbo01 with passphrase `{}` (q quits, ? lists the keys).",
        sample::PASSPHRASE
    );
    console::open_console(
        node,
        hoso_tui::RunOptions {
            login_hint: Some(format!(
                "Tài khoản mẫu: canbo01 (cán bộ), lanhdao01 (lãnh đạo), thanhtra01 (kiểm tra); mật khẩu {}",
                sample::PASSPHRASE
            )),
            officer: cli.officer.clone().filter(|o| !o.is_empty()),
            mouse: args.mouse,
            printer: Some(std::sync::Arc::new(super::console_print::FormPrinter)),
        },
        hub,
    )
}

/// `hoso status`.
pub(super) fn status(cli: &Cli, brief: bool) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    let s = node.status()?;
    let sync = super::sync::status_extra(&node, brief)?;
    if cli.json {
        let mut v = serde_json::to_value(&s)?;
        if let (Some(m), Some(x)) = (v.as_object_mut(), sync.as_object()) {
            m.extend(x.clone());
        }
        output::json(&v)?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("node       {} ({}, {})", s.name, s.role.as_str(), s.node_id);
    println!(
        "cases      {} ({} in the review queue)",
        s.cases, s.conflicts
    );
    for (st, n) in &s.by_status {
        if *n > 0 {
            println!("  {st:<22} {n}");
        }
    }
    println!("registry   {} citizens", s.registry_citizens);
    println!("officers   {}", s.officers);
    println!("store      {} bytes", s.store_bytes);
    println!(
        "audit      {} entries, head {}",
        s.chain_length, s.chain_head
    );
    println!("feed       seq {}", s.feed_seq);
    super::sync::print_status_extra(&sync);
    Ok(ExitCode::SUCCESS)
}

/// The new officer's passphrase: stdin (`--passphrase-stdin`) or asked twice on the terminal.
fn read_new_passphrase(from_stdin: bool) -> anyhow::Result<String> {
    if from_stdin {
        return crate::auth::passphrase_from_stdin();
    }
    let first = rpassword::prompt_password("New officer's passphrase: ")
        .context("reading the passphrase (use --passphrase-stdin without a terminal)")?;
    let second = rpassword::prompt_password("Again: ")?;
    if first != second {
        return Err(UsageError("the two passphrases differ".into()).into());
    }
    Ok(first)
}

/// `hoso officer …`.
pub(super) fn officer(cli: &Cli, cmd: &OfficerCmd) -> anyhow::Result<ExitCode> {
    let node = open(cli)?;
    match cmd {
        OfficerCmd::Add {
            id,
            name,
            role,
            passphrase_stdin,
        } => {
            let role: Role = role
                .parse()
                .map_err(|e: hoso_schemas::UnknownRole| UsageError(e.to_string()))?;
            // Accounts are created by an authenticated supervisor; the first one only by
            // `init`, so an empty roster (a node set up without one, or a store that went
            // missing) never hands out a supervisor account to whoever asks first.
            if node.officers()?.is_empty() {
                return Err(UsageError(format!(
                    "this node has no officer accounts, and `officer add` needs a supervisor to create one: the first officer is created by `hoso init --officer ID --officer-name NAME` (node {} has none; if its store was lost, {})",
                    node.dir().display(),
                    hoso_node::RECOVER
                ))
                .into());
            }
            let acting = crate::auth::acting(cli, &node)?;
            let pass = read_new_passphrase(*passphrase_stdin)?;
            let o = node.add_officer(&hoso_node::Author::Officer(acting), id, name, role, &pass)?;
            if cli.json {
                output::json(&o)?;
            } else {
                println!("officer {} ({}, {}) created", o.id, o.name, o.role);
            }
        }
        OfficerCmd::Disable { .. } | OfficerCmd::Passwd { .. } | OfficerCmd::Reset { .. } => {
            return super::accounts::run(cli, &node, cmd);
        }
        OfficerCmd::List => {
            let list = node.officers()?;
            if cli.json {
                output::json(&list)?;
            } else {
                let rows: Vec<Vec<String>> = list
                    .iter()
                    .map(|o| {
                        vec![
                            o.id.clone(),
                            o.name.clone(),
                            o.role.to_string(),
                            super::accounts::state(o).to_string(),
                        ]
                    })
                    .collect();
                output::table(&["ID", "NAME", "ROLE", "STATE"], &rows);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The provincial hub of `demo --with-hub`: a second node in `<data dir>-hub`, peered with the
/// demo commune both ways (created on first use, reused after).
fn demo_hub(commune_dir: &std::path::Path, commune: &Node) -> anyhow::Result<Node> {
    use hoso_node::peers::{Peer, Peers};
    let hub_dir = std::path::PathBuf::from(format!("{}-hub", commune_dir.display()));
    let hub = if hub_dir.join(hoso_node::node::paths::CONFIG).exists() {
        Node::open(&hub_dir)?
    } else {
        let hub = Node::init(
            &hub_dir,
            InitOptions {
                name: "Hub tỉnh Lạng Sơn".into(),
                role: NodeRole::Hub,
                province: commune.config().province.clone(),
                commune: None,
                unit_code: None,
                listen: DEMO_HUB_LISTEN.into(),
                realm: Some(commune.config().realm.clone()),
            },
        )?;
        sample::load(&hub)?;
        hub
    };
    let mut cp = Peers::load(commune.dir())?;
    if cp.get(&hub.id()).is_none() {
        cp.add(
            commune.config(),
            &commune.id(),
            Peer {
                node_id: hub.id(),
                name: hub.config().name.clone(),
                role: NodeRole::Hub,
                addrs: vec![hub.config().listen.clone()],
                scope: vec![hub.config().province.clone()],
            },
        )?;
        cp.save(commune.dir())?;
    }
    let mut hp = Peers::load(hub.dir())?;
    if hp.get(&commune.id()).is_none() {
        hp.add(
            hub.config(),
            &hub.id(),
            Peer {
                node_id: commune.id(),
                name: commune.config().name.clone(),
                role: NodeRole::Commune,
                addrs: vec![commune.config().listen.clone()],
                scope: commune.config().commune.iter().cloned().collect(),
            },
        )?;
        hp.save(hub.dir())?;
    }
    Ok(hub)
}

/// Where the demo hub listens.
const DEMO_HUB_LISTEN: &str = "127.0.0.1:7421";
