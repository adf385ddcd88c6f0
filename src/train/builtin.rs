//! The built-in training corpus: the labeled pages of `training/` (and their HTML), packed by
//! `build.rs` into one zstd archive compiled into the binary, for `chaff train --base builtin`.
//!
//! [`unpack`] writes them into a temporary folder, so that training reads them exactly as it
//! reads `chaff train training --html-only training/handmade-html`: same pages, same order, same
//! bytes, hence the same model.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// The archive `build.rs` writes (its format is described there).
static ARCHIVE: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/training-corpus.zst"));

const MAGIC: &[u8] = b"chaff-corpus 1\n";

/// One page of the built-in corpus.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltinPage {
    /// The `.tsv`'s path relative to `training/`, `/`-separated (`pages/<layout>/NN-x.tsv`).
    pub path: String,
    /// The page teaches only the HTML stages (`training/handmade-html/`).
    pub html_only: bool,
    /// The labeled page's bytes.
    pub tsv: Vec<u8>,
    /// The HTML page beside it, when there is one.
    pub html: Option<Vec<u8>>,
}

impl BuiltinPage {
    /// The folder the page stands in: its layout.
    pub fn layout(&self) -> &str {
        let mut parts = self.path.rsplit('/');
        parts.next();
        parts.next().unwrap_or(".")
    }

    /// The page's file name.
    pub fn file_name(&self) -> &str {
        self.path.rsplit('/').next().unwrap_or(&self.path)
    }
}

/// The compressed size of the built-in corpus, in bytes.
pub fn compressed_bytes() -> usize {
    ARCHIVE.len()
}

fn corrupt(what: &str) -> Error {
    Error::Train(format!("the built-in training corpus is corrupt ({what})"))
}

/// The pages of the built-in corpus, in sorted path order.
pub fn pages() -> Result<Vec<BuiltinPage>> {
    let raw = zstd::stream::decode_all(ARCHIVE).map_err(|e| corrupt(&e.to_string()))?;
    let mut rest = raw
        .strip_prefix(MAGIC)
        .ok_or_else(|| corrupt("no header"))?;
    let mut take = |n: usize| -> Result<&[u8]> {
        if rest.len() < n {
            return Err(corrupt("cut short"));
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head)
    };
    let mut pages = Vec::new();
    while let Ok(len) = take(4) {
        let len = u32::from_le_bytes(len.try_into().expect("4 bytes")) as usize;
        let path = std::str::from_utf8(take(len)?)
            .map_err(|_| corrupt("a path is not UTF-8"))?
            .to_string();
        let flags = take(1)?[0];
        let mut blob = || -> Result<Vec<u8>> {
            let len = u64::from_le_bytes(take(8)?.try_into().expect("8 bytes"));
            Ok(take(usize::try_from(len).map_err(|_| corrupt("a length"))?)?.to_vec())
        };
        let tsv = blob()?;
        let html = if flags & 2 != 0 { Some(blob()?) } else { None };
        pages.push(BuiltinPage {
            path,
            html_only: flags & 1 != 0,
            tsv,
            html,
        });
    }
    Ok(pages)
}

/// The built-in corpus written out into a temporary folder, removed when this is dropped.
#[derive(Debug)]
pub struct Unpacked {
    dir: PathBuf,
    /// The corpus folder: as `training` in `chaff train training`.
    pub root: PathBuf,
    /// The pages that teach only the HTML stages, as `--html-only` would name them.
    pub html_only: Vec<PathBuf>,
    /// Pages in all.
    pub pages: usize,
}

