//! Per-line features: the one place that turns a page's lines into numbers.
//!
//! A line's feature vector has a fixed, versioned layout:
//! 1. *line* features ([`LineFeature`], `line.rs`): length, character-class ratios,
//!    sentence-final marks, copyright, byline, date and list marks, computed from the line alone;
//! 2. *page* features ([`PageFeature`], `page.rs`): position, distance from the page's end, where
//!    the line stands relative to the page's runs of prose, repetition, and its language against
//!    the page's;
//! 3. *window* features: the line features marked `window` of the two lines before and after;
//! 4. *hashed* features (`hashed.rs`): lower-cased words, first and last word, Hangul syllable
//!    bigrams and the shape of short lines, hashed into [`HASH_DIM`] buckets so new wording can
//!    be learned.
//!
//! Every dense feature is declared once, below, with its name; the code reads and writes values
//! by feature (`row[LineFeature::Prose]`), never by slot number. The word lists and keyword
//! tables the line features look for are in `lexicon.rs`.
//!
//! The second scoring stage adds *context* features made of the first stage's probabilities;
//! they live with the model that makes them (`model::stacked`).
//!
//! Any change to what is computed, or in which order, must bump [`FEATURE_VERSION`]: models
//! record it and refuse to run against another layout. The test `seed_page_features_are_pinned`
//! notices such a change.

mod hashed;
mod lexicon;
mod line;
mod page;
mod registry;
mod site;
mod structure;
mod words;

use crate::language::{LetterCounts, PageLanguage};

use self::registry::{dense_features, Row};
use self::words::Scratch;

#[cfg(test)]
pub use self::line::line_features;
pub use self::line::line_features_with_counts;
#[cfg(feature = "html")]
pub use self::site::path_keys;
pub use self::site::{apply_path_memory, apply_site_memory};
#[cfg(feature = "html")]
pub use self::structure::structure_rows;
pub use self::structure::{StructureRows, GROUP_CONTEXT_DIM, STRUCTURE_DENSE, STRUCTURE_DIM};

/// Version of the feature layout. Models trained on another version are refused.
pub const FEATURE_VERSION: u32 = 13;

/// Digest of the seed page's features under [`FEATURE_VERSION`] 13 (see the test
/// `seed_page_features_are_pinned`): a change here means the layout or a value changed. (11
/// added structure features, 12 counts Han and kana in `prose`; neither changes this page; 13
/// added the site features, "no memory" on a page alone.)
#[cfg(test)]
const SEED_PAGE_DIGEST: u64 = 0xcbed_cb23_be2f_785c;

/// log2 of the number of hashed feature buckets.
pub const HASH_BITS: u32 = 8;
/// Number of hashed feature buckets.
pub const HASH_DIM: usize = 1 << HASH_BITS;

