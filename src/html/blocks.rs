//! A parsed HTML document to page lines: the visible text of each block, one line per block,
//! with what later steps need to read the page's structure (the elements above each line).
//!
//! The rules (also in `docs/html.md`):
//! - block-level elements ([`is_block`]) end the current line where they open and where they
//!   close, and so does `<br>`; inline elements (`a`, `span`, `b`, ...) do not, so
//!   `Se<b>oul</b>` is one word;
//! - elements that are never rendered as text ([`is_dropped`]: `head` with its `title`,
//!   `script`, `style`, `noscript`, `template`, `svg`, `math`, `iframe`, `object`, `select`,
//!   `textarea`, `canvas`, `audio`, `video`) are dropped with all their content, as are elements
//!   with the `hidden` attribute or an inline style saying `display:none` or
//!   `visibility:hidden` (any case, any spacing);
//! - runs of ASCII white space (space, tab, CR, LF, form feed) collapse to one space, and lines
//!   are trimmed of it; other white space (U+00A0 from `&nbsp;`, U+3000, ...) is text and kept
//!   as it is, as in text mode. Inside `<pre>` a line break in the text ends the line;
//! - entities are decoded by the parser (`&amp;` is `&`, `&nbsp;` is U+00A0);
//! - a line that holds only white space is dropped, so lines are never blank.

use html5ever::{local_name, LocalName};

use super::dom::{Data, Dom, NodeId, DOCUMENT, NONE};
use super::meta::PageMeta;

/// An element's index in [`HtmlPage::elements`]: its position in document order among the
/// elements that were not dropped. Stable for a given document.
pub type ElementId = u32;

/// An element on the way from the document root to some line.
#[derive(Debug, Clone)]
pub struct HtmlElement {
    tag: LocalName,
    /// The enclosing element; `None` for `<html>`.
    pub parent: Option<ElementId>,
    /// The `id` attribute, when it has a non-empty one.
    pub id: Option<Box<str>>,
    /// The `class` attribute as written (space-separated names), when it has a non-empty one.
    pub class: Option<Box<str>>,
    /// Whether the element is block-level (it ends lines: [`is_block`]).
    pub is_block: bool,
}

impl HtmlElement {
    /// The tag name, lower case (`div`, `li`, `a`; `svg` children keep their own case).
    pub fn tag(&self) -> &str {
        &self.tag
    }
}

/// One line of an HTML page: the visible text of one block (or the part of it between two
/// `<br>`s), and where in the document it stands.
#[derive(Debug, Clone)]
pub struct HtmlLine {
    /// The text: ASCII white space collapsed and trimmed, never blank.
    pub text: String,
    /// The deepest element that holds all of the line's text: for `<li><a>headline</a></li>`
    /// the `a`, for `<p>text <a>link</a> text</p>` the `p`.
    pub element: ElementId,
    /// The block the line is part of: the nearest block-level element at or above
    /// [`element`](Self::element) (the `li` above). Lines of one list share their blocks'
    /// parent ([`HtmlPage::group`]).
    pub block: ElementId,
    /// Characters of the text (Unicode scalar values), separating spaces included.
    pub chars: u32,
    /// Characters of the text that are inside an `<a>` element.
    pub link_chars: u32,
}

impl HtmlLine {
    /// The share of the line's characters that are link text, 0 to 1.
    pub fn link_share(&self) -> f32 {
        if self.chars == 0 {
            0.0
        } else {
            self.link_chars as f32 / self.chars as f32
        }
    }
}

/// A page read from HTML: its lines in document order, and the elements above them.
#[derive(Debug, Clone, Default)]
pub struct HtmlPage {
    /// The lines, in document order; these are what `chaff label` prints.
    pub lines: Vec<HtmlLine>,
    /// Every element that was not dropped, in document order; lines point into it.
    pub elements: Vec<HtmlElement>,
    /// The article's title, description and body as the page's metadata gives them.
    pub meta: PageMeta,
}

