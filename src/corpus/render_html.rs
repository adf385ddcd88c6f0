//! Composed pages rendered as HTML: the same lines, in the same order, marked up as some real
//! site would mark them up, so that a model can learn the structure of news pages (tag paths,
//! class and id names, links, lists) from the composed corpus.
//!
//! Every layout gets a markup [`Convention`] and a vocabulary of class and id names, chosen from
//! the layout's name and the compose seed: the pages of one layout look like one site, and
//! different layouts look like different sites. Within a page, a second random generator (seeded
//! from the compose seed, the layout's name and the page's number, never the composer's) varies
//! wrappers, noise and small choices, so the `.tsv` files are unchanged by the rendering.
//!
//! The round-trip guarantee: chaff's HTML extraction (`chaff::html::HtmlPage::parse`, rules in
//! `docs/html.md`) of a rendered page gives exactly [`html_lines`] of the page: one line per
//! composed line, same order, same text. Every line is written inside its own block element (or
//! between `<br>`s inside one), text is escaped, and all the noise (head, scripts, styles,
//! comments, images, icons, hidden elements, empty wrappers) yields no line. The one thing HTML
//! cannot carry is a run of ASCII white space: the extraction collapses runs to one space and
//! trims lines (as browsers render them), so a composed line such as
//! `Search: [        ] Go` is written, and read back, with its runs collapsed; [`html_text`]
//! gives that form. Lines without such runs (all but a handful in the corpus) read back byte
//! for byte.

use std::fmt::Write as _;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::corpus::compose::{ComposedPage, LineRole};

/// A family of markup conventions; each layout uses one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Convention {
    /// HTML5 semantic elements: header, nav, main, article, aside, footer, figure, time.
    Semantic,
    /// `div`s and `span`s with class names, few semantic elements.
    DivSoup,
    /// An old table layout (Korean portals of the 2000s): rows and cells, `<br>`s, `<font>`.
    Table,
    /// A Korean portal's article view (Naver, Daum, Nate-like wrappers and ids).
    Portal,
    /// An AMP or mobile page: `amp-img`, a flat and simple structure.
    Amp,
    /// Sloppy legacy markup that the HTML5 parser repairs: unclosed `<p>`, `<li>`, `<td>`,
    /// missing `</div>`s, upper-case tags, unquoted attributes.
    Broken,
}

impl Convention {
    /// All conventions.
    pub const ALL: [Convention; 6] = [
        Convention::Semantic,
        Convention::DivSoup,
        Convention::Table,
        Convention::Portal,
        Convention::Amp,
        Convention::Broken,
    ];

    /// The convention's name.
    pub fn name(self) -> &'static str {
        match self {
            Convention::Semantic => "semantic",
            Convention::DivSoup => "div-soup",
            Convention::Table => "table",
            Convention::Portal => "portal",
            Convention::Amp => "amp",
            Convention::Broken => "broken",
        }
    }
}

/// FNV-1a: a hash that stays the same across Rust versions and platforms.
fn fnv(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn site_rng(layout: &str, seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed ^ fnv(&format!("site:{layout}")))
}

/// The convention a layout's pages are rendered in, for a compose seed. `lang` is the site's
/// language ([`ComposedPage::site_lang`]); layouts named like portals or mobile pages lean to
/// those conventions.
pub fn convention_for(layout: &str, lang: &str, seed: u64) -> Convention {
    let mut rng = site_rng(layout, seed);
    let korean = lang == "kor";
    let mut weights: [f64; 6] = if korean {
        [0.20, 0.26, 0.16, 0.14, 0.10, 0.14]
    } else {
        [0.34, 0.30, 0.05, 0.05, 0.13, 0.13]
    };
    let name = layout.to_ascii_lowercase();
    if ["naver", "daum", "nate", "zum", "portal"]
        .iter()
        .any(|p| name.contains(p))
    {
        weights[3] += 1.0;
    }
    if name.contains("amp") || name.contains("mobile") {
        weights[4] += 1.0;
    }
    let total: f64 = weights.iter().sum();
    let mut x = rng.gen_range(0.0..total);
    for (c, w) in Convention::ALL.iter().zip(weights) {
        if x < w {
            return *c;
        }
        x -= w;
    }
    Convention::DivSoup
}

