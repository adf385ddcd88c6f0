//! Hashed features: lower-cased words, first and last word, Hangul syllable bigrams and the
//! shape of short lines, hashed into [`HASH_DIM`] buckets so that new wording can be learned.

use crate::language::is_hangul_syllable;

use super::words::{
    ascii_core, for_each_folded, hangul_pairs, hangul_word_pairs, is_hangul_word, normalize_word,
    Scratch,
};
use super::{HASH_BITS, HASH_DIM};

/// FNV-1a, so that hashed features are the same on every machine and run.
pub(crate) fn fnv1a(namespace: u8, bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5 ^ namespace as u32;
    h = h.wrapping_mul(0x0100_0193);
    for &b in bytes {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

/// A hashed feature's bucket: its FNV-1a hash within its namespace, folded into [`HASH_BITS`]
/// bits.
fn bucket(namespace: u8, bytes: &[u8]) -> u32 {
    fold(fnv1a(namespace, bytes))
}

/// An FNV-1a hash folded into [`HASH_BITS`] bits.
#[inline]
fn fold(h: u32) -> u32 {
    (h ^ (h >> HASH_BITS)) & (HASH_DIM as u32 - 1)
}

/// FNV-1a's state before the first byte, within a namespace.
#[inline]
fn fnv1a_start(namespace: u8) -> u32 {
    (0x811c_9dc5 ^ namespace as u32).wrapping_mul(0x0100_0193)
}

/// FNV-1a's state after one more byte.
#[inline]
fn fnv1a_step(h: u32, b: u8) -> u32 {
    (h ^ b as u32).wrapping_mul(0x0100_0193)
}

/// The shape of a short line: letter classes and digits with repeats folded, e.g. `Aa 0.0.0`.
#[cfg(test)]
fn shape(line: &str) -> String {
    let mut s = String::new();
    shape_into(line, &mut s);
    s
}

/// [`shape`] into `s` (cleared first).
fn shape_into(line: &str, s: &mut String) {
    s.clear();
    let mut last = '\0';
    for c in line.chars() {
        let k = if c.is_ascii() {
            if c.is_ascii_digit() {
                '0'
            } else if c.is_ascii_uppercase() {
                'A'
            } else if c.is_ascii_lowercase() {
                'a'
            } else if c.is_ascii_whitespace() || c == '\u{0b}' {
                ' '
            } else {
                c
            }
        } else if is_hangul_syllable(c) {
            '가'
        } else if c.is_alphabetic() {
            'x'
        } else if c.is_whitespace() {
            ' '
        } else {
            c
        };
        if k != last {
            s.push(k);
            last = k;
        }
    }
}

/// From the words of a line (`trimmed`, split as [`str::split_whitespace`] splits it), in one
/// pass over them: appends the line's hashed features to `out`, scaled to unit length, and its
/// content tokens (see [`content_tokens`](super::page)) to `tokens`, sorted and deduplicated
/// (the tokens already in `tokens`, other lines', are left as they are).
pub(crate) fn line_words(
    trimmed: &str,
    words: &[&str],
    out: &mut Vec<(u32, f32)>,
    tokens: &mut Vec<u32>,
    scratch: &mut Scratch,
) {
    let start = out.len();
    let tokens_start = tokens.len();
    let Scratch { word, shape, .. } = scratch;
    let n_words = words.len();
    for (k, w) in words.iter().enumerate() {
        let first = k == 0;
        let last = k + 1 == n_words;
        let raw = w.as_bytes();
        if w.is_ascii() {
            // The normalized word is hashed as it is made, never stored (again for the first
            // and last word's own features).
            let core = ascii_core(raw);
            if core.is_empty() {
                continue;
            }
            out.push((fold(hash_folded(b'w', core)), 1.0));
            if first {
                out.push((fold(hash_folded(b'f', core)), 1.0));
            }
            if last {
                out.push((fold(hash_folded(b'l', core)), 1.0));
            }
            if let Some(stem) = ascii_stem(core) {
                tokens.push(fnv1a(b't', stem.as_slice()));
            }
            continue;
        }
        if is_hangul_word(raw) {
            // Hangul syllables only: the word is its own normalized form.
            out.push((bucket(b'w', raw), 1.0));
            if first {
                out.push((bucket(b'f', raw), 1.0));
            }
            if last {
                out.push((bucket(b'l', raw), 1.0));
            }
            // Syllable pairs: hashed from three syllables on, content tokens from two.
            let hashed_pairs = raw.len() >= 9;
            for pair in hangul_word_pairs(raw) {
                if hashed_pairs {
                    out.push((bucket(b'b', &pair), 0.5));
                }
                tokens.push(fnv1a(b't', &pair));
            }
            continue;
        }
        let syllables = normalize_word(w, word);
        if word.is_empty() {
            continue;
        }
        let bytes = word.as_bytes();
        out.push((bucket(b'w', bytes), 1.0));
        if first {
            out.push((bucket(b'f', bytes), 1.0));
        }
        if last {
            out.push((bucket(b'l', bytes), 1.0));
        }
        if syllables >= 2 {
            let hashed_pairs = syllables >= 3;
            for pair in hangul_pairs(word) {
                if hashed_pairs {
                    out.push((bucket(b'b', &pair), 0.5));
                }
                tokens.push(fnv1a(b't', &pair));
            }
        } else {
            // A light stem: no possessive, at most five letters ("spaceports" ~ "spaceport").
            let stem = word.split(['\'', '’']).next().unwrap_or("").as_bytes();
            let stem = &stem[..stem.len().min(5)];
            if stem.len() >= 3 && stem.iter().all(|b| b.is_ascii_alphanumeric()) {
                tokens.push(fnv1a(b't', stem));
            }
        }
    }
    if n_words <= 4 {
        shape_into(trimmed, shape);
        out.push((bucket(b's', shape.as_bytes()), 1.0));
    }
    let slice = &mut out[start..];
    let norm: f32 = slice.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, v) in slice.iter_mut() {
            *v /= norm;
        }
    }
    sort_dedup_tail(tokens, tokens_start);
}

