"""Regenerate docs/GALLERY.md, docs/images/gallery/, the README's lesson thumbnails and the
picture of the README's example (docs/images/readme_example.png).

    python docs/make_gallery.py            # runs every lesson with --fast (about a minute)
    python docs/make_gallery.py --full     # the full lessons (several minutes)

Each lesson runs as a subprocess into a temporary directory; every picture it reports
(`[picture] path  (what)`) is copied to docs/images/gallery/<lesson>/, scaled down and
stored with a small palette so that the whole gallery stays under 3 MB, and listed in
docs/GALLERY.md with the lesson's own one-line description. One picture per lesson also
becomes a thumbnail in docs/images/lessons/ (used by README.md). Needs Graphviz and Pillow.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TUTORIALS = os.path.join(ROOT, "tutorials")
GALLERY = os.path.join(ROOT, "docs", "images", "gallery")
THUMBS = os.path.join(ROOT, "docs", "images", "lessons")
MAX_WIDTH = 760            # gallery pictures are scaled down to this width (pixels)
MAX_HEIGHT = 1100
THUMB_WIDTH = 240
GIF_WIDTH = 420
BUDGET = 3 * 1024 * 1024   # bytes, whole gallery + thumbnails

# The picture of each lesson that the README shows as its thumbnail.
THUMBNAIL = {
    "01_graphs_and_sessions": "graph.png",
    "02_gradients_by_hand": "forward_and_gradients.png",
    "03_logistic_regression": "decision_boundary.png",
    "04_mlp_digits": "confusion_matrix.png",
    "05_cnn_digits": "filters.png",
    "06_rnn_lstm": "predictions.png",
    "07_keras_tour": "training_with_callbacks.png",
    "08_gradient_flow": "per_layer_gradients.png",
    "09_step_by_step": "numbered_steps.png",
    "10_distributed": "placement.png",
    "11_checkpoints_and_export": "iris_forward.png",
}
PICTURE_LINE = re.compile(r"^\s*\[picture\] (.+?)(?:  \((.*)\))?$")


def lessons():
    return sorted(f[:-3] for f in os.listdir(TUTORIALS) if re.match(r"\d\d_\w+\.py$", f))


def lesson_title(name):
    """The first line of the lesson's docstring."""
    with open(os.path.join(TUTORIALS, name + ".py"), encoding="utf-8") as f:
        text = f.read()
    doc = text.split('"""')[1].strip().splitlines()[0]
    return doc


def run(name, out, full):
    command = [sys.executable, os.path.join(TUTORIALS, name + ".py"), "--out", out]
    if not full:
        command.append("--fast")
    env = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg")
    print("running", name, "" if full else "(--fast)", flush=True)
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=out,
                          timeout=900)
    if done.returncode != 0:
        sys.exit("%s failed:\n%s" % (name, done.stderr[-3000:]))
    pictures = []
    for line in done.stdout.splitlines():
        match = PICTURE_LINE.match(line)
        if match:
            pictures.append((match.group(1), match.group(2) or ""))
    return pictures


def shrink_png(source, target, max_width, max_height=None):
    from PIL import Image
    image = Image.open(source).convert("RGB")
    scale = min(1.0, max_width / image.width,
                (max_height / image.height) if max_height else 1.0)
    if scale < 1.0:
        image = image.resize((max(1, int(image.width * scale)), max(1, int(image.height * scale))),
                             Image.LANCZOS)
    image = image.quantize(colors=96, method=Image.Quantize.MEDIANCUT)
    image.save(target, optimize=True)


def make_thumbnail(source, target, width=THUMB_WIDTH, aspect=0.75, max_crop=760):
    """A width x (aspect * width) thumbnail of the picture's top-left part (at most
    ``max_crop`` pixels wide), so that it shows a readable piece rather than a speck."""
    from PIL import Image
    image = Image.open(source).convert("RGB")
    w, h = image.size
    crop_w = min(w, max_crop)                 # large graphs: a corner at a readable scale
    crop_h = int(crop_w * aspect)
    if crop_h > h:
        crop_h, crop_w = h, int(h / aspect)
    image = image.crop((0, 0, crop_w, crop_h))
    image = image.resize((width, int(width * aspect)), Image.LANCZOS)
    image.quantize(colors=96, method=Image.Quantize.MEDIANCUT).save(target, optimize=True)


