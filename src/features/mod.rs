//! Per-line features: the one place that turns a page's lines into numbers.
//!
//! A line's feature vector has a fixed, versioned layout:
//! 1. *line* features: length, character-class ratios, sentence-final marks, copyright, byline,
//!    date and list marks, computed from the line alone;
//! 2. *page* features: position, distance from the page's end, where the line stands relative
//!    to the page's runs of prose, repetition, and its language against the page's;
//! 3. *window* features: a subset of the line features of the two lines before and after;
//! 4. *hashed* features: lower-cased words, first and last word, Hangul syllable bigrams and the
//!    shape of short lines, hashed into [`HASH_DIM`] buckets so new wording can be learned.
//!
//! The second scoring stage adds *context* features made of the first stage's probabilities;
//! they live with the model that makes them (`model::stacked`).
//!
//! Any change to what is computed, or in which order, must bump [`FEATURE_VERSION`]: models
//! record it and refuse to run against another layout.

use std::collections::HashMap;

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickKind};

use crate::language::{is_hangul_syllable, script_of, LetterCounts, PageLanguage, Script};

/// Version of the feature layout. Models trained on another version are refused.
pub const FEATURE_VERSION: u32 = 10;

/// Digest of the seed page's features under [`FEATURE_VERSION`] 10 (see the test
/// `seed_page_features_are_pinned`): a change here means the layout or a value changed.
#[cfg(test)]
const SEED_PAGE_DIGEST: u64 = 0x70cf_a87c_97dc_c4dc;

/// log2 of the number of hashed feature buckets.
pub const HASH_BITS: u32 = 8;
/// Number of hashed feature buckets.
pub const HASH_DIM: usize = 1 << HASH_BITS;

/// Names of the line features, in layout order.
pub const LINE_FEATURES: [&str; 53] = [
    "chars",
    "words",
    "hangul_ratio",
    "latin_ratio",
    "digit_ratio",
    "punct_ratio",
    "cjk_ratio",
    "upper_ratio",
    "title_ratio",
    "ends_sentence",
    "ends_korean_sentence",
    "ends_colon",
    "ends_quote",
    "starts_bullet",
    "starts_digit",
    "no_letters",
    "starts_bracket",
    "copyright_mark",
    "rights_words",
    "email",
    "url",
    "reporter_title",
    "by_prefix",
    "credit_words",
    "date",
    "time",
    "timestamp_words",
    "separators",
    "sentences",
    "single_word",
    "short",
    "quotes",
    "commas",
    "ends_ellipsis",
    "hashtag",
    "wrapped_in_brackets",
    "pipe",
    "prose",
    "ends_with_credit",
    "counter",
    "headline_like",
    "name_like",
    "list_heading_words",
    "credit_phrase",
    "dash_name",
    "person_name",
    "author_bio",
    "sign_off",
    "site_notice_words",
    "title_case_words",
    "summary_heading",
    "viewer_words",
    "promo_words",
];
const N_LINE: usize = LINE_FEATURES.len();
const HEADLINE_LIKE: usize = 40;
const SUMMARY_HEADING: usize = 50;
const SITE_NOTICE: usize = 48;

/// Names of the page features, in layout order.
pub const PAGE_FEATURES: [&str; 39] = [
    "relative_position",
    "lines_from_start",
    "lines_to_end",
    "in_prose_span",
    "before_prose",
    "after_prose",
    "lines_to_next_prose",
    "lines_since_prose",
    "prose_near",
    "prose_around",
    "length_vs_longest",
    "length_vs_prose",
    "repeats",
    "page_language",
    "undetermined_language",
    "korean_off_page_language",
    "other_off_page_language",
    "prose_next_1",
    "prose_next_2",
    "prose_next_3_4",
    "prose_next_5_8",
    "after_prose_1_3",
    "after_prose_4_10",
    "position_in_prose_span",
    "first_line",
    "last_line",
    "similar_neighbours",
    "korean_page",
    "page_lines",
    "first_prose_distance",
    "headline_candidate",
    "after_headline_1_3",
    "after_headline_4_8",
    "headline_like_near",
    "headline_like_run",
    "before_headline",
    "lead_overlap",
    "under_summary_heading",
    "summary_box_closed",
];
const N_PAGE: usize = PAGE_FEATURES.len();

/// The line features also read from neighbouring lines.
const WINDOW_FEATURES: [usize; 21] = [
    0, 1, 8, 9, 10, 13, 15, 17, 19, 21, 22, 24, 25, 27, 37, 2, 40, 41, 42, 43, 45,
];
/// Offsets of the neighbouring lines read.
const WINDOW_OFFSETS: [isize; 4] = [-2, -1, 1, 2];
const N_WINDOW: usize = WINDOW_FEATURES.len() * WINDOW_OFFSETS.len() + WINDOW_OFFSETS.len();

