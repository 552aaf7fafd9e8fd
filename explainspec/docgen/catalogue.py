"""The claims catalogue: what the ``C01``-style identifiers in the library's statements mean.

The built-in specs cite an identifier at the start of many statements (``C01: the attributions
add up to ...``). This page gives each identifier a short name in the project's own words and
lists every claim of the library that cites it, linked to its card, so a reader can follow an
identifier from any card. ``TITLES`` must name every identifier the library cites (tested).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from explainspec.docgen.escape import text
from explainspec.lang import ir

#: an identifier at a word boundary: C01, C46a ...
IDENTIFIER = re.compile(r"\bC(\d{2})([a-z]?)\b")

#: identifier (without sub-letter) -> what it is about, in a few words
TITLES = {
    "C01": "Efficiency (local accuracy): attributions add up to f(x) minus the base value",
    "C02": "Dummy: a feature f does not read gets zero (interventional and baseline games)",
    "C03": "Conditional (observational) Shapley values can credit a feature f does not read",
    "C05": "Linearity in f",
    "C06": "Linear model: phi_i = w_i (x_i - E[X_i]) for interventional Shapley values",
    "C07": "The linear formula fails for conditional Shapley values with correlated features",
    "C08": "Additive f: interventional Shapley values recover the centred components",
    "C09": "Interactions are split equally among the features that take part",
    "C10": "Interventional and conditional values agree under independence, not under dependence",
    "C11": "The sign of an attribution is not the direction of the effect of x_i",
    "C12": "An attribution is not the effect of changing or removing x_i (except for additive f)",
    "C13": "Attributions depend on the background (or baseline), not on (f, x) alone",
    "C18": "n-Shapley values recover additive models with interactions up to order n",
    "C20": "Banzhaf values: equal to Shapley without interactions of order 3 or more; not efficient",
    "C22": "Partial dependence recovers a separable component up to a constant, for any P",
    "C23": "A flat partial dependence does not mean the feature has no effect",
    "C27": "Permutation importance is zero for a feature the model does not use",
    "C28": "Permutation importance of a linear model under squared loss has a closed form",
    "C29": "Permutation importance above zero does not mean Y depends on (or is caused by) X_j",
    "C33": "The gradient is the local linear effect",
    "C34": "The gradient does not measure the effect of finite changes, nor importance",
    "C35": "Integrated gradients: completeness, up to the numerical integration error",
    "C36": "Integrated gradients: dummy holds; the values depend on the baseline",
    "C38": "LIME on a linear f: the weighted fit recovers w; the package defaults do not",
    "C40": "LIME explanations change with the random seed",
    "C42": "Minimal-L2 counterfactual of a linear classifier: the closed form",
    "C44": "Occlusion: equals the baseline Shapley value for additive f; not additive otherwise",
    "C46": "KernelSHAP: exact with full enumeration, converging when coalitions are sampled",
    "C47": "TreeSHAP: interventional equals brute force; path-dependent is not conditional",
}


def anchor(identifier: str) -> str:
    """The page anchor of an identifier (of its number: ``C46a`` -> ``c46``)."""
    match = IDENTIFIER.fullmatch(identifier)
    return f"c{match.group(1)}" if match else identifier.lower()


def cited(specs: Iterable[ir.Spec]) -> dict[str, list[tuple[ir.Spec, ir.Claim, str]]]:
    """Identifier (without sub-letter) -> the (spec, claim, identifier as cited) that cite it."""
    out: dict[str, list[tuple[ir.Spec, ir.Claim, str]]] = {}
    for spec in specs:
        for claim in spec.claims:
            seen = set()
            for m in IDENTIFIER.finditer(claim.statement):
                key = f"C{m.group(1)}"
                if (key, m.group(0)) in seen:
                    continue
                seen.add((key, m.group(0)))
                out.setdefault(key, []).append((spec, claim, m.group(0)))
    return dict(sorted(out.items()))


def link_identifiers(markdown_text: str, url: str) -> str:
    """``markdown_text`` with each identifier linked to its entry of the catalogue at ``url``."""
    return IDENTIFIER.sub(lambda m: f"[{m.group(0)}]({url}#{anchor(m.group(0))})", markdown_text)


def catalogue_page(specs: Iterable[ir.Spec], cards_url: str = "../cards") -> str:
    """The Markdown page of the catalogue, with links into the cards at ``cards_url``."""
    specs = list(specs)
    lines = [
        "# Claims catalogue",
        "",
        "Statements of the built-in spec library cite identifiers such as `C01`. Each identifier "
        "names one reading of an explanation method that the library checks, true or false; the "
        "claims that cite it are listed below with their verdict on their card. A letter after "
        "the number (`C46a`) marks one part of the entry.",
        "",
    ]
    for key, uses in cited(specs).items():
        lines += [f'<a id="{anchor(key)}"></a>', "", f"## {key}: {text(TITLES.get(key, ''))}", ""]
        for spec, claim, shown in uses:
            lines.append(
                f"- [{text(spec.name)}.{text(claim.name)}]({cards_url}/{spec.name}.md#"
                f"{claim.name}) ({shown}, {claim.kind.value}) — {text(claim.statement)}"
            )
        lines.append("")
    return "\n".join(lines)
