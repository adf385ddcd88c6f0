//! Where the page commands write: standard output, `--out FILE`, or `--out-dir` files, each
//! gzip- or zstd-compressed when its name (or `--compress`) says so.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};

use super::args::{Compression, PageInput};
use super::{stdout, Stdout};

/// The zstd level of compressed outputs: zstd's own default, about gzip's size at several
/// times its speed; higher levels cost far more time than they save bytes on text.
const ZSTD_LEVEL: i32 = 3;

impl Compression {
    /// The compression a file name's ending (`.gz`, `.zst`, any case) stands for.
    pub(crate) fn of_name(name: &Path) -> Compression {
        match name.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("gz") => Compression::Gzip,
            Some(e) if e.eq_ignore_ascii_case("zst") => Compression::Zstd,
            _ => Compression::None,
        }
    }

    /// The ending a file compressed so is named with.
    pub(crate) fn extension(self) -> Option<&'static str> {
        match self {
            Compression::Gzip => Some("gz"),
            Compression::Zstd => Some("zst"),
            Compression::None => None,
        }
    }
}

/// Where the output of a page command goes: standard output, or the `--out` file.
pub(crate) enum Output {
    Stdout(BufWriter<Stdout>),
    File(OutputFile),
}

impl Output {
    /// Opens `--out` (compressed as its name says; `-` is standard output), or standard output.
    /// An `--out` file that is one of the inputs is refused before it is created: creating it
    /// would empty the input before it is read.
    pub(crate) fn open(input: &PageInput) -> Result<Output> {
        let Some(path) = input.out.as_deref().filter(|p| p.as_os_str() != "-") else {
            return Ok(Output::Stdout(stdout()?));
        };
        if let Ok(own) = fs::canonicalize(path) {
            let inputs = input.files();
            if let Some(same) = inputs
                .iter()
                .find(|f| fs::canonicalize(f).is_ok_and(|f| f == own))
            {
                bail!(
                    "{}: writing it would overwrite the input {}; choose another --out",
                    path.display(),
                    same.display()
                );
            }
        }
        Ok(Output::File(OutputFile::create(
            path,
            Compression::of_name(path),
        )?))
    }

    /// Flushes standard output, or finishes the `--out` file; without this, a compressed file
    /// lacks its end and reads as truncated.
    pub(crate) fn finish(self) -> Result<()> {
        match self {
            Output::Stdout(mut out) => Ok(out.flush()?),
            Output::File(file) => file.finish(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(out) => out.write(buf),
            Output::File(file) => file.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.write_all(buf),
            Output::File(file) => file.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(out) => out.flush(),
            Output::File(file) => file.flush(),
        }
    }
}

/// A file written compressed or not, buffered (lines arrive one by one; the compressors work
/// best on large pieces); its errors name it.
pub(crate) struct OutputFile(BufWriter<Encoder>);

/// The compressing layer of an output file, over the file.
enum Encoder {
    Plain(NamedFile),
    Gzip(flate2::write::GzEncoder<NamedFile>),
    Zstd(zstd::stream::write::Encoder<'static, NamedFile>),
}

impl OutputFile {
    /// Creates (or empties) `path`, to be written compressed as `compression` says.
    pub(crate) fn create(path: &Path, compression: Compression) -> Result<OutputFile> {
        let name = path.display().to_string();
        let file = fs::File::create(path).map_err(|e| chaff::Error::io(&name, e))?;
        let file = NamedFile {
            file,
            path: path.to_path_buf(),
        };
        let encoder = match compression {
            Compression::None => Encoder::Plain(file),
            Compression::Gzip => Encoder::Gzip(flate2::write::GzEncoder::new(
                file,
                flate2::Compression::default(),
            )),
            Compression::Zstd => Encoder::Zstd(
                zstd::stream::write::Encoder::new(file, ZSTD_LEVEL)
                    .map_err(|e| chaff::Error::io(&name, e))?,
            ),
        };
        Ok(OutputFile(BufWriter::with_capacity(1 << 16, encoder)))
    }

    /// Writes the rest of the buffer and ends the compressed stream (the gzip trailer, the
    /// zstd frame's end): a compressed file is complete only after this.
    pub(crate) fn finish(self) -> Result<()> {
        let encoder = self
            .0
            .into_inner()
            .map_err(io::IntoInnerError::into_error)?;
        let mut file = match encoder {
            Encoder::Plain(file) => file,
            Encoder::Gzip(gzip) => gzip.finish()?,
            Encoder::Zstd(zstd) => zstd.finish()?,
        };
        file.flush()?;
        Ok(())
    }

    /// Writes `bytes` into a new file at `path`, compressed as `compression` says.
    pub(crate) fn write_whole(path: &Path, compression: Compression, bytes: &[u8]) -> Result<()> {
        let mut file = OutputFile::create(path, compression)?;
        file.write_all(bytes)?;
        file.finish()
    }
}

impl Write for OutputFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.0.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl Write for Encoder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Encoder::Plain(file) => file.write(buf),
            Encoder::Gzip(gzip) => gzip.write(buf),
            Encoder::Zstd(zstd) => zstd.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Encoder::Plain(file) => file.flush(),
            Encoder::Gzip(gzip) => gzip.flush(),
            Encoder::Zstd(zstd) => zstd.flush(),
        }
    }
}

/// An output file whose write errors name it.
struct NamedFile {
    file: fs::File,
    path: PathBuf,
}

impl Write for NamedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf).map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush().map_err(|e| self.named(e))
    }
}

impl NamedFile {
    fn named(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.path.display()))
    }
}