def shrink_gif(source, target, max_width):
    from PIL import Image, ImageSequence
    image = Image.open(source)
    frames, durations = [], []
    for frame in ImageSequence.Iterator(image):
        rgb = frame.convert("RGB")
        scale = min(1.0, max_width / rgb.width)
        if scale < 1.0:
            rgb = rgb.resize((int(rgb.width * scale), int(rgb.height * scale)), Image.LANCZOS)
        frames.append(rgb.quantize(colors=48, method=Image.Quantize.MEDIANCUT))
        durations.append(frame.info.get("duration", 700))
    frames[0].save(target, save_all=True, append_images=frames[1:], duration=durations,
                   loop=0, optimize=True)


def copy_picture(source, target):
    ext = os.path.splitext(source)[1].lower()
    if ext == ".png":
        target = os.path.splitext(target)[0] + ".png"
        shrink_png(source, target, MAX_WIDTH, MAX_HEIGHT)
    elif ext == ".gif":
        shrink_gif(source, target, GIF_WIDTH)
    elif ext == ".svg":
        shutil.copyfile(source, target)
    else:
        raise ValueError("unexpected picture type: %s" % source)
    return target


def readme_example():
    """The code between <!-- example:start --> and <!-- example:end --> in README.md."""
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        text = f.read()
    block = text.split("<!-- example:start -->")[1].split("<!-- example:end -->")[0]
    return block.split("```python")[1].split("```")[0]


def make_readme_picture():
    """Run the README's example and keep the picture it draws (docs/images/readme_example.png)."""
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "example.py"), "w", encoding="utf-8") as f:
            f.write(readme_example())
        env = dict(os.environ, PYTHONPATH=ROOT, MPLBACKEND="Agg")
        done = subprocess.run([sys.executable, "example.py"], cwd=tmp, env=env,
                              capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            sys.exit("the README example failed:\n" + done.stderr[-3000:])
        print("README example printed:", " ".join(done.stdout.split()))
        shrink_png(os.path.join(tmp, "graph.png"),
                   os.path.join(ROOT, "docs", "images", "readme_example.png"), 900)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="run the lessons without --fast")
    args = parser.parse_args()
    for directory in (GALLERY, THUMBS):
        if os.path.isdir(directory):
            shutil.rmtree(directory)
        os.makedirs(directory)
    make_readme_picture()
    sections = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in lessons():
            out = os.path.join(tmp, name)
            os.makedirs(out)
            pictures = run(name, out, args.full)
            os.makedirs(os.path.join(GALLERY, name))
            entries = []
            for path, what in pictures:
                target = copy_picture(path, os.path.join(GALLERY, name, os.path.basename(path)))
                entries.append((os.path.relpath(target, os.path.join(ROOT, "docs")), what))
                if os.path.basename(path) == THUMBNAIL.get(name):
                    make_thumbnail(path, os.path.join(THUMBS, name + ".png"))
            if not os.path.isfile(os.path.join(THUMBS, name + ".png")):
                sys.exit("%s did not write its thumbnail picture %s" % (name, THUMBNAIL.get(name)))
            sections.append((name, lesson_title(name), entries))

    lines = ["# Gallery", "",
             "The pictures the lessons in [`tutorials/`](../tutorials/) make, one line each. They "
             "are produced by `python docs/make_gallery.py`%s, which runs every lesson and "
             "copies its pictures here (scaled down; run a lesson to get them at full size)."
             % ("" if args.full else " (lessons in `--fast` mode: fewer steps, less data)"),
             ""]
    for name, title, entries in sections:
        lines.append("## [%s](../tutorials/%s.py)" % (title, name))
        lines.append("")
        for rel, what in entries:
            base = os.path.basename(rel)
            lines.append("- **%s**: %s  " % (base, what or base))
            lines.append("  ![%s](%s)" % (what or base, rel.replace(os.sep, "/")))
        lines.append("")
    with open(os.path.join(ROOT, "docs", "GALLERY.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines))
    total = sum(os.path.getsize(os.path.join(d, f)) for top in (GALLERY, THUMBS)
                for d, _, files in os.walk(top) for f in files)
    total += os.path.getsize(os.path.join(ROOT, "docs", "images", "readme_example.png"))
    print("wrote docs/GALLERY.md; images: %.2f MB" % (total / 1024.0 / 1024.0))
    if total > BUDGET:
        sys.exit("the gallery is larger than %.1f MB: lower MAX_WIDTH or the palette size"
                 % (BUDGET / 1024.0 / 1024.0))


if __name__ == "__main__":
    main()
