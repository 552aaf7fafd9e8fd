"""The claims catalogue: every C01-style identifier the library cites has an entry (so no card
cites a catalogue the reader cannot see), and cards of the site link identifiers to it."""

from __future__ import annotations

import explainspec
from explainspec.docgen.cards import CardWriter
from explainspec.docgen.catalogue import TITLES, catalogue_page, cited
from explainspec.lang import discover
from explainspec.resources import specs_dir


def _library():
    return [explainspec.load(p) for p in discover([specs_dir()])]


def test_every_cited_identifier_has_an_entry():
    uses = cited(_library())
    assert len(uses) >= 20
    assert sorted(set(uses) - set(TITLES)) == []
    assert sorted(set(TITLES) - set(uses)) == []  # no entry that nothing cites


def test_page_lists_each_citing_claim_with_a_link_to_its_card():
    specs = _library()
    page = catalogue_page(specs)
    assert '<a id="c01"></a>' in page and "## C01: Efficiency" in page
    assert "[shap_kernel.efficiency](../cards/shap_kernel.md#efficiency) (C01, holds)" in page
    assert '<a id="c46"></a>' in page and "(C46a, holds)" in page


def test_site_cards_link_identifiers_to_the_catalogue():
    spec = next(s for s in _library() if s.name == "shap_kernel")
    writer = CardWriter()
    writer.catalogue_url = "../reference/claims-catalogue.md"
    card = writer.card(spec)
    assert "[C01](../reference/claims-catalogue.md#c01):" in card
    assert "[C46a](../reference/claims-catalogue.md#c46)" in card
    assert "[C01]" not in CardWriter().card(spec)  # `explainspec docs` output has no catalogue
