//! The five line classes of the labeling contract.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What a line of a scraped page is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// Editorial content: headline, deck, paragraphs, sub-headings, captions.
    Body,
    /// Everything the site adds around the article: menus, widgets, timestamps, ads.
    Chrome,
    /// Rights and reproduction notices.
    Copyright,
    /// Who wrote, reported or photographed the piece.
    Byline,
    /// Lists of other articles and their headings.
    Related,
}

impl Class {
    /// All classes, in the fixed order used by models and reports.
    pub const ALL: [Class; 5] = [
        Class::Body,
        Class::Chrome,
        Class::Copyright,
        Class::Byline,
        Class::Related,
    ];

    /// Number of classes.
    pub const COUNT: usize = 5;

    /// Position of this class in [`Class::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The class at position `i` of [`Class::ALL`].
    pub fn from_index(i: usize) -> Class {
        Class::ALL[i]
    }

    /// The name used in labeled files.
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Body => "body",
            Class::Chrome => "chrome",
            Class::Copyright => "copyright",
            Class::Byline => "byline",
            Class::Related => "related",
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Error for a class name that is not one of the five.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownClass(pub String);

impl fmt::Display for UnknownClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown class {:?} (expected one of body, chrome, copyright, byline, related)",
            self.0
        )
    }
}

impl std::error::Error for UnknownClass {}

impl FromStr for Class {
    type Err = UnknownClass;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Class::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownClass(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for c in Class::ALL {
            assert_eq!(c.as_str().parse::<Class>().unwrap(), c);
            assert_eq!(Class::from_index(c.index()), c);
        }
        assert!("Body".parse::<Class>().is_err());
        assert!("ad".parse::<Class>().is_err());
    }
}
