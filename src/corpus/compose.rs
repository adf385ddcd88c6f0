//! The corpus composer: labeled training pages from site layouts × articles, seeded.
//!
//! Layouts (`training/layouts/*.toml`) say what chrome, bylines, copyright lines and related
//! lists a site puts around its articles; articles (`training/articles/<lang>/*.txt`) are the
//! editorial text. Every page line's class follows from where it came from, so composed pages
//! are labeled by construction. See `training/FORMATS.md` for both formats.
//!
//! Gold languages come from the files too, never from chaff's own language step: an article's
//! lines take its folder's language, and a layout string the language written with it (or the
//! layout's `lang`); see [`LayoutString`].

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

use crate::class::Class;
use crate::corpus::labeled::is_lang_code;
use crate::corpus::labeled::LabeledLine;
use crate::error::{Error, Result};
use crate::language::is_hangul_syllable;

/// One string written in a layout file, a template of one page line, with the gold language of
/// its own words.
///
/// In the file it is either a plain string, which takes the layout's `lang`, or an inline table
/// `{ text = "...", lang = "eng" }`. A string with no letters of its own and no placeholder that
/// brings letters (`{yyyy}.{mm}.{dd}`, `|`, an e-mail address) is written `und`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayoutString {
    /// The template.
    pub text: String,
    /// Its language as written, or (after [`parse_layout`]) the layout's default.
    pub lang: Option<String>,
}

impl LayoutString {
    /// A string with its language.
    pub fn new(text: &str, lang: &str) -> Self {
        LayoutString {
            text: text.to_string(),
            lang: Some(lang.to_string()),
        }
    }

    fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn lang(&self) -> &str {
        self.lang.as_deref().unwrap_or("und")
    }
}

impl<'de> Deserialize<'de> for LayoutString {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Annotated {
            text: String,
            lang: String,
        }
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = LayoutString;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a table { text = \"...\", lang = \"...\" }")
            }
            fn visit_str<E: serde::de::Error>(
                self,
                v: &str,
            ) -> std::result::Result<Self::Value, E> {
                Ok(LayoutString {
                    text: v.to_string(),
                    lang: None,
                })
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let a = Annotated::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
                Ok(LayoutString {
                    text: a.text,
                    lang: Some(a.lang),
                })
            }
        }
        d.deserialize_any(Visitor)
    }
}

/// Every placeholder [`PageComposer::fill`] knows, and whether its value brings letters (and
/// their own language) into a line.
const PLACEHOLDERS: [(&str, bool); 29] = [
    ("{headline}", true),
    ("{teaser}", true),
    ("{author}", true),
    ("{publisher}", true),
    ("{reporter}", true),
    ("{REPORTER}", true),
    ("{reporter_en}", true),
    ("{REPORTER_EN}", true),
    ("{email}", false),
    ("{section}", true),
    ("{yyyy}", false),
    ("{yy}", false),
    ("{mm}", false),
    ("{m}", false),
    ("{dd}", false),
    ("{d}", false),
    ("{HH}", false),
    ("{h12}", false),
    ("{MM}", false),
    ("{SS}", false),
    ("{ampm}", true),
    ("{ampm_kor}", true),
    ("{month}", true),
    ("{mon}", true),
    ("{weekday}", true),
    ("{weekday_kor}", true),
    ("{n}", false),
    ("{rank}", false),
    ("{nothing}", false),
];

/// A template's own text: its placeholders taken out.
fn literal(template: &str) -> String {
    let mut s = template.to_string();
    for (p, _) in PLACEHOLDERS {
        s = s.replace(p, " ");
    }
    s
}

/// An e-mail address or URL: its letters do not count (the labeled-format rule).
fn is_address(word: &str) -> bool {
    let b = word.as_bytes();
    if let Some(at) = b.iter().position(|&c| c == b'@') {
        return b[..at].iter().any(u8::is_ascii_alphanumeric) && b[at + 1..].contains(&b'.');
    }
    let w = word.trim_start_matches(['(', '[', '<', '{', '"', '\'']);
    w.starts_with("http://") || w.starts_with("https://") || w.starts_with("www.")
}

fn is_letter(c: char) -> bool {
    // Circled letters (ⓒ) are symbols here.
    c.is_alphabetic() && !('\u{2460}'..='\u{24FF}').contains(&c)
}

fn is_latin(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}')
}

fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// The letters of a text that count for its language (none inside addresses; brackets end a
/// word, so in `김나래(narae.kim@hanmail.net)` the name counts).
fn letters(text: &str) -> impl Iterator<Item = char> + '_ {
    text.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '<' | '>'))
        .filter(|w| !is_address(w))
        .flat_map(str::chars)
        .filter(|&c| is_letter(c))
}

