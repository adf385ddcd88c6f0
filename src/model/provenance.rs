//! Where a model came from: the `provenance` object of a model file (format 4).
//!
//! Everything in it is deterministic (no time, no absolute path), so that retraining on the same
//! pages with the same flags gives the same model bytes.

use serde::{Deserialize, Serialize};

/// What a model was trained on and with: chaff's version, the corpus (a digest of its pages),
/// the focus pages, the warm start and the hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// The version of chaff that trained the model (`CARGO_PKG_VERSION`).
    pub chaff_version: String,
    /// The training pages.
    pub corpus: CorpusRecord,
    /// The pages weighed more (`--focus`, or the corpus pages with `--base builtin`).
    pub focus: FocusRecord,
    /// The model training started from, if any.
    pub warm_start: Option<WarmStartRecord>,
    /// The training hyper-parameters.
    pub hyper_parameters: HyperParameters,
}

/// The training pages, as a digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CorpusRecord {
    /// FNV-1a 64 over the pages in training order (`fnv1a64:` and 16 hex digits): each page's
    /// layout folder and file name, its role (corpus, HTML only, focus) and the bytes of its
    /// `.tsv` and `.html`. `None` when the model was trained without the command line's record.
    pub digest: Option<String>,
    /// Distinct pages (focus pages once, however much they weigh).
    pub pages: usize,
    /// `builtin` when every page of the built-in training corpus is among the (non-focus)
    /// training pages, in its role: with `--base builtin`, or the corpus given as its folder.
    pub base: Option<String>,
}

/// The focus pages and their weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FocusRecord {
    /// Each focus page's path as given (a path given absolute is cut to its last folder).
    pub pages: Vec<String>,
    /// How many times each focus page counts.
    pub weight: usize,
}

/// The model a warm start began from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WarmStartRecord {
    /// `builtin`, or the model file's path as given (an absolute path is cut to its file name).
    pub source: String,
    /// FNV-1a 64 of the model file's bytes (`fnv1a64:...`).
    pub digest: String,
}

/// Training hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct HyperParameters {
    /// The seed given to `train`.
    pub seed: u64,
    /// L2 penalty of the logistic regressions.
    pub alpha: f32,
    /// Iteration cap of the optimizer.
    pub max_iterations: u64,
    /// Weight of class transitions in decoding.
    pub transition_weight: f32,
}

impl Default for Provenance {
    fn default() -> Self {
        Provenance {
            chaff_version: env!("CARGO_PKG_VERSION").to_string(),
            corpus: CorpusRecord::default(),
            focus: FocusRecord::default(),
            warm_start: None,
            hyper_parameters: HyperParameters::default(),
        }
    }
}

/// The 64-bit FNV-1a hash: tiny, fixed and dependency-free; enough to tell corpora apart (it
/// is no defence against a forger).
#[derive(Debug, Clone, Copy)]
pub struct Fnv64(u64);

impl Default for Fnv64 {
    fn default() -> Self {
        Fnv64(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv64 {
    /// A fresh hash.
    pub fn new() -> Fnv64 {
        Fnv64::default()
    }

    /// Adds bytes.
    pub fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    /// Adds a length-prefixed field, so that fields cannot run into each other.
    pub fn field(&mut self, bytes: &[u8]) {
        self.write(&(bytes.len() as u64).to_le_bytes());
        self.write(bytes);
    }

    /// The hash so far.
    pub fn finish(&self) -> u64 {
        self.0
    }

    /// The hash as a model file writes it: `fnv1a64:` and 16 hex digits.
    pub fn hex(&self) -> String {
        format!("fnv1a64:{:016x}", self.0)
    }
}

/// The digest of some bytes (a model file), as [`Fnv64::hex`] writes it.
pub fn digest_bytes(bytes: &[u8]) -> String {
    let mut h = Fnv64::new();
    h.write(bytes);
    h.hex()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_reference_values() {
        assert_eq!(digest_bytes(b""), "fnv1a64:cbf29ce484222325");
        assert_eq!(digest_bytes(b"a"), "fnv1a64:af63dc4c8601ec8c");
        assert_eq!(digest_bytes(b"foobar"), "fnv1a64:85944171f73967e8");
    }
}