dense_features! {
    /// The line features, computed from the line alone (`line.rs`), in layout order. `window N`:
    /// the feature is also read from the neighbouring lines, at position `N` of each neighbour's
    /// block (positions follow the order features were added in, not this order).
    pub enum LineFeature {
        // Length and character classes.
        /// ln(1 + characters other than white space) / 6.
        Chars = "chars", window 0;
        /// ln(1 + words) / 4.
        Words = "words", window 1;
        /// Share of the characters that are Hangul.
        HangulRatio = "hangul_ratio", window 15;
        /// Share of the characters that are Latin letters.
        LatinRatio = "latin_ratio";
        /// Share of the characters that are ASCII digits.
        DigitRatio = "digit_ratio";
        /// Share of the characters that are punctuation or symbols.
        PunctRatio = "punct_ratio";
        /// Share of the characters that are Han or kana.
        CjkRatio = "cjk_ratio";
        /// ASCII capitals per Latin letter.
        UpperRatio = "upper_ratio";
        /// Share of the Latin words that are capitalized.
        TitleRatio = "title_ratio", window 2;

        // How the line ends and starts.
        /// Ends in a sentence-final mark (before closing quotes and parentheses).
        EndsSentence = "ends_sentence", window 3;
        /// Ends like a Korean sentence (`...다.`, `...요.`).
        EndsKoreanSentence = "ends_korean_sentence", window 4;
        /// Ends in a colon.
        EndsColon = "ends_colon";
        /// Ends in a quotation mark.
        EndsQuote = "ends_quote";
        /// Starts with a bullet.
        StartsBullet = "starts_bullet", window 5;
        /// Starts with a digit.
        StartsDigit = "starts_digit";
        /// Holds no letter at all.
        NoLetters = "no_letters", window 6;
        /// Starts with an opening bracket.
        StartsBracket = "starts_bracket";

        // Copyright, byline, credit and timestamp marks.
        /// A copyright sign or word.
        CopyrightMark = "copyright_mark", window 7;
        /// Distinct rights-reserved keywords, up to 3, / 3.
        RightsWords = "rights_words";
        /// Words that look like e-mail addresses, up to 2, / 2.
        Email = "email", window 8;
        /// A web address.
        Url = "url";
        /// A reporter's title (`기자`, `correspondent`).
        ReporterTitle = "reporter_title", window 9;
        /// Starts with `By ` or `글=`.
        ByPrefix = "by_prefix", window 10;
        /// Photo credit or agency words.
        CreditWords = "credit_words";
        /// A date.
        Date = "date", window 11;
        /// A time of day.
        Time = "time", window 12;
        /// Timestamp words (`입력`, `updated`).
        TimestampWords = "timestamp_words";

        // Shape of the text.
        /// ln(1 + menu separators) / 2.
        Separators = "separators", window 13;
        /// ln(1 + sentence breaks inside the line) / 2.
        Sentences = "sentences";
        /// A single word.
        SingleWord = "single_word";
        /// At most 20 characters.
        Short = "short";
        /// Quotation marks, up to 4, / 4.
        Quotes = "quotes";
        /// Commas per word, at most 1.
        Commas = "commas";
        /// Ends in an ellipsis.
        EndsEllipsis = "ends_ellipsis";
        /// Holds a hashtag.
        Hashtag = "hashtag";
        /// Wrapped in brackets (`[Photo]`).
        WrappedInBrackets = "wrapped_in_brackets";
        /// Holds a pipe.
        Pipe = "pipe";
        /// Reads like running text: the anchor of the article.
        Prose = "prose", window 14;
        /// Ends in a credit after a slash (`... / 홍길동 기자`).
        EndsWithCredit = "ends_with_credit";
        /// A counter: a digit and at most 6 letters (`1/5`, `댓글 12`).
        Counter = "counter";
        /// Looks like a headline: a handful of words, no sentence end, date or byline.
        HeadlineLike = "headline_like", window 16;

        // Names, credits and site furniture.
        /// Looks like a name standing alone.
        NameLike = "name_like", window 17;
        /// Words of a list heading (`Most Popular`, `관련 기사`).
        ListHeadingWords = "list_heading_words", window 18;
        /// A credit phrase (`Reporting by`, `영상취재`).
        CreditPhrase = "credit_phrase", window 19;
        /// A credit after a dash or slash (`— Jane Doe`, `/AFP`).
        DashName = "dash_name";
        /// A person's name, alone or with a reporter's title.
        PersonName = "person_name", window 20;
        /// A sentence about the author (`Jane Doe covers energy ...`).
        AuthorBio = "author_bio";
        /// A broadcast sign-off (`KBS 뉴스 홍길동입니다.`).
        SignOff = "sign_off";
        /// Words of site notices: cookies, log-in, subscriptions, ads.
        SiteNoticeWords = "site_notice_words";
        /// Name-like, but made of everyday menu words (`Privacy Policy`).
        TitleCaseWords = "title_case_words";
        /// A short summary-box heading (`AI 요약`, `Key points`).
        SummaryHeading = "summary_heading";
        /// Words of a photo viewer (`크게보기`, `enlarge`).
        ViewerWords = "viewer_words";
        /// Words of a promotion (`할인`, `free trial`).
        PromoWords = "promo_words";
    }
}

