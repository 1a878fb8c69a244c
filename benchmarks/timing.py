"""Interleaved timing: every variant of a workload runs in turn, several rounds, medians."""
import gc
import statistics
import time


def interleaved(variants, rounds, iterations, warmup=3):
    """{name: median seconds per iteration}; variants is {name: zero-argument step function}.

    Each round runs every variant ``iterations`` times back to back, so slow drifts of the
    machine (other processes, CPU frequency) affect all variants alike.
    """
    for step in variants.values():
        for _ in range(warmup):
            step()
    samples = {name: [] for name in variants}
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(rounds):
            for name, step in variants.items():
                start = time.perf_counter()
                for _ in range(iterations):
                    step()
                samples[name].append((time.perf_counter() - start) / iterations)
    finally:
        if gc_was_enabled:
            gc.enable()
    return {name: statistics.median(values) for name, values in samples.items()}
