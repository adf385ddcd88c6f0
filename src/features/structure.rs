//! Structure features: what an HTML page's markup says about each line. Only HTML input has
//! them; text lines do not, and a model's HTML stages read them on top of the text features.
//!
//! For each line:
//! - *dense* ([`StructureFeature`]): which kinds of element it stands in (`a`, `li`, `nav`,
//!   `footer`, `form`, `button`, `figure`, `h1`–`h6`, ...), its block's tag, its share of link
//!   text, its depth, where it stands against the page's *main text container* (the deepest
//!   element holding most of the page's prose), and its *sibling group* (the lines whose blocks
//!   share a parent: the items of one list, the paragraphs of one article): the group's size,
//!   link share and prose share;
//! - *hashed*: the tags of its element, block and the block's parent, the last three tags of its
//!   path, and the words of the `class` and `id` names above it (split at `-`, `_`, digits and
//!   camelCase humps, lower-cased), hashed into [`STRUCTURE_HASH_DIM`] buckets, so that no
//!   site's names are written into the code: the model learns from training pages which words
//!   (`related`, `footer`, `byline`, `gisa`, ...) go with which class.
//!
//! The context stage adds the mean first-stage probabilities of the line's sibling group and of
//! its block's grandparent's lines ([`StructureRows::group_context`]): a list is labeled as a
//! list.

#[cfg(feature = "html")]
use crate::html::{ElementId, HtmlPage};

#[cfg(feature = "html")]
use super::hashed::fnv1a;
#[cfg(feature = "html")]
use super::registry::flag;
use super::registry::{dense_features, Row};
#[cfg(feature = "html")]
use super::words::is_alphanumeric;

/// log2 of the number of hashed structure buckets.
pub const STRUCTURE_HASH_BITS: u32 = 9;
/// Number of hashed structure buckets.
pub const STRUCTURE_HASH_DIM: usize = 1 << STRUCTURE_HASH_BITS;
/// Number of dense structure features.
pub const STRUCTURE_DENSE: usize = StructureFeature::COUNT;
/// Number of structure features a line scorer reads: dense, then hashed.
pub const STRUCTURE_DIM: usize = STRUCTURE_DENSE + STRUCTURE_HASH_DIM;
/// Number of group context values the context stage reads per line (see
/// [`StructureRows::group_context`]).
pub const GROUP_CONTEXT_DIM: usize = 2 * 5;