dense_features! {
    /// The page features: where a line stands on its page (`page.rs`), in layout order.
    pub enum PageFeature {
        // Position on the page.
        /// Line index / (lines - 1).
        RelativePosition = "relative_position";
        /// ln(1 + lines before) / 5.
        LinesFromStart = "lines_from_start";
        /// ln(1 + lines after) / 5.
        LinesToEnd = "lines_to_end";

        // Against the article's prose (prose lines in the page's language).
        /// Between the first and the last prose line.
        InProseSpan = "in_prose_span";
        /// Before the first prose line, or the page has none.
        BeforeProse = "before_prose";
        /// After the last prose line.
        AfterProse = "after_prose";
        /// ln(1 + lines to the next prose line) / 4; 1.5 without one.
        LinesToNextProse = "lines_to_next_prose";
        /// ln(1 + lines since the last prose line) / 4; 1.5 without one.
        LinesSinceProse = "lines_since_prose";
        /// Share of prose lines within 3 lines.
        ProseNear = "prose_near";
        /// Share of prose lines within 8 lines.
        ProseAround = "prose_around";
        /// Length / the page's longest line.
        LengthVsLongest = "length_vs_longest";
        /// Length / the median prose line's, at most 2.
        LengthVsProse = "length_vs_prose";
        /// ln(copies of the same line elsewhere on the page) / 2.
        Repeats = "repeats";

        // Language.
        /// In one of the page's languages.
        InPageLanguage = "page_language";
        /// Of no determined language.
        UndeterminedLanguage = "undetermined_language";
        /// Korean on a page that is not.
        KoreanOffPageLanguage = "korean_off_page_language";
        /// In another language the page is not in.
        OtherOffPageLanguage = "other_off_page_language";

        // Distance to the prose.
        /// The first prose line is the next line.
        ProseNext1 = "prose_next_1";
        /// The first prose line is 2 lines on.
        ProseNext2 = "prose_next_2";
        /// The first prose line is 3 to 4 lines on.
        ProseNext3To4 = "prose_next_3_4";
        /// The first prose line is 5 to 8 lines on.
        ProseNext5To8 = "prose_next_5_8";
        /// 1 to 3 lines after the last prose line.
        AfterProse1To3 = "after_prose_1_3";
        /// 4 to 10 lines after the last prose line.
        AfterProse4To10 = "after_prose_4_10";
        /// Where in the prose span, from 0 (first prose line) to 1 (last).
        PositionInProseSpan = "position_in_prose_span";
        /// The page's first line.
        FirstLine = "first_line";
        /// The page's last line.
        LastLine = "last_line";
        /// Share of the 6 nearest lines of like length, bullet and sentence end.
        SimilarNeighbours = "similar_neighbours";
        /// The page is Korean.
        KoreanPage = "korean_page";
        /// ln(1 + lines on the page) / 6.
        PageLines = "page_lines";
        /// ln(1 + lines from the first prose line) / 5; 1 without prose.
        FirstProseDistance = "first_prose_distance";

        // Against the page's headline (the nearest headline-like line above the first prose).
        /// The page's headline.
        HeadlineCandidate = "headline_candidate";
        /// 1 to 3 lines after the headline.
        AfterHeadline1To3 = "after_headline_1_3";
        /// 4 to 8 lines after the headline.
        AfterHeadline4To8 = "after_headline_4_8";
        /// Share of headline-like lines within 4 lines.
        HeadlineLikeNear = "headline_like_near";
        /// ln(1 + length of the run of headline-like lines it stands in) / 3.
        HeadlineLikeRun = "headline_like_run";
        /// Before the headline.
        BeforeHeadline = "before_headline";
        /// Share of its wording the article's lead shares.
        LeadOverlap = "lead_overlap";
        /// Within 6 lines under a summary heading: nearer is higher.
        UnderSummaryHeading = "under_summary_heading";
        /// A site notice stands between the summary heading and the line.
        SummaryBoxClosed = "summary_box_closed";

        // Site memory (`site.rs`): what the site's other pages share with the line.
        /// No other page of the page's site is known: the site features say nothing.
        NoSiteMemory = "no_site_memory";
        /// ln(1 + the site's other pages) / 5, at most 1.
        SitePages = "site_pages";
        /// Share of the site's other pages that hold the same line.
        SiteShare = "site_share";
        /// The same line is on at least half of the site's other pages.
        SiteMostPages = "site_most_pages";
        /// Mean [`SiteShare`](Self::SiteShare) of the two lines before and the two after.
        SiteShareNear = "site_share_near";
    }
}

