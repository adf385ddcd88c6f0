//! Page features: where a line stands on its page — its position, its distance from the
//! article's prose and headline, repetition, and its language against the page's.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::language::PageLanguage;

use super::registry::{flag, ln_1_plus};
use super::{LineFeature, LineRow, PageFeature, PageRow};

/// A fast hasher for the page's lines (the Fx hash of rustc): only counts are kept, so the
/// hash never shows in a feature.
#[derive(Default)]
struct FxHasher(u64);

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            self.add(u64::from_le_bytes(chunk.try_into().expect("8 bytes")));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut last = [0u8; 8];
            last[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// What the page features of every line read from the whole page, computed once a page.
pub(crate) struct PageContext {
    /// Number of lines.
    n: usize,
    /// Each line's share of wording with the article's lead.
    lead_overlap: Vec<f32>,
    /// The page's own headline, if found.
    headline: Option<usize>,
    /// Whether each line looks like a headline.
    headline_like: Vec<bool>,
    /// Prose lines (any language) among the lines before each line: `prose_before[j]` counts
    /// lines `0..j`, so a window's count is a difference.
    prose_before: Vec<u32>,
    /// Headline-like lines among the lines before each line, likewise.
    headline_like_before: Vec<u32>,
    /// The prose lines in the page's language, in order.
    prose_lines: Vec<usize>,
    /// How often each line's text occurs on the page.
    repeats: Vec<u32>,
    /// Length of the longest line, at least 1.
    longest: f32,
    /// Length of the median prose line (the longest line's without prose).
    prose_median: f32,
    /// Each line's length in characters.
    lens: Vec<f32>,
}

impl PageContext {
    /// The context of a page, from its lines, their line features, their languages, their
    /// lengths in chars and their content tokens.
    pub(crate) fn new<S: AsRef<str>>(
        lines: &[S],
        rows: &[LineRow],
        langs: &[&str],
        page: &PageLanguage,
        lens: Vec<f32>,
        tokens: &LineTokens,
    ) -> PageContext {
        // The article is written in the page's main language: prose in another language
        // (a portal's promo text around a foreign-language article) is no anchor.
        let prose_lines: Vec<usize> = (0..lines.len())
            .filter(|&i| {
                rows[i][LineFeature::Prose] > 0.5
                    && (page.is_page_language(langs[i]) || page.main == "und")
            })
            .collect();
        let mut counts: HashMap<&str, u32, BuildHasherDefault<FxHasher>> =
            HashMap::with_capacity_and_hasher(lines.len(), Default::default());
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
        let headline_like: Vec<bool> = rows
            .iter()
            .map(|r| r[LineFeature::HeadlineLike] > 0.5)
            .collect();
        // The page's own headline: the nearest headline-like line above the first prose line.
        let headline = prose_lines.first().and_then(|&first| {
            (first.saturating_sub(12)..first)
                .rev()
                .find(|&j| headline_like[j])
        });
        let lead_overlap = lead_overlap(tokens, &prose_lines);
        let prose_before = running_count(rows.iter().map(|r| r[LineFeature::Prose] > 0.5));
        let headline_like_before = running_count(headline_like.iter().copied());
        PageContext {
            n: lines.len(),
            lead_overlap,
            headline,
            headline_like,
            prose_before,
            headline_like_before,
            prose_lines,
            repeats,
            longest,
            prose_median,
            lens,
        }
    }

    /// The page features of line `i`, whose language is `lang`.
    pub(crate) fn page_features(
        &self,
        i: usize,
        page: &PageLanguage,
        lang: &str,
        rows: &[LineRow],
    ) -> PageRow {
        use PageFeature::*;

        let mut p = PageRow::default();
        let n = self.n;
        let last = n.saturating_sub(1).max(1) as f32;
        let ln = |x: usize, scale: f32| ln_1_plus(x) / scale;
        p[RelativePosition] = i as f32 / last;
        p[LinesFromStart] = ln(i, 5.0);
        p[LinesToEnd] = ln(n - 1 - i, 5.0);
        let first = self.prose_lines.first().copied();
        let lastp = self.prose_lines.last().copied();
        // prose_lines is sorted: the first prose line after i, and the last one before it.
        let after = self.prose_lines.partition_point(|&j| j <= i);
        let next = self.prose_lines.get(after).copied();
        let before = self.prose_lines.partition_point(|&j| j < i);
        let prev = before.checked_sub(1).map(|k| self.prose_lines[k]);
        match (first, lastp) {
            (Some(f), Some(l)) => {
                p[InProseSpan] = flag(f <= i && i <= l);
                p[BeforeProse] = flag(i < f);
                p[AfterProse] = flag(i > l);
                if f <= i && i <= l && l > f {
                    p[PositionInProseSpan] = (i - f) as f32 / (l - f) as f32;
                }
                if i > l {
                    let d = i - l;
                    p[AfterProse1To3] = flag(d <= 3);
                    p[AfterProse4To10] = flag(d > 3 && d <= 10);
                }
                if i < f {
                    let d = f - i;
                    p[ProseNext1] = flag(d == 1);
                    p[ProseNext2] = flag(d == 2);
                    p[ProseNext3To4] = flag((3..=4).contains(&d));
                    p[ProseNext5To8] = flag((5..=8).contains(&d));
                }
                p[FirstProseDistance] = ln(f.abs_diff(i), 5.0);
            }
            _ => {
                p[BeforeProse] = 1.0;
                p[FirstProseDistance] = 1.0;
            }
        }
        p[LinesToNextProse] = next.map_or(1.5, |j| ln(j - i, 4.0));
        p[LinesSinceProse] = prev.map_or(1.5, |j| ln(i - j, 4.0));
        let is_prose = rows[i][LineFeature::Prose] > 0.5;
        let window = |r: usize| {
            let a = i.saturating_sub(r);
            let b = (i + r).min(n - 1);
            let count = self.prose_before[b + 1] - self.prose_before[a] - is_prose as u32;
            count as f32 / (b - a).max(1) as f32
        };
        p[ProseNear] = window(3);
        p[ProseAround] = window(8);
        p[LengthVsLongest] = self.lens[i] / self.longest;
        p[LengthVsProse] = (self.lens[i] / self.prose_median.max(1.0)).min(2.0);
        p[Repeats] = ((self.repeats[i] - 1) as f32).ln_1p() / 2.0;
        p[InPageLanguage] = flag(page.is_page_language(lang));
        p[UndeterminedLanguage] = flag(lang == "und");
        p[KoreanOffPageLanguage] = flag(lang == "kor" && !page.is_page_language("kor"));
        p[OtherOffPageLanguage] =
            flag(lang != "kor" && lang != "und" && !page.is_page_language(lang));
        p[FirstLine] = flag(i == 0);
        p[LastLine] = flag(i + 1 == n);
        // Lists are runs of lines of like length and like start.
        let a = i.saturating_sub(3);
        let b = (i + 3).min(n - 1);
        let similar = (a..=b)
            .filter(|&j| {
                j != i
                    && rows[j][LineFeature::StartsBullet] == rows[i][LineFeature::StartsBullet]
                    && rows[j][LineFeature::EndsSentence] == rows[i][LineFeature::EndsSentence]
                    && (self.lens[j] / self.lens[i].max(1.0) - 1.0).abs() < 0.5
            })
            .count();
        p[SimilarNeighbours] = similar as f32 / 6.0;
        p[KoreanPage] = flag(page.main == "kor");
        p[PageLines] = ln(n, 6.0);
        if let Some(h) = self.headline {
            p[HeadlineCandidate] = flag(h == i);
            p[AfterHeadline1To3] = flag(i > h && i - h <= 3);
            p[AfterHeadline4To8] = flag(i > h + 3 && i - h <= 8);
            p[BeforeHeadline] = flag(i < h);
        }
        let a = i.saturating_sub(4);
        let b = (i + 4).min(n - 1);
        let near = self.headline_like_before[b + 1]
            - self.headline_like_before[a]
            - self.headline_like[i] as u32;
        p[HeadlineLikeNear] = near as f32 / 8.0;
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
        p[HeadlineLikeRun] = if self.headline_like[i] {
            ln(run, 3.0)
        } else {
            0.0
        };
        p[LeadOverlap] = self.lead_overlap[i];
        // Sentences of a machine summary box repeat the story; the box's heading gives them away.
        // Nearer the heading is likelier inside the box; a notice line after the heading (the
        // box's disclaimer) closes it.
        if let Some(h) = (i.saturating_sub(6)..i)
            .rev()
            .find(|&j| rows[j][LineFeature::SummaryHeading] > 0.5)
        {
            p[UnderSummaryHeading] = (7 - (i - h)) as f32 / 6.0;
            p[SummaryBoxClosed] =
                flag((h + 1..i).any(|j| rows[j][LineFeature::SiteNoticeWords] > 0.5));
        }
        // Until site memory says otherwise (`site::apply_site_memory`).
        p[NoSiteMemory] = 1.0;
        p
    }
}

/// How many of the flags before each position are set: `n + 1` counts, the first 0.
fn running_count(flags: impl Iterator<Item = bool>) -> Vec<u32> {
    let mut counts = vec![0];
    let mut total = 0;
    counts.extend(flags.map(|on| {
        total += on as u32;
        total
    }));
    counts
}

/// Each line's content tokens, hashed, sorted and deduplicated, in one vector for the page:
/// lower-cased Latin words of three letters or more (a light stem: no possessive, at most five
/// letters, so that "spaceports" ~ "spaceport"), and Hangul syllable pairs (which survive Korean
/// particles and endings). Made with the hashed features (`hashed::line_words`).
#[derive(Default)]
pub(crate) struct LineTokens {
    /// The tokens of every line, line after line.
    pub(crate) tokens: Vec<u32>,
    /// Where each line's tokens are in `tokens`.
    pub(crate) ranges: Vec<(u32, u32)>,
}

impl LineTokens {
    /// The tokens of line `i`.
    fn line(&self, i: usize) -> &[u32] {
        let (a, b) = self.ranges[i];
        &self.tokens[a as usize..b as usize]
    }
}

/// How much of each line's wording the article's lead (its first prose lines) shares: high for
/// the page's own headline and deck, low for other articles' headlines.
fn lead_overlap(tokens: &LineTokens, prose_lines: &[usize]) -> Vec<f32> {
    let n = tokens.ranges.len();
    let lead = &prose_lines[..prose_lines.len().min(3)];
    if lead.is_empty() {
        // Nothing to share with.
        return vec![0.0; n];
    }
    // Which of the lead's lines hold each of the lead's tokens, one bit per lead line: a line
    // shares a token when a lead line other than itself holds it.
    let lead_set = LeadSet::new(lead.iter().map(|&j| tokens.line(j)));
    (0..n)
        .map(|i| {
            // The lead's only line has nothing else to share with: it is the lead.
            if lead == [i] {
                return 1.0;
            }
            let line = tokens.line(i);
            if line.is_empty() {
                return 0.0;
            }
            let others = !lead.iter().position(|&j| j == i).map_or(0, |k| 1u8 << k);
            let shared = line
                .iter()
                .filter(|&&t| lead_set.lines_holding(t) & others != 0)
                .count();
            shared as f32 / line.len() as f32
        })
        .collect()
}

/// The tokens of the lead's lines (at most 8), each with the lines that hold it, in an
/// open-addressing table.
struct LeadSet {
    /// (token, lines holding it as bits); no bit set: an empty slot.
    slots: Vec<(u32, u8)>,
    /// `slots.len() - 1` (a power of two less one).
    mask: usize,
}

impl LeadSet {
    fn new<'a>(lines: impl Iterator<Item = &'a [u32]> + Clone) -> LeadSet {
        let count: usize = lines.clone().map(<[u32]>::len).sum();
        let len = (2 * count).next_power_of_two().max(16);
        let mut set = LeadSet {
            slots: vec![(0, 0); len],
            mask: len - 1,
        };
        for (k, line) in lines.enumerate() {
            for &t in line {
                let mut at = Self::slot_of(t) & set.mask;
                loop {
                    let slot = &mut set.slots[at];
                    if slot.1 == 0 || slot.0 == t {
                        *slot = (t, slot.1 | 1 << k);
                        break;
                    }
                    at = (at + 1) & set.mask;
                }
            }
        }
        set
    }

    #[inline]
    fn slot_of(t: u32) -> usize {
        (t.wrapping_mul(0x9e37_79b1) >> 7) as usize
    }

    /// The lead lines holding token `t`, as bits (0 when none does).
    #[inline]
    fn lines_holding(&self, t: u32) -> u8 {
        let mut at = Self::slot_of(t) & self.mask;
        loop {
            let (token, lines) = self.slots[at];
            if lines == 0 || token == t {
                return lines;
            }
            at = (at + 1) & self.mask;
        }
    }
}