/// Number of dense (non-hashed) features.
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
    /// Dense features, [`DENSE_DIM`] per line, lines in order.
    pub dense: Vec<f32>,
    /// Hashed features of all lines: (bucket, value) pairs; line `i` owns
    /// `hashed[hashed_ranges[i].0..hashed_ranges[i].1]`.
    pub hashed: Vec<(u32, f32)>,
    /// Where each line's hashed features are.
    pub hashed_ranges: Vec<(u32, u32)>,
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

    /// Writes line `i`'s full feature vector into `out` (length [`DIM`]).
    pub fn write_dense_row(&self, i: usize, out: &mut [f32]) {
        out[..DENSE_DIM].copy_from_slice(self.dense_row(i));
        out[DENSE_DIM..].iter_mut().for_each(|v| *v = 0.0);
        for &(bucket, value) in self.hashed_row(i) {
            out[DENSE_DIM + bucket as usize] += value;
        }
    }
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
        dense: vec![0.0; n * DENSE_DIM],
        hashed: Vec::with_capacity(n * 24),
        hashed_ranges: Vec::with_capacity(n),
    };
    if n == 0 {
        return out;
    }
    let line_rows: Vec<[f32; N_LINE]> = lines
        .iter()
        .zip(counts)
        .map(|(l, c)| line_features_with_counts(l.as_ref(), c))
        .collect();
    let context = PageContext::new(lines, &line_rows, langs, page);
    let prose = LINE_FEATURES
        .iter()
        .position(|&f| f == "prose")
        .expect("prose");

    let mut scratch = Scratch::default();
    for i in 0..n {
        let row = &mut out.dense[i * DENSE_DIM..(i + 1) * DENSE_DIM];
        row[..N_LINE].copy_from_slice(&line_rows[i]);
        let p = &mut row[N_LINE..N_LINE + N_PAGE];
        context.page_features(i, page, langs[i], &line_rows, prose, p);
        let w = &mut row[N_LINE + N_PAGE..];
        for (k, &off) in WINDOW_OFFSETS.iter().enumerate() {
            let j = i as isize + off;
            let base = k * (WINDOW_FEATURES.len() + 1);
            if j < 0 || j >= n as isize {
                w[base + WINDOW_FEATURES.len()] = 1.0;
                continue;
            }
            for (m, &f) in WINDOW_FEATURES.iter().enumerate() {
                w[base + m] = line_rows[j as usize][f];
            }
        }
        let start = out.hashed.len() as u32;
        hashed_features(lines[i].as_ref(), &mut out.hashed, &mut scratch);
        out.hashed_ranges.push((start, out.hashed.len() as u32));
    }
    out
}

struct PageContext {
    n: usize,
    lead_overlap: Vec<f32>,
    headline: Option<usize>,
    headline_like: Vec<bool>,
    prose_lines: Vec<usize>,
    repeats: Vec<u32>,
    longest: f32,
    prose_median: f32,
    lens: Vec<f32>,
}

impl PageContext {
    fn new<S: AsRef<str>>(
        lines: &[S],
        rows: &[[f32; N_LINE]],
        langs: &[&str],
        page: &PageLanguage,
    ) -> PageContext {
        let prose_idx = LINE_FEATURES
            .iter()
            .position(|&f| f == "prose")
            .expect("prose");
        let lens: Vec<f32> = lines
            .iter()
            .map(|l| l.as_ref().chars().count() as f32)
            .collect();
        // The article is written in the page's main language: prose in another language
        // (a portal's promo text around a foreign-language article) is no anchor.
        let prose_lines: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                rows[i][prose_idx] > 0.5 && (page.is_page_language(langs[i]) || page.main == "und")
            })
            .collect();
        let mut counts: HashMap<&str, u32> = HashMap::with_capacity(lines.len());
        for l in lines {
            *counts.entry(l.as_ref().trim()).or_default() += 1;
        }
        let repeats = lines.iter().map(|l| counts[l.as_ref().trim()]).collect();
        let longest = lens.iter().cloned().fold(1.0, f32::max);
        let mut prose_lens: Vec<f32> = prose_lines.iter().map(|&i| lens[i]).collect();
        prose_lens.sort_by(|a, b| a.total_cmp(b));
        let prose_median = prose_lens
            .get(prose_lens.len() / 2)
            .cloned()
            .unwrap_or(longest);
        let headline_like: Vec<bool> = rows.iter().map(|r| r[HEADLINE_LIKE] > 0.5).collect();
        // The page's own headline: the nearest headline-like line above the first prose line.
        let headline = prose_lines.first().and_then(|&first| {
            (first.saturating_sub(12)..first)
                .rev()
                .find(|&j| headline_like[j])
        });
        let lead_overlap = lead_overlap(lines, &prose_lines);
        PageContext {
            n: lines.len(),
            lead_overlap,
            headline,
            headline_like,
            prose_lines,
            repeats,
            longest,
            prose_median,
            lens,
        }
    }

    fn page_features(
        &self,
        i: usize,
        page: &PageLanguage,
        lang: &str,
        rows: &[[f32; N_LINE]],
        prose: usize,
        p: &mut [f32],
    ) {
        let n = self.n;
        let last = n.saturating_sub(1).max(1) as f32;
        let ln = |x: usize, scale: f32| ((1 + x) as f32).ln() / scale;
        p[0] = i as f32 / last;
        p[1] = ln(i, 5.0);
        p[2] = ln(n - 1 - i, 5.0);
        let first = self.prose_lines.first().copied();
        let lastp = self.prose_lines.last().copied();
        // prose_lines is sorted: the first prose line after i, and the last one before it.
        let after = self.prose_lines.partition_point(|&j| j <= i);
        let next = self.prose_lines.get(after).copied();
        let before = self.prose_lines.partition_point(|&j| j < i);
        let prev = before.checked_sub(1).map(|k| self.prose_lines[k]);
        match (first, lastp) {
            (Some(f), Some(l)) => {
                p[3] = (f <= i && i <= l) as u8 as f32;
                p[4] = (i < f) as u8 as f32;
                p[5] = (i > l) as u8 as f32;
                if f <= i && i <= l && l > f {
                    p[23] = (i - f) as f32 / (l - f) as f32;
                }
                if i > l {
                    let d = i - l;
                    p[21] = (d <= 3) as u8 as f32;
                    p[22] = (d > 3 && d <= 10) as u8 as f32;
                }
                if i < f {
                    let d = f - i;
                    p[17] = (d == 1) as u8 as f32;
                    p[18] = (d == 2) as u8 as f32;
                    p[19] = (3..=4).contains(&d) as u8 as f32;
                    p[20] = (5..=8).contains(&d) as u8 as f32;
                }
                p[29] = ln(f.abs_diff(i), 5.0);
            }
            _ => {
                p[4] = 1.0;
                p[29] = 1.0;
            }
        }
        p[6] = next.map_or(1.5, |j| ln(j - i, 4.0));
        p[7] = prev.map_or(1.5, |j| ln(i - j, 4.0));
        let window = |r: usize| {
            let a = i.saturating_sub(r);
            let b = (i + r).min(n - 1);
            let count = (a..=b).filter(|&j| j != i && rows[j][prose] > 0.5).count();
            count as f32 / (b - a).max(1) as f32
        };
        p[8] = window(3);
        p[9] = window(8);
        p[10] = self.lens[i] / self.longest;
        p[11] = (self.lens[i] / self.prose_median.max(1.0)).min(2.0);
        p[12] = ((self.repeats[i] - 1) as f32).ln_1p() / 2.0;
        p[13] = page.is_page_language(lang) as u8 as f32;
        p[14] = (lang == "und") as u8 as f32;
        p[15] = (lang == "kor" && !page.is_page_language("kor")) as u8 as f32;
        p[16] = (lang != "kor" && lang != "und" && !page.is_page_language(lang)) as u8 as f32;
        p[24] = (i == 0) as u8 as f32;
        p[25] = (i + 1 == n) as u8 as f32;
        // Lists are runs of lines of like length and like start.
        let a = i.saturating_sub(3);
        let b = (i + 3).min(n - 1);
        let similar = (a..=b)
            .filter(|&j| {
                j != i
                    && rows[j][13] == rows[i][13]
                    && rows[j][9] == rows[i][9]
                    && (self.lens[j] / self.lens[i].max(1.0) - 1.0).abs() < 0.5
            })
            .count();
        p[26] = similar as f32 / 6.0;
        p[27] = (page.main == "kor") as u8 as f32;
        p[28] = ln(n, 6.0);
        if let Some(h) = self.headline {
            p[30] = (h == i) as u8 as f32;
            p[31] = (i > h && i - h <= 3) as u8 as f32;
            p[32] = (i > h + 3 && i - h <= 8) as u8 as f32;
            p[35] = (i < h) as u8 as f32;
        }
        let a = i.saturating_sub(4);
        let b = (i + 4).min(n - 1);
        let near = (a..=b).filter(|&j| j != i && self.headline_like[j]).count();
        p[33] = near as f32 / 8.0;
        let mut run = 1;
        let mut j = i;
        while j > 0 && self.headline_like[j - 1] == self.headline_like[i] && run < 10 {
            j -= 1;
            run += 1;
        }
        let mut j = i;
        while j + 1 < n && self.headline_like[j + 1] == self.headline_like[i] && run < 20 {
            j += 1;
            run += 1;
        }
        p[34] = if self.headline_like[i] {
            ln(run, 3.0)
        } else {
            0.0
        };
        p[36] = self.lead_overlap[i];
        // Sentences of a machine summary box repeat the story; the box's heading gives them away.
        // Nearer the heading is likelier inside the box; a notice line after the heading (the
        // box's disclaimer) closes it.
        if let Some(h) = (i.saturating_sub(6)..i)
            .rev()
            .find(|&j| rows[j][SUMMARY_HEADING] > 0.5)
        {
            p[37] = (7 - (i - h)) as f32 / 6.0;
            p[38] = (h + 1..i).any(|j| rows[j][SITE_NOTICE] > 0.5) as u8 as f32;
        }
    }
}

