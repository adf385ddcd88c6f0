//! Words as the hashed and overlap features see them: normalized, and Hangul split into
//! syllable pairs.

use crate::language::{is_hangul_syllable, script_of, Script};

/// Buffers reused from line to line, so that tokenizing a line allocates nothing.
#[derive(Default)]
pub(crate) struct Scratch {
    /// A normalized word.
    pub(crate) word: String,
    /// The shape of a short line.
    pub(crate) shape: String,
}

/// The UTF-8 bytes of each pair of adjacent Hangul syllables of a word (a Hangul syllable is 3
/// bytes; other chars between two syllables are skipped).
pub(crate) fn hangul_pairs(word: &str) -> impl Iterator<Item = [u8; 6]> + '_ {
    let mut prev: Option<[u8; 3]> = None;
    hangul_syllable_bytes(word).filter_map(move |s| {
        let pair = prev.map(|p| {
            let mut bytes = [0u8; 6];
            bytes[..3].copy_from_slice(&p);
            bytes[3..].copy_from_slice(&s);
            bytes
        });
        prev = Some(s);
        pair
    })
}

/// The UTF-8 bytes of each Hangul syllable of a word, in order.
fn hangul_syllable_bytes(word: &str) -> impl Iterator<Item = [u8; 3]> + '_ {
    let b = word.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i + 2 < b.len() {
            let lead = b[i];
            if lead < 0x80 {
                i += 1;
                continue;
            }
            let len = if lead >= 0xF0 {
                4
            } else if lead >= 0xE0 {
                3
            } else {
                2
            };
            let at = i;
            i += len;
            if len == 3 && is_hangul_syllable_bytes(b[at], b[at + 1], b[at + 2]) {
                return Some([b[at], b[at + 1], b[at + 2]]);
            }
        }
        None
    })
}

/// Whether three UTF-8 bytes (a three-byte sequence) encode a Hangul syllable.
#[inline]
pub(crate) fn is_hangul_syllable_bytes(b0: u8, b1: u8, b2: u8) -> bool {
    (0xEA..=0xED).contains(&b0) && {
        let cp = ((b0 as u32 & 0x0F) << 12) | ((b1 as u32 & 0x3F) << 6) | (b2 as u32 & 0x3F);
        (0xAC00..=0xD7A3).contains(&cp)
    }
}

/// [`char::is_alphanumeric`], with the blocks news text uses most (Hangul syllables, Han,
/// punctuation, symbols and arrows) decided without a Unicode table (a test checks every char).
#[inline]
pub(crate) fn is_alphanumeric(c: char) -> bool {
    match c {
        c if c.is_ascii() => c.is_ascii_alphanumeric(),
        '\u{AC00}'..='\u{D7A3}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{A48C}' => true,
        '\u{0080}'..='\u{00A9}'
        | '\u{1FFD}'..='\u{206F}'
        | '\u{218A}'..='\u{245F}'
        | '\u{2500}'..='\u{2775}'
        | '\u{2794}'..='\u{2BFF}'
        | '\u{2E30}'..='\u{3004}' => false,
        c => c.is_alphanumeric(),
    }
}

/// `word.trim_matches(|c| !keep(c))`, for a `keep` that is [`u8::is_ascii_alphanumeric`] on
/// ASCII chars: a word that starts and ends with an ASCII letter or digit (the common case) is
/// returned as it is, without decoding a char.
#[inline]
pub(crate) fn trim_to(word: &str, keep: impl Fn(char) -> bool) -> &str {
    match word.as_bytes() {
        [first, .., last] if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() => word,
        [only] if only.is_ascii_alphanumeric() => word,
        _ => word.trim_matches(|c: char| !keep(c)),
    }
}

/// A letter or digit, decided by script ranges first (cheaper than Unicode tables).
#[inline]
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_hangul_syllable(c) || script_of(c) != Script::Neutral || is_alphanumeric(c)
    }
}

