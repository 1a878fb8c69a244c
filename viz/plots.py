"""Charts with matplotlib (imported only when a chart is drawn).

- ``plot_gradient_flow(sess, loss, feed_dict)``: per trainable variable, mean and max |gradient|
  as bars on a log scale (one run);
- ``plot_gradient_flow(history)``: a :class:`viz.GradientHistory` as a heat map of
  log10 mean |gradient|, variables × training steps;
- ``plot_history(history)``: a Keras ``History`` (or its ``.history`` dict): one panel per
  metric, training and validation curves.

Colours: Okabe–Ito for lines and bars, viridis for the heat map (colour-blind safe); lines
also differ in style (solid training, dashed validation).
"""
import math

import numpy as np

from viz.style import OKABE_ITO

__all__ = ["plot_gradient_flow", "plot_history"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("Charts need matplotlib: pip install matplotlib (or "
                          "pip install tfone[plots]).") from None
    return plt


def plot_gradient_flow(source, loss=None, feed_dict=None, wrt=None, ax=None,
                       statistic="grad_mean_abs", vmin=None, vmax=None):
    """Bar chart of gradient sizes per variable (one run), or a heat map over steps.

    ``plot_gradient_flow(sess, loss, feed_dict, wrt=None)`` runs the backward pass once and
    draws, for each variable (input layer first), mean |∂loss/∂θ| and max |∂loss/∂θ| on a log
    axis: bars that shrink towards the input show vanishing gradients.
    ``plot_gradient_flow(history)`` (a GradientHistory) draws log10 of ``statistic`` for every
    variable at every recorded step. Returns the matplotlib Axes.

    ``vmin``, ``vmax`` (log10 units, like draw_gradient_flow's): the bar chart's y range
    (10^vmin to 10^vmax) or the heat map's colour range, so several charts share one scale.
    By default each chart spans its own data, rounded out to powers of ten.
    """
    from viz.gradient_flow import GradientHistory, variable_gradient_stats, check_log_range
    plt = _pyplot()
    vmin, vmax = check_log_range(vmin, vmax)
    if isinstance(source, GradientHistory):
        return _heat_map(source, ax, statistic, plt, vmin, vmax)
    if loss is None:
        raise TypeError("plot_gradient_flow(sess, loss, feed_dict): the loss is missing (or "
                        "pass a viz.GradientHistory for a heat map).")
    stats = variable_gradient_stats(source, loss, feed_dict, wrt)
    if not stats:
        raise ValueError("No trainable variable reaches %s: nothing to plot." % loss.name)
    names = list(stats)
    mean = np.array([stats[n]["grad_mean_abs"] for n in names])
    peak = np.array([stats[n]["grad_max_abs"] for n in names])
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.6 * len(names) + 2), 3.6))
    x = np.arange(len(names))
    floor = _positive_floor(np.concatenate([mean, peak]))
    if vmin is not None:
        floor = 10.0 ** vmin
    ax.bar(x - 0.2, np.maximum(peak, floor), width=0.4, color=OKABE_ITO["sky_blue"],
           edgecolor="#333333", hatch="//", label="max |∇|")
    ax.bar(x + 0.2, np.maximum(mean, floor), width=0.4, color=OKABE_ITO["blue"],
           edgecolor="#333333", label="mean |∇|")
    ax.set_yscale("log")
    if vmin is not None or vmax is not None:
        ax.set_ylim(10.0 ** vmin if vmin is not None else None,
                    10.0 ** vmax if vmax is not None else None)
    ax.set_xticks(x)
    ax.set_xticklabels(names, rotation=45, ha="right")
    ax.set_ylabel("|∂%s/∂θ|" % loss.op.name)
    ax.set_title("gradient size per variable (input → output)")
    ax.legend(loc="best", fontsize=8)
    ax.grid(axis="y", which="major", alpha=0.3)
    ax.figure.tight_layout()
    return ax


def _positive_floor(values):
    positive = values[np.isfinite(values) & (values > 0)]
    return positive.min() / 10 if positive.size else 1e-12