/// A line's text as HTML can carry it, and as chaff's extraction reads it back: runs of ASCII
/// white space collapsed to one space, none at either end.
pub fn html_text(line: &str) -> String {
    line.split(|c: char| c.is_ascii_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The lines chaff reads from a page's rendering: [`html_text`] of each line.
pub fn html_lines(page: &ComposedPage) -> Vec<String> {
    page.lines.iter().map(|l| html_text(&l.text)).collect()
}

/// Escapes text for an element's content.
fn escape_text(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Escapes text for a quoted attribute value.
fn escape_attr(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

/// Declares the slots once: the enum, and `Slot::ALL` in declaration order (the order names
/// are drawn in).
macro_rules! slots {
    ($($slot:ident),* $(,)?) => {
        /// The places a site names with a class or id.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
        enum Slot {
            $($slot),*
        }

        impl Slot {
            /// Every slot, in declaration order.
            const ALL: &'static [Slot] = &[$(Slot::$slot),*];
        }
    };
}

slots! {
    Wrap,
    Header,
    Menu,
    MenuItem,
    Search,
    Logo,
    Main,
    ArticleBox,
    HeadBox,
    Headline,
    Deck,
    Info,
    Share,
    Byline,
    Body,
    Para,
    Subhead,
    Figure,
    Caption,
    Credit,
    Ad,
    Summary,
    RelatedBox,
    RelatedTitle,
    RelatedItem,
    RelatedMeta,
    AfterBox,
    Copyright,
    Footer,
    FooterLinks,
    Bio,
}

/// Concept words of each slot in three vocabularies: English words, abbreviations, Korean
/// romanizations. Each entry is space-separated words, joined by the site's naming style.
fn vocab(slot: Slot) -> [&'static [&'static str]; 3] {
    match slot {
        Slot::Wrap => [
            &[
                "wrapper",
                "container",
                "page",
                "site wrap",
                "layout",
                "inner",
            ],
            &["wrap", "cont", "ctn", "wrp", "in", "sec"],
            &["jeonche", "bonmun wrap", "yeongyeok"],
        ],
        Slot::Header => [
            &[
                "header",
                "site header",
                "masthead",
                "top bar",
                "global header",
            ],
            &["hd", "hdr", "gnb wrap", "top", "tnb"],
            &["meori", "sangdan", "sangdan yeongyeok"],
        ],
        Slot::Menu => [
            &[
                "main nav",
                "menu",
                "nav list",
                "primary menu",
                "section nav",
            ],
            &["gnb", "lnb", "snb", "nav", "gnb list", "mnu"],
            &["menu mokrok", "sangdan menu", "bunya"],
        ],
        Slot::MenuItem => [
            &["nav item", "menu item", "nav link", "item"],
            &["itm", "m item", "gnb li", "lnk"],
            &["menu hangmok", "hangmok"],
        ],
        Slot::Search => [
            &["search", "search form", "site search"],
            &["srch", "sch", "sch box", "q box"],
            &["geomsaek", "geomsaek chang"],
        ],
        Slot::Logo => [
            &["logo", "brand", "site logo"],
            &["lg", "logo a", "ci"],
            &["rogo", "sangho"],
        ],
        Slot::Main => [
            &["main", "content", "main content", "primary"],
            &["cnt", "ct", "mc", "contents"],
            &["bonmun yeongyeok", "naeyong"],
        ],
        Slot::ArticleBox => [
            &["article", "story", "post", "news article", "entry"],
            &["art", "atc", "arti", "news view", "view"],
            &["gisa", "gisa bogi", "news gisa"],
        ],
        Slot::HeadBox => [
            &[
                "article header",
                "story head",
                "title area",
                "headline wrap",
            ],
            &["art hd", "tit area", "atc head", "view top", "top area"],
            &["jemok yeongyeok", "gisa meori"],
        ],
        Slot::Headline => [
            &["headline", "title", "article title", "story title"],
            &["tit", "h tit", "atc tit", "subject", "tit view"],
            &["jemok", "gisa jemok"],
        ],
        Slot::Deck => [
            &[
                "subtitle",
                "deck",
                "standfirst",
                "summary line",
                "sub headline",
            ],
            &["sub tit", "stit", "s tit", "sbj sub"],
            &["bujemok", "jungjemok"],
        ],
        Slot::Info => [
            &[
                "meta",
                "article info",
                "date",
                "published",
                "timestamp",
                "dateline",
            ],
            &["info", "dt", "date txt", "reg dt", "upd", "tm"],
            &["ipryeok", "nalja", "deungrok il", "sujeong il"],
        ],
        Slot::Share => [
            &["share", "share tools", "social", "utility", "actions"],
            &["sns", "shr", "util", "btn sns", "fnt size"],
            &["gongyu", "sns gongyu", "seobi", "geulja keugi"],
        ],
        Slot::Byline => [
            &[
                "byline",
                "author",
                "reporter",
                "writer",
                "author name",
                "contributor",
            ],
            &["by", "rptr", "wrtr", "athr", "rep name"],
            &["kija", "gija ireum", "pilja", "kija jeongbo"],
        ],
        Slot::Body => [
            &[
                "article body",
                "story body",
                "content",
                "article text",
                "entry content",
                "post content",
            ],
            &[
                "art cont",
                "atc body",
                "cnt body",
                "txt area",
                "view cont",
                "art txt",
            ],
            &["gisa bonmun", "bonmun", "gisa naeyong", "news bonmun"],
        ],
        Slot::Para => [
            &["paragraph", "text", "body text", "story text"],
            &["para", "txt", "p txt", "par"],
            &["mundan", "bonmun txt"],
        ],
        Slot::Subhead => [
            &["subheading", "section title", "inline heading", "crosshead"],
            &["sub hd", "s tit", "mid tit", "h sub"],
            &["sojemok", "junggan jemok"],
        ],
        Slot::Figure => [
            &["figure", "photo", "image wrap", "media", "inline image"],
            &["img box", "pht", "fig", "img area", "thumb"],
            &["sajin", "imiji", "sajin yeongyeok"],
        ],
        Slot::Caption => [
            &["caption", "photo caption", "image caption"],
            &["cap", "img cap", "desc", "pht txt"],
            &["sajin seolmyeong", "seolmyeong"],
        ],
        Slot::Credit => [
            &["credit", "photo credit", "source", "image source"],
            &["cr", "pht cr", "src", "cpy"],
            &["sajin chulcheo", "chulcheo"],
        ],
        Slot::Ad => [
            &["ad", "advert", "sponsored", "promo", "ad slot"],
            &["ad box", "adv", "bnr", "ad wrap"],
            &["gwanggo", "gwanggo yeongyeok"],
        ],
        Slot::Summary => [
            &["summary", "key points", "ai summary", "tldr", "highlights"],
            &["smry", "sum box", "brief", "hl box"],
            &["yoyak", "ai yoyak", "haeksim"],
        ],
        Slot::RelatedBox => [
            &[
                "related",
                "related news",
                "more stories",
                "read more",
                "recommended",
                "most read",
            ],
            &["rel news", "rltd", "rel art", "more list", "rank news"],
            &["gwanryeon gisa", "gwanryeon", "chucheon gisa", "manhi bon"],
        ],
        Slot::RelatedTitle => [
            &["section title", "block title", "heading", "box title"],
            &["tit", "hd tit", "box tit", "ttl"],
            &["jemok", "gwanryeon jemok"],
        ],
        Slot::RelatedItem => [
            &["item", "story item", "card", "teaser", "list item"],
            &["itm", "li item", "lst", "art item"],
            &["mokrok", "hangmok"],
        ],
        Slot::RelatedMeta => [
            &["date", "meta", "time", "count"],
            &["dt", "info", "cnt", "num"],
            &["nalja", "sigan"],
        ],
        Slot::AfterBox => [
            &[
                "article tools",
                "reactions",
                "engagement",
                "comments",
                "newsletter",
            ],
            &["cmt", "react", "util box", "like box", "sub box"],
            &["daetgeul", "banung", "gudok", "jebo"],
        ],
        Slot::Copyright => [
            &["copyright", "rights", "legal", "copyright notice"],
            &["cpr", "copy", "cprt", "cr txt"],
            &["jeojakgwon", "jeojakgwon pyosi", "mudan jeonjae"],
        ],
        Slot::Footer => [
            &["footer", "site footer", "page footer", "bottom"],
            &["ftr", "ft", "foot", "btm"],
            &["hadan", "balmit"],
        ],
        Slot::FooterLinks => [
            &["footer links", "footer nav", "site links", "company links"],
            &["ft menu", "fnb", "f link", "ft lnk"],
            &["hadan menu", "hoesa sogae"],
        ],
        Slot::Bio => [
            &["author bio", "about author", "profile", "author info"],
            &["bio", "prf", "athr info"],
            &["kija sogae", "pilja sogae"],
        ],
    }
}

/// How a site joins the words of a name.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    Kebab,
    Snake,
    Camel,
    Bem,
    CssModule,
    Styled,
    Emotion,
    Utility,
}

const UTILITIES: [&str; 24] = [
    "flex",
    "mt-4",
    "text-sm",
    "px-2",
    "py-3",
    "mb-6",
    "font-bold",
    "grid",
    "gap-2",
    "items-center",
    "w-full",
    "max-w-3xl",
    "mx-auto",
    "leading-7",
    "text-gray-700",
    "col-md-8",
    "row",
    "d-flex",
    "justify-content-between",
    "pt-2",
    "md:w-2/3",
    "lg:px-8",
    "clearfix",
    "fl",
];

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

fn random_token(rng: &mut ChaCha8Rng, n: usize, alphabet: &[u8]) -> String {
    (0..n)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const BASE36: &[u8] = b"abcdefghijklmnopqrstuvwxyz0123456789";

/// A name in a style, from concept words.
fn styled_name(words: &str, style: Style, block: &str, rng: &mut ChaCha8Rng) -> String {
    let parts: Vec<&str> = words.split(' ').collect();
    match style {
        Style::Kebab => parts.join("-"),
        Style::Snake => parts.join("_"),
        Style::Camel => {
            let mut s = parts[0].to_string();
            for p in &parts[1..] {
                s.push_str(&capitalize(p));
            }
            s
        }
        Style::Bem => {
            let mut s = format!("{block}__{}", parts.join("-"));
            if rng.gen_bool(0.2) {
                let m = ["wide", "main", "lg", "active", "dark", "v2"]
                    .choose(rng)
                    .unwrap();
                s = format!("{s} {s}--{m}");
            }
            s
        }
        Style::CssModule => {
            let component: String = capitalize(block);
            let mut elem = parts[0].to_string();
            for p in &parts[1..] {
                elem.push_str(&capitalize(p));
            }
            format!("{component}_{elem}__{}", random_token(rng, 5, ALNUM))
        }
        Style::Styled => format!(
            "sc-{} {}",
            random_token(rng, 6, LETTERS),
            random_token(rng, 6, LETTERS)
        ),
        Style::Emotion => format!("css-{}", random_token(rng, 7, BASE36)),
        Style::Utility => {
            let n = rng.gen_range(2..=4);
            let mut picked: Vec<&str> = UTILITIES.choose_multiple(rng, n).copied().collect();
            picked.dedup();
            picked.join(" ")
        }
    }
}

/// How a site writes its body paragraphs.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Para {
    /// `<p>` each.
    P,
    /// Text in one `div`, paragraphs separated by `<br><br>`.
    DivBr,
    /// `<div>` each.
    Div,
    /// `<section>` holding a `<p>` each (a CMS's blocks).
    Section,
}

/// How a site writes a list of links (menus, related lists, footers).
#[derive(Debug, Clone, Copy, PartialEq)]
enum List {
    /// `ul > li > a`.
    Ul,
    /// `ol > li > a`.
    Ol,
    /// `div > div > a`.
    Divs,
    /// `dl > dt > a`, extra lines in `dd`.
    Dl,
    /// `p > a` each.
    Ps,
    /// Links separated by `<br>` in one block.
    Br,
}

/// Everything a site keeps the same across its pages.
struct Site {
    conv: Convention,
    names: Vec<(Option<String>, Option<String>)>,
    upper: bool,
    unquoted: bool,
    sloppy: bool,
    para: Para,
    menu: List,
    related: List,
    footer: List,
    related_aside: bool,
    unlinked_related: bool,
    headline_tag: &'static str,
    deck_tag: &'static str,
    sub_tag: &'static str,
    byline_tag: &'static str,
    time_tag: &'static str,
    copyright_tag: &'static str,
    caption_figure: bool,
    /// Photo credits in a `<figcaption>` of their own.
    credit_figcaption: bool,
    widget_buttons: bool,
    depth: usize,
    html_lang: &'static str,
    korean: bool,
    /// The chance that a byline's names and e-mail addresses are links (author pages,
    /// `mailto:`).
    byline_links: f64,
    /// How author pages are addressed (an index into [`author_href`]'s schemes).
    author_scheme: usize,
    /// Author links carry `rel="author"`.
    byline_rel: bool,
    /// Bylines in `<span itemprop="author">` (schema.org markup).
    byline_itemprop: bool,
    /// Korean bylines link the title with the name (`<a>김민지 기자</a>`).
    byline_link_title: bool,
    /// Several byline lines in a row as a list (`ul > li`, `dl > dt / dd`).
    byline_list: Option<List>,
    /// The bylines, bio and copyright after the story in a `<footer>` (or classed `div`).
    end_footer: bool,
    /// The chance that a page writes its end lines (byline, bio, copyright, tools after the
    /// story) inside the article body's wrapper.
    end_in_body: f64,
    /// The headline box stands outside the article element, in the page's header area.
    head_outside: f64,
    /// The chance that an ad between paragraphs splits the body wrapper in two siblings.
    split_body: f64,
    /// Paragraphs grouped in nested `div` sections of a few each.
    para_chunks: bool,
    /// The chance that a paragraph holds a link.
    para_links: f64,
    /// Attributes every paragraph carries (`data-` attributes, hashed classes).
    para_attrs: Option<String>,
    /// Related items as teaser cards (`article`/`div` with image, `h2`-`h4 > a`, meta).
    related_cards: f64,
    /// In cards, the link wraps only the image.
    card_img_only: f64,
    /// The chance that a related box after the story stands inside the article element.
    related_in_article: f64,
    /// Menus nest sub-menus (`ul > li > ul > li`) and mega-menu columns.
    menu_nested: bool,
    /// Footer links in columns with a heading each.
    footer_columns: bool,
    /// Photo credits in a `span` of the figure or of the caption's `figcaption`.
    credit_span: bool,
}

impl Site {
    fn new(layout: &str, lang: &str, seed: u64) -> Site {
        let conv = convention_for(layout, lang, seed);
        let mut rng = site_rng(layout, seed);
        // Past the draw `convention_for` made.
        let _: f64 = rng.gen_range(0.0..1.0);
        let korean = lang == "kor";
        let styles: &[(Style, u32)] = match conv {
            Convention::Semantic => &[
                (Style::Kebab, 5),
                (Style::Bem, 3),
                (Style::CssModule, 2),
                (Style::Styled, 1),
                (Style::Emotion, 1),
                (Style::Utility, 2),
                (Style::Camel, 1),
            ],
            Convention::DivSoup => &[
                (Style::Kebab, 3),
                (Style::Snake, 3),
                (Style::Camel, 2),
                (Style::CssModule, 2),
                (Style::Styled, 2),
                (Style::Emotion, 2),
                (Style::Utility, 1),
                (Style::Bem, 1),
            ],
            Convention::Table | Convention::Broken => {
                &[(Style::Snake, 4), (Style::Camel, 2), (Style::Kebab, 1)]
            }
            Convention::Portal => &[(Style::Snake, 5), (Style::Camel, 2), (Style::Kebab, 1)],
            Convention::Amp => &[
                (Style::Kebab, 3),
                (Style::Bem, 2),
                (Style::Utility, 1),
                (Style::Emotion, 1),
            ],
        };
        let pick_style = |rng: &mut ChaCha8Rng| {
            styles
                .choose_weighted(rng, |s| s.1)
                .map(|s| s.0)
                .unwrap_or(Style::Kebab)
        };
        let main_style = pick_style(&mut rng);
        // Vocabulary weights: English words, abbreviations, romanized Korean.
        let vocab_weights: [u32; 3] = match (korean, conv) {
            (_, Convention::Portal) => [1, 4, 2],
            (true, _) => [3, 4, 2],
            (false, Convention::Table | Convention::Broken) => [4, 4, 1],
            (false, _) => [8, 3, 1],
        };
        let main_vocab = *[0usize, 1, 2]
            .choose_weighted(&mut rng, |&v| vocab_weights[v])
            .unwrap();
        let block = [
            "story",
            "article",
            "c-article",
            "o-page",
            "post",
            "news",
            "layout",
            "content",
        ]
        .choose(&mut rng)
        .unwrap()
        .to_string();
        let prefix = if conv == Convention::Portal {
            ["media_end_", "news_", "view_", "art_", "", "newsct_"]
                .choose(&mut rng)
                .unwrap()
                .to_string()
        } else {
            String::new()
        };
        let no_class = match conv {
            Convention::Table | Convention::Broken => 0.35,
            Convention::Amp => 0.25,
            _ => 0.12,
        };
        let mut names = Vec::with_capacity(Slot::ALL.len());
        for &slot in Slot::ALL {
            let style = if rng.gen_bool(0.75) {
                main_style
            } else {
                pick_style(&mut rng)
            };
            let v = if rng.gen_bool(0.7) {
                main_vocab
            } else {
                *[0usize, 1, 2]
                    .choose_weighted(&mut rng, |&v| vocab_weights[v])
                    .unwrap()
            };
            let words = *vocab(slot)[v].choose(&mut rng).unwrap();
            let class = if rng.gen_bool(no_class) {
                None
            } else {
                let name = styled_name(words, style, &block, &mut rng);
                Some(if prefix.is_empty() || style != Style::Snake {
                    name
                } else {
                    format!("{prefix}{name}")
                })
            };
            let id = if rng.gen_bool(0.12) || (class.is_none() && rng.gen_bool(0.3)) {
                let words = *vocab(slot)[v].choose(&mut rng).unwrap();
                let id_style = if rng.gen_bool(0.5) {
                    Style::Camel
                } else {
                    Style::Snake
                };
                Some(styled_name(words, id_style, &block, &mut rng))
            } else {
                None
            };
            names.push((class, id));
        }
        if conv == Convention::Portal {
            // The ids portals really use for their article text.
            let body_id = [
                "dic_area",
                "articeBody",
                "harmonyContainer",
                "articleBodyContents",
                "newsEndContents",
                "articleView",
            ]
            .choose(&mut rng)
            .unwrap();
            names[Slot::Body as usize].1 = Some(body_id.to_string());
            // The wrappers and names of a portal's article view, one family per site (with
            // the site's own names for what a family does not name).
            type Scheme = [(Slot, Option<&'static str>, Option<&'static str>); 8];
            const SCHEMES: [Scheme; 3] = [
                [
                    (Slot::ArticleBox, Some("newsct"), Some("newsct_wrapper")),
                    (Slot::HeadBox, None, Some("media_end_head go_trans")),
                    (
                        Slot::Headline,
                        Some("title_area"),
                        Some("media_end_head_headline"),
                    ),
                    (Slot::Byline, None, Some("media_end_head_journalist_name")),
                    (Slot::Info, None, Some("media_end_head_info_datestamp")),
                    (Slot::RelatedBox, None, Some("media_end_linked_more")),
                    (Slot::Copyright, None, Some("c_text")),
                    (Slot::Main, Some("ct"), Some("newsct")),
                ],
                [
                    (Slot::ArticleBox, Some("kakaoContent"), Some("cont_view")),
                    (Slot::HeadBox, None, Some("head_view")),
                    (Slot::Headline, None, Some("tit_view")),
                    (Slot::Byline, None, Some("txt_info")),
                    (Slot::Info, None, Some("info_view")),
                    (Slot::RelatedBox, None, Some("box_recom")),
                    (Slot::Copyright, None, Some("txt_copyright")),
                    (Slot::Main, Some("cMain"), Some("main-content")),
                ],
                [
                    (Slot::ArticleBox, Some("articleView"), Some("articleCont")),
                    (Slot::HeadBox, None, Some("articleHead")),
                    (Slot::Headline, Some("articleTitle"), Some("articleSubecjt")),
                    (Slot::Byline, None, Some("articleWriter")),
                    (Slot::Info, None, Some("articleInfo")),
                    (Slot::RelatedBox, None, Some("relation_news")),
                    (Slot::Copyright, None, Some("copyright")),
                    (Slot::Main, Some("container"), None),
                ],
            ];
            let scheme = SCHEMES.choose(&mut rng).unwrap();
            for &(slot, id, class) in scheme {
                if rng.gen_bool(0.8) {
                    names[slot as usize] = (class.map(str::to_string), id.map(str::to_string));
                }
            }
        }
        let para = match conv {
            Convention::Portal => *[Para::DivBr, Para::DivBr, Para::P, Para::Section]
                .choose(&mut rng)
                .unwrap(),
            Convention::Table => *[Para::DivBr, Para::DivBr, Para::P, Para::Div]
                .choose(&mut rng)
                .unwrap(),
            Convention::Broken => *[Para::P, Para::P, Para::DivBr, Para::Div]
                .choose(&mut rng)
                .unwrap(),
            Convention::Amp => *[Para::P, Para::P, Para::P, Para::Div]
                .choose(&mut rng)
                .unwrap(),
            _ => *[
                Para::P,
                Para::P,
                Para::P,
                Para::P,
                Para::Div,
                Para::Section,
                Para::DivBr,
            ]
            .choose(&mut rng)
            .unwrap(),
        };
        let lists = [
            List::Ul,
            List::Ul,
            List::Ul,
            List::Ol,
            List::Divs,
            List::Divs,
            List::Dl,
            List::Ps,
            List::Br,
        ];
        let menu = *[List::Ul, List::Ul, List::Ul, List::Divs, List::Ps, List::Br]
            .choose(&mut rng)
            .unwrap();
        let related = *lists.choose(&mut rng).unwrap();
        let footer = *[List::Ul, List::Ul, List::Divs, List::Ps, List::Br, List::Dl]
            .choose(&mut rng)
            .unwrap();
        let semantic = matches!(conv, Convention::Semantic | Convention::Amp);
        Site {
            conv,
            names,
            upper: conv == Convention::Broken && rng.gen_bool(0.7)
                || conv == Convention::Table && rng.gen_bool(0.3),
            unquoted: matches!(conv, Convention::Broken | Convention::Table) && rng.gen_bool(0.7),
            sloppy: conv == Convention::Broken,
            para,
            menu,
            related,
            footer,
            related_aside: semantic && rng.gen_bool(0.7),
            unlinked_related: rng.gen_bool(0.12),
            headline_tag: ["h1", "h1", "h1", "h2", "h3", "div", "p"]
                .choose(&mut rng)
                .unwrap(),
            deck_tag: ["h2", "p", "div", "h3", "strong"].choose(&mut rng).unwrap(),
            sub_tag: ["h2", "h3", "h3", "h4", "strong", "b", "p"]
                .choose(&mut rng)
                .unwrap(),
            byline_tag: ["span", "div", "p", "address", "em", "strong", "a"]
                .choose(&mut rng)
                .unwrap(),
            time_tag: if semantic && rng.gen_bool(0.8) || rng.gen_bool(0.25) {
                "time"
            } else {
                ["span", "em", "p", "div"].choose(&mut rng).unwrap()
            },
            copyright_tag: ["p", "div", "address", "small", "span"]
                .choose(&mut rng)
                .unwrap(),
            caption_figure: semantic && rng.gen_bool(0.85) || rng.gen_bool(0.3),
            widget_buttons: rng.gen_bool(0.6),
            credit_figcaption: rng.gen_bool(0.35),
            depth: rng.gen_range(2..=9),
            html_lang: if korean { "ko" } else { "en" },
            korean,
            byline_links: *[0.0, 0.4, 0.75, 0.9, 0.95, 0.95].choose(&mut rng).unwrap(),
            author_scheme: rng.gen_range(0..6),
            byline_rel: rng.gen_bool(0.4),
            byline_itemprop: rng.gen_bool(if semantic { 0.45 } else { 0.2 }),
            byline_link_title: rng.gen_bool(0.5),
            byline_list: *[
                None,
                Some(List::Ul),
                Some(List::Dl),
                Some(List::Divs),
                Some(List::Dl),
            ]
            .choose(&mut rng)
            .unwrap(),
            end_footer: rng.gen_bool(if semantic { 0.5 } else { 0.25 }),
            end_in_body: *[0.0, 0.0, 0.3, 0.7].choose(&mut rng).unwrap(),
            head_outside: *[0.0, 0.0, 0.5, 0.9].choose(&mut rng).unwrap(),
            split_body: *[0.0, 0.5, 0.9].choose(&mut rng).unwrap(),
            para_chunks: rng.gen_bool(0.3),
            para_links: *[0.1, 0.2, 0.3, 0.5].choose(&mut rng).unwrap(),
            para_attrs: para_attrs(&mut rng),
            related_cards: if semantic || conv == Convention::DivSoup {
                *[0.0, 0.5, 0.9].choose(&mut rng).unwrap()
            } else {
                *[0.0, 0.0, 0.4].choose(&mut rng).unwrap()
            },
            card_img_only: *[0.0, 0.0, 0.3, 0.8].choose(&mut rng).unwrap(),
            related_in_article: *[0.0, 0.4, 0.8].choose(&mut rng).unwrap(),
            menu_nested: conv != Convention::Table && rng.gen_bool(0.45),
            footer_columns: conv != Convention::Table && rng.gen_bool(0.4),
            credit_span: rng.gen_bool(0.4),
        }
    }
}

/// The attributes a site's CMS puts on every paragraph, if any.
fn para_attrs(rng: &mut ChaCha8Rng) -> Option<String> {
    let hash = random_token(rng, 6, BASE36);
    let k = rng.gen_range(0..8);
    Some(match k {
        0 => " data-component=\"text-block\"".to_string(),
        1 => format!(" class=\"css-{hash} e1wiw3jv0\""),
        2 => format!(" data-testid=\"paragraph\" class=\"sc-{hash}\""),
        3 => format!(" class=\"Paragraph_text__{hash}\" data-gu-name=\"body\""),
        4 => " data-type=\"paragraph\" dir=\"auto\"".to_string(),
        5 => " data-block-key=\"{h}\"".to_string(),
        _ => return None,
    })
}

/// Where on the page a run of lines stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Zone {
    Header,
    Head,
    Body,
    End,
    After,
    Related,
    Footer,
}

fn zone(role: LineRole, story_started: bool) -> Zone {
    use LineRole::*;
    match role {
        TopMenu => Zone::Header,
        Headline | Deck | AfterHeadline | SummaryHeading | SummaryItem | SummaryDisclaimer => {
            Zone::Head
        }
        Byline if !story_started => Zone::Head,
        Byline | AuthorBio | Copyright => Zone::End,
        Paragraph | Subheading | ListItem | PhotoControl | Caption | PhotoCredit | InArticleAd
        | InlineRelated => Zone::Body,
        AfterArticle => Zone::After,
        RelatedHeading | RelatedItem | RelatedTeaser | RelatedAuthor | RelatedMeta
        | OwnHeadlineInRelated => Zone::Related,
        Bottom | FooterCopyright => Zone::Footer,
    }
}

/// The HTML writer of one page.
struct W<'a> {
    out: String,
    site: &'a Site,
    rng: ChaCha8Rng,
    /// Inside a table (between `<table>` and a cell): only rows and cells may follow.
    in_table: bool,
    /// Ids written so far: an id is written once per page.
    ids: Vec<String>,
}

