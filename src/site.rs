//! Site memory: what a site's pages have in common.
//!
//! A site's chrome repeats from page to page while its articles do not. Counting, for each
//! site, on how many of its pages each line appears (and, for HTML pages, each block's
//! structure path) tells the model which lines are the site's furniture before it reads a
//! word of them. The counts are the *site features* of a line (`features::site`): the share of
//! the site's other pages that hold the same line, and how many pages the site has.
//!
//! Lines are compared after [normalization](line_key): case, digits and runs of white space
//! are ignored, so `입력 2024.10.10 10:00` on one page and `입력 2024.10.11 09:12` on the next
//! are the same line. Pages that are identical once normalized count once (a page crawled
//! twice is not evidence that its article is chrome).
//!
//! Memory is bounded: while counting, a site keeps at most [`MAX_LINES_PER_SITE`] lines and
//! [`MAX_PATHS_PER_SITE`] paths; when a site's table is full, the lines seen on one page only
//! are dropped to make room (so a line first seen before such a pruning is counted from its
//! next sighting: counts are lower bounds). A finished [`SiteProfile`] keeps only what was seen
//! on two pages or more.
//!
//! ```
//! use chaff::site::{SiteCounter, line_key};
//! let mut counter = SiteCounter::default();
//! counter.add_page("example.com", &["Home", "Share", "Story one."], None);
//! counter.add_page("example.com", &["Home", "Share", "Story two."], None);
//! let profile = counter.finish();
//! let site = profile.site("example.com").unwrap();
//! assert_eq!(site.pages(), 2);
//! assert_eq!(site.line_pages(line_key("share").unwrap()), 2);
//! assert_eq!(site.line_pages(line_key("Story one.").unwrap()), 0); // seen on one page only
//! ```

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};
use std::io::{self, Read, Write};

use crate::error::{Error, Result};

/// Each line's structure path key of a page read from HTML, what the counts of paths hold.
#[cfg(feature = "html")]
pub use crate::features::path_keys;

/// The most distinct lines a site's table holds while counting.
pub const MAX_LINES_PER_SITE: usize = 2048;
/// The most distinct structure paths a site's table holds while counting.
pub const MAX_PATHS_PER_SITE: usize = 512;

/// Keys are already hashes: the tables use them as they are.
#[derive(Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }

    fn write_u64(&mut self, key: u64) {
        self.0 = key;
    }

    fn write_u32(&mut self, key: u32) {
        // The table reads the hash's top bits too: spread the fingerprint over all 64.
        self.0 = u64::from(key).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// A site's table: a line's (or path's) key, kept as its low 32 bits (two keys of one site
/// share them about once in a billion pairs), and on how many pages it was seen. Eight bytes
/// an entry, so that ten thousand sites' tables fit in memory at once.
type KeyMap = HashMap<u32, u32, BuildHasherDefault<KeyHasher>>;
type KeySet = HashSet<u64, BuildHasherDefault<KeyHasher>>;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn fnv(hash: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(hash, |h, &b| (h ^ u64::from(b)).wrapping_mul(FNV_PRIME))
}

/// The key of a line in site memory: a 64-bit hash of the line lower-cased, with every digit
/// read as `0` and every run of white space as one space, trimmed; `None` for a line of white
/// space only.
pub fn line_key(line: &str) -> Option<u64> {
    let mut hash = WordHash::default();
    let mut space = false;
    let mut buf = [0u8; 4];
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // ASCII, most of most lines, byte by byte; other characters decoded.
        let (c, len) = if b < 0x80 {
            (b as char, 1)
        } else {
            let c = line[i..].chars().next().expect("a character starts here");
            (c, c.len_utf8())
        };
        i += len;
        if c.is_whitespace() {
            space = hash.len > 0;
            continue;
        }
        if space {
            hash.push(b' ');
            space = false;
        }
        if c.is_ascii() {
            hash.push(if c.is_ascii_digit() {
                b'0'
            } else {
                c.to_ascii_lowercase() as u8
            });
        } else {
            let c = if c.is_numeric() {
                '0'
            } else {
                c.to_lowercase().next().unwrap_or(c)
            };
            c.encode_utf8(&mut buf).bytes().for_each(|b| hash.push(b));
        }
    }
    (hash.len > 0).then(|| hash.finish())
}