dense_features! {
    /// The dense structure features of a line, in layout order.
    pub enum StructureFeature {
        // Elements the line stands in (its own element or any above it).
        /// Inside an `a`.
        InLink = "in_link";
        /// Share of the line's characters that are link text.
        LinkShare = "link_share";
        /// At least 95% link text.
        AllLink = "all_link";
        /// Inside an `li`.
        InListItem = "in_list_item";
        /// Inside a `ul`, `ol`, `dl` or `menu`.
        InList = "in_list";
        /// Inside a `nav`.
        InNav = "in_nav";
        /// Inside a `header`.
        InHeader = "in_header";
        /// Inside a `footer`.
        InFooter = "in_footer";
        /// Inside an `aside`.
        InAside = "in_aside";
        /// Inside a `form` or `fieldset`.
        InForm = "in_form";
        /// Inside a `button`.
        InButton = "in_button";
        /// Inside a `figure`.
        InFigure = "in_figure";
        /// Inside a `figcaption`.
        InFigcaption = "in_figcaption";
        /// Inside a `time`.
        InTime = "in_time";
        /// Inside a `table`.
        InTable = "in_table";
        /// Inside an `h1` to `h6`.
        InHeading = "in_heading";
        /// Inside an `h1`.
        InH1 = "in_h1";
        /// Inside a `blockquote`.
        InBlockquote = "in_blockquote";
        /// Inside an `article`.
        InArticle = "in_article";
        /// Inside a `main`.
        InMain = "in_main";
        /// Inside an `address`.
        InAddress = "in_address";
        /// Inside a `label`, `legend`, `option`, `summary` or `dialog`.
        InControl = "in_control";
        /// Inside a `section`.
        InSection = "in_section";
        /// Inside `strong`, `b`, `em` or `i` that holds all its text.
        Emphasized = "emphasized";

        // The block the line is part of.
        /// The block is a `p`.
        BlockP = "block_p";
        /// The block is a `div`.
        BlockDiv = "block_div";
        /// The block is an `li`, `dt` or `dd`.
        BlockItem = "block_item";
        /// The block is a `td` or `th`.
        BlockCell = "block_cell";
        /// The block is a heading.
        BlockHeading = "block_heading";
        /// The block holds more than one line (`<br>` splits it).
        SplitBlock = "split_block";
        /// ln(1 + elements above the line) / 4.
        Depth = "depth";

        // Against the page's main text container.
        /// Inside the main text container.
        InContainer = "in_container";
        /// Before it.
        BeforeContainer = "before_container";
        /// After it.
        AfterContainer = "after_container";
        /// The page has no prose, so no container.
        NoContainer = "no_container";
        /// Where in the container, 0 (its first line) to 1 (its last).
        PositionInContainer = "position_in_container";
        /// ln(1 + lines between the line and the container) / 4, 0 inside it.
        LinesOutsideContainer = "lines_outside_container";
        /// Share of the page's lines that are in the container.
        ContainerShare = "container_share";

        // The sibling group: lines whose blocks share a parent.
        /// ln(1 + lines in the group) / 3.
        GroupSize = "group_size";
        /// The only line of its group.
        GroupSingleton = "group_singleton";
        /// Mean link share of the group's lines.
        GroupLinkShare = "group_link_share";
        /// Share of the group's lines that read as prose.
        GroupProseShare = "group_prose_share";
        /// The group's first line.
        GroupFirst = "group_first";
        /// The group's last line.
        GroupLast = "group_last";
        /// ln(1 + lines under the block's grandparent) / 3.
        SectionSize = "section_size";
        /// ln(1 + characters of the group's lines) / 8.
        GroupChars = "group_chars";

        // Against the page's first `h1`, where the article usually starts.
        /// Before the first `h1`.
        BeforeH1 = "before_h1";
        /// The page has no `h1`.
        NoH1 = "no_h1";
        /// ln(1 + lines after the first `h1`) / 5, 0 before it.
        LinesAfterH1 = "lines_after_h1";

        // Against the page's own metadata (`<title>`, description `<meta>`s, JSON-LD).
        /// Share of the line's word pairs found in a title.
        TitleMatch = "title_match";
        /// Share of the line's word pairs found in a description.
        DescriptionMatch = "description_match";
        /// The page's JSON-LD gives the article's body.
        HasArticleBody = "has_article_body";
        /// Share of the line's word pairs found in the JSON-LD article body.
        ArticleBodyMatch = "article_body_match";

        // Site memory (`site.rs`).
        /// Share of the site's other pages that have a block of the same structure path (tags,
        /// classes and ids from the root down); 0 without site memory.
        SitePathShare = "site_path_share";
    }
}

/// One line's dense structure features.
pub type StructureRow = Row<StructureFeature, { StructureFeature::COUNT }>;

/// The structure features of every line of one page.
#[derive(Debug, Clone, Default)]
pub struct StructureRows {
    /// [`STRUCTURE_DENSE`] values per line, lines in order.
    pub dense: Vec<f32>,
    /// Hashed features of all lines: (bucket, value); line `i` owns `hashed_ranges[i]`.
    pub hashed: Vec<(u32, f32)>,
    /// Where each line's hashed features are.
    pub hashed_ranges: Vec<(u32, u32)>,
    /// Each line's sibling group (an element id: lines of one group share it).
    pub groups: Vec<u32>,
    /// Each line's section: its block's grandparent.
    pub sections: Vec<u32>,
}

impl StructureRows {
    /// Dense structure features of line `i`.
    pub fn dense_row(&self, i: usize) -> &[f32] {
        &self.dense[i * STRUCTURE_DENSE..(i + 1) * STRUCTURE_DENSE]
    }

    /// Hashed structure features of line `i`.
    pub fn hashed_row(&self, i: usize) -> &[(u32, f32)] {
        let (a, b) = self.hashed_ranges[i];
        &self.hashed[a as usize..b as usize]
    }

    /// The rows of the lines in `range` (a window of a long page).
    pub fn window(&self, range: std::ops::Range<usize>) -> StructureRows {
        let (a, b) = (
            self.hashed_ranges[range.start].0,
            self.hashed_ranges[range.end - 1].1,
        );
        StructureRows {
            dense: self.dense[range.start * STRUCTURE_DENSE..range.end * STRUCTURE_DENSE].to_vec(),
            hashed: self.hashed[a as usize..b as usize].to_vec(),
            hashed_ranges: self.hashed_ranges[range.clone()]
                .iter()
                .map(|&(x, y)| (x - a, y - a))
                .collect(),
            groups: self.groups[range.clone()].to_vec(),
            sections: self.sections[range].to_vec(),
        }
    }

