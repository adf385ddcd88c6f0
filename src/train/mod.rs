//! Training: hyper-parameters checked in a `Params` type, then a multinomial logistic
//! regression over the sparse line features ([`logistic`], linfa's conventions and argmin's
//! L-BFGS), and class transitions counted from the gold sequences.

pub mod align;
pub mod builtin;
pub mod crossval;
pub mod eval;
pub mod logistic;
pub mod provenance;

use std::time::Instant;

use linfa::prelude::*;
use linfa::ParamGuard;
use std::ops::Range;
use std::thread;

use ndarray::Array1;

use self::logistic::{Anchor, LogisticParams, SparseRows};

use crate::class::Class;
use crate::corpus::labeled::LabeledPage;
use crate::error::{Error, Result};
#[cfg(feature = "html")]
use crate::features::STRUCTURE_DIM;
use crate::features::{PageFeatures, DIM};
use crate::labeler::analyze_page_on_site;
use crate::model::decode::Transitions;
use crate::model::provenance::HyperParameters;
use crate::model::{
    stage_one_packed, stage_two_dim, stage_two_inputs, Linear, Model, PackedScorer, Stages,
    TrainingSummary, MAX_TRANSITION_WEIGHT,
};
use crate::site::{site_of_url, SiteCounter, SiteCounts, SiteProfile};

const K: usize = Class::COUNT;

/// Training hyper-parameters, unchecked. Call [`ParamGuard::check`] to validate them.
///
/// ```
/// use chaff::train::TrainParams;
/// use linfa::ParamGuard;
/// assert!(TrainParams::default().alpha(-1.0).check().is_err());
/// assert!(TrainParams::default().check().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct TrainParams(ValidTrainParams);

/// Checked training hyper-parameters; [`ValidTrainParams::fit`] trains a model.
#[derive(Debug, Clone, PartialEq)]
pub struct ValidTrainParams {
    alpha: f32,
    max_iterations: u64,
    transition_weight: f32,
    seed: u64,
    /// With a warm start: the strength of the L2 penalty centred on the start's weights
    /// (fine-tuning), used instead of `alpha`'s penalty towards zero; `None` keeps `alpha`'s.
    prior_alpha: Option<f32>,
    /// With a warm start and focus pages ([`retrain`]): train on this many pages of each base
    /// layout instead of all of them; `None` trains on all.
    base_pages_per_layout: Option<usize>,
    /// Fit the text stages for one iteration only: cross-validation in HTML mode scores only
    /// the HTML stages, so it needs no more of them than a valid model.
    pub(crate) html_scoring_only: bool,
}

impl Default for TrainParams {
    fn default() -> Self {
        TrainParams(ValidTrainParams {
            alpha: 1.0,
            max_iterations: 50,
            transition_weight: 0.3,
            seed: 0,
            prior_alpha: None,
            base_pages_per_layout: None,
            html_scoring_only: false,
        })
    }
}

impl TrainParams {
    /// L2 penalty of the logistic regression (>= 0).
    pub fn alpha(mut self, alpha: f32) -> Self {
        self.0.alpha = alpha;
        self
    }

    /// Iteration cap of the L-BFGS optimizer (> 0).
    pub fn max_iterations(mut self, n: u64) -> Self {
        self.0.max_iterations = n;
        self
    }

    /// Weight of the transition scores against the per-line scores in decoding (>= 0).
    pub fn transition_weight(mut self, w: f32) -> Self {
        self.0.transition_weight = w;
        self
    }

    /// Seed recorded in the model; training itself is deterministic.
    pub fn seed(mut self, seed: u64) -> Self {
        self.0.seed = seed;
        self
    }

    /// With a warm start, centre the L2 penalty on the start's weights with this strength
    /// (>= 0) instead of penalizing the weights towards zero with `alpha`: fine-tuning, in which
    /// a few new pages move only the weights they need. `None`: `alpha` towards zero.
    pub fn prior_alpha(mut self, alpha: Option<f32>) -> Self {
        self.0.prior_alpha = alpha;
        self
    }

    /// With a warm start and focus pages ([`retrain`]), train on the first `n` (> 0) pages of
    /// each base layout only, anchored to the start's weights (when
    /// [`prior_alpha`](Self::prior_alpha) is set) so that they stand for the whole base; `None`:
    /// on every base page.
    pub fn base_pages_per_layout(mut self, n: Option<usize>) -> Self {
        self.0.base_pages_per_layout = n;
        self
    }

    /// The fine-tuning of `chaff train --warm-start`: [`WARM_START_ITERATIONS`] iterations,
    /// the penalty centred on the start's weights ([`WARM_START_PRIOR_ALPHA`]) and, with focus
    /// pages, [`WARM_START_BASE_PAGES_PER_LAYOUT`] page of each base layout standing for the
    /// base.
    pub fn warm_start(self) -> Self {
        self.max_iterations(WARM_START_ITERATIONS)
            .prior_alpha(Some(WARM_START_PRIOR_ALPHA))
            .base_pages_per_layout(Some(WARM_START_BASE_PAGES_PER_LAYOUT))
    }
}

impl From<ValidTrainParams> for TrainParams {
    fn from(params: ValidTrainParams) -> Self {
        TrainParams(params)
    }
}