impl W<'_> {
    fn tag(&self, t: &str) -> String {
        if self.site.upper {
            t.to_ascii_uppercase()
        } else {
            t.to_string()
        }
    }

    fn attr(&self, name: &str, value: &str) -> String {
        let simple = !value.is_empty()
            && value.bytes().all(|b| {
                b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'/' | b':')
            });
        if self.site.unquoted && simple {
            format!(" {name}={value}")
        } else {
            format!(" {name}=\"{}\"", escape_attr(value))
        }
    }

    fn slot_attrs(&mut self, slot: Slot) -> String {
        let (class, id) = &self.site.names[slot as usize];
        let mut s = String::new();
        if let Some(id) = id {
            if !self.ids.contains(id) {
                s += &self.attr("id", id);
                self.ids.push(id.clone());
            }
        }
        if let Some(class) = class {
            s += &self.attr("class", class);
        }
        s
    }

    fn open(&mut self, tag: &str, attrs: &str) {
        let t = self.tag(tag);
        let _ = write!(self.out, "<{t}{attrs}>");
    }

    fn open_slot(&mut self, tag: &str, slot: Slot) {
        let a = self.slot_attrs(slot);
        self.open(tag, &a);
    }

    /// Closes an element; sloppy sites leave out the end tags the parser implies.
    fn close(&mut self, tag: &str) {
        if self.site.sloppy {
            let skip = match tag {
                "p" | "li" | "td" | "tr" | "dt" | "dd" => 0.7,
                // A missing `</div>` nests what follows one level deeper: no line changes.
                "div" => 0.15,
                _ => 0.0,
            };
            if skip > 0.0 && self.rng.gen_bool(skip) {
                return;
            }
        }
        let t = self.tag(tag);
        let _ = write!(self.out, "</{t}>");
        if matches!(
            tag,
            "div" | "p" | "li" | "ul" | "section" | "tr" | "table" | "header" | "footer"
        ) {
            self.out.push('\n');
        }
    }

    fn text(&mut self, text: &str) {
        let t = html_text(text);
        escape_text(&t, &mut self.out);
    }

    fn href(&mut self) -> String {
        let n: u32 = self.rng.gen_range(1000..99999);
        let h = match self.rng.gen_range(0..6) {
            0 => "#".to_string(),
            1 => format!("/news/articleView.html?idxno={n}"),
            2 => format!("/article/{n}"),
            3 => format!("https://news.example.com/{n}.html"),
            4 => "javascript:void(0)".to_string(),
            _ => format!("/read/{n}?ref=list"),
        };
        self.attr("href", &h)
    }

    /// An author page's address.
    fn author_href(&mut self, name: &str) -> String {
        let slug: String = name
            .to_lowercase()
            .chars()
            .filter_map(|c| match c {
                'a'..='z' | '0'..='9' => Some(c),
                ' ' | '-' => Some('-'),
                _ => None,
            })
            .collect();
        let n: u32 = self.rng.gen_range(10..9999);
        let slug = if slug.trim_matches('-').is_empty() {
            n.to_string()
        } else {
            slug
        };
        match self.site.author_scheme {
            0 => format!("/author/{slug}"),
            1 => format!("/reporter/{n}"),
            2 => format!("/journalist/{slug}/"),
            3 => format!("/people/{slug}"),
            4 => format!("/news/reporter_view.html?id={n}"),
            _ => format!("https://www.example.com/staff/{slug}"),
        }
    }

    /// A byline's text, its authors' names and addresses linked (by the site's habits).
    /// `bio` reads the line as an author's bio (only a leading name is linked).
    fn byline_inline(&mut self, text: &str, bio: bool) {
        let t = html_text(text);
        let title = self.site.byline_link_title;
        let spans = if self.rng.gen_bool(self.site.byline_links) {
            byline_spans(&t, bio, title)
        } else {
            Vec::new()
        };
        let mut at = 0;
        for (a, b, kind) in spans {
            escape_text(&t[at..a], &mut self.out);
            let piece = &t[a..b];
            let itemprop = kind == Span::Name && self.site.byline_itemprop && !bio;
            if itemprop {
                self.open(
                    "span",
                    " itemprop=\"author\" itemscope itemtype=\"https://schema.org/Person\"",
                );
            }
            let mut attrs = match kind {
                Span::Name => {
                    let h = self.author_href(piece);
                    self.attr("href", &h)
                }
                Span::Mail => self.attr("href", &format!("mailto:{piece}")),
                Span::Handle => self.attr(
                    "href",
                    &format!("https://twitter.com/{}", piece.trim_start_matches('@')),
                ),
            };
            if kind == Span::Name && self.site.byline_rel {
                attrs += &self.attr("rel", "author");
            }
            self.open("a", &attrs);
            if itemprop {
                self.open("span", " itemprop=\"name\"");
                self.text(piece);
                self.close("span");
            } else {
                self.text(piece);
            }
            self.close("a");
            if itemprop {
                self.close("span");
            }
            at = b;
        }
        escape_text(&t[at..], &mut self.out);
    }

    /// A link around text.
    fn link(&mut self, text: &str) {
        let h = self.href();
        self.open("a", &h);
        self.text(text);
        self.close("a");
    }

    /// Text with, now and then, some of its words in an inline element (link, bold, span):
    /// inline elements do not end lines, so the line stays one line with the same words.
    /// Links are most of them; some cover a long phrase (a third to over half the line).
    fn rich_text(&mut self, text: &str, chance: f64) {
        let t = html_text(text);
        let words: Vec<&str> = t.split(' ').collect();
        if words.len() < 4 || !self.rng.gen_bool(chance) {
            self.text(&t);
            return;
        }
        // One or two marked stretches, in order, not touching.
        let n = words.len();
        let mut marks: Vec<(usize, usize, &str)> = Vec::new();
        let count = if n > 12 && self.rng.gen_bool(0.3) {
            2
        } else {
            1
        };
        let mut from_min = 0;
        for k in 0..count {
            if from_min + 1 >= n {
                break;
            }
            let tag = if self.rng.gen_bool(0.75) {
                "a"
            } else {
                *["b", "strong", "span", "em"].choose(&mut self.rng).unwrap()
            };
            let len = if tag == "a" && self.rng.gen_bool(0.3) {
                ((n as f64) * self.rng.gen_range(0.3..0.6)).round().max(1.0) as usize
            } else {
                self.rng.gen_range(1..4)
            };
            let room = if k + 1 < count { n / 2 } else { n };
            let hi = room.saturating_sub(len).max(from_min + 1);
            let from = self
                .rng
                .gen_range(from_min..hi.min(n - 1).max(from_min + 1));
            let to = (from + len).min(n);
            marks.push((from, to, tag));
            from_min = to + 1;
        }
        let mut at = 0;
        for (from, to, tag) in marks {
            if at > 0 {
                self.out.push(' ');
            }
            if from > at {
                self.text(&words[at..from].join(" "));
                self.out.push(' ');
            }
            let attrs = if tag == "a" {
                self.href()
            } else {
                String::new()
            };
            self.open(tag, &attrs);
            self.text(&words[from..to].join(" "));
            self.close(tag);
            at = to;
        }
        if at < n {
            self.out.push(' ');
            self.text(&words[at..].join(" "));
        }
    }

    /// One line in its own block: `<tag attrs>text</tag>`.
    fn block_line(&mut self, tag: &str, slot: Option<Slot>, text: &str) {
        let attrs = slot.map(|s| self.slot_attrs(s)).unwrap_or_default();
        self.open(tag, &attrs);
        self.text(text);
        self.close(tag);
    }

    /// One line as inline element inside a block: `<div><span>text</span></div>`.
    fn wrapped_line(&mut self, block: &str, inline: &str, slot: Option<Slot>, text: &str) {
        if is_inline(inline) {
            self.open(block, "");
            let attrs = slot.map(|s| self.slot_attrs(s)).unwrap_or_default();
            self.open(inline, &attrs);
            self.text(text);
            self.close(inline);
            self.close(block);
        } else {
            self.block_line(inline, slot, text);
        }
    }

    /// Noise that yields no line, between blocks.
    fn noise(&mut self, chance: f64) {
        if !self.rng.gen_bool(chance) {
            return;
        }
        if self.in_table {
            let _ = write!(
                self.out,
                "<!-- {} -->",
                ["row", "//tr", "ad", "end"].choose(&mut self.rng).unwrap()
            );
            return;
        }
        let k = self.rng.gen_range(0..9);
        let hidden_text = if self.site.korean {
            [
                "본문 바로가기",
                "광고",
                "닫기",
                "메뉴 열기",
                "이 기사를 추천합니다",
            ]
        } else {
            [
                "Skip to content",
                "Advertisement",
                "Close",
                "Open menu",
                "Loading...",
            ]
        };
        let h = *hidden_text.choose(&mut self.rng).unwrap();
        match k {
            0 => {
                let _ = write!(self.out, "<!-- {} -->", ["// ad slot", "start article", "google_ad_section_start", "[if lt IE 9]", "end nav"].choose(&mut self.rng).unwrap());
            }
            1 => self.out.push_str("<script>window.dataLayer=window.dataLayer||[];dataLayer.push({'event':'view'});</script>"),
            2 => {
                let n: u32 = self.rng.gen_range(1..999);
                let _ = write!(self.out, "<div><img src=\"/img/{n}.jpg\" alt=\"\" width=1 height=1></div>");
            }
            3 => self.out.push_str("<span class=\"ico\"><svg viewBox=\"0 0 24 24\" width=\"16\"><title>icon</title><path d=\"M3 12h18\"/></svg></span>"),
            4 => {
                let t = self.tag("div");
                let _ = write!(self.out, "<{t} hidden>{h}</{t}>");
            }
            5 => {
                let t = self.tag("div");
                let style = ["display:none", "display: none;", "DISPLAY:NONE", "visibility:hidden"].choose(&mut self.rng).unwrap();
                let _ = write!(self.out, "<{t} style=\"{style}\"><a href=\"#\">{h}</a></{t}>");
            }
            6 => {
                let a = self.slot_attrs(Slot::Wrap);
                let t = self.tag("div");
                let _ = write!(self.out, "<{t}{a}></{t}>");
            }
            7 => self.out.push_str("<style>.x{display:none}</style>"),
            _ => self.out.push_str("<ins class=\"adsbygoogle\" data-ad-slot=\"1234\"></ins>"),
        }
    }

    fn wrappers(&mut self, n: usize) {
        for _ in 0..n {
            let a = if self.rng.gen_bool(0.6) {
                self.slot_attrs(Slot::Wrap)
            } else {
                String::new()
            };
            self.open("div", &a);
        }
    }

    fn close_wrappers(&mut self, n: usize) {
        for _ in 0..n {
            self.close("div");
        }
    }
}