    /// The context stage's structure inputs, [`GROUP_CONTEXT_DIM`] per line: the mean
    /// first-stage probabilities of the other lines of the line's sibling group, then of the
    /// other lines of its section (zeros when there are none).
    pub fn group_context(&self, probs: &[[f32; 5]]) -> Vec<f32> {
        let n = probs.len();
        let mut out = vec![0.0f32; n * GROUP_CONTEXT_DIM];
        for (slot, keys) in [(0, &self.groups), (1, &self.sections)] {
            let mut sums: std::collections::HashMap<u32, ([f32; 5], u32)> =
                std::collections::HashMap::new();
            for (key, p) in keys.iter().zip(probs) {
                let entry = sums.entry(*key).or_insert(([0.0; 5], 0));
                for (total, value) in entry.0.iter_mut().zip(p) {
                    *total += value;
                }
                entry.1 += 1;
            }
            for (i, (key, p)) in keys.iter().zip(probs).enumerate() {
                let (sum, count) = sums[key];
                if count > 1 {
                    let row = &mut out[i * GROUP_CONTEXT_DIM + slot * 5..][..5];
                    for c in 0..5 {
                        row[c] = (sum[c] - p[c]) / (count - 1) as f32;
                    }
                }
            }
        }
        out
    }
}

/// Kinds of element a line can stand in, one bit each.
#[cfg(feature = "html")]
mod inside {
    pub const LINK: u32 = 1 << 0;
    pub const LIST_ITEM: u32 = 1 << 1;
    pub const LIST: u32 = 1 << 2;
    pub const NAV: u32 = 1 << 3;
    pub const HEADER: u32 = 1 << 4;
    pub const FOOTER: u32 = 1 << 5;
    pub const ASIDE: u32 = 1 << 6;
    pub const FORM: u32 = 1 << 7;
    pub const BUTTON: u32 = 1 << 8;
    pub const FIGURE: u32 = 1 << 9;
    pub const FIGCAPTION: u32 = 1 << 10;
    pub const TIME: u32 = 1 << 11;
    pub const TABLE: u32 = 1 << 12;
    pub const HEADING: u32 = 1 << 13;
    pub const H1: u32 = 1 << 14;
    pub const BLOCKQUOTE: u32 = 1 << 15;
    pub const ARTICLE: u32 = 1 << 16;
    pub const MAIN: u32 = 1 << 17;
    pub const ADDRESS: u32 = 1 << 18;
    pub const CONTROL: u32 = 1 << 19;
    pub const SECTION: u32 = 1 << 20;
    pub const EMPHASIS: u32 = 1 << 21;
}

#[cfg(feature = "html")]
fn kind_of(tag: &str) -> u32 {
    use inside::*;
    match tag {
        "a" => LINK,
        "li" => LIST_ITEM,
        "ul" | "ol" | "dl" | "menu" => LIST,
        "nav" => NAV,
        "header" => HEADER,
        "footer" => FOOTER,
        "aside" => ASIDE,
        "form" | "fieldset" => FORM,
        "button" => BUTTON,
        "figure" => FIGURE,
        "figcaption" => FIGCAPTION,
        "time" => TIME,
        "table" => TABLE,
        "h1" => HEADING | H1,
        "h2" | "h3" | "h4" | "h5" | "h6" => HEADING,
        "blockquote" => BLOCKQUOTE,
        "article" => ARTICLE,
        "main" => MAIN,
        "address" => ADDRESS,
        "label" | "legend" | "option" | "summary" | "dialog" => CONTROL,
        "section" => SECTION,
        "strong" | "b" | "em" | "i" => EMPHASIS,
        _ => 0,
    }
}

/// The share of the page's prose a container must hold.
#[cfg(feature = "html")]
const CONTAINER_SHARE: f32 = 0.6;
/// At most this many elements above a line give their class and id words.
#[cfg(feature = "html")]
const MAX_NAMED_ANCESTORS: usize = 24;