impl ParamGuard for TrainParams {
    type Checked = ValidTrainParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&ValidTrainParams> {
        let p = &self.0;
        if !(p.alpha.is_finite() && p.alpha >= 0.0) {
            return Err(Error::Train(format!("alpha must be >= 0, got {}", p.alpha)));
        }
        if p.max_iterations == 0 {
            return Err(Error::Train("max_iterations must be > 0".into()));
        }
        if p.base_pages_per_layout == Some(0) {
            return Err(Error::Train("pages per base layout must be > 0".into()));
        }
        if let Some(a) = p.prior_alpha {
            if !(a.is_finite() && a >= 0.0) {
                return Err(Error::Train(format!(
                    "the warm start's penalty must be >= 0, got {a}"
                )));
            }
        }

        // A model file holds no larger transition weight, so training refuses to make one.
        if !(0.0..=MAX_TRANSITION_WEIGHT).contains(&p.transition_weight) {
            return Err(Error::Train(format!(
                "transition weight must be from 0 to {MAX_TRANSITION_WEIGHT}, got {}",
                p.transition_weight
            )));
        }
        Ok(p)
    }

    fn check(self) -> Result<ValidTrainParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// The feature matrix and gold classes of a set of pages.
pub struct TrainingSet {
    /// One row per line: the text features, and the structure features too for HTML pages;
    /// only the non-zero values are stored.
    pub records: SparseRows,
    /// Gold class index per line.
    pub targets: Array1<usize>,
    /// Each page's rows.
    pub pages: Vec<Range<usize>>,
    /// Each page's features, as labeling computes them.
    pub features: Vec<PageFeatures>,
    /// Which of the given pages each page of the set is: a page of a site is there twice,
    /// without and with site memory.
    pub sources: Vec<usize>,
}

/// Builds the feature matrix of labeled pages, with languages computed as at labeling time.
pub fn training_set(pages: &[LabeledPage]) -> TrainingSet {
    let texts: Vec<Vec<&str>> = pages.iter().map(LabeledPage::texts).collect();
    let refs: Vec<&LabeledPage> = pages.iter().collect();
    let names = training_sites(&refs, |p| page_site(p, None));
    let sites = count_training_sites(&names, &texts, None);
    let mut set = SetPages::with_capacity(pages.len());
    for (i, (lines, site)) in texts.iter().zip(&names).enumerate() {
        let alone = analyze_page_on_site(lines, None).2;
        set.push(i, alone, site_of(&sites, site), |f, site| {
            crate::features::apply_site_memory(f, lines, Some(site))
        });
    }
    let SetPages { sources, features } = set;
    let set_pages: Vec<&LabeledPage> = sources.iter().map(|&i| &pages[i]).collect();
    assemble(&set_pages, features, DIM, sources)
}

/// The site each training page is counted and shown with, besides being shown alone (so that
/// the model labels a page alone on its site as well as it did without site memory). A fixed
/// hash of the page's file name sends three pages in four to their own site, and the fourth to
/// a made-up site of four pages of unrelated layouts, what a folder of many sites' pages
/// gives, so that the model learns that little in common means little to learn from.
fn training_sites(
    pages: &[&LabeledPage],
    site: impl Fn(&LabeledPage) -> String,
) -> Vec<Option<String>> {
    let hashes: Vec<u64> = pages
        .iter()
        .map(|p| {
            let name = p.path.file_name().map_or(&[][..], |n| n.as_encoded_bytes());
            name.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            })
        })
        .collect();
    let mut mixed: Vec<u64> = hashes.iter().copied().filter(|h| h % 4 == 3).collect();
    mixed.sort_unstable();
    mixed.dedup();
    pages
        .iter()
        .zip(&hashes)
        .map(|(p, &h)| match h % 4 {
            0..=2 => Some(site(p)),
            _ => Some(format!(
                "mixed:{}",
                mixed.binary_search(&h).unwrap_or(0) / 4
            )),
        })
        .collect()
}

/// The pages of a training set as they are added: which given page each is, and its features.
struct SetPages {
    sources: Vec<usize>,
    features: Vec<PageFeatures>,
}

impl SetPages {
    fn with_capacity(pages: usize) -> SetPages {
        SetPages {
            sources: Vec::with_capacity(2 * pages),
            features: Vec::with_capacity(2 * pages),
        }
    }

    /// Adds page `source`: with site memory first (`remember` writes it into a copy of the
    /// page's features) when `site` has another page, then alone.
    fn push(
        &mut self,
        source: usize,
        alone: PageFeatures,
        site: Option<&SiteCounts>,
        remember: impl FnOnce(&mut PageFeatures, &SiteCounts),
    ) {
        if let Some(site) = site {
            let mut remembered = alone.clone();
            remember(&mut remembered, site);
            self.sources.push(source);
            self.features.push(remembered);
        }
        self.sources.push(source);
        self.features.push(alone);
    }
}

/// The counts of a training page's site, when it has another page.
fn site_of<'a>(sites: &'a SiteProfile, site: &Option<String>) -> Option<&'a SiteCounts> {
    site.as_deref()
        .and_then(|s| sites.site(s))
        .filter(|s| s.pages() >= 2)
}