fn is_inline(tag: &str) -> bool {
    matches!(
        tag,
        "span" | "em" | "strong" | "b" | "a" | "time" | "small" | "font" | "i" | "cite"
    )
}

/// What a stretch of a byline links to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Span {
    /// An author's name: their author page.
    Name,
    /// An e-mail address: `mailto:`.
    Mail,
    /// A social media handle (`@name`).
    Handle,
}

/// Strips the punctuation around a word: (leading, core, trailing) byte lengths.
fn word_core(word: &str) -> (usize, usize) {
    let lead: &[char] = &['[', '(', '<', '"', '\'', '“', '‘', '/', '『', '【'];
    let trail: &[char] = &[
        ']', ')', '>', ',', '.', ';', ':', '"', '\'', '”', '’', '|', '/', '』', '】',
    ];
    let start = word.len() - word.trim_start_matches(lead).len();
    let end = word.trim_end_matches(trail).len().max(start);
    (start, end)
}

fn is_hangul_name(core: &str) -> bool {
    let n = core.chars().count();
    (2..=4).contains(&n) && core.chars().all(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c))
}

fn is_latin_name(core: &str) -> bool {
    const NOT_NAMES: [&str; 24] = [
        "By",
        "BY",
        "Photo",
        "Photos",
        "Contact",
        "Email",
        "E-mail",
        "Reporter",
        "Senior",
        "Staff",
        "Correspondent",
        "Writer",
        "Editor",
        "Our",
        "The",
        "And",
        "Updated",
        "Published",
        "Posted",
        "Reporting",
        "Video",
        "Follow",
        "Text",
        "Report",
    ];
    let mut c = core.chars();
    core.len() >= 2
        && c.next().is_some_and(|f| f.is_uppercase())
        && core
            .chars()
            .all(|c| c.is_alphabetic() || matches!(c, '-' | '\'' | '’' | '.'))
        && !NOT_NAMES.contains(&core)
}

/// The stretches of a byline line (already in [`html_text`] form) that sites link: authors'
/// names, e-mail addresses and handles, as byte ranges. `title` takes a Korean name's title
/// (`기자`) into the link.
fn byline_spans(t: &str, bio: bool, title: bool) -> Vec<(usize, usize, Span)> {
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    // `=` joins a place and a name in Korean bylines (`세종=김민지 기자`).
    for w in t.split([' ', '=']) {
        words.push((at, w));
        at += w.len() + 1;
    }
    let core = |i: usize| {
        let (o, w) = words[i];
        let (a, b) = word_core(w);
        (o + a, o + b, &w[a..b])
    };
    let mut spans = Vec::new();
    let n = words.len();
    let mut i = 0;
    let mut by_context = false;
    while i < n {
        let (a, b, c) = core(i);
        let trail = &words[i].1[b - words[i].0..];
        if c.contains('@') && !bio {
            let at = c.find('@').unwrap();
            if at > 0 && c[at..].contains('.') {
                spans.push((a, b, Span::Mail));
            } else if at == 0 && c.len() > 2 {
                spans.push((a, b, Span::Handle));
            }
            i += 1;
            continue;
        }
        let lower = c.to_lowercase();
        if lower == "by" || lower == "and" && by_context || c == "&" && by_context {
            by_context = true;
            i += 1;
            continue;
        }
        // A run of capitalized words: a name after "By", a line that is only names, or the
        // name opening an author's bio.
        let starts_name = by_context || i == 0;
        if starts_name && is_latin_name(c) {
            let mut j = i;
            let mut end = b;
            while j < n && j - i < 4 {
                let (_, bj, cj) = core(j);
                if !is_latin_name(cj) {
                    break;
                }
                end = bj;
                let tr = &words[j].1[bj - words[j].0..];
                j += 1;
                if !tr.is_empty() {
                    break;
                }
            }
            let len = j - i;
            let whole_line = i == 0 && j == n;
            // "AfriWire Correspondent": a desk, not a name.
            let titled = j < n
                && [
                    "Correspondent",
                    "Reporter",
                    "Staff",
                    "Writer",
                    "Editor",
                    "Bureau",
                    "Desk",
                    "Newsroom",
                ]
                .contains(&core(j).2);
            let ok = if bio {
                i == 0 && (2..=3).contains(&len) && j < n
            } else {
                !titled && (by_context || whole_line && (2..=4).contains(&len))
            };
            if ok {
                spans.push((a, end, Span::Name));
                // A comma or an "and" goes on to the next author.
                let tr = &words[j - 1].1[core(j - 1).1 - words[j - 1].0..];
                let and = j < n && matches!(words[j].1, "and" | "&" | "및");
                by_context = tr.starts_with(',') || and;
            } else {
                by_context = false;
            }
            i = j.max(i + 1);
            continue;
        }
        by_context = false;
        if !bio && is_hangul_name(c) && trail.is_empty() {
            let next = (i + 1 < n).then(|| core(i + 1));
            let titled = next.is_some_and(|(_, _, nc)| {
                [
                    "기자",
                    "특파원",
                    "선임기자",
                    "논설위원",
                    "객원기자",
                    "통신원",
                    "PD",
                ]
                .iter()
                .any(|k| nc.starts_with(k))
            });
            if titled {
                let (_, nb, _) = next.unwrap();
                spans.push((a, if title { nb } else { b }, Span::Name));
                i += 2;
                continue;
            }
            if n == 1 {
                spans.push((a, b, Span::Name));
            }
        } else if !bio && c.ends_with("기자") && is_hangul_name(&c[..c.len() - "기자".len()]) {
            let e = if title { b } else { b - "기자".len() };
            spans.push((a, e, Span::Name));
        }
        i += 1;
    }
    spans
}

