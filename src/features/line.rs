//! Line features: what a line says on its own — its length, character classes, how it ends and
//! starts, and the copyright, byline, date, list and notice marks it holds.

use std::cell::Cell;

use crate::language::{is_hangul_syllable, script_of, LetterCounts, Script};

use super::lexicon::{
    is_common_word, keyword_groups, Group, BIO_PHRASES, BIO_VERBS, BULLETS, CLOSE_BRACKETS,
    CREDIT_DASHES, KOREAN_BIO_ENDINGS, KOREAN_SENTENCE_ENDINGS, KOREAN_SURNAMES, MONTHS,
    NAME_TITLES, OPEN_BRACKETS, PERSON_TITLES, QUOTES, SENTENCE_END, SEPARATORS,
};
use super::registry::{flag, ln_1_plus_f32};
use super::words::{is_alphanumeric, is_hangul_syllable_bytes, trim_to};
use super::{LineFeature, LineRow};

/// Computes the line features of one line.
#[cfg(test)]
pub fn line_features(line: &str) -> LineRow {
    line_features_with_counts(line, &LetterCounts::of(line))
}

/// [`line_features`] with the line's letter counts already known.
pub fn line_features_with_counts(line: &str, counts: &LetterCounts) -> LineRow {
    thread_local! {
        /// The word list, reused from call to call.
        static WORDS: Cell<Vec<&'static str>> = const { Cell::new(Vec::new()) };
    }
    let mut words = recycle(WORDS.take());
    let (row, _) = line_pass(line, counts, &mut words);
    WORDS.set(recycle(words));
    row
}

/// An emptied word list, its allocation kept, for words of another lifetime (the collect
/// reuses the allocation, since the element type's layout is the same).
pub(crate) fn recycle<'b>(mut words: Vec<&str>) -> Vec<&'b str> {
    words.clear();
    words.into_iter().map(|_| "").collect()
}

/// What the line pass learns of a line besides its features.
pub(crate) struct LinePass {
    /// Number of chars of the trimmed line (white space between words included).
    pub(crate) chars: u32,
}

