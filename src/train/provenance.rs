//! The corpus part of a model's provenance: a digest of the training pages, and whether they
//! hold the built-in corpus.

use std::collections::HashSet;
use std::path::Path;

use crate::corpus::labeled::LabeledPage;
use crate::error::{Error, Result};
use crate::model::provenance::{CorpusRecord, Fnv64};

use super::builtin;

/// A page's role in training, as the digest records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Corpus = 0,
    HtmlOnly = 1,
    Focus = 2,
    FocusHtmlOnly = 3,
}

/// The hash of one page: its layout (folder), file name, role and the bytes of its `.tsv` and
/// `.html`; where the corpus sits on disk does not count.
fn page_key(layout: &str, file_name: &str, role: Role, tsv: &[u8], html: Option<&[u8]>) -> u64 {
    let mut h = Fnv64::new();
    h.field(layout.as_bytes());
    h.field(file_name.as_bytes());
    h.write(&[role as u8]);
    h.field(tsv);
    match html {
        Some(html) => {
            h.write(&[1]);
            h.field(html);
        }
        None => h.write(&[0]),
    }
    h.finish()
}

fn read(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::io(path.display().to_string(), e))
}

/// The key of a page read from disk.
fn key_of(page: &LabeledPage, focus: bool) -> Result<u64> {
    let role = match (focus, page.html_only) {
        (false, false) => Role::Corpus,
        (false, true) => Role::HtmlOnly,
        (true, false) => Role::Focus,
        (true, true) => Role::FocusHtmlOnly,
    };
    let file_name = page
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let html = page.html.as_deref().map(read).transpose()?;
    Ok(page_key(
        &page.layout,
        &file_name,
        role,
        &read(&page.path)?,
        html.as_deref(),
    ))
}

/// The keys of the built-in corpus's pages.
fn builtin_keys() -> Result<Vec<u64>> {
    Ok(builtin::pages()?
        .iter()
        .map(|p| {
            let role = if p.html_only {
                Role::HtmlOnly
            } else {
                Role::Corpus
            };
            page_key(p.layout(), p.file_name(), role, &p.tsv, p.html.as_deref())
        })
        .collect())
}

/// The corpus record of a training run on `base` pages and `focus` pages (each focus page once,
/// in training order): the digest over every page's key, the number of pages, and `builtin`
/// when every page of the built-in corpus is among `base` in its role.
pub fn corpus_record(base: &[LabeledPage], focus: &[LabeledPage]) -> Result<CorpusRecord> {
    let mut digest = Fnv64::new();
    let mut base_keys = HashSet::new();
    for page in base {
        let key = key_of(page, false)?;
        base_keys.insert(key);
        digest.write(&key.to_le_bytes());
    }
    for page in focus {
        digest.write(&key_of(page, true)?.to_le_bytes());
    }
    let builtin = builtin_keys()?;
    let holds_builtin = !builtin.is_empty() && builtin.iter().all(|k| base_keys.contains(k));
    Ok(CorpusRecord {
        digest: Some(digest.hex()),
        pages: base.len() + focus.len(),
        base: holds_builtin.then(|| "builtin".to_string()),
    })
}
