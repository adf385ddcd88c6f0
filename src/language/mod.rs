//! Line language and in-line script/language segments.
//!
//! Scripts decide most of it: Hangul is Korean, kana is Japanese, Han without kana is Chinese.
//! Latin text takes the page's Latin language, estimated once per page; whatlang is consulted
//! only when a long Latin line does not read like that language, and for scripts that do not
//! name one language.

use serde::Serialize;
use whatlang::{Detector, Lang as Detected};

/// A language: its ISO 639-3 code (`kor`, `eng`, `jpn`, ...), or `und` when a line or run has no
/// letters to judge.
///
/// ```
/// use chaff::PageLanguage;
/// let lang = PageLanguage::default().line_language("이 글자크기로 변경됩니다.");
/// assert_eq!(lang.as_str(), "kor");
/// assert_eq!(lang, "kor");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Lang(&'static str);

impl Lang {
    /// No language: the text has no letters to judge.
    pub const UNDETERMINED: Lang = Lang("und");

    /// A language known by its code; chaff's codes are all `'static`.
    pub(crate) const fn from_code(code: &'static str) -> Lang {
        Lang(code)
    }

    /// The language of an ISO 639-3 code chaff can give a line (`und` included). A filter
    /// on any other code would keep nothing, so it is an error rather than an empty result.
    ///
    /// ```
    /// use chaff::Lang;
    /// assert_eq!(Lang::parse("kor").map(Lang::as_str), Ok("kor"));
    /// assert_eq!(Lang::parse("und"), Ok(Lang::UNDETERMINED));
    /// assert!(Lang::parse("korean").unwrap_err().to_string().contains("ISO 639-3"));
    /// ```
    pub fn parse(code: &str) -> Result<Lang, UnknownLanguage> {
        if code == Lang::UNDETERMINED.0 {
            return Ok(Lang::UNDETERMINED);
        }
        whatlang::Lang::from_code(code)
            .map(|lang| Lang(lang.code()))
            .ok_or_else(|| UnknownLanguage {
                code: code.to_string(),
            })
    }

    /// The ISO 639-3 code.
    pub fn as_str(self) -> &'static str {
        self.0
    }
}

/// A language code chaff never gives a line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown language {code:?}: chaff's languages are ISO 639-3 codes such as eng, kor, cmn, jpn, deu (or und)")]
pub struct UnknownLanguage {
    /// The code as given.
    pub code: String,
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl PartialEq<&str> for Lang {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl PartialEq<str> for Lang {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

/// Writing systems chaff tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Script {
    /// Korean syllables and jamo.
    Hangul,
    /// Latin letters.
    Latin,
    /// Chinese characters (also used in Japanese and Korean).
    Han,
    /// Hiragana and katakana.
    Kana,
    /// Cyrillic letters.
    Cyrillic,
    /// Letters of any other script.
    Other,
    /// Digits, punctuation, symbols and spaces: they join a neighbouring run.
    Neutral,
}

/// A precomposed Hangul syllable (U+AC00..=U+D7A3), the unit Korean text is written in.
pub fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Classifies one character by script.
pub fn script_of(c: char) -> Script {
    match c {
        'a'..='z' | 'A'..='Z' => Script::Latin,
        c if c.is_ascii() => Script::Neutral,
        '\u{AC00}'..='\u{D7A3}'
        | '\u{1100}'..='\u{11FF}'
        | '\u{3130}'..='\u{318F}'
        | '\u{A960}'..='\u{A97F}'
        | '\u{D7B0}'..='\u{D7FF}' => Script::Hangul,
        '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' | '\u{FF66}'..='\u{FF9D}' => Script::Kana,
        '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{F900}'..='\u{FAFF}' => Script::Han,
        '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}' => {
            if c == '\u{00D7}' || c == '\u{00F7}' {
                Script::Neutral
            } else {
                Script::Latin
            }
        }
        '\u{FF21}'..='\u{FF3A}' | '\u{FF41}'..='\u{FF5A}' => Script::Latin,
        '\u{0400}'..='\u{04FF}' => Script::Cyrillic,
        // Punctuation and symbol blocks common in news text: decided without a table lookup.
        '\u{00A0}'..='\u{00BF}'
        | '\u{2000}'..='\u{2BFF}'
        | '\u{3000}'..='\u{303F}'
        | '\u{FF00}'..='\u{FF20}'
        | '\u{FE30}'..='\u{FE4F}' => Script::Neutral,
        c if c.is_alphabetic() => Script::Other,
        _ => Script::Neutral,
    }
}

const LETTER: u8 = 1;
const SPACE: u8 = 2;
const AT: u8 = 4;
const COLON: u8 = 8;

/// What an ASCII byte is to the letter count, looked up rather than compared.
const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphabetic() {
            LETTER
        } else if c.is_ascii_whitespace() {
            SPACE
        } else if c == b'@' {
            AT
        } else if c == b':' {
            COLON
        } else {
            0
        };
        b += 1;
    }
    t
};