impl HtmlPage {
    /// Parses an HTML document (already decoded: see [`super::decode_html`]) and extracts its
    /// lines. Never fails: broken markup is repaired as a browser would.
    pub fn parse(html: &str) -> HtmlPage {
        let dom = Dom::parse(html);
        let mut page = extract(&dom, true);
        // Pages rendered by some frameworks stream their content into `<div hidden>` and show
        // it with a script: read without a script, such a page is nearly empty. When the
        // visible text is short, the page is read again with hidden elements, and that reading
        // is taken if it holds four times as much text.
        if chars_of(&page) < HIDDEN_CONTENT_CHECK_CHARS {
            let with_hidden = extract(&dom, false);
            if chars_of(&with_hidden) >= 4 * chars_of(&page).max(1) {
                page = with_hidden;
            }
        }
        page.meta = PageMeta::of(&dom);
        page
    }

    /// The lines' texts, in order: the page as text mode would see it.
    pub fn texts(&self) -> Vec<&str> {
        self.lines.iter().map(|l| l.text.as_str()).collect()
    }

    /// `element` and the elements above it, innermost first, up to `<html>`.
    pub fn ancestors(&self, element: ElementId) -> impl Iterator<Item = &HtmlElement> + '_ {
        let mut next = Some(element);
        std::iter::from_fn(move || {
            let e = &self.elements[next? as usize];
            next = e.parent;
            Some(e)
        })
    }

    /// The tags from `<html>` down to `element`, joined by `>`: `html>body>div>ul>li>a`.
    pub fn tag_path(&self, element: ElementId) -> String {
        let mut tags: Vec<&str> = self.ancestors(element).map(HtmlElement::tag).collect();
        tags.reverse();
        tags.join(">")
    }

    /// The group a line belongs to: the parent of its block (the `ul` of a list's `li` lines),
    /// or the block itself when it has none. Lines with the same group are siblings.
    pub fn group(&self, line: &HtmlLine) -> ElementId {
        self.elements[line.block as usize]
            .parent
            .unwrap_or(line.block)
    }
}

/// Whether an element of this tag ends lines (where it opens and where it closes).
pub fn is_block(tag: &LocalName) -> bool {
    matches!(
        *tag,
        local_name!("address")
            | local_name!("article")
            | local_name!("aside")
            | local_name!("blockquote")
            | local_name!("body")
            | local_name!("br")
            | local_name!("button")
            | local_name!("caption")
            | local_name!("center")
            | local_name!("dd")
            | local_name!("details")
            | local_name!("dialog")
            | local_name!("dir")
            | local_name!("div")
            | local_name!("dl")
            | local_name!("dt")
            | local_name!("fieldset")
            | local_name!("figcaption")
            | local_name!("figure")
            | local_name!("footer")
            | local_name!("form")
            | local_name!("h1")
            | local_name!("h2")
            | local_name!("h3")
            | local_name!("h4")
            | local_name!("h5")
            | local_name!("h6")
            | local_name!("header")
            | local_name!("hgroup")
            | local_name!("hr")
            | local_name!("html")
            | local_name!("label")
            | local_name!("legend")
            | local_name!("li")
            | local_name!("main")
            | local_name!("menu")
            | local_name!("nav")
            | local_name!("ol")
            | local_name!("optgroup")
            | local_name!("option")
            | local_name!("p")
            | local_name!("pre")
            | local_name!("section")
            | local_name!("summary")
            | local_name!("table")
            | local_name!("tbody")
            | local_name!("td")
            | local_name!("tfoot")
            | local_name!("th")
            | local_name!("thead")
            | local_name!("tr")
            | local_name!("ul")
    )
}

