"""The shipped catalogs are complete, compiled and consistent with the source strings."""
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = ROOT / "translations"
LANGUAGES = ["pt_BR", "es", "fr", "ur", "zh_Hans"]
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def load(lang):
    with (CATALOGS / lang / "LC_MESSAGES" / "text.po").open("rb") as po:
        return read_po(po, locale=lang.replace("zh_Hans", "zh_Hans_CN"))


def extracted_msgids(tmp_path):
    out = tmp_path / "fresh.po"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg", "-k", "N_", "-k", "NC_:1c,2",
                    "-k", "_", "-k", "fail", "-k", "ApiError:2", "-k", "gettext", "-k", "ngettext:1,2",
                    "-o", str(out), "mlcourse", "static"], cwd=ROOT, check=True, capture_output=True)
    with out.open("rb") as po:
        return {(m.context, m.id) for m in read_po(po) if m.id}


def test_source_catalog_holds_every_string_in_the_code(tmp_path):
    source = {(m.context, m.id) for m in load("en") if m.id}
    missing = extracted_msgids(tmp_path) - source
    assert not missing, f"run `make translations`: {sorted(missing)[:5]}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_is_complete_and_placeholders_match(lang):
    source = {(m.context, m.id) for m in load("en") if m.id}
    catalog = {(m.context, m.id): m for m in load(lang) if m.id}
    assert source <= set(catalog), sorted(source - set(catalog))[:5]
    untranslated = [m for m in source if not catalog[m].string or catalog[m].fuzzy]
    assert not untranslated, untranslated[:5]
    for key in source:
        ids = key[1] if isinstance(key[1], tuple) else (key[1],)
        forms = catalog[key].string if isinstance(catalog[key].string, tuple) else (catalog[key].string,)
        expected = set().union(*(PLACEHOLDER.findall(i) for i in ids))
        for form in forms:  # every plural form keeps the placeholders
            assert set(PLACEHOLDER.findall(form)) == expected, (key, form)


@pytest.mark.parametrize("lang", ["en", *LANGUAGES])
def test_compiled_catalog_is_not_stale(lang):
    compiled = io.BytesIO()
    write_mo(compiled, load(lang), use_fuzzy=False)
    shipped = (CATALOGS / lang / "LC_MESSAGES" / "text.mo").read_bytes()
    assert compiled.getvalue() == shipped, f"{lang}: .mo is stale, run `make translations`"


def test_a_learner_sees_their_language():
    from mlcourse.i18n import translator

    assert translator("pt-br").gettext("Your context") != "Your context"
    assert translator("zh-hans").gettext("Your context") != "Your context"
    assert translator("ur").gettext("Your context") != "Your context"


def _compile_script():
    import importlib.util

    spec = importlib.util.spec_from_file_location("compile_translations", ROOT / "scripts" / "compile_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("lang", LANGUAGES)
def test_javascript_catalog_is_complete_and_not_stale(lang):
    """static/js/translations/<lang>/text.js holds every string our JavaScript asks for, translated, and is
    what `make translations` would write now."""
    script = _compile_script()
    msgids = script.js_msgids()
    assert "Vote saved." in msgids and "Please choose a kind and give a title." in msgids
    catalog = load(lang)
    shipped = (ROOT / "static" / "js" / "translations" / lang / "text.js").read_text(encoding="utf-8")
    assert shipped == script.js_catalog_text(catalog, msgids), f"{lang}: JS catalog is stale, run `make translations`"
    for msgid in msgids:
        assert catalog.get(msgid) is not None and catalog.get(msgid).string, (lang, msgid)
        assert json.dumps(msgid, ensure_ascii=False) in shipped, (lang, msgid)
