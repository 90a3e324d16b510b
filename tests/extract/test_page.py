"""The parsed page: what a reader never sees is removed, and the facts the page declares."""

from __future__ import annotations

from lxml import html as lxml_html

from storyline.extract.page import parse_page, read_facts, remove_hidden

HIDDEN_PAGE = (
    '<html class="sr-only" hidden><head><title>Quay works</title></head>'
    '<body style="display:none"><article>'
    "<p>The Brisk Quay works start <span hidden>on the hour</span>on Monday, said the port.</p>"
    '<p>Crews <b style="Display : NONE">(hidden note)</b>will close one lane.'
    '<span style="visibility:hidden">Invisible</span> Buses divert.</p>'
    '<p>Ask <a href="/p/ines">Ines Varga</a><div class="Card TOOLTIP">'
    '<span class="tooltip">Ines Varga <em hidden>nested</em></span> Port engineer</div>'
    " about the timetable.</p>"
    '<p class="sr-only-focusable lead">A paragraph whose class only starts like a hidden one.</p>'
    '<p class="c visually-hidden">Skip to the map</p><p class="rollover-bio-block">Bio</p>'
    "</article></body></html>"
)


def _text(tree: lxml_html.HtmlElement) -> str:
    return " ".join(tree.text_content().split())


def test_hidden_elements_go_and_their_surroundings_stay() -> None:
    tree = parse_page(HIDDEN_PAGE)
    assert tree is not None
    remove_hidden(tree)
    text = _text(tree)
    assert "The Brisk Quay works start on Monday, said the port." in text
    assert "Crews will close one lane. Buses divert." in text
    assert "Ask Ines Varga about the timetable." in text
    for gone in ("on the hour", "hidden note", "Invisible", "Port engineer", "nested", "Skip to"):
        assert gone not in text
    assert "Bio" not in text.split()
    assert "whose class only starts like a hidden one" in text


def test_the_document_itself_is_never_removed() -> None:
    tree = parse_page(HIDDEN_PAGE)
    assert tree is not None
    remove_hidden(tree)
    assert tree.tag == "html"
    assert tree.find("body") is not None and tree.find("head") is not None


def test_the_first_declared_name_wins_whatever_the_order_in_the_page() -> None:
    page = (
        "<html><head>"
        '<meta name="twitter:image" content="/img/small.jpg">'
        '<meta property="og:image" content="  ">'
        '<meta property="OG:Image" content="/img/large.jpg">'
        '<meta property="og:image" content="/img/second.jpg">'
        '<meta name="DatePublished" content="2031-05-06T08:00:00+02:00">'
        '<meta property="og:url" content="https://quay.example/works">'
        "</head><body><p>Works.</p></body></html>"
    )
    tree = parse_page(page)
    assert tree is not None
    facts = read_facts(tree, "https://quay.example/news/1?ref=feed")
    assert facts.image_url == "https://quay.example/img/large.jpg"
    assert facts.published == "2031-05-06T08:00:00+02:00"
    assert facts.canonical_url == "https://quay.example/works"


def test_a_canonical_link_is_preferred_to_the_open_graph_address() -> None:
    page = (
        '<html><head><meta property="og:url" content="https://quay.example/og">'
        '<link rel="alternate canonical" href="/news/works"></head><body></body></html>'
    )
    tree = parse_page(page)
    assert tree is not None
    assert read_facts(tree, "https://quay.example/x").canonical_url == (
        "https://quay.example/news/works"
    )


def test_letters_that_fold_to_ascii_ones_hide_as_the_patterns_say() -> None:
    # Under re.IGNORECASE a long s matches "s" and the Kelvin sign "k", as in any class
    # name or style the page may have.
    page = (
        "<html><body><article><p>Crews close one lane.</p>"
        '<p class="\u017fr-only">Skip to the map</p>'
        '<p style="visibility: HIDDEN">Invisible</p>'
        '<p class="popover-\u212aey">Unrelated word</p>'
        "</article></body></html>"
    )
    tree = parse_page(page)
    assert tree is not None
    remove_hidden(tree)
    text = _text(tree)
    assert "Crews close one lane." in text
    assert "Skip to the map" not in text and "Invisible" not in text
    assert "Unrelated word" in text  # "popover-" followed by more letters is no match
