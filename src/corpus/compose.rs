//! The corpus composer: labeled training pages from site layouts × articles, seeded.
//!
//! Layouts (`training/layouts/*.toml`) say what chrome, bylines, copyright lines and related
//! lists a site puts around its articles; articles (`training/articles/<lang>/*.txt`) are the
//! editorial text. Every page line's class follows from where it came from, so composed pages
//! are labeled by construction. See `training/FORMATS.md` for both formats.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use crate::class::Class;
use crate::corpus::labeled::LabeledLine;
use crate::error::{Error, Result};
use crate::language::{is_hangul_syllable, PageLanguage};

/// One related-articles block of a layout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelatedBlock {
    /// The block's heading (class related); empty for none.
    #[serde(default)]
    pub heading: String,
    /// Template of one item; `{headline}` is another article's headline.
    pub item: String,
    /// Chrome line after each item (dates, ranks, counters); empty for none.
    #[serde(default)]
    pub meta: String,
    /// Minimum and maximum number of items.
    #[serde(default = "default_count")]
    pub count: [usize; 2],
    /// Optional line after each item with the other article's opening words (`{teaser}`),
    /// class related.
    #[serde(default)]
    pub teaser: String,
    /// Optional line after each item naming the other article's author (`{author}`), class
    /// related.
    #[serde(default)]
    pub author: String,
    /// Where the block stands: `end` (after the article, the default), `top` (before the
    /// headline), `inline` (single items between paragraphs; also any block without heading).
    #[serde(default)]
    pub position: String,
}

impl RelatedBlock {
    fn position(&self) -> &str {
        match self.position.as_str() {
            "" if self.heading.is_empty() => "inline",
            "" => "end",
            p => p,
        }
    }
}

fn default_count() -> [usize; 2] {
    [3, 6]
}

/// A site layout: the chrome around an article.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layout {
    /// Name, same as the file name.
    pub name: String,
    /// What site this is.
    #[serde(default)]
    pub description: String,
    /// portal, publisher, english-edition or international.
    pub kind: String,
    /// Language of the site's menus.
    pub chrome_lang: String,
    /// Languages of the articles it carries.
    pub article_langs: Vec<String>,
    /// Names for `{publisher}`.
    #[serde(default)]
    pub publishers: Vec<String>,
    /// Domains for `{email}`.
    #[serde(default)]
    pub email_domains: Vec<String>,
    /// Chrome before the headline.
    #[serde(default)]
    pub top: Vec<String>,
    /// Chrome right after the headline.
    #[serde(default)]
    pub after_headline: Vec<String>,
    /// Chrome that may interrupt the story.
    #[serde(default)]
    pub in_article: Vec<String>,
    /// Chrome after the story.
    #[serde(default)]
    pub after_article: Vec<String>,
    /// Chrome at the page's foot.
    #[serde(default)]
    pub bottom: Vec<String>,
    /// Byline templates.
    #[serde(default)]
    pub byline: Vec<String>,
    /// Where the byline may stand: top, bottom, none.
    #[serde(default)]
    pub byline_at: Vec<String>,
    /// Photo credit templates (class byline).
    #[serde(default)]
    pub photo_credit: Vec<String>,
    /// Copyright notices of the article.
    #[serde(default)]
    pub copyright: Vec<String>,
    /// Copyright notices of the site's footer.
    #[serde(default)]
    pub footer_copyright: Vec<String>,
    /// Related-article blocks.
    #[serde(default)]
    pub related: Vec<RelatedBlock>,
    /// Author biography lines after the story (class byline).
    #[serde(default)]
    pub author_bio: Vec<String>,
    /// Photo-viewer controls that stand next to pictures (class chrome); when empty, a few
    /// generic ones in the site's language are used.
    #[serde(default)]
    pub photo_controls: Vec<String>,
    /// A machine-made summary box above the story, shown on most of the site's pages.
    #[serde(default)]
    pub summary: Option<SummaryBox>,
}