/// A hash of a byte stream taken eight bytes at a time: one multiply a word rather than one a
/// byte, so that the first pass over a crawl costs little more than reading it.
#[derive(Default)]
struct WordHash {
    hash: u64,
    word: u64,
    len: u64,
}

impl WordHash {
    fn push(&mut self, b: u8) {
        self.word |= u64::from(b) << (8 * (self.len % 8));
        self.len += 1;
        if self.len % 8 == 0 {
            self.mix();
        }
    }

    fn mix(&mut self) {
        self.hash = (self.hash ^ self.word)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
        self.word = 0;
    }

    fn finish(mut self) -> u64 {
        if self.len % 8 != 0 {
            self.mix();
        }
        // The length tells `a` from `a\0`; the last steps spread every bit over all 64.
        let mut h = self.hash ^ self.len;
        h = (h ^ (h >> 33)).wrapping_mul(0xff51_afd7_ed55_8ccd);
        h = (h ^ (h >> 33)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
}

/// The key of one element of a structure path: its tag, class and id with digits read as `0`
/// (`article-12345` and `article-67890` are one name), chained onto its parent's key.
pub fn path_step(parent: u64, tag: &str, class: Option<&str>, id: Option<&str>) -> u64 {
    let mut hash = fnv(parent ^ 0x9e37_79b9_7f4a_7c15, tag.as_bytes());
    for (mark, name) in [(b'.', class), (b'#', id)] {
        if let Some(name) = name {
            hash = fnv(hash, &[mark]);
            for b in name.bytes() {
                hash = fnv(hash, &[if b.is_ascii_digit() { b'0' } else { b }]);
            }
        }
    }
    hash
}

/// One site's counts: its pages, and on how many of them each repeated line and path appears.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteCounts {
    pages: u32,
    lines: KeyMap,
    paths: KeyMap,
}

impl SiteCounts {
    /// The site's distinct pages.
    pub fn pages(&self) -> u32 {
        self.pages
    }

    /// On how many pages the line of `key` ([`line_key`]) appears; 0 when it was seen on
    /// fewer than two.
    pub fn line_pages(&self, key: u64) -> u32 {
        self.lines.get(&fingerprint(key)).copied().unwrap_or(0)
    }

    /// On how many pages the structure path of `key` appears; 0 when seen on fewer than two.
    pub fn path_pages(&self, key: u64) -> u32 {
        self.paths.get(&fingerprint(key)).copied().unwrap_or(0)
    }

    /// Distinct lines and paths held.
    pub fn len(&self) -> usize {
        self.lines.len() + self.paths.len()
    }

    /// Whether it holds no line or path.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The counts of one site's pages, as a [`SiteCounter`] makes them.
    pub fn of_pages<S: AsRef<str>>(pages: &[(&[S], Option<&[u64]>)]) -> SiteCounts {
        let mut counter = SiteCounter::default();
        for (lines, paths) in pages {
            counter.add_page("", lines, *paths);
        }
        counter.finish().sites.remove("").unwrap_or_default()
    }
}

/// A site's table while counting: its counts and the digests of the pages seen.
#[derive(Debug, Default)]
struct SiteTally {
    counts: SiteCounts,
    seen: KeySet,
}

/// Counts lines and paths per site, page by page; [`finish`](Self::finish) makes the profile.
#[derive(Debug, Default)]
pub struct SiteCounter {
    sites: HashMap<String, SiteTally>,
    keys: Vec<u64>,
}

impl SiteCounter {
    /// Counts one page of `site`: its lines and, for a page read from HTML, each line's
    /// structure path key (see `features::site::path_keys`).
    pub fn add_page<S: AsRef<str>>(&mut self, site: &str, lines: &[S], paths: Option<&[u64]>) {
        let mut keys = std::mem::take(&mut self.keys);
        keys.clear();
        keys.extend(lines.iter().filter_map(|l| line_key(l.as_ref())));
        self.add_keys(site, &keys, paths);
        self.keys = keys;
    }