/// [`count_sites`] over the pages that have a training site.
fn count_training_sites(
    names: &[Option<String>],
    texts: &[Vec<&str>],
    paths: Option<&[Vec<u64>]>,
) -> SiteProfile {
    let mut counter = SiteCounter::default();
    for (i, (site, lines)) in names.iter().zip(texts).enumerate() {
        if let Some(site) = site {
            counter.add_page(site, lines, paths.map(|p| p[i].as_slice()));
        }
    }
    counter.finish()
}

/// The site a labeled page belongs to for site memory: the host of its own address (`url`,
/// from its HTML) when it has one, else its layout (the folder it is in).
pub fn page_site(page: &LabeledPage, url: Option<&str>) -> String {
    url.and_then(site_of_url)
        .unwrap_or_else(|| format!("folder:{}", page.layout))
}

/// Site memory over pages of the given `sites`, counted from their `texts` (and, for HTML
/// pages, their structure `paths`). A page alone on its site gets no memory.
pub fn count_sites(
    sites: &[String],
    texts: &[Vec<&str>],
    paths: Option<&[Vec<u64>]>,
) -> SiteProfile {
    let names: Vec<Option<String>> = sites.iter().cloned().map(Some).collect();
    count_training_sites(&names, texts, paths)
}

/// The training set of pages and their features; every row is `width` wide.
fn assemble(
    pages: &[&LabeledPage],
    features: Vec<PageFeatures>,
    width: usize,
    sources: Vec<usize>,
) -> TrainingSet {
    let n: usize = pages.iter().map(|p| p.lines.len()).sum();
    let mut records = SparseRows::new(width);
    let mut targets = Array1::<usize>::zeros(n);
    let mut ranges = Vec::with_capacity(pages.len());
    let mut row = 0;
    let mut dense = vec![0.0f32; width];
    for (page, feats) in pages.iter().zip(&features) {
        let start = row;
        for (i, line) in page.lines.iter().enumerate() {
            feats.write_dense_row(i, &mut dense);
            records.push_dense(&dense);
            targets[row] = line.class.index();
            row += 1;
        }
        ranges.push(start..row);
    }
    TrainingSet {
        records,
        targets,
        pages: ranges,
        features,
        sources,
    }
}

/// The labeled HTML pages among `pages` (those with an `.html` beside their `.tsv`) whose
/// lines are exactly the lines chaff extracts from their HTML, with their features; and the
/// pages whose HTML gives other lines (labeled from another extractor's lines, or edited), which
/// cannot teach the HTML stages.
#[cfg(feature = "html")]
pub fn html_pages(
    pages: &[LabeledPage],
) -> Result<(Vec<&LabeledPage>, Vec<PageFeatures>, Vec<&LabeledPage>)> {
    let (matching, htmls, differing) = read_html_pages(pages)?;
    let features = htmls
        .iter()
        .map(|html| crate::labeler::analyze_html_page(html).2)
        .collect();
    Ok((matching, features, differing))
}

/// The labeled HTML pages among `pages` read from their `.html`: those whose lines are the
/// lines chaff extracts (with their HTML), and those whose lines are not.
#[cfg(feature = "html")]
#[allow(clippy::type_complexity)]
fn read_html_pages(
    pages: &[LabeledPage],
) -> Result<(
    Vec<&LabeledPage>,
    Vec<crate::html::HtmlPage>,
    Vec<&LabeledPage>,
)> {
    let mut matching = Vec::new();
    let mut htmls = Vec::new();
    let mut differing = Vec::new();
    for page in pages {
        let Some(path) = &page.html else { continue };
        let bytes = std::fs::read(path).map_err(|e| Error::io(path.display().to_string(), e))?;
        let html = crate::html::read_html(&bytes, None);
        if eval::same_lines(&html.texts(), &page.texts()) {
            matching.push(page);
            htmls.push(html);
        } else {
            differing.push(page);
        }
    }
    Ok((matching, htmls, differing))
}

/// The training set of the HTML stages: the labeled HTML pages among `pages` whose lines are
/// chaff's, each alone and, when its site has other pages, with site memory too (as
/// [`training_set`] does for text), with the pages of the set in order.
#[cfg(feature = "html")]
fn html_training_set(pages: &[LabeledPage]) -> Result<(Vec<&LabeledPage>, TrainingSet)> {
    let (matching, htmls, _) = read_html_pages(pages)?;
    let texts: Vec<Vec<&str>> = htmls.iter().map(|h| h.texts()).collect();
    let paths: Vec<Vec<u64>> = htmls.iter().map(crate::features::path_keys).collect();
    let urls: std::collections::HashMap<&std::path::Path, Option<&str>> = matching
        .iter()
        .zip(&htmls)
        .map(|(p, h)| (p.path.as_path(), h.meta.url.as_deref()))
        .collect();
    let names = training_sites(&matching, |p| page_site(p, urls[p.path.as_path()]));
    let sites = count_training_sites(&names, &texts, Some(&paths));
    let mut set = SetPages::with_capacity(matching.len());
    for (i, (html, site)) in htmls.iter().zip(&names).enumerate() {
        let alone = crate::labeler::analyze_html_page(html).2;
        set.push(i, alone, site_of(&sites, site), |f, site| {
            crate::features::apply_site_memory(f, &texts[i], Some(site));
            if let Some(rows) = &mut f.structure {
                crate::features::apply_path_memory(rows, &paths[i], Some(site));
            }
        });
    }
    let SetPages { sources, features } = set;
    let set_pages: Vec<&LabeledPage> = sources.iter().map(|&i| matching[i]).collect();
    let set = assemble(&set_pages, features, DIM + STRUCTURE_DIM, sources);
    Ok((set_pages, set))
}

