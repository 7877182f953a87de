"""Strict validator for the Prometheus text exposition format (0.0.4).

    import prometheus_text_check
    problems = prometheus_text_check.check(text, textfile_collector=True)

    python3 prometheus_text_check.py [--textfile] [--require-metadata] FILE

check() returns a list of problems, each "line N: what is wrong" (empty when
the text is fine); the CLI prints them and exits 1 if there are any. It is
a pure-Python stand-in for `promtool check metrics` and stricter than it in
places where Prometheus's parsers disagree or silently accept mistakes:

- metric and label names follow the grammar; label names starting with "__"
  are reserved;
- label values are double-quoted valid UTF-8 with only \\\\, \\" and \\n as
  escapes; HELP text allows only \\\\ and \\n;
- at most one HELP and one TYPE line per family, both before its first
  sample; "#HELP" without a blank is reported (parsers disagree on it);
- the samples of a family are contiguous and no series (name plus label set)
  appears twice;
- values are decimal floats or exactly NaN, +Inf, -Inf (Go's ParseFloat also
  takes "nan", "inf", hex floats; this check does not, to stay portable);
  the optional timestamp is an int64 of milliseconds;
- counter families end in _total and other typed families do not (what
  promtool's linter demands); histogram buckets carry `le`, summary
  quantiles `quantile`;
- no blank at the end of a sample or TYPE line, or between a metric name
  and its '{' (the format allows them, but expfmt, which node_exporter and
  promtool use, rejects the former and Prometheus's scrape parser the
  latter);
- the text ends with a newline.

textfile_collector=True also rejects timestamps (node_exporter's textfile
collector skips a whole file that has them); require_metadata=True demands a
HELP and a TYPE line for every family that has samples (promtool's linter
wants HELP).
"""

import math
import re
import sys

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
SPECIAL_FLOATS = {"NaN": math.nan, "+Inf": math.inf, "-Inf": -math.inf}
TIMESTAMP = re.compile(r"-?[0-9]+")
TYPES = ("counter", "gauge", "histogram", "summary", "untyped")
BLANKS = " \t"
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1

__all__ = ["check", "parse_value", "main"]


def parse_value(token):
    """The float a sample value token stands for, or None if it is invalid."""
    if token in SPECIAL_FLOATS:
        return SPECIAL_FLOATS[token]
    if FLOAT.fullmatch(token):
        return float(token)
    return None


class _Family:
    def __init__(self, name):
        self.name = name
        self.type = None
        self.help_line = None
        self.type_line = None
        self.first_sample_line = None
        self.closed = False  # another family's samples came after ours
        self.inf_buckets = {}  # histogram: series labels -> has le="+Inf"


