//! A small arena DOM for html5ever's tree builder: nodes in one vector, linked by index, so
//! building is cheap, dropping is flat (no recursion, whatever the nesting), and walking it is
//! a loop.

use std::borrow::Cow;
use std::cell::RefCell;

use html5ever::tendril::{StrTendril, TendrilSink};
use html5ever::tree_builder::{ElemName, ElementFlags, NodeOrText, QuirksMode, TreeSink};
use html5ever::{local_name, ns, parse_document, Attribute, LocalName, Namespace, QualName};

/// A node's index in the arena; [`NONE`] for no node.
pub(crate) type NodeId = u32;
pub(crate) const NONE: NodeId = NodeId::MAX;
/// The document node.
pub(crate) const DOCUMENT: NodeId = 0;

#[derive(Debug)]
pub(crate) enum Data {
    Document,
    Element {
        /// The element's namespace and local name (a prefix is never read).
        ns: Namespace,
        local: LocalName,
        /// Its attributes that chaff reads ([`Dom::attrs`]): an index into the document's
        /// attribute lists, or `NONE` when it has none. Kept out of the node, which every run
        /// of text is too, so that nodes stay small.
        attrs: u32,
    },
    Text(StrTendril),
    /// Comments, processing instructions, doctypes: nothing chaff reads.
    Other,
}

#[derive(Debug)]
pub(crate) struct Node {
    pub(crate) parent: NodeId,
    pub(crate) first_child: NodeId,
    pub(crate) last_child: NodeId,
    pub(crate) prev: NodeId,
    pub(crate) next: NodeId,
    pub(crate) data: Data,
}

impl Node {
    fn new(data: Data) -> Node {
        Node {
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            prev: NONE,
            next: NONE,
            data,
        }
    }
}

/// A parsed document.
pub(crate) struct Dom {
    pub(crate) nodes: Vec<Node>,
    attrs: Vec<Vec<Attribute>>,
}

impl Dom {
    /// Parses `text` as an HTML document, as a browser would (html5ever's tree builder).
    pub(crate) fn parse(text: &str) -> Dom {
        // Every element, comment or run of text but the first starts at a `<` or follows one:
        // twice their count holds the document's nodes without the vector growing on the way.
        let mut nodes = Vec::with_capacity(2 * count_byte(text.as_bytes(), b'<') + 8);
        nodes.push(Node::new(Data::Document));
        let sink = Sink {
            nodes: RefCell::new(nodes),
            attrs: RefCell::new(Vec::new()),
        };
        // The text is given to the parser in pieces, not copied whole: text nodes share the
        // piece they came from, and pieces whose text is never read (scripts, styles) are
        // freed as soon as they are parsed.
        let mut parser = parse_document(sink, Default::default());
        let mut rest = text;
        while !rest.is_empty() {
            let mut end = rest.len().min(PARSE_CHUNK_BYTES);
            while !rest.is_char_boundary(end) {
                end += 1;
            }
            let (piece, tail) = rest.split_at(end);
            parser.process(StrTendril::from_slice(piece));
            rest = tail;
        }
        parser.finish()
    }

    /// The attributes of an element whose `attrs` is `index`: those chaff reads
    /// ([`kept_attribute`]), in document order.
    pub(crate) fn attrs(&self, index: u32) -> &[Attribute] {
        match index {
            NONE => &[],
            i => &self.attrs[i as usize],
        }
    }

    pub(crate) fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }
}

/// How much of the document the parser is given at a time.
const PARSE_CHUNK_BYTES: usize = 64 << 10;

/// The attribute as chaff keeps it, if chaff reads it: on any element `hidden` and a `style`
/// that hides it (to drop hidden elements), `id` and `class` (for the structure); `type` of a
/// `<script>`, `property`, `name` and `content` of a `<meta>` and `rel` and `href` of a
/// `<link>` (for the metadata and the page's own address). Other
/// attributes are not kept, and a kept value is copied to a buffer of its size.
fn kept_attribute(element: &LocalName, attr: Attribute) -> Option<Attribute> {
    let kept = match attr.name.local {
        local_name!("hidden") | local_name!("id") | local_name!("class") => true,
        local_name!("style") => super::blocks::style_hides(&attr.value),
        local_name!("type") => *element == local_name!("script"),
        local_name!("property") | local_name!("name") | local_name!("content") => {
            *element == local_name!("meta")
        }
        local_name!("rel") | local_name!("href") => *element == local_name!("link"),
        _ => false,
    };
    kept.then(|| Attribute {
        value: StrTendril::from_slice(&attr.value),
        name: attr.name,
    })
}

/// A run of text as a node keeps it: in a buffer of its own (a run the parser hands over
/// shares the buffer of the piece of the document it came from, which would keep the whole
/// piece alive as long as the document).
fn own(text: StrTendril) -> StrTendril {
    StrTendril::from_slice(&text)
}