/// The line features of one line, in one pass over its bytes that also leaves the line's
/// words (as [`str::split_whitespace`] gives them, from the trimmed line) in `words`.
pub(crate) fn line_pass<'a>(
    line: &'a str,
    counts: &LetterCounts,
    words: &mut Vec<&'a str>,
) -> (LineRow, LinePass) {
    use LineFeature::*;

    let mut f = LineRow::default();
    let trimmed = line.trim();
    let mut chars = 0u32;
    let mut all_chars = 0u32;
    let mut digits = 0u32;
    let mut punct = 0u32;
    let mut upper = 0u32;
    let mut separators = 0u32;
    let mut quotes = 0u32;
    let mut commas = 0u32;
    let mut sentences = 0u32;
    // Whether the previous char is a sentence-final mark.
    let mut prev_ends = false;
    words.clear();
    let mut word_start = usize::MAX;
    let bytes = trimmed.as_bytes();
    let mut i = 0;
    // Which of 년, 월 and 일 the line holds, one bit each.
    let mut date_syllables = 0u8;
    // One pass over the chars: character classes, sentence breaks and words together.
    let n = bytes.len();
    while i < n {
        let b = bytes[i];
        let (class, len) = if b < 0x80 {
            (ASCII_CLASS[b as usize], 1)
        } else {
            if i + 2 < n && is_hangul_syllable_bytes(b, bytes[i + 1], bytes[i + 2]) {
                date_syllables |= date_syllable(&bytes[i..i + 3]);
                (0, 3)
            } else {
                let c = trimmed[i..].chars().next().expect("a char boundary");
                (non_ascii_class(c), c.len_utf8())
            }
        };
        all_chars += 1;
        if class & SPACE == 0 {
            // A char of a word: letters (class 0) are the common case.
            if word_start == usize::MAX {
                word_start = i;
            }
            chars += 1;
            if class != 0 {
                digits += (class & DIGIT != 0) as u32;
                upper += (class & UPPER != 0) as u32;
                punct += (class & PUNCT != 0) as u32;
                separators += (class & SEPARATOR != 0) as u32;
                quotes += (class & QUOTE != 0) as u32;
                commas += (class & COMMA != 0) as u32;
            }
            prev_ends = class & SENTENCE_MARK != 0;
        } else {
            if prev_ends {
                sentences += 1;
            }
            prev_ends = false;
            if word_start != usize::MAX {
                words.push(&trimmed[word_start..i]);
                word_start = usize::MAX;
            }
        }
        i += len;
    }
    if word_start != usize::MAX {
        words.push(&trimmed[word_start..]);
    }
    let words: &[&str] = words;
    let n_words = words.len();
    let n_words = n_words as u32;
    let latin_words = words
        .iter()
        .filter(|w| w.as_bytes()[0].is_ascii_alphabetic())
        .count() as u32;
    let title_words = words
        .iter()
        .filter(|w| w.as_bytes()[0].is_ascii_uppercase())
        .count() as u32;
    let total = chars.max(1) as f32;
    let letters = counts.total();
    let last = trimmed.chars().last().unwrap_or(' ');
    let last_but_quote = trimmed
        .trim_end_matches(|c: char| in_set(c, QUOTES, QUOTES_ASCII) || c == ')')
        .chars()
        .last()
        .unwrap_or(' ');
    let first = trimmed.chars().next().unwrap_or(' ');

    f[Chars] = ln_1_plus_f32(chars) / 6.0;
    f[Words] = ln_1_plus_f32(n_words) / 4.0;
    f[HangulRatio] = counts.hangul as f32 / total;
    f[LatinRatio] = counts.latin as f32 / total;
    f[DigitRatio] = digits as f32 / total;
    f[PunctRatio] = punct as f32 / total;
    f[CjkRatio] = (counts.han + counts.kana) as f32 / total;
    f[UpperRatio] = upper as f32 / counts.latin.max(1) as f32;
    f[TitleRatio] = title_words as f32 / latin_words.max(1) as f32;

    let ends_sentence = in_set(last_but_quote, SENTENCE_END, SENTENCE_END_ASCII);
    let ends_korean_sentence = KOREAN_SENTENCE_ENDINGS.iter().any(|e| trimmed.ends_with(e));
    let ends_colon = last == ':';
    let ends_quote = in_set(last, QUOTES, QUOTES_ASCII);
    f[EndsSentence] = flag(ends_sentence);
    f[EndsKoreanSentence] = flag(ends_korean_sentence);
    f[EndsColon] = flag(ends_colon);
    f[EndsQuote] = flag(ends_quote);
    f[StartsBullet] = flag(in_set(first, BULLETS, BULLETS_ASCII));
    f[StartsDigit] = flag(first.is_ascii_digit());
    f[NoLetters] = flag(letters == 0);
    let starts_bracket = in_set(first, OPEN_BRACKETS, OPEN_BRACKETS_ASCII);
    f[StartsBracket] = flag(starts_bracket);

    let found = keyword_groups(trimmed);
    let copyright_mark = found.has(Group::CopyrightMark);
    f[CopyrightMark] = flag(copyright_mark);
    f[RightsWords] = found.rights.min(3) as f32 / 3.0;
    let emails = if bytes.contains(&b'@') {
        words
            .iter()
            .filter(|w| w.contains('@') && w.contains('.'))
            .count()
    } else {
        0
    };
    f[Email] = emails.min(2) as f32 / 2.0;
    f[Url] = flag(found.has(Group::Url));
    f[ReporterTitle] = flag(found.has(Group::ReporterTitle));
    let by_prefix = starts_with_ignore_ascii_case(trimmed, "by ")
        || starts_with_ignore_ascii_case(trimmed, "by:")
        || trimmed.starts_with("글=");
    f[ByPrefix] = flag(by_prefix);
    f[CreditWords] = flag(found.has(Group::Credit));
    let date = has_date(trimmed, digits, date_syllables == 0b111);
    f[Date] = flag(date);
    f[Time] = flag(digits >= 3 && has_time(trimmed));
    f[TimestampWords] = flag(found.has(Group::Timestamp));

    f[Separators] = ln_1_plus_f32(separators) / 2.0;
    f[Sentences] = ln_1_plus_f32(sentences) / 2.0;
    f[SingleWord] = flag(n_words == 1);
    f[Short] = flag(chars <= 20);
    f[Quotes] = quotes.min(4) as f32 / 4.0;
    f[Commas] = (commas as f32 / n_words.max(1) as f32).min(1.0);
    f[EndsEllipsis] = flag(trimmed.ends_with('…') || trimmed.ends_with("..."));
    f[Hashtag] = flag(words.iter().any(|w| w.starts_with('#') && w.len() > 1));
    f[WrappedInBrackets] =
        flag(starts_bracket && in_set(last, CLOSE_BRACKETS, CLOSE_BRACKETS_ASCII));
    f[Pipe] = flag(separators > 0 && trimmed.contains('|'));

    // Prose: a line that reads like running text, the anchor of the article. Hangul, Han and
    // kana pack a word into a character or two (Chinese and Japanese put no spaces between
    // words), so for them characters count, not spaced words.
    let sentence_like = ends_sentence || ends_korean_sentence || ends_quote;
    let dense_letters = counts.hangul + counts.han + counts.kana;
    let prose = (sentence_like && (n_words >= 12 || dense_letters >= 40))
        || n_words >= 30
        || dense_letters >= 80;
    f[Prose] = flag(prose);
    f[EndsWithCredit] = flag(
        words
            .last()
            .is_some_and(|w| w.ends_with("기자") || w.starts_with('/'))
            && (trimmed.contains(" /") || trimmed.contains("/ ")),
    );
    f[Counter] = flag(letters <= 6 && digits > 0);
    // A headline: a handful of words, no sentence end, no date or address, not a byline.
    f[HeadlineLike] = flag(
        (3..=25).contains(&n_words)
            && !prose
            && !ends_sentence
            && !ends_korean_sentence
            && !ends_colon
            && emails == 0
            && !by_prefix
            && !date
            && !copyright_mark
            && letters >= 8,
    );
    let name_like = is_name_like(words, counts);
    f[NameLike] = flag(name_like);
    f[ListHeadingWords] = flag(found.has(Group::ListHeading));
    f[CreditPhrase] = flag(found.has(Group::CreditPhrase));
    f[DashName] = flag(is_dash_name(trimmed));
    f[PersonName] = flag(is_person_name(words, counts));
    f[AuthorBio] = flag(is_author_bio(words, trimmed));
    f[SignOff] = flag(is_sign_off(words, trimmed, counts));
    f[SiteNoticeWords] = flag(found.has(Group::SiteNotice));
    // Menus are runs of everyday words in title case; names are not everyday words.
    f[TitleCaseWords] =
        flag(name_like && latin_words > 0 && words.iter().any(|w| is_common_word(w)));
    f[SummaryHeading] = flag(found.has(Group::Summary) && n_words <= 8);
    f[ViewerWords] = flag(found.has(Group::Viewer));
    f[PromoWords] = flag(found.has(Group::Promo));
    (f, LinePass { chars: all_chars })
}

