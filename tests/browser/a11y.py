"""What a screen reader finds on the screen shown: an automated check of the semantics tree that
Flutter builds in the page (its `flt-semantics` nodes, their roles and names), run on every screen
the walk opens (tests/browser/test_screens_walk.py).

A screen fails when an interactive node has no name, when a node lies outside the viewport's width
or above the top of the page (the semantics layer drawn away from the picture), or when it has not
exactly one top-level heading (its title: none leaves a screen-reader user without a landmark,
two leave them guessing which screen they are on). The names are what a screen reader says; the
same names drive the tests.
"""

from dataclasses import dataclass

from playwright.async_api import TimeoutError as PlaywrightTimeout

# Roles a person acts on (Flutter web gives them these ARIA roles, or a native input).
AUDIT = """() => {
  const interactive = new Set(['button', 'textbox', 'checkbox', 'switch', 'tab', 'radio', 'combobox',
                               'slider', 'link', 'menuitem', 'option']);
  const width = window.innerWidth;
  const found = {nodes: [], headings: []};
  const selector = 'flt-semantics, input, textarea, [role], h1, h2, h3, h4, h5, h6';
  for (const el of document.querySelectorAll(selector)) {
    if (el.closest('flt-semantics-placeholder')) continue;
    const tag = el.tagName.toLowerCase();
    let role = el.getAttribute('role') || (tag === 'input' || tag === 'textarea' ? 'textbox' : '');
    let level = 0;
    if (/^h[1-6]$/.test(tag)) { role = 'heading'; level = Number(tag[1]); }
    if (role === 'heading' && !level) level = Number(el.getAttribute('aria-level') || 2);
    const rect = el.getBoundingClientRect();
    if (rect.width === 0 && rect.height === 0) continue;
    let name = (el.getAttribute('aria-label') || '').trim();
    if (!name && el.id) {
      const label = document.querySelector(`[for="${el.id}"]`);
      if (label) name = label.textContent.trim();
    }
    if (!name && el.getAttribute('aria-labelledby')) {
      name = el.getAttribute('aria-labelledby').split(' ')
        .map(id => (document.getElementById(id) || {}).textContent || '').join(' ').trim();
    }
    if (!name && role !== 'textbox') name = (el.textContent || '').trim();
    const node = {role, name, level, left: rect.left, right: rect.right,
                  top: rect.top + window.scrollY, bottom: rect.bottom + window.scrollY,
                  interactive: interactive.has(role)};
    if (role === 'heading') found.headings.push(node);
    if (node.interactive || role === 'heading') found.nodes.push(node);
  }
  found.width = width;
  found.lang = document.documentElement.lang;
  return found;
}"""


@dataclass
class Problems:
    """What is wrong on one screen; empty (false) when nothing is."""

    screen: str
    unnamed: list[str]
    outside: list[str]
    top_headings: list[str]  # the names of the level-1 headings: exactly one is right
    wrong_lang: str  # the page's language when it is not the screen's ("" when right)

    def __bool__(self) -> bool:
        return bool(self.unnamed or self.outside or len(self.top_headings) != 1 or self.wrong_lang)

    def __str__(self) -> str:
        parts = [f"{self.screen}:"]
        if self.unnamed:
            parts.append(f"unnamed {self.unnamed}")
        if self.outside:
            parts.append(f"outside the viewport {self.outside}")
        if len(self.top_headings) != 1:
            parts.append(f"{len(self.top_headings)} top-level headings {self.top_headings}")
        if self.wrong_lang:
            parts.append(f"the page says its language is {self.wrong_lang!r}")
        return " ".join(parts)


async def audit(page, screen: str, lang: str = "fr") -> Problems:  # type: ignore[no-untyped-def]
    """The problems a screen reader would meet on the screen shown now."""
    found = await page.evaluate(AUDIT)
    width, nodes = found["width"], found["nodes"]
    unnamed = [
        f"{n['role']} at ({n['left']:.0f},{n['top']:.0f})"
        for n in nodes
        if n["interactive"] and not n["name"]
    ]
    outside = [
        f"{n['role']} {n['name'][:40]!r} x={n['left']:.0f}..{n['right']:.0f} y={n['top']:.0f}"
        for n in nodes
        if n["left"] < -1 or n["right"] > width + 1 or n["top"] < -1
    ]
    wrong_lang = "" if found["lang"].startswith(lang) else found["lang"] or "(none)"
    top = [h["name"][:40] for h in found["headings"] if h["level"] == 1]
    return Problems(screen, unnamed, outside, top, wrong_lang)


SAYS = """([label, value]) => [...document.querySelectorAll('flt-semantics')].some(el => {
  const name = el.getAttribute('aria-label') || el.textContent || '';
  return name.includes(label) && name.includes(value); })"""


async def says_value(page, label: str, value: str, timeout: float = 10_000) -> bool:  # type: ignore[no-untyped-def]
    """Does a node named `label` come to say `value` too (a dropdown's chosen option, once the
    app has drawn the choice)?"""
    try:
        await page.wait_for_function(SAYS, arg=[label, value], timeout=timeout)
    except PlaywrightTimeout:
        return False
    return True
