//! Packs the training corpus into one compressed archive for `chaff train --base builtin`.
//!
//! With the `train` feature, every labeled page under `training/` (`*.tsv`, found as
//! `chaff train training` finds them) and the HTML page beside it (`NAME.html`) is written into
//! `$OUT_DIR/training-corpus.zst`, in sorted path order, with its path relative to `training/`
//! and whether it teaches only the HTML stages (the pages under `training/handmade-html/`, as
//! `--html-only training/handmade-html` makes them). `src/train/builtin.rs` embeds and reads it.
//!
//! The archive, before compression: the magic line `chaff-corpus 1\n`, then per page: the path
//! (u32 length, UTF-8 bytes, `/`-separated), a flags byte (1: HTML only, 2: has HTML), the
//! `.tsv` (u64 length, bytes) and, when flagged, the `.html` (u64 length, bytes); lengths are
//! little-endian.

use std::env;
#[cfg(feature = "train")]
use std::fs;
use std::path::{Path, PathBuf};

/// The folder whose pages teach only the HTML stages, relative to `training/`.
#[cfg(feature = "train")]
const HTML_ONLY: &str = "handmade-html";

/// zstd level: 19 packs the 13.4 MB corpus into 1.30 MB in about 7 s of CPU (the zstd tool on a
/// tar of it: level 12, 1.56 MB in under 1 s; 15, 1.51 MB; 17, 1.38 MB).
#[cfg(feature = "train")]
const LEVEL: i32 = 19;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=training");
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let archive = out.join("training-corpus.zst");
    if env::var_os("CARGO_FEATURE_TRAIN").is_none() {
        return;
    }
    pack(Path::new("training"), &archive);
}

#[cfg(feature = "train")]
fn pack(root: &Path, archive: &Path) {
    let mut files = Vec::new();
    if root.is_dir() {
        walk(root, &mut files);
    }
    files.sort();
    let mut raw = b"chaff-corpus 1\n".to_vec();
    for file in &files {
        let relative = file.strip_prefix(root).expect("walked under the root");
        let name: Vec<String> = relative
            .components()
            .map(|c| c.as_os_str().to_str().expect("UTF-8 paths").to_string())
            .collect();
        let name = name.join("/");
        let html_only = name.starts_with(&format!("{HTML_ONLY}/"));
        let html_path = file.with_extension("html");
        let html = html_path.is_file().then(|| read(&html_path));
        raw.extend((name.len() as u32).to_le_bytes());
        raw.extend(name.as_bytes());
        raw.push(u8::from(html_only) | if html.is_some() { 2 } else { 0 });
        for bytes in std::iter::once(read(file)).chain(html) {
            raw.extend((bytes.len() as u64).to_le_bytes());
            raw.extend(bytes);
        }
    }
    let packed = zstd::bulk::compress(&raw, LEVEL).expect("zstd compresses");
    fs::write(archive, packed).expect("OUT_DIR is writable");
}

#[cfg(not(feature = "train"))]
fn pack(_: &Path, _: &Path) {}

#[cfg(feature = "train")]
fn read(path: &Path) -> Vec<u8> {
    fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `.tsv` files under `dir`, links followed (the corpus has none that loop).
#[cfg(feature = "train")]
fn walk(dir: &Path, files: &mut Vec<PathBuf>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("readable folder").path();
        let meta = fs::metadata(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if meta.is_dir() {
            walk(&path, files);
        } else if meta.is_file() && path.extension().is_some_and(|e| e == "tsv") {
            files.push(path);
        }
    }
}
