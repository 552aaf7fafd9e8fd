"""A homemade integrated-gradients method written in PyTorch, as an explainspec plugin.

Run it with: explainspec verify my_ig.espec --plugin my_ig --profile fast
"""

from explainspec import method
from explainspec.registry import Param


@method(
    "mine.integrated_gradients",
    output="attribution",
    params=(Param(name="steps", type="int", default=20, doc="gradient evaluations on the path"),),
    statistic={
        "value_function": "path integral from the baseline",
        "background": "the baseline point",
        "output_scale": "raw",
    },
)
def integrated_gradients(problem):
    """Integrated gradients by a left Riemann sum with `steps` gradients of the torch model."""
    import torch  # imported when the method runs: `explainspec check` stays fast

    model = problem.f.handover("torch")  # the world's function as a float64 torch.nn.Module
    x = torch.tensor(problem.points)
    b = torch.tensor(problem.baseline).expand_as(x)
    steps = int(problem.params["steps"])
    total = torch.zeros_like(x)
    for k in range(steps):
        z = (b + k / steps * (x - b)).requires_grad_()
        (grad,) = torch.autograd.grad(model(z).sum(), z)
        total += grad / steps
    return (total * (x - b)).numpy()