/// Which of `년`, `월` and `일` (bits 0, 1, 2) a Hangul syllable's three UTF-8 bytes are.
#[inline]
fn date_syllable(b: &[u8]) -> u8 {
    match b {
        [0xEB, 0x85, 0x84] => 0b001, // 년
        [0xEC, 0x9B, 0x94] => 0b010, // 월
        [0xEC, 0x9D, 0xBC] => 0b100, // 일
        _ => 0,
    }
}

/// The ASCII members of a set of chars, one bit each.
const fn ascii_members(set: &[char]) -> u128 {
    let mut bits = 0u128;
    let mut k = 0;
    while k < set.len() {
        if set[k].is_ascii() {
            bits |= 1 << set[k] as u32;
        }
        k += 1;
    }
    bits
}

const QUOTES_ASCII: u128 = ascii_members(QUOTES);
const SENTENCE_END_ASCII: u128 = ascii_members(SENTENCE_END);
const BULLETS_ASCII: u128 = ascii_members(BULLETS);
const OPEN_BRACKETS_ASCII: u128 = ascii_members(OPEN_BRACKETS);
const CLOSE_BRACKETS_ASCII: u128 = ascii_members(CLOSE_BRACKETS);

/// `set.contains(&c)`, with `ascii` the set's ASCII members ([`ascii_members`]): an ASCII char
/// is looked up in the bits, another one in the list.
#[inline]
fn in_set(c: char, set: &[char], ascii: u128) -> bool {
    if c.is_ascii() {
        ascii & (1 << c as u32) != 0
    } else {
        set.contains(&c)
    }
}