/// FNV-1a of the normalized form of an ASCII word's core (see [`for_each_folded`]), within a
/// namespace: the normalized word is hashed as it is made, never stored.
#[inline]
fn hash_folded(namespace: u8, core: &[u8]) -> u32 {
    let mut h = fnv1a_start(namespace);
    for_each_folded(core, |c| h = fnv1a_step(h, c));
    h
}

/// A short stem: up to five bytes.
struct Stem {
    bytes: [u8; 5],
    len: usize,
}

impl Stem {
    fn as_slice(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// The light stem of an ASCII word's core (see [`ascii_core`]), its content token: the
/// normalized word's bytes before any apostrophe, at most five, kept when there are at least
/// three and all are letters or digits.
#[inline]
fn ascii_stem(core: &[u8]) -> Option<Stem> {
    let mut stem = Stem {
        bytes: [0; 5],
        len: 0,
    };
    let mut last_zero = false;
    for &c in core {
        let out = if c.is_ascii_digit() {
            if last_zero {
                continue;
            }
            last_zero = true;
            b'0'
        } else {
            last_zero = false;
            c.to_ascii_lowercase()
        };
        if out == b'\'' {
            break;
        }
        stem.bytes[stem.len] = out;
        stem.len += 1;
        if stem.len == 5 {
            break;
        }
    }
    (stem.len >= 3 && stem.as_slice().iter().all(u8::is_ascii_alphanumeric)).then_some(stem)
}

/// Sorts and deduplicates `v[start..]`, leaving `v[..start]` as it is.
fn sort_dedup_tail(v: &mut Vec<u32>, start: usize) {
    let tail = &mut v[start..];
    tail.sort_unstable();
    let mut kept = 0;
    for j in 0..tail.len() {
        if kept == 0 || tail[j] != tail[kept - 1] {
            tail[kept] = tail[j];
            kept += 1;
        }
    }
    v.truncate(start + kept);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashing_is_stable() {
        // Fixed values, computed outside chaff (FNV-1a 32 seeded with the namespace, folded to
        // 8 bits): a model's hashed weights are only valid while these stay what they are.
        assert_eq!(fnv1a(b'w', b"copyright"), 0x098a_72df);
        assert_eq!(bucket(b'w', b"copyright"), 173);
        assert_eq!(bucket(b'f', b"copyright"), 235);
        assert_eq!(bucket(b'w', "기자".as_bytes()), 228);
        assert_eq!(shape("2023.10.19 09:12"), "0.0.0 0:0");
    }
}