/// Whether an element is an HTML `<template>`, whose contents are a fragment node of their own
/// (created just before the element).
fn is_template(ns: &Namespace, local: &LocalName) -> bool {
    *ns == ns!(html) && *local == local_name!("template")
}

/// How many times `needle` occurs in `bytes`.
fn count_byte(bytes: &[u8], needle: u8) -> usize {
    // Byte sums over chunks that cannot overflow a byte: the compiler vectorizes them.
    bytes
        .chunks(255)
        .map(|chunk| {
            chunk
                .iter()
                .fold(0u8, |n, &b| n.wrapping_add((b == needle) as u8)) as usize
        })
        .sum()
}

/// An element's name, as the tree builder asks for it.
#[derive(Debug)]
pub(crate) struct Name(QualName);

/// Whether the text inside such an element is never read: neither lines (the element is
/// dropped) nor metadata (JSON-LD scripts are read, other scripts not). Scripts and styles are
/// a good part of a page's bytes, so their text is not kept.
fn text_is_never_read(local: &LocalName, attrs: &[Attribute]) -> bool {
    match *local {
        local_name!("style")
        | local_name!("noscript")
        | local_name!("textarea")
        | local_name!("iframe") => true,
        local_name!("script") => !attrs.iter().any(|a| {
            a.name.local == local_name!("type")
                && a.value.trim().eq_ignore_ascii_case("application/ld+json")
        }),
        _ => false,
    }
}

impl ElemName for Name {
    fn ns(&self) -> &Namespace {
        &self.0.ns
    }

    fn local_name(&self) -> &LocalName {
        &self.0.local
    }
}

struct Sink {
    nodes: RefCell<Vec<Node>>,
    attrs: RefCell<Vec<Vec<Attribute>>>,
}

impl Sink {
    fn push(&self, data: Data) -> NodeId {
        let mut nodes = self.nodes.borrow_mut();
        let id = nodes.len() as NodeId;
        nodes.push(Node::new(data));
        id
    }

    /// Unlinks `id` from its parent and siblings.
    fn detach(nodes: &mut [Node], id: NodeId) {
        let (parent, prev, next) = {
            let n = &nodes[id as usize];
            (n.parent, n.prev, n.next)
        };
        if parent == NONE {
            return;
        }
        if prev != NONE {
            nodes[prev as usize].next = next;
        } else {
            nodes[parent as usize].first_child = next;
        }
        if next != NONE {
            nodes[next as usize].prev = prev;
        } else {
            nodes[parent as usize].last_child = prev;
        }
        let n = &mut nodes[id as usize];
        n.parent = NONE;
        n.prev = NONE;
        n.next = NONE;
    }

    /// Links the detached node `id` as the last child of `parent`.
    fn link_last(nodes: &mut [Node], parent: NodeId, id: NodeId) {
        let last = nodes[parent as usize].last_child;
        {
            let n = &mut nodes[id as usize];
            n.parent = parent;
            n.prev = last;
            n.next = NONE;
        }
        if last != NONE {
            nodes[last as usize].next = id;
        } else {
            nodes[parent as usize].first_child = id;
        }
        nodes[parent as usize].last_child = id;
    }

    /// Links the detached node `id` just before `sibling`.
    fn link_before(nodes: &mut [Node], sibling: NodeId, id: NodeId) {
        let (parent, prev) = {
            let s = &nodes[sibling as usize];
            (s.parent, s.prev)
        };
        {
            let n = &mut nodes[id as usize];
            n.parent = parent;
            n.prev = prev;
            n.next = sibling;
        }
        nodes[sibling as usize].prev = id;
        if prev != NONE {
            nodes[prev as usize].next = id;
        } else {
            nodes[parent as usize].first_child = id;
        }
    }
}

impl TreeSink for Sink {
    type Handle = NodeId;
    type Output = Dom;
    type ElemName<'a> = Name;

    fn finish(self) -> Dom {
        Dom {
            nodes: self.nodes.into_inner(),
            attrs: self.attrs.into_inner(),
        }
    }

    fn parse_error(&self, _msg: Cow<'static, str>) {}

    fn get_document(&self) -> NodeId {
        DOCUMENT
    }

    fn elem_name<'a>(&'a self, target: &'a NodeId) -> Name {
        match &self.nodes.borrow()[*target as usize].data {
            Data::Element { ns, local, .. } => Name(QualName::new(None, ns.clone(), local.clone())),
            // The tree builder only asks about elements; a placeholder keeps it from panicking.
            _ => Name(QualName::new(None, ns!(html), local_name!(""))),
        }
    }