    /// [`add_page`](Self::add_page) for a page whose line keys ([`line_key`]) are known.
    pub fn add_keys(&mut self, site: &str, lines: &[u64], paths: Option<&[u64]>) {
        let keys = &mut self.keys;
        keys.clear();
        keys.extend_from_slice(lines);
        keys.sort_unstable();
        keys.dedup();
        let digest = keys
            .iter()
            .fold(FNV_OFFSET, |h, k| fnv(h, &k.to_le_bytes()));
        let tally = match self.sites.get_mut(site) {
            Some(tally) => tally,
            None => self.sites.entry(site.to_string()).or_default(),
        };
        if !tally.seen.insert(digest) {
            return;
        }
        tally.counts.pages += 1;
        count_keys(&mut tally.counts.lines, keys, MAX_LINES_PER_SITE);
        if let Some(paths) = paths {
            keys.clear();
            keys.extend_from_slice(paths);
            keys.sort_unstable();
            keys.dedup();
            count_keys(&mut tally.counts.paths, keys, MAX_PATHS_PER_SITE);
        }
    }

    /// Pages counted so far, over all sites (identical pages once).
    pub fn pages(&self) -> u64 {
        self.sites.values().map(|t| u64::from(t.counts.pages)).sum()
    }

    /// The profile: each site's counts of what was seen on two pages or more.
    pub fn finish(self) -> SiteProfile {
        let sites = self
            .sites
            .into_iter()
            .map(|(name, tally)| {
                let mut counts = tally.counts;
                counts.lines.retain(|_, c| *c >= 2);
                counts.paths.retain(|_, c| *c >= 2);
                counts.lines.shrink_to_fit();
                counts.paths.shrink_to_fit();
                (name, counts)
            })
            .collect();
        SiteProfile { sites }
    }
}

/// The part of a key a site's table keeps.
fn fingerprint(key: u64) -> u32 {
    key as u32
}

/// Adds one page's distinct keys to a site's table of at most `cap` keys: when it is full, the
/// keys seen on one page only make room; when all have been seen twice, new keys are not kept.
fn count_keys(table: &mut KeyMap, keys: &[u64], cap: usize) {
    for key in keys.iter().map(|&k| fingerprint(k)) {
        if let Some(count) = table.get_mut(&key) {
            *count += 1;
            continue;
        }
        if table.len() >= cap {
            table.retain(|_, c| *c >= 2);
            if table.len() >= cap {
                continue;
            }
        }
        table.insert(key, 1);
    }
}

/// The counts of many sites, by site name: what `chaff sites build` writes and
/// `--site-profile` reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SiteProfile {
    sites: HashMap<String, SiteCounts>,
}

/// The first bytes of a site profile file.
const PROFILE_MAGIC: &[u8; 12] = b"chaff-sites\n";
/// Version of the site profile format; profiles of another version are refused.
pub const PROFILE_VERSION: u32 = 1;

impl SiteProfile {
    /// A site's counts, if the profile has the site.
    pub fn site(&self, name: &str) -> Option<&SiteCounts> {
        self.sites.get(name)
    }

    /// Number of sites.
    pub fn len(&self) -> usize {
        self.sites.len()
    }

    /// Whether the profile has no site.
    pub fn is_empty(&self) -> bool {
        self.sites.is_empty()
    }

    /// Pages counted, over all sites.
    pub fn pages(&self) -> u64 {
        self.sites.values().map(|s| u64::from(s.pages)).sum()
    }

    /// Lines and paths held, over all sites.
    pub fn entries(&self) -> usize {
        self.sites.values().map(SiteCounts::len).sum()
    }