/// Letters per script in a line, not counting e-mail addresses and URLs.
/// A Hangul syllable counts as one letter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LetterCounts {
    /// Hangul letters.
    pub hangul: u32,
    /// Latin letters.
    pub latin: u32,
    /// Han characters.
    pub han: u32,
    /// Kana characters.
    pub kana: u32,
    /// Cyrillic letters.
    pub cyrillic: u32,
    /// Letters of other scripts.
    pub other: u32,
}

impl LetterCounts {
    /// Counts the letters of `line`.
    pub fn of(line: &str) -> LetterCounts {
        // One pass over the bytes: words are found, counted and checked for addresses together.
        let mut counts = LetterCounts::default();
        let bytes = line.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] < 0x80 {
                if ASCII_CLASS[bytes[i] as usize] & SPACE != 0 {
                    i += 1;
                    continue;
                }
            } else if let Some(c) = line[i..].chars().next().filter(|c| c.is_whitespace()) {
                // Non-ASCII spaces (U+00A0, U+3000, ...) separate words as ASCII ones do; the
                // word loop below stops on them without advancing, so they are skipped here.
                i += c.len_utf8();
                continue;
            }
            let start = i;
            let mut word = LetterCounts::default();
            let mut marks = 0u8;
            while i < bytes.len() {
                let b = bytes[i];
                if b < 0x80 {
                    let class = ASCII_CLASS[b as usize];
                    if class & SPACE != 0 {
                        break;
                    }
                    word.latin += (class & LETTER) as u32;
                    marks |= class;
                    i += 1;
                } else if (0xEA..=0xED).contains(&b) && i + 2 < bytes.len() && {
                    // Hangul syllables (U+AC00..U+D7A3) are three bytes led by 0xEA..0xED:
                    // the common case of Korean text, decided without decoding a char.
                    let cp = ((b as u32 & 0x0F) << 12)
                        | ((bytes[i + 1] as u32 & 0x3F) << 6)
                        | (bytes[i + 2] as u32 & 0x3F);
                    (0xAC00..=0xD7A3).contains(&cp)
                } {
                    word.hangul += 1;
                    i += 3;
                } else {
                    let c = line[i..].chars().next().expect("i is on a char boundary");
                    if c.is_whitespace() {
                        break;
                    }
                    word.add(script_of(c));
                    i += c.len_utf8();
                }
            }
            // Addresses hold an @ or a colon (http://), or start with www.
            let may_be_address = marks & (AT | COLON) != 0
                || (matches!(
                    bytes[start],
                    b'w' | b'(' | b'[' | b'<' | b'{' | b'"' | b'\''
                ) && line[start..i]
                    .trim_start_matches(['(', '[', '<', '{', '"', '\''])
                    .starts_with("www."));
            if !(may_be_address && is_address(&line[start..i])) {
                counts.merge(&word);
            }
        }
        counts
    }

    fn merge(&mut self, other: &LetterCounts) {
        self.hangul += other.hangul;
        self.latin += other.latin;
        self.han += other.han;
        self.kana += other.kana;
        self.cyrillic += other.cyrillic;
        self.other += other.other;
    }

    fn add(&mut self, script: Script) {
        match script {
            Script::Hangul => self.hangul += 1,
            Script::Latin => self.latin += 1,
            Script::Han => self.han += 1,
            Script::Kana => self.kana += 1,
            Script::Cyrillic => self.cyrillic += 1,
            Script::Other => self.other += 1,
            Script::Neutral => {}
        }
    }

    /// All letters.
    pub fn total(&self) -> u32 {
        self.hangul + self.latin + self.han + self.kana + self.cyrillic + self.other
    }

    /// The script holding most letters; ties go to the non-Latin script.
    pub fn dominant(&self) -> Option<Script> {
        if self.total() == 0 {
            return None;
        }
        // Han and kana together make Japanese text, so they are judged as one.
        let cjk = self.han + self.kana;
        let candidates = [
            (self.hangul, Script::Hangul),
            (
                cjk,
                if self.kana > 0 {
                    Script::Kana
                } else {
                    Script::Han
                },
            ),
            (self.cyrillic, Script::Cyrillic),
            (self.other, Script::Other),
            (self.latin, Script::Latin),
        ];
        let mut best = candidates[0];
        for c in candidates.into_iter().skip(1) {
            // Strictly greater: earlier (non-Latin) scripts win ties.
            if c.0 > best.0 {
                best = c;
            }
        }
        Some(best.1)
    }
}