impl ValidTrainParams {
    /// The iteration cap of the optimizer.
    pub fn max_iterations(&self) -> u64 {
        self.max_iterations
    }

    /// Trains a model on labeled pages.
    pub fn fit(&self, pages: &[LabeledPage]) -> Result<Model> {
        self.fit_starting_at(pages, None)
    }

    /// Trains a model on labeled pages starting from `start`'s weights instead of zeros (a warm
    /// start, like linfa's `FitWith`). Retraining an existing model on a corpus with a few new
    /// pages then needs far fewer iterations than training from scratch.
    pub fn fit_from(&self, start: &Model, pages: &[LabeledPage]) -> Result<Model> {
        self.fit_starting_at(pages, Some(start))
    }

    /// Trains the text stages on every page and, when some pages are labeled HTML pages, the
    /// HTML stages on those.
    fn fit_starting_at(&self, pages: &[LabeledPage], start: Option<&Model>) -> Result<Model> {
        self.fit_sampled(pages, start, None)
    }

    /// [`fit_starting_at`](Self::fit_starting_at), where the first pages of `pages` may be a
    /// sample of a larger base ([`BaseSample`]), anchored to the start's weights.
    fn fit_sampled(
        &self,
        pages: &[LabeledPage],
        start: Option<&Model>,
        sample: Option<&BaseSample<'_>>,
    ) -> Result<Model> {
        let text_pages: Vec<LabeledPage> = pages.iter().filter(|p| !p.html_only).cloned().collect();
        if text_pages.is_empty() && !pages.is_empty() {
            return Err(Error::Train(
                "the text stages need labeled pages that are not --html-only".into(),
            ));
        }
        let set = training_set(&text_pages);
        let refs: Vec<&LabeledPage> = set.sources.iter().map(|&i| &text_pages[i]).collect();
        let text_params = ValidTrainParams {
            max_iterations: if self.html_scoring_only {
                1
            } else {
                self.max_iterations
            },
            ..self.clone()
        };
        let text_anchor = sample.map(|s| {
            let text = |p: &&LabeledPage| !p.html_only;
            // The sampled pages come first; a page of a site is in the set twice.
            let sampled = pages[..s.sampled].iter().filter(text).count();
            s.anchor(
                set.sources.iter().filter(|&&i| i < sampled).count(),
                |p| !p.html_only,
                text_params.transition_weight,
            )
        });
        let (text, _) =
            text_params.fit_stages(&refs, set, start.map(|m| &m.text), text_anchor.as_ref())?;
        // Each page once, though a page of a site is in the set twice.
        let mut lines_per_class = [0usize; K];
        for line in text_pages.iter().flat_map(|p| &p.lines) {
            lines_per_class[line.class.index()] += 1;
        }
        #[allow(unused_mut)]
        let mut summary = TrainingSummary {
            pages: text_pages.len(),
            lines_per_class,
            alpha: self.alpha,
            max_iterations: self.max_iterations,
            seed: self.seed,
            html_pages: 0,
        };
        #[cfg(feature = "html")]
        let (html_refs, html_set) = html_training_set(pages)?;
        #[cfg(feature = "html")]
        {
            summary.html_pages = html_set.sources.last().map_or(0, |&i| i + 1);
        }
        let mut model = Model::new(
            text.line_scorers,
            text.context_scorer,
            text.transitions,
            summary,
        )?;
        model.provenance.hyper_parameters = HyperParameters {
            seed: self.seed,
            alpha: self.alpha,
            max_iterations: self.max_iterations,
            transition_weight: self.transition_weight,
        };
        #[cfg(feature = "html")]
        if !html_refs.is_empty() {
            let start = start.and_then(|m| m.html.as_ref());
            let html_anchor = sample.map(|s| {
                // The set's pages from the sample (a page of a site is there twice).
                let sampled = pages[..s.sampled].as_ptr_range();
                s.anchor(
                    html_refs
                        .iter()
                        .filter(|p| sampled.contains(&(**p as *const LabeledPage)))
                        .count(),
                    |p| p.html.is_some(),
                    self.transition_weight,
                )
            });
            let (html, _) = self
                .fit_stages(&html_refs, html_set, start, html_anchor.as_ref())
                .map_err(|e| {
                    Error::Train(format!("the HTML stages, on the labeled HTML pages: {e}"))
                })?;
            return model.with_html(html);
        }
        Ok(model)
    }