/// An ASCII word stripped of its surrounding punctuation (empty when nothing is left).
#[inline]
pub(crate) fn ascii_core(b: &[u8]) -> &[u8] {
    match b.iter().position(u8::is_ascii_alphanumeric) {
        Some(start) => {
            let end = b
                .iter()
                .rposition(u8::is_ascii_alphanumeric)
                .expect("a first one")
                + 1;
            &b[start..end]
        }
        None => &[],
    }
}

/// Calls `emit` with each byte of the normalized form of an ASCII word's core (see
/// [`ascii_core`]): lower-cased, each run of digits folded to one `0`.
#[inline]
pub(crate) fn for_each_folded(core: &[u8], mut emit: impl FnMut(u8)) {
    let mut last_zero = false;
    for &c in core {
        if c.is_ascii_digit() {
            if !last_zero {
                emit(b'0');
                last_zero = true;
            }
        } else {
            emit(c.to_ascii_lowercase());
            last_zero = false;
        }
    }
}

/// Whether a word is made of Hangul syllables only (then it is its own normalized form).
#[inline]
pub(crate) fn is_hangul_word(b: &[u8]) -> bool {
    !b.is_empty()
        && b.len() % 3 == 0
        && b.chunks_exact(3)
            .all(|s| is_hangul_syllable_bytes(s[0], s[1], s[2]))
}

/// The pairs of adjacent syllables of a word of Hangul syllables only (see [`is_hangul_word`]),
/// as [`hangul_pairs`] gives them.
pub(crate) fn hangul_word_pairs(b: &[u8]) -> impl Iterator<Item = [u8; 6]> + '_ {
    b.windows(6).step_by(3).map(|w| {
        let mut pair = [0u8; 6];
        pair.copy_from_slice(w);
        pair
    })
}

/// Words are lower-cased, stripped of surrounding punctuation, digits folded to `0`. Returns the
/// number of Hangul syllables of the word.
pub(crate) fn normalize_word(word: &str, out: &mut String) -> usize {
    out.clear();
    if word.is_ascii() {
        let core = ascii_core(word.as_bytes());
        if !core.iter().any(u8::is_ascii_digit) {
            let core = std::str::from_utf8(core).expect("ASCII");
            out.push_str(core);
            out.make_ascii_lowercase();
        } else {
            for_each_folded(core, |c| out.push(c as char));
        }
        return 0;
    }
    let b = word.as_bytes();
    if is_hangul_word(b) {
        // Hangul syllables only, the common Korean word: nothing to trim or fold.
        out.push_str(word);
        return b.len() / 3;
    }
    let w = trim_to(word, is_word_char);
    let mut syllables = 0;
    let mut last_zero = false;
    for c in w.chars() {
        if c.is_ascii_digit() {
            if !last_zero {
                out.push('0');
                last_zero = true;
            }
            continue;
        }
        last_zero = false;
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else if is_hangul_syllable(c) {
            syllables += 1;
            out.push(c);
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
    syllables
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphanumeric_as_the_unicode_tables_say() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    #[test]
    fn trimmed_as_trim_matches() {
        for word in [
            "",
            "a",
            "-",
            "ab",
            "(ab)",
            "a-",
            "-a",
            "“서울”",
            "서울",
            "a서",
            "서a",
            "é",
            "1",
            "x.",
        ] {
            let std = word.trim_matches(|c: char| !is_alphanumeric(c));
            assert_eq!(trim_to(word, is_alphanumeric), std, "{word:?}");
            let std = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
            assert_eq!(
                trim_to(word, |c| c.is_ascii_alphanumeric()),
                std,
                "{word:?}"
            );
        }
    }

    #[test]
    fn normalized_words() {
        let mut out = String::new();
        assert_eq!(normalize_word("(Hello,", &mut out), 0);
        assert_eq!(out, "hello");
        normalize_word("2023.10.19", &mut out);
        assert_eq!(out, "0.0.0");
        assert_eq!(normalize_word("“서울시는", &mut out), 4);
        assert_eq!(out, "서울시는");
        normalize_word("ÉCOLE!", &mut out);
        assert_eq!(out, "école");
        let pairs: Vec<[u8; 6]> = hangul_pairs("서a울시").collect();
        assert_eq!(pairs.len(), 2);
        assert_eq!(&pairs[0][..], "서울".as_bytes());
    }
}