/// Renders a composed page as an HTML document whose lines, as chaff extracts them, are
/// [`html_lines`] of the page. The page's layout decides the convention and class names
/// ([`convention_for`]); the page's number and the seed vary the rest.
pub fn render_html(page: &ComposedPage) -> String {
    let site = Site::new(&page.layout, &page.site_lang, page.seed);
    let rng = ChaCha8Rng::seed_from_u64(
        page.seed
            ^ fnv(&page.layout).rotate_left(17)
            ^ (page.number as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    let mut w = W {
        out: String::with_capacity(8192),
        site: &site,
        rng,
        in_table: false,
        ids: Vec::new(),
    };
    head(&mut w, page);
    let depth = (site.depth + w.rng.gen_range(0..=3)).clamp(2, 12);
    let outer = w.rng.gen_range(1..=depth.min(3));
    w.wrappers(outer);
    // Runs of lines in one zone.
    let mut runs: Vec<(Zone, Vec<usize>)> = Vec::new();
    let mut story_started = false;
    // Some pages write the lines after the story (byline, bio, copyright, tools) inside the
    // body's wrapper, and the headline box outside the article element.
    let end_in_body = w.rng.gen_bool(site.end_in_body);
    let head_outside = w.rng.gen_bool(site.head_outside);
    let related_in_article = w.rng.gen_bool(site.related_in_article);
    for (i, role) in page.roles.iter().enumerate() {
        story_started |= matches!(role, LineRole::Paragraph | LineRole::Subheading);
        let mut z = zone(*role, story_started);
        let after_body = runs.last().is_some_and(|(last, _)| *last == Zone::Body);
        if end_in_body && after_body && matches!(z, Zone::End | Zone::After) {
            z = Zone::Body;
        }
        match runs.last_mut() {
            Some((last, lines)) if *last == z => lines.push(i),
            _ => runs.push((z, vec![i])),
        }
    }
    let article_zones = |z: Zone| match z {
        Zone::Head => !head_outside,
        Zone::Body | Zone::End => true,
        _ => false,
    };
    let mut in_article = false;
    let mut in_main = false;
    let inner = depth - outer;
    let table = site.conv == Convention::Table;
    for (k, (z, lines)) in runs.iter().enumerate() {
        // A related box right after the story may stand inside the article element.
        let keep = related_in_article
            && *z == Zone::Related
            && k > 0
            && matches!(runs[k - 1].0, Zone::Body | Zone::End | Zone::Related);
        if in_article && !article_zones(*z) && !keep {
            close_article(&mut w, inner);
            in_article = false;
        }
        if in_main && *z == Zone::Footer {
            close_main(&mut w);
            in_main = false;
        }
        if !in_main && *z != Zone::Footer && *z != Zone::Header {
            open_main(&mut w);
            in_main = true;
        }
        if !in_article && article_zones(*z) {
            open_article(&mut w, inner);
            in_article = true;
        }
        w.noise(0.3);
        if table {
            w.open("table", &w.attr("width", "100%"));
            w.open("tr", "");
            w.open("td", &w.attr("valign", "top"));
        }
        let first_related = *z == Zone::Related && k > 0;
        let _ = first_related;
        match z {
            Zone::Header => header(&mut w, page, lines),
            Zone::Head => head_box(&mut w, page, lines),
            Zone::Body => body(&mut w, page, lines),
            Zone::End => end_box(&mut w, page, lines),
            Zone::After => after_box(&mut w, page, lines),
            Zone::Related => related(&mut w, page, lines),
            Zone::Footer => footer(&mut w, page, lines),
        }
        if table {
            w.close("td");
            w.close("tr");
            w.close("table");
        }
    }
    if in_article {
        close_article(&mut w, inner);
    }
    if in_main {
        close_main(&mut w);
    }
    w.noise(0.5);
    w.close_wrappers(outer);
    w.out.push_str(
        "<script>(function(){var s=document.createElement('script');s.async=true;})();</script>\n",
    );
    let b = w.tag("body");
    let h = w.tag("html");
    let _ = writeln!(w.out, "</{b}></{h}>");
    w.out
}

fn head(w: &mut W, page: &ComposedPage) {
    let site = w.site;
    let headline = page
        .roles
        .iter()
        .position(|r| *r == LineRole::Headline)
        .map(|i| page.lines[i].text.clone())
        .unwrap_or_default();
    let mut title = String::new();
    escape_text(&html_text(&headline), &mut title);
    let html = w.tag("html");
    let headt = w.tag("head");
    let body = w.tag("body");
    match site.conv {
        Convention::Amp => {
            let metadata = metadata(w, page, &headline);
            let _ = write!(
                w.out,
                "<!doctype html>\n<html amp lang=\"{}\"><head><meta charset=\"utf-8\"><title>{title}</title>{metadata}\
<script async src=\"https://cdn.ampproject.org/v0.js\"></script>\
<style amp-boilerplate>body{{visibility:hidden}}</style><style amp-custom>.x{{color:#222}}</style>\
<link rel=\"canonical\" href=\"/article/{}\"></head>\n<body>\n",
                site.html_lang, page.number
            );
        }
        Convention::Table | Convention::Broken => {
            let dt = if w.rng.gen_bool(0.5) {
                "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01 Transitional//EN\">"
            } else {
                "<!DOCTYPE html>"
            };
            let charset = if site.korean { "euc-kr" } else { "iso-8859-1" };
            let _ = write!(
                w.out,
                "{dt}\n<{html}><{headt}><META http-equiv=\"Content-Type\" content=\"text/html; charset={charset}\"><TITLE>{title}</TITLE>\
<SCRIPT language=javascript src=\"/js/common.js\"></SCRIPT><LINK rel=stylesheet href=\"/css/style.css\"></{headt}>\n<{body} leftmargin=0 topmargin=0>\n"
            );
        }
        _ => {
            let metadata = metadata(w, page, &headline);
            let _ = write!(
                w.out,
                "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<title>{title}</title><meta property=\"og:title\" content=\"{}\"><link rel=\"stylesheet\" href=\"/static/main.css\">\
<script src=\"/static/app.js\" defer></script>{}</head>\n<body>\n",
                site.html_lang,
                escape_attr(&html_text(&headline)),
                metadata,
            );
        }
    }
}

/// The article's metadata in the head, as news sites publish it for search engines and
/// social networks: often a description (the deck, or the story's opening words), and on some
/// sites a schema.org `NewsArticle` in JSON-LD with the headline, the description and the
/// story's text (`articleBody`), in full or, behind a paywall, only its first paragraphs.
fn metadata(w: &mut W, page: &ComposedPage, headline: &str) -> String {
    let story: Vec<&str> = page
        .roles
        .iter()
        .zip(&page.lines)
        .filter(|(r, _)| {
            matches!(
                r,
                LineRole::Paragraph | LineRole::Subheading | LineRole::ListItem
            )
        })
        .map(|(_, l)| l.text.as_str())
        .collect();
    let deck = page
        .roles
        .iter()
        .position(|r| *r == LineRole::Deck)
        .map(|i| page.lines[i].text.as_str());
    let opening = story.first().map(|p| {
        let cut: String = p.chars().take(150).collect();
        match cut.rsplit_once(' ') {
            Some((head, _)) if cut.len() < p.len() => format!("{head}..."),
            _ => cut,
        }
    });
    let mut out = String::new();
    let description = if w.rng.gen_bool(0.65) {
        deck.map(str::to_string).or(opening)
    } else {
        None
    };
    if let Some(d) = &description {
        let _ = write!(
            out,
            "<meta name=\"description\" content=\"{0}\"><meta property=\"og:description\" content=\"{0}\">",
            escape_attr(&html_text(d))
        );
    }
    if !story.is_empty() && w.rng.gen_bool(0.4) {
        let kept = if w.rng.gen_bool(0.25) {
            w.rng.gen_range(1..=story.len().min(3))
        } else {
            story.len()
        };
        let separator = if w.rng.gen_bool(0.5) { "\n" } else { " " };
        let json = serde_json::json!({
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": headline,
            "description": description.unwrap_or_default(),
            "articleBody": story[..kept].join(separator),
        });
        // `</` would end the script element early.
        let json = json.to_string().replace("</", "<\\/");
        let _ = write!(out, "<script type=\"application/ld+json\">{json}</script>");
    }
    out
}

fn open_main(w: &mut W) {
    let tag = match w.site.conv {
        Convention::Semantic | Convention::Amp => "main",
        _ => "div",
    };
    w.open_slot(tag, Slot::Main);
}

fn close_main(w: &mut W) {
    let tag = match w.site.conv {
        Convention::Semantic | Convention::Amp => "main",
        _ => "div",
    };
    w.close(tag);
}

fn open_article(w: &mut W, inner: usize) {
    let n = inner;
    w.wrappers(n / 2);
    let tag = match w.site.conv {
        Convention::Semantic | Convention::Amp => "article",
        _ => "div",
    };
    w.open_slot(tag, Slot::ArticleBox);
    w.wrappers(n - n / 2);
}

fn close_article(w: &mut W, inner: usize) {
    let n = inner;
    w.close_wrappers(n - n / 2);
    let tag = match w.site.conv {
        Convention::Semantic | Convention::Amp => "article",
        _ => "div",
    };
    w.close(tag);
    w.close_wrappers(n / 2);
}

/// A list of one-line items in the site's list style.
fn list(w: &mut W, style: List, item_slot: Slot, texts: &[&str], linked: bool) {
    let item = |w: &mut W, t: &str| menu_item(w, t, linked);
    match style {
        List::Ul | List::Ol => {
            let tag = if style == List::Ul { "ul" } else { "ol" };
            w.open(tag, "");
            for t in texts {
                w.open_slot("li", item_slot);
                item(w, t);
                w.close("li");
            }
            w.close(tag);
        }
        List::Dl => {
            w.open("dl", "");
            for t in texts {
                w.open("dt", "");
                item(w, t);
                w.close("dt");
            }
            w.close("dl");
        }
        List::Divs => {
            for t in texts {
                w.open_slot("div", item_slot);
                item(w, t);
                w.close("div");
            }
        }
        List::Ps => {
            for t in texts {
                w.open_slot("p", item_slot);
                item(w, t);
                w.close("p");
            }
        }
        List::Br => {
            w.open("div", "");
            for (i, t) in texts.iter().enumerate() {
                if i > 0 {
                    let br = w.tag("br");
                    let _ = write!(w.out, "<{br}>");
                }
                item(w, t);
            }
            w.close("div");
        }
    }
}

/// A menu item: a link, or now and then plain text (the current section, a label).
fn menu_item(w: &mut W, text: &str, linked: bool) {
    if linked && w.rng.gen_bool(0.96) {
        w.link(text);
    } else {
        w.text(text);
    }
}

/// A menu with sub-menus: `ul > li > a + ul > li > a`.
fn nested_menu(w: &mut W, items: &[&str], linked: bool) {
    let mut rest = items;
    w.open("ul", "");
    while let Some((&top, more)) = rest.split_first() {
        rest = more;
        w.open_slot("li", Slot::MenuItem);
        menu_item(w, top, linked);
        let n = w.rng.gen_range(0..=rest.len().min(5));
        if n > 0 {
            let a = w.attr("class", ["sub", "depth2", "sub-menu", "dropdown"][n % 4]);
            w.open("ul", &a);
            for &t in &rest[..n] {
                w.open("li", "");
                menu_item(w, t, linked);
                w.close("li");
            }
            w.close("ul");
            rest = &rest[n..];
        }
        w.close("li");
    }
    w.close("ul");
}

/// Link columns (a mega-menu, a footer): each a heading line and its links.
fn columns(w: &mut W, items: &[&str], linked: bool) {
    let mut rest = items;
    let head = *["h4", "strong", "h3", "p", "div", "h5", "span"]
        .choose(&mut w.rng)
        .unwrap();
    let inner_list = w.rng.gen_bool(0.6);
    w.open("div", &w.attr("class", "cols"));
    while !rest.is_empty() {
        let n = w.rng.gen_range(2..=6).min(rest.len());
        let (col, more) = rest.split_at(n);
        rest = more;
        w.open("div", &w.attr("class", "col"));
        let head_linked = linked && w.rng.gen_bool(0.5);
        if is_inline(head) {
            w.open("div", "");
            w.open(head, "");
            menu_item(w, col[0], head_linked);
            w.close(head);
            w.close("div");
        } else {
            w.open(head, "");
            menu_item(w, col[0], head_linked);
            w.close(head);
        }
        if col.len() > 1 {
            if inner_list {
                w.open("ul", "");
                for &t in &col[1..] {
                    w.open("li", "");
                    menu_item(w, t, linked);
                    w.close("li");
                }
                w.close("ul");
            } else {
                for &t in &col[1..] {
                    w.open("div", "");
                    menu_item(w, t, linked);
                    w.close("div");
                }
            }
        }
        w.close("div");
    }
    w.close("div");
}

fn texts<'p>(page: &'p ComposedPage, lines: &[usize]) -> Vec<&'p str> {
    lines.iter().map(|&i| page.lines[i].text.as_str()).collect()
}

fn is_search(t: &str) -> bool {
    let l = t.to_lowercase();
    l.contains("search") || t.contains("검색")
}

fn is_button_like(t: &str) -> bool {
    let l = t.to_lowercase();
    [
        "log in",
        "login",
        "sign in",
        "subscribe",
        "menu",
        "share",
        "print",
        "font",
        "close",
        "로그인",
        "구독",
        "공유",
        "인쇄",
        "글자",
        "닫기",
        "스크랩",
        "가",
        "facebook",
        "copy",
    ]
    .iter()
    .any(|k| l.contains(k))
}

fn header(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let t = texts(page, lines);
    let tag = if matches!(w.site.conv, Convention::Semantic | Convention::Amp) {
        "header"
    } else {
        "div"
    };
    w.open_slot(tag, Slot::Header);
    let mut rest: &[&str] = &t;
    // The first line is often the logo or the site's name.
    if rest.len() > 2 && w.rng.gen_bool(0.4) {
        let tag = if w.rng.gen_bool(0.5) { "div" } else { "h1" };
        w.open_slot(tag, Slot::Logo);
        w.link(rest[0]);
        w.close(tag);
        rest = &rest[1..];
    }
    w.noise(0.3);
    // Menus in chunks: a utility bar, the main menu, a section menu.
    while !rest.is_empty() {
        let n = w.rng.gen_range(1..=rest.len().min(8));
        let chunk = &rest[..n];
        rest = &rest[n..];
        if chunk.len() == 1 && is_search(chunk[0]) && w.site.conv != Convention::Table {
            w.open_slot("form", Slot::Search);
            let _ = write!(w.out, "<input type=\"text\" name=\"q\">");
            let b = if w.rng.gen_bool(0.7) {
                "button"
            } else {
                "label"
            };
            w.block_line(b, None, chunk[0]);
            w.close("form");
            continue;
        }
        if chunk.len() == 1 && is_button_like(chunk[0]) && w.site.widget_buttons {
            w.block_line("button", None, chunk[0]);
            continue;
        }
        let nav =
            matches!(w.site.conv, Convention::Semantic | Convention::Amp) && w.rng.gen_bool(0.8);
        if nav {
            w.open_slot("nav", Slot::Menu);
        } else {
            w.open_slot("div", Slot::Menu);
        }
        let style = if w.site.conv == Convention::Table {
            List::Divs
        } else {
            w.site.menu
        };
        let linked = w.rng.gen_bool(0.92);
        if w.site.menu_nested && chunk.len() >= 4 && w.rng.gen_bool(0.6) {
            if chunk.len() >= 6 && w.rng.gen_bool(0.35) {
                columns(w, chunk, linked);
            } else {
                nested_menu(w, chunk, linked);
            }
        } else {
            list(w, style, Slot::MenuItem, chunk, linked);
        }
        w.close(if nav { "nav" } else { "div" });
    }
    w.close(tag);
}

/// Whether a line under the headline reads as a date or time (it goes in `<time>` on sites
/// that use it): digits with a clock, a year, or words of time.
fn looks_like_date(t: &str) -> bool {
    let digits = t.chars().filter(char::is_ascii_digit).count();
    let l = t.to_lowercase();
    digits > 0
        && (t.contains(':')
            || l.contains("20")
            || ["ago", "updated", "published", "입력", "수정", "전", "승인"]
                .iter()
                .any(|w| l.contains(w)))
}

fn head_box(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let semantic = matches!(w.site.conv, Convention::Semantic | Convention::Amp);
    let box_tag = if semantic && w.rng.gen_bool(0.7) {
        "header"
    } else {
        "div"
    };
    w.open_slot(box_tag, Slot::HeadBox);
    let mut i = 0;
    while i < lines.len() {
        let role = page.roles[lines[i]];
        let text = page.lines[lines[i]].text.as_str();
        match role {
            LineRole::Headline => {
                let tag = w.site.headline_tag;
                if tag == "div" || tag == "p" || w.rng.gen_bool(0.15) {
                    w.open_slot(if tag == "p" { "p" } else { "div" }, Slot::Headline);
                    w.open("strong", "");
                    w.text(text);
                    w.close("strong");
                    w.close(if tag == "p" { "p" } else { "div" });
                } else {
                    w.block_line(tag, Some(Slot::Headline), text);
                }
            }
            LineRole::Deck => {
                let tag = w.site.deck_tag;
                if is_inline(tag) {
                    w.wrapped_line("div", tag, Some(Slot::Deck), text);
                } else {
                    w.block_line(tag, Some(Slot::Deck), text);
                }
            }
            LineRole::AfterHeadline => {
                // A run of meta lines and widgets, each in its own block.
                let start = i;
                while i + 1 < lines.len() && page.roles[lines[i + 1]] == LineRole::AfterHeadline {
                    i += 1;
                }
                after_headline(w, page, &lines[start..=i]);
            }
            LineRole::SummaryHeading | LineRole::SummaryItem | LineRole::SummaryDisclaimer => {
                let start = i;
                while i + 1 < lines.len()
                    && matches!(
                        page.roles[lines[i + 1]],
                        LineRole::SummaryItem | LineRole::SummaryDisclaimer
                    )
                {
                    i += 1;
                }
                summary(w, page, &lines[start..=i]);
            }
            _ => {
                let start = i;
                while i + 1 < lines.len() && page.roles[lines[i + 1]] == LineRole::Byline {
                    i += 1;
                }
                byline_run(w, page, &lines[start..=i]);
            }
        }
        w.noise(0.12);
        i += 1;
    }
    w.close(box_tag);
}

