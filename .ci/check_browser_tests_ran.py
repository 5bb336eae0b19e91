"""Fail when the browser tests were skipped or missing from a pytest JUnit report."""

import sys
import xml.etree.ElementTree as ET

report = ET.parse(sys.argv[1])
browser = [case for case in report.iter("testcase") if "tests.browser" in case.get("classname", "")]
skipped = [case.get("name") for case in browser if case.find("skipped") is not None]
if not browser:
    sys.exit(f"{sys.argv[1]}: no browser tests ran")
if skipped:
    sys.exit(f"{sys.argv[1]}: browser tests were skipped: {', '.join(skipped)}")
print(f"{len(browser)} browser tests ran, none skipped")
