//! `hoso audit` as a user runs it: verify exits 0 on an untouched node, an exported bundle
//! verifies in a fresh data dir, and one flipped byte exits 3 naming the entry.

use hoso_testkit::cli::Hoso;

hoso_testkit::hoso_bin!();

#[test]
fn export_verify_and_flip() {
    let node = sample_node();
    node.ok(&["audit", "verify"]);
    let out = tempfile::tempdir().expect("tmp");
    let bundle = out.path().join("ev.bundle");
    let b = bundle.to_str().expect("path");
    node.ok(&["audit", "export", "--out", b]);
    let fresh = Hoso::new(BIN, &out.path().join("fresh"));
    fresh.ok(&["--json", "audit", "verify", "--bundle", b]);
    // Flip one byte in the signature of the first entry record (tag 3).
    let mut bytes = std::fs::read(&bundle).expect("read");
    let mut pos = 20;
    loop {
        let len = u32::from_be_bytes(bytes[pos + 1..pos + 5].try_into().expect("len")) as usize;
        if bytes[pos] == 3 {
            let seq =
                u64::from_be_bytes(bytes[pos + 5 + 32..pos + 5 + 40].try_into().expect("seq"));
            if seq == 2 {
                bytes[pos + 5 + len - 1] ^= 1;
                break;
            }
        }
        pos += 5 + len;
    }
    std::fs::write(&bundle, &bytes).expect("write");
    fresh
        .run(&["audit", "verify", "--bundle", b])
        .code(3)
        .stderr_has("#2: signature does not verify");
}