/// One line's line features.
pub type LineRow = Row<LineFeature, { LineFeature::COUNT }>;
/// One line's page features.
pub type PageRow = Row<PageFeature, { PageFeature::COUNT }>;

const N_LINE: usize = LineFeature::COUNT;
const N_PAGE: usize = PageFeature::COUNT;

/// The line features also read from neighbouring lines, in their order there.
const WINDOW_FEATURES: [LineFeature; LineFeature::WINDOW_COUNT] = LineFeature::WINDOW;
/// Offsets of the neighbouring lines read.
const WINDOW_OFFSETS: [isize; 4] = [-2, -1, 1, 2];
/// Values a neighbour contributes: its window features, then whether it is off the page.
const NEIGHBOUR_DIM: usize = WINDOW_FEATURES.len() + 1;
const N_WINDOW: usize = NEIGHBOUR_DIM * WINDOW_OFFSETS.len();

/// Number of dense (non-hashed) features. A line's dense row holds its line features, its page
/// features, then for each of [`WINDOW_OFFSETS`] that neighbour's window features and a 1 when the
/// neighbour is off the page.
pub const DENSE_DIM: usize = N_LINE + N_PAGE + N_WINDOW;
/// Total number of features of a line.
pub const DIM: usize = DENSE_DIM + HASH_DIM;

/// The dense features the second (context) stage reads: the line and page features. The
/// neighbours' raw features are left out there, because the context features already carry what
/// the first stage made of them; a smaller matrix also trains faster.
pub const SECOND_STAGE_DENSE: usize = N_LINE + N_PAGE;

/// The features of every line of one page.
#[derive(Debug, Clone, Default)]
pub struct PageFeatures {
    /// Dense features, `DENSE_DIM` per line, lines in order.
    pub dense: Vec<f32>,
    /// Hashed features of all lines: (bucket, value) pairs; line `i` owns
    /// `hashed[hashed_ranges[i].0..hashed_ranges[i].1]`.
    pub hashed: Vec<(u32, f32)>,
    /// Where each line's hashed features are.
    pub hashed_ranges: Vec<(u32, u32)>,
    /// The lines' structure features, for a page read from HTML.
    pub structure: Option<StructureRows>,
}

impl PageFeatures {
    /// Number of lines.
    pub fn len(&self) -> usize {
        self.hashed_ranges.len()
    }

    /// Whether the page has no lines.
    pub fn is_empty(&self) -> bool {
        self.hashed_ranges.is_empty()
    }

    /// Dense features of line `i`.
    pub fn dense_row(&self, i: usize) -> &[f32] {
        &self.dense[i * DENSE_DIM..(i + 1) * DENSE_DIM]
    }

    /// Hashed features of line `i`.
    pub fn hashed_row(&self, i: usize) -> &[(u32, f32)] {
        let (a, b) = self.hashed_ranges[i];
        &self.hashed[a as usize..b as usize]
    }

    /// Number of features a line scorer reads on this page: [`DIM`], plus [`STRUCTURE_DIM`]
    /// with structure features.
    pub fn dim(&self) -> usize {
        DIM + self.structure.as_ref().map_or(0, |_| STRUCTURE_DIM)
    }

    /// Writes line `i`'s full feature vector into `out` (length [`PageFeatures::dim`]).
    pub fn write_dense_row(&self, i: usize, out: &mut [f32]) {
        out[..DENSE_DIM].copy_from_slice(self.dense_row(i));
        out[DENSE_DIM..].iter_mut().for_each(|v| *v = 0.0);
        for &(bucket, value) in self.hashed_row(i) {
            out[DENSE_DIM + bucket as usize] += value;
        }
        if let Some(structure) = &self.structure {
            let out = &mut out[DIM..];
            out[..STRUCTURE_DENSE].copy_from_slice(structure.dense_row(i));
            for &(bucket, value) in structure.hashed_row(i) {
                out[STRUCTURE_DENSE + bucket as usize] += value;
            }
        }
    }
}