const BULLETS: &[char] = &[
    '-', '•', '·', '▶', '▷', '►', '■', '□', '◆', '◇', '○', '●', '※', '>', '»', '→', '☞', '*', '▲',
    '△', '▼', '◎', '★', '☆', '–', '—', '‣', '∙', '・',
];
const OPEN_BRACKETS: &[char] = &[
    '[', '(', '【', '<', '〈', '《', '〔', '{', '「', '『', '＜', '［',
];
const SENTENCE_END: &[char] = &['.', '!', '?', '。', '！', '？'];
const QUOTES: &[char] = &['"', '\'', '“', '”', '‘', '’', '」', '』', '»', '«'];

/// Computes the line features of one line.
#[cfg(test)]
pub fn line_features(line: &str) -> [f32; N_LINE] {
    line_features_with_counts(line, &LetterCounts::of(line))
}

/// [`line_features`] with the line's letter counts already known.
pub fn line_features_with_counts(line: &str, counts: &LetterCounts) -> [f32; N_LINE] {
    let mut f = [0.0f32; N_LINE];
    let trimmed = line.trim();
    let mut chars = 0u32;
    let mut digits = 0u32;
    let mut punct = 0u32;
    let mut upper = 0u32;
    let mut separators = 0u32;
    let mut quotes = 0u32;
    let mut commas = 0u32;
    let mut sentences = 0u32;
    let mut prev: char = ' ';
    for c in trimmed.chars() {
        if c.is_whitespace() {
            if SENTENCE_END.contains(&prev) {
                sentences += 1;
            }
            prev = c;
            continue;
        }
        chars += 1;
        if c.is_ascii_digit() {
            digits += 1;
        } else if c.is_ascii_uppercase() {
            upper += 1;
        } else if c.is_ascii_punctuation() || (!c.is_ascii() && script_of(c) == Script::Neutral) {
            punct += 1;
            if matches!(c, '|' | '·' | '/' | '>' | '›' | '»' | '∙' | '•') {
                separators += 1;
            }
            if QUOTES.contains(&c) {
                quotes += 1;
            }
            if c == ',' {
                commas += 1;
            }
        }
        prev = c;
    }
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    let n_words = words.len() as u32;
    let latin_words = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_alphabetic()))
        .count() as u32;
    let title_words = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .count() as u32;
    let total = chars.max(1) as f32;
    let letters = counts.total();
    let last = trimmed.chars().last().unwrap_or(' ');
    let last_but_quote = trimmed
        .trim_end_matches(|c: char| QUOTES.contains(&c) || c == ')')
        .chars()
        .last()
        .unwrap_or(' ');
    let first = trimmed.chars().next().unwrap_or(' ');

    f[0] = (1.0 + chars as f32).ln() / 6.0;
    f[1] = (1.0 + n_words as f32).ln() / 4.0;
    f[2] = counts.hangul as f32 / total;
    f[3] = counts.latin as f32 / total;
    f[4] = digits as f32 / total;
    f[5] = punct as f32 / total;
    f[6] = (counts.han + counts.kana) as f32 / total;
    f[7] = upper as f32 / counts.latin.max(1) as f32;
    f[8] = title_words as f32 / latin_words.max(1) as f32;
    f[9] = SENTENCE_END.contains(&last_but_quote) as u8 as f32;
    f[10] = (trimmed.ends_with("다.")
        || trimmed.ends_with('다')
        || trimmed.ends_with("요.")
        || trimmed.ends_with("다.\"")
        || trimmed.ends_with("다.”")) as u8 as f32;
    f[11] = (last == ':') as u8 as f32;
    f[12] = QUOTES.contains(&last) as u8 as f32;
    f[13] = BULLETS.contains(&first) as u8 as f32;
    f[14] = first.is_ascii_digit() as u8 as f32;
    f[15] = (letters == 0) as u8 as f32;
    f[16] = OPEN_BRACKETS.contains(&first) as u8 as f32;
    let found = keyword_groups(trimmed);
    f[17] = found.has(Group::CopyrightMark) as u8 as f32;
    f[18] = found.rights.min(3) as f32 / 3.0;
    let emails = words
        .iter()
        .filter(|w| w.contains('@') && w.contains('.'))
        .count();
    f[19] = emails.min(2) as f32 / 2.0;
    f[20] = found.has(Group::Url) as u8 as f32;
    f[21] = found.has(Group::ReporterTitle) as u8 as f32;
    f[22] = (starts_with_ignore_ascii_case(trimmed, "by ")
        || starts_with_ignore_ascii_case(trimmed, "by:")
        || trimmed.starts_with("글=")) as u8 as f32;
    f[23] = found.has(Group::Credit) as u8 as f32;
    f[24] = has_date(trimmed) as u8 as f32;
    f[25] = has_time(trimmed) as u8 as f32;
    f[26] = found.has(Group::Timestamp) as u8 as f32;
    f[27] = (1.0 + separators as f32).ln() / 2.0;
    f[28] = (1.0 + sentences as f32).ln() / 2.0;
    f[29] = (n_words == 1) as u8 as f32;
    f[30] = (chars <= 20) as u8 as f32;
    f[31] = (quotes.min(4)) as f32 / 4.0;
    f[32] = (commas as f32 / n_words.max(1) as f32).min(1.0);
    f[33] = (trimmed.ends_with('…') || trimmed.ends_with("...")) as u8 as f32;
    f[34] = words.iter().any(|w| w.starts_with('#') && w.len() > 1) as u8 as f32;
    f[35] = (OPEN_BRACKETS.contains(&first)
        && matches!(
            last,
            ']' | ')' | '】' | '>' | '〉' | '》' | '〕' | '}' | '」' | '』' | '＞' | '］'
        )) as u8 as f32;
    f[36] = trimmed.contains('|') as u8 as f32;
    // Prose: a line that reads like running text, the anchor of the article.
    let sentence_like = f[9] > 0.5 || f[10] > 0.5 || f[12] > 0.5;
    f[37] = ((sentence_like && (n_words >= 12 || counts.hangul >= 40))
        || n_words >= 30
        || counts.hangul >= 80) as u8 as f32;
    f[38] = (trimmed.contains(" /") || trimmed.contains("/ ")) as u8 as f32
        * (words
            .last()
            .is_some_and(|w| w.ends_with("기자") || w.starts_with('/'))) as u8 as f32;
    f[39] = (letters <= 6 && digits > 0) as u8 as f32;
    // A headline: a handful of words, no sentence end, no date or address, not a byline.
    f[40] = ((3..=25).contains(&n_words)
        && f[37] < 0.5
        && f[9] < 0.5
        && f[10] < 0.5
        && f[11] < 0.5
        && f[19] == 0.0
        && f[22] == 0.0
        && f[24] == 0.0
        && f[17] == 0.0
        && letters >= 8) as u8 as f32;
    f[41] = is_name_like(&words, counts) as u8 as f32;
    f[42] = found.has(Group::ListHeading) as u8 as f32;
    f[43] = found.has(Group::CreditPhrase) as u8 as f32;
    f[44] = is_dash_name(trimmed) as u8 as f32;
    f[45] = is_person_name(&words, counts) as u8 as f32;
    f[46] = is_author_bio(&words, trimmed) as u8 as f32;
    f[47] = is_sign_off(&words, trimmed, counts) as u8 as f32;
    f[48] = found.has(Group::SiteNotice) as u8 as f32;
    // Menus are runs of everyday words in title case; names are not everyday words.
    f[49] =
        (f[41] > 0.5 && latin_words > 0 && words.iter().any(|w| is_common_word(w))) as u8 as f32;
    f[50] = (found.has(Group::Summary) && n_words <= 8) as u8 as f32;
    f[51] = found.has(Group::Viewer) as u8 as f32;
    f[52] = found.has(Group::Promo) as u8 as f32;
    f
}