/// Computes the structure features of an HTML page's lines; `prose[i]` says whether line `i`
/// reads as running text (the text feature `prose`).
#[cfg(feature = "html")]
pub fn structure_rows(page: &HtmlPage, prose: &[bool]) -> StructureRows {
    let n = page.lines.len();
    let elements = &page.elements;
    let m = elements.len();
    let mut rows = StructureRows {
        dense: vec![0.0; n * STRUCTURE_DENSE],
        hashed: Vec::with_capacity(n * 16),
        hashed_ranges: Vec::with_capacity(n),
        groups: Vec::with_capacity(n),
        sections: Vec::with_capacity(n),
    };
    if n == 0 {
        return rows;
    }

    // Per element, in document order (a parent always comes before its children): what it is
    // inside of, its depth, and the words of its class and id.
    let mut kinds = vec![0u32; m];
    let mut depth = vec![0u32; m];
    for (e, element) in elements.iter().enumerate() {
        let own = kind_of(element.tag());
        let (up, d) = element
            .parent
            .map_or((0, 0), |p| (kinds[p as usize], depth[p as usize] + 1));
        // Emphasis counts only for the element holding the line's text, not from above.
        kinds[e] = (up & !inside::EMPHASIS) | own;
        depth[e] = d;
    }
    let mut names = NameWords::new(m);

    // The last element under each element (ids of an element's descendants are contiguous).
    let mut last = (0..m as u32).collect::<Vec<_>>();
    for e in (0..m).rev() {
        if let Some(p) = elements[e].parent {
            let p = p as usize;
            last[p] = last[p].max(last[e]);
        }
    }

    // The main text container: the deepest element holding CONTAINER_SHARE of the prose.
    let mut prose_chars = vec![0f32; m];
    for (line, &is_prose) in page.lines.iter().zip(prose) {
        if is_prose && line.link_share() < 0.5 {
            prose_chars[line.element as usize] += line.chars as f32;
        }
    }
    for e in (0..m).rev() {
        if let Some(p) = elements[e].parent {
            prose_chars[p as usize] += prose_chars[e];
        }
    }
    let total: f32 = (0..m)
        .filter(|&e| elements[e].parent.is_none())
        .map(|e| prose_chars[e])
        .sum();
    let container = (total > 0.0)
        .then(|| {
            (0..m)
                .filter(|&e| prose_chars[e] >= CONTAINER_SHARE * total)
                .max_by_key(|&e| (depth[e], std::cmp::Reverse(e)))
        })
        .flatten();
    let inside_container = |e: ElementId| container.is_some_and(|c| c as u32 <= e && e <= last[c]);
    let container_lines: Vec<usize> = (0..n)
        .filter(|&i| inside_container(page.lines[i].element))
        .collect();

    // Sibling groups and sections.
    let groups: Vec<u32> = page.lines.iter().map(|l| page.group(l)).collect();
    let sections: Vec<u32> = page
        .lines
        .iter()
        .map(|l| {
            let g = page.group(l);
            elements[g as usize].parent.unwrap_or(g)
        })
        .collect();
    let mut group_stats: Vec<Option<GroupStats>> = (0..m).map(|_| None).collect();
    for (i, line) in page.lines.iter().enumerate() {
        let s = group_stats[groups[i] as usize].get_or_insert(GroupStats {
            lines: 0,
            link_share: 0.0,
            prose: 0,
            chars: 0,
            first: i,
            last: i,
        });
        s.lines += 1;
        s.link_share += line.link_share();
        s.prose += prose[i] as u32;
        s.chars += line.chars as u64;
        s.last = i;
    }
    let titles = PairSet::of(&page.meta.titles);
    let descriptions = PairSet::of(&page.meta.descriptions);
    let bodies = PairSet::of(&page.meta.article_bodies);
    let first_h1 = (0..n).find(|&i| kinds[page.lines[i].element as usize] & inside::H1 != 0);
    let mut section_sizes = vec![0u32; m];
    for &s in &sections {
        section_sizes[s as usize] += 1;
    }
    let mut block_lines = vec![0u32; m];
    for line in &page.lines {
        block_lines[line.block as usize] += 1;
    }

    let mut words = Vec::new();
    let (mut line_words, mut pairs) = (Vec::new(), Vec::new());
    let mut tag_path = String::new();
    for (i, line) in page.lines.iter().enumerate() {
        let mut row = StructureRow::default();
        use StructureFeature as F;
        let k = kinds[line.element as usize];
        let has = |bit: u32| flag(k & bit != 0);
        let link_share = line.link_share();
        row[F::InLink] = flag(k & inside::LINK != 0 || line.link_chars > 0);
        row[F::LinkShare] = link_share;
        row[F::AllLink] = flag(link_share >= 0.95);
        row[F::InListItem] = has(inside::LIST_ITEM);
        row[F::InList] = has(inside::LIST);
        row[F::InNav] = has(inside::NAV);
        row[F::InHeader] = has(inside::HEADER);
        row[F::InFooter] = has(inside::FOOTER);
        row[F::InAside] = has(inside::ASIDE);
        row[F::InForm] = has(inside::FORM);
        row[F::InButton] = has(inside::BUTTON);
        row[F::InFigure] = has(inside::FIGURE);
        row[F::InFigcaption] = has(inside::FIGCAPTION);
        row[F::InTime] = has(inside::TIME);
        row[F::InTable] = has(inside::TABLE);
        row[F::InHeading] = has(inside::HEADING);
        row[F::InH1] = has(inside::H1);
        row[F::InBlockquote] = has(inside::BLOCKQUOTE);
        row[F::InArticle] = has(inside::ARTICLE);
        row[F::InMain] = has(inside::MAIN);
        row[F::InAddress] = has(inside::ADDRESS);
        row[F::InControl] = has(inside::CONTROL);
        row[F::InSection] = has(inside::SECTION);
        row[F::Emphasized] = has(inside::EMPHASIS);

        let block_tag = elements[line.block as usize].tag();
        row[F::BlockP] = flag(block_tag == "p");
        row[F::BlockDiv] = flag(block_tag == "div");
        row[F::BlockItem] = flag(matches!(block_tag, "li" | "dt" | "dd"));
        row[F::BlockCell] = flag(matches!(block_tag, "td" | "th"));
        row[F::BlockHeading] = flag(matches!(block_tag, "h1" | "h2" | "h3" | "h4" | "h5" | "h6"));
        row[F::SplitBlock] = flag(block_lines[line.block as usize] > 1);
        row[F::Depth] = (1.0 + depth[line.element as usize] as f32).ln() / 4.0;

        match container {
            None => row[F::NoContainer] = 1.0,
            Some(c) => {
                let (first, lastl) = (container_lines[0], *container_lines.last().expect("some"));
                row[F::ContainerShare] = container_lines.len() as f32 / n as f32;
                if inside_container(line.element) {
                    row[F::InContainer] = 1.0;
                    row[F::PositionInContainer] = if lastl > first {
                        (i.clamp(first, lastl) - first) as f32 / (lastl - first) as f32
                    } else {
                        0.0
                    };
                } else if (line.element as usize) < c {
                    row[F::BeforeContainer] = 1.0;
                    row[F::LinesOutsideContainer] = (1.0 + first.abs_diff(i) as f32).ln() / 4.0;
                } else {
                    row[F::AfterContainer] = 1.0;
                    row[F::LinesOutsideContainer] = (1.0 + lastl.abs_diff(i) as f32).ln() / 4.0;
                }
            }
        }

        let group = group_stats[groups[i] as usize]
            .as_ref()
            .expect("every line's group has stats");
        let size = group.lines;
        row[F::GroupSize] = (1.0 + size as f32).ln() / 3.0;
        row[F::GroupSingleton] = flag(size == 1);
        row[F::GroupLinkShare] = group.link_share / size as f32;
        row[F::GroupProseShare] = group.prose as f32 / size as f32;
        row[F::GroupFirst] = flag(size > 1 && i == group.first);
        row[F::GroupLast] = flag(size > 1 && i == group.last);
        row[F::SectionSize] = (1.0 + section_sizes[sections[i] as usize] as f32).ln() / 3.0;
        row[F::GroupChars] = (1.0 + group.chars as f32).ln() / 8.0;
        match first_h1 {
            None => row[F::NoH1] = 1.0,
            Some(h) if i < h => row[F::BeforeH1] = 1.0,
            Some(h) => row[F::LinesAfterH1] = (1.0 + (i - h) as f32).ln() / 5.0,
        }
        pairs.clear();
        if !(titles.is_empty() && descriptions.is_empty() && bodies.is_empty()) {
            word_pairs(&line.text, &mut line_words, &mut pairs);
        }
        row[F::TitleMatch] = titles.share_of(&pairs);
        row[F::DescriptionMatch] = descriptions.share_of(&pairs);
        row[F::HasArticleBody] = flag(!bodies.is_empty());
        row[F::ArticleBodyMatch] = bodies.share_of(&pairs);
        rows.dense[i * STRUCTURE_DENSE..(i + 1) * STRUCTURE_DENSE].copy_from_slice(row.values());

        // Hashed: tags, then class and id words near the line and further up.
        let start = rows.hashed.len();
        let block = &elements[line.block as usize];
        let parent_tag = block.parent.map_or("", |p| elements[p as usize].tag());
        let element_tag = elements[line.element as usize].tag();
        let tags = [
            bucket(b'T', block_tag.as_bytes()),
            bucket(b'E', element_tag.as_bytes()),
            bucket(b'P', parent_tag.as_bytes()),
            {
                tag_path.clear();
                for (k, tag) in [parent_tag, block_tag, element_tag].into_iter().enumerate() {
                    if k > 0 {
                        tag_path.push('>');
                    }
                    tag_path.push_str(tag);
                }
                bucket(b'Q', tag_path.as_bytes())
            },
        ];
        push_normalized(&mut rows.hashed, tags.iter().copied());
        // Near: the line's element up to its block's parent.
        words.clear();
        let mut up = Some(line.element);
        let stop = block.parent;
        while let Some(e) = up {
            let own = names.of(page, e);
            words.extend_from_slice(&names.near[own]);
            if Some(e) == stop {
                break;
            }
            up = elements[e as usize].parent;
        }
        words.sort_unstable();
        words.dedup();
        push_normalized(&mut rows.hashed, words.iter().copied());
        // Far: any of the nearest named elements above.
        words.clear();
        let mut up = Some(line.element);
        let mut named = 0;
        while let Some(e) = up {
            let own = names.of(page, e);
            if !own.is_empty() {
                words.extend_from_slice(&names.far[own]);
                named += 1;
                if named == MAX_NAMED_ANCESTORS {
                    break;
                }
            }
            up = elements[e as usize].parent;
        }
        words.sort_unstable();
        words.dedup();
        push_normalized(&mut rows.hashed, words.iter().copied());
        rows.hashed_ranges
            .push((start as u32, rows.hashed.len() as u32));
        rows.groups.push(groups[i]);
        rows.sections.push(sections[i]);
    }
    rows
}

