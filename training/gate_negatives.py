"""Negatives for the "is this a 12-lead EKG?" gate: pictures that are not EKGs, each with its source and split.

Usage: /usr/bin/python3 -m training.gate_negatives [--out build/gate/negatives] [--per-kind 400] [--seed 0]

Two kinds of source, written as PNG/JPEG files under --out plus `negatives.json`
({file, source, kind, split} per picture):
- photographs and artwork shipped by Debian packages (nothing downloaded at run time): the desktop
  wallpapers of plasma-workspace-wallpapers, gnome-backgrounds, mate-backgrounds and desktop-base, and
  scikit-image's sample pictures (people, animals, objects, a camera man, text pages) from python3-skimage.
  Missing packages are skipped with a note (apt-get install them first: training/README.md).
- hard negatives drawn here with PIL, the things an EKG gate is most likely to confuse with an EKG: line charts
  and stock charts on grids, graph paper (EKG-coloured too) with no trace, text pages, forms and lab-report
  tables, bedside/monitor screens showing one or a few waveforms, handwriting on plain or squared paper.

Split: by a hash of the file name within each source, 60% train / 15% val / 25% test. The test part is
never trained on or used to pick the threshold: `npm run eval:gate` measures false accepts on it per source.
Nothing here is committed (build/ is ignored); the script is the record of how the set was made."""
from __future__ import annotations

import argparse
import glob
import hashlib
import json
import math
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONTS = ["DejaVuSans.ttf", "DejaVuSerif.ttf", "DejaVuSansMono.ttf", "DejaVuSansCondensed.ttf", "DejaVuSans-Bold.ttf",
         "DejaVuSerif-Italic.ttf"]
DEBIAN_IMAGE_DIRS = {
    "wallpapers": ["/usr/share/wallpapers", "/usr/share/backgrounds", "/usr/share/desktop-base",
                   "/usr/share/plasma/look-and-feel"],
    "skimage": ["/usr/lib/python3/dist-packages/skimage/data", "/usr/share/python3-skimage"],
}
TEXT_SOURCES = ["/usr/share/common-licenses/GPL-3", "/usr/share/common-licenses/Apache-2.0",
                "/usr/share/common-licenses/GFDL-1.3", "/usr/share/common-licenses/Artistic"]