    /// Fits one linear scorer on `records` (sparse rows) and their gold classes: the sparse
    /// logistic regression of [`logistic`], from `init`'s weights when given (a warm start).
    fn fit_linear(
        &self,
        records: SparseRows,
        targets: Array1<usize>,
        init: Option<&Linear>,
        anchor: Option<Anchor>,
    ) -> Result<Linear> {
        // Fine-tuning: the penalty pulls towards the start's weights rather than zero.
        // (A start of another feature layout is no start: it is not used, and neither is its
        // prior.)
        let (alpha, prior, anchor) = match (self.prior_alpha, init) {
            (Some(a), Some(start)) if start.dim() == records.ncols() => {
                (a, Some(start.clone()), anchor)
            }
            _ => (self.alpha, None, None),
        };
        let regression = LogisticParams::default()
            .alpha(f64::from(alpha))
            .prior(prior)
            .anchor(anchor)
            .max_iterations(self.max_iterations)
            .gradient_tolerance(1e-3)
            .check()
            .map_err(|e| Error::Train(e.to_string()))?;
        let dataset = DatasetBase::new(records, targets);
        regression
            .fit_with(init, &dataset)
            .map_err(|e| Error::Train(format!("logistic regression failed: {e}")))
    }

    /// Fits one set of stages on `pages` (whose rows `set` holds), from `start`'s weights if
    /// given; returns them with the lines per class.
    fn fit_stages(
        &self,
        pages: &[&LabeledPage],
        set: TrainingSet,
        start: Option<&Stages>,
        anchor: Option<&StageAnchor>,
    ) -> Result<(Stages, [usize; K])> {
        if set.targets.is_empty() {
            return Err(Error::Train("the corpus has no labeled lines".into()));
        }
        let mut lines_per_class = [0usize; K];
        set.targets.iter().for_each(|&c| lines_per_class[c] += 1);
        if lines_per_class.iter().filter(|&&c| c > 0).count() < 2 {
            return Err(Error::Train(
                "the corpus needs lines of at least two classes".into(),
            ));
        }
        let structure = set.records.ncols() > DIM;

        // Stage one: two scorers on disjoint halves of the layouts, so that each page gets
        // first-stage probabilities from a scorer that never saw its layout.
        let layouts: Vec<&str> = pages.iter().map(|p| p.layout.as_str()).collect();
        let folds = fold_of_pages(&layouts);
        let fit_half = |fold: usize| -> Result<Option<Linear>> {
            let rows: Vec<usize> = set
                .pages
                .iter()
                .zip(&folds)
                .filter(|(_, &f)| f != fold)
                .flat_map(|(r, _)| r.clone())
                .collect();
            let targets: Array1<usize> = rows.iter().map(|&i| set.targets[i]).collect();
            if targets.iter().all(|&c| c == targets[0]) {
                return Ok(None);
            }
            let records = set.records.select(&rows);
            let init = start.map(|s| &s.line_scorers[fold.min(s.line_scorers.len() - 1)]);
            let anchored = anchor.map(|a| {
                a.rows(
                    set.pages
                        .iter()
                        .zip(&folds)
                        .take(a.pages)
                        .filter(|(_, &f)| f != fold)
                        .map(|(r, _)| r.len())
                        .sum(),
                )
            });
            Ok(Some(self.fit_linear(records, targets, init, anchored)?))
        };
        // The halves are independent: fit them side by side when there are cores to spare.
        let halves: Vec<Result<Option<Linear>>> =
            if thread::available_parallelism().map_or(1, |n| n.get()) > 1 {
                thread::scope(|scope| {
                    let other = scope.spawn(|| fit_half(1));
                    let first = fit_half(0);
                    vec![first, other.join().expect("training thread does not panic")]
                })
            } else {
                vec![fit_half(0), fit_half(1)]
            };
        let mut line_scorers = Vec::new();
        for half in halves {
            line_scorers.extend(half?);
        }
        if line_scorers.len() < 2 {
            // Too few layouts (or classes) to split: one scorer on everything.
            let init = start.map(|s| &s.line_scorers[0]);
            let anchored =
                anchor.map(|a| a.rows(set.pages[..a.pages].iter().map(|r| r.len()).sum()));
            line_scorers =
                vec![self.fit_linear(set.records.clone(), set.targets.clone(), init, anchored)?];
        }

        // Stage two: line and page features plus the context of out-of-fold first-stage
        // probabilities, assembled as labeling assembles them (rows in the same order as
        // stage one's).
        let width = stage_two_dim(structure);
        drop(set.records);
        let mut records = SparseRows::new(width);
        // Each page gets the scorer of the half that never saw its layout; packed once.
        let packed: Vec<PackedScorer> = if line_scorers.len() == 2 {
            line_scorers
                .iter()
                .map(|s| PackedScorer::mean(std::slice::from_ref(s)))
                .collect()
        } else {
            vec![PackedScorer::mean(&line_scorers)]
        };
        for ((range, &fold), page) in set.pages.iter().zip(&folds).zip(&set.features) {
            let scorer = &packed[fold.min(packed.len() - 1)];
            let inputs = stage_two_inputs(page, &stage_one_packed(scorer, page), structure);
            debug_assert_eq!(range.len() * width, inputs.len());
            for values in inputs.chunks_exact(width) {
                records.push_dense(values);
            }
        }
        let init = start.map(|s| &s.context_scorer);
        let anchored = anchor.map(|a| a.rows(set.pages[..a.pages].iter().map(|r| r.len()).sum()));
        let context_scorer = self.fit_linear(records, set.targets, init, anchored)?;

        let gold: Vec<Vec<Class>> = pages.iter().map(|p| p.classes()).collect();
        // A sampled base's transitions are those of the whole base (counting is cheap).
        let transitions = match anchor {
            Some(a) => a.transitions.clone(),
            None => {
                Transitions::estimate(gold.iter().map(|g| g.as_slice()), self.transition_weight)
            }
        };
        Ok((
            Stages::new(line_scorers, context_scorer, transitions),
            lines_per_class,
        ))
    }
}

