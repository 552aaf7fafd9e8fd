"""Agreement sweep of the tabular toolbox: every adapter against its oracle under 20 run seeds.

Not a speed benchmark: it reruns, under ``--seeds`` different run seeds (each seed draws other
worlds and other method seeds), the claims of the toolbox's specs that compare a method with its
exact ground truth -- to 1e-9 where the library computes exactly, to the library's documented
floor where it solves with a penalty (FSII, KernelSHAP-IQ: 1e-7, 1e-5), within ``mc(z = 5)``
where it samples -- and counts false alarms (any verdict but ``verified``). The claims run
in-process one after the other (``explainspec.verify``), each with ``--max-examples`` worlds.
DiCE has no oracle (it searches); its two promised properties run too, for false alarms.

Usage::

    python bench/toolbox_agreement.py [--seeds 20] [--max-examples 8]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: spec file -> the claims that compare the method with its oracle
AGREEMENT = {
    "shapiq_exact_ksii.espec": ["agrees_with_definition", "efficiency"],
    "shapiq_exact_stii.espec": ["agrees_with_definition"],
    "shapiq_exact_fsii.espec": ["agrees_with_definition"],
    "shapiq_exact_sii.espec": ["agrees_with_definition"],
    "shapiq_svarmiq.espec": ["exact_with_every_coalition", "stii_exact_with_every_coalition"],
    "shapiq_kernelshapiq.espec": ["exact_with_every_coalition"],
    "shapiq_permutation_sii.espec": ["unbiased", "sii_unbiased"],
    "ale_reference.espec": ["agrees_with_ale"],
    "ale_pyale.espec": [
        "agrees_with_ale_under_independence",
        "continuous_is_apley_zhu_up_to_a_constant",
    ],
    "mplot_reference.espec": ["agrees_with_mplot"],
    "cpi_reference.espec": ["agrees_with_cpi"],
    "cpi_gaussian.espec": ["agrees_with_oracle"],
    "loco_reference.espec": ["agrees_with_loco"],
    "shap_mean_abs.espec": ["agrees_with_shapley"],
    "shap_kernel_logit.espec": ["agrees_with_linked_game"],
    "shap_exact_logit.espec": ["agrees_with_linked_game"],
    "counterfactual_l1.espec": ["minimal_weighted_l1"],
    "lime_model_regressor.espec": ["linear_exact_without_ridge"],
    "ebm_terms.espec": ["recovers_additive_components"],
    "ebm_pairs.espec": ["pure_components_under_independence", "fits_order_two"],
    "ebm_importance.espec": ["mean_abs_component"],
    # no oracle to agree with (a search): the properties DiCE promises, for false alarms only
    "dice_random.espec": ["valid", "within_data_range"],
    "dice_genetic.espec": ["valid", "within_data_range"],
}


def main(argv: list[str] | None = None) -> int:
    import explainspec

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--max-examples", type=int, default=8)
    ap.add_argument("--only", default=None, help="run only the specs whose file name contains this")
    args = ap.parse_args(argv)
    print("| spec.claim | seeds | worlds per seed | verdicts | false alarms | s |")
    print("|---|---|---|---|---|---|")
    alarms = 0
    for name, claims in AGREEMENT.items():
        if args.only and args.only not in name:
            continue
        spec = explainspec.load(ROOT / "specs" / name)
        for claim in claims:
            start = time.perf_counter()
            verdicts: Counter[str] = Counter()
            for seed in range(args.seeds):
                result = explainspec.verify(
                    spec, profile="fast", seed=seed, max_examples=args.max_examples, claims=claim
                )
                verdicts.update(c.verdict.value for c in result)
            bad = sum(n for v, n in verdicts.items() if v != "verified")
            alarms += bad
            shown = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
            print(
                f"| {spec.name}.{claim} | {args.seeds} | {args.max_examples} | {shown} | {bad} "
                f"| {time.perf_counter() - start:.0f} |",
                flush=True,
            )
    print(f"\nfalse alarms: {alarms}")
    return 1 if alarms else 0


if __name__ == "__main__":
    raise SystemExit(main())