/// Whether a whitespace-separated word is an e-mail address or a URL, whose letters do not count.
pub fn is_address(word: &str) -> bool {
    let b = word.as_bytes();
    if let Some(at) = b.iter().position(|&c| c == b'@') {
        return b[..at].iter().any(u8::is_ascii_alphanumeric) && b[at + 1..].contains(&b'.');
    }
    let w = word.trim_start_matches(['(', '[', '<', '{', '"', '\'']);
    w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www.")
}

/// What the whole page says about its languages; computed once per page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageLanguage {
    /// Language of the page's Latin-script text.
    pub latin: &'static str,
    /// Language of Han text without kana: `jpn` on pages with kana, `cmn` otherwise.
    pub han: &'static str,
    /// The dominant language of the page as a whole.
    pub main: &'static str,
    /// A second language holding a good share of the page's running text (a bilingual page),
    /// or `und`.
    pub second: &'static str,
}

impl Default for PageLanguage {
    fn default() -> Self {
        PageLanguage {
            latin: "eng",
            han: "cmn",
            main: "und",
            second: "und",
        }
    }
}

const LATIN_LANGS: [Detected; 16] = [
    Detected::Eng,
    Detected::Deu,
    Detected::Fra,
    Detected::Spa,
    Detected::Ita,
    Detected::Por,
    Detected::Nld,
    Detected::Swe,
    Detected::Dan,
    Detected::Nob,
    Detected::Fin,
    Detected::Pol,
    Detected::Tur,
    Detected::Ind,
    Detected::Vie,
    Detected::Tgl,
];

/// How much Latin text the page estimate reads: enough for whatlang to be sure.
const PAGE_SAMPLE_BYTES: usize = 4096;

impl PageLanguage {
    /// Estimates the page's languages from all its lines.
    pub fn estimate<S: AsRef<str>>(lines: &[S]) -> PageLanguage {
        Self::analyze(lines).0
    }

    /// Estimates the page's languages and returns each line's letter counts too, so that
    /// later steps need not count again.
    pub fn analyze<S: AsRef<str>>(lines: &[S]) -> (PageLanguage, Vec<LetterCounts>) {
        let mut per_line = Vec::with_capacity(lines.len());
        let mut totals = LetterCounts::default();
        let mut sample = String::new();
        // Lines of running text per script: what the article is written in, whatever the
        // letter counts of menus say.
        let mut text_lines: Vec<(Script, u32)> = Vec::new();
        for line in lines {
            let line = line.as_ref();
            let counts = LetterCounts::of(line);
            per_line.push(counts);
            totals.merge(&counts);
            if let Some(script) = counts.dominant() {
                let letters = match script {
                    Script::Latin => counts.latin / 3,
                    Script::Hangul => counts.hangul,
                    Script::Han | Script::Kana => counts.han + counts.kana,
                    _ => counts.total() / 2,
                };
                if letters >= 20 {
                    match text_lines.iter_mut().find(|(s, _)| *s == script) {
                        Some((_, n)) => *n += 1,
                        None => text_lines.push((script, 1)),
                    }
                }
            }
            // The sample is running text: menus and headlines use few function words.
            if sample.len() < PAGE_SAMPLE_BYTES
                && counts.dominant() == Some(Script::Latin)
                && counts.latin >= 30
                && ends_like_a_sentence(line)
            {
                sample.push_str(line);
                sample.push('\n');
            }
        }
        // Latin text on a page written in another script is taken as English (brand names,
        // terms); only Latin-script pages are checked for which Latin language they use.
        let latin = if sample.is_empty()
            || totals.dominant() != Some(Script::Latin)
            || reads_as_english(&sample)
        {
            "eng"
        } else {
            Detector::with_allowlist(LATIN_LANGS.to_vec())
                .detect_lang(&sample)
                .map(|l| l.code())
                .unwrap_or("eng")
        };
        let han = if totals.kana > 0 { "jpn" } else { "cmn" };
        let mut page = PageLanguage {
            latin,
            han,
            main: "und",
            second: "und",
        };
        text_lines.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
        match text_lines.as_slice() {
            [] => {
                page.main = totals
                    .dominant()
                    .map_or("und", |script| page.script_language(script));
            }
            [(main, _)] => page.main = page.script_language(*main),
            [(main, n), (second, m), ..] => {
                page.main = page.script_language(*main);
                if *m >= 2 && *m * 10 >= *n * 3 {
                    page.second = page.script_language(*second);
                }
            }
        }
        (page, per_line)
    }

