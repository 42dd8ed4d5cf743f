"""Production's static files: the copied front-end packages pass collectstatic's checks."""

import os
import subprocess
import sys

from ipsworks.frontend import adapt_css, adapt_js


def test_source_map_comments_are_left_out_of_the_copies():
    css = "a{color:red}\n/*# sourceMappingURL=nhsuk-frontend.min.css.map */\n"
    assert adapt_css(css) == "a{color:red}\n"
    js = "var a=1;\n//# sourceMappingURL=nhsuk-frontend.min.js.map"
    assert adapt_js(js) == "var a=1;\n"
    assert adapt_js("var s='//# sourceMappingURL=x.map in a string';1;") == (
        "var s='//# sourceMappingURL=x.map in a string';1;"
    )


def test_collectstatic_succeeds_with_the_production_storage(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IPSWORKS_", "DATABASE_URL"))}
    env.update(
        {
            "IPSWORKS_ENV": "production",
            "IPSWORKS_SECRET_KEY": "x" * 60,
            "IPSWORKS_DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "ipsworks.settings",
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "ipsworks.cli", "collectstatic", "--noinput", "-v", "0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    static = tmp_path / "static"
    assert (static / "staticfiles.json").exists()
    assert list((static / "vendor" / "nhsuk").glob("nhsuk-frontend.min.*.css"))
