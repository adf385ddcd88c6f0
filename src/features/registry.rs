//! The machinery of the feature registry: [`dense_features!`] declares a group of dense features
//! once, and [`Row`] holds one line's values of a group, read and written by feature.

use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

/// A group of dense features (an enum made by [`dense_features!`]): each variant is one feature
/// and its discriminant is the feature's slot in the group's block of the layout.
pub(crate) trait Feature: Copy {
    /// Number of features in the group.
    const COUNT: usize;

    /// The feature's slot in its group's block.
    fn slot(self) -> usize;
}

/// Declares a group of dense features, each exactly once, in layout order:
///
/// ```text
/// dense_features! {
///     /// What the group is.
///     pub enum LineFeature {
///         /// What the feature measures.
///         Chars = "chars", window 0;
///         DigitRatio = "digit_ratio";
///     }
/// }
/// ```
///
/// makes the enum (its variants in that order, so the order *is* the layout: new features go
/// last), with `COUNT`, `ALL`, `name()` and, for the features marked `window N`, `WINDOW`: the
/// features the neighbouring lines contribute, `N` being the feature's position there.
macro_rules! dense_features {
    (
        $(#[$group_doc:meta])*
        $vis:vis enum $Group:ident {
            $(
                $(#[$doc:meta])*
                $Feature:ident = $name:literal $(, window $position:literal)?;
            )*
        }
    ) => {
        $(#[$group_doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(dead_code)] // Some features are only ever read by the model, never by name.
        $vis enum $Group {
            $(
                $(#[$doc])*
                $Feature,
            )*
        }

        #[allow(dead_code)] // Not every group has window features, nor uses every item.
        impl $Group {
            /// Every feature of the group, in layout order.
            pub const ALL: [Self; Self::COUNT] = [$(Self::$Feature),*];
            /// Number of features in the group.
            pub const COUNT: usize = [$($name),*].len();
            /// The features' names, in layout order.
            const NAMES: [&'static str; Self::COUNT] = [$($name),*];
            /// Each feature's position among the window features, if it is one.
            const WINDOW_POSITIONS: [Option<usize>; Self::COUNT] =
                [$(dense_features!(@position $($position)?)),*];
            /// Number of features marked `window`.
            pub const WINDOW_COUNT: usize = {
                let mut count = 0;
                let mut i = 0;
                while i < Self::COUNT {
                    if Self::WINDOW_POSITIONS[i].is_some() {
                        count += 1;
                    }
                    i += 1;
                }
                count
            };
            /// The features marked `window`, in their window positions (checked at compile
            /// time to be 0, 1, 2, ... each once).
            pub const WINDOW: [Self; Self::WINDOW_COUNT] = {
                let mut window = [Self::ALL[0]; Self::WINDOW_COUNT];
                let mut taken = [false; Self::WINDOW_COUNT];
                let mut i = 0;
                while i < Self::COUNT {
                    if let Some(position) = Self::WINDOW_POSITIONS[i] {
                        assert!(
                            position < Self::WINDOW_COUNT && !taken[position],
                            "window positions must be 0, 1, 2, ... each used once"
                        );
                        window[position] = Self::ALL[i];
                        taken[position] = true;
                    }
                    i += 1;
                }
                window
            };

            /// The feature's name, as models and reports know it.
            pub const fn name(self) -> &'static str {
                Self::NAMES[self as usize]
            }
        }

        impl $crate::features::registry::Feature for $Group {
            const COUNT: usize = Self::COUNT;

            fn slot(self) -> usize {
                self as usize
            }
        }
    };
    (@position) => {
        None
    };
    (@position $position:literal) => {
        Some($position)
    };
}
pub(crate) use dense_features;

/// One line's values of the feature group `F` (`N` = `F::COUNT`), indexed by feature:
/// `row[LineFeature::Prose] = 1.0`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Row<F, const N: usize> {
    values: [f32; N],
    group: PhantomData<F>,
}

impl<F: Feature, const N: usize> Row<F, N> {
    /// All values of the row, in layout order.
    pub fn values(&self) -> &[f32; N] {
        &self.values
    }
}

impl<F: Feature, const N: usize> Default for Row<F, N> {
    /// A row of zeros: a feature that is not set is 0.
    fn default() -> Self {
        const { assert!(N == F::COUNT, "a row holds exactly its group's features") };
        Row {
            values: [0.0; N],
            group: PhantomData,
        }
    }
}

impl<F: Feature, const N: usize> Index<F> for Row<F, N> {
    type Output = f32;

    fn index(&self, feature: F) -> &f32 {
        &self.values[feature.slot()]
    }
}

impl<F: Feature, const N: usize> IndexMut<F> for Row<F, N> {
    fn index_mut(&mut self, feature: F) -> &mut f32 {
        &mut self.values[feature.slot()]
    }
}

/// A yes/no feature's value: 1 or 0.
pub(crate) fn flag(on: bool) -> f32 {
    if on {
        1.0
    } else {
        0.0
    }
}

/// Counts below this have their ln(1 + count) looked up.
const LN_TABLE_LEN: usize = 4096;

/// ln(1 + k) for each k below [`LN_TABLE_LEN`].
fn ln_table() -> &'static [f32; LN_TABLE_LEN] {
    static TABLE: std::sync::OnceLock<Box<[f32; LN_TABLE_LEN]>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut t = Box::new([0.0f32; LN_TABLE_LEN]);
        for (k, v) in t.iter_mut().enumerate() {
            *v = ((1 + k) as f32).ln();
        }
        t
    })
}

/// ln(1 + `x`), bit for bit `((1 + x) as f32).ln()`: looked up for the small counts the page
/// features take it of (distances in lines), computed beyond.
#[inline]
pub(crate) fn ln_1_plus(x: usize) -> f32 {
    match ln_table().get(x) {
        Some(&v) => v,
        None => ((1 + x) as f32).ln(),
    }
}

/// ln(1 + `x`), bit for bit `(1.0 + x as f32).ln()` (the same below 2^24): looked up for the
/// small counts the line features take it of (chars, words), computed beyond.
#[inline]
pub(crate) fn ln_1_plus_f32(x: u32) -> f32 {
    match ln_table().get(x as usize) {
        Some(&v) => v,
        None => (1.0 + x as f32).ln(),
    }
}