/// A box of machine-made summary sentences above the story (class chrome, as LABELING.md's
/// rule 12 says): they repeat the article's own sentences, so only their place and their heading
/// tell them from the story.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummaryBox {
    /// Heading templates; one is picked.
    pub heading: Vec<String>,
    /// Disclaimer templates after the sentences; one is picked, or none when empty.
    #[serde(default)]
    pub disclaimer: Vec<String>,
    /// Marker before each sentence (`• `, `- `), or empty.
    #[serde(default)]
    pub marker: String,
}

/// The first sentence of a paragraph (the whole paragraph when it has one).
fn first_sentence(paragraph: &str) -> String {
    let cut = ["다. ", ". ", "? ", "! "]
        .iter()
        .filter_map(|end| paragraph.find(end).map(|at| at + end.len() - 1))
        .min();
    match cut {
        Some(at) => paragraph[..at].to_string(),
        None => paragraph.to_string(),
    }
}

/// Photo-viewer controls for layouts that name none.
fn default_photo_controls(chrome_lang: &str) -> &'static [&'static str] {
    match chrome_lang {
        "kor" => &[
            "확대보기",
            "크게 보기",
            "사진 크게보기",
            "이미지 확대",
            "원본 이미지 보기",
            "사진 넘기기",
            "사진 닫기",
            "이미지 닫기",
            "갤러리 보기",
        ],
        _ => &[
            "Enlarge",
            "Expand image",
            "View gallery",
            "Open image",
            "Zoom in",
            "Close image",
            "View full size",
            "Show caption",
        ],
    }
}

/// One line of an article's story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoryLine {
    /// A paragraph.
    Paragraph(String),
    /// An in-article sub-heading.
    Subheading(String),
    /// A photo caption.
    Caption(String),
    /// An item of a list that is part of the story.
    ListItem(String),
}

/// An article written for the corpus.
#[derive(Debug, Clone)]
pub struct Article {
    /// File the article was read from.
    pub path: PathBuf,
    /// Language folder: `kor` or `eng`.
    pub lang: String,
    /// Headline.
    pub headline: String,
    /// Sub-headline.
    pub deck: Option<String>,
    /// Section.
    pub section: String,
    /// Author as printed in the article's language.
    pub author: String,
    /// Romanized author.
    pub author_en: String,
    /// Local part of the author's e-mail.
    pub email: String,
    /// The story.
    pub story: Vec<StoryLine>,
}

/// Parses an article file's text.
pub fn parse_article(text: &str, path: &Path, lang: &str) -> Result<Article> {
    let err = |message: String| Error::Corpus {
        path: path.display().to_string(),
        message,
    };
    let (header, story) = text
        .split_once("\n---\n")
        .ok_or_else(|| err("no `---` line between header and story".into()))?;
    let mut fields = BTreeMap::new();
    for (i, line) in header.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let (k, v) = line
            .split_once(':')
            .ok_or_else(|| err(format!("header line {}: expected `key: value`", i + 1)))?;
        fields.insert(k.trim().to_string(), v.trim().to_string());
    }
    let headline = fields
        .get("headline")
        .cloned()
        .ok_or_else(|| err("header has no headline".into()))?;
    let get = |k: &str| fields.get(k).cloned().unwrap_or_default();
    let story: Vec<StoryLine> = story
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(|l| {
            if let Some(s) = l.strip_prefix("## ") {
                StoryLine::Subheading(s.trim().to_string())
            } else if let Some(s) = l.strip_prefix("> ") {
                StoryLine::Caption(s.trim().to_string())
            } else if let Some(s) = l.strip_prefix("* ") {
                StoryLine::ListItem(s.trim().to_string())
            } else {
                StoryLine::Paragraph(l.to_string())
            }
        })
        .collect();
    if story.is_empty() {
        return Err(err("the story is empty".into()));
    }
    Ok(Article {
        path: path.to_path_buf(),
        lang: lang.to_string(),
        deck: fields.get("deck").cloned().filter(|d| !d.is_empty()),
        headline,
        section: get("section"),
        author: get("author"),
        author_en: get("author_en"),
        email: get("email"),
        story,
    })
}