/// Words of menus, sections and site furniture in English, which a person's name is not made of.
const COMMON_WORDS: &[&str] = &[
    "a",
    "about",
    "account",
    "ad",
    "all",
    "and",
    "app",
    "apps",
    "archive",
    "art",
    "arts",
    "at",
    "auto",
    "autos",
    "back",
    "best",
    "books",
    "business",
    "by",
    "careers",
    "cars",
    "city",
    "climate",
    "close",
    "comment",
    "comments",
    "contact",
    "content",
    "copy",
    "corrections",
    "crime",
    "culture",
    "daily",
    "data",
    "deals",
    "desk",
    "digital",
    "edition",
    "editorial",
    "education",
    "election",
    "email",
    "energy",
    "english",
    "entertainment",
    "environment",
    "events",
    "explore",
    "family",
    "fashion",
    "features",
    "film",
    "finance",
    "food",
    "for",
    "from",
    "games",
    "global",
    "go",
    "guide",
    "health",
    "help",
    "home",
    "homes",
    "ideas",
    "in",
    "industry",
    "info",
    "international",
    "investing",
    "jobs",
    "latest",
    "law",
    "learn",
    "life",
    "lifestyle",
    "link",
    "live",
    "local",
    "login",
    "magazine",
    "main",
    "markets",
    "media",
    "menu",
    "money",
    "more",
    "most",
    "motoring",
    "movies",
    "music",
    "my",
    "nation",
    "national",
    "new",
    "news",
    "newsletter",
    "newsletters",
    "next",
    "now",
    "obituaries",
    "of",
    "on",
    "online",
    "opinion",
    "our",
    "page",
    "people",
    "photo",
    "photos",
    "podcast",
    "podcasts",
    "policy",
    "politics",
    "popular",
    "post",
    "premium",
    "press",
    "previous",
    "print",
    "privacy",
    "puzzles",
    "read",
    "real",
    "recipes",
    "region",
    "related",
    "report",
    "reports",
    "science",
    "search",
    "section",
    "see",
    "services",
    "share",
    "shop",
    "show",
    "sign",
    "site",
    "society",
    "sport",
    "sports",
    "stories",
    "story",
    "style",
    "subscribe",
    "subscription",
    "tech",
    "technology",
    "terms",
    "the",
    "this",
    "times",
    "to",
    "today",
    "top",
    "travel",
    "trending",
    "tv",
    "up",
    "us",
    "use",
    "video",
    "videos",
    "view",
    "watch",
    "weather",
    "week",
    "weekend",
    "world",
    "your",
];