/// The word pairs of some texts, to tell how much of a line they hold.
#[cfg(feature = "html")]
struct PairSet(Vec<u64>);

#[cfg(feature = "html")]
impl PairSet {
    fn of(texts: &[String]) -> PairSet {
        let (mut words, mut pairs) = (Vec::new(), Vec::new());
        let mut all = Vec::new();
        for text in texts {
            word_pairs(text, &mut words, &mut pairs);
            all.extend_from_slice(&pairs);
        }
        let mut pairs = all;
        pairs.sort_unstable();
        pairs.dedup();
        PairSet(pairs)
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The share of `pairs` in the set; 0 for a line without words.
    fn share_of(&self, pairs: &[u64]) -> f32 {
        if pairs.is_empty() || self.0.is_empty() {
            return 0.0;
        }
        pairs
            .iter()
            .filter(|p| self.0.binary_search(p).is_ok())
            .count() as f32
            / pairs.len() as f32
    }
}

/// A text's words, lower-cased (each Han or kana character a word of its own, as those
/// scripts do not space words), as hashes of each word with the next (the word alone when the
/// text has one word).
#[cfg(feature = "html")]
fn word_pairs(text: &str, words: &mut Vec<u64>, pairs: &mut Vec<u64>) {
    words.clear();
    pairs.clear();
    let mut word: u64 = 0;
    let mut in_word = false;
    const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
    let step = |h: u64, c: char| (h ^ c as u64).wrapping_mul(0x0000_0100_0000_01b3);
    for c in text.chars() {
        // ASCII (most of the bytes of most pages) decided without Unicode tables.
        let (letter, ideographic) = if c.is_ascii() {
            (c.is_ascii_alphanumeric(), false)
        } else {
            let ideographic = matches!(c, '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{9fff}');
            (is_alphanumeric(c) && !ideographic, ideographic)
        };
        if letter {
            let lower = if c.is_ascii() {
                c.to_ascii_lowercase()
            } else if matches!(c, '\u{ac00}'..='\u{d7a3}') {
                // Hangul syllables have no case.
                c
            } else {
                c.to_lowercase().next().unwrap_or(c)
            };
            word = step(if in_word { word } else { BASIS }, lower);
            in_word = true;
            continue;
        }
        if in_word {
            words.push(word);
            in_word = false;
        }
        if ideographic {
            words.push(step(BASIS, c));
        }
    }
    if in_word {
        words.push(word);
    }
    if words.len() == 1 {
        pairs.push(words[0]);
        return;
    }
    pairs.extend(words.windows(2).map(|w| w[0].rotate_left(17) ^ w[1]));
}

/// The words of elements' class and id names ([`name_words`]), worked out for the elements
/// above some line only, once each.
#[cfg(feature = "html")]
struct NameWords {
    /// Where each element's words are in `near` and `far`; `None` until worked out.
    spans: Vec<Option<(u32, u32)>>,
    /// The words' buckets as words near a line.
    near: Vec<u32>,
    /// The same words' buckets as words further up.
    far: Vec<u32>,
    /// The words of one element, reused.
    words: Vec<u32>,
}

#[cfg(feature = "html")]
impl NameWords {
    fn new(elements: usize) -> NameWords {
        NameWords {
            spans: vec![None; elements],
            near: Vec::new(),
            far: Vec::new(),
            words: Vec::new(),
        }
    }