class _Checker:
    def __init__(self, textfile_collector, require_metadata):
        self.textfile_collector = textfile_collector
        self.require_metadata = require_metadata
        self.problems = []
        self.families = {}
        self.current = None  # family whose samples came last
        self.series = {}  # (name, labels) -> first line
        self.line_number = 0

    def problem(self, message):
        self.problems.append("line %d: %s" % (self.line_number, message))

    def family(self, name):
        if name not in self.families:
            self.families[name] = _Family(name)
        return self.families[name]

    # ------------------------------------------------------------ lines

    def line(self, line):
        stripped = line.strip(BLANKS)
        if not stripped:
            return
        # The format says trailing blanks are ignored, but expfmt (the parser
        # of node_exporter and promtool) rejects them after a value,
        # timestamp or type, and with them the whole file.
        trailing = line != line.rstrip(BLANKS)
        if stripped.startswith("#"):
            if trailing and re.match(r"#[ \t]+TYPE[ \t]", stripped):
                self.problem("trailing blank after a TYPE line")
            self.comment(stripped)
        else:
            if trailing:
                self.problem("trailing blank after a sample")
            self.sample(stripped)

    def comment(self, text):
        match = re.match(r"#([ \t]*)(HELP|TYPE)(?=[ \t]|$)", text)
        if not match:
            return  # a plain comment
        if not match.group(1):
            self.problem("'%s' needs a blank after '#'; parsers disagree on "
                         "whether it is a comment" % text[:5])
            return
        keyword = match.group(2)
        rest = text[match.end():].lstrip(BLANKS)
        name_match = METRIC_NAME.match(rest)
        end = name_match.end() if name_match else 0
        if not name_match or (end < len(rest) and rest[end] not in BLANKS):
            self.problem("invalid metric name in %s line: %r" %
                         (keyword, rest.split()[0] if rest.split() else ""))
            return
        name = name_match.group(0)
        argument = rest[end:].lstrip(BLANKS)
        family = self.family(name)
        # "All lines for a given metric must be provided as one single
        # group": metadata of another family ends the current group.
        if self.current is not None and self.current is not family:
            self.current.closed = True
            self.current = None
        if keyword == "HELP":
            self.help(family, argument)
        else:
            self.type(family, argument)

    def help(self, family, text):
        if family.help_line is not None:
            self.problem("second HELP line for %s (first on line %d)" %
                         (family.name, family.help_line))
            return
        family.help_line = self.line_number
        if family.first_sample_line is not None:
            self.problem("HELP for %s after its samples (first on line %d)" %
                         (family.name, family.first_sample_line))
        i = 0
        while i < len(text):
            if text[i] == "\\":
                escape = text[i + 1:i + 2]
                if escape not in ("\\", "n"):
                    self.problem("invalid escape sequence %r in HELP text of "
                                 "%s" % ("\\" + escape, family.name))
                i += 2
            else:
                i += 1

    def type(self, family, text):
        if family.type_line is not None:
            self.problem("second TYPE line for %s (first on line %d)" %
                         (family.name, family.type_line))
            return
        family.type_line = self.line_number
        if family.first_sample_line is not None:
            self.problem("TYPE for %s after its samples (first on line %d)" %
                         (family.name, family.first_sample_line))
        if text not in TYPES:
            self.problem("unknown metric type %r for %s" % (text, family.name))
            return
        family.type = text
        if text == "counter" and not family.name.endswith("_total"):
            self.problem("counter %s does not end in _total" % family.name)
        if text in ("gauge", "histogram", "summary") and \
                family.name.endswith("_total"):
            self.problem("%s %s ends in _total, which is for counters" %
                         (text, family.name))

    # ------------------------------------------------------------ samples

    def sample(self, text):
        match = METRIC_NAME.match(text)
        if not match:
            self.problem("invalid metric name at %r" % text[:40])
            return
        name = match.group(0)
        pos = match.end()
        labels = {}
        if pos < len(text) and text[pos] == "{":
            pos = self.labels(text, pos + 1, name, labels)
            if pos is None:
                return
        elif pos < len(text) and text[pos] not in BLANKS:
            self.problem("invalid metric name %r" % text.split()[0][:60])
            return
        elif text[pos:].lstrip(BLANKS).startswith("{"):
            self.problem("blank between metric name %s and '{' (parsers "
                         "disagree on it)" % name)
            return
        tokens = [t for t in re.split(r"[ \t]+", text[pos:]) if t]
        if not tokens:
            self.problem("sample %s has no value" % name)
            return
        if len(tokens) > 2:
            self.problem("unexpected text after the timestamp of %s: %r" %
                         (name, " ".join(tokens[2:])[:40]))
            return
        value = parse_value(tokens[0])
        if value is None:
            self.problem("invalid value %r for %s (expected a float, NaN, "
                         "+Inf or -Inf)" % (tokens[0][:40], name))
        if len(tokens) == 2:
            self.timestamp(name, tokens[1])
        self.account(name, labels)

    def labels(self, text, pos, name, labels):
        """Parse label pairs after '{'; returns the index after '}'."""
        while True:
            pos = _skip_blanks(text, pos)
            if pos < len(text) and text[pos] == "}":
                return pos + 1
            match = LABEL_NAME.match(text, pos)
            if not match:
                self.problem("invalid label name at %r in %s" %
                             (text[pos:pos + 20], name))
                return None
            label = match.group(0)
            pos = _skip_blanks(text, match.end())
            if text[pos:pos + 1] != "=":
                self.problem("expected '=' after label name %s in %s" %
                             (label, name))
                return None
            pos = _skip_blanks(text, pos + 1)
            if text[pos:pos + 1] != '"':
                self.problem("expected '\"' to start the value of label %s "
                             "in %s" % (label, name))
                return None
            value, pos = self.label_value(text, pos + 1, label, name)
            if value is None:
                return None
            if label.startswith("__"):
                self.problem("label name %s in %s is reserved (starts with "
                             "'__')" % (label, name))
            if label in labels:
                self.problem("duplicate label name %s in %s" % (label, name))
            labels[label] = value
            pos = _skip_blanks(text, pos)
            if text[pos:pos + 1] == ",":
                pos += 1
                continue
            if text[pos:pos + 1] == "}":
                return pos + 1
            self.problem("expected ',' or '}' after the value of label %s in "
                         "%s" % (label, name))
            return None

    def label_value(self, text, pos, label, name):
        out = []
        while pos < len(text):
            char = text[pos]
            if char == '"':
                return "".join(out), pos + 1
            if char == "\\":
                escape = text[pos + 1:pos + 2]
                if escape not in ("\\", '"', "n"):
                    self.problem("invalid escape sequence %r in the value of "
                                 "label %s in %s" % ("\\" + escape, label,
                                                     name))
                    return None, pos
                out.append("\n" if escape == "n" else escape)
                pos += 2
                continue
            out.append(char)
            pos += 1
        self.problem("unterminated value of label %s in %s" % (label, name))
        return None, pos

    def timestamp(self, name, token):
        if not TIMESTAMP.fullmatch(token) or \
                not INT64_MIN <= int(token) <= INT64_MAX:
            self.problem("invalid timestamp %r for %s (expected an int64 of "
                         "milliseconds)" % (token[:40], name))
        elif self.textfile_collector:
            self.problem("sample %s has a timestamp, which the textfile "
                         "collector does not support" % name)

    def family_of(self, name):
        """The family a sample name belongs to (histogram/summary parts)."""
        for suffix, kinds in (("_bucket", ("histogram",)),
                              ("_sum", ("histogram", "summary")),
                              ("_count", ("histogram", "summary"))):
            if name.endswith(suffix):
                base = self.families.get(name[:-len(suffix)])
                if base is not None and base.type in kinds:
                    return base, suffix
        return self.family(name), ""

    def account(self, name, labels):
        family, suffix = self.family_of(name)
        if family.first_sample_line is None:
            family.first_sample_line = self.line_number
        elif family is not self.current and family.closed:
            self.problem("samples of %s are not contiguous (first on line %d)"
                         % (family.name, family.first_sample_line))
        if self.current is not None and self.current is not family:
            self.current.closed = True
        self.current = family

        if family.type == "histogram":
            self.histogram_part(family, name, suffix, labels)
        elif family.type == "summary" and not suffix:
            if "quantile" not in labels:
                self.problem("summary sample %s has no quantile label" % name)
            elif parse_value(labels["quantile"]) is None:
                self.problem("quantile %r of %s is not a float" %
                             (labels["quantile"], name))

        key = (name, tuple(sorted(labels.items())))
        if key in self.series:
            self.problem("duplicate series %s%s (first on line %d)" % (
                name, _format_labels(labels), self.series[key]))
        else:
            self.series[key] = self.line_number

    def histogram_part(self, family, name, suffix, labels):
        if suffix == "":
            self.problem("histogram %s has a sample without _bucket, _sum or "
                         "_count" % family.name)
            return
        series = tuple(sorted((k, v) for k, v in labels.items()
                              if k != "le"))
        family.inf_buckets.setdefault(series, False)
        if suffix != "_bucket":
            return
        if "le" not in labels:
            self.problem("histogram bucket %s has no le label" % name)
        elif parse_value(labels["le"]) is None:
            self.problem("le %r of %s is not a float" % (labels["le"], name))
        elif parse_value(labels["le"]) == math.inf:
            family.inf_buckets[series] = True

    def finish(self):
        for family in self.families.values():
            if family.first_sample_line is None:
                continue
            if self.require_metadata:
                if family.help_line is None:
                    self.line_number = family.first_sample_line
                    self.problem("%s has no HELP line" % family.name)
                if family.type_line is None:
                    self.line_number = family.first_sample_line
                    self.problem("%s has no TYPE line" % family.name)
            for series, has_inf in family.inf_buckets.items():
                if not has_inf:
                    self.line_number = family.first_sample_line
                    self.problem("histogram %s%s has no le=\"+Inf\" bucket" %
                                 (family.name, _format_labels(dict(series))))