/// Whether an element of this tag is dropped with all its content.
pub fn is_dropped(tag: &LocalName) -> bool {
    matches!(
        *tag,
        local_name!("head")
            | local_name!("title")
            | local_name!("script")
            | local_name!("style")
            | local_name!("noscript")
            | local_name!("template")
            | local_name!("svg")
            | local_name!("math")
            | local_name!("iframe")
            | local_name!("object")
            | local_name!("select")
            | local_name!("textarea")
            | local_name!("canvas")
            | local_name!("audio")
            | local_name!("video")
    )
}

/// Below this many characters of visible text, a page's hidden elements are looked at too.
const HIDDEN_CONTENT_CHECK_CHARS: u64 = 1000;

fn chars_of(page: &HtmlPage) -> u64 {
    page.lines.iter().map(|l| u64::from(l.chars)).sum()
}

/// Whether an inline style hides the element: `display:none` or `visibility:hidden`, in any
/// case and with any white space.
pub(super) fn style_hides(style: &str) -> bool {
    let compact: String = style
        .chars()
        .filter(|c| !c.is_ascii_whitespace())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    compact.contains("display:none") || compact.contains("visibility:hidden")
}

/// The walk over the document that builds the lines.
struct Extractor {
    /// Elements with `hidden` or an inline style that hides them are dropped.
    drop_hidden: bool,
    page: HtmlPage,
    /// The open elements (ids into `page.elements`), outermost first.
    stack: Vec<ElementId>,
    /// The line being built.
    line: String,
    chars: u32,
    link_chars: u32,
    /// A space is due before the next word of the line.
    pending_space: bool,
    /// How many of the open elements are `a` / `pre`.
    in_link: u32,
    in_pre: u32,
    /// The fewest open elements since the line's first word: the open elements below that
    /// depth all closed after it, so the line's text lies under the first `low_water` ones.
    low_water: usize,
    /// The deepest element holding all the line's words so far.
    line_element: ElementId,
}

/// Extracts the lines of a parsed document.
fn extract(dom: &Dom, drop_hidden: bool) -> HtmlPage {
    let mut x = Extractor {
        drop_hidden,
        page: HtmlPage::default(),
        stack: Vec::new(),
        line: String::new(),
        chars: 0,
        link_chars: 0,
        pending_space: false,
        in_link: 0,
        in_pre: 0,
        low_water: 0,
        line_element: 0,
    };
    // Depth-first, in document order, with the tree's own links as the stack: no recursion,
    // so any nesting depth is fine.
    let mut cur = dom.node(DOCUMENT).first_child;
    if cur == NONE {
        return x.page;
    }
    'walk: loop {
        let entered = x.enter(dom, cur);
        let first_child = dom.node(cur).first_child;
        if entered && first_child != NONE {
            cur = first_child;
            continue;
        }
        if entered {
            x.leave();
        }
        loop {
            let node = dom.node(cur);
            if node.next != NONE {
                cur = node.next;
                break;
            }
            cur = node.parent;
            if cur == DOCUMENT || cur == NONE {
                break 'walk;
            }
            x.leave();
        }
    }
    x.end_line();
    x.page
}

impl Extractor {
    /// Visits a node: text is added to the line; an element that is not dropped is opened
    /// (and `true` returned: its children are visited and [`leave`](Self::leave) closes it).
    fn enter(&mut self, dom: &Dom, id: NodeId) -> bool {
        match &dom.node(id).data {
            Data::Text(text) => {
                self.text(text);
                false
            }
            Data::Element { local, attrs, .. } => {
                let tag = local;
                if is_dropped(tag) {
                    return false;
                }
                let mut id_attr = None;
                let mut class = None;
                for attr in dom.attrs(*attrs) {
                    match attr.name.local {
                        local_name!("hidden") if self.drop_hidden => return false,
                        local_name!("style") if self.drop_hidden && style_hides(&attr.value) => {
                            return false
                        }
                        local_name!("id") if !attr.value.trim().is_empty() => {
                            id_attr = Some(Box::from(&*attr.value));
                        }
                        local_name!("class") if !attr.value.trim().is_empty() => {
                            class = Some(Box::from(&*attr.value));
                        }
                        _ => {}
                    }
                }
                let block = is_block(tag);
                if block {
                    self.end_line();
                }
                let element = self.page.elements.len() as ElementId;
                self.page.elements.push(HtmlElement {
                    tag: tag.clone(),
                    parent: self.stack.last().copied(),
                    id: id_attr,
                    class,
                    is_block: block,
                });
                self.stack.push(element);
                match *tag {
                    local_name!("a") => self.in_link += 1,
                    local_name!("pre") | local_name!("listing") => self.in_pre += 1,
                    _ => {}
                }
                true
            }
            Data::Document | Data::Other => false,
        }
    }

