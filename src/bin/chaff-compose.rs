//! Regenerates the composed part of the training corpus:
//! `cargo run --release --bin chaff-compose` (defaults match the committed corpus).

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;

use chaff::compose::{compose, read_articles, read_layouts, write_pages, ComposeParams};

/// Composes labeled training pages from site layouts and articles.
#[derive(Parser)]
#[command(name = "chaff-compose", version, about)]
struct Cli {
    /// Folder of layout files (*.toml).
    #[arg(long, default_value = "training/layouts")]
    layouts: PathBuf,
    /// Folder of article folders (kor/, eng/).
    #[arg(long, default_value = "training/articles")]
    articles: PathBuf,
    /// Output folder; its previous contents are replaced.
    #[arg(long, short, default_value = "training/pages")]
    out: PathBuf,
    /// Seed of all random choices.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Pages per layout (and per article language the layout carries).
    #[arg(long, default_value_t = 5)]
    pages_per_layout: usize,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let run = || -> chaff::Result<usize> {
        let layouts = read_layouts(&cli.layouts)?;
        let articles = read_articles(&cli.articles)?;
        let params = ComposeParams {
            pages_per_layout: cli.pages_per_layout,
            seed: cli.seed,
            ..ComposeParams::default()
        };
        let pages = compose(&layouts, &articles, &params)?;
        write_pages(&pages, &cli.out)?;
        eprintln!(
            "{} layouts x {} articles -> {} pages in {}",
            layouts.len(),
            articles.len(),
            pages.len(),
            cli.out.display()
        );
        Ok(pages.len())
    };
    match run() {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chaff-compose: {e}");
            ExitCode::FAILURE
        }
    }
}
