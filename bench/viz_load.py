"""Time to interactive of the explorer in headless Chromium (prints numbers; not a test).

Measures the page for the examples' store (``kg build examples/`` → output/store) and for a
synthetic graph of 5,000 entities built from synthetic articles that follow the data model.
Interactive = physics stabilised and frozen (``body[data-ready=true]``); then it also times
a search-and-focus and a type filter. Targets: < 2 s and < 5 s.

    python bench/viz_load.py [--store output/store] [--nodes 5000]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from endpoint import build_store  # noqa: E402  (sibling bench script)

from kg.viz import write_explorer  # noqa: E402

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def time_page(browser: object, html: Path, label: str) -> None:
    """Open ``html`` from disk and print load, search and filter timings."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    start = time.perf_counter()
    page.goto(html.as_uri())
    page.wait_for_selector("body[data-ready=true]", timeout=120_000)
    ready = time.perf_counter() - start
    nodes = page.evaluate("window.kgExplorer.nodes.length")
    first_label = page.evaluate("window.kgExplorer.nodes.get()[window.kgExplorer.nodes.length - 1].label")
    start = time.perf_counter()
    page.fill("#search", first_label)
    page.press("#search", "Enter")
    page.evaluate("new Promise((resolve) => requestAnimationFrame(() => resolve()))")
    search = time.perf_counter() - start
    start = time.perf_counter()
    page.uncheck('#type-filters input[data-key="Person"]')
    page.evaluate("new Promise((resolve) => requestAnimationFrame(() => resolve()))")
    filtering = time.perf_counter() - start
    print(f"{label}: {nodes} nodes, {html.stat().st_size / 1e6:.1f} MB page; "
          f"interactive after {ready:.2f} s; search+focus {search * 1000:.0f} ms; "
          f"type filter {filtering * 1000:.0f} ms; console errors: {len(errors)}")
    page.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=Path("output/store"), help="the examples' store")
    parser.add_argument("--nodes", type=int, default=5000)
    parser.add_argument("--articles", type=int, default=3000, help="synthetic articles (enough for --nodes entities)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp())
    pages = []
    if args.store.exists():
        examples = workdir / "examples.html"
        summary = write_explorer(ox.Store.read_only(str(args.store)), examples)
        pages.append((examples, f"examples ({args.store})"))
        print(f"examples page: {summary['nodes']} nodes, {summary['edges']} edges")
    else:
        print(f"no store at {args.store}: run `kg build examples/` first to time the examples' page")
    synthetic_store = workdir / "store"
    build_store(synthetic_store, args.articles)
    start = time.perf_counter()
    synthetic = workdir / "synthetic.html"
    summary = write_explorer(ox.Store.read_only(str(synthetic_store)), synthetic, top=args.nodes)
    print(f"synthetic page: {summary['nodes']} nodes, {summary['edges']} edges, "
          f"built in {time.perf_counter() - start:.1f} s")
    pages.append((synthetic, f"synthetic ({args.nodes} nodes)"))

    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for html, label in pages:
            time_page(browser, html, label)
        browser.close()


if __name__ == "__main__":
    main()