    /// Writes the profile in its versioned binary format (sites by name, keys in order, so the
    /// same counts always give the same bytes).
    pub fn write_to(&self, mut out: impl Write) -> io::Result<()> {
        out.write_all(PROFILE_MAGIC)?;
        out.write_all(&PROFILE_VERSION.to_le_bytes())?;
        let mut names: Vec<&String> = self.sites.keys().collect();
        names.sort();
        out.write_all(&(names.len() as u64).to_le_bytes())?;
        for name in names {
            let site = &self.sites[name];
            out.write_all(&(name.len() as u32).to_le_bytes())?;
            out.write_all(name.as_bytes())?;
            out.write_all(&site.pages.to_le_bytes())?;
            for table in [&site.lines, &site.paths] {
                let mut entries: Vec<(u32, u32)> = table.iter().map(|(&k, &c)| (k, c)).collect();
                entries.sort_unstable();
                out.write_all(&(entries.len() as u32).to_le_bytes())?;
                for (key, count) in entries {
                    out.write_all(&key.to_le_bytes())?;
                    out.write_all(&count.to_le_bytes())?;
                }
            }
        }
        Ok(())
    }

    /// Reads a profile written by [`write_to`](Self::write_to); `name` (the file) is named in
    /// errors, with the byte offset where the profile stops making sense.
    pub fn read_from(name: &str, mut input: impl Read) -> Result<SiteProfile> {
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io(name.to_string(), e))?;
        let mut reader = ProfileReader {
            name,
            bytes: &bytes,
            at: PROFILE_MAGIC.len(),
        };
        if !bytes.starts_with(PROFILE_MAGIC) {
            return Err(reader.error("not a chaff site profile (made by `chaff sites build`)"));
        }
        let version = reader.u32()?;
        if version != PROFILE_VERSION {
            return Err(reader.error(&format!(
                "site profile format {version}, but this chaff reads format {PROFILE_VERSION}: \
                 rebuild it with `chaff sites build`"
            )));
        }
        let n = reader.u64()?;
        let mut sites = HashMap::new();
        for _ in 0..n {
            let len = reader.u32()? as usize;
            let site_name = std::str::from_utf8(reader.take(len)?)
                .map_err(|_| reader.error("a site name is not UTF-8"))?
                .to_string();
            let mut counts = SiteCounts {
                pages: reader.u32()?,
                ..SiteCounts::default()
            };
            for table in [&mut counts.lines, &mut counts.paths] {
                let entries = reader.u32()? as usize;
                if entries > reader.remaining() / 8 {
                    return Err(reader.error(
                        "the profile ends early (truncated file?): a site's table is longer than the rest",
                    ));
                }
                table.reserve(entries);
                for _ in 0..entries {
                    let key = reader.u32()?;
                    let count = reader.u32()?;
                    if count > counts.pages {
                        return Err(reader.error(&format!(
                            "a line counted on {count} pages of a site of {} pages",
                            counts.pages
                        )));
                    }
                    table.insert(key, count);
                }
            }
            if sites.insert(site_name, counts).is_some() {
                return Err(reader.error("a site appears twice"));
            }
        }
        if reader.remaining() != 0 {
            return Err(reader.error("bytes after the last site"));
        }
        Ok(SiteProfile { sites })
    }
}

/// Reads a profile's fields in order, remembering where it is for errors.
struct ProfileReader<'a> {
    name: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> ProfileReader<'a> {
    fn error(&self, what: &str) -> Error {
        Error::SiteProfile {
            path: self.name.to_string(),
            message: format!("byte {}: {what}", self.at),
        }
    }

    fn remaining(&self) -> usize {
        self.bytes.len() - self.at
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8]> {
        if self.remaining() < n {
            return Err(self.error("the profile ends early (truncated file?)"));
        }
        let slice = &self.bytes[self.at..self.at + n];
        self.at += n;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(
            self.take(4)?.try_into().expect("4 bytes"),
        ))
    }

    fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_le_bytes(
            self.take(8)?.try_into().expect("8 bytes"),
        ))
    }
}

