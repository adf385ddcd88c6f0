"""Clean a folder of WARC files with datatrove and chaff, into a folder of JSONL.

    python examples/datatrove_clean.py WARC_DIR OUTPUT_DIR [--tasks N] [--workers N]

The pipeline is datatrove's usual one for web text, with chaff in the place of its
trafilatura extractor: ``WarcReader`` (HTML ``response`` records, decoded to text) →
``chaff.datatrove.ChaffExtractor`` (the body lines, pages left empty dropped) →
``JsonlWriter`` (gzipped JSONL, one document a line: ``text``, ``id``, ``metadata``).
datatrove writes its statistics and logs under ``OUTPUT_DIR/logs``.

Needs ``pip install ./python datatrove[io]`` (the chaff package from a checkout of chaff).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import WarcReader
from datatrove.pipeline.writers import JsonlWriter

from chaff.datatrove import ChaffExtractor


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("warc_dir")
    parser.add_argument("output_dir")
    parser.add_argument("--glob", default="*.warc.gz", help="WARC file names (default *.warc.gz)")
    parser.add_argument("--tasks", type=int, default=1, help="datatrove tasks (files are split among them)")
    parser.add_argument("--workers", type=int, default=1, help="tasks run at once")
    parser.add_argument("--lang", help="keep only body lines in this ISO 639-3 language")
    args = parser.parse_args(argv)
    out = Path(args.output_dir)
    start = time.perf_counter()
    LocalPipelineExecutor(
        pipeline=[
            WarcReader(args.warc_dir, glob_pattern=args.glob),
            # Each worker's batches use the cores left to it.
            ChaffExtractor(lang=args.lang, threads=None if args.workers == 1 else 1),
            JsonlWriter(str(out / "clean")),
        ],
        tasks=args.tasks,
        workers=args.workers,
        logging_dir=str(out / "logs"),
    ).run()
    took = time.perf_counter() - start
    stats = json.loads((out / "logs" / "stats.json").read_text())
    extractor = next(s for s in stats if s["name"].endswith("chaff"))
    counts = {k: v["total"] if isinstance(v, dict) else v for k, v in extractor["stats"].items()}
    print(
        f"datatrove_clean: {counts.get('total', 0)} HTML documents, {counts.get('forwarded', 0)} "
        f"cleaned, {counts.get('dropped', 0)} left empty, in {took:.1f} s"
    )


if __name__ == "__main__":
    main()