fn byline(w: &mut W, text: &str) {
    let tag = w.site.byline_tag;
    if w.site.time_tag == "time" && looks_like_date(text) && w.rng.gen_bool(0.5) {
        // "By Kim Min-ji | May 7, 2024": some sites mark the whole line up as its date.
        w.open_slot("div", Slot::Byline);
        w.open("time", "");
        w.text(text);
        w.close("time");
        w.close("div");
        return;
    }
    match tag {
        "a" => {
            w.open_slot("div", Slot::Byline);
            w.link(text);
            w.close("div");
        }
        t if is_inline(t) => {
            let block = *["div", "p", "div"].choose(&mut w.rng).unwrap();
            w.open(block, "");
            w.open_slot(t, Slot::Byline);
            w.byline_inline(text, false);
            w.close(t);
            w.close(block);
        }
        t => {
            w.open_slot(t, Slot::Byline);
            w.byline_inline(text, false);
            w.close(t);
        }
    }
}

fn after_headline(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let semantic = matches!(w.site.conv, Convention::Semantic | Convention::Amp);
    w.open_slot("div", Slot::Info);
    for &l in lines {
        let text = page.lines[l].text.as_str();
        if looks_like_date(text) {
            let tag = w.site.time_tag;
            let block = *["p", "div", "span"].choose(&mut w.rng).unwrap();
            if tag == "time" {
                // `<span>` is inline: the line needs a block of its own.
                let block = if block == "span" { "div" } else { block };
                w.open(block, "");
                let stamp = format!(
                    "20{:02}-{:02}-{:02}T{:02}:{:02}:00{}",
                    w.rng.gen_range(15..26),
                    w.rng.gen_range(1..13),
                    w.rng.gen_range(1..29),
                    w.rng.gen_range(0..24),
                    w.rng.gen_range(0..60),
                    if w.site.korean { "+09:00" } else { "Z" }
                );
                let dt = w.attr("datetime", &stamp);
                w.open("time", &dt);
                w.text(text);
                w.close("time");
                w.close(block);
            } else if is_inline(tag) {
                let block = if block == "span" { "p" } else { block };
                w.wrapped_line(block, tag, Some(Slot::Info), text);
            } else {
                w.block_line(tag, Some(Slot::Info), text);
            }
        } else if w.site.widget_buttons && w.rng.gen_bool(0.8) {
            w.open_slot("div", Slot::Share);
            let _ = write!(w.out, "<span class=\"ico\"><svg width=\"16\" height=\"16\"><use href=\"#i-share\"/></svg></span>");
            w.block_line("button", None, text);
            w.close("div");
        } else if semantic && w.rng.gen_bool(0.3) {
            let a = w.slot_attrs(Slot::Share);
            w.open("ul", &a);
            w.open("li", "");
            w.link(text);
            w.close("li");
            w.close("ul");
        } else {
            let block = *["div", "p", "span"].choose(&mut w.rng).unwrap();
            let block = if block == "span" { "div" } else { block };
            w.open_slot(block, Slot::Share);
            w.link(text);
            w.close(block);
        }
    }
    w.close("div");
}

fn summary(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let semantic = matches!(w.site.conv, Convention::Semantic | Convention::Amp);
    let tag = if semantic && w.rng.gen_bool(0.4) {
        "aside"
    } else {
        "div"
    };
    w.open_slot(tag, Slot::Summary);
    let items: Vec<&str> = lines
        .iter()
        .filter(|&&l| page.roles[l] == LineRole::SummaryItem)
        .map(|&l| page.lines[l].text.as_str())
        .collect();
    let as_list = w.rng.gen_bool(0.6);
    let mut items_done = false;
    for &l in lines {
        let text = page.lines[l].text.as_str();
        match page.roles[l] {
            LineRole::SummaryHeading => {
                let h = *["h2", "h3", "strong", "p", "div"]
                    .choose(&mut w.rng)
                    .unwrap();
                if is_inline(h) {
                    w.wrapped_line("div", h, None, text);
                } else {
                    w.block_line(h, None, text);
                }
            }
            LineRole::SummaryItem => {
                if items_done {
                    continue;
                }
                items_done = true;
                if as_list {
                    list(w, List::Ul, Slot::Para, &items, false);
                } else {
                    for t in &items {
                        w.block_line("p", None, t);
                    }
                }
            }
            _ => {
                w.wrapped_line("p", "small", None, text);
            }
        }
    }
    w.close(tag);
}

fn body(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let site = w.site;
    let conv = site.conv;
    let tag = if conv == Convention::Semantic && w.rng.gen_bool(0.3) {
        "section"
    } else {
        "div"
    };
    w.open_slot(tag, Slot::Body);
    let mut i = 0;
    // An open `<br>`-separated run of paragraphs (DivBr).
    let mut br_run = false;
    let end_run = |w: &mut W, br_run: &mut bool| {
        if *br_run {
            w.close("div");
            *br_run = false;
        }
    };
    // An open section of a few paragraphs (nested `div`s), and how many more it takes.
    let mut chunk: Option<(usize, usize)> = None;
    let end_chunk = |w: &mut W, chunk: &mut Option<(usize, usize)>| {
        if let Some((depth, _)) = chunk.take() {
            w.close_wrappers(depth);
        }
    };
    while i < lines.len() {
        let l = lines[i];
        let text = page.lines[l].text.as_str();
        let role = page.roles[l];
        if role != LineRole::Paragraph && role != LineRole::Subheading {
            end_run(w, &mut br_run);
            end_chunk(w, &mut chunk);
        }
        match role {
            LineRole::Paragraph => {
                let para = if w.rng.gen_bool(0.08) {
                    Para::Div
                } else {
                    site.para
                };
                if para != Para::DivBr && site.para_chunks {
                    end_run(w, &mut br_run);
                    if let Some((_, left)) = chunk.as_mut() {
                        if *left == 0 {
                            end_chunk(w, &mut chunk);
                        } else {
                            *left -= 1;
                        }
                    }
                    if chunk.is_none() {
                        end_run(w, &mut br_run);
                        let depth = w.rng.gen_range(1..=2);
                        for d in 0..depth {
                            let a = if d == 0 {
                                w.slot_attrs(Slot::Para)
                            } else {
                                String::new()
                            };
                            w.open("div", &a);
                        }
                        chunk = Some((depth, w.rng.gen_range(1..=4)));
                    }
                }
                let links = site.para_links;
                let attrs = |w: &mut W| match &site.para_attrs {
                    Some(t) if w.rng.gen_bool(0.9) => {
                        let h = random_token(&mut w.rng, 6, BASE36);
                        t.replace("{h}", &h)
                    }
                    _ => String::new(),
                };
                match para {
                    Para::DivBr => {
                        if br_run {
                            let br = w.tag("br");
                            let _ = writeln!(w.out, "<{br}><{br}>");
                        } else {
                            w.open("div", "");
                            br_run = true;
                        }
                        w.rich_text(text, links);
                    }
                    Para::P => {
                        end_run(w, &mut br_run);
                        let mut a = attrs(w);
                        if a.is_empty() && w.rng.gen_bool(0.15) {
                            a = w.slot_attrs(Slot::Para);
                        }
                        w.open("p", &a);
                        w.rich_text(text, links);
                        w.close("p");
                    }
                    Para::Div => {
                        end_run(w, &mut br_run);
                        let mut a = attrs(w);
                        if a.is_empty() {
                            a = w.slot_attrs(Slot::Para);
                        }
                        w.open("div", &a);
                        w.rich_text(text, links);
                        w.close("div");
                    }
                    Para::Section => {
                        end_run(w, &mut br_run);
                        w.open_slot("section", Slot::Para);
                        let a = attrs(w);
                        w.open("p", &a);
                        w.rich_text(text, links);
                        w.close("p");
                        w.close("section");
                    }
                }
            }
            LineRole::Subheading => {
                end_run(w, &mut br_run);
                let t = site.sub_tag;
                if is_inline(t) {
                    w.wrapped_line("p", t, Some(Slot::Subhead), text);
                } else {
                    w.block_line(t, Some(Slot::Subhead), text);
                }
            }
            LineRole::ListItem => {
                let start = i;
                while i + 1 < lines.len() && page.roles[lines[i + 1]] == LineRole::ListItem {
                    i += 1;
                }
                let items = texts(page, &lines[start..=i]);
                let style = *[List::Ul, List::Ul, List::Ol, List::Ps, List::Br]
                    .choose(&mut w.rng)
                    .unwrap();
                list(w, style, Slot::Para, &items, false);
            }
            LineRole::PhotoControl | LineRole::Caption | LineRole::PhotoCredit => {
                let start = i;
                // Control?, caption, credit?: one picture.
                let mut seen_caption = page.roles[l] == LineRole::Caption;
                while i + 1 < lines.len() {
                    let next = page.roles[lines[i + 1]];
                    let fits = match next {
                        LineRole::Caption => !seen_caption,
                        LineRole::PhotoCredit => true,
                        _ => false,
                    };
                    if !fits
                        || (next == LineRole::PhotoCredit
                            && page.roles[lines[i]] == LineRole::PhotoCredit)
                    {
                        break;
                    }
                    seen_caption |= next == LineRole::Caption;
                    i += 1;
                }
                figure(w, page, &lines[start..=i]);
            }
            LineRole::InArticleAd => {
                // The ad may split the story over two sibling wrappers.
                let split = i > 0 && i + 1 < lines.len() && w.rng.gen_bool(site.split_body);
                if split {
                    w.close(tag);
                }
                in_article_ad(w, text);
                if split {
                    w.open_slot(tag, Slot::Body);
                }
            }
            LineRole::InlineRelated => {
                let semantic = matches!(conv, Convention::Semantic | Convention::Amp);
                let t = if semantic && w.rng.gen_bool(0.5) {
                    "aside"
                } else {
                    "div"
                };
                w.open_slot(t, Slot::RelatedBox);
                let inner = *["p", "div", "strong"].choose(&mut w.rng).unwrap();
                if inner == "strong" {
                    w.open("p", "");
                    w.open("strong", "");
                    w.link(text);
                    w.close("strong");
                    w.close("p");
                } else {
                    w.open(inner, "");
                    w.link(text);
                    w.close(inner);
                }
                w.close(t);
            }
            LineRole::Byline | LineRole::AuthorBio | LineRole::Copyright => {
                let start = i;
                while i + 1 < lines.len()
                    && matches!(
                        page.roles[lines[i + 1]],
                        LineRole::Byline | LineRole::AuthorBio | LineRole::Copyright
                    )
                {
                    i += 1;
                }
                end_lines(w, page, &lines[start..=i]);
            }
            LineRole::AfterArticle => {
                let start = i;
                while i + 1 < lines.len() && page.roles[lines[i + 1]] == LineRole::AfterArticle {
                    i += 1;
                }
                after_box(w, page, &lines[start..=i]);
            }
            _ => {
                w.block_line("p", None, text);
            }
        }
        if !br_run {
            w.noise(0.06);
        }
        i += 1;
    }
    end_run(w, &mut br_run);
    end_chunk(w, &mut chunk);
    w.close(tag);
}

fn is_newsletter(t: &str) -> bool {
    let l = t.to_lowercase();
    [
        "newsletter",
        "subscribe",
        "sign up",
        "inbox",
        "구독",
        "뉴스레터",
        "알림",
    ]
    .iter()
    .any(|k| l.contains(k))
}

