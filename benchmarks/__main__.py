"""``python -m benchmarks``: BLAS threads are fixed before numpy loads (see run.py)."""
from benchmarks.run import configure_blas_threads

configure_blas_threads()

from benchmarks.run import main  # noqa: E402

main()