// What a char is to the line features' counts, as bits.
const SPACE: u8 = 1;
const DIGIT: u8 = 2;
const UPPER: u8 = 4;
const PUNCT: u8 = 8;
const SEPARATOR: u8 = 16;
const QUOTE: u8 = 32;
const COMMA: u8 = 64;
const SENTENCE_MARK: u8 = 128;

/// The class bits of a char other than white space (see [`ASCII_CLASS`] for ASCII ones).
const fn punct_class(c: char) -> u8 {
    let mut class = PUNCT;
    let mut k = 0;
    while k < SEPARATORS.len() {
        if SEPARATORS[k] == c {
            class |= SEPARATOR;
        }
        k += 1;
    }
    k = 0;
    while k < QUOTES.len() {
        if QUOTES[k] == c {
            class |= QUOTE;
        }
        k += 1;
    }
    if c == ',' {
        class |= COMMA;
    }
    class
}

const fn is_sentence_end(c: char) -> bool {
    let mut k = 0;
    while k < SENTENCE_END.len() {
        if SENTENCE_END[k] == c {
            return true;
        }
        k += 1;
    }
    false
}

/// The class bits of each ASCII char, looked up rather than compared.
const ASCII_CLASS: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8 as char;
        let mut class = if matches!(c, '\t'..='\r' | ' ') {
            SPACE
        } else if c.is_ascii_digit() {
            DIGIT
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c.is_ascii_punctuation() {
            punct_class(c)
        } else {
            0
        };
        if class & SPACE == 0 && is_sentence_end(c) {
            class |= SENTENCE_MARK;
        }
        t[b] = class;
        b += 1;
    }
    t
};

/// The class bits of a char outside ASCII: white space, or punctuation and symbols (any char
/// of no script), and whether it ends a sentence.
fn non_ascii_class(c: char) -> u8 {
    if is_hangul_syllable(c) {
        return 0;
    }
    if c.is_whitespace() {
        return SPACE;
    }
    let mut class = if script_of(c) == Script::Neutral {
        punct_class(c)
    } else {
        0
    };
    if is_sentence_end(c) {
        class |= SENTENCE_MARK;
    }
    class
}