fn is_common_word(word: &str) -> bool {
    let w = word.trim_matches(|c: char| !c.is_ascii_alphanumeric());
    w.len() <= 16 && {
        let mut lower = [0u8; 16];
        for (d, b) in lower.iter_mut().zip(w.bytes()) {
            *d = b.to_ascii_lowercase();
        }
        let lower = std::str::from_utf8(&lower[..w.len()]).unwrap_or("");
        COMMON_WORDS.binary_search(&lower).is_ok()
    }
}

/// Common Korean family names; a two-to-four-syllable word that starts with one is likely a name.
const KOREAN_SURNAMES: &[char] = &[
    '강', '고', '곽', '구', '권', '김', '노', '류', '문', '민', '박', '배', '백', '변', '서', '성',
    '손', '송', '신', '심', '안', '양', '엄', '오', '우', '원', '유', '윤', '이', '임', '장', '전',
    '정', '조', '주', '지', '진', '차', '채', '최', '하', '한', '허', '현', '홍', '황',
];

/// A person's name, alone or with a reporter's title: a Hangul word of three syllables starting
/// with a common family name (`김서윤`, `김서윤 기자`), or two or three capitalized Latin words none
/// of which is an everyday menu word (`Harriet Lowe`, `RAYMOND OKAFOR`).
fn is_person_name(words: &[&str], counts: &LetterCounts) -> bool {
    const TITLES: &[&str] = &[
        "기자",
        "특파원",
        "선임기자",
        "논설위원",
        "앵커",
        "인턴기자",
        "PD",
    ];
    // At most four core words matter: stop trimming once there are more.
    let core: Vec<&str> = words
        .iter()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty() && !TITLES.contains(w))
        .take(4)
        .collect();
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

/// A credit standing after a dash or slash: `— Jane Doe`, `/홍길동 기자`, `/AFP`.
fn is_dash_name(line: &str) -> bool {
    let rest = line.trim_start_matches(['—', '–', '-', '/', '―']);
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
    const VERBS: &[&str] = &[
        "covers",
        "writes",
        "reports",
        "is",
        "has",
        "joined",
        "edits",
        "leads",
        "was",
        "previously",
    ];
    let english = words.len() >= 5
        && words[..words.len().min(5)].windows(2).any(|pair| {
            pair[0]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
                && VERBS.contains(&pair[1])
        })
        && words[0]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_uppercase())
        && (line.contains(" covers ")
            || line.contains(" writes ")
            || line.contains(" reporter")
            || line.contains(" correspondent")
            || line.contains(" editor")
            || line.contains(" columnist")
            || line.contains(" writer")
            || line.contains(" based in "));
    let korean = [
        "취재합니다",
        "씁니다",
        "맡고 있습니다",
        "담당하고 있습니다",
        "취재하고 있습니다",
    ]
    .iter()
    .any(|end| line.trim_end_matches(['.', ' ']).ends_with(end));
    english || korean
}

/// A broadcast sign-off: a short line that ends in `...입니다.` (`KBS 뉴스 홍길동입니다.`).
fn is_sign_off(words: &[&str], line: &str, counts: &LetterCounts) -> bool {
    counts.hangul > 0 && words.len() <= 6 && line.trim_end_matches(['.', ' ']).ends_with("입니다")
}

/// Buffers reused from line to line, so that tokenizing a line allocates nothing.
#[derive(Default)]
struct Scratch {
    word: String,
    syllables: Vec<char>,
    tokens: Vec<u32>,
}

/// The Hangul syllables of a word, in order, into `out`.
fn hangul_syllables(word: &str, out: &mut Vec<char>) {
    out.clear();
    out.extend(word.chars().filter(|&c| is_hangul_syllable(c)));
}

/// The UTF-8 bytes of each pair of adjacent syllables (a Hangul syllable is 3 bytes).
fn hangul_pairs(syllables: &[char]) -> impl Iterator<Item = [u8; 6]> + '_ {
    syllables.windows(2).map(|pair| {
        let mut bytes = [0u8; 6];
        pair[0].encode_utf8(&mut bytes[..3]);
        pair[1].encode_utf8(&mut bytes[3..]);
        bytes
    })
}