/// Splits pages (given by their layouts) into two folds by layout, so a layout's pages stay
/// together; with a single layout, pages alternate.
fn fold_of_pages(page_layouts: &[&str]) -> Vec<usize> {
    let mut layouts = page_layouts.to_vec();
    layouts.sort();
    layouts.dedup();
    if layouts.len() < 2 {
        return (0..page_layouts.len()).map(|i| i % 2).collect();
    }
    page_layouts
        .iter()
        .map(|p| layouts.binary_search(p).expect("listed") % 2)
        .collect()
}

/// A training set that weighs `focus` pages (a new site's few labeled pages) `weight` times
/// against `base`: each focus page is repeated, so that a handful of pages can outweigh what
/// hundreds of other pages taught about the same kind of line.
pub fn with_focus(base: &[LabeledPage], focus: &[LabeledPage], weight: usize) -> Vec<LabeledPage> {
    let mut pages = base.to_vec();
    for _ in 0..weight.max(1) {
        pages.extend(focus.iter().cloned());
    }
    pages
}

/// The iteration cap of a warm start ([`ValidTrainParams::fit_from`]): the weights start close
/// to where they end, so a few iterations carry them the rest of the way.
pub const WARM_START_ITERATIONS: u64 = 15;

/// The strength of the penalty centred on the start's weights in `chaff train --warm-start`
/// ([`TrainParams::prior_alpha`]); chosen by held-out layouts (models/README.md).
pub const WARM_START_PRIOR_ALPHA: f32 = 10.0;

/// Pages of each base layout that stand for the base in `chaff train --warm-start` with focus
/// pages ([`TrainParams::base_pages_per_layout`]).
pub const WARM_START_BASE_PAGES_PER_LAYOUT: usize = 1;

/// Retrains as `chaff train` does: on `base` pages and on `focus` pages (a new layout's few
/// labeled pages) weighed `focus_weight` times ([`with_focus`]), from `start`'s weights when
/// given; reports how long it took. With a start and focus pages, `params`'
/// [`base_pages_per_layout`](TrainParams::base_pages_per_layout) keeps that many pages of each
/// base layout (the first ones), which makes the retraining fast.
///
/// `base` is any list of pages: a corpus read from disk, or one with more pages added (the
/// built-in corpus); cross-validation ([`crossval::leave_one_page_out`]) calls this with a
/// page left out of `focus`.
pub fn retrain(
    params: &ValidTrainParams,
    start: Option<&Model>,
    base: &[LabeledPage],
    focus: &[LabeledPage],
    focus_weight: usize,
) -> Result<(Model, f64)> {
    let clock = Instant::now();
    let pages = retraining_pages(params, start.is_some(), base, focus, focus_weight);
    let sampled = pages.len() - focus.len() * focus_weight.max(1);
    // The sample stands for the whole base when it is anchored to the start's weights.
    let anchored =
        start.is_some() && params.prior_alpha.is_some() && sampled > 0 && sampled < base.len();
    let sample = anchored.then_some(BaseSample {
        sampled,
        base,
        focus,
        focus_weight: focus_weight.max(1),
        pages: &pages,
    });
    let model = params.fit_sampled(&pages, start, sample.as_ref())?;
    Ok((model, clock.elapsed().as_secs_f64()))
}

/// Base pages sampled for a fast retraining: the first `sampled` of `pages` were drawn from
/// `base`, the rest are the `focus` pages repeated `focus_weight` times.
struct BaseSample<'a> {
    sampled: usize,
    base: &'a [LabeledPage],
    focus: &'a [LabeledPage],
    focus_weight: usize,
    pages: &'a [LabeledPage],
}

impl BaseSample<'_> {
    /// The anchor of one set of stages, whose training pages are those of `pages` that `keep`
    /// keeps, `anchored` of them sampled: lines scaled to the base's lines, transitions from
    /// the whole base and the focus pages.
    fn anchor(
        &self,
        anchored: usize,
        keep: impl Fn(&LabeledPage) -> bool,
        transition_weight: f32,
    ) -> StageAnchor {
        let lines = |pages: &[LabeledPage]| -> usize {
            pages
                .iter()
                .filter(|p| keep(p))
                .map(|p| p.lines.len())
                .sum()
        };
        let (all, sampled) = (lines(self.base), lines(&self.pages[..self.sampled]));
        let scale = all as f64 / sampled.max(1) as f64;
        let gold: Vec<Vec<Class>> = self
            .base
            .iter()
            .chain((0..self.focus_weight).flat_map(|_| self.focus))
            .filter(|p| keep(p))
            .map(|p| p.classes())
            .collect();
        StageAnchor {
            pages: anchored,
            scale,
            transitions: Transitions::estimate(
                gold.iter().map(|g| g.as_slice()),
                transition_weight,
            ),
        }
    }
}