def split_of(name: str) -> str:
    h = int(hashlib.sha256(name.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF
    return "train" if h < 0.6 else "val" if h < 0.75 else "test"


def font(size: int, rng: random.Random, mono=False) -> ImageFont.FreeTypeFont:
    name = "DejaVuSansMono.ttf" if mono else rng.choice(FONTS)
    return ImageFont.truetype(os.path.join(FONT_DIR, name), size)


def words(rng: random.Random) -> list[str]:
    text = ""
    for p in TEXT_SOURCES:
        if os.path.exists(p):
            with open(p, encoding="utf-8", errors="ignore") as f:
                text += f.read()
    ws = text.split() or "the quick brown fox jumps over the lazy dog".split()
    return ws


def collect_debian(out_dir: str, rng: random.Random, max_side=1280) -> list[dict]:
    """Debian's pictures, downscaled to <= max_side and saved as JPEG (or PNG for small palette images)."""
    rows = []
    for source, dirs in DEBIAN_IMAGE_DIRS.items():
        files = []
        for d in dirs:
            for ext in ("jpg", "jpeg", "png", "webp"):
                files += glob.glob(os.path.join(d, "**", f"*.{ext}"), recursive=True)
        files = sorted(set(files))
        if not files:
            print(f"[negatives] {source}: none found in {dirs} (install the packages named in this module's docstring)")
            continue
        seen = set()
        for f in files:
            try:
                im = Image.open(f)
                im.load()
            except Exception:
                continue
            if min(im.size) < 96:
                continue
            im = im.convert("RGB")
            # the same wallpaper often ships at many sizes: keep one per picture
            key = hashlib.sha256(np.asarray(im.resize((16, 12))).tobytes()).hexdigest()
            if key in seen:
                continue
            seen.add(key)
            im.thumbnail((max_side, max_side))
            name = f"{source}/{len(seen):04d}-{os.path.splitext(os.path.basename(f))[0][:40]}.jpg"
            path = os.path.join(out_dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            im.save(path, quality=90)
            rows.append({"file": name, "source": source, "kind": "photo-or-artwork", "origin": f})
        print(f"[negatives] {source}: {len(seen)} pictures")
    return rows


def paper(rng: random.Random, w: int, h: int) -> Image.Image:
    base = rng.choice([(255, 255, 255), (250, 248, 240), (245, 245, 245), (255, 253, 235), (236, 240, 246)])
    return Image.new("RGB", (w, h), base)


def line_chart(rng: random.Random) -> Image.Image:
    w, h = rng.choice([(1000, 700), (1200, 800), (800, 600), (1280, 720)])
    dark = rng.random() < 0.25
    im = Image.new("RGB", (w, h), (25, 28, 34) if dark else (255, 255, 255))
    d = ImageDraw.Draw(im)
    x0, y0, x1, y1 = int(w * 0.1), int(h * 0.1), int(w * 0.95), int(h * 0.85)
    grid = (60, 64, 72) if dark else rng.choice([(225, 225, 225), (240, 200, 200), (210, 225, 245)])
    step = rng.choice([10, 20, 25, 40, 50])
    for x in range(x0, x1, step):
        d.line([(x, y0), (x, y1)], fill=grid, width=1)
    for y in range(y0, y1, step):
        d.line([(x0, y), (x1, y)], fill=grid, width=1)
    axis = (200, 200, 200) if dark else (40, 40, 40)
    d.line([(x0, y1), (x1, y1)], fill=axis, width=2)
    d.line([(x0, y0), (x0, y1)], fill=axis, width=2)
    f = font(rng.randint(11, 18), rng)
    for k in range(6):
        d.text((x0 + k * (x1 - x0) // 5 - 10, y1 + 8), f"{rng.randint(0, 99)}", fill=axis, font=f)
        d.text((x0 - 45, y1 - k * (y1 - y0) // 5 - 8), f"{k * rng.randint(1, 20)}", fill=axis, font=f)
    d.text((x0, int(h * 0.03)), " ".join(rng.sample(words(rng), 4)).title(), fill=axis, font=font(rng.randint(16, 26), rng))
    colors = [(31, 119, 180), (214, 39, 40), (44, 160, 44), (0, 0, 0), (255, 127, 14), (148, 103, 189)]
    for s in range(rng.randint(1, 5)):
        n = rng.randint(40, 600)
        kind = rng.random()
        ys = []
        v = 0.0
        for i in range(n):
            if kind < 0.4:
                v += rng.gauss(0, 1)
            elif kind < 0.7:
                v = math.sin(i / n * rng.uniform(2, 30)) * 5 + rng.gauss(0, 0.4)
            else:
                v = (10 if (i % rng.randint(20, 60)) < 3 else 0) + rng.gauss(0, 0.5)  # spiky, EKG-like pulses
            ys.append(v)
        lo, hi = min(ys), max(ys)
        pts = [(x0 + (x1 - x0) * i / (n - 1), y1 - (y1 - y0) * (0.1 + 0.8 * (y - lo) / (hi - lo + 1e-9))) for i, y in enumerate(ys)]
        d.line(pts, fill=colors[s % len(colors)], width=rng.randint(1, 3))
    return im


def stock_chart(rng: random.Random) -> Image.Image:
    w, h = rng.choice([(1200, 700), (1000, 600), (1280, 800)])
    dark = rng.random() < 0.5
    im = Image.new("RGB", (w, h), (18, 20, 26) if dark else (255, 255, 255))
    d = ImageDraw.Draw(im)
    grid = (40, 44, 52) if dark else (232, 232, 232)
    for x in range(0, w, 60):
        d.line([(x, 0), (x, h)], fill=grid)
    for y in range(0, h, 40):
        d.line([(0, y), (w, y)], fill=grid)
    n = rng.randint(40, 160)
    v = 100.0
    cw = w * 0.9 / n
    vals = []
    for i in range(n):
        o = v
        v = max(5, v + rng.gauss(0, 2))
        hi_, lo_ = max(o, v) + abs(rng.gauss(0, 1)), min(o, v) - abs(rng.gauss(0, 1))
        vals.append((o, v, hi_, lo_))
    lo = min(x[3] for x in vals)
    hi = max(x[2] for x in vals)
    Y = lambda p: h * 0.05 + (h * 0.65) * (1 - (p - lo) / (hi - lo + 1e-9))  # noqa: E731
    candles = rng.random() < 0.6
    for i, (o, c, hi_, lo_) in enumerate(vals):
        x = w * 0.05 + i * cw
        col = (38, 166, 91) if c >= o else (234, 57, 67)
        if candles:
            d.line([(x + cw / 2, Y(hi_)), (x + cw / 2, Y(lo_))], fill=col)
            d.rectangle([x + cw * 0.15, min(Y(o), Y(c)), x + cw * 0.85, max(Y(o), Y(c)) + 1], fill=col)
        vol = rng.uniform(0.2, 1)
        d.rectangle([x + cw * 0.15, h * (0.95 - 0.2 * vol), x + cw * 0.85, h * 0.95], fill=col)
    if not candles:
        d.line([(w * 0.05 + i * cw, Y(c)) for i, (o, c, _, _) in enumerate(vals)], fill=(41, 98, 255), width=2)
    f = font(14, rng)
    d.text((10, 10), f"{rng.choice(['ACME', 'XYZ', 'HRT', 'NASDAQ', 'DAX'])}  {vals[-1][1]:.2f}", fill=(200, 200, 200) if dark else (20, 20, 20), font=f)
    return im


EKG_GRIDS = [((255, 240, 240), (245, 188, 188), (224, 112, 112)), ((255, 255, 255), (235, 235, 235), (190, 190, 190)),
             ((228, 241, 230), (169, 211, 178), (95, 167, 119)), ((246, 207, 160), (233, 165, 106), (201, 112, 46))]


def graph_paper(rng: random.Random) -> Image.Image:
    """Squared or EKG-coloured paper with no trace (sometimes with handwriting or a few printed labels)."""
    w, h = rng.choice([(1100, 850), (1200, 900), (900, 1200), (1000, 700)])
    bg, minor, major = rng.choice(EKG_GRIDS) if rng.random() < 0.7 else ((255, 255, 255), (200, 215, 235), (120, 150, 200))
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    px = rng.uniform(3, 6)
    for k in range(int(w / px) + 1):
        d.line([(k * px, 0), (k * px, h)], fill=major if k % 5 == 0 else minor, width=2 if k % 5 == 0 else 1)
    for k in range(int(h / px) + 1):
        d.line([(0, k * px), (w, k * px)], fill=major if k % 5 == 0 else minor, width=2 if k % 5 == 0 else 1)
    if rng.random() < 0.5:
        handwriting(d, rng, w, h)
    return im


def handwriting(d: ImageDraw.ImageDraw, rng: random.Random, w: int, h: int) -> None:
    ink = rng.choice([(20, 30, 120), (10, 10, 10), (120, 20, 20)])
    for _ in range(rng.randint(2, 12)):
        x, y = rng.uniform(0.05, 0.6) * w, rng.uniform(0.05, 0.95) * h
        pts = []
        for i in range(rng.randint(20, 120)):
            x += rng.uniform(1, 5)
            pts.append((x + 4 * math.cos(i * 1.3), y - rng.uniform(2, 14) * abs(math.sin(i * 0.9))))
        d.line(pts, fill=ink, width=rng.randint(1, 3))


def text_page(rng: random.Random) -> Image.Image:
    """A printed page: letter, article, form, or a lab-report table."""
    w, h = rng.choice([(850, 1100), (1000, 1300), (1240, 1754), (1100, 850)])
    im = paper(rng, w, h)
    d = ImageDraw.Draw(im)
    ws = words(rng)
    kind = rng.random()
    size = rng.randint(12, 24)
    f = font(size, rng)
    y = int(h * 0.06)
    ink = rng.choice([(0, 0, 0), (30, 30, 30), (20, 30, 70)])
    d.text((int(w * 0.08), y), " ".join(rng.sample(ws, rng.randint(2, 6))).upper(), fill=ink, font=font(size + 8, rng))
    y += size * 3
    if kind < 0.5:  # paragraphs
        while y < h * 0.92:
            line, x = [], int(w * 0.08)
            while True:
                wd = rng.choice(ws)
                if x + len(" ".join(line + [wd])) * size * 0.55 > w * 0.92:
                    break
                line.append(wd)
            d.text((x, y), " ".join(line), fill=ink, font=f)
            y += int(size * rng.uniform(1.3, 1.7))
            if rng.random() < 0.08:
                y += size
    else:  # table / form / lab report
        cols = rng.randint(2, 5)
        rowh = int(size * 2)
        x0, x1 = int(w * 0.06), int(w * 0.94)
        while y < h * 0.9:
            d.line([(x0, y), (x1, y)], fill=(120, 120, 120), width=1)
            for c in range(cols):
                cx = x0 + (x1 - x0) * c // cols + 6
                txt = rng.choice(ws) if c == 0 else f"{rng.uniform(0, 200):.1f}" if rng.random() < 0.6 else rng.choice(ws)
                d.text((cx, y + rowh // 4), txt, fill=ink, font=f)
                if kind > 0.75:
                    d.line([(x0 + (x1 - x0) * c // cols, y), (x0 + (x1 - x0) * c // cols, y + rowh)], fill=(150, 150, 150))
            y += rowh
    return im


def ecg_beat(t: np.ndarray) -> np.ndarray:
    """A PQRST-like template (t in beat fractions), for monitor screens (one lead, not a 12-lead sheet)."""
    g = lambda mu, s, a: a * np.exp(-((t - mu) ** 2) / (2 * s * s))  # noqa: E731
    return g(0.2, 0.025, 0.15) + g(0.36, 0.008, -0.15) + g(0.4, 0.01, 1.0) + g(0.44, 0.01, -0.25) + g(0.65, 0.04, 0.3)


def monitor(rng: random.Random) -> Image.Image:
    """A bedside or defibrillator screen: dark background, 1-4 coloured waveforms, big numbers."""
    w, h = rng.choice([(1280, 720), (1024, 768), (800, 600)])
    im = Image.new("RGB", (w, h), rng.choice([(0, 0, 0), (10, 14, 20), (20, 24, 40)]))
    d = ImageDraw.Draw(im)
    colors = [(0, 255, 0), (255, 255, 0), (0, 200, 255), (255, 80, 80), (255, 255, 255)]
    n = rng.randint(1, 4)
    for k in range(n):
        yb = h * (0.15 + 0.7 * (k + 0.5) / n) * 0.8
        rate = rng.uniform(0.8, 2.0)
        t = np.linspace(0, rng.uniform(3, 8), 1500)
        if k == 0 or rng.random() < 0.5:
            sig = ecg_beat((t * rate) % 1.0)
        else:
            sig = 0.5 * (np.sin(2 * np.pi * t * rate * rng.uniform(0.3, 1)) + 1) ** 2
        sig = sig + np.random.default_rng(rng.randint(0, 1 << 30)).normal(0, 0.01, t.size)
        pts = [(w * 0.03 + w * 0.72 * i / (t.size - 1), yb - s * h * 0.12) for i, s in enumerate(sig)]
        d.line(pts, fill=colors[k % len(colors)], width=rng.randint(1, 3))
    f = font(rng.randint(40, 80), rng)
    for k in range(rng.randint(1, 4)):
        d.text((w * 0.8, h * (0.05 + 0.22 * k)), str(rng.randint(40, 180)), fill=colors[k % len(colors)], font=f)
    d.text((w * 0.03, h * 0.9), f"HR  SpO2  NIBP  {rng.randint(90, 140)}/{rng.randint(50, 90)}", fill=(200, 200, 200), font=font(20, rng))
    return im


def single_strip(rng: random.Random) -> Image.Image:
    """One rhythm strip on EKG paper (a Holter or defibrillator printout): an EKG, but not a 12-lead one."""
    w = rng.randint(1400, 2200)
    h = rng.randint(180, 320)
    bg, minor, major = rng.choice(EKG_GRIDS)
    im = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(im)
    px = 5
    for k in range(w // px + 1):
        d.line([(k * px, 0), (k * px, h)], fill=major if k % 5 == 0 else minor)
    for k in range(h // px + 1):
        d.line([(0, k * px), (w, k * px)], fill=major if k % 5 == 0 else minor)
    t = np.linspace(0, w / 125, w * 2)
    sig = ecg_beat((t * rng.uniform(0.9, 1.8)) % 1.0)
    d.line([(i / 2, h * 0.65 - s * h * 0.45) for i, s in enumerate(sig)], fill=(20, 20, 20), width=2)
    return im


GENERATORS = {"line-chart": line_chart, "stock-chart": stock_chart, "graph-paper": graph_paper,
              "text-page": text_page, "monitor": monitor, "single-strip": single_strip}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="build/gate/negatives")
    ap.add_argument("--per-kind", type=int, default=400)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    rng = random.Random(a.seed)
    os.makedirs(a.out, exist_ok=True)
    rows = collect_debian(a.out, rng)
    for kind, gen in GENERATORS.items():
        for i in range(a.per_kind):
            im = gen(random.Random(f"{a.seed}:{kind}:{i}"))
            if rng.random() < 0.3:
                im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.3, 1.2)))
            name = f"{kind}/{i:04d}.png" if rng.random() < 0.5 else f"{kind}/{i:04d}.jpg"
            path = os.path.join(a.out, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            im.save(path, **({"quality": rng.randint(60, 95)} if name.endswith(".jpg") else {}))
            rows.append({"file": name, "source": kind, "kind": "hard-negative"})
        print(f"[negatives] {kind}: {a.per_kind} drawn")
    for r in rows:
        r["split"] = split_of(r["file"])
    with open(os.path.join(a.out, "negatives.json"), "w") as f:
        json.dump({"format": "heartnet-gate-negatives/1", "seed": a.seed, "items": rows}, f, indent=1)
    by = {}
    for r in rows:
        by.setdefault(r["source"], {}).setdefault(r["split"], 0)
        by[r["source"]][r["split"]] += 1
    print(json.dumps(by))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