    /// The range of `near` and `far` that holds element `e`'s words.
    fn of(&mut self, page: &HtmlPage, e: ElementId) -> std::ops::Range<usize> {
        let (start, end) = *self.spans[e as usize].get_or_insert_with(|| {
            let element = &page.elements[e as usize];
            let start = self.near.len() as u32;
            name_words(
                element.class.as_deref(),
                element.id.as_deref(),
                &mut self.words,
            );
            self.near
                .extend(self.words.iter().map(|&w| rehash(b'c', w)));
            self.far.extend(self.words.iter().map(|&w| rehash(b'C', w)));
            (start, self.near.len() as u32)
        });
        start as usize..end as usize
    }
}

/// What a sibling group's lines add up to.
#[cfg(feature = "html")]
struct GroupStats {
    lines: u32,
    link_share: f32,
    prose: u32,
    chars: u64,
    first: usize,
    last: usize,
}

/// Appends buckets with equal values of unit length together.
#[cfg(feature = "html")]
fn push_normalized(out: &mut Vec<(u32, f32)>, buckets: impl ExactSizeIterator<Item = u32>) {
    let n = buckets.len();
    if n > 0 {
        let value = 1.0 / (n as f32).sqrt();
        out.extend(buckets.map(|b| (b, value)));
    }
}

#[cfg(feature = "html")]
fn fold(h: u32) -> u32 {
    (h ^ (h >> STRUCTURE_HASH_BITS) ^ (h >> (2 * STRUCTURE_HASH_BITS)))
        & (STRUCTURE_HASH_DIM as u32 - 1)
}

#[cfg(feature = "html")]
fn bucket(namespace: u8, bytes: &[u8]) -> u32 {
    fold(fnv1a(namespace, bytes))
}

/// A word's bucket in another namespace, from the word's own full hash.
#[cfg(feature = "html")]
fn rehash(namespace: u8, word_hash: u32) -> u32 {
    fold(fnv1a(namespace, &word_hash.to_le_bytes()))
}

/// The words of an element's `class` and `id` names, as full hashes: each name is split at
/// `-`, `_`, `.`, `:`, `/`, digits and lower-to-upper case changes and lower-cased; words under
/// 2 letters, and words mixing letters and digits (generated names such as `1dbjc4n`), are left
/// out.
#[cfg(feature = "html")]
fn name_words(class: Option<&str>, id: Option<&str>, out: &mut Vec<u32>) {
    out.clear();
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut Vec<u32>| {
        if word.len() >= 2 && word.len() <= 24 {
            out.push(fnv1a(b'w', word.as_bytes()));
        }
        word.clear();
    };
    for name in class
        .into_iter()
        .chain(id)
        .flat_map(|s| s.split_ascii_whitespace())
    {
        // A name with letters and digits mixed inside one run is generated: skip those runs.
        for part in name.split(['-', '_', '.', ':', '/']) {
            let generated = part.bytes().any(|b| b.is_ascii_digit())
                && part.bytes().any(|b| b.is_ascii_alphabetic())
                && !part
                    .trim_end_matches(|c: char| c.is_ascii_digit())
                    .bytes()
                    .all(|b| b.is_ascii_alphabetic());
            if generated {
                continue;
            }
            let mut prev_lower = false;
            for c in part.chars() {
                // Class names are nearly always ASCII: decided without Unicode tables.
                let (alphabetic, upper, lower) = if c.is_ascii() {
                    let b = c as u8;
                    (
                        b.is_ascii_alphabetic(),
                        b.is_ascii_uppercase(),
                        b.is_ascii_lowercase(),
                    )
                } else {
                    (c.is_alphabetic(), c.is_uppercase(), c.is_lowercase())
                };
                if !alphabetic {
                    flush(&mut word, out);
                    prev_lower = false;
                    continue;
                }
                if upper && prev_lower {
                    flush(&mut word, out);
                }
                prev_lower = lower;
                if c.is_ascii() {
                    word.push(c.to_ascii_lowercase());
                } else {
                    word.extend(c.to_lowercase());
                }
            }
            flush(&mut word, out);
        }
    }
    out.sort_unstable();
    out.dedup();
}

#[cfg(all(test, feature = "html"))]
mod tests {
    use super::*;