    /// Closes the innermost open element.
    fn leave(&mut self) {
        let Some(element) = self.stack.pop() else {
            return;
        };
        if !self.line.is_empty() {
            self.low_water = self.low_water.min(self.stack.len());
        }
        let e = &self.page.elements[element as usize];
        match e.tag {
            local_name!("a") => self.in_link -= 1,
            local_name!("pre") | local_name!("listing") => self.in_pre -= 1,
            _ => {}
        }
        if e.is_block {
            self.end_line();
        }
    }

    /// Adds a text node's text to the line.
    fn text(&mut self, text: &str) {
        if self.in_pre > 0 {
            for (i, part) in text.split('\n').enumerate() {
                if i > 0 {
                    self.end_line();
                }
                self.collapsed(part);
            }
        } else {
            self.collapsed(text);
        }
    }

    /// Adds text with its runs of ASCII white space collapsed to one space.
    fn collapsed(&mut self, text: &str) {
        // ASCII white space bytes never occur inside a multi-byte char: split the bytes.
        let bytes = text.as_bytes();
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            if matches!(b, b' ' | b'\t' | b'\n' | b'\x0C' | b'\r') {
                if start < i {
                    self.word(&text[start..i]);
                }
                self.pending_space = true;
                start = i + 1;
            }
        }
        if start < bytes.len() {
            self.word(&text[start..]);
        }
    }

    fn word(&mut self, word: &str) {
        let Some(&top) = self.stack.last() else {
            return;
        };
        if self.line.is_empty() {
            self.low_water = self.stack.len();
            self.line_element = top;
        } else {
            if self.pending_space {
                self.line.push(' ');
                self.chars += 1;
            }
            self.line_element = self.stack[self.low_water - 1];
        }
        self.pending_space = false;
        self.line.push_str(word);
        let n = if word.is_ascii() {
            word.len()
        } else {
            word.chars().count()
        } as u32;
        self.chars += n;
        if self.in_link > 0 {
            self.link_chars += n;
        }
    }

    /// Ends the line being built, keeping it unless it is only white space.
    fn end_line(&mut self) {
        self.pending_space = false;
        if self.line.is_empty() {
            return;
        }
        let mut text = std::mem::take(&mut self.line);
        let (chars, link_chars) = (self.chars, self.link_chars);
        self.chars = 0;
        self.link_chars = 0;
        if text.trim().is_empty() {
            return;
        }
        // The page keeps its lines until it is labeled: without the room left by growing.
        text.shrink_to_fit();
        let element = self.line_element;
        let mut block = element;
        let mut at = Some(element);
        while let Some(e) = at {
            let el = &self.page.elements[e as usize];
            if el.is_block {
                block = e;
                break;
            }
            at = el.parent;
        }
        self.page.lines.push(HtmlLine {
            text,
            element,
            block,
            chars,
            link_chars,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(html: &str) -> Vec<String> {
        HtmlPage::parse(html)
            .lines
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    #[test]
    fn blocks_and_br_end_lines() {
        assert_eq!(
            lines("<p>One <b>two</b>\n  three</p><div>Four<br>five<br/><br>six</div>"),
            ["One two three", "Four", "five", "six"]
        );
        // Inline elements join without a space; white space between them gives one.
        assert_eq!(lines("<p>Se<b>oul</b> <i>bus</i></p>"), ["Seoul bus"]);
    }

    #[test]
    fn dropped_content() {
        let html = "<html><head><title>Title</title><style>p{}</style></head><body>\
            <script>var x = '<p>no</p>';</script><noscript>Enable JS</noscript>\
            <p hidden>hidden</p><div style='DISPLAY : None'>gone</div>\
            <div style=\"color:red\">shown</div><svg><text>svg</text></svg>\
            <template><p>template</p></template><p>kept</p></body></html>";
        assert_eq!(lines(html), ["shown", "kept"]);
    }

    #[test]
    fn content_streamed_into_a_hidden_element_is_read() {
        let para = "Seoul will add three late-night bus routes next year, the city said. ";
        let streamed = format!(
            "<html><body><div hidden><h1>Night buses</h1><p>{para}</p><p>{para}</p></div>\
             <p>Loading</p><script>show()</script></body></html>"
        );
        assert_eq!(
            lines(&streamed),
            ["Night buses", para.trim(), para.trim(), "Loading"]
        );
        // A page with its text in view still drops its hidden elements, long or short.
        let shown = format!(
            "<html><body><p>{para}</p><p>{para}</p><div hidden><p>{para}</p></div></body></html>"
        );
        assert_eq!(lines(&shown), [para.trim(), para.trim()]);
    }

    #[test]
    fn entities_and_unicode_spaces() {
        assert_eq!(
            lines("<p>A&nbsp;&amp;&#32;B&#x3000;C\t\tD</p><p>&nbsp;</p>"),
            ["A\u{a0}& B\u{3000}C D"]
        );
    }

    #[test]
    fn pre_keeps_its_line_breaks() {
        assert_eq!(
            lines("<pre>\nline  one\nline two\n</pre>"),
            ["line one", "line two"]
        );
    }

    #[test]
    fn structure_of_lines() {
        let page = HtmlPage::parse(
            "<body><div class='story' id=main><p>Text <a href=x>link</a> more</p>\
             <ul class=related><li><a href=1>First</a></li><li><a href=2>Second</a></li></ul></div></body>",
        );
        let l = &page.lines;
        assert_eq!(l.len(), 3);
        assert_eq!(page.tag_path(l[0].element), "html>body>div>p");
        assert_eq!(page.tag_path(l[1].element), "html>body>div>ul>li>a");
        assert_eq!(page.tag_path(l[1].block), "html>body>div>ul>li");
        assert_eq!(l[0].link_chars, 4);
        assert_eq!(l[0].chars, 14);
        assert_eq!(l[1].link_share(), 1.0);
        assert_eq!(page.group(&l[1]), page.group(&l[2]));
        assert_ne!(page.group(&l[0]), page.group(&l[1]));
        let classes: Vec<&str> = page
            .ancestors(l[1].element)
            .filter_map(|e| e.class.as_deref())
            .collect();
        assert_eq!(classes, ["related", "story"]);
        let ids: Vec<&str> = page
            .ancestors(l[0].element)
            .filter_map(|e| e.id.as_deref())
            .collect();
        assert_eq!(ids, ["main"]);
    }

    #[test]
    fn broken_markup_is_repaired() {
        assert_eq!(
            lines("<div><p>One<p>Two</div></div><ul><li>Three<li>Four</b></ul>"),
            ["One", "Two", "Three", "Four"]
        );
        // A table cell outside a table is no cell, for browsers as for the parser.
        assert_eq!(lines("<p>Three<td>Four"), ["ThreeFour"]);
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let depth = 10_000;
        let html = format!("{}deep{}", "<div>".repeat(depth), "</div>".repeat(depth));
        assert_eq!(lines(&html), ["deep"]);
        let html = format!("{}deep", "<span>".repeat(depth));
        assert_eq!(lines(&html), ["deep"]);
    }

    #[test]
    fn empty_and_text_only_documents() {
        assert!(lines("").is_empty());
        assert_eq!(lines("just text"), ["just text"]);
    }
}
