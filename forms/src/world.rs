//! The typst `World` of one form: the template as main source, the other templates it may
//! import, the case data as `/data.json`, and the embedded fonts. Nothing is read from disk or
//! the network while compiling.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::{Datelike, NaiveDate};
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The fonts embedded in every form: Liberation Serif (SIL OFL 1.1, see `fonts/OFL.txt`),
/// metric-compatible with Times New Roman, which Decree 30/2020/NĐ-CP prescribes.
const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../fonts/LiberationSerif-Regular.ttf"),
    include_bytes!("../fonts/LiberationSerif-Bold.ttf"),
    include_bytes!("../fonts/LiberationSerif-Italic.ttf"),
    include_bytes!("../fonts/LiberationSerif-BoldItalic.ttf"),
];

/// The font family name templates use.
pub const FONT_FAMILY: &str = "Liberation Serif";

struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

/// Parsed once per process: the standard library and the font faces.
static SHARED: LazyLock<Shared> = LazyLock::new(|| {
    let fonts: Vec<Font> = FONT_FILES
        .iter()
        .flat_map(|data| Font::iter(Bytes::new(*data)))
        .collect();
    Shared {
        library: LazyHash::new(Library::default()),
        book: LazyHash::new(FontBook::from_fonts(&fonts)),
        fonts,
    }
});

/// The number of embedded font faces that parsed (4 when the crate is intact).
pub fn font_count() -> usize {
    SHARED.fonts.len()
}

/// One compilation: `main.typ`, the importable templates, and `data.json`.
pub struct FormWorld {
    main: FileId,
    sources: BTreeMap<FileId, Source>,
    data: Bytes,
    today: NaiveDate,
}

impl FormWorld {
    /// A world whose main source is `main_text`; `others` are importable by name
    /// (`#import "common.typ": *`); `data` is served as `/data.json`.
    pub fn new(
        main_text: &str,
        others: &[(&str, &str)],
        data: Vec<u8>,
        today: NaiveDate,
    ) -> FormWorld {
        let id = |name: &str| FileId::new(None, VirtualPath::new(format!("/{name}")));
        let main = id("main.typ");
        let mut sources = BTreeMap::new();
        sources.insert(main, Source::new(main, main_text.to_string()));
        for (name, text) in others {
            let fid = id(name);
            sources.insert(fid, Source::new(fid, (*text).to_string()));
        }
        FormWorld {
            main,
            sources,
            data: Bytes::new(data),
            today,
        }
    }

    /// The path of a file id, for error messages.
    pub fn name_of(&self, id: FileId) -> String {
        id.vpath().as_rootless_path().display().to_string()
    }
}

impl World for FormWorld {
    fn library(&self) -> &LazyHash<Library> {
        &SHARED.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &SHARED.book
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        self.sources
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().as_rootless_path().to_path_buf()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        let path = id.vpath().as_rootless_path();
        if path == std::path::Path::new("data.json") {
            return Ok(self.data.clone());
        }
        match self.sources.get(&id) {
            Some(s) => Ok(Bytes::from_string(s.text().to_string())),
            None => Err(FileError::NotFound(path.to_path_buf())),
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        SHARED.fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        Datetime::from_ymd(
            self.today.year(),
            u8::try_from(self.today.month()).ok()?,
            u8::try_from(self.today.day()).ok()?,
        )
    }
}
