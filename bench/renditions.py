"""Renditions: our whole rendition set of one image vs ``vipsthumbnail`` making the same sizes.

Two generated images (Pillow, photo-like: gradients, shapes, a little noise): a 24 MP JPEG
(6000 x 4000, quality 90) and a large PNG (4000 x 3000). For each:

- ours: :func:`renditions.pipeline.make_renditions` with AEM's four profiles (one decode,
  JPEG draft mode, reduce + Lanczos, encode) and each file written to disk, in this
  process; best of N;
- baseline: ``vipsthumbnail`` (libvips-tools) run once per size, the way it is used —
  ``-s 1280x1280 -o x.jpg[Q=90]``, ``-s 319x319 -o x.png``, ``-s 140x100``, ``-s 48x48`` —
  timed over the four runs together; best of N. Process start-up is part of its time, as
  it is part of any caller's.

Also one 319-pixel thumbnail alone (ours vs one ``vipsthumbnail`` run), and the whole job
for the JPEG as the server runs it (:func:`renditions.pipeline.process_asset`: decode,
renditions, metadata, blobs and rendition nodes in a SQLite repository) for information.

If ``vipsthumbnail`` is missing it is installed with ``apt-get install -y libvips-tools``
(through ``sudo`` when not root and sudo is there); if that fails the rows say so.
"""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import time
from pathlib import Path

from PIL import Image, ImageDraw

from renditions.pipeline import Settings, make_renditions, process_asset
from renditions.profiles import DEFAULT_PROFILES
from repository import ASSET, FOLDER, Repository

from .report import Row, ms, progress, ratio

TARGET = 1.0
#: vipsthumbnail arguments for each of AEM's four renditions.
VIPS_SIZES = (("1280x1280", "web.jpg[Q=90]"), ("319x319", "t319.png"),
              ("140x100", "t140.png"), ("48x48", "t48.png"))


def ensure_vipsthumbnail() -> str | None:
    found = shutil.which("vipsthumbnail")
    if found:
        return found
    command = ["apt-get", "install", "-y", "-qq", "libvips-tools"]
    if os.geteuid() != 0:
        if not shutil.which("sudo"):
            return None
        command = ["sudo", "-n"] + command
    progress("renditions: installing libvips-tools for vipsthumbnail ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=600)
    except (OSError, subprocess.SubprocessError):
        return None
    return shutil.which("vipsthumbnail")


def photo_like(width: int, height: int, seed: int = 1) -> Image.Image:
    """Smooth gradients, a few hundred flat shapes and mild noise: compresses and decodes
    like a photograph rather than like noise or a flat colour."""
    red = Image.linear_gradient("L").resize((width, height))
    green = Image.linear_gradient("L").rotate(90).resize((width, height))
    blue = Image.radial_gradient("L").resize((width, height))
    image = Image.merge("RGB", (red, green, blue))
    draw = ImageDraw.Draw(image)
    rng = random.Random(seed)
    for _ in range(300):
        x, y, size = rng.randrange(width), rng.randrange(height), rng.randrange(20, width // 10)
        draw.ellipse((x, y, x + size, y + size),
                     fill=(rng.randrange(256), rng.randrange(256), rng.randrange(256)))
    noise = Image.effect_noise((width, height), 20).convert("RGB")
    return Image.blend(image, noise, 0.15)


def ours(source: Path, out_dir: Path, settings: Settings) -> float:
    started = time.perf_counter()
    _loaded, files = make_renditions(source, settings)
    for file in files:
        (out_dir / file.profile.name).write_bytes(file.data)
    return time.perf_counter() - started


def vips(tool: str, source: Path, out_dir: Path, sizes) -> float:
    started = time.perf_counter()
    for size, output in sizes:
        subprocess.run([tool, str(source), "-s", size, "-o", str(out_dir / output)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def best(function, reps: int) -> float:
    function()  # warm-up: page cache, imports, libvips modules
    return min(function() for _ in range(reps))


def whole_job(workdir: Path, source: Path, reps: int) -> float:
    repository = Repository(f"sqlite:///{workdir / 'renditions.db'}", str(workdir / "blobs"))
    try:
        repository.create_schema()
        repository.create(("bench",), FOLDER)
        with open(source, "rb") as stream:
            blob = repository.blobs.put(stream)
        times = []
        for index in range(reps + 1):
            node = repository.create(("bench", f"photo-{index}.jpg"), ASSET, blob=blob,
                                     mime_type="image/jpeg")
            started = time.perf_counter()
            outcome = process_asset(repository, node.id, Settings())
            times.append(time.perf_counter() - started)
            if outcome.status != "done":
                raise RuntimeError(f"the rendition job did not succeed: {outcome}")
        return min(times[1:])
    finally:
        repository.dispose()


def run(workdir: Path, quick: bool) -> list[Row]:
    reps = 3 if quick else 7
    jpeg_size, png_size = ((3000, 2000), (2000, 1500)) if quick else ((6000, 4000), (4000, 3000))
    tool = ensure_vipsthumbnail()
    if tool is None:
        return [Row("renditions: vipsthumbnail", "missing, and apt-get could not install "
                                                 "libvips-tools (run as root or with sudo)")]
    out_dir = workdir / "renditions-out"
    out_dir.mkdir(exist_ok=True)
    images = []
    progress("renditions: generating the test images ...")
    jpeg_path = workdir / "photo.jpg"
    photo_like(*jpeg_size).save(jpeg_path, "JPEG", quality=90)
    images.append((f"{jpeg_size[0] * jpeg_size[1] / 1e6:.0f} MP JPEG", jpeg_path))
    png_path = workdir / "large.png"
    photo_like(*png_size, seed=2).save(png_path, "PNG")
    images.append((f"{png_size[0] * png_size[1] / 1e6:.0f} MP PNG", png_path))

    all_four, one = Settings(), Settings(profiles=(DEFAULT_PROFILES[2],))
    rows: list[Row] = []
    for label, path in images:
        size = f"{path.stat().st_size / 2**20:.1f} MB"
        ours_set = best(lambda: ours(path, out_dir, all_four), reps)
        vips_set = best(lambda: vips(tool, path, out_dir, VIPS_SIZES), reps)
        progress(f"renditions: {label}: ours {ms(ours_set)}, vipsthumbnail x4 {ms(vips_set)}")
        rows.append(Row(f"renditions {label} ({size}): AEM's 4, best of {reps}", ms(ours_set),
                        f"vipsthumbnail, 4 runs: {ms(vips_set)}", ratio(ours_set, vips_set),
                        f"<= {TARGET:.1f}x", ours_set <= TARGET * vips_set))
        ours_one = best(lambda: ours(path, out_dir, one), reps)
        vips_one = best(lambda: vips(tool, path, out_dir, VIPS_SIZES[1:2]), reps)
        rows.append(Row(f"  one 319 px thumbnail of the {label}", ms(ours_one),
                        f"vipsthumbnail, 1 run: {ms(vips_one)}", ratio(ours_one, vips_one),
                        "(info)"))
    job = whole_job(workdir, jpeg_path, min(reps, 3))
    rows.append(Row(f"  whole job, {images[0][0]} (renditions, metadata, blobs, nodes)",
                    ms(job), "-", "-", "(info)"))
    return rows