def _heat_map(history, ax, statistic, plt, vmin=None, vmax=None):
    if not len(history):
        raise ValueError("The GradientHistory has no records yet: call history.record(sess, "
                         "feed_dict) during training.")
    names, steps, m = history.matrix(statistic)
    with np.errstate(divide="ignore", invalid="ignore"):
        logm = np.where(m > 0, np.log10(m), np.nan)
    if ax is None:
        _, ax = plt.subplots(figsize=(max(4.0, 0.35 * len(steps) + 3), 0.4 * len(names) + 1.8))
    finite = logm[np.isfinite(logm)]
    lo, hi = (math.floor(finite.min()), math.ceil(finite.max())) if finite.size else (-1, 0)
    lo = vmin if vmin is not None else lo
    hi = vmax if vmax is not None else hi
    if hi <= lo:  # only one end given, on the far side of the data
        lo, hi = (hi - 1, hi) if vmax is not None else (lo, lo + 1)
    vmin, vmax = lo, hi
    image = ax.imshow(logm, aspect="auto", cmap="viridis", vmin=vmin, vmax=vmax,
                      interpolation="nearest")
    ax.set_yticks(range(len(names)))
    ax.set_yticklabels(names)
    ticks = list(range(0, len(steps), max(1, len(steps) // 10)))
    ax.set_xticks(ticks)
    ax.set_xticklabels([str(steps[i]) for i in ticks])
    ax.set_xlabel("training step")
    names_of = {"grad_mean_abs": "mean |∇|", "grad_max_abs": "max |∇|", "grad_norm": "‖∇‖",
                "value_norm": "‖θ‖"}
    ax.set_title("log10 %s per variable over training" % names_of.get(statistic, statistic))
    bar = ax.figure.colorbar(image, ax=ax)
    bar.set_label("log10 " + names_of.get(statistic, statistic))
    ax.figure.tight_layout()
    return ax


def plot_history(history, metrics=None, ax=None):
    """Training curves of a Keras ``History`` (or a ``{'loss': [...], 'val_loss': [...]}``
    dict): one panel per metric, training solid and validation dashed. Returns the Axes
    (a list when there are several panels)."""
    plt = _pyplot()
    data = getattr(history, "history", history)
    if not isinstance(data, dict) or not data:
        raise TypeError("plot_history needs a Keras History or a non-empty dict of metric "
                        "lists, got %r" % (type(history).__name__,))
    base = [k for k in data if not k.startswith("val_")]
    base += [k[4:] for k in data if k.startswith("val_") and k[4:] not in base]
    if metrics is not None:
        base = [m for m in metrics if m in base]
        if not base:
            raise ValueError("None of %s is in the history (it has %s)." % (metrics, sorted(data)))
    if ax is None:
        _, axes = plt.subplots(1, len(base), figsize=(4.2 * len(base), 3.2), squeeze=False)
        axes = list(axes[0])
    else:
        axes = list(ax) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
        if len(axes) < len(base):
            raise ValueError("plot_history needs %d axes (one per metric: %s), got %d"
                             % (len(base), ", ".join(base), len(axes)))
    epochs_from = getattr(history, "epoch", None)
    for a, name in zip(axes, base):
        for key, colour, style, label in ((name, OKABE_ITO["blue"], "-", "training"),
                                          ("val_" + name, OKABE_ITO["vermillion"], "--",
                                           "validation")):
            if key not in data:
                continue
            values = np.asarray(data[key], dtype=float)
            epochs = (np.asarray(epochs_from[:len(values)]) + 1 if epochs_from
                      else np.arange(1, len(values) + 1))
            a.plot(epochs, values, style, color=colour, marker="o", markersize=3, label=label)
        a.set_title(name)
        a.set_xlabel("epoch")
        a.grid(alpha=0.3)
        a.legend(fontsize=8)
    axes[0].figure.tight_layout()
    return axes[0] if len(axes) == 1 else axes
