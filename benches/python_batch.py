"""Pages per second of the Python package's batch call against the command line, on the same
HTML pages.

    target/python-venv/bin/python benches/python_batch.py PAGES_DIR [--pages N]

PAGES_DIR holds HTML pages (`*.html`, `*.html.gz`); they are repeated up to N pages. Timed:
`chaff.clean_batch` on every core and on one thread, `chaff.clean` page by page, and the
binary on the same pages, every core: as one JSONL stream
(`clean --jsonl --html-field html --no-site-memory`) and as files (`clean --no-site-memory
--out-dir`). Each figure is the best of three runs.
"""

import argparse
import gzip
import json
import os
import subprocess
import tempfile
import time
from pathlib import Path

import chaff


def read_pages(folder):
    pages = []
    for path in sorted(Path(folder).iterdir()):
        if path.name.endswith(".html"):
            pages.append(path.read_bytes())
        elif path.name.endswith(".html.gz"):
            pages.append(gzip.decompress(path.read_bytes()))
    if not pages:
        raise SystemExit(f"{folder}: no *.html or *.html.gz pages")
    return pages


def best_of(runs, f):
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages_dir")
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--binary", default="target/release/chaff")
    args = parser.parse_args()
    distinct = read_pages(args.pages_dir)
    pages = [distinct[i % len(distinct)] for i in range(args.pages)]
    megabytes = sum(map(len, pages)) / 1e6
    print(f"{len(pages)} pages ({len(distinct)} distinct), {megabytes:.1f} MB of HTML, {os.cpu_count()} cores")

    rows = []
    all_cores = chaff.Labeler()
    one_thread = chaff.Labeler(threads=1)
    rows.append(("clean_batch, every core", best_of(3, lambda: all_cores.clean_batch(pages, "html"))))
    rows.append(("clean_batch, 1 thread", best_of(3, lambda: one_thread.clean_batch(pages, "html"))))
    rows.append(("clean, page by page", best_of(1, lambda: [all_cores.clean(p, "html") for p in pages])))

    with tempfile.TemporaryDirectory() as scratch:
        stream = Path(scratch) / "pages.jsonl"
        with stream.open("w", encoding="utf-8") as out:
            for i, page in enumerate(pages):
                html = page.decode("utf-8", errors="replace")
                out.write(json.dumps({"id": i, "html": html}, ensure_ascii=False) + "\n")
        output = Path(scratch) / "clean.jsonl"
        command = [args.binary, "clean", "--jsonl", "--html-field", "html", "--no-site-memory",
                   "--out", str(output), str(stream)]

        def run_cli():
            subprocess.run(command, check=True)

        rows.append(("CLI clean --jsonl, every core", best_of(3, run_cli)))

        folder = Path(scratch) / "pages"
        folder.mkdir()
        for i, page in enumerate(pages):
            (folder / f"{i:06}.html").write_bytes(page)
        files = sorted(str(p) for p in folder.iterdir())
        out_dir = Path(scratch) / "clean"
        files_command = [args.binary, "clean", "--no-site-memory", "--out-dir", str(out_dir), *files]

        def run_cli_files():
            subprocess.run(files_command, check=True)

        rows.append(("CLI clean FILES, every core", best_of(3, run_cli_files)))

    for name, seconds in rows:
        print(f"{name:32} {len(pages) / seconds:8.0f} pages/s {megabytes / seconds:6.1f} MB/s")


if __name__ == "__main__":
    main()