    fn create_element(&self, name: QualName, attrs: Vec<Attribute>, _: ElementFlags) -> NodeId {
        if is_template(&name.ns, &name.local) {
            // Its contents: the node just before it.
            self.push(Data::Document);
        }
        let read: Vec<Attribute> = attrs
            .into_iter()
            .filter_map(|a| kept_attribute(&name.local, a))
            .collect();
        let attrs = if read.is_empty() {
            NONE
        } else {
            let mut lists = self.attrs.borrow_mut();
            lists.push(read);
            (lists.len() - 1) as u32
        };
        self.push(Data::Element {
            ns: name.ns,
            local: name.local,
            attrs,
        })
    }

    fn create_comment(&self, _text: StrTendril) -> NodeId {
        self.push(Data::Other)
    }

    fn create_pi(&self, _target: StrTendril, _data: StrTendril) -> NodeId {
        self.push(Data::Other)
    }

    fn append(&self, parent: &NodeId, child: NodeOrText<NodeId>) {
        match child {
            NodeOrText::AppendNode(id) => {
                let nodes = &mut *self.nodes.borrow_mut();
                Self::detach(nodes, id);
                Self::link_last(nodes, *parent, id);
            }
            NodeOrText::AppendText(text) => {
                if let Data::Element { local, attrs, .. } =
                    &self.nodes.borrow()[*parent as usize].data
                {
                    let lists = self.attrs.borrow();
                    let attrs = match *attrs {
                        NONE => &[][..],
                        i => &lists[i as usize],
                    };
                    if text_is_never_read(local, attrs) {
                        return;
                    }
                }
                let last = self.nodes.borrow()[*parent as usize].last_child;
                if last != NONE {
                    if let Data::Text(t) = &mut self.nodes.borrow_mut()[last as usize].data {
                        t.push_tendril(&text);
                        return;
                    }
                }
                let id = self.push(Data::Text(own(text)));
                Self::link_last(&mut self.nodes.borrow_mut(), *parent, id);
            }
        }
    }

    fn append_based_on_parent_node(
        &self,
        element: &NodeId,
        prev_element: &NodeId,
        child: NodeOrText<NodeId>,
    ) {
        let has_parent = self.nodes.borrow()[*element as usize].parent != NONE;
        if has_parent {
            self.append_before_sibling(element, child);
        } else {
            self.append(prev_element, child);
        }
    }

    fn append_doctype_to_document(&self, _: StrTendril, _: StrTendril, _: StrTendril) {}

    fn get_template_contents(&self, target: &NodeId) -> NodeId {
        match &self.nodes.borrow()[*target as usize].data {
            Data::Element { ns, local, .. } if is_template(ns, local) => *target - 1,
            // Only asked about templates; their own node serves if it ever is not one.
            _ => *target,
        }
    }

    fn same_node(&self, x: &NodeId, y: &NodeId) -> bool {
        x == y
    }

    fn set_quirks_mode(&self, _mode: QuirksMode) {}

    fn append_before_sibling(&self, sibling: &NodeId, new_node: NodeOrText<NodeId>) {
        match new_node {
            NodeOrText::AppendNode(id) => {
                let nodes = &mut *self.nodes.borrow_mut();
                Self::detach(nodes, id);
                Self::link_before(nodes, *sibling, id);
            }
            NodeOrText::AppendText(text) => {
                let prev = self.nodes.borrow()[*sibling as usize].prev;
                if prev != NONE {
                    if let Data::Text(t) = &mut self.nodes.borrow_mut()[prev as usize].data {
                        t.push_tendril(&text);
                        return;
                    }
                }
                let id = self.push(Data::Text(own(text)));
                Self::link_before(&mut self.nodes.borrow_mut(), *sibling, id);
            }
        }
    }

    fn add_attrs_if_missing(&self, target: &NodeId, new: Vec<Attribute>) {
        if let Data::Element { local, attrs, .. } =
            &mut self.nodes.borrow_mut()[*target as usize].data
        {
            let new: Vec<Attribute> = new
                .into_iter()
                .filter_map(|a| kept_attribute(local, a))
                .collect();
            if new.is_empty() {
                return;
            }
            let mut lists = self.attrs.borrow_mut();
            if *attrs == NONE {
                lists.push(Vec::new());
                *attrs = (lists.len() - 1) as u32;
            }
            let list = &mut lists[*attrs as usize];
            for attr in new {
                if !list.iter().any(|a| a.name == attr.name) {
                    list.push(attr);
                }
            }
        }
    }

    fn remove_from_parent(&self, target: &NodeId) {
        Self::detach(&mut self.nodes.borrow_mut(), *target);
    }

    fn reparent_children(&self, node: &NodeId, new_parent: &NodeId) {
        let nodes = &mut *self.nodes.borrow_mut();
        let mut child = nodes[*node as usize].first_child;
        while child != NONE {
            let next = nodes[child as usize].next;
            Self::detach(nodes, child);
            Self::link_last(nodes, *new_parent, child);
            child = next;
        }
    }
}

// A page has a node for every element and every run of text: they are kept small.
const _: () = assert!(std::mem::size_of::<Node>() <= 48);