/// The sampled pages at the front of one set of stages' training pages.
struct StageAnchor {
    pages: usize,
    scale: f64,
    transitions: Transitions,
}

impl StageAnchor {
    fn rows(&self, rows: usize) -> Anchor {
        Anchor {
            rows,
            scale: self.scale,
        }
    }
}

/// The pages [`retrain`] trains on (focus pages repeated), `warm` when it has a start.
pub fn retraining_pages(
    params: &ValidTrainParams,
    warm: bool,
    base: &[LabeledPage],
    focus: &[LabeledPage],
    focus_weight: usize,
) -> Vec<LabeledPage> {
    match params.base_pages_per_layout {
        Some(n) if warm && !focus.is_empty() => {
            with_focus(&first_pages_per_layout(base, n), focus, focus_weight)
        }
        _ => with_focus(base, focus, focus_weight),
    }
}

/// The first `n` pages of each layout, in their order in `pages`.
fn first_pages_per_layout(pages: &[LabeledPage], n: usize) -> Vec<LabeledPage> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    pages
        .iter()
        .filter(|p| {
            let count = seen.entry(p.layout.as_str()).or_default();
            *count += 1;
            *count <= n
        })
        .cloned()
        .collect()
}

/// Trains with `params` (from `start`'s weights, if given) and reports how long it took.
pub fn fit_timed(
    params: &ValidTrainParams,
    start: Option<&Model>,
    pages: &[LabeledPage],
) -> Result<(Model, f64)> {
    let clock = Instant::now();
    let model = params.fit_starting_at(pages, start)?;
    Ok((model, clock.elapsed().as_secs_f64()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::labeled::LabeledLine;
    use std::path::PathBuf;

    fn page(layout: &str, lines: &[(Class, &str)]) -> LabeledPage {
        LabeledPage {
            path: PathBuf::from(format!("{layout}/p.tsv")),
            layout: layout.to_string(),
            lines: lines
                .iter()
                .map(|&(class, text)| LabeledLine {
                    class,
                    lang: "eng".into(),
                    text: text.to_string(),
                })
                .collect(),
            html: None,
            html_only: false,
        }
    }

    const STORY: &str = "Seoul will expand its late-night autonomous bus service to three routes next year, the city said.";

    #[test]
    fn a_layout_stays_in_one_fold() {
        let pages = [
            page("b", &[]),
            page("a", &[]),
            page("b", &[]),
            page("c", &[]),
        ];
        let layouts: Vec<&str> = pages.iter().map(|p| p.layout.as_str()).collect();
        // Layouts in name order alternate between the folds: a 0, b 1, c 0.
        assert_eq!(fold_of_pages(&layouts), [1, 0, 1, 0]);
        assert_eq!(fold_of_pages(&["a", "a", "a"]), [0, 1, 0]);
    }

    #[test]
    fn focus_pages_are_repeated_weight_times() {
        let base = [page("a", &[]), page("b", &[])];
        let focus = [page("new", &[])];
        let pages = with_focus(&base, &focus, 3);
        assert_eq!(pages.len(), 5);
        assert_eq!(pages.iter().filter(|p| p.layout == "new").count(), 3);
    }

    #[test]
    fn the_training_set_has_one_row_per_line_and_its_gold_class() {
        let pages = [
            page("a", &[(Class::Body, STORY), (Class::Chrome, "Share")]),
            page("b", &[(Class::Copyright, "© Example Times")]),
        ];
        let set = training_set(&pages);
        // Each page alone; and with memory when its site (its layout, or the made-up site of
        // unrelated layouts the hash of its name sends it to) has another page.
        let rows = if set.sources.len() == 4 { 6 } else { 3 };
        assert_eq!((set.records.nrows(), set.records.ncols()), (rows, DIM));
        for (range, &source) in set.pages.iter().zip(&set.sources) {
            let gold: Vec<usize> = pages[source]
                .lines
                .iter()
                .map(|l| l.class.index())
                .collect();
            assert_eq!(set.targets.slice(ndarray::s![range.clone()]).to_vec(), gold);
        }
        let alone = set
            .features
            .iter()
            .filter(|f| !crate::features::has_site_memory(f, 0))
            .count();
        assert_eq!(alone, 2);

        // Two pages of one layout: each alone and, unless the hash sends it to a made-up
        // site of other layouts, with the layout's memory too.
        let mut second = pages[0].clone();
        second.path = PathBuf::from("a/q.tsv");
        let pages = [pages[0].clone(), second];
        let set = training_set(&pages);
        assert!(set.sources.len() >= 2 && set.sources.len() <= 4);
        assert_eq!(set.records.nrows(), 2 * set.sources.len());
        let with_memory = set
            .features
            .iter()
            .filter(|f| crate::features::has_site_memory(f, 0))
            .count();
        assert_eq!(with_memory, set.sources.len() - 2);
    }

    #[test]
    fn a_corpus_of_one_class_is_refused() {
        let params = TrainParams::default().check().unwrap();
        let err = params
            .fit(&[page("a", &[(Class::Body, STORY), (Class::Body, STORY)])])
            .unwrap_err()
            .to_string();
        assert!(err.contains("at least two classes"), "{err}");
        let err = params.fit(&[page("a", &[])]).unwrap_err().to_string();
        assert!(err.contains("no labeled lines"), "{err}");
    }

    #[test]
    fn a_tiny_corpus_trains_a_usable_model_deterministically() {
        let pages = [
            page(
                "a",
                &[
                    (Class::Body, STORY),
                    (Class::Chrome, "Share"),
                    (Class::Copyright, "© Example Times"),
                ],
            ),
            page(
                "b",
                &[
                    (Class::Body, STORY),
                    (Class::Chrome, "Menu"),
                    (Class::Copyright, "© Example Post"),
                ],
            ),
        ];
        let params = TrainParams::default().max_iterations(20).check().unwrap();
        let model = params.fit(&pages).unwrap();
        assert_eq!(model.to_json(), params.fit(&pages).unwrap().to_json());
        assert_eq!(model.training.pages, 2);
        assert_eq!(model.training.lines_per_class, [2, 2, 2, 0, 0]);
    }

    /// A labeled HTML page in `dir`: the page and its `.tsv` of the lines chaff extracts.
    #[cfg(feature = "html")]
    fn html_page(
        dir: &std::path::Path,
        layout: &str,
        name: &str,
        html: &str,
        classes: &[Class],
    ) -> LabeledPage {
        let folder = dir.join(layout);
        std::fs::create_dir_all(&folder).unwrap();
        let path = folder.join(format!("{name}.html"));
        std::fs::write(&path, html).unwrap();
        let texts = crate::html::HtmlPage::parse(html).texts().join("\n");
        let tsv: String = texts
            .lines()
            .zip(classes)
            .map(|(t, c)| format!("{c}\teng\t{t}\n"))
            .collect();
        assert_eq!(
            tsv.lines().count(),
            classes.len(),
            "one class per line of {html}"
        );
        let tsv_path = folder.join(format!("{name}.tsv"));
        std::fs::write(&tsv_path, tsv).unwrap();
        crate::corpus::labeled::read_page(&tsv_path).unwrap()
    }

    #[cfg(feature = "html")]
    #[test]
    fn labeled_html_pages_train_the_html_stages() {
        use Class::*;
        let dir = tempfile::tempdir().unwrap();
        let page = |site: &str, n: usize| {
            let html = format!(
                "<html><body><nav class=gnb><ul><li><a href=/>Home</a><li><a href=/w>World {n}</a></ul></nav>\
                 <div class=article-body><h1>Night buses {n}</h1><p>{STORY}</p><p>{STORY} Again.</p></div>\
                 <aside class=related-news><ul><li><a href=1>Rail fares rise {n}</a><li><a href=2>Bus drivers strike</a></ul></aside>\
                 <footer><p>© {site} Times</p></footer>"
            );
            html_page(
                dir.path(),
                site,
                &format!("p{n}"),
                &html,
                &[
                    Chrome, Chrome, Body, Body, Body, Related, Related, Copyright,
                ],
            )
        };
        let mut pages: Vec<LabeledPage> = (0..3).map(|n| page("a", n)).collect();
        pages.extend((0..3).map(|n| page("b", n)));
        // A page labeled from other lines than chaff's teaches the text stages only.
        let mut other = page("c", 9);
        std::fs::write(
            other.html.as_ref().unwrap(),
            "<p>Something else entirely</p>",
        )
        .unwrap();
        other.layout = "c".into();
        pages.push(other);
        let params = TrainParams::default().max_iterations(20).check().unwrap();
        let model = params.fit(&pages).unwrap();
        assert!(model.reads_structure());
        assert_eq!(model.training.html_pages, 6);
        assert_eq!(model.training.pages, 7);
        assert_eq!(model.to_json(), params.fit(&pages).unwrap().to_json());
        let back = Model::from_json(&model.to_json(), "m.json").unwrap();
        assert_eq!(back, model);
        // The HTML stages label an HTML page, one label per line.
        let html = super::eval::read_labeled_html(&pages[0]).unwrap();
        let (labels, _) = crate::Labeler::new(model.clone()).label_html(&html);
        assert_eq!(labels.len(), html.lines.len());
        let eval = super::eval::evaluate_html(&crate::Labeler::new(model), &pages[..6]).unwrap();
        assert!(eval.report().accuracy > 0.9, "{}", eval.report());
        // Without labeled HTML pages, no HTML stages.
        let text_only: Vec<LabeledPage> = pages
            .iter()
            .cloned()
            .map(|mut p| {
                p.html = None;
                p
            })
            .collect();
        assert!(!params.fit(&text_only).unwrap().reads_structure());
    }

    #[test]
    fn refuses_a_transition_weight_no_model_file_may_hold() {
        // Training must not write a model that loading (`--model`) would refuse.
        let err = TrainParams::default()
            .transition_weight(MAX_TRANSITION_WEIGHT * 10.0)
            .check()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("transition weight must be from 0 to 1000"),
            "{err}"
        );
        assert!(TrainParams::default()
            .transition_weight(MAX_TRANSITION_WEIGHT)
            .check()
            .is_ok());
    }
}
