//! Words as the hashed and overlap features see them: normalized, and Hangul split into
//! syllable pairs.

use crate::language::{is_hangul_syllable, script_of, Script};

/// Buffers reused from line to line, so that tokenizing a line allocates nothing.
#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) word: String,
    pub(crate) syllables: Vec<char>,
    pub(crate) tokens: Vec<u32>,
}

/// The Hangul syllables of a word, in order, into `out`.
pub(crate) fn hangul_syllables(word: &str, out: &mut Vec<char>) {
    out.clear();
    out.extend(word.chars().filter(|&c| is_hangul_syllable(c)));
}

/// The UTF-8 bytes of each pair of adjacent syllables (a Hangul syllable is 3 bytes).
pub(crate) fn hangul_pairs(syllables: &[char]) -> impl Iterator<Item = [u8; 6]> + '_ {
    syllables.windows(2).map(|pair| {
        let mut bytes = [0u8; 6];
        pair[0].encode_utf8(&mut bytes[..3]);
        pair[1].encode_utf8(&mut bytes[3..]);
        bytes
    })
}

/// A letter or digit, decided by script ranges first (cheaper than Unicode tables).
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        script_of(c) != Script::Neutral || c.is_alphanumeric()
    }
}

/// Words are lower-cased, stripped of surrounding punctuation, digits folded to `0`.
pub(crate) fn normalize_word(word: &str, out: &mut String) {
    out.clear();
    let w = word.trim_matches(|c: char| !is_word_char(c));
    for c in w.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('0') {
                out.push('0');
            }
        } else if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if matches!(
            script_of(c),
            Script::Latin | Script::Cyrillic | Script::Other
        ) {
            out.extend(c.to_lowercase());
        } else {
            // Scripts without case: nothing to fold.
            out.push(c);
        }
    }
}