/// An ad label, a widget or a newsletter box between two paragraphs.
fn in_article_ad(w: &mut W, text: &str) {
    if is_newsletter(text) && w.site.conv != Convention::Table && w.rng.gen_bool(0.7) {
        w.open_slot("div", Slot::AfterBox);
        let t = *["p", "strong", "h3", "div"].choose(&mut w.rng).unwrap();
        if is_inline(t) {
            w.wrapped_line("div", t, None, text);
        } else {
            w.block_line(t, None, text);
        }
        w.open("form", &w.attr("action", "/newsletter"));
        w.out.push_str("<input type=\"email\" name=\"email\" placeholder=\"you@example.com\"><input type=\"submit\" value=\"&#8594;\">");
        w.close("form");
        w.close("div");
        return;
    }
    w.open_slot("div", Slot::Ad);
    w.noise(0.5);
    match w.rng.gen_range(0..6) {
        0 => w.block_line("p", None, text),
        1 => {
            w.open("div", "");
            w.link(text);
            w.close("div");
        }
        2 => w.wrapped_line("div", "span", None, text),
        3 => {
            // An ad unit: a label over the slot the ad script fills.
            let n: u32 = w.rng.gen_range(100..99999);
            let unit = w.attr("data-ad-unit", &format!("/{n}/article_mid"));
            w.open("div", &unit);
            let label = *["ad-label", "label", "adv_txt", "sponsor-label"]
                .choose(&mut w.rng)
                .unwrap();
            let a = w.attr("class", label);
            w.open("div", &a);
            w.open("span", "");
            w.text(text);
            w.close("span");
            w.close("div");
            let _ = write!(w.out, "<div class=\"ad-slot\" data-slot=\"{n}\"></div>");
            w.close("div");
        }
        _ => {
            if w.site.widget_buttons {
                w.block_line("button", None, text)
            } else {
                w.block_line("div", None, text)
            }
        }
    }
    w.close("div");
}

fn figure(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let site = w.site;
    let fig = site.caption_figure;
    let n: u32 = w.rng.gen_range(100..9999);
    if fig {
        w.open_slot("figure", Slot::Figure);
    } else {
        w.open_slot("div", Slot::Figure);
    }
    if site.conv == Convention::Amp {
        let _ = write!(w.out, "<amp-img src=\"/photo/{n}.jpg\" width=\"640\" height=\"360\" layout=\"responsive\"></amp-img>");
    } else {
        let _ = write!(w.out, "<img src=\"/photo/{n}.jpg\" alt=\"\">");
    }
    let mut k = 0;
    while k < lines.len() {
        let l = lines[k];
        k += 1;
        let text = page.lines[l].text.as_str();
        let next_credit = lines
            .get(k)
            .filter(|&&n| page.roles[n] == LineRole::PhotoCredit);
        match page.roles[l] {
            LineRole::Caption if fig && site.credit_span && next_credit.is_some() => {
                // Caption and credit in one `figcaption`, the credit a `span` after a `<br>`
                // or in a block of its own.
                let credit = page.lines[*next_credit.unwrap()].text.as_str();
                k += 1;
                w.open_slot("figcaption", Slot::Caption);
                let br = w.rng.gen_bool(0.5);
                if br {
                    w.text(text);
                    let b = w.tag("br");
                    let _ = write!(w.out, "<{b}>");
                    w.open_slot("span", Slot::Credit);
                    w.text(credit);
                    w.close("span");
                } else {
                    w.block_line("p", None, text);
                    w.open("div", "");
                    w.open_slot("span", Slot::Credit);
                    w.text(credit);
                    w.close("span");
                    w.close("div");
                }
                w.close("figcaption");
            }
            LineRole::PhotoCredit if fig && site.credit_span && w.rng.gen_bool(0.6) => {
                // A credit right in the figure, between its picture and caption.
                w.open_slot("span", Slot::Credit);
                w.text(text);
                w.close("span");
            }
            LineRole::PhotoControl => {
                if site.widget_buttons {
                    w.block_line("button", None, text);
                } else {
                    w.open("div", "");
                    w.link(text);
                    w.close("div");
                }
            }
            LineRole::Caption => {
                if fig {
                    w.block_line("figcaption", Some(Slot::Caption), text);
                } else {
                    let t = *["p", "div", "span"].choose(&mut w.rng).unwrap();
                    if t == "span" {
                        w.wrapped_line("div", t, Some(Slot::Caption), text);
                    } else {
                        w.block_line(t, Some(Slot::Caption), text);
                    }
                }
            }
            _ => {
                let t = *["p", "div", "span", "small"].choose(&mut w.rng).unwrap();
                if fig && site.credit_figcaption {
                    w.block_line("figcaption", Some(Slot::Credit), text);
                } else if is_inline(t) {
                    w.wrapped_line("div", t, Some(Slot::Credit), text);
                } else {
                    w.block_line(t, Some(Slot::Credit), text);
                }
            }
        }
    }
    w.close(if fig { "figure" } else { "div" });
}

fn end_box(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let semantic = matches!(w.site.conv, Convention::Semantic | Convention::Amp);
    let wrap = if w.site.end_footer && w.rng.gen_bool(0.85) {
        Some(if semantic { "footer" } else { "div" })
    } else {
        None
    };
    if let Some(t) = wrap {
        let slot = if w.rng.gen_bool(0.5) {
            Slot::Byline
        } else {
            Slot::AfterBox
        };
        w.open_slot(t, slot);
    }
    end_lines(w, page, lines);
    if let Some(t) = wrap {
        w.close(t);
    }
}

/// Bylines, author bios and copyright lines after the story.
fn end_lines(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        let text = page.lines[l].text.as_str();
        let role = page.roles[l];
        let next = lines.get(i + 1).map(|&n| page.roles[n]);
        match role {
            LineRole::Copyright => copyright(w, text),
            LineRole::Byline | LineRole::AuthorBio
                if role == LineRole::AuthorBio || next == Some(LineRole::AuthorBio) =>
            {
                // An author box: the name (a byline line) and the bio.
                let start = i;
                while i + 1 < lines.len() && page.roles[lines[i + 1]] == LineRole::AuthorBio {
                    i += 1;
                }
                let run = &lines[start..=i];
                // A name with its address and handle reads as a list of contacts.
                let contacts =
                    run.len() > 1 && run.iter().all(|&l| is_contact_line(&page.lines[l].text));
                if contacts && w.site.byline_list.is_some() {
                    byline_run(w, page, run);
                } else {
                    bio_box(w, page, run);
                }
            }
            _ => {
                let start = i;
                while i + 1 < lines.len()
                    && page.roles[lines[i + 1]] == LineRole::Byline
                    && lines
                        .get(i + 2)
                        .is_none_or(|&n| page.roles[n] != LineRole::AuthorBio)
                {
                    i += 1;
                }
                byline_run(w, page, &lines[start..=i]);
            }
        }
        i += 1;
    }
}

/// Whether a byline or bio line is a name or an address rather than prose.
fn is_contact_line(t: &str) -> bool {
    t.contains('@') || t.split_whitespace().count() <= 4
}

/// Byline lines in a row: a list on some sites, else one block each.
fn byline_run(w: &mut W, page: &ComposedPage, run: &[usize]) {
    match w.site.byline_list {
        Some(style) if run.len() > 1 && w.rng.gen_bool(0.85) => byline_list(w, page, run, style),
        _ => {
            for &l in run {
                byline(w, &page.lines[l].text);
            }
        }
    }
}

/// Several reporters, or a name and an address: `ul > li`, `dl > dt / dd` or `div`s.
fn byline_list(w: &mut W, page: &ComposedPage, run: &[usize], style: List) {
    let (outer, first, rest) = match style {
        List::Ul => ("ul", "li", "li"),
        List::Dl => ("dl", "dt", "dd"),
        _ => ("div", "div", "div"),
    };
    w.open_slot(outer, Slot::Byline);
    for (k, &l) in run.iter().enumerate() {
        let t = if k == 0 { first } else { rest };
        w.open(t, "");
        w.byline_inline(&page.lines[l].text, false);
        w.close(t);
    }
    w.close(outer);
}

/// An author box after the story: maybe a photo, the name, the bio.
fn bio_box(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let semantic = matches!(w.site.conv, Convention::Semantic | Convention::Amp);
    let boxed = w.rng.gen_bool(0.7);
    let outer = if semantic && w.rng.gen_bool(0.4) {
        "aside"
    } else if semantic && w.rng.gen_bool(0.3) {
        "section"
    } else {
        "div"
    };
    if boxed {
        w.open_slot(outer, Slot::Bio);
        if w.rng.gen_bool(0.6) {
            let n: u32 = w.rng.gen_range(1..999);
            let _ = write!(w.out, "<img src=\"/profile/{n}.jpg\" alt=\"\">");
        }
    }
    for &l in lines {
        let text = page.lines[l].text.as_str();
        if page.roles[l] == LineRole::Byline {
            let t = *["h3", "h4", "strong", "p", "div", "h2"]
                .choose(&mut w.rng)
                .unwrap();
            if is_inline(t) {
                w.open("div", "");
                w.open_slot(t, Slot::Byline);
                w.byline_inline(text, false);
                w.close(t);
                w.close("div");
            } else {
                w.open_slot(t, Slot::Byline);
                w.byline_inline(text, false);
                w.close(t);
            }
        } else {
            let t = *["p", "div", "p"].choose(&mut w.rng).unwrap();
            let a = if boxed {
                String::new()
            } else {
                w.slot_attrs(Slot::Bio)
            };
            w.open(t, &a);
            w.byline_inline(text, !is_contact_line(text));
            w.close(t);
        }
    }
    if boxed {
        w.close(outer);
    }
}

fn copyright(w: &mut W, text: &str) {
    let t = w.site.copyright_tag;
    if is_inline(t) {
        let block = *["p", "div"].choose(&mut w.rng).unwrap();
        w.wrapped_line(block, t, Some(Slot::Copyright), text);
    } else {
        w.block_line(t, Some(Slot::Copyright), text);
    }
}

fn after_box(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let semantic = matches!(w.site.conv, Convention::Semantic | Convention::Amp);
    let tag = if semantic && w.rng.gen_bool(0.5) {
        "section"
    } else {
        "div"
    };
    w.open_slot(tag, Slot::AfterBox);
    for &l in lines {
        let text = page.lines[l].text.as_str();
        let comment = {
            let t = text.to_lowercase();
            t.contains("comment") || text.contains("댓글")
        };
        if comment && w.site.conv != Convention::Table && w.rng.gen_bool(0.7) {
            w.open("form", &w.attr("action", "/comment"));
            w.out
                .push_str("<textarea name=\"c\" placeholder=\"...\"></textarea>");
            let t = if w.rng.gen_bool(0.5) {
                "label"
            } else {
                "button"
            };
            w.block_line(t, None, text);
            w.close("form");
            continue;
        }
        match w.rng.gen_range(0..5) {
            0 if w.site.widget_buttons => w.block_line("button", None, text),
            1 => {
                w.open("div", "");
                w.link(text);
                w.close("div");
            }
            2 => {
                w.open("ul", "");
                w.open("li", "");
                w.link(text);
                w.close("li");
                w.close("ul");
            }
            3 => w.wrapped_line("div", "span", None, text),
            _ => w.block_line("p", None, text),
        }
        w.noise(0.08);
    }
    w.close(tag);
}

fn related(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    // Blocks: a heading starts one.
    let mut blocks: Vec<Vec<usize>> = Vec::new();
    for &l in lines {
        if page.roles[l] == LineRole::RelatedHeading || blocks.is_empty() {
            blocks.push(Vec::new());
        }
        blocks.last_mut().unwrap().push(l);
    }
    for block in blocks {
        related_block(w, page, &block);
    }
}

