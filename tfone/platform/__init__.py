"""TF1's platform helpers: ``tf.logging``, ``tf.app`` (``run`` and ``flags``), ``tf.gfile``."""