/// Content tokens of a line, hashed, sorted and deduplicated into `scratch.tokens`: lower-cased
/// Latin words of three letters or more, and Hangul syllable pairs (which survive Korean
/// particles and endings).
fn content_tokens(line: &str, scratch: &mut Scratch) {
    let Scratch {
        word,
        syllables,
        tokens,
    } = scratch;
    tokens.clear();
    for w in line.split_whitespace() {
        normalize_word(w, word);
        hangul_syllables(word, syllables);
        if syllables.len() >= 2 {
            tokens.extend(hangul_pairs(syllables).map(|pair| fnv1a(b't', &pair)));
        } else {
            // A light stem: no possessive, at most five letters ("spaceports" ~ "spaceport").
            let stem = word.split(['\'', '’']).next().unwrap_or("").as_bytes();
            let stem = &stem[..stem.len().min(5)];
            if stem.len() >= 3 && stem.iter().all(|b| b.is_ascii_alphanumeric()) {
                tokens.push(fnv1a(b't', stem));
            }
        }
    }
    tokens.sort_unstable();
    tokens.dedup();
}

/// How much of each line's wording the article's lead (its first prose lines) shares: high for
/// the page's own headline and deck, low for other articles' headlines.
fn lead_overlap<S: AsRef<str>>(lines: &[S], prose_lines: &[usize]) -> Vec<f32> {
    let lead: Vec<usize> = prose_lines.iter().copied().take(3).collect();
    let mut scratch = Scratch::default();
    let lead_tokens: Vec<(usize, Vec<u32>)> = lead
        .iter()
        .map(|&i| {
            content_tokens(lines[i].as_ref(), &mut scratch);
            (i, scratch.tokens.clone())
        })
        .collect();
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            // The lead's only line has nothing else to share with: it is the lead.
            if lead == [i] {
                return 1.0;
            }
            content_tokens(line.as_ref(), &mut scratch);
            let tokens = &scratch.tokens;
            if tokens.is_empty() {
                return 0.0;
            }
            let shared = tokens
                .iter()
                .filter(|t| {
                    lead_tokens
                        .iter()
                        .any(|(j, lt)| *j != i && lt.binary_search(t).is_ok())
                })
                .count();
            shared as f32 / tokens.len() as f32
        })
        .collect()
}

/// A person's name standing alone: two to four capitalized Latin words, or a Hangul word of two
/// to four syllables, optionally with a reporter title.
fn is_name_like(words: &[&str], counts: &LetterCounts) -> bool {
    if counts.hangul > 0 {
        let core: Vec<&&str> = words
            .iter()
            .filter(|w| !matches!(**w, "기자" | "특파원" | "선임기자" | "논설위원" | "앵커"))
            .collect();
        return core.len() == 1 && (2..=4).contains(&core[0].chars().count()) && counts.latin == 0;
    }
    (2..=4).contains(&words.len())
        && words.iter().all(|w| {
            let mut cs = w.chars();
            cs.next().is_some_and(|c| c.is_uppercase())
                && cs.all(|c| c.is_alphabetic() || c == '-' || c == '\'' || c == '.')
        })
}

fn has_date(line: &str) -> bool {
    let b = line.as_bytes();
    // yyyy.mm.dd, yyyy-mm-dd, yyyy/mm/dd
    for w in b.windows(7) {
        if w[..4].iter().all(u8::is_ascii_digit)
            && matches!(w[4], b'.' | b'-' | b'/')
            && w[5].is_ascii_digit()
            && (w[6].is_ascii_digit() || matches!(w[6], b'.' | b'-' | b'/'))
        {
            return true;
        }
    }
    if line.contains('년') && line.contains('월') && line.contains('일') {
        return true;
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    b.iter().any(u8::is_ascii_digit)
        && line.split(|c: char| !c.is_ascii_alphabetic()).any(|w| {
            (3..=9).contains(&w.len()) && MONTHS.iter().any(|m| w[..3].eq_ignore_ascii_case(m))
        })
}

fn starts_with_ignore_ascii_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
}

/// Keyword groups that mark copyright notices, bylines, credits and timestamps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Group {
    CopyrightMark,
    Rights,
    Url,
    ReporterTitle,
    Credit,
    Timestamp,
    ListHeading,
    CreditPhrase,
    SiteNotice,
    Summary,
    Viewer,
    Promo,
}

