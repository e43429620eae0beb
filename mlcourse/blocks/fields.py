"""XBlock fields shared by our blocks."""
from __future__ import annotations

import json

from xblock.fields import Dict, List


class JsonDict(Dict):
    """A Dict whose OLX attribute is read back as JSON: XBlock's YAML reader splits characters outside the
    Basic Multilingual Plane (emoji, rare CJK) into lone surrogates, so export -> import would change the text."""

    def from_string(self, serialized):
        return self.enforce_type(json.loads(serialized))


class JsonList(List):
    """A List read back from OLX as JSON (see JsonDict)."""

    def from_string(self, serialized):
        return self.enforce_type(json.loads(serialized))