    /// Whether `lang` is one the page's running text is written in.
    pub fn is_page_language(&self, lang: &str) -> bool {
        lang == self.main || (lang == self.second && lang != "und")
    }

    /// The language a script stands for on this page.
    fn script_language(&self, script: Script) -> &'static str {
        match script {
            Script::Hangul => "kor",
            Script::Kana => "jpn",
            Script::Han => self.han,
            Script::Cyrillic => "rus",
            Script::Latin => self.latin,
            Script::Other | Script::Neutral => "und",
        }
    }

    /// The language of a line from its letter counts; `text` is consulted only where the
    /// script does not decide by itself.
    pub(crate) fn language_of(&self, counts: &LetterCounts, text: &str) -> &'static str {
        match counts.dominant() {
            None => "und",
            Some(Script::Latin) if counts.total() < 2 => "und",
            // Only running text is checked: short lines (menus, headlines) rarely use the
            // function words the check looks for.
            Some(Script::Latin)
                if counts.latin >= 60
                    && self.latin == "eng"
                    && ends_like_a_sentence(text)
                    && text.split_whitespace().nth(11).is_some()
                    && !reads_as_english(text) =>
            {
                Detector::with_allowlist(LATIN_LANGS.to_vec())
                    .detect(text)
                    .filter(|info| info.is_reliable())
                    .map(|info| info.lang().code())
                    .unwrap_or(self.latin)
            }
            Some(Script::Other) => other_script_language(text),
            Some(script) => self.script_language(script),
        }
    }

    /// The line-level language of `line`: ISO 639-3 of the script/language holding most of its
    /// letters, or `und` when it has no letters to judge.
    ///
    /// ```
    /// use chaff::PageLanguage;
    /// let page = PageLanguage::default();
    /// assert_eq!(page.line_language("Copyright © 코리아중앙데일리. 무단전재 및 재배포 금지."), "kor");
    /// assert_eq!(page.line_language("Share"), "eng");
    /// assert_eq!(page.line_language("2023.10.19 09:12"), "und");
    /// ```
    pub fn line_language(&self, line: &str) -> Lang {
        Lang(self.language_of(&LetterCounts::of(line), line))
    }

    /// The line's text runs with their scripts and languages; see [`Segment`].
    ///
    /// ```
    /// use chaff::PageLanguage;
    /// let line = "Copyright © 코리아중앙데일리. 무단전재 및 재배포 금지.";
    /// let spans = PageLanguage::default().segments(line);
    /// assert_eq!(spans.len(), 2);
    /// assert_eq!((spans[0].lang.as_str(), &line[spans[0].start..spans[0].end]), ("eng", "Copyright © "));
    /// assert_eq!(spans[1].lang, "kor");
    /// assert_eq!(spans[1].end, line.len());
    /// ```
    pub fn segments(&self, line: &str) -> Vec<Segment> {
        // Address spans come in line order and characters are visited in order, so one cursor
        // over them answers "is this character in an address" in constant time (searching all
        // addresses for every character made a line of many addresses quadratic).
        let mut addresses = words_with_offsets(line)
            .filter(|(_, w)| is_address(w))
            .map(|(start, w)| (start, start + w.len()))
            .peekable();
        let mut spans: Vec<Segment> = Vec::new();
        for (at, c) in line.char_indices() {
            let end = at + c.len_utf8();
            while addresses
                .next_if(|&(_, address_end)| address_end <= at)
                .is_some()
            {}
            let in_address = addresses
                .peek()
                .is_some_and(|&(address_start, _)| address_start <= at);
            let script = match script_of(c) {
                _ if in_address => Script::Neutral,
                Script::Kana => Script::Han,
                s => s,
            };
            let joins_last = match spans.last() {
                Some(last) if in_address => last.is_address,
                // Neutral characters join the run before them...
                Some(_) if script == Script::Neutral => true,
                Some(last) => last.script == script && !last.is_address,
                None => false,
            };
            if joins_last {
                spans.last_mut().expect("checked").end = end;
            } else if script == Script::Neutral && !in_address && spans.is_empty() {
                // ...except at the start of the line, where they join the first run.
                spans.push(Segment::new(at, end, Script::Neutral, false));
            } else if spans.len() == 1 && spans[0].script == Script::Neutral && !spans[0].is_address
            {
                spans[0].end = end;
                spans[0].script = script;
                spans[0].is_address = in_address;
            } else {
                spans.push(Segment::new(at, end, script, in_address));
            }
        }
        let kana_line = line.chars().any(|c| script_of(c) == Script::Kana);
        for span in &mut spans {
            let text = &line[span.start..span.end];
            span.lang = Lang(match span.script {
                _ if span.is_address => "und",
                Script::Hangul => "kor",
                Script::Han if kana_line => "jpn",
                Script::Han => self.han,
                Script::Latin if LetterCounts::of(text).latin < 2 => "und",
                Script::Other => other_script_language(text),
                script => self.script_language(script),
            });
        }
        spans
    }
}