impl Drop for Unpacked {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// Where [`unpack`] writes by default: `$TMPDIR` when set; otherwise, on Linux, `/dev/shm`
/// (memory: on a disk, writing, reading back and removing the 1,918 files took 3 s of the
/// 6.5 s of a one-page `train --base builtin --warm-start builtin` on the 2-core machine); the
/// system's temporary folder elsewhere.
fn scratch_parents() -> Vec<PathBuf> {
    let mut parents = Vec::new();
    // An empty TMPDIR counts as none (the standard library would make it the current folder).
    let tmpdir = std::env::var_os("TMPDIR").filter(|v| !v.is_empty());
    if tmpdir.is_none() && cfg!(target_os = "linux") {
        parents.push(PathBuf::from("/dev/shm"));
    }
    parents.push(match tmpdir {
        Some(dir) => PathBuf::from(dir),
        None if cfg!(unix) => PathBuf::from("/tmp"),
        None => std::env::temp_dir(),
    });
    parents
}

/// Writes the built-in corpus into a new folder under `parent` (when `None`: under `$TMPDIR`,
/// or `/dev/shm` on Linux, or the system's temporary folder); an error when this binary was
/// built without it.
pub fn unpack(parent: Option<&Path>) -> Result<Unpacked> {
    let pages = pages()?;
    if pages.is_empty() {
        return Err(Error::Train(
            "this chaff was built without its training corpus (no training/ folder beside \
             Cargo.toml at build time), so --base builtin has no pages"
                .into(),
        ));
    }
    let parents = parent.map_or_else(scratch_parents, |p| vec![p.to_path_buf()]);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let name = format!("chaff-builtin-corpus-{}-{nanos}", std::process::id());
    let mut made = Err(Error::Train("no folder to unpack into".into()));
    for parent in &parents {
        let dir = parent.join(&name);
        made = fs::create_dir(&dir)
            .map(|()| dir.clone())
            .map_err(|e| Error::io(dir.display().to_string(), e));
        if made.is_ok() {
            break;
        }
    }
    let dir = made?;
    let mut unpacked = Unpacked {
        root: dir.join("training"),
        dir,
        html_only: Vec::new(),
        pages: pages.len(),
    };
    for page in &pages {
        if page
            .path
            .split('/')
            .any(|c| c.is_empty() || c == "." || c == "..")
        {
            return Err(corrupt("a path leaves the corpus folder"));
        }
        let tsv = unpacked.root.join(&page.path);
        let folder = tsv.parent().expect("a file in a folder");
        fs::create_dir_all(folder).map_err(|e| Error::io(folder.display().to_string(), e))?;
        fs::write(&tsv, &page.tsv).map_err(|e| Error::io(tsv.display().to_string(), e))?;
        if let Some(html) = &page.html {
            let path = tsv.with_extension("html");
            fs::write(&path, html).map_err(|e| Error::io(path.display().to_string(), e))?;
        }
        if page.html_only {
            unpacked.html_only.push(tsv);
        }
    }
    Ok(unpacked)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_archive_holds_every_labeled_page_of_training_and_its_html() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("training");
        let pages = pages().unwrap();
        let files = crate::corpus::labeled::corpus_files(&root).unwrap();
        assert_eq!(pages.len(), files.len());
        for (page, file) in pages.iter().zip(&files) {
            assert_eq!(root.join(&page.path), *file);
            assert_eq!(page.tsv, fs::read(file).unwrap(), "{}", page.path);
            let html = file.with_extension("html");
            assert_eq!(page.html, fs::read(&html).ok(), "{}", page.path);
            assert_eq!(page.html_only, page.path.starts_with("handmade-html/"));
        }
        assert!(pages.iter().any(|p| p.html_only));
        assert_eq!(
            pages[0].layout(),
            Path::new(&pages[0].path)
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
        );
    }

    #[test]
    fn unpacking_writes_the_pages_and_cleans_up() {
        let parent = tempfile::tempdir().unwrap();
        let unpacked = unpack(Some(parent.path())).unwrap();
        let dir = unpacked.root.parent().unwrap().to_path_buf();
        let files = crate::corpus::labeled::corpus_files(&unpacked.root).unwrap();
        assert_eq!(files.len(), unpacked.pages);
        assert!(!unpacked.html_only.is_empty());
        drop(unpacked);
        assert!(!dir.exists());
    }
}