/// The site of a page's URL: its host, lower-cased, without a leading `www.` and without a
/// port (`https://www.Example.com:8080/a` is `example.com`); `None` when it has no host.
pub fn site_of_url(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url.split_once("://").map_or_else(
        || url.strip_prefix("//").unwrap_or(""),
        |(scheme, rest)| {
            if scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            {
                rest
            } else {
                ""
            }
        },
    );
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit('@').next().unwrap_or("");
    let host = if host.starts_with('[') {
        host.split_inclusive(']').next().unwrap_or("")
    } else {
        host.split(':').next().unwrap_or("")
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host);
    (!host.is_empty()).then(|| host.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_ignore_case_digits_and_spacing_but_not_words() {
        let k = |s| line_key(s).unwrap();
        assert_eq!(k("입력 2024.10.10 10:00"), k("입력  2024.10.11\u{a0}09:12"));
        assert_eq!(k("Share"), k(" SHARE\u{3000}"));
        assert_ne!(k("Share"), k("Shared"));
        assert_eq!(k("٣ comments"), k("3 comments"));
        assert_eq!(line_key(" \u{a0}\t"), None);
    }

    #[test]
    fn identical_pages_count_once_and_singletons_are_dropped() {
        let mut counter = SiteCounter::default();
        counter.add_page("a", &["Menu", "Story one."], None);
        counter.add_page("a", &["Menu", "Story one."], None);
        counter.add_page("a", &["menu", "Story two.", "Story two."], None);
        counter.add_page("b", &["Menu"], None);
        let profile = counter.finish();
        let a = profile.site("a").unwrap();
        assert_eq!(a.pages(), 2);
        assert_eq!(a.line_pages(line_key("Menu").unwrap()), 2);
        assert_eq!(a.line_pages(line_key("Story two.").unwrap()), 0);
        assert_eq!(profile.site("b").unwrap().pages(), 1);
        assert_eq!(profile.pages(), 3);
    }

    #[test]
    fn a_full_table_keeps_the_repeated_lines() {
        let mut counter = SiteCounter::default();
        for page in 0..MAX_LINES_PER_SITE {
            // A story line of its own (in letters: digits are all one to site memory).
            let unique: String = format!("{page:o}")
                .bytes()
                .map(|d| (b'a' + d - b'0') as char)
                .collect();
            let unique = format!("story line {unique}");
            counter.add_page("s", &["Menu", "Share", unique.as_str()], None);
        }
        let profile = counter.finish();
        let site = profile.site("s").unwrap();
        assert_eq!(
            site.line_pages(line_key("Share").unwrap()),
            MAX_LINES_PER_SITE as u32
        );
        assert!(site.len() <= MAX_LINES_PER_SITE);
    }

    #[test]
    fn profiles_round_trip_and_bad_ones_are_refused_with_the_byte() {
        let mut counter = SiteCounter::default();
        for s in ["x.org", "y.kr"] {
            counter.add_page(s, &["Home", "One."], Some(&[1, 2]));
            counter.add_page(s, &["Home", "Two."], Some(&[1, 3]));
        }
        let profile = counter.finish();
        let mut bytes = Vec::new();
        profile.write_to(&mut bytes).unwrap();
        let back = SiteProfile::read_from("p", &bytes[..]).unwrap();
        assert_eq!(back, profile);
        assert_eq!(back.site("y.kr").unwrap().path_pages(1), 2);
        let mut again = Vec::new();
        back.write_to(&mut again).unwrap();
        assert_eq!(again, bytes, "the same counts give the same bytes");

        let err = SiteProfile::read_from("p", &bytes[..bytes.len() - 3]).unwrap_err();
        assert!(err.to_string().contains("ends early"), "{err}");
        let err = SiteProfile::read_from("p", &b"{\"json\":1}"[..]).unwrap_err();
        assert!(
            err.to_string().contains("not a chaff site profile"),
            "{err}"
        );
        let mut newer = bytes.clone();
        newer[12] = 9;
        let err = SiteProfile::read_from("p", &newer[..]).unwrap_err();
        assert!(err.to_string().contains("format 9"), "{err}");
    }

    #[test]
    fn sites_of_urls() {
        assert_eq!(
            site_of_url("https://www.Example.com:8080/a?b").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            site_of_url("http://news.mk.co.kr").as_deref(),
            Some("news.mk.co.kr")
        );
        assert_eq!(site_of_url("//cdn.x.org/p").as_deref(), Some("cdn.x.org"));
        assert_eq!(site_of_url("https://u:p@h.net/").as_deref(), Some("h.net"));
        assert_eq!(site_of_url("not a url"), None);
        assert_eq!(site_of_url("https:///path"), None);
    }
}