/// A person's name, alone or with a reporter's title: a Hangul word of three syllables starting
/// with a common family name (`김서윤`, `김서윤 기자`), or two or three capitalized Latin words none
/// of which is an everyday menu word (`Harriet Lowe`, `RAYMOND OKAFOR`).
fn is_person_name(words: &[&str], counts: &LetterCounts) -> bool {
    // At most four core words matter: stop trimming once there are more.
    let mut core_buf = [""; 4];
    let mut n_core = 0;
    for w in words
        .iter()
        .map(|w| trim_to(w, is_alphanumeric))
        .filter(|w| !w.is_empty() && !PERSON_TITLES.contains(w))
        .take(4)
    {
        core_buf[n_core] = w;
        n_core += 1;
    }
    let core = &core_buf[..n_core];
    if counts.hangul > 0 {
        return core.len() == 1 && counts.latin == 0 && {
            let mut syllables = core[0].chars();
            syllables.clone().count() == 3
                && syllables.clone().all(is_hangul_syllable)
                && syllables
                    .next()
                    .is_some_and(|first| KOREAN_SURNAMES.binary_search(&first).is_ok())
        };
    }
    (2..=3).contains(&core.len())
        && core.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(|c| c.is_ascii_uppercase())
                && cs.all(|c| c.is_ascii_alphabetic() || c == '-' || c == '\'')
                && !is_common_word(w)
        })
}

/// A person's name standing alone: two to four capitalized Latin words, or a Hangul word of two
/// to four syllables, optionally with a reporter title.
fn is_name_like(words: &[&str], counts: &LetterCounts) -> bool {
    if counts.hangul > 0 {
        let mut core = words.iter().filter(|w| !NAME_TITLES.contains(w));
        return counts.latin == 0
            && core
                .next()
                .is_some_and(|w| (2..=4).contains(&w.chars().count()))
            && core.next().is_none();
    }
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(|c| c.is_uppercase())
                && cs.all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '.')
        })
}

/// A credit standing after a dash or slash: `— Jane Doe`, `/홍길동 기자`, `/AFP`.
fn is_dash_name(line: &str) -> bool {
    let rest = line.trim_start_matches(CREDIT_DASHES);
    rest.len() < line.len()
        && !rest.is_empty()
        && rest.split_whitespace().count() <= 5
        && !rest.ends_with(['.', '!', '?', ':'])
        && rest
            .trim_start()
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || is_hangul_syllable(c))
}

/// A sentence about the author: `Jane Doe covers energy ...`, `... 분야를 취재합니다.`
fn is_author_bio(words: &[&str], line: &str) -> bool {
    let starts_capitalized = |w: &str| w.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    let english = words.len() >= 5
        && words[..words.len().min(5)]
            .windows(2)
            .any(|pair| starts_capitalized(pair[0]) && BIO_VERBS.contains(&pair[1]))
        && starts_capitalized(words[0])
        && BIO_PHRASES.iter().any(|phrase| line.contains(phrase));
    let korean = KOREAN_BIO_ENDINGS
        .iter()
        .any(|end| line.trim_end_matches(['.', ' ']).ends_with(end));
    english || korean
}

/// A broadcast sign-off: a short line that ends in `...입니다.` (`KBS 뉴스 홍길동입니다.`).
fn is_sign_off(words: &[&str], line: &str, counts: &LetterCounts) -> bool {
    counts.hangul > 0 && words.len() <= 6 && line.trim_end_matches(['.', ' ']).ends_with("입니다")
}

/// A date: `2023.10.19`, `2023-10-19`, `2023년 10월 19일`, or a month name beside a number
/// (`20 November 2019`).
///
/// `digits` is the number of ASCII digits in `line`, `year_month_day` whether it holds `년`, `월`
/// and `일`: they spare most of the searches.
fn has_date(line: &str, digits: u32, year_month_day: bool) -> bool {
    let b = line.as_bytes();
    // yyyy.mm.dd, yyyy-mm-dd, yyyy/mm/dd: at least five digits.
    if digits >= 5 {
        for w in b.windows(7) {
            if w[..4].iter().all(u8::is_ascii_digit)
                && matches!(w[4], b'.' | b'-' | b'/')
                && w[5].is_ascii_digit()
                && (w[6].is_ascii_digit() || matches!(w[6], b'.' | b'-' | b'/'))
            {
                return true;
            }
        }
    }
    if year_month_day {
        return true;
    }
    digits > 0
        && b.split(|c| !c.is_ascii_alphabetic()).any(|w| {
            (3..=9).contains(&w.len()) && {
                // The word's first three letters, lower-cased, against each month's.
                let key = [w[0] | 0x20, w[1] | 0x20, w[2] | 0x20];
                MONTH_KEYS.contains(&key)
            }
        })
}