    fn words(class: &str) -> Vec<u32> {
        let mut out = Vec::new();
        name_words(Some(class), None, &mut out);
        out
    }

    fn of(list: &[&str]) -> Vec<u32> {
        let mut v: Vec<u32> = list.iter().map(|w| fnv1a(b'w', w.as_bytes())).collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    #[test]
    fn class_names_split_into_words() {
        assert_eq!(
            words("related-news__item--Top"),
            of(&["related", "news", "item", "top"])
        );
        assert_eq!(
            words("articleBody gisa_bonmun"),
            of(&["article", "body", "gisa", "bonmun"])
        );
        assert_eq!(
            words("Article_body__3xYq1 css-1dbjc4n"),
            of(&["article", "body", "css"])
        );
        assert_eq!(words("col-md-8 h2 list2"), of(&["col", "md", "list"]));
    }

    fn rows_of(html: &str) -> (HtmlPage, StructureRows) {
        let page = HtmlPage::parse(html);
        let prose: Vec<bool> = page.lines.iter().map(|l| l.chars > 60).collect();
        let rows = structure_rows(&page, &prose);
        (page, rows)
    }

    #[test]
    fn lists_links_and_the_main_container() {
        let para =
            "The city will add three late-night bus routes next year, officials said on Monday.";
        let html = format!(
            "<!doctype html><body><nav><ul><li><a href=/>Home</a><li><a href=/w>World</a></ul></nav>\
             <div class=story><h1>Night buses</h1><p>{para}</p><p>{para}</p><p>{para}</p></div>\
             <aside class=related-news><ul><li><a href=1>One</a></li><li><a href=2>Two</a></li><li><a href=3>Three</a></li></ul></aside>\
             <footer><p>© Example</p></footer>"
        );
        let (page, rows) = rows_of(&html);
        let texts = page.texts();
        let at = |text: &str| texts.iter().position(|t| *t == text).unwrap();
        let get = |i: usize, f: StructureFeature| rows.dense_row(i)[f as usize];
        use StructureFeature as F;
        assert_eq!(get(at("Home"), F::InNav), 1.0);
        assert_eq!(get(at("Home"), F::AllLink), 1.0);
        assert_eq!(get(at("Home"), F::BeforeContainer), 1.0);
        assert_eq!(get(at("Night buses"), F::InContainer), 1.0);
        assert_eq!(get(at("Night buses"), F::InH1), 1.0);
        assert_eq!(get(at(para), F::InContainer), 1.0);
        assert_eq!(get(at(para), F::BlockP), 1.0);
        assert_eq!(get(at(para), F::LinkShare), 0.0);
        assert_eq!(get(at("Two"), F::InAside), 1.0);
        assert_eq!(get(at("Two"), F::AfterContainer), 1.0);
        assert_eq!(get(at("Two"), F::GroupSize), (4.0f32).ln() / 3.0);
        assert_eq!(get(at("One"), F::GroupFirst), 1.0);
        assert_eq!(get(at("Three"), F::GroupLast), 1.0);
        assert_eq!(get(at("© Example"), F::InFooter), 1.0);
        // The three related items are one group; the nav items another.
        assert_eq!(rows.groups[at("One")], rows.groups[at("Three")]);
        assert_ne!(rows.groups[at("One")], rows.groups[at("Home")]);
        assert!(rows.dense.iter().all(|v| v.is_finite()));
        // Class words near the related items differ from the nav items' (none there).
        assert_ne!(rows.hashed_row(at("One")), rows.hashed_row(at("Home")));
    }

    #[test]
    fn group_context_averages_the_other_lines_of_the_group() {
        let (page, rows) = rows_of("<ul><li>a<li>b<li>c</ul><p>alone</p>");
        assert_eq!(page.lines.len(), 4);
        let probs = [
            [1.0, 0.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 1.0],
        ];
        let context = rows.group_context(&probs);
        assert_eq!(&context[..5], &[0.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(
            &context[GROUP_CONTEXT_DIM..GROUP_CONTEXT_DIM + 5],
            &[0.5, 0.5, 0.0, 0.0, 0.0]
        );
    }

    #[test]
    fn pages_without_prose_or_lines() {
        let (_, rows) = rows_of("<p>Menu</p><p>Login</p>");
        assert_eq!(
            rows.dense_row(0)[StructureFeature::NoContainer as usize],
            1.0
        );
        let (_, rows) = rows_of("");
        assert!(rows.dense.is_empty());
    }
}
