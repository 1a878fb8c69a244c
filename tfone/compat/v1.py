"""``import tfone.compat.v1 as tf``: the same module as ``import tfone as tf``."""
import sys

import tfone

sys.modules[__name__] = tfone