/// Reads every layout in a folder, sorted by file name.
pub fn read_layouts(dir: &Path) -> Result<Vec<Layout>> {
    let mut layouts = Vec::new();
    for path in sorted_files(dir, "toml")? {
        let text =
            fs::read_to_string(&path).map_err(|e| Error::io(path.display().to_string(), e))?;
        let layout: Layout = toml::from_str(&text).map_err(|e| Error::Corpus {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        layouts.push(layout);
    }
    Ok(layouts)
}

/// Reads every article under `dir/<lang>/`, sorted by path.
pub fn read_articles(dir: &Path) -> Result<Vec<Article>> {
    let mut articles = Vec::new();
    let mut langs: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| Error::io(dir.display().to_string(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    langs.sort();
    for lang_dir in langs {
        let lang = lang_dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        for path in sorted_files(&lang_dir, "txt")? {
            let text =
                fs::read_to_string(&path).map_err(|e| Error::io(path.display().to_string(), e))?;
            articles.push(parse_article(&text.replace("\r\n", "\n"), &path, &lang)?);
        }
    }
    Ok(articles)
}

fn sorted_files(dir: &Path, ext: &str) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .map_err(|e| Error::io(dir.display().to_string(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    Ok(files)
}

/// How pages vary; probabilities are per page or per line as named.
#[derive(Debug, Clone)]
pub struct ComposeParams {
    /// Pages composed per layout.
    pub pages_per_layout: usize,
    /// Seed of the random choices.
    pub seed: u64,
    /// Chance that a chrome template line is dropped from a page.
    pub drop_chrome: f64,
    /// Chance of a page cut off after the article (no footer).
    pub truncate: f64,
    /// Chance of an ad or widget line between two paragraphs.
    pub ad_between_paragraphs: f64,
    /// Chance that the page's own headline reappears in a related block (still body).
    pub headline_in_related: f64,
    /// Chance that the last paragraph ends with an inline credit (still body).
    pub inline_credit: f64,
    /// Chance of a page that starts at the headline, without the site's header.
    pub no_header: f64,
    /// Chance of a page that is only the article (headline, story, maybe a copyright line).
    pub bare: f64,
    /// Chance that a layout with a summary box shows it on a page.
    pub summary_box: f64,
    /// Chance of a news brief: a story of one or two paragraphs.
    pub brief: f64,
}

impl Default for ComposeParams {
    fn default() -> Self {
        ComposeParams {
            pages_per_layout: 5,
            seed: 7,
            drop_chrome: 0.2,
            truncate: 0.12,
            ad_between_paragraphs: 0.1,
            headline_in_related: 0.12,
            inline_credit: 0.2,
            no_header: 0.15,
            bare: 0.06,
            summary_box: 0.35,
            brief: 0.08,
        }
    }
}

/// A composed page: the layout it came from, the article, and its labeled lines.
#[derive(Debug, Clone)]
pub struct ComposedPage {
    /// Layout name.
    pub layout: String,
    /// Article file stem.
    pub article: String,
    /// Labeled lines.
    pub lines: Vec<LabeledLine>,
}

/// Composes `params.pages_per_layout` pages for every layout.
pub fn compose(
    layouts: &[Layout],
    articles: &[Article],
    params: &ComposeParams,
) -> Result<Vec<ComposedPage>> {
    let mut rng = ChaCha8Rng::seed_from_u64(params.seed);
    let mut pages = Vec::new();
    for layout in layouts {
        let eligible: Vec<&Article> = articles
            .iter()
            .filter(|a| layout.article_langs.contains(&a.lang))
            .collect();
        if eligible.is_empty() {
            return Err(Error::Corpus {
                path: layout.name.clone(),
                message: format!("no articles in {:?}", layout.article_langs),
            });
        }
        // Sites that carry articles in several languages get pages for each.
        let pages_here = params.pages_per_layout * layout.article_langs.len();
        for _ in 0..pages_here {
            let article = *eligible.choose(&mut rng).expect("not empty");
            let others: Vec<&Article> = eligible
                .iter()
                .copied()
                .filter(|a| a.lang == article.lang && a.path != article.path)
                .collect();
            let mut composer = PageComposer::new(layout, article, &others, params, &mut rng);
            let lines = composer.compose();
            pages.push(ComposedPage {
                layout: layout.name.clone(),
                article: article
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                lines,
            });
        }
    }
    Ok(pages)
}

/// The opening words of an article, as related boxes show them.
fn teaser(article: &Article) -> String {
    let first = article
        .story
        .iter()
        .find_map(|l| match l {
            StoryLine::Paragraph(p) => Some(p.as_str()),
            _ => None,
        })
        .unwrap_or("");
    let limit = if article.lang == "kor" { 60 } else { 140 };
    if first.chars().count() <= limit {
        return first.to_string();
    }
    let cut: String = first.chars().take(limit).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}...")
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const WEEKDAYS_KOR: [&str; 7] = ["월", "화", "수", "목", "금", "토", "일"];

struct PageComposer<'a, R: Rng> {
    layout: &'a Layout,
    article: &'a Article,
    others: Vec<&'a Article>,
    params: &'a ComposeParams,
    rng: &'a mut R,
    publisher: String,
    domain: String,
    out: Vec<(Class, String)>,
    /// A news brief: the story stops after this many paragraphs.
    paragraph_limit: Option<usize>,
}

impl<'a, R: Rng> PageComposer<'a, R> {
    fn new(
        layout: &'a Layout,
        article: &'a Article,
        others: &[&'a Article],
        params: &'a ComposeParams,
        rng: &'a mut R,
    ) -> Self {
        let publisher = layout
            .publishers
            .choose(rng)
            .cloned()
            .unwrap_or_else(|| layout.name.clone());
        let domain = layout
            .email_domains
            .choose(rng)
            .cloned()
            .unwrap_or_else(|| "example.com".to_string());
        let mut others = others.to_vec();
        others.shuffle(rng);
        // Related boxes favour the same section: their headlines share the story's words,
        // as on real sites. `pop` takes from the end, so those go last.
        if rng.gen_bool(0.6) {
            others.sort_by_key(|a| a.section == article.section);
        }
        PageComposer {
            layout,
            article,
            others,
            params,
            rng,
            publisher,
            domain,
            out: Vec::new(),
            paragraph_limit: None,
        }
    }

    /// Byline templates that suit the article's language: romanized names for English
    /// articles, Korean ones for Korean articles.
    fn bylines_for_article(&self) -> Vec<String> {
        let english = self.article.lang != "kor";
        let suits = |t: &&String| {
            let romanized = t.contains("_en}") || t.contains("_EN}");
            let hangul = t.chars().any(is_hangul_syllable);
            if english {
                !hangul || romanized
            } else {
                !romanized
            }
        };
        let fitting: Vec<String> = self.layout.byline.iter().filter(suits).cloned().collect();
        if fitting.is_empty() {
            self.layout.byline.clone()
        } else {
            fitting
        }
    }

    fn fill(&mut self, template: &str, other: Option<&Article>, rank: usize) -> String {
        let a = self.article;
        let year = 2015 + self.rng.gen_range(0..11);
        let month = self.rng.gen_range(1..=12usize);
        let day = self.rng.gen_range(1..=28usize);
        let hour = self.rng.gen_range(0..24usize);
        let minute = self.rng.gen_range(0..60usize);
        let second = self.rng.gen_range(0..60usize);
        let weekday = self.rng.gen_range(0..7usize);
        let n = if self.rng.gen_bool(0.3) {
            self.rng.gen_range(0..10)
        } else {
            self.rng.gen_range(0..1000)
        };
        let h12 = if hour % 12 == 0 { 12 } else { hour % 12 };
        let email = format!("{}@{}", a.email, self.domain);
        let reporter_en = if a.author_en.is_empty() {
            a.author.clone()
        } else {
            a.author_en.clone()
        };
        let mut s = template.to_string();
        let other = other.unwrap_or(a);
        let pairs: [(&str, String); 29] = [
            ("{headline}", other.headline.clone()),
            ("{teaser}", teaser(other)),
            ("{author}", other.author.clone()),
            ("{publisher}", self.publisher.clone()),
            ("{reporter}", a.author.clone()),
            ("{REPORTER}", a.author.to_uppercase()),
            ("{reporter_en}", reporter_en.clone()),
            ("{REPORTER_EN}", reporter_en.to_uppercase()),
            ("{email}", email),
            ("{section}", a.section.clone()),
            ("{yyyy}", year.to_string()),
            ("{yy}", format!("{:02}", year % 100)),
            ("{mm}", format!("{month:02}")),
            ("{m}", month.to_string()),
            ("{dd}", format!("{day:02}")),
            ("{d}", day.to_string()),
            ("{HH}", format!("{hour:02}")),
            ("{h12}", h12.to_string()),
            ("{MM}", format!("{minute:02}")),
            ("{SS}", format!("{second:02}")),
            ("{ampm}", if hour < 12 { "AM" } else { "PM" }.to_string()),
            (
                "{ampm_kor}",
                if hour < 12 { "오전" } else { "오후" }.to_string(),
            ),
            ("{month}", MONTHS[month - 1].to_string()),
            ("{mon}", MONTHS[month - 1][..3].to_string()),
            ("{weekday}", WEEKDAYS[weekday].to_string()),
            ("{weekday_kor}", WEEKDAYS_KOR[weekday].to_string()),
            ("{n}", n.to_string()),
            ("{rank}", rank.to_string()),
            ("{nothing}", String::new()),
        ];
        for (k, v) in pairs.iter() {
            if s.contains(k) {
                s = s.replace(k, v);
            }
        }
        s
    }

    fn push(&mut self, class: Class, text: String) {
        // A page line never holds a tab or a line break; the labeled format relies on it.
        let text = text.replace(['\t', '\n', '\r'], " ");
        if !text.trim().is_empty() {
            self.out.push((class, text));
        }
    }

    fn chrome_block(&mut self, templates: &[String]) {
        for t in templates {
            if self.rng.gen_bool(1.0 - self.params.drop_chrome) {
                let line = self.fill(t, None, 0);
                self.push(Class::Chrome, line);
            }
        }
    }

    fn one_of(&mut self, templates: &[String], class: Class) {
        if let Some(t) = templates.choose(self.rng).cloned() {
            let line = self.fill(&t, None, 0);
            self.push(class, line);
        }
    }

    fn related_block(&mut self, block: &RelatedBlock, own_headline: bool) {
        if !block.heading.is_empty() {
            let h = self.fill(&block.heading, None, 0);
            self.push(Class::Related, h);
        }
        let lo = block.count[0].min(block.count[1]).max(1);
        let hi = block.count[1].max(lo);
        let count = self.rng.gen_range(lo..=hi);
        let own_at = if own_headline {
            Some(self.rng.gen_range(0..count))
        } else {
            None
        };
        for k in 0..count {
            if own_at == Some(k) {
                // Rule 3: the page's own headline is body wherever it stands.
                let own = self.article.headline.clone();
                self.push(Class::Body, own);
            } else {
                let Some(other) = self.others.pop() else {
                    break;
                };
                let line = self.fill(&block.item, Some(other), k + 1);
                self.push(Class::Related, line);
                for template in [&block.teaser, &block.author] {
                    if !template.is_empty() && self.rng.gen_bool(0.85) {
                        let extra = self.fill(template, Some(other), k + 1);
                        self.push(Class::Related, extra);
                    }
                }
            }
            if !block.meta.is_empty() {
                let meta = self.fill(&block.meta, None, k + 1);
                self.push(Class::Chrome, meta);
            }
        }
    }

    fn story(&mut self, inline_related: Option<&RelatedBlock>, ad_chance: f64) {
        let story = self.article.story.clone();
        let last_paragraph = story
            .iter()
            .rposition(|l| matches!(l, StoryLine::Paragraph(_)));
        let list_marker = ["", "", "- ", "• ", "· ", "▲ "]
            .choose(self.rng)
            .copied()
            .unwrap_or("");
        let mut paragraphs = 0;
        for (i, line) in story.iter().enumerate() {
            if self
                .paragraph_limit
                .is_some_and(|limit| paragraphs >= limit)
            {
                break;
            }
            match line {
                StoryLine::Paragraph(p) => {
                    paragraphs += 1;
                    let mut text = p.clone();
                    if Some(i) == last_paragraph && self.rng.gen_bool(self.params.inline_credit) {
                        text = if self.article.lang == "kor" {
                            format!("{text} /{} 기자", self.article.author)
                        } else {
                            format!("{text} /{}", self.publisher)
                        };
                    }
                    self.push(Class::Body, text);
                    if i + 1 < story.len() {
                        if self.rng.gen_bool(ad_chance) && !self.layout.in_article.is_empty() {
                            let ads = self.layout.in_article.clone();
                            self.one_of(&ads, Class::Chrome);
                        } else if let Some(block) = inline_related {
                            if self.rng.gen_bool(0.08) {
                                if let Some(a) = self.others.pop() {
                                    let l = self.fill(&block.item, Some(a), 1);
                                    self.push(Class::Related, l);
                                }
                            }
                        }
                    }
                }
                StoryLine::Subheading(s) => self.push(Class::Body, s.clone()),
                StoryLine::ListItem(s) => self.push(Class::Body, format!("{list_marker}{s}")),
                StoryLine::Caption(c) => {
                    if self.rng.gen_bool(0.5) {
                        let controls: Vec<String> = if self.layout.photo_controls.is_empty() {
                            default_photo_controls(&self.layout.chrome_lang)
                                .iter()
                                .map(|c| c.to_string())
                                .collect()
                        } else {
                            self.layout.photo_controls.clone()
                        };
                        self.one_of(&controls, Class::Chrome);
                    }
                    self.push(Class::Body, c.clone());
                    if self.rng.gen_bool(0.6) {
                        let credits = self.layout.photo_credit.clone();
                        self.one_of(&credits, Class::Byline);
                    }
                }
            }
        }
    }

    fn summary_box(&mut self, summary: &SummaryBox) {
        self.one_of(&summary.heading, Class::Chrome);
        let sentences: Vec<String> = self
            .article
            .story
            .iter()
            .filter_map(|l| match l {
                StoryLine::Paragraph(p) => Some(first_sentence(p)),
                _ => None,
            })
            .take(3)
            .collect();
        for sentence in sentences {
            self.push(Class::Chrome, format!("{}{sentence}", summary.marker));
        }
        if !summary.disclaimer.is_empty() {
            self.one_of(&summary.disclaimer, Class::Chrome);
        }
    }

    fn compose(&mut self) -> Vec<LabeledLine> {
        if self.rng.gen_bool(self.params.brief) {
            self.paragraph_limit = Some(self.rng.gen_range(1..=2));
        }
        if self.rng.gen_bool(self.params.bare) {
            // What another extractor hands over is often a brief.
            if self.rng.gen_bool(0.4) {
                self.paragraph_limit = Some(1);
            }
            return self.compose_bare();
        }
        let layout = self.layout;
        let byline_at = layout
            .byline_at
            .choose(self.rng)
            .cloned()
            .unwrap_or_else(|| "top".to_string());
        let inline_related = layout
            .related
            .iter()
            .find(|b| b.position() == "inline")
            .cloned();
        let listed: Vec<RelatedBlock> = layout
            .related
            .iter()
            .filter(|b| b.position() == "end")
            .cloned()
            .collect();

        // Many scrapes start at the headline: the site's header is not always captured.
        if !self.rng.gen_bool(self.params.no_header) {
            self.chrome_block(&layout.top);
            for block in layout.related.iter().filter(|b| b.position() == "top") {
                self.related_block(block, false);
            }
        }
        let headline = self.article.headline.clone();
        self.push(Class::Body, headline);
        if let Some(deck) = self.article.deck.clone() {
            if self.rng.gen_bool(0.3) {
                // Sites often break a deck into several short lines.
                for part in deck.split(['…', '·']).filter(|p| !p.trim().is_empty()) {
                    self.push(Class::Body, part.trim().to_string());
                }
            } else if self.rng.gen_bool(0.85) {
                self.push(Class::Body, deck);
            }
        }
        let byline_first = self.rng.gen_bool(0.5);
        let bylines = self.bylines_for_article();
        if byline_at == "top" && byline_first {
            self.one_of(&bylines, Class::Byline);
        }
        self.chrome_block(&layout.after_headline);
        if let Some(summary) = &layout.summary {
            if self.rng.gen_bool(self.params.summary_box) {
                self.summary_box(summary);
            }
        }
        if byline_at == "top" && !byline_first {
            self.one_of(&bylines, Class::Byline);
        }
        self.story(inline_related.as_ref(), self.params.ad_between_paragraphs);
        if byline_at == "bottom" {
            self.one_of(&bylines, Class::Byline);
        }
        if !layout.author_bio.is_empty() && self.rng.gen_bool(0.7) {
            for t in &layout.author_bio {
                let line = self.fill(t, None, 0);
                self.push(Class::Byline, line);
            }
        }
        let related_early = self.rng.gen_bool(0.3);
        let mut own_headline_used = false;
        let mut related = |this: &mut Self| {
            for block in &listed {
                let own = !own_headline_used && this.rng.gen_bool(this.params.headline_in_related);
                own_headline_used |= own;
                this.related_block(block, own);
            }
        };
        if related_early {
            related(self);
        }
        if self.rng.gen_bool(0.9) {
            self.one_of(&layout.copyright, Class::Copyright);
        }
        self.chrome_block(&layout.after_article);
        if !related_early {
            related(self);
        }
        if !self.rng.gen_bool(self.params.truncate) {
            self.chrome_block(&layout.bottom);
            self.one_of(&layout.footer_copyright, Class::Copyright);
        }
        self.labeled_lines()
    }

    /// A page that is (nearly) only the article: what users pass after another extractor, or
    /// when a scraper caught the article element alone.
    fn compose_bare(&mut self) -> Vec<LabeledLine> {
        let headline = self.article.headline.clone();
        self.push(Class::Body, headline);
        self.story(None, 0.0);
        if self.rng.gen_bool(0.5) {
            let copyright = self.layout.copyright.clone();
            self.one_of(&copyright, Class::Copyright);
        }
        self.labeled_lines()
    }

    fn labeled_lines(&self) -> Vec<LabeledLine> {
        let texts: Vec<&str> = self.out.iter().map(|(_, t)| t.as_str()).collect();
        let page_lang = PageLanguage::estimate(&texts);
        self.out
            .iter()
            .map(|(class, text)| LabeledLine {
                class: *class,
                lang: page_lang.line_language(text).to_string(),
                text: text.clone(),
            })
            .collect()
    }
}

/// Writes composed pages as `dir/<layout>/<nn>-<article>.tsv`, replacing what was there.
pub fn write_pages(pages: &[ComposedPage], dir: &Path) -> Result<()> {
    if dir.exists() {
        fs::remove_dir_all(dir).map_err(|e| Error::io(dir.display().to_string(), e))?;
    }
    let mut counters: BTreeMap<&str, usize> = BTreeMap::new();
    for page in pages {
        let n = counters.entry(&page.layout).or_default();
        *n += 1;
        let folder = dir.join(&page.layout);
        fs::create_dir_all(&folder).map_err(|e| Error::io(folder.display().to_string(), e))?;
        let path = folder.join(format!("{:02}-{}.tsv", n, page.article));
        let mut text = String::new();
        for l in &page.lines {
            text.push_str(&format!("{}\t{}\t{}\n", l.class, l.lang, l.text));
        }
        fs::write(&path, text).map_err(|e| Error::io(path.display().to_string(), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        toml::from_str(
            r#"
name = "test-site"
kind = "publisher"
chrome_lang = "kor"
article_langs = ["kor"]
publishers = ["테스트일보"]
email_domains = ["test.co.kr"]
top = ["뉴스", "로그인"]
after_headline = ["입력 {yyyy}.{mm}.{dd} {HH}:{MM}"]
byline = ["{reporter} 기자 {email}"]
byline_at = ["bottom"]
copyright = ["ⓒ {publisher} 무단전재 및 재배포 금지"]
bottom = ["회사소개"]
[[related]]
heading = "관련기사"
item = "▶ {headline}"
count = [2, 2]
"#,
        )
        .unwrap()
    }

    fn article(name: &str, headline: &str) -> Article {
        parse_article(
            &format!(
                "headline: {headline}\nauthor: 김민지\nauthor_en: Kim Min-ji\nemail: mjkim\n---\n첫 문단이다.\n> 사진 설명이다.\n둘째 문단이다.\n"
            ),
            Path::new(name),
            "kor",
        )
        .unwrap()
    }

    #[test]
    fn composes_labeled_pages_deterministically() {
        let articles = vec![
            article("a.txt", "첫 기사"),
            article("b.txt", "둘째 기사"),
            article("c.txt", "셋째 기사"),
        ];
        let params = ComposeParams {
            pages_per_layout: 3,
            drop_chrome: 0.0,
            truncate: 0.0,
            headline_in_related: 0.0,
            no_header: 0.0,
            bare: 0.0,
            ..ComposeParams::default()
        };
        let a = compose(&[layout()], &articles, &params).unwrap();
        let b = compose(&[layout()], &articles, &params).unwrap();
        assert_eq!(a.len(), 3);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.lines, y.lines);
        }
        // Every kind of line shows up on some page, with the class its block gives it.
        let class_of = |prefix: &str| {
            a.iter()
                .flat_map(|p| &p.lines)
                .find(|l| l.text.starts_with(prefix))
                .map(|l| l.class)
        };
        assert_eq!(class_of("뉴스"), Some(Class::Chrome));
        assert_eq!(class_of("입력 "), Some(Class::Chrome));
        assert_eq!(class_of("첫 문단"), Some(Class::Body));
        assert_eq!(
            class_of("김민지 기자 mjkim@test.co.kr"),
            Some(Class::Byline)
        );
        assert_eq!(class_of("ⓒ 테스트일보"), Some(Class::Copyright));
        assert_eq!(class_of("관련기사"), Some(Class::Related));
        assert_eq!(class_of("▶ "), Some(Class::Related));
        assert!(a
            .iter()
            .flat_map(|p| &p.lines)
            .all(|l| !l.text.contains('{')));
    }

    #[test]
    fn summary_boxes_repeat_the_story_as_chrome_and_briefs_stop_early() {
        let mut with_summary = layout();
        with_summary.summary = Some(SummaryBox {
            heading: vec!["AI 요약".into()],
            disclaimer: vec!["AI가 요약한 내용입니다.".into()],
            marker: "• ".into(),
        });
        let articles = vec![article("a.txt", "첫 기사"), article("b.txt", "둘째 기사")];
        let params = ComposeParams {
            pages_per_layout: 2,
            summary_box: 1.0,
            bare: 0.0,
            brief: 0.0,
            ..ComposeParams::default()
        };
        let pages = compose(&[with_summary], &articles, &params).unwrap();
        for page in &pages {
            let at = |text: &str| page.lines.iter().position(|l| l.text == text);
            let heading = at("AI 요약").expect("summary heading");
            let summary = &page.lines[heading + 1];
            assert_eq!(summary.text, "• 첫 문단이다.");
            assert_eq!(summary.class, Class::Chrome);
            // The same sentence in the story stays body.
            let story = at("첫 문단이다.").expect("story paragraph");
            assert!(story > heading);
            assert_eq!(page.lines[story].class, Class::Body);
        }
        let briefs = ComposeParams {
            brief: 1.0,
            bare: 0.0,
            ..params
        };
        let long = parse_article(
            "headline: 긴 기사\nauthor: 김민지\n---\n하나 문단이다.\n둘 문단이다.\n셋 문단이다.\n넷 문단이다.\n",
            Path::new("long.txt"),
            "kor",
        )
        .unwrap();
        let articles = vec![long.clone(), long];
        for page in compose(&[layout()], &articles, &briefs).unwrap() {
            let paragraphs = page
                .lines
                .iter()
                .filter(|l| l.text.ends_with("문단이다."))
                .count();
            assert!((1..=2).contains(&paragraphs), "{paragraphs} paragraphs");
        }
        assert_eq!(
            first_sentence("첫 문장이다. 둘째 문장이다."),
            "첫 문장이다."
        );
        assert_eq!(first_sentence("One. Two."), "One.");
        assert_eq!(first_sentence("No end"), "No end");
    }

    #[test]
    fn article_errors_name_the_file() {
        let err = parse_article("headline: x\n", Path::new("x.txt"), "eng").unwrap_err();
        assert!(err.to_string().starts_with("x.txt: no `---`"));
    }
}