const KEYWORDS: &[(Group, &[&str])] = &[
    (Group::CopyrightMark, &["©", "ⓒ", "(c)", "copyright"]),
    (
        Group::Rights,
        &[
            "all rights reserved",
            "rights reserved",
            "무단",
            "전재",
            "재배포",
            "저작권",
            "reproduction",
            "redistribut",
            "republish",
            "학습",
            "without permission",
        ],
    ),
    (Group::Url, &["http://", "https://", "www."]),
    (
        Group::ReporterTitle,
        &[
            "기자",
            "특파원",
            "논설위원",
            "선임기자",
            "객원",
            "칼럼니스트",
            "reporter",
            "correspondent",
            "editor",
            "staff writer",
            "columnist",
            "contributor",
        ],
    ),
    (
        Group::Credit,
        &[
            "사진=",
            "사진 =",
            "사진제공",
            "제공=",
            "photo:",
            "photo by",
            "photos:",
            "image:",
            "credit:",
            "getty",
            "courtesy",
            "file photo",
            "/ap",
            "afp",
            "reuters",
            "yonhap",
            "연합뉴스",
            "뉴스1",
            "뉴시스",
            "촬영",
            "편집",
            "그래픽=",
        ],
    ),
    (
        Group::Timestamp,
        &[
            "입력",
            "수정",
            "승인",
            "업데이트",
            "등록",
            "발행",
            "송고",
            "updated",
            "published",
            "posted",
            "ago",
            "last modified",
            "min read",
            "read time",
            "views",
            "조회",
        ],
    ),
    (
        Group::ListHeading,
        &[
            "related",
            "more from",
            "more on",
            "most read",
            "most popular",
            "most viewed",
            "popular",
            "latest",
            "trending",
            "recommended",
            "you may also",
            "you might also",
            "read more",
            "read next",
            "also read",
            "see also",
            "top stories",
            "editor's pick",
            "관련",
            "많이 본",
            "인기",
            "추천",
            "최신",
            "주요뉴스",
            "다른 기사",
            "함께 보",
            "헤드라인",
            "랭킹",
        ],
    ),
    (
        Group::CreditPhrase,
        &[
            "reporting by",
            "reported by",
            "written by",
            "edited by",
            "editing by",
            "translated by",
            "interview by",
            "compiled by",
            "additional reporting",
            "contributed to this report",
            "contributed reporting",
            "inputs from",
            "취재=",
            "정리=",
            "대담=",
            "글=",
            "번역=",
            "영상취재",
            "영상편집",
            "영상 취재",
            "영상 편집",
            "촬영기자",
            "그래픽:",
        ],
    ),
    (
        Group::SiteNotice,
        &[
            "generated",
            "cookie",
            "쿠키",
            "consent",
            "동의",
            "로그인",
            "log in",
            "sign in",
            "sign up",
            "subscribe",
            "subscription",
            "구독",
            "newsletter",
            "뉴스레터",
            "advertisement",
            "sponsored",
            "광고",
            "제휴",
            "앱에서",
            "download",
            "알림",
            "notification",
            "produced with support",
            "with support from",
            "지원을 받아",
            "후원을 받아",
            "제보",
            "disclaimer",
            "whatsapp",
            "follow us",
            "listen to this",
            "읽는 데",
            "partners",
            "accept all",
            "co-published",
        ],
    ),
    (
        Group::Summary,
        &[
            "요약",
            "핵심",
            "summary",
            "summaries",
            "takeaways",
            "highlights",
            "at a glance",
            "key points",
            "the gist",
            "in brief",
            "things to know",
            "quick read",
            "tl;dr",
        ],
    ),
    (
        Group::Viewer,
        &[
            "확대",
            "크게보기",
            "크게 보기",
            "원본보기",
            "원본 보기",
            "이전 사진",
            "다음 사진",
            "enlarge",
            "expand",
            "gallery",
            "slideshow",
            "full screen",
            "fullscreen",
            "zoom",
        ],
    ),
    (
        Group::Promo,
        &[
            "free",
            "save up",
            "offer",
            "discount",
            "% off",
            "trial",
            "book now",
            "buy ",
            "shop ",
            "deals",
            "coupon",
            "£",
            "할인",
            "무료",
            "특가",
            "이용권",
            "쿠폰",
            "구매",
            "체험",
            "가입하면",
            "이벤트",
            "혜택",
        ],
    ),
];

/// Which keyword groups a line holds, found in one pass.
struct Found {
    /// One bit per [`Group`].
    groups: u32,
    /// Distinct rights keywords.
    rights: u32,
}

impl Found {
    fn has(&self, g: Group) -> bool {
        self.groups & (1 << g as u32) != 0
    }
}

fn keyword_groups(line: &str) -> Found {
    static MATCHER: OnceLock<(AhoCorasick, Vec<Group>)> = OnceLock::new();
    let (ac, groups) = MATCHER.get_or_init(|| {
        let mut patterns = Vec::new();
        let mut groups = Vec::new();
        for (g, words) in KEYWORDS {
            for w in *words {
                patterns.push(*w);
                groups.push(*g);
            }
        }
        let ac = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::DFA))
            .ascii_case_insensitive(true)
            .build(&patterns)
            .expect("keyword patterns build");
        (ac, groups)
    });
    let mut found = Found {
        groups: 0,
        rights: 0,
    };
    let mut rights_seen = 0u64;
    for m in ac.find_overlapping_iter(line) {
        let g = groups[m.pattern().as_usize()];
        found.groups |= 1 << g as u32;
        if g == Group::Rights {
            rights_seen |= 1 << m.pattern().as_usize();
        }
    }
    found.rights = rights_seen.count_ones();
    found
}

fn has_time(line: &str) -> bool {
    let b = line.as_bytes();
    b.windows(4).any(|w| {
        w[0].is_ascii_digit() && w[1] == b':' && w[2].is_ascii_digit() && w[3].is_ascii_digit()
    })
}

/// FNV-1a, so that hashed features are the same on every machine and run.
fn fnv1a(namespace: u8, bytes: &[u8]) -> u32 {
    let mut h: u32 = 0x811c_9dc5 ^ namespace as u32;
    h = h.wrapping_mul(0x0100_0193);
    for &b in bytes {
        h ^= b as u32;
        h = h.wrapping_mul(0x0100_0193);
    }
    h
}