/// Whether line `i` of a page was given site memory (its site features say something).
#[cfg(test)]
pub fn has_site_memory(features: &PageFeatures, i: usize) -> bool {
    features.dense_row(i)[N_LINE + PageFeature::NoSiteMemory as usize] == 0.0
}

/// Whether a line reads as running text (its line feature `prose`).
#[cfg(feature = "html")]
pub fn is_prose(line: &str) -> bool {
    line_features_with_counts(line, &LetterCounts::of(line))[LineFeature::Prose] > 0.5
}

/// Whether each line of a page reads as running text (its line feature `prose`).
pub fn prose_flags(features: &PageFeatures) -> Vec<bool> {
    (0..features.len())
        .map(|i| features.dense_row(i)[LineFeature::Prose as usize] > 0.5)
        .collect()
}

/// Extracts the features of a page's lines; `langs` holds each line's language code.
pub fn extract<S: AsRef<str>>(lines: &[S], page: &PageLanguage, langs: &[&str]) -> PageFeatures {
    let counts: Vec<LetterCounts> = lines.iter().map(|l| LetterCounts::of(l.as_ref())).collect();
    extract_with_counts(lines, page, langs, &counts)
}

/// [`extract`] with each line's letter counts already known (from [`PageLanguage::analyze`]).
pub fn extract_with_counts<S: AsRef<str>>(
    lines: &[S],
    page: &PageLanguage,
    langs: &[&str],
    counts: &[LetterCounts],
) -> PageFeatures {
    let n = lines.len();
    let mut out = PageFeatures {
        dense: Vec::with_capacity(n * DENSE_DIM),
        hashed: Vec::with_capacity(n * 24),
        hashed_ranges: Vec::with_capacity(n),
        structure: None,
    };
    if n == 0 {
        return out;
    }
    // One pass per line: its line features and words, then from the words, its hashed
    // features and the content tokens the lead overlap compares.
    let mut line_rows: Vec<LineRow> = Vec::with_capacity(n);
    let mut lens: Vec<f32> = Vec::with_capacity(n);
    let mut tokens = page::LineTokens {
        tokens: Vec::with_capacity(n * 8),
        ranges: Vec::with_capacity(n),
    };
    let mut scratch = Scratch::default();
    let mut words: Vec<&str> = Vec::with_capacity(64);
    for (line, c) in lines.iter().zip(counts) {
        let line = line.as_ref();
        let (row, pass) = line::line_pass(line, c, &mut words);
        line_rows.push(row);
        let trimmed = line.trim();
        let mut chars = pass.chars as usize;
        if trimmed.len() < line.len() {
            // White space trimmed off: it counts in the line's length.
            let lead = trimmed.as_ptr() as usize - line.as_ptr() as usize;
            chars += line[..lead].chars().count() + line[lead + trimmed.len()..].chars().count();
        }
        lens.push(chars as f32);
        let start = out.hashed.len() as u32;
        let tokens_start = tokens.tokens.len() as u32;
        hashed::line_words(
            trimmed,
            &words,
            &mut out.hashed,
            &mut tokens.tokens,
            &mut scratch,
        );
        out.hashed_ranges.push((start, out.hashed.len() as u32));
        tokens
            .ranges
            .push((tokens_start, tokens.tokens.len() as u32));
    }
    let context = page::PageContext::new(lines, &line_rows, langs, page, lens, &tokens);

    // Each line's row is appended whole: the line features, the page features, then each
    // neighbour's window features and whether it is off the page.
    for i in 0..n {
        out.dense.extend_from_slice(line_rows[i].values());
        out.dense.extend_from_slice(
            context
                .page_features(i, page, langs[i], &line_rows)
                .values(),
        );
        for &offset in &WINDOW_OFFSETS {
            match i.checked_add_signed(offset).filter(|&j| j < n) {
                Some(j) => {
                    let row = &line_rows[j];
                    out.dense
                        .extend(WINDOW_FEATURES.iter().map(|&feature| row[feature]));
                    out.dense.push(0.0);
                }
                None => {
                    out.dense.extend_from_slice(&[0.0; NEIGHBOUR_DIM - 1]);
                    out.dense.push(1.0);
                }
            }
        }
    }
    debug_assert_eq!(out.dense.len(), n * DENSE_DIM);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_matches_layout() {
        let names: Vec<&str> = LineFeature::ALL
            .iter()
            .map(|f| f.name())
            .chain(PageFeature::ALL.iter().map(|f| f.name()))
            .collect();
        assert!(names.iter().all(|name| !name.is_empty()));
        let mut unique = names.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "feature names are unique");
        assert_eq!(LineFeature::ALL.len(), N_LINE);
        assert_eq!(PageFeature::ALL.len(), N_PAGE);
        assert_eq!(names.len(), SECOND_STAGE_DENSE);
        assert!(LineFeature::ALL
            .iter()
            .enumerate()
            .all(|(i, &f)| f as usize == i));
        assert!(PageFeature::ALL
            .iter()
            .enumerate()
            .all(|(i, &f)| f as usize == i));
        assert_eq!(
            N_LINE + N_PAGE + (LineFeature::WINDOW_COUNT + 1) * WINDOW_OFFSETS.len(),
            DENSE_DIM
        );
        assert_eq!(DENSE_DIM + HASH_DIM, DIM);
    }

    #[test]
    fn layout_is_consistent() {
        let lines = [
            "Headline here",
            "A paragraph that is long enough to count as prose in the page, it says.",
            "Share",
        ];
        let page = PageLanguage::estimate(&lines);
        let langs = ["eng", "eng", "eng"];
        let f = extract(&lines, &page, &langs);
        assert_eq!(f.len(), 3);
        assert_eq!(f.dense.len(), 3 * DENSE_DIM);
        for (i, line) in lines.iter().enumerate() {
            assert_eq!(&f.dense_row(i)[..N_LINE], line_features(line).values());
        }
        let mut row = vec![0.0; DIM];
        f.write_dense_row(1, &mut row);
        assert!(row.iter().all(|v| v.is_finite()));
        assert!(row[DENSE_DIM..].iter().any(|&v| v > 0.0));
        // The headline stands one line before the first prose line.
        assert_eq!(
            f.dense_row(0)[N_LINE + PageFeature::ProseNext1 as usize],
            1.0
        );
    }

    /// FNV-1a 64: a fixed hash, the same on every machine and run (std's hasher is seeded).
    fn fnv1a_64(hash: u64, bytes: &[u8]) -> u64 {
        bytes.iter().fold(hash, |h, &b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        })
    }

    /// Digest of every feature value of a page: dense values' bits, then each line's hashed
    /// (bucket, value bits) pairs.
    fn digest(features: &PageFeatures) -> u64 {
        let mut h = 0xcbf2_9ce4_8422_2325;
        for v in &features.dense {
            h = fnv1a_64(h, &v.to_bits().to_le_bytes());
        }
        for i in 0..features.len() {
            h = fnv1a_64(h, &(i as u32).to_le_bytes());
            for &(bucket, value) in features.hashed_row(i) {
                h = fnv1a_64(h, &bucket.to_le_bytes());
                h = fnv1a_64(h, &value.to_bits().to_le_bytes());
            }
        }
        h
    }

    #[test]
    fn seed_page_features_are_pinned() {
        let text = include_str!("../../tests/data/seed.txt");
        let lines = crate::input::page_lines(text);
        let (_, _, features) = crate::labeler::analyze_page(&lines);
        assert_eq!(features.len(), lines.len());
        let digest = digest(&features);
        assert_eq!(
            digest, SEED_PAGE_DIGEST,
            "the seed page's features changed: bump FEATURE_VERSION, retrain (cargo run \
             --release -- train training --html-only training/handmade-html -o \
             models/default.json) and update SEED_PAGE_DIGEST \
             (now {digest:#018x})"
        );
    }
}
