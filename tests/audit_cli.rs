//! `hoso audit` as a user runs it: verify exits 0 on an untouched node, an exported bundle
//! verifies in a fresh data dir, and one flipped byte exits 3 naming the entry.

use std::process::Command;

fn hoso(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_hoso"));
    c.env("HOSO_DATA_DIR", dir)
        .env("HOSO_OFFICER", "canbo01")
        .env("HOSO_PASSPHRASE", "hoso-demo");
    c
}

#[test]
fn export_verify_and_flip() {
    let tmp = tempfile::tempdir().expect("tmp");
    let dir = tmp.path().join("node");
    let out = hoso(&dir)
        .args(["init", "--commune", "06112", "--sample"])
        .output()
        .expect("init");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let st = hoso(&dir)
        .args(["audit", "verify"])
        .status()
        .expect("verify");
    assert_eq!(st.code(), Some(0));
    let bundle = tmp.path().join("ev.bundle");
    let st = hoso(&dir)
        .args(["audit", "export", "--out"])
        .arg(&bundle)
        .status()
        .expect("export");
    assert_eq!(st.code(), Some(0));
    let fresh = tmp.path().join("fresh");
    let out = hoso(&fresh)
        .args(["--json", "audit", "verify", "--bundle"])
        .arg(&bundle)
        .output()
        .expect("verify bundle");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    // Flip one byte in the signature of the first entry record (tag 3).
    let mut b = std::fs::read(&bundle).expect("read");
    let mut pos = 20;
    loop {
        let len = u32::from_be_bytes(b[pos + 1..pos + 5].try_into().expect("len")) as usize;
        if b[pos] == 3 {
            let seq = u64::from_be_bytes(b[pos + 5 + 32..pos + 5 + 40].try_into().expect("seq"));
            if seq == 2 {
                b[pos + 5 + len - 1] ^= 1;
                break;
            }
        }
        pos += 5 + len;
    }
    std::fs::write(&bundle, &b).expect("write");
    let out = hoso(&fresh)
        .args(["audit", "verify", "--bundle"])
        .arg(&bundle)
        .output()
        .expect("verify flipped");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("#2: signature does not verify"), "{err}");
}
