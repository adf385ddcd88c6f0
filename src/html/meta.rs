//! What a page says about its own article outside its visible text: the `<title>`, the
//! description and title `<meta>` tags (`description`, `og:title`, `og:description`,
//! `twitter:*`), and the schema.org JSON-LD objects (`<script type="application/ld+json">`)
//! that many news sites publish with the article's `headline`, `description` and often its
//! whole `articleBody`. Lines that repeat them are the article's; the structure features read
//! how much of each line they hold (`features::structure`).

use html5ever::local_name;
use serde_json::Value;

use super::dom::{Data, Dom, NodeId, NONE};

/// The article's own metadata, as the page gives it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PageMeta {
    /// Titles: the `<title>`, `og:title`, `twitter:title` and JSON-LD `headline`s.
    pub titles: Vec<String>,
    /// Descriptions: `description`, `og:description`, `twitter:description` and JSON-LD
    /// `description`s.
    pub descriptions: Vec<String>,
    /// The JSON-LD `articleBody`s (usually one), the article's text as the site stores it.
    pub article_bodies: Vec<String>,
    /// The page's own address: its `<link rel="canonical">`, else its `og:url` (what site
    /// memory groups HTML pages by; see [`crate::site::site_of_url`]).
    pub url: Option<String>,
}

/// JSON-LD larger than this is not read (a page's JSON-LD is a few KB; an article body tens).
const MAX_JSON_LD_BYTES: usize = 4 << 20;
/// How deep JSON-LD objects are searched (`@graph` arrays nest a few levels).
const MAX_JSON_LD_DEPTH: usize = 8;

impl PageMeta {
    /// Collects the metadata of a parsed document.
    pub(crate) fn of(dom: &Dom) -> PageMeta {
        let mut meta = PageMeta::default();
        let mut og_url = None;
        for (id, node) in dom.nodes.iter().enumerate() {
            let Data::Element { local, attrs, .. } = &node.data else {
                continue;
            };
            let attrs = dom.attrs(*attrs);
            let attr = |key: &str| {
                attrs
                    .iter()
                    .find(|a| &*a.name.local == key)
                    .map(|a| a.value.trim())
            };
            match *local {
                local_name!("title") => push(&mut meta.titles, &text_of(dom, id as NodeId)),
                local_name!("link")
                    if meta.url.is_none()
                        && attr("rel").is_some_and(|rel| {
                            rel.split_ascii_whitespace()
                                .any(|r| r.eq_ignore_ascii_case("canonical"))
                        }) =>
                {
                    meta.url = attr("href").filter(|h| !h.is_empty()).map(str::to_string);
                }
                local_name!("meta") => {
                    let key = attr("property").or_else(|| attr("name")).unwrap_or("");
                    let content = attr("content").unwrap_or("");
                    match key.to_ascii_lowercase().as_str() {
                        "og:title" | "twitter:title" => push(&mut meta.titles, content),
                        "description" | "og:description" | "twitter:description" => {
                            push(&mut meta.descriptions, content)
                        }
                        "og:url" if og_url.is_none() && !content.is_empty() => {
                            og_url = Some(content.to_string())
                        }
                        _ => {}
                    }
                }
                local_name!("script")
                    if attr("type")
                        .is_some_and(|t| t.eq_ignore_ascii_case("application/ld+json")) =>
                {
                    let json = text_of(dom, id as NodeId);
                    if json.len() <= MAX_JSON_LD_BYTES {
                        if let Ok(value) = serde_json::from_str::<Value>(&json) {
                            meta.read_json_ld(&value, 0);
                        }
                    }
                }
                _ => {}
            }
        }
        meta.url = meta.url.or(og_url);
        meta
    }

    fn read_json_ld(&mut self, value: &Value, depth: usize) {
        if depth > MAX_JSON_LD_DEPTH {
            return;
        }
        match value {
            Value::Array(items) => items.iter().for_each(|v| self.read_json_ld(v, depth + 1)),
            Value::Object(map) => {
                for (key, v) in map {
                    match (key.as_str(), v) {
                        ("articleBody" | "text", Value::String(s)) => {
                            push(&mut self.article_bodies, s)
                        }
                        ("headline" | "alternativeHeadline", Value::String(s)) => {
                            push(&mut self.titles, s)
                        }
                        ("description", Value::String(s)) => push(&mut self.descriptions, s),
                        (_, Value::Array(_) | Value::Object(_)) => self.read_json_ld(v, depth + 1),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
}

fn push(list: &mut Vec<String>, text: &str) {
    let text = text.trim();
    if !text.is_empty() && !list.iter().any(|t| t == text) {
        list.push(text.to_string());
    }
}

/// The text of an element's text children.
fn text_of(dom: &Dom, id: NodeId) -> String {
    let mut out = String::new();
    let mut child = dom.node(id).first_child;
    while child != NONE {
        if let Data::Text(text) = &dom.node(child).data {
            out.push_str(text);
        }
        child = dom.node(child).next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_titles_descriptions_and_json_ld() {
        let html = r#"<!doctype html><html><head><title>Night buses | Example Times</title>
            <meta property="og:title" content="Night buses expand">
            <meta name="description" content="Three routes next year.">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[{"@type":"WebPage"},
              {"@type":"NewsArticle","headline":"Night buses expand","articleBody":"Seoul will expand its buses. The city said so."}]}</script>
            <script type="application/ld+json">{ broken json</script>
            <meta property="og:url" content="https://example.com/og">
            <link rel="alternate canonical" href="https://www.example.com/night-buses">
            </head><body><p>x</p></body></html>"#;
        let meta = PageMeta::of(&Dom::parse(html));
        assert_eq!(
            meta.titles,
            ["Night buses | Example Times", "Night buses expand"]
        );
        assert_eq!(meta.descriptions, ["Three routes next year."]);
        assert_eq!(
            meta.url.as_deref(),
            Some("https://www.example.com/night-buses")
        );
        assert_eq!(
            meta.article_bodies,
            ["Seoul will expand its buses. The city said so."]
        );
        assert_eq!(
            PageMeta::of(&Dom::parse("<p>nothing</p>")),
            PageMeta::default()
        );
    }
}
