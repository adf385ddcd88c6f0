//! The site features: a line's and its block's standing among its site's other pages
//! ([`crate::site`]), written over the "no memory" values every page starts with.

use crate::site::{line_key, SiteCounts};
#[cfg(feature = "html")]
use crate::{html::HtmlPage, site::path_step};

use super::registry::{flag, ln_1_plus};
use super::structure::StructureFeature;
use super::{PageFeature, PageFeatures, StructureRows, DENSE_DIM, N_LINE, STRUCTURE_DENSE};

/// The counts that speak for a page of `site`: none when the site has no page besides this
/// one. The page is taken to be one of the site's counted pages (as it is when chaff counts
/// the files it labels), so the other pages are one fewer.
fn other_pages(site: Option<&SiteCounts>) -> Option<(&SiteCounts, u32)> {
    site.filter(|s| s.pages() >= 2).map(|s| (s, s.pages() - 1))
}

/// Share of the `others` other pages that hold something seen on `pages` pages in all.
fn share(pages: u32, others: u32) -> f32 {
    (pages.saturating_sub(1) as f32 / others as f32).min(1.0)
}

/// Writes the site features of a page's `lines` into `feats` from its site's counts; a page
/// without a site, or alone on it, keeps the "no memory" values.
pub fn apply_site_memory<S: AsRef<str>>(
    feats: &mut PageFeatures,
    lines: &[S],
    site: Option<&SiteCounts>,
) {
    let Some((site, others)) = other_pages(site) else {
        return;
    };
    let shares: Vec<f32> = lines
        .iter()
        .map(|l| line_key(l.as_ref()).map_or(0.0, |k| share(site.line_pages(k), others)))
        .collect();
    let site_pages = (ln_1_plus(others as usize) / 5.0).min(1.0);
    let n = shares.len();
    for (i, &s) in shares.iter().enumerate() {
        // The two lines before and the two after, those on the page.
        let near = (i.saturating_sub(2)..(i + 3).min(n)).filter(|&j| j != i);
        let (count, sum) = near.fold((0usize, 0.0f32), |(c, t), j| (c + 1, t + shares[j]));
        let row = &mut feats.dense[i * DENSE_DIM + N_LINE..];
        row[PageFeature::NoSiteMemory as usize] = 0.0;
        row[PageFeature::SitePages as usize] = site_pages;
        row[PageFeature::SiteShare as usize] = s;
        row[PageFeature::SiteMostPages as usize] = flag(s >= 0.5);
        row[PageFeature::SiteShareNear as usize] =
            if count == 0 { 0.0 } else { sum / count as f32 };
    }
}

/// Writes the structure-path share of each line (its path key in `paths`) into `rows`.
pub fn apply_path_memory(rows: &mut StructureRows, paths: &[u64], site: Option<&SiteCounts>) {
    let Some((site, others)) = other_pages(site) else {
        return;
    };
    for (i, &key) in paths.iter().enumerate() {
        rows.dense[i * STRUCTURE_DENSE + StructureFeature::SitePathShare as usize] =
            share(site.path_pages(key), others);
    }
}

/// Each line's structure path key: the tags, classes and ids from the root down to its block
/// ([`path_step`]), what site memory counts for HTML pages.
#[cfg(feature = "html")]
pub fn path_keys(html: &HtmlPage) -> Vec<u64> {
    // Elements come in document order, a parent before its children.
    let mut keys: Vec<u64> = Vec::with_capacity(html.elements.len());
    for element in &html.elements {
        let parent = element.parent.map_or(0, |p| keys[p as usize]);
        keys.push(path_step(
            parent,
            element.tag(),
            element.class.as_deref(),
            element.id.as_deref(),
        ));
    }
    html.lines.iter().map(|l| keys[l.block as usize]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labeler::analyze_page;
    use crate::site::SiteCounter;

    fn value(feats: &PageFeatures, i: usize, f: PageFeature) -> f32 {
        feats.dense_row(i)[N_LINE + f as usize]
    }

    #[test]
    fn a_line_on_every_other_page_has_share_one_and_a_new_line_zero() {
        let pages = [
            vec!["Home", "First story line."],
            vec!["Home", "Second story line."],
            vec!["Home", "Third story line.", "Second story line."],
        ];
        let mut counter = SiteCounter::default();
        for p in &pages {
            counter.add_page("s", p, None);
        }
        let profile = counter.finish();
        let page = &pages[2];
        let (_, _, mut feats) = analyze_page(page);
        assert_eq!(value(&feats, 0, PageFeature::NoSiteMemory), 1.0);
        let before = feats.dense.clone();
        apply_site_memory(&mut feats, page, None);
        assert_eq!(feats.dense, before, "no site: no change");

        apply_site_memory(&mut feats, page, profile.site("s"));
        assert_eq!(value(&feats, 0, PageFeature::NoSiteMemory), 0.0);
        assert_eq!(value(&feats, 0, PageFeature::SiteShare), 1.0);
        assert_eq!(value(&feats, 0, PageFeature::SiteMostPages), 1.0);
        assert_eq!(value(&feats, 1, PageFeature::SiteShare), 0.0);
        assert_eq!(value(&feats, 2, PageFeature::SiteShare), 0.5);
        assert_eq!(value(&feats, 1, PageFeature::SiteShareNear), 0.75);
    }

    #[test]
    fn a_site_of_one_page_is_no_memory() {
        let page = ["Home", "A story."];
        let mut counter = SiteCounter::default();
        counter.add_page("s", &page, None);
        let profile = counter.finish();
        let (_, _, mut feats) = analyze_page(&page);
        let before = feats.dense.clone();
        apply_site_memory(&mut feats, &page, profile.site("s"));
        assert_eq!(feats.dense, before);
    }
}
