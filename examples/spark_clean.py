"""Clean a folder of WARC or JSONL files with chaff on Spark, into a folder of JSONL.

    spark-submit examples/spark_clean.py INPUT_DIR OUTPUT_DIR [--master local[2]]
        [--format warc|jsonl|auto] [--partitions N] [--text-field text] [--threads N]

or, without spark-submit (the session is built in ``main``; the master is ``--master``, else
the ``MASTER`` variable, else ``spark.master`` of spark-defaults.conf, else ``local[*]``):

    python examples/spark_clean.py INPUT_DIR OUTPUT_DIR --master local[2]

Input, by file name (``--format auto`` reads the folder's names, which must not mix both):

* WARC, ``*.warc`` / ``*.warc.gz`` (plain, or a gzip member per record as Common Crawl ships
  them). A file is the unit of work: ``Labeler.clean_warc`` streams a local file (``file:``
  paths: ``local[N]``, or a folder every worker mounts) from disk, a batch of records at a
  time; a file of another file system (HDFS, S3) comes as Spark's bytes, read whole. Every HTML ``response`` record becomes one output object
  ``{"url", "warc_record_id", "date", "lang", "clean"}``. Every other record (requests,
  metadata, non-HTML responses, statuses other than 200, a truncated last record) is
  counted as skipped, by reason.
* JSONL, ``*.jsonl`` / ``*.jsonl.gz``: one page per line, a JSON object whose ``text`` field
  (``--text-field``) holds the page (HTML or text lines). The output object is the input's
  ``id`` and ``url`` fields, those present, plus ``clean``. Pages are cleaned
  ``--batch`` (256) at a time with ``Labeler.clean_batch``. A line that is not a JSON
  object, or has no string in the text field, is counted as skipped.

The output folder holds Spark's ``part-*`` files, one JSON object a line (``--compress``
gzips them). At the end the job prints a summary: records read, pages cleaned and
records skipped by reason; every input record is one or the other.

Every executor needs the chaff package installed in the Python it runs
(``PYSPARK_PYTHON``): ``pip install ./python`` from a checkout of chaff (a Rust toolchain
builds it), or the wheel built from it, on every worker node, e.g. in the cluster's
bootstrap script or the container image. ``--py-files`` cannot ship it: chaff is a
compiled extension module (``chaff._chaff``), and Python does not import compiled modules
out of the zip files ``--py-files`` distributes. A packed virtual environment
(``venv-pack``/``conda-pack`` passed with ``--archives``) works too.

Threads: by default a task labels on ``spark.task.cpus`` threads (1), as Spark runs one task
per core; ``--threads`` changes it (0: every core of the machine, per task).

Counts: the skipped and cleaned counts travel in accumulators updated in the tasks of the
write's own (result) stage. Spark applies such a task's updates once, for its first
successful attempt only (failed and speculative duplicate attempts are not counted), so the
summary is exact.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, Iterable, Iterator, List, Optional, Tuple
from urllib.parse import unquote, urlparse

from pyspark.accumulators import AccumulatorParam

#: Pages per `clean_batch` call for JSONL input.
BATCH = 256

#: Input fields carried into the output of a JSONL page.
CARRIED_FIELDS = ("id", "url")

WARC_SUFFIXES = (".warc", ".warc.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz")


class CountsParam(AccumulatorParam):
    """Adds dicts of counts, key by key."""

    def zero(self, value: Dict[str, int]) -> Dict[str, int]:
        return {}

    def addInPlace(self, a: Dict[str, int], b: Dict[str, int]) -> Dict[str, int]:
        for key, n in b.items():
            a[key] = a.get(key, 0) + n
        return a


def _add(counts: Dict[str, int], key: str, n: int = 1) -> None:
    counts[key] = counts.get(key, 0) + n


def _labeler(threads: Optional[int]):
    """A labeler for one partition (it costs about a millisecond: the model is compiled in)."""
    import chaff

    return chaff.Labeler(threads=threads or None)


def _warc_partition(
    files: Iterator[Tuple[str, bytes]],
    threads: Optional[int],
    lang: Optional[str],
    counts,
) -> Iterator[str]:
    """WARC files to JSON lines: (name, bytes), or (name, local path) for chaff to stream
    from disk. Counts go to the `counts` accumulator."""
    import chaff

    labeler = _labeler(threads)
    local: Dict[str, int] = {}
    try:
        for path, data in files:
            _add(local, "files")
            try:
                source = data if isinstance(data, str) else bytes(data)
                result = labeler.clean_warc(source, lang=lang)
            except (chaff.ChaffError, OSError) as e:
                # A malformed file: its records cannot be counted one by one.
                _add(local, "files failed")
                print(f"spark_clean: {path}: {e}", file=sys.stderr)
                continue
            _add(local, "records", result["records"])
            for reason, n in result["skipped"].items():
                _add(local, "skipped: " + reason, n)
            for page in result["pages"]:
                _add(local, "pages")
                yield json.dumps(page, ensure_ascii=False)
    finally:
        counts.add(local)


def _jsonl_partition(
    lines: Iterator[str],
    text_field: str,
    threads: Optional[int],
    lang: Optional[str],
    batch: int,
    counts,
) -> Iterator[str]:
    """JSONL lines to JSON lines, `batch` pages per `clean_batch` call."""
    import chaff

    labeler = _labeler(threads)
    local: Dict[str, int] = {}

    def flush(kept: List[Dict[str, Any]], pages: List[str]) -> Iterator[str]:
        try:
            cleaned = labeler.clean_batch(pages, lang=lang)
        except chaff.ChaffError:
            # One page chaff cannot read fails its batch: clean the batch page by page.
            cleaned = []
            for page in pages:
                try:
                    cleaned.append(labeler.clean(page, lang=lang))
                except chaff.ChaffError:
                    cleaned.append(None)
        for out, text in zip(kept, cleaned):
            if text is None:
                _add(local, "skipped: unreadable page")
                continue
            out["clean"] = text
            _add(local, "pages")
            yield json.dumps(out, ensure_ascii=False)

    kept: List[Dict[str, Any]] = []
    pages: List[str] = []
    try:
        for line in lines:
            if not line.strip():
                continue  # a blank line is no record
            _add(local, "records")
            try:
                record = json.loads(line)
            except ValueError:
                _add(local, "skipped: not JSON")
                continue
            if not isinstance(record, dict):
                _add(local, "skipped: not a JSON object")
                continue
            page = record.get(text_field)
            if not isinstance(page, str):
                _add(local, f"skipped: no {text_field} string")
                continue
            kept.append({k: record[k] for k in CARRIED_FIELDS if k in record})
            pages.append(page)
            if len(pages) >= batch:
                yield from flush(kept, pages)
                kept, pages = [], []
        if pages:
            yield from flush(kept, pages)
    finally:
        counts.add(local)


def _list_files(spark, input_dir: str) -> List[str]:
    """The files of `input_dir` (any Hadoop file system: local, HDFS, S3...), sorted."""
    jvm = spark.sparkContext._jvm
    conf = spark.sparkContext._jsc.hadoopConfiguration()
    path = jvm.org.apache.hadoop.fs.Path(input_dir)
    fs = path.getFileSystem(conf)
    if not fs.exists(path):
        raise FileNotFoundError(input_dir)
    names = []
    for status in fs.listStatus(path):
        name = status.getPath().getName()
        if status.isFile() and not name.startswith((".", "_")):
            names.append(status.getPath().toString())
    return sorted(names)


def _format_of(files: List[str], fmt: str) -> Tuple[str, List[str]]:
    warc = [f for f in files if f.endswith(WARC_SUFFIXES)]
    jsonl = [f for f in files if f.endswith(JSONL_SUFFIXES)]
    if fmt == "auto":
        if warc and jsonl:
            raise ValueError("the input folder holds both WARC and JSONL files: pass --format")
        fmt = "warc" if warc else "jsonl"
    chosen = warc if fmt == "warc" else jsonl
    if not chosen:
        suffixes = " or ".join(WARC_SUFFIXES if fmt == "warc" else JSONL_SUFFIXES)
        raise ValueError(f"no {suffixes} files in the input folder")
    return fmt, chosen


def _picklable_here() -> None:
    """Ship this module's functions by value when it is imported rather than run (a test,
    a notebook): the workers need not be able to import it."""
    if __name__ == "__main__":
        return
    from pyspark import cloudpickle

    try:
        cloudpickle.register_pickle_by_value(sys.modules[__name__])
    except (KeyError, ValueError):
        pass  # not in sys.modules: cloudpickle ships it by value anyway


def clean_folder(
    spark,
    input_dir: str,
    output_dir: str,
    *,
    fmt: str = "auto",
    partitions: Optional[int] = None,
    text_field: str = "text",
    threads: Optional[int] = None,
    lang: Optional[str] = None,
    batch: int = BATCH,
    compress: bool = False,
    stream_local_files: bool = True,
) -> Dict[str, Any]:
    """Cleans the WARC or JSONL files of `input_dir` into JSONL part files in `output_dir`
    (which must not exist). Local WARC files are streamed from disk by chaff (unless
    `stream_local_files` is false), others read whole by Spark. Returns the summary: ``format``, ``files``, ``records``,
    ``pages``, ``skipped`` ({reason: count}) and ``files_failed`` (WARC files chaff could
    not read; their records are in neither count)."""
    _picklable_here()
    sc = spark.sparkContext
    fmt, files = _format_of(_list_files(spark, input_dir), fmt)
    if threads is None:
        threads = int(sc.getConf().get("spark.task.cpus", "1"))
    parts = partitions or sc.defaultParallelism
    counts = sc.accumulator({}, CountsParam())
    paths = ",".join(files)

    if fmt == "warc" and stream_local_files and all(f.startswith("file:") for f in files):
        # Local files (local[N], or a folder every worker mounts): chaff streams each from disk,
        # a batch of records at a time, instead of Spark handing over its bytes whole (a
        # Common Crawl WARC file is a gigabyte).
        local = [(f, unquote(urlparse(f).path)) for f in files]
        rdd = sc.parallelize(local, min(parts, len(files)))
        out = rdd.mapPartitions(lambda it: _warc_partition(it, threads, lang, counts))
    elif fmt == "warc":
        # Spark packs small files into few partitions; a file is the unit of work, so spread
        # them over up to `parts` partitions.
        rdd = sc.binaryFiles(paths, minPartitions=parts)
        wanted = min(parts, len(files))
        if rdd.getNumPartitions() < wanted:
            rdd = rdd.repartition(wanted)
        out = rdd.mapPartitions(lambda it: _warc_partition(it, threads, lang, counts))
    else:
        rdd = sc.textFile(paths, minPartitions=parts)
        if partitions and rdd.getNumPartitions() < partitions:
            rdd = rdd.repartition(partitions)  # gzip files do not split
        out = rdd.mapPartitions(
            lambda it: _jsonl_partition(it, text_field, threads, lang, batch, counts)
        )

    codec = "org.apache.hadoop.io.compress.GzipCodec" if compress else None
    out.saveAsTextFile(output_dir, compressionCodecClass=codec)

    c = dict(counts.value)
    skipped = {k[len("skipped: "):]: n for k, n in sorted(c.items()) if k.startswith("skipped: ")}
    summary = {
        "format": fmt,
        "files": len(files),
        "records": c.get("records", 0),
        "pages": c.get("pages", 0),
        "skipped": skipped,
        "files_failed": c.get("files failed", 0),
    }
    if summary["pages"] + sum(skipped.values()) != summary["records"]:
        raise RuntimeError(f"records unaccounted for: {summary}")
    return summary


def print_summary(summary: Dict[str, Any], output_dir: str, out=sys.stdout) -> None:
    skipped = sum(summary["skipped"].values())
    print(
        f"spark_clean: {summary['files']} {summary['format'].upper()} files, "
        f"{summary['records']} records: {summary['pages']} pages cleaned into {output_dir}, "
        f"{skipped} skipped",
        file=out,
    )
    for reason, n in summary["skipped"].items():
        print(f"  skipped {n}: {reason}", file=out)
    if summary["files_failed"]:
        print(f"  {summary['files_failed']} files could not be read (see the executors' logs)", file=out)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        description="Clean a folder of WARC or JSONL files with chaff on Spark, into JSONL."
    )
    p.add_argument("input_dir")
    p.add_argument("output_dir", help="a folder that does not exist yet")
    p.add_argument("--master", help="Spark master (default: the environment's, else local[*])")
    p.add_argument("--format", dest="fmt", choices=("auto", "warc", "jsonl"), default="auto")
    p.add_argument("--partitions", type=int, help="partitions (default: the default parallelism)")
    p.add_argument("--text-field", default="text", help="the JSONL field holding the page")
    p.add_argument("--threads", type=int, help="labeling threads per task (0: every core)")
    p.add_argument("--lang", help="keep only lines of this language (ISO 639-3)")
    p.add_argument("--batch", type=int, default=BATCH, help="JSONL pages per clean_batch call")
    p.add_argument("--compress", action="store_true", help="gzip the output part files")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    args = _parser().parse_args(argv)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("chaff spark_clean")
    if args.master:
        builder = builder.master(args.master)
    # Else spark-submit's master: its --master, the MASTER variable, spark-defaults.conf, or
    # local[*] (pyspark runs spark-submit under `python` too).
    spark = builder.getOrCreate()
    try:
        summary = clean_folder(
            spark,
            args.input_dir,
            args.output_dir,
            fmt=args.fmt,
            partitions=args.partitions,
            text_field=args.text_field,
            threads=args.threads,
            lang=args.lang,
            batch=args.batch,
            compress=args.compress,
        )
    finally:
        spark.stop()
    print_summary(summary, args.output_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