/// Letters per language over the pieces of one line: the labeled-format rule (most letters
/// win, a Hangul syllable is one letter, ties go to the non-Latin language) applied to pieces
/// whose languages are known from the files.
#[derive(Default)]
struct LetterTally(BTreeMap<String, (usize, bool)>);

impl LetterTally {
    /// Adds a piece written in `lang`. In a piece written `kor` or `eng`, Hangul letters count
    /// for `kor` and Latin letters for `eng` (a Korean headline's English words are English);
    /// in a piece written in another language every letter counts for it. `und` pieces count
    /// for nothing.
    fn add(&mut self, text: &str, lang: &str) {
        if lang == "und" {
            return;
        }
        let split = lang == "kor" || lang == "eng";
        for c in letters(text) {
            let l = match () {
                _ if split && is_hangul(c) => "kor",
                _ if split && is_latin(c) => "eng",
                _ => lang,
            };
            let entry = self.0.entry(l.to_string()).or_default();
            entry.0 += 1;
            entry.1 |= !is_latin(c);
        }
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn winner(&self) -> String {
        self.0
            .iter()
            .max_by_key(|(_, &(n, non_latin))| (n, non_latin))
            .map_or_else(|| "und".to_string(), |(l, _)| l.clone())
    }
}

/// One related-articles block of a layout.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelatedBlock {
    /// The block's heading (class related); empty for none.
    #[serde(default)]
    pub heading: LayoutString,
    /// Template of one item; `{headline}` is another article's headline.
    pub item: LayoutString,
    /// Chrome line after each item (dates, ranks, counters); empty for none.
    #[serde(default)]
    pub meta: LayoutString,
    /// Minimum and maximum number of items.
    #[serde(default = "default_count")]
    pub count: [usize; 2],
    /// Optional line after each item with the other article's opening words (`{teaser}`),
    /// class related.
    #[serde(default)]
    pub teaser: LayoutString,
    /// Optional line after each item naming the other article's author (`{author}`), class
    /// related.
    #[serde(default)]
    pub author: LayoutString,
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
    /// Language of the strings written in the file, unless a string says otherwise; also picks
    /// the generic photo controls. Without it every string must carry its own `lang`.
    #[serde(default)]
    pub lang: Option<String>,
    /// Languages of the articles it carries.
    pub article_langs: Vec<String>,
    /// Names for `{publisher}`.
    #[serde(default)]
    pub publishers: Vec<LayoutString>,
    /// Domains for `{email}`.
    #[serde(default)]
    pub email_domains: Vec<String>,
    /// Chrome before the headline.
    #[serde(default)]
    pub top: Vec<LayoutString>,
    /// Chrome right after the headline.
    #[serde(default)]
    pub after_headline: Vec<LayoutString>,
    /// Chrome that may interrupt the story.
    #[serde(default)]
    pub in_article: Vec<LayoutString>,
    /// Chrome after the story.
    #[serde(default)]
    pub after_article: Vec<LayoutString>,
    /// Chrome at the page's foot.
    #[serde(default)]
    pub bottom: Vec<LayoutString>,
    /// Byline templates.
    #[serde(default)]
    pub byline: Vec<LayoutString>,
    /// Where the byline may stand: top, bottom, none.
    #[serde(default)]
    pub byline_at: Vec<String>,
    /// Photo credit templates (class byline).
    #[serde(default)]
    pub photo_credit: Vec<LayoutString>,
    /// Copyright notices of the article.
    #[serde(default)]
    pub copyright: Vec<LayoutString>,
    /// Copyright notices of the site's footer.
    #[serde(default)]
    pub footer_copyright: Vec<LayoutString>,
    /// Related-article blocks.
    #[serde(default)]
    pub related: Vec<RelatedBlock>,
    /// Author biography lines after the story (class byline).
    #[serde(default)]
    pub author_bio: Vec<LayoutString>,
    /// Photo-viewer controls that stand next to pictures (class chrome); when empty, a few
    /// generic ones in the site's language are used.
    #[serde(default)]
    pub photo_controls: Vec<LayoutString>,
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
    pub heading: Vec<LayoutString>,
    /// Disclaimer templates after the sentences; one is picked, or none when empty.
    #[serde(default)]
    pub disclaimer: Vec<LayoutString>,
    /// Marker before each sentence (`• `, `- `), or empty; no letters.
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

/// Photo-viewer controls for layouts that name none, in the layout's language.
fn default_photo_controls(lang: Option<&str>) -> Vec<LayoutString> {
    let (texts, lang): (&[&str], &str) = match lang {
        Some("kor") => (
            &[
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
            "kor",
        ),
        _ => (
            &[
                "Enlarge",
                "Expand image",
                "View gallery",
                "Open image",
                "Zoom in",
                "Close image",
                "View full size",
                "Show caption",
            ],
            "eng",
        ),
    };
    texts.iter().map(|t| LayoutString::new(t, lang)).collect()
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

impl Layout {
    /// Every string written in the layout.
    fn strings_mut(&mut self) -> Vec<&mut LayoutString> {
        let mut all: Vec<&mut LayoutString> = Vec::new();
        for list in [
            &mut self.publishers,
            &mut self.top,
            &mut self.after_headline,
            &mut self.in_article,
            &mut self.after_article,
            &mut self.bottom,
            &mut self.byline,
            &mut self.photo_credit,
            &mut self.copyright,
            &mut self.footer_copyright,
            &mut self.author_bio,
            &mut self.photo_controls,
        ] {
            all.extend(list.iter_mut());
        }
        for block in &mut self.related {
            all.extend([
                &mut block.heading,
                &mut block.item,
                &mut block.meta,
                &mut block.teaser,
                &mut block.author,
            ]);
        }
        if let Some(summary) = &mut self.summary {
            all.extend(summary.heading.iter_mut());
            all.extend(summary.disclaimer.iter_mut());
        }
        all
    }
}

/// Parses a layout file's text and gives every string its gold language: the one written with
/// it, else the layout's `lang`. A string without a language, or whose language cannot be right
/// (no letters but a language, `kor` without Hangul, `eng` without Latin letters, `und` on
/// letters taken from the layout), is an error naming `path` and the string.
pub fn parse_layout(text: &str, path: &Path) -> Result<Layout> {
    let err = |message: String| Error::Corpus {
        path: path.display().to_string(),
        message,
    };
    let mut layout: Layout = toml::from_str(text).map_err(|e| err(e.to_string()))?;
    let default = layout.lang.clone();
    if let Some(lang) = &default {
        if !is_lang_code(lang) {
            return Err(err(format!("lang {lang:?} is not an ISO 639-3 code")));
        }
    }
    if let Some(summary) = &layout.summary {
        if letters(&summary.marker).next().is_some() {
            return Err(err(format!(
                "summary marker {:?} has letters; a marker is symbols only",
                summary.marker
            )));
        }
    }
    for s in layout.strings_mut() {
        resolve_language(s, default.as_deref()).map_err(err)?;
    }
    Ok(layout)
}

/// Gives one layout string its language (its own or `default`) and checks it.
fn resolve_language(
    s: &mut LayoutString,
    default: Option<&str>,
) -> std::result::Result<(), String> {
    if s.text.is_empty() {
        return Ok(());
    }
    let own = literal(&s.text);
    let has_letters = letters(&own).next().is_some();
    let brings_letters = PLACEHOLDERS
        .iter()
        .any(|&(p, letters)| letters && s.text.contains(p));
    let fix = format!("write {{ text = {:?}, lang = \"...\" }}", s.text);
    let lang = match (&s.lang, default) {
        (Some(lang), _) => lang.clone(),
        (None, Some(lang)) => lang.to_string(),
        // The placeholders bring the only letters, and their languages.
        (None, None) if !has_letters && brings_letters => "und".to_string(),
        (None, None) => {
            return Err(format!(
                "{:?} has no language and the layout no `lang`: {fix}",
                s.text
            ))
        }
    };
    if !is_lang_code(&lang) {
        return Err(format!(
            "{:?}: lang {lang:?} is not an ISO 639-3 code",
            s.text
        ));
    }
    let wrong = if !has_letters {
        (!brings_letters && lang != "und").then_some("has no letters, so its language is `und`")
    } else if lang == "und" && s.lang.is_none() {
        // Letters without a language (a unit: `{n}h`) are a judgement written on the string.
        Some("has letters, so `und` must be written on it, not taken from the layout")
    } else if lang == "kor" && !own.chars().any(is_hangul) {
        Some("is `kor` but has no Hangul")
    } else if lang == "eng" && !letters(&own).any(is_latin) {
        Some("is `eng` but has no Latin letters")
    } else {
        None
    };
    if let Some(why) = wrong {
        let from = if s.lang.is_none() {
            format!(" (it takes the layout's lang {lang:?})")
        } else {
            String::new()
        };
        return Err(format!("{:?} {why}{from}: {fix}", s.text));
    }
    s.lang = Some(lang);
    Ok(())
}

/// Reads every layout in a folder, sorted by file name.
pub fn read_layouts(dir: &Path) -> Result<Vec<Layout>> {
    let mut layouts = Vec::new();
    for path in sorted_files(dir, "toml")? {
        let text =
            fs::read_to_string(&path).map_err(|e| Error::io(path.display().to_string(), e))?;
        layouts.push(parse_layout(&text, &path)?);
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

/// What a composed line is on its page: where the composer took it from. The HTML renderer
/// ([`crate::corpus::render_html`]) picks each line's markup from it; the class alone does not
/// say whether a chrome line is a menu item, a date under the headline or a footer link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LineRole {
    /// The site's header: menus, logo, search, login (layout `top`).
    TopMenu,
    /// The article's headline.
    Headline,
    /// The deck (sub-headline), or one part of it.
    Deck,
    /// Chrome right after the headline: dates, meta, share and font-size widgets.
    AfterHeadline,
    /// The heading of a machine-made summary box.
    SummaryHeading,
    /// One sentence of a summary box.
    SummaryItem,
    /// A summary box's disclaimer.
    SummaryDisclaimer,
    /// The article's byline.
    Byline,
    /// A line of the author's biography after the story.
    AuthorBio,
    /// A paragraph of the story.
    Paragraph,
    /// A sub-heading in the story.
    Subheading,
    /// An item of a list that is part of the story.
    ListItem,
    /// A photo viewer's control next to a picture.
    PhotoControl,
    /// A photo caption.
    Caption,
    /// A photo credit.
    PhotoCredit,
    /// An ad or widget line between two paragraphs.
    InArticleAd,
    /// A single related headline between two paragraphs.
    InlineRelated,
    /// The heading of a related-articles block.
    RelatedHeading,
    /// A related headline.
    RelatedItem,
    /// A related item's teaser (the other article's opening words).
    RelatedTeaser,
    /// A related item's author.
    RelatedAuthor,
    /// A related item's meta line (date, rank, counter).
    RelatedMeta,
    /// The page's own headline standing in a related list.
    OwnHeadlineInRelated,
    /// The article's copyright notice.
    Copyright,
    /// Chrome after the story: reactions, comments, subscribe boxes.
    AfterArticle,
    /// The site's footer links.
    Bottom,
    /// The site footer's copyright notice.
    FooterCopyright,
}

impl LineRole {
    /// Whether the role belongs to a related-articles block (heading, items and their lines).
    pub fn is_related_block(self) -> bool {
        matches!(
            self,
            LineRole::RelatedHeading
                | LineRole::RelatedItem
                | LineRole::RelatedTeaser
                | LineRole::RelatedAuthor
                | LineRole::RelatedMeta
                | LineRole::OwnHeadlineInRelated
        )
    }
}

/// A composed page: the layout it came from, the article, and its labeled lines.
#[derive(Debug, Clone)]
pub struct ComposedPage {
    /// Layout name.
    pub layout: String,
    /// Article file stem.
    pub article: String,
    /// The page's number among its layout's pages, from 1 (the `NN` of its file name).
    pub number: usize,
    /// The seed the page was composed with ([`ComposeParams::seed`]).
    pub seed: u64,
    /// The site's language: the layout's `lang`, else the first of its article languages.
    pub site_lang: String,
    /// Labeled lines.
    pub lines: Vec<LabeledLine>,
    /// Each line's role, one per line.
    pub roles: Vec<LineRole>,
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
        for number in 1..=pages_here {
            let article = *eligible.choose(&mut rng).expect("not empty");
            let others: Vec<&Article> = eligible
                .iter()
                .copied()
                .filter(|a| a.lang == article.lang && a.path != article.path)
                .collect();
            let mut composer = PageComposer::new(layout, article, &others, params, &mut rng);
            let lines = composer.compose();
            let roles = std::mem::take(&mut composer.roles);
            debug_assert_eq!(lines.len(), roles.len());
            pages.push(ComposedPage {
                layout: layout.name.clone(),
                article: article
                    .path
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                number,
                seed: params.seed,
                site_lang: layout
                    .lang
                    .clone()
                    .or_else(|| layout.article_langs.first().cloned())
                    .unwrap_or_default(),
                lines,
                roles,
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
    publisher: LayoutString,
    domain: String,
    /// Class, text and gold language of every line so far.
    out: Vec<(Class, String, String)>,
    /// The role of every line so far (one per line of `out`).
    roles: Vec<LineRole>,
    /// The role of the lines pushed next.
    role: LineRole,
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
            .unwrap_or_else(|| LayoutString::new(&layout.name, "eng"));
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
            roles: Vec::new(),
            role: LineRole::TopMenu,
            paragraph_limit: None,
        }
    }

    /// Byline templates that suit the article's language: romanized names for English
    /// articles, Korean ones for Korean articles.
    fn bylines_for_article(&self) -> Vec<LayoutString> {
        let english = self.article.lang != "kor";
        let suits = |t: &&LayoutString| {
            let romanized = t.text.contains("_en}") || t.text.contains("_EN}");
            let hangul = t.text.chars().any(is_hangul_syllable);
            if english {
                !hangul || romanized
            } else {
                !romanized
            }
        };
        let fitting: Vec<LayoutString> = self.layout.byline.iter().filter(suits).cloned().collect();
        if fitting.is_empty() {
            self.layout.byline.clone()
        } else {
            fitting
        }
    }

    /// A template filled in, with its gold language: the one written with the template, or,
    /// when placeholders bring letters, the language holding most letters over the template's
    /// own text and the placeholders' values (each in the language its source file gives it).
    fn fill(
        &mut self,
        template: &LayoutString,
        other: Option<&Article>,
        rank: usize,
    ) -> (String, String) {
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
        let mut s = template.text.clone();
        let other = other.unwrap_or(a);
        // The language each value is written in, from its source file.
        let reporter_en_lang = if a.author_en.is_empty() {
            a.lang.as_str()
        } else {
            "eng"
        };
        let publisher_lang = self.publisher.lang();
        let source = |key: &str| -> &str {
            match key {
                "{headline}" | "{teaser}" | "{author}" => other.lang.as_str(),
                "{reporter}" | "{REPORTER}" => a.lang.as_str(),
                "{reporter_en}" | "{REPORTER_EN}" => reporter_en_lang,
                "{publisher}" => publisher_lang,
                "{section}" | "{ampm}" | "{month}" | "{mon}" | "{weekday}" => "eng",
                "{ampm_kor}" | "{weekday_kor}" => "kor",
                _ => "und",
            }
        };
        let pairs: [(&str, String); 29] = [
            ("{headline}", other.headline.clone()),
            ("{teaser}", teaser(other)),
            ("{author}", other.author.clone()),
            ("{publisher}", self.publisher.text.clone()),
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
        let mut tally = LetterTally::default();
        for (k, v) in pairs.iter() {
            let times = template.text.matches(k).count();
            for _ in 0..times {
                tally.add(v, source(k));
            }
        }
        let lang = if tally.is_empty() {
            template.lang().to_string()
        } else {
            tally.add(&literal(&template.text), template.lang());
            tally.winner()
        };
        for (k, v) in pairs.iter() {
            if s.contains(k) {
                s = s.replace(k, v);
            }
        }
        (s, lang)
    }

    /// Adds a line with its gold language.
    fn push(&mut self, class: Class, (text, lang): (String, String)) {
        // A page line never holds a tab or a line break; the labeled format relies on it.
        let text = text.replace(['\t', '\n', '\r'], " ");
        if !text.trim().is_empty() {
            self.out.push((class, text, lang));
            self.roles.push(self.role);
        }
    }

    /// Adds a line of the article's own text, written in the article's language (the rule of
    /// [`LetterTally`] still gives a line without letters `und`, and one with more Hangul than
    /// Latin letters `kor`).
    fn push_article(&mut self, class: Class, text: String) {
        let mut tally = LetterTally::default();
        tally.add(&text, &self.article.lang);
        let lang = tally.winner();
        self.push(class, (text, lang));
    }

    fn chrome_block(&mut self, templates: &[LayoutString]) {
        for t in templates {
            if self.rng.gen_bool(1.0 - self.params.drop_chrome) {
                let line = self.fill(t, None, 0);
                self.push(Class::Chrome, line);
            }
        }
    }

    fn one_of(&mut self, templates: &[LayoutString], class: Class) {
        if let Some(t) = templates.choose(self.rng).cloned() {
            let line = self.fill(&t, None, 0);
            self.push(class, line);
        }
    }

    fn related_block(&mut self, block: &RelatedBlock, own_headline: bool) {
        if !block.heading.is_empty() {
            self.role = LineRole::RelatedHeading;
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
                self.role = LineRole::OwnHeadlineInRelated;
                let own = self.article.headline.clone();
                self.push_article(Class::Body, own);
            } else {
                let Some(other) = self.others.pop() else {
                    break;
                };
                self.role = LineRole::RelatedItem;
                let line = self.fill(&block.item, Some(other), k + 1);
                self.push(Class::Related, line);
                for (template, role) in [
                    (&block.teaser, LineRole::RelatedTeaser),
                    (&block.author, LineRole::RelatedAuthor),
                ] {
                    self.role = role;
                    if !template.is_empty() && self.rng.gen_bool(0.85) {
                        let extra = self.fill(template, Some(other), k + 1);
                        self.push(Class::Related, extra);
                    }
                }
            }
            if !block.meta.is_empty() {
                self.role = LineRole::RelatedMeta;
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
                            format!("{text} /{}", self.publisher.text)
                        };
                    }
                    self.role = LineRole::Paragraph;
                    self.push_article(Class::Body, text);
                    if i + 1 < story.len() {
                        if self.rng.gen_bool(ad_chance) && !self.layout.in_article.is_empty() {
                            self.role = LineRole::InArticleAd;
                            let ads = self.layout.in_article.clone();
                            self.one_of(&ads, Class::Chrome);
                        } else if let Some(block) = inline_related {
                            if self.rng.gen_bool(0.08) {
                                if let Some(a) = self.others.pop() {
                                    self.role = LineRole::InlineRelated;
                                    let l = self.fill(&block.item, Some(a), 1);
                                    self.push(Class::Related, l);
                                }
                            }
                        }
                    }
                }
                StoryLine::Subheading(s) => {
                    self.role = LineRole::Subheading;
                    self.push_article(Class::Body, s.clone())
                }
                StoryLine::ListItem(s) => {
                    self.role = LineRole::ListItem;
                    self.push_article(Class::Body, format!("{list_marker}{s}"))
                }
                StoryLine::Caption(c) => {
                    if self.rng.gen_bool(0.5) {
                        self.role = LineRole::PhotoControl;
                        let controls = if self.layout.photo_controls.is_empty() {
                            default_photo_controls(self.layout.lang.as_deref())
                        } else {
                            self.layout.photo_controls.clone()
                        };
                        self.one_of(&controls, Class::Chrome);
                    }
                    self.role = LineRole::Caption;
                    self.push_article(Class::Body, c.clone());
                    if self.rng.gen_bool(0.6) {
                        self.role = LineRole::PhotoCredit;
                        let credits = self.layout.photo_credit.clone();
                        self.one_of(&credits, Class::Byline);
                    }
                }
            }
        }
    }

    fn summary_box(&mut self, summary: &SummaryBox) {
        self.role = LineRole::SummaryHeading;
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
        self.role = LineRole::SummaryItem;
        for sentence in sentences {
            // The marker has no letters.
            self.push_article(Class::Chrome, format!("{}{sentence}", summary.marker));
        }
        if !summary.disclaimer.is_empty() {
            self.role = LineRole::SummaryDisclaimer;
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
            self.role = LineRole::TopMenu;
            self.chrome_block(&layout.top);
            for block in layout.related.iter().filter(|b| b.position() == "top") {
                self.related_block(block, false);
            }
        }
        let headline = self.article.headline.clone();
        self.role = LineRole::Headline;
        self.push_article(Class::Body, headline);
        self.role = LineRole::Deck;
        if let Some(deck) = self.article.deck.clone() {
            if self.rng.gen_bool(0.3) {
                // Sites often break a deck into several short lines.
                for part in deck.split(['…', '·']).filter(|p| !p.trim().is_empty()) {
                    self.push_article(Class::Body, part.trim().to_string());
                }
            } else if self.rng.gen_bool(0.85) {
                self.push_article(Class::Body, deck);
            }
        }
        let byline_first = self.rng.gen_bool(0.5);
        let bylines = self.bylines_for_article();
        self.role = LineRole::Byline;
        if byline_at == "top" && byline_first {
            self.one_of(&bylines, Class::Byline);
        }
        self.role = LineRole::AfterHeadline;
        self.chrome_block(&layout.after_headline);
        if let Some(summary) = &layout.summary {
            if self.rng.gen_bool(self.params.summary_box) {
                self.summary_box(summary);
            }
        }
        self.role = LineRole::Byline;
        if byline_at == "top" && !byline_first {
            self.one_of(&bylines, Class::Byline);
        }
        self.story(inline_related.as_ref(), self.params.ad_between_paragraphs);
        self.role = LineRole::Byline;
        if byline_at == "bottom" {
            self.one_of(&bylines, Class::Byline);
        }
        if !layout.author_bio.is_empty() && self.rng.gen_bool(0.7) {
            self.role = LineRole::AuthorBio;
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
        self.role = LineRole::Copyright;
        if self.rng.gen_bool(0.9) {
            self.one_of(&layout.copyright, Class::Copyright);
        }
        self.role = LineRole::AfterArticle;
        self.chrome_block(&layout.after_article);
        if !related_early {
            related(self);
        }
        if !self.rng.gen_bool(self.params.truncate) {
            self.role = LineRole::Bottom;
            self.chrome_block(&layout.bottom);
            self.role = LineRole::FooterCopyright;
            self.one_of(&layout.footer_copyright, Class::Copyright);
        }
        self.labeled_lines()
    }

    /// A page that is (nearly) only the article: what users pass after another extractor, or
    /// when a scraper caught the article element alone.
    fn compose_bare(&mut self) -> Vec<LabeledLine> {
        let headline = self.article.headline.clone();
        self.role = LineRole::Headline;
        self.push_article(Class::Body, headline);
        self.story(None, 0.0);
        if self.rng.gen_bool(0.5) {
            self.role = LineRole::Copyright;
            let copyright = self.layout.copyright.clone();
            self.one_of(&copyright, Class::Copyright);
        }
        self.labeled_lines()
    }

    fn labeled_lines(&self) -> Vec<LabeledLine> {
        self.out
            .iter()
            .map(|(class, text, lang)| LabeledLine {
                class: *class,
                lang: lang.clone(),
                text: text.clone(),
            })
            .collect()
    }
}

/// Writes composed pages as `dir/<layout>/<nn>-<article>.tsv`, each with its HTML rendering
/// ([`render_html`](crate::corpus::render_html::render_html)) beside it as
/// `<nn>-<article>.html`, replacing what was there.
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
        let html = crate::corpus::render_html::render_html(page);
        let path = path.with_extension("html");
        fs::write(&path, html).map_err(|e| Error::io(path.display().to_string(), e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::language::PageLanguage;

    fn layout() -> Layout {
        parse_layout(
            r#"
name = "test-site"
kind = "publisher"
lang = "kor"
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
            Path::new("test-site.toml"),
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
        // Every line has its role, the one of the block it came from.
        let role_of = |prefix: &str| {
            a.iter()
                .flat_map(|p| p.lines.iter().zip(&p.roles))
                .find(|(l, _)| l.text.starts_with(prefix))
                .map(|(_, r)| *r)
        };
        for p in &a {
            assert_eq!(p.roles.len(), p.lines.len());
            assert_eq!(
                p.roles.iter().filter(|r| **r == LineRole::Headline).count(),
                1
            );
        }
        assert_eq!(role_of("뉴스"), Some(LineRole::TopMenu));
        assert_eq!(role_of("입력 "), Some(LineRole::AfterHeadline));
        assert_eq!(role_of("첫 문단"), Some(LineRole::Paragraph));
        assert_eq!(role_of("사진 설명"), Some(LineRole::Caption));
        assert_eq!(role_of("김민지 기자"), Some(LineRole::Byline));
        assert_eq!(role_of("ⓒ 테스트일보"), Some(LineRole::Copyright));
        assert_eq!(role_of("관련기사"), Some(LineRole::RelatedHeading));
        assert_eq!(role_of("▶ "), Some(LineRole::RelatedItem));
        assert_eq!(role_of("회사소개"), Some(LineRole::Bottom));
    }

    #[test]
    fn summary_boxes_repeat_the_story_as_chrome_and_briefs_stop_early() {
        let mut with_summary = layout();
        with_summary.summary = Some(SummaryBox {
            heading: vec![LayoutString::new("AI 요약", "kor")],
            disclaimer: vec![LayoutString::new("AI가 요약한 내용입니다.", "kor")],
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

    /// Pages of one layout with every chrome line kept, over `articles`.
    fn pages_of(layout: &Layout, articles: &[Article]) -> Vec<ComposedPage> {
        let params = ComposeParams {
            pages_per_layout: 8,
            drop_chrome: 0.0,
            truncate: 0.0,
            no_header: 0.0,
            bare: 0.0,
            ..ComposeParams::default()
        };
        compose(std::slice::from_ref(layout), articles, &params).unwrap()
    }

    #[test]
    fn gold_languages_are_the_ones_written_in_the_layout_not_detected() {
        let layout = parse_layout(
            r#"
name = "lang-site"
kind = "portal"
lang = "kor"
article_langs = ["kor", "eng"]
publishers = ["연합뉴스", { text = "Korea JoongAng Daily", lang = "eng" }]
top = [
  "뉴스",
  { text = "X", lang = "eng" },
  { text = "日本語", lang = "jpn" },
  { text = "Français", lang = "fra" },
  { text = "2023.10.19", lang = "und" },
  { text = "김나래(narae.kim@hanmail.net)", lang = "kor" },
]
byline = ["{reporter} 기자"]
copyright = ["Copyright ⓒ {publisher}. 무단 전재 및 재배포 금지"]
[[related]]
heading = "많이 본 뉴스"
item = "▶ {headline}"
meta = { text = "{yyyy}.{mm}.{dd}", lang = "und" }
count = [2, 2]
"#,
            Path::new("lang-site.toml"),
        )
        .unwrap();
        let mut articles = vec![article("a.txt", "첫 기사"), article("b.txt", "둘째 기사")];
        for (name, headline) in [("c.txt", "First story"), ("d.txt", "Second story")] {
            let mut a = article(name, headline);
            a.lang = "eng".into();
            articles.push(a);
        }
        let pages = pages_of(&layout, &articles);
        let lines: Vec<&LabeledLine> = pages.iter().flat_map(|p| &p.lines).collect();
        let gold = |text: &str| {
            lines
                .iter()
                .find(|l| l.text == text)
                .map(|l| l.lang.as_str())
        };
        // Each string's language as the file writes it; chaff's own language step answers
        // differently for some of them (it reads "X" and the byline glued to an address as
        // `und`, Han without kana as `cmn`, a lone Latin word as the page's Latin language).
        let written = [
            ("뉴스", "kor"),
            ("X", "eng"),
            ("日本語", "jpn"),
            ("Français", "fra"),
            ("2023.10.19", "und"),
            ("김나래(narae.kim@hanmail.net)", "kor"),
        ];
        for (text, lang) in written {
            assert_eq!(gold(text), Some(lang), "{text}");
        }
        let detected = |text: &str| PageLanguage::default().line_language(text).to_string();
        assert!(
            written.iter().any(|&(text, lang)| detected(text) != lang),
            "no case where detection and the file disagree: the test lost its point"
        );
        for page in &pages {
            let english = page.article == "c" || page.article == "d";
            for l in &page.lines {
                // Related items take their articles' language, dates none.
                if l.text.starts_with("▶ ") {
                    assert_eq!(l.lang, if english { "eng" } else { "kor" }, "{}", l.text);
                }
                if l.class == Class::Chrome && l.text.starts_with("20") && l.text.len() == 10 {
                    assert_eq!(l.lang, "und", "{}", l.text);
                }
                // Placeholders bring their letters: a long English publisher name outweighs
                // the Korean words around it, a Korean one does not.
                if l.class == Class::Copyright {
                    let want = if l.text.contains("Korea JoongAng Daily") {
                        "eng"
                    } else {
                        "kor"
                    };
                    assert_eq!(l.lang, want, "{}", l.text);
                }
            }
        }
        assert!(lines
            .iter()
            .any(|l| l.text.contains("Korea JoongAng Daily")));
        assert!(lines.iter().any(|l| l.text.contains("ⓒ 연합뉴스")));
    }

    #[test]
    fn missing_or_impossible_languages_are_errors_naming_the_file_and_string() {
        let parse = |body: &str| {
            let text =
                format!("name = \"x\"\nkind = \"publisher\"\narticle_langs = [\"kor\"]\n{body}\n");
            parse_layout(&text, Path::new("layouts/x.toml"))
        };
        let error = |body: &str| parse(body).unwrap_err().to_string();
        // No `lang` in the layout: every string needs its own.
        let e = error(r#"top = ["Home"]"#);
        assert!(e.starts_with("layouts/x.toml: "), "{e}");
        assert!(e.contains("\"Home\" has no language"), "{e}");
        // ... except one whose only letters come from placeholders.
        assert!(parse(r#"top = ["▶ {headline}", { text = "Home", lang = "eng" }]"#).is_ok());
        // A default that cannot be the string's language.
        let e = error("lang = \"kor\"\ntop = [\"|\"]");
        assert!(e.starts_with("layouts/x.toml: \"|\" has no letters"), "{e}");
        let e = error("lang = \"kor\"\nbottom = [\"Privacy Policy\"]");
        assert!(
            e.starts_with("layouts/x.toml: \"Privacy Policy\" is `kor` but has no Hangul"),
            "{e}"
        );
        let e = error("lang = \"eng\"\n[[related]]\nitem = \"{headline}\"\nmeta = \"{n}\"");
        assert!(
            e.starts_with("layouts/x.toml: \"{n}\" has no letters"),
            "{e}"
        );
        let e = error("lang = \"und\"\ntop = [\"뉴스\"]");
        assert!(e.contains("\"뉴스\" has letters"), "{e}");
        // Letters judged to have no language are written so on the string.
        assert!(parse(
            r#"lang = "eng"
[[related]]
item = "{headline}"
meta = { text = "{n}h", lang = "und" }"#
        )
        .is_ok());
        let e = error(r#"top = [{ text = "뉴스", lang = "korean" }]"#);
        assert!(e.contains("not an ISO 639-3 code"), "{e}");
        // An unknown key in an annotated string is a parse error.
        let e = error(r#"top = [{ text = "뉴스", language = "kor" }]"#);
        assert!(
            e.starts_with("layouts/x.toml: ") && e.contains("language"),
            "{e}"
        );
        // The committed layouts all pass.
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("training/layouts");
        assert!(read_layouts(&dir).unwrap().len() > 100);
    }

    #[test]
    fn article_errors_name_the_file() {
        let err = parse_article("headline: x\n", Path::new("x.txt"), "eng").unwrap_err();
        assert!(err.to_string().starts_with("x.txt: no `---`"));
    }
}
