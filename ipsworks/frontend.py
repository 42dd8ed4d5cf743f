"""Copy the pinned front-end packages from node_modules into ipsworks' static files.

Run by the set-up command (`./dev setup`) after `npm ci`. Nothing copied here is committed:
the target folder is ignored by git.
"""

import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "node_modules"
TARGET = Path(__file__).resolve().parent / "static" / "vendor"

# (source inside node_modules, destination inside static/vendor)
COPIES = [
    ("nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css", "nhsuk/nhsuk-frontend.min.css"),
    ("nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js", "nhsuk/nhsuk-frontend.min.js"),
    ("nhsuk-frontend/dist/nhsuk/assets", "nhsuk/assets"),
    ("htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"),
    ("axe-core/axe.min.js", "axe/axe.min.js"),
]


# The design system's CSS loads the Frutiger font from the NHS's own asset host. That font is
# licensed for NHS websites only, and ipsworks' Content Security Policy allows no other host,
# so the @font-face rules are left out of the copy and the fallback font (Arial) is used.
REMOTE_FONT_FACE = re.compile(r"@font-face\{[^}]*url\(https?://[^}]*\}")


# The packages' source maps are not copied, so the comments naming them are left out too:
# otherwise production's collectstatic (which checks every file a stylesheet or script names)
# stops at the missing .map file.
SOURCE_MAP = re.compile(r"(/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$")


def adapt_css(css: str) -> str:
    """Leave out the remote fonts and the source map comment, and point the icons at the copied
    assets folder beside the stylesheet (the compiled CSS expects them at the site root,
    /assets/)."""
    css = SOURCE_MAP.sub("", REMOTE_FONT_FACE.sub("", css))
    return css.replace("url(/assets/", "url(assets/")


def adapt_js(js: str) -> str:
    """Leave out the source map comment (see SOURCE_MAP)."""
    return SOURCE_MAP.sub("", js)


def copy_assets() -> list[Path]:
    copied = []
    for source, dest in COPIES:
        src = NODE_MODULES / source
        dst = TARGET / dest
        if not src.exists():
            raise SystemExit(f"ipsworks: {src} is missing; run `npm ci` first (./dev setup does).")
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        elif dst.suffix == ".css":
            dst.write_text(adapt_css(src.read_text(encoding="utf-8")), encoding="utf-8")
        elif dst.suffix == ".js":
            dst.write_text(adapt_js(src.read_text(encoding="utf-8")), encoding="utf-8")
        else:
            shutil.copy2(src, dst)
        copied.append(dst)
    return copied


if __name__ == "__main__":
    copy_assets()
    # Standard error: `./dev ipsworks COMMAND > file` must hold only the command's output.
    sys.stderr.write(f"ipsworks: front-end assets copied to {TARGET.relative_to(ROOT)}\n")
