"""Regenerate the README's preview images from a built round (docs/preview-*.png).

Usage: .venv/bin/python scripts/make-preview.py [output/2022] [unit]

- docs/preview-pdf.png: the first three pages of the unit's PDF (cover; summary, key
  figures and contents; the first chart), rendered by poppler's pdftoppm, side by side;
- docs/preview-html.png: the top of the unit's HTML page as headless Chromium shows it;
- docs/preview-phone.png: the same page on a phone (390 x 844 CSS px, at 2x), its top and
  a screen further down (the phone drawing of a chart, a table as cards).
Build first (`make report`).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

from hailong.publish.pdf import CHROMIUM_ARGS, find_chromium

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "output" / "2022")
    unit = sys.argv[2] if len(sys.argv) > 2 else "311"
    html, pdf = folder / f"{unit}.html", folder / f"{unit}.pdf"
    docs = ROOT / "docs"
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "3", str(pdf),
                        str(Path(tmp) / "page")], check=True)
        pages = [Image.open(p) for p in sorted(Path(tmp).glob("page-*.png"))]
        w, h = pages[0].size
        gap = 16
        sheet = Image.new("RGB", (len(pages) * (w + gap) + gap, h + 2 * gap), "#c8ced6")
        for k, im in enumerate(pages):
            sheet.paste(im, (gap + k * (w + gap), gap))
        sheet.convert("P", palette=Image.ADAPTIVE).save(docs / "preview-pdf.png", optimize=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(find_chromium()),
                                     args=list(CHROMIUM_ARGS))
        page = browser.new_page(viewport={"width": 1100, "height": 1300})
        page.goto(html.resolve().as_uri(), wait_until="load")
        with tempfile.TemporaryDirectory() as tmp:
            page.screenshot(path=str(Path(tmp) / "html.png"))
            image = Image.open(Path(tmp) / "html.png").convert("P", palette=Image.ADAPTIVE)
            image.save(docs / "preview-html.png", optimize=True)
        phone = browser.new_page(viewport={"width": 390, "height": 844},
                                 device_scale_factor=2, is_mobile=True, has_touch=True)
        phone.goto(html.resolve().as_uri(), wait_until="load")
        with tempfile.TemporaryDirectory() as tmp:
            shots = []
            for k, anchor in enumerate(("body", "#chi-so-theo-linh-vuc")):
                phone.evaluate("a => document.querySelector(a).scrollIntoView()", anchor)
                shots.append(Path(tmp) / f"phone-{k}.png")
                phone.screenshot(path=str(shots[-1]))
            frames = [Image.open(s) for s in shots]
            w, h = frames[0].size
            gap = 24
            sheet = Image.new("RGB", (len(frames) * (w + gap) + gap, h + 2 * gap), "#c8ced6")
            for k, im in enumerate(frames):
                sheet.paste(im, (gap + k * (w + gap), gap))
            sheet = sheet.resize((sheet.width // 2, sheet.height // 2), Image.LANCZOS)
            sheet.convert("P", palette=Image.ADAPTIVE).save(docs / "preview-phone.png",
                                                             optimize=True)
        browser.close()
    for name in ("preview-pdf.png", "preview-html.png", "preview-phone.png"):
        print(f"docs/{name}: {(docs / name).stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