/// The language of text in a script other than Hangul, Latin, Han, kana and Cyrillic: scripts
/// written by one language decide it; whatlang is asked only for the others (Arabic,
/// Devanagari, ...).
fn other_script_language(text: &str) -> &'static str {
    use whatlang::Script as W;
    let by_script = match whatlang::detect_script(text) {
        Some(W::Thai) => "tha",
        Some(W::Greek) => "ell",
        Some(W::Hebrew) => "heb",
        Some(W::Georgian) => "kat",
        Some(W::Armenian) => "hye",
        Some(W::Bengali) => "ben",
        Some(W::Tamil) => "tam",
        Some(W::Telugu) => "tel",
        Some(W::Kannada) => "kan",
        Some(W::Malayalam) => "mal",
        Some(W::Gujarati) => "guj",
        Some(W::Gurmukhi) => "pan",
        Some(W::Oriya) => "ori",
        Some(W::Khmer) => "khm",
        Some(W::Sinhala) => "sin",
        Some(W::Myanmar) => "mya",
        _ => "",
    };
    if !by_script.is_empty() {
        return by_script;
    }
    whatlang::detect_lang(text).map_or("und", |l| l.code())
}

/// Words with the byte offset where each starts.
fn words_with_offsets(line: &str) -> impl Iterator<Item = (usize, &str)> {
    line.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - line.as_ptr() as usize, w))
}

/// A run of one script inside a line, with its language: byte range `[start, end)`.
/// Digits, punctuation and spaces join the run before them (or the first run, at the start).
/// E-mail addresses and URLs are runs of their own with language `und`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Byte offset where the run starts.
    pub start: usize,
    /// Byte offset just past the run.
    pub end: usize,
    /// The run's script.
    pub script: Script,
    /// The run's language.
    pub lang: Lang,
    /// Whether the run is an e-mail address or URL.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_address: bool,
}

impl Segment {
    fn new(start: usize, end: usize, script: Script, is_address: bool) -> Segment {
        Segment {
            start,
            end,
            script,
            lang: Lang::UNDETERMINED,
            is_address,
        }
    }
}

/// The most frequent English words: a long line using none of them is not English.
const ENGLISH_FUNCTION_WORDS: [&[u8]; 40] = [
    b"the", b"of", b"and", b"to", b"a", b"in", b"is", b"for", b"on", b"that", b"with", b"as",
    b"was", b"it", b"at", b"by", b"from", b"be", b"are", b"has", b"have", b"said", b"an", b"this",
    b"or", b"not", b"no", b"but", b"you", b"we", b"our", b"its", b"can", b"will", b"were", b"been",
    b"they", b"his", b"her", b"your",
];