def _skip_blanks(text, pos):
    while pos < len(text) and text[pos] in BLANKS:
        pos += 1
    return pos


def _format_labels(labels):
    if not labels:
        return ""
    return "{%s}" % ",".join('%s="%s"' % (k, v.replace("\\", "\\\\")
                                          .replace('"', '\\"')
                                          .replace("\n", "\\n"))
                             for k, v in sorted(labels.items()))


def check(text, textfile_collector=False, require_metadata=False):
    """Problems with `text` (str, or bytes to check UTF-8 too), each as
    "line N: message"; an empty list means the text is valid."""
    checker = _Checker(textfile_collector, require_metadata)
    if isinstance(text, (bytes, bytearray)):
        raw_lines = bytes(text).split(b"\n")
    else:
        raw_lines = text.split("\n")
    for number, raw in enumerate(raw_lines, 1):
        checker.line_number = number
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8")
            except UnicodeDecodeError as e:
                checker.problem("invalid UTF-8 at byte %d" % e.start)
                raw = raw.decode("utf-8", errors="replace")
        if "\r" in raw:
            checker.problem("carriage return in line (lines end with \\n "
                            "only)")
            raw = raw.replace("\r", "")
        if number == len(raw_lines) and raw:
            checker.problem("the last line does not end with a newline")
        checker.line(raw)
    checker.finish()
    return checker.problems


def main(argv=None):
    import argparse
    parser = argparse.ArgumentParser(
        description="Check a file in the Prometheus text exposition format.")
    parser.add_argument("file", help="file to check ('-' for stdin)")
    parser.add_argument("--textfile", action="store_true",
                        help="also reject timestamps (node_exporter textfile "
                        "collector)")
    parser.add_argument("--require-metadata", action="store_true",
                        help="demand HELP and TYPE for every family")
    args = parser.parse_args(argv)
    if args.file == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(args.file, "rb") as f:
                data = f.read()
        except OSError as e:
            print("%s: %s" % (args.file, e.strerror), file=sys.stderr)
            return 2
    problems = check(data, textfile_collector=args.textfile,
                     require_metadata=args.require_metadata)
    for problem in problems:
        print("%s:%s" % (args.file, problem[len("line "):]))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