/// The first three letters of each month name, as bytes.
const MONTH_KEYS: [[u8; 3]; 12] = {
    let mut keys = [[0u8; 3]; 12];
    let mut k = 0;
    while k < 12 {
        let m = MONTHS[k].as_bytes();
        keys[k] = [m[0], m[1], m[2]];
        k += 1;
    }
    keys
};

/// A time of day: `9:12`, `09:12`.
fn has_time(line: &str) -> bool {
    let b = line.as_bytes();
    b.windows(4).any(|w| {
        w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit()
    })
}

fn starts_with_ignore_ascii_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

#[cfg(test)]
mod tests {
    use super::*;
    use LineFeature::*;

    fn feature(line: &str, feature: LineFeature) -> f32 {
        line_features(line)[feature]
    }

    #[test]
    fn copyright_marks() {
        let line = "Copyright © 코리아중앙데일리. 무단전재 및 재배포 금지.";
        assert_eq!(feature(line, CopyrightMark), 1.0);
        assert!(feature(line, RightsWords) > 0.5);
        assert_eq!(
            feature("ⓒ 한겨레신문사 : 무단전재 및 재배포 금지", CopyrightMark),
            1.0
        );
        assert_eq!(feature("The court ruled on Tuesday.", CopyrightMark), 0.0);
    }

    #[test]
    fn bylines_and_dates() {
        assert_eq!(
            feature("홍길동 기자 gildong@example.co.kr", ReporterTitle),
            1.0
        );
        assert_eq!(feature("홍길동 기자 gildong@example.co.kr", Email), 0.5);
        assert_eq!(feature("By Kim Arin (arin@heraldcorp.com)", ByPrefix), 1.0);
        assert_eq!(feature("입력 2023.10.19. 오전 9:12", Date), 1.0);
        assert_eq!(feature("입력 2023.10.19. 오전 9:12", Time), 1.0);
        assert_eq!(feature("Wednesday 20 November 2019 9:22 am", Date), 1.0);
        assert_eq!(feature("Markets rallied in May.", Date), 0.0);
    }

    #[test]
    fn names_and_credits_apart_from_menus() {
        for name in ["Harriet Lowe", "RAYMOND OKAFOR", "김서윤", "윤지아 기자"] {
            assert_eq!(feature(name, PersonName), 1.0, "{name}");
        }
        for menu in [
            "World News",
            "Privacy Policy",
            "사회부",
            "정치",
            "경제 뉴스",
        ] {
            assert_eq!(feature(menu, PersonName), 0.0, "{menu}");
        }
        assert_eq!(feature("Privacy Policy", TitleCaseWords), 1.0);
        assert_eq!(feature("— Priya Natarajan", DashName), 1.0);
        assert_eq!(feature("/청해통신", DashName), 1.0);
        assert_eq!(
            feature("- the market fell sharply on Monday.", DashName),
            0.0
        );
        assert_eq!(
            feature("Reporting by Jo Park; Editing by Sam Lee", CreditPhrase),
            1.0
        );
        assert_eq!(feature("영상취재: 오태현", CreditPhrase), 1.0);
        assert_eq!(
            feature(
                "Jane Doe covers energy and climate for the paper. She is based in Busan.",
                AuthorBio
            ),
            1.0
        );
        assert_eq!(
            feature("경제부에서 금융 정책을 취재합니다.", AuthorBio),
            1.0
        );
        assert_eq!(
            feature(
                "The minister covers the cost, officials said on Monday.",
                AuthorBio
            ),
            0.0
        );
        assert_eq!(feature("KBS 뉴스 홍길동입니다.", SignOff), 1.0);
        assert_eq!(feature("구독하고 알림 받기", SiteNoticeWords), 1.0);
        assert_eq!(feature("구독하고 알림 받기", CopyrightMark), 0.0);
        assert_eq!(feature("AI 요약", SummaryHeading), 1.0);
        assert_eq!(feature("사진 크게보기", ViewerWords), 1.0);
    }