/// Whether Latin text reads like English: enough of its words are English function words.
/// Stops as soon as the answer is clear, so running English text costs a few words.
pub fn reads_as_english(text: &str) -> bool {
    let mut words = 0u32;
    let mut function = 0u32;
    // Words are runs of letters (non-ASCII bytes count as letters): one byte pass, no decoding.
    let bytes = text.as_bytes();
    let mut start = None;
    for (i, &b) in bytes.iter().chain(std::iter::once(&b' ')).enumerate() {
        let in_word = b >= 0x80 || ASCII_CLASS[b as usize] & LETTER != 0;
        match (in_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                start = None;
                words += 1;
                if is_english_function_word(&bytes[s..i]) {
                    function += 1;
                    if function >= 3 && function * 10 >= words {
                        return true;
                    }
                }
            }
            _ => {}
        }
    }
    words > 0 && function * 10 >= words
}

/// Running text ends with a sentence mark (before any closing quotes or brackets); menus and
/// lists of names do not.
fn ends_like_a_sentence(text: &str) -> bool {
    text.trim_end()
        .trim_end_matches(['"', '\'', '”', '’', ')', ']'])
        .ends_with(['.', '!', '?', '…'])
}

fn is_english_function_word(b: &[u8]) -> bool {
    if b.is_empty() || b.len() > 4 {
        return false;
    }
    let mut lower = [0u8; 4];
    for (l, c) in lower.iter_mut().zip(b) {
        *l = c.to_ascii_lowercase();
    }
    ENGLISH_FUNCTION_WORDS.contains(&&lower[..b.len()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(line: &str) -> Vec<(&str, &'static str)> {
        PageLanguage::default()
            .segments(line)
            .into_iter()
            .map(|s| (&line[s.start..s.end], s.lang.as_str()))
            .collect()
    }

    /// Every code point Rust calls white space.
    fn unicode_spaces() -> impl Iterator<Item = char> {
        (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
    }

    #[test]
    fn every_unicode_space_separates_words() {
        // A non-ASCII space once stopped the word loop without advancing: an endless loop.
        for space in unicode_spaces() {
            let line = format!("Seoul{space}bus{space}{space}서울{space}버스{space}");
            let counts = LetterCounts::of(&line);
            assert_eq!(counts.latin, 8, "U+{:04X}", space as u32);
            assert_eq!(counts.hangul, 4, "U+{:04X}", space as u32);
            let only_space = LetterCounts::of(&space.to_string());
            assert_eq!(only_space.total(), 0, "U+{:04X}", space as u32);
        }
    }

    #[test]
    fn script_decides_line_language() {
        let page = PageLanguage::default();
        assert_eq!(page.line_language("이 글자크기로 변경됩니다."), "kor");
        assert_eq!(page.line_language("Most Popular"), "eng");
        assert_eq!(page.line_language("PICK"), "eng");
        assert_eq!(page.line_language("▶"), "und");
        assert_eq!(page.line_language("X"), "und");
        assert_eq!(page.line_language("lee.junhyuk@joongang.co.kr"), "und");
        assert_eq!(page.line_language("新华社北京电"), "cmn");
        assert_eq!(page.line_language("東京の天気は晴れです"), "jpn");
    }

    #[test]
    fn single_language_scripts_decide_without_detection() {
        let page = PageLanguage::default();
        assert_eq!(page.line_language("ภาษาไทย"), "tha");
        assert_eq!(page.line_language("Ελληνικά"), "ell");
        assert_eq!(page.line_language("தமிழ்"), "tam");
    }

    #[test]
    fn tie_goes_to_non_latin() {
        // Two Latin letters, two Hangul syllables.
        assert_eq!(PageLanguage::default().line_language("AB 가나"), "kor");
    }

    #[test]
    fn page_estimate_detects_non_english_latin() {
        let lines = [
            "Regeringen presenterade på tisdagen en ny plan för bostadsbyggandet i Stockholm.",
            "Enligt ministern ska minst tiotusen nya lägenheter byggas under de kommande åren.",
        ];
        let page = PageLanguage::estimate(&lines);
        assert_eq!(page.latin, "swe");
        assert_eq!(page.main, "swe");
    }

    #[test]
    fn bilingual_page_has_two_page_languages() {
        let lines = [
            "Seoul Metropolitan Library will keep three reading rooms open until 2 a.m. next week.",
            "서울도서관은 기말고사를 준비하는 학생들을 위해 다음 주부터 열람실 세 곳을 새벽 2시까지 운영한다.",
            "The extended hours will run for four weeks, and seats can be reserved in advance.",
            "연장 운영은 4주간 이어지며, 좌석은 도서관 모바일 앱을 통해 이틀 전부터 예약할 수 있다.",
            "메뉴",
        ];
        let page = PageLanguage::estimate(&lines);
        assert_eq!((page.main, page.second), ("eng", "kor"));
        assert!(page.is_page_language("kor") && !page.is_page_language("jpn"));
        // A Korean portal's menu around one English article is not a bilingual page.
        let wrapped = [
            "뉴스",
            "로그인",
            lines[0],
            lines[2],
            "이 글자크기로 변경됩니다.",
        ];
        let page = PageLanguage::estimate(&wrapped);
        assert_eq!((page.main, page.second), ("eng", "und"));
    }

    #[test]
    fn foreign_line_on_english_page() {
        let page = PageLanguage::default();
        let line =
            "Regeringen presenterade på tisdagen en ny plan för bostadsbyggandet i hela landet.";
        assert_eq!(page.line_language(line), "swe");
    }

    #[test]
    fn segments_split_hangul_inside_english_headline() {
        assert_eq!(
            spans("Drama \"눈물의 여왕\" tops Netflix chart"),
            vec![
                ("Drama \"", "eng"),
                ("눈물의 여왕\" ", "kor"),
                ("tops Netflix chart", "eng")
            ]
        );
    }

    #[test]
    fn segments_english_brand_inside_korean() {
        assert_eq!(
            spans("삼성전자는 Galaxy S25를 공개했다."),
            vec![
                ("삼성전자는 ", "kor"),
                ("Galaxy S25", "eng"),
                ("를 공개했다.", "kor")
            ]
        );
    }

    #[test]
    fn segments_email_and_url_are_their_own_runs() {
        assert_eq!(
            spans("홍길동 기자 gildong@example.co.kr"),
            vec![("홍길동 기자 ", "kor"), ("gildong@example.co.kr", "und")]
        );
        assert_eq!(
            spans("자세한 내용은 https://example.com/a 참조"),
            vec![
                ("자세한 내용은 ", "kor"),
                ("https://example.com/a ", "und"),
                ("참조", "kor")
            ]
        );
    }

    #[test]
    fn segments_of_many_addresses_take_linear_time() {
        // 50,000 addresses on one line: searching every address for every character (some 10^10
        // steps here) once took minutes; one cursor over them takes milliseconds.
        let count = 50_000;
        let mut line = String::from("기자");
        for i in 0..count {
            match i % 3 {
                0 => line.push_str(&format!(" a{i}@x.kr 기자")),
                1 => line.push_str(&format!(" https://x.kr/{i} 기자")),
                _ => line.push_str(&format!(" (www.x{i}.kr) 기자")),
            }
        }
        let segments = PageLanguage::default().segments(&line);
        // Korean runs and address runs alternate; spaces join the run before them.
        assert_eq!(segments.len(), 2 * count + 1);
        assert_eq!(segments[0].start, 0);
        assert_eq!(segments.last().unwrap().end, line.len());
        for pair in segments.windows(2) {
            assert_eq!(pair[0].end, pair[1].start);
        }
        for (i, s) in segments.iter().enumerate() {
            let text = &line[s.start..s.end];
            if i % 2 == 0 {
                assert!(!s.is_address && s.lang == "kor", "{i}: {text:?}");
                assert_eq!(text.trim_end(), "기자", "{i}");
            } else {
                assert!(s.is_address && s.lang == "und", "{i}: {text:?}");
                assert!(is_address(text.trim_end()), "{i}: {text:?}");
            }
        }
    }

    #[test]
    fn segments_cover_the_line() {
        for line in [
            "",
            "  ",
            "2023.10.19",
            "(서울=연합뉴스) SEOUL -- 12",
            "a",
            "ⓒ NAVER Corp.",
        ] {
            let s = PageLanguage::default().segments(line);
            if line.is_empty() {
                assert!(s.is_empty());
                continue;
            }
            assert_eq!(s.first().unwrap().start, 0, "{line:?}");
            assert_eq!(s.last().unwrap().end, line.len(), "{line:?}");
            for w in s.windows(2) {
                assert_eq!(w[0].end, w[1].start, "{line:?}");
            }
        }
    }
}