fn bucket(namespace: u8, bytes: &[u8]) -> u32 {
    let h = fnv1a(namespace, bytes);
    (h ^ (h >> HASH_BITS)) & (HASH_DIM as u32 - 1)
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
fn normalize_word(word: &str, out: &mut String) {
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

/// The shape of a short line: letter classes and digits with repeats folded, e.g. `Aa 0.0.0`.
fn shape(line: &str) -> String {
    let mut s = String::new();
    let mut last = '\0';
    for c in line.chars() {
        let k = if c.is_ascii_digit() {
            '0'
        } else if c.is_ascii_uppercase() {
            'A'
        } else if c.is_ascii_lowercase() {
            'a'
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
    s
}

fn hashed_features(line: &str, out: &mut Vec<(u32, f32)>, scratch: &mut Scratch) {
    let start = out.len();
    let trimmed = line.trim();
    let Scratch {
        word, syllables, ..
    } = scratch;
    let n_words = trimmed.split_whitespace().count();
    for (k, w) in trimmed.split_whitespace().enumerate() {
        normalize_word(w, word);
        if word.is_empty() {
            continue;
        }
        out.push((bucket(b'w', word.as_bytes()), 1.0));
        if k == 0 {
            out.push((bucket(b'f', word.as_bytes()), 1.0));
        }
        if k + 1 == n_words {
            out.push((bucket(b'l', word.as_bytes()), 1.0));
        }
        hangul_syllables(word, syllables);
        if syllables.len() >= 3 {
            for pair in hangul_pairs(syllables) {
                out.push((bucket(b'b', &pair), 0.5));
            }
        }
    }
    if n_words <= 4 {
        out.push((bucket(b's', shape(trimmed).as_bytes()), 1.0));
    }
    let slice = &mut out[start..];
    let norm: f32 = slice.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for (_, v) in slice.iter_mut() {
            *v /= norm;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feature(line: &str, name: &str) -> f32 {
        let i = LINE_FEATURES.iter().position(|&f| f == name).unwrap();
        line_features(line)[i]
    }

    #[test]
    fn copyright_marks() {
        let line = "Copyright © 코리아중앙데일리. 무단전재 및 재배포 금지.";
        assert_eq!(feature(line, "copyright_mark"), 1.0);
        assert!(feature(line, "rights_words") > 0.5);
        assert_eq!(
            feature("ⓒ 한겨레신문사 : 무단전재 및 재배포 금지", "copyright_mark"),
            1.0
        );
        assert_eq!(
            feature("The court ruled on Tuesday.", "copyright_mark"),
            0.0
        );
    }

    #[test]
    fn bylines_and_dates() {
        assert_eq!(
            feature("홍길동 기자 gildong@example.co.kr", "reporter_title"),
            1.0
        );
        assert_eq!(feature("홍길동 기자 gildong@example.co.kr", "email"), 0.5);
        assert_eq!(
            feature("By Kim Arin (arin@heraldcorp.com)", "by_prefix"),
            1.0
        );
        assert_eq!(feature("입력 2023.10.19. 오전 9:12", "date"), 1.0);
        assert_eq!(feature("입력 2023.10.19. 오전 9:12", "time"), 1.0);
        assert_eq!(feature("Wednesday 20 November 2019 9:22 am", "date"), 1.0);
        assert_eq!(feature("Markets rallied in May.", "date"), 0.0);
    }

    #[test]
    fn names_and_credits_apart_from_menus() {
        for name in ["Harriet Lowe", "RAYMOND OKAFOR", "김서윤", "윤지아 기자"] {
            assert_eq!(feature(name, "person_name"), 1.0, "{name}");
        }
        for menu in [
            "World News",
            "Privacy Policy",
            "사회부",
            "정치",
            "경제 뉴스",
        ] {
            assert_eq!(feature(menu, "person_name"), 0.0, "{menu}");
        }
        assert_eq!(feature("Privacy Policy", "title_case_words"), 1.0);
        assert_eq!(feature("— Priya Natarajan", "dash_name"), 1.0);
        assert_eq!(feature("/청해통신", "dash_name"), 1.0);
        assert_eq!(
            feature("- the market fell sharply on Monday.", "dash_name"),
            0.0
        );
        assert_eq!(
            feature("Reporting by Jo Park; Editing by Sam Lee", "credit_phrase"),
            1.0
        );
        assert_eq!(feature("영상취재: 오태현", "credit_phrase"), 1.0);
        assert_eq!(
            feature(
                "Jane Doe covers energy and climate for the paper. She is based in Busan.",
                "author_bio"
            ),
            1.0
        );
        assert_eq!(
            feature("경제부에서 금융 정책을 취재합니다.", "author_bio"),
            1.0
        );
        assert_eq!(
            feature(
                "The minister covers the cost, officials said on Monday.",
                "author_bio"
            ),
            0.0
        );
        assert_eq!(feature("KBS 뉴스 홍길동입니다.", "sign_off"), 1.0);
        assert_eq!(feature("구독하고 알림 받기", "site_notice_words"), 1.0);
        assert_eq!(feature("구독하고 알림 받기", "copyright_mark"), 0.0);
        assert_eq!(feature("AI 요약", "summary_heading"), 1.0);
        assert_eq!(feature("사진 크게보기", "viewer_words"), 1.0);
    }

    #[test]
    fn prose_and_sentences() {
        let para = "The ministry did not provide any details of the meeting, but Moscow's \
                    state-run TASS news agency reported that their talks lasted just over an hour.";
        assert_eq!(feature(para, "prose"), 1.0);
        assert_eq!(feature(para, "ends_sentence"), 1.0);
        assert_eq!(feature("Most Popular", "prose"), 0.0);
        assert_eq!(
            feature(
                "정부는 내년 예산안을 확정했다고 밝혔다.",
                "ends_korean_sentence"
            ),
            1.0
        );
        assert_eq!(feature("▶ 다른 기사 제목", "starts_bullet"), 1.0);
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
        let mut row = vec![0.0; DIM];
        f.write_dense_row(1, &mut row);
        assert!(row.iter().all(|v| v.is_finite()));
        assert!(row[DENSE_DIM..].iter().any(|&v| v > 0.0));
        // The headline stands one line before the first prose line.
        let idx = N_LINE
            + PAGE_FEATURES
                .iter()
                .position(|&p| p == "prose_next_1")
                .unwrap();
        assert_eq!(f.dense_row(0)[idx], 1.0);
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
             --release -- train training -o models/default.json) and update SEED_PAGE_DIGEST \
             (now {digest:#018x})"
        );
    }

    #[test]
    fn hashing_is_stable() {
        assert_eq!(bucket(b'w', b"copyright"), bucket(b'w', b"copyright"));
        assert_ne!(bucket(b'w', b"copyright"), bucket(b'f', b"copyright"));
        assert_eq!(shape("2023.10.19 09:12"), "0.0.0 0:0");
    }
}