    #[test]
    fn words_split_as_split_whitespace() {
        let lines = [
            "",
            "  ",
            "one",
            " two  words\t",
            "가나다\u{3000}라마\u{a0}바 \u{2003}x\u{1680}y\u{85}z\u{0b}w",
            "é ü \u{2028}ß\u{202f}end\u{205f}",
            "emoji 🙂🙂 \u{200b}zero-width \u{1c}\u{1f}",
            "  한국어 문장입니다.\u{3000}",
        ];
        let mut words = Vec::new();
        for line in lines {
            let (_, pass) = line_pass(line, &LetterCounts::of(line), &mut words);
            let std: Vec<&str> = line.split_whitespace().collect();
            assert_eq!(words, std, "{line:?}");
            assert_eq!(pass.chars as usize, line.trim().chars().count(), "{line:?}");
        }
    }

    #[test]
    fn recycled_word_lists_keep_their_allocation() {
        let line = String::from("a few words");
        let mut words: Vec<&str> = Vec::with_capacity(100);
        line_pass(&line, &LetterCounts::of(&line), &mut words);
        let recycled: Vec<&'static str> = recycle(words);
        assert!(recycled.is_empty());
        assert!(recycled.capacity() >= 100);
    }

    #[test]
    fn char_sets_as_their_lists() {
        let sets: [(&[char], u128); 5] = [
            (QUOTES, QUOTES_ASCII),
            (SENTENCE_END, SENTENCE_END_ASCII),
            (BULLETS, BULLETS_ASCII),
            (OPEN_BRACKETS, OPEN_BRACKETS_ASCII),
            (CLOSE_BRACKETS, CLOSE_BRACKETS_ASCII),
        ];
        for c in (0..0x3100).filter_map(char::from_u32) {
            for (set, ascii) in sets {
                assert_eq!(in_set(c, set, ascii), set.contains(&c), "{c:?}");
            }
            for w in [format!("{c}ay"), format!("x{c}")] {
                let b = w.as_bytes();
                if b.len() >= 3 && b[..3].iter().all(u8::is_ascii_alphabetic) {
                    let key = [b[0] | 0x20, b[1] | 0x20, b[2] | 0x20];
                    let months = MONTHS
                        .iter()
                        .any(|m| b[..3].eq_ignore_ascii_case(m.as_bytes()));
                    assert_eq!(MONTH_KEYS.contains(&key), months, "{w:?}");
                }
            }
        }
    }

    #[test]
    fn date_syllables_are_their_utf8() {
        assert_eq!(date_syllable("년".as_bytes()), 0b001);
        assert_eq!(date_syllable("월".as_bytes()), 0b010);
        assert_eq!(date_syllable("일".as_bytes()), 0b100);
        assert_eq!(date_syllable("가".as_bytes()), 0);
        assert_eq!(feature("매년 월요일 오후", Date), 1.0);
    }

    #[test]
    fn prose_and_sentences() {
        let para = "The ministry did not provide any details of the meeting, but Moscow's \
                    state-run TASS news agency reported that their talks lasted just over an hour.";
        assert_eq!(feature(para, Prose), 1.0);
        assert_eq!(feature(para, EndsSentence), 1.0);
        assert_eq!(feature("Most Popular", Prose), 0.0);
        assert_eq!(
            feature(
                "정부는 내년 예산안을 확정했다고 밝혔다.",
                EndsKoreanSentence
            ),
            1.0
        );
        assert_eq!(feature("▶ 다른 기사 제목", StartsBullet), 1.0);
    }
}