fn related_block(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let site = w.site;
    let aside = site.related_aside && w.rng.gen_bool(0.85);
    // A box above the headline is often part of the site's navigation bar.
    let top = lines
        .first()
        .is_some_and(|&l| !page.roles[..l].contains(&LineRole::Headline));
    let nav = top && site.conv == Convention::Semantic && w.rng.gen_bool(0.5);
    let outer = if nav {
        "nav"
    } else if aside {
        "aside"
    } else {
        "div"
    };
    w.open_slot(outer, Slot::RelatedBox);
    let mut rest = lines;
    if let Some(&first) = rest.first() {
        if page.roles[first] == LineRole::RelatedHeading {
            let text = page.lines[first].text.as_str();
            let h = *["h2", "h3", "h4", "strong", "div", "p", "span", "h2"]
                .choose(&mut w.rng)
                .unwrap();
            // Tabbed boxes ("most read | latest") make their headings buttons.
            let h = if site.widget_buttons && w.rng.gen_bool(0.12) {
                "button"
            } else {
                h
            };
            if is_inline(h) {
                w.wrapped_line("div", h, Some(Slot::RelatedTitle), text);
            } else {
                w.block_line(h, Some(Slot::RelatedTitle), text);
            }
            rest = &rest[1..];
        }
    }
    // Items: a headline with its teaser, author and meta lines.
    let mut items: Vec<Vec<usize>> = Vec::new();
    for &l in rest {
        let starts = matches!(
            page.roles[l],
            LineRole::RelatedItem | LineRole::OwnHeadlineInRelated
        );
        if starts || items.is_empty() {
            items.push(Vec::new());
        }
        items.last_mut().unwrap().push(l);
    }
    if w.rng.gen_bool(site.related_cards) {
        cards(w, page, &items);
        w.close(outer);
        return;
    }
    let mut style = site.related;
    if w.rng.gen_bool(0.1) {
        style = List::Divs;
    }
    // `<br>` between items cannot hold their extra lines apart from the next item's
    // headline unless every line is a line of its own; it is, since `<br>` ends lines.
    let unlinked = site.unlinked_related;
    let (list_tag, item_tag) = match style {
        List::Ul => (Some("ul"), "li"),
        List::Ol => (Some("ol"), "li"),
        List::Dl => (Some("dl"), "dt"),
        List::Divs => (None, "div"),
        List::Ps => (None, "p"),
        List::Br => (Some("div"), ""),
    };
    if let Some(t) = list_tag {
        w.open(t, "");
    }
    for (k, item) in items.iter().enumerate() {
        if style == List::Br {
            for (j, &l) in item.iter().enumerate() {
                if k > 0 || j > 0 {
                    let br = w.tag("br");
                    let _ = write!(w.out, "<{br}>");
                }
                let text = page.lines[l].text.as_str();
                if matches!(
                    page.roles[l],
                    LineRole::RelatedItem | LineRole::OwnHeadlineInRelated
                ) && !unlinked
                {
                    w.link(text);
                } else {
                    w.open("span", "");
                    w.text(text);
                    w.close("span");
                }
            }
            continue;
        }
        if style == List::Dl {
            for &l in item {
                let text = page.lines[l].text.as_str();
                if matches!(
                    page.roles[l],
                    LineRole::RelatedItem | LineRole::OwnHeadlineInRelated
                ) {
                    w.open_slot("dt", Slot::RelatedItem);
                    if unlinked {
                        w.text(text);
                    } else {
                        w.link(text);
                    }
                    w.close("dt");
                } else {
                    w.open("dd", "");
                    w.text(text);
                    w.close("dd");
                }
            }
            continue;
        }
        w.open_slot(item_tag, Slot::RelatedItem);
        for (j, &l) in item.iter().enumerate() {
            let text = page.lines[l].text.as_str();
            match page.roles[l] {
                LineRole::RelatedItem | LineRole::OwnHeadlineInRelated => {
                    // The headline: in a block of its own when more lines follow it in the item.
                    let own_block = j + 1 < item.len() || w.rng.gen_bool(0.3);
                    let b = *["div", "strong", "h3", "p"].choose(&mut w.rng).unwrap();
                    let b = if own_block { b } else { "" };
                    if b == "strong" {
                        w.open("div", "");
                        w.open("strong", "");
                    } else if !b.is_empty() {
                        w.open(b, "");
                    }
                    if unlinked {
                        w.text(text);
                    } else {
                        w.link(text);
                    }
                    if b == "strong" {
                        w.close("strong");
                        w.close("div");
                    } else if !b.is_empty() {
                        w.close(b);
                    }
                }
                LineRole::RelatedMeta => {
                    let t = *["span", "em", "time"].choose(&mut w.rng).unwrap();
                    w.wrapped_line("div", t, Some(Slot::RelatedMeta), text);
                }
                _ => {
                    let t = *["p", "div"].choose(&mut w.rng).unwrap();
                    w.block_line(t, None, text);
                }
            }
        }
        w.close(item_tag);
    }
    if let Some(t) = list_tag {
        w.close(t);
    }
    w.close(outer);
}

/// Related items as teaser cards in a grid: a picture (often the only link), the headline in
/// `h2`-`h4` (linked or not), a meta line, a teaser.
fn cards(w: &mut W, page: &ComposedPage, items: &[Vec<usize>]) {
    let site = w.site;
    let semantic = matches!(site.conv, Convention::Semantic | Convention::Amp);
    let card_tag = if semantic && w.rng.gen_bool(0.8) || w.rng.gen_bool(0.2) {
        "article"
    } else {
        "div"
    };
    let h = *["h2", "h3", "h3", "h4", "div", "p"]
        .choose(&mut w.rng)
        .unwrap();
    let grid = *[
        "grid grid-cols-3 gap-4",
        "row",
        "card-list",
        "cards",
        "list_thumb",
        "",
    ]
    .choose(&mut w.rng)
    .unwrap();
    let a = if grid.is_empty() {
        String::new()
    } else {
        w.attr("class", grid)
    };
    w.open("div", &a);
    let img_only = w.rng.gen_bool(site.card_img_only);
    for item in items {
        w.open_slot(card_tag, Slot::RelatedItem);
        let n: u32 = w.rng.gen_range(100..99999);
        if w.rng.gen_bool(0.85) {
            let href = w.href();
            let thumb = w.rng.gen_bool(0.4);
            if thumb {
                w.open("div", " class=\"thumb\"");
            }
            w.open("a", &href);
            let _ = write!(
                w.out,
                "<img src=\"/thumb/{n}.jpg\" alt=\"\" loading=\"lazy\">"
            );
            w.close("a");
            if thumb {
                w.close("div");
            }
        }
        for &l in item {
            let text = page.lines[l].text.as_str();
            match page.roles[l] {
                LineRole::RelatedItem | LineRole::OwnHeadlineInRelated => {
                    w.open(h, "");
                    if img_only || site.unlinked_related {
                        w.text(text);
                    } else {
                        w.link(text);
                    }
                    w.close(h);
                }
                LineRole::RelatedMeta => {
                    let t = *["time", "span", "time"].choose(&mut w.rng).unwrap();
                    w.wrapped_line("div", t, Some(Slot::RelatedMeta), text);
                }
                _ => {
                    let t = *["p", "div", "p"].choose(&mut w.rng).unwrap();
                    w.block_line(t, None, text);
                }
            }
        }
        w.close(card_tag);
    }
    w.close("div");
}

fn footer(w: &mut W, page: &ComposedPage, lines: &[usize]) {
    let semantic = matches!(w.site.conv, Convention::Semantic | Convention::Amp);
    let tag = if semantic { "footer" } else { "div" };
    w.open_slot(tag, Slot::Footer);
    let mut i = 0;
    while i < lines.len() {
        if page.roles[lines[i]] == LineRole::FooterCopyright {
            copyright(w, &page.lines[lines[i]].text);
            i += 1;
            continue;
        }
        let start = i;
        while i + 1 < lines.len() && page.roles[lines[i + 1]] == LineRole::Bottom {
            i += 1;
        }
        let items = texts(page, &lines[start..=i]);
        w.open_slot("div", Slot::FooterLinks);
        let linked = w.rng.gen_bool(0.85);
        let style = if w.site.conv == Convention::Table {
            List::Br
        } else {
            w.site.footer
        };
        if w.site.footer_columns && items.len() >= 5 && w.rng.gen_bool(0.8) {
            columns(w, &items, linked);
        } else {
            list(w, style, Slot::MenuItem, &items, linked);
        }
        w.close("div");
        w.noise(0.2);
        i += 1;
    }
    w.close(tag);
}

#[cfg(all(test, feature = "html"))]
mod tests {
    use super::*;
    use crate::corpus::compose::{compose, parse_article, parse_layout, ComposeParams};
    use crate::html::HtmlPage;
    use std::path::Path;

    fn layout(name: &str, lang: &str) -> crate::corpus::compose::Layout {
        let text = format!(
            r#"
name = "{name}"
kind = "publisher"
lang = "kor"
article_langs = ["{lang}"]
publishers = ["테스트일보"]
email_domains = ["test.co.kr"]
top = ["뉴스", "로그인", "검색", "정치", "경제 & 사회", "<속보>"]
after_headline = ["입력 {{yyyy}}.{{mm}}.{{dd}} {{HH}}:{{MM}}", "공유하기", "글자크기"]
in_article = ["광고"]
after_article = ["댓글 쓰기", "좋아요 {{n}}"]
byline = ["{{reporter}} 기자 {{email}}"]
byline_at = ["top", "bottom"]
photo_credit = ["사진=연합뉴스"]
copyright = ["ⓒ {{publisher}} 무단전재 및 재배포 금지"]
footer_copyright = ["Copyright © \"테스트\" 'All' rights <reserved>"]
bottom = ["회사소개", "개인정보처리방침", "검색  Search   Go"]
author_bio = ["김기자는 경제부 기자다."]
[summary]
heading = ["AI 요약"]
disclaimer = ["AI가 요약했습니다."]
marker = "• "
[[related]]
heading = "관련기사"
item = "▶ {{headline}}"
teaser = "{{teaser}}"
meta = {{ text = "{{yyyy}}.{{mm}}.{{dd}}", lang = "und" }}
count = [2, 4]
[[related]]
heading = "많이 본 뉴스"
item = "{{rank}}. {{headline}}"
position = "top"
count = [2, 3]
[[related]]
item = "[관련] {{headline}}"
"#
        );
        parse_layout(&text, Path::new("x.toml")).unwrap()
    }

    fn article(name: &str, headline: &str) -> crate::corpus::compose::Article {
        parse_article(
            &format!(
                "headline: {headline}\ndeck: 부제목 하나…부제목 둘\nauthor: 김민지\nauthor_en: Kim Min-ji\nemail: mjkim\n---\n첫 문단이다. <b>태그</b> & 기호.\n## 소제목\n> 사진 설명이다.\n둘째 문단이다.   공백이 많은 문단.\n* 목록 하나\n* 목록 둘\n셋째 문단이다 \"따옴표\" 'quote'.\n넷째 문단이다.\n"
            ),
            Path::new(name),
            "kor",
        )
        .unwrap()
    }

    /// Finds, for each convention, a layout name that gets it.
    fn layouts_for_every_convention() -> Vec<(Convention, String)> {
        let mut found = Vec::new();
        for c in Convention::ALL {
            let name = (0..2000)
                .map(|i| format!("test-site-{i}"))
                .find(|n| convention_for(n, "kor", 7) == c)
                .expect("some name gets every convention");
            found.push((c, name));
        }
        found
    }

    #[test]
    fn every_convention_reads_back_as_the_composed_lines() {
        let articles: Vec<_> = (0..8)
            .map(|i| article(&format!("{i}.txt"), &format!("기사 {i} & <제목> \"인용\"")))
            .collect();
        let params = ComposeParams {
            pages_per_layout: 12,
            drop_chrome: 0.05,
            ad_between_paragraphs: 0.5,
            summary_box: 0.6,
            ..ComposeParams::default()
        };
        for (convention, name) in layouts_for_every_convention() {
            let pages = compose(&[layout(&name, "kor")], &articles, &params).unwrap();
            for page in &pages {
                assert_eq!(page.roles.len(), page.lines.len());
                let html = render_html(page);
                assert_eq!(html, render_html(page), "deterministic");
                let parsed = HtmlPage::parse(&html);
                let got: Vec<String> = parsed.texts().iter().map(|t| t.to_string()).collect();
                let want = html_lines(page);
                assert_eq!(
                    got, want,
                    "{} page {} ({convention:?}):\n{html}",
                    page.layout, page.number
                );
                // Only runs of white space differ from the composed lines.
                for (line, text) in page.lines.iter().zip(&got) {
                    if !line.text.contains("  ") {
                        assert_eq!(&line.text, text);
                    }
                }
            }
        }
    }

    #[test]
    fn byline_names_and_addresses_are_found() {
        let spans = |t: &str, bio: bool| -> Vec<(String, Span)> {
            byline_spans(t, bio, false)
                .into_iter()
                .map(|(a, b, k)| (t[a..b].to_string(), k))
                .collect()
        };
        let name = |s: &str| (s.to_string(), Span::Name);
        assert_eq!(spans("By Jane Doe", false), vec![name("Jane Doe")]);
        assert_eq!(
            spans("By Somchai Wongsuwan, Hannah Kersey and Tomas Ried", false),
            vec![
                name("Somchai Wongsuwan"),
                name("Hannah Kersey"),
                name("Tomas Ried")
            ]
        );
        assert_eq!(
            spans("by Brian Oh — April 10, 2019 in sports", false),
            vec![name("Brian Oh")]
        );
        assert_eq!(spans("Jessica Moreno", false), vec![name("Jessica Moreno")]);
        assert_eq!(
            spans("By Thandiwe Mokoena, AfriWire Correspondent", false).len(),
            1
        );
        assert_eq!(spans("Senior Reporter", false), vec![]);
        assert_eq!(
            spans("하승우 기자 swha@yna.co.kr", false),
            vec![name("하승우"), ("swha@yna.co.kr".to_string(), Span::Mail)]
        );
        assert_eq!(spans("세종=배수아 기자", false), vec![name("배수아")]);
        assert_eq!(
            spans("[이데일리 스타in 김하린 기자]", false),
            vec![name("김하린")]
        );
        assert_eq!(
            byline_spans("김하린 기자", false, true),
            vec![(0, "김하린 기자".len(), Span::Name)]
        );
        assert_eq!(
            spans("Brian Oh is an independent journalist.", true),
            vec![name("Brian Oh")]
        );
        assert_eq!(spans("Follow @captape_asia", false)[0].1, Span::Handle);
    }

    #[test]
    fn conventions_and_names_are_per_layout() {
        let a = Site::new("some-site", "kor", 7);
        let b = Site::new("some-site", "kor", 7);
        assert_eq!(a.names, b.names);
        assert_eq!(a.conv, b.conv);
        let differ = (0..20)
            .map(|i| Site::new(&format!("site-{i}"), "eng", 7))
            .filter(|s| s.names != a.names)
            .count();
        assert_eq!(differ, 20);
        assert_eq!(html_text("  a  b\tc "), "a b c");
        let mut s = String::new();
        escape_text("a<b>&c", &mut s);
        assert_eq!(s, "a&lt;b&gt;&amp;c");
        assert_eq!(
            escape_attr("\"x\" & 'y'"),
            "&quot;x&quot; &amp; &#39;y&#39;"
        );
    }
}
