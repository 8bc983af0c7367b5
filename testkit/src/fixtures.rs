//! Test data: the registry fixture, the sample data dir contents, the passphrases.

use std::path::PathBuf;

/// The passphrase of every officer a [`crate::node`] test node creates.
pub const PASS: &str = "test-passphrase";

/// The passphrase of the sample officers (`hoso init --sample`, `hoso demo`).
pub const SAMPLE_PASS: &str = "hoso-demo";

/// Nguyễn Thị Hương, born 1990, married to [`DUC`], mother of [`HUONG_CHILD`].
pub const HUONG: &str = r#"{"citizen_id":"020190012345","full_name":"Nguyễn Thị Hương","date_of_birth":"1990-03-12","sex":"female","ethnicity":"Tày","nationality":"Việt Nam","commune_code":"06112","address":"Thôn Nà Pàn, Xã Bình Gia, tỉnh Lạng Sơn","marital_status":"married","spouse_id":"020088001111"}"#;
/// Đặng Văn Đức, born 1988, married to [`HUONG`].
pub const DUC: &str = r#"{"citizen_id":"020088001111","full_name":"Đặng Văn Đức","date_of_birth":"1988-05-01","sex":"male","ethnicity":"Nùng","nationality":"Việt Nam","commune_code":"06112","address":"Thôn Nà Pàn, Xã Bình Gia, tỉnh Lạng Sơn","marital_status":"married","spouse_id":"020190012345"}"#;
/// Nguyễn Thị Hướng, born 2025, the child of [`HUONG`] and [`DUC`].
pub const HUONG_CHILD: &str = r#"{"citizen_id":"020325001234","full_name":"Nguyễn Thị Hướng","date_of_birth":"2025-01-02","sex":"female","commune_code":"06112","mother_id":"020190012345","father_id":"020088001111"}"#;
/// Hoàng Văn Hùng, born 1975, single, no case yet ([`ADULT`]).
pub const HUNG: &str = r#"{"citizen_id":"020075000777","full_name":"Hoàng Văn Hùng","date_of_birth":"1975-07-07","sex":"male","ethnicity":"Kinh","nationality":"Việt Nam","commune_code":"06112","address":"Khối 2, Xã Bình Gia, tỉnh Lạng Sơn","marital_status":"single"}"#;
/// A citizen with a very long name (for layouts that must cut or wrap it).
pub const LONG_NAME: &str = r#"{"citizen_id":"020301000123","full_name":"Tôn Nữ Hoàng Phương Thảo Nguyên Khánh Ngọc Bích","date_of_birth":"2001-09-09","sex":"female","ethnicity":"Kinh","nationality":"Việt Nam","commune_code":"06112","address":"Thôn Bản Chang, Xã Bình Gia, tỉnh Lạng Sơn","marital_status":"single"}"#;

/// The citizens of a test node's registry by default: a married couple, their child born in
/// 2025, and a single man born in 1975 (commune 06112, province 20; ids agree with dates of
/// birth and sex).
pub const CITIZENS: &[&str] = &[HUONG, DUC, HUONG_CHILD, HUNG];

/// A registry file (JSON lines) of `citizens`.
pub fn registry(citizens: &[&str]) -> String {
    citizens.iter().map(|c| format!("{c}\n")).collect()
}

/// The default registry file: [`CITIZENS`] as JSON lines.
pub fn default_registry() -> String {
    registry(CITIZENS)
}

/// An adult in [`CITIZENS`] with no case yet ([`HUNG`]).
pub const ADULT: &str = "020075000777";

/// The repository's `fixtures/` directory.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// `fixtures/sample/registry.jsonl`: the sample population registry.
pub fn sample_registry() -> PathBuf {
    dir().join("sample/registry.jsonl")
}

/// `fixtures/sample/cases.jsonl`: the sample cases (import format).
pub fn sample_cases() -> PathBuf {
    dir().join("sample/cases.jsonl")
}

/// The built-in catalog's files as a catalog bundle carries them (`catalog/<name>.toml`, in
/// name order), with the judicial record's in-person fee set to `judicial_fee` (the built-in
/// fee is 200,000 đồng): a province's next catalog version, for the catalog-update tests.
pub fn catalog_files(judicial_fee: u64) -> Vec<hoso_node::catalog_bundle::BundleFile> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/catalog");
    let mut out: Vec<hoso_node::catalog_bundle::BundleFile> = std::fs::read_dir(&dir)
        .expect("catalog dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            let mut text = std::fs::read_to_string(&p).expect("read");
            if name == "judicial_record.toml" {
                text = text.replace("in_person = 200000", &format!("in_person = {judicial_fee}"));
            }
            hoso_node::catalog_bundle::BundleFile {
                path: format!("catalog/{name}"),
                text,
            }
        })
        .collect();
    out.sort_by(|a, b| a.path.cmp(&b.path));
    out
}
