"""``keras.optimizers``: the Keras 2 optimizers (tf.keras 1.15's ``optimizer_v2``) on tfone graphs.

``SGD(learning_rate=0.01, momentum=0.0, nesterov=False)``, ``Adam(0.001, beta_1=0.9,
beta_2=0.999, epsilon=1e-7, amsgrad=False)``, ``RMSprop(0.001, rho=0.9, momentum=0.0,
epsilon=1e-7, centered=False)``, ``Adagrad(0.001, initial_accumulator_value=0.1,
epsilon=1e-7)``, ``Adadelta(0.001, rho=0.95, epsilon=1e-7)``, ``Adamax(0.001, beta_1=0.9,
beta_2=0.999, epsilon=1e-7)`` and ``Nadam(0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7)``.
Every optimizer also takes ``lr`` (an alias of ``learning_rate``), ``decay`` (the learning rate
at step t is ``lr / (1 + decay * t)``), ``clipnorm`` and ``clipvalue``; ``keras.optimizers.get
('adam')`` finds one by name.

Keras's formulas are used, not TF1's: e.g. RMSprop adds epsilon outside the square root and
starts its accumulator at 0 (TF1: inside, and at 1), and Adagrad starts at 0.1 and adds
epsilon. Each update is one fused in-place op per variable (``ApplyAdam``,
``ApplyKerasMomentum``, ... see :mod:`tfone.keras.optimizer_ops`), in a name scope
``<Optimizer>/update_<variable>/``, followed by ``iterations.assign_add(1)``.

A variable read only through ``tf.gather`` / ``Embedding`` has what TF calls an
``IndexedSlices`` gradient; as tf.keras 1.15 (``_resource_apply_sparse``), SGD with momentum,
RMSprop with momentum, Adagrad, Adadelta and Adamax then update only the looked-up rows of the
variable and of its slots, and Nadam moves only those rows of the variable (see
:mod:`tfone.keras.optimizer_ops`); ``clipvalue`` clips the slices before rows looked up
twice are summed, and a constraint on such a variable is an error, as in Keras.

State lives in graph variables created the first time the optimizer is applied (an
optimizer belongs to one graph): the step counter ``<name>/iter`` (int64), one variable per
hyperparameter (``<name>/learning_rate``, ``<name>/beta_1``, ...; so
``keras.backend.set_value(opt.lr, 0.01)`` changes the learning rate of a built train op) and
the slots ``<name>/<variable>/m``, ``.../v``. ``opt.weights`` lists the step counter and the
slots in creation order (Keras's order), which is what ``model.save`` stores.
"""
from tfone.framework import dtypes
from tfone.framework.gradients import gradients as _gradients
from tfone.framework.graph import Tensor, get_default_graph, name_scope
from tfone.framework.op_registry import convert_to_tensor
from tfone.ops import array_ops, math_ops
from tfone.keras.utils.generic_utils import (deserialize_keras_object, serialize_keras_object,
                                             to_snake_case)

__all__ = ["Optimizer", "SGD", "Adam", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam",
           "get", "serialize", "deserialize"]


def _backend():
    from tfone.keras import backend
    return backend


def _train_ops():
    from tfone.train import training_ops
    return training_ops


def _keras_ops():
    from tfone.keras import optimizer_ops
    return optimizer_ops


def sparse_gradient_indices(grad):
    """The gathered row indices of a gradient TF holds as IndexedSlices, else None."""
    from tfone.train.optimizer import sparse_gradient_indices as indices_of
    return indices_of(grad)


def _clip_by_value(grad, clip_min, clip_max):
    """clip_by_value as Keras applies it: for an IndexedSlices gradient (a lookup's) TF clips
    each slice, before rows looked up several times are summed into the update."""
    from tfone.framework.gradients import GatheredRows, gathered_rows
    rows = gathered_rows(grad)
    if rows is None:
        return math_ops.clip_by_value(grad, clip_min, clip_max)
    parts = [(i, math_ops.clip_by_value(v, clip_min, clip_max)) for i, v in rows.scaled_parts()]
    num_rows = array_ops.shape(grad)[0]
    dense = math_ops.add_n([array_ops.unsorted_segment_sum(v, i, num_rows) for i, v in parts])
    dense.set_shape(grad.shape)
    dense._gathered_rows = GatheredRows(parts)
    return dense


def _as_variable_ref(var):
    return var._as_graph_element() if hasattr(var, "_as_graph_element") else var


def _var_key(var):
    return var.op.name


class Optimizer:
    """Base class of the Keras optimizers (``tf.keras.optimizers.Optimizer``).

    Subclasses set hyperparameters with ``_set_hyper`` in ``__init__`` and define
    ``_create_slots(var_list)``, ``_prepare_local(dtype, state)`` and
    ``_resource_apply_dense(grad, var, state)`` (and ``_resource_apply_sparse(grad, var,
    indices, state)`` where Keras's row update differs from the dense one), and
    ``get_config``.
    """

    _ALLOWED_KWARGS = {"clipnorm", "clipvalue", "lr", "decay"}

    def __init__(self, name, **kwargs):
        for k in kwargs:
            if k not in self._ALLOWED_KWARGS:
                raise TypeError("Unexpected keyword argument passed to optimizer: " + str(k))
            if kwargs[k] is not None and not callable(kwargs[k]) and kwargs[k] < 0:
                raise ValueError("Expected {} >= 0, received: {}".format(k, kwargs[k]))
        object.__setattr__(self, "_hyper", {})
        self._use_locking = True
        self._name = name or to_snake_case(type(self).__name__)
        self._slots = {}          # variable op name -> {slot name: Variable}
        self._slot_names = []
        self._weights = []
        self._iterations = None
        self._graph = None
        self._var_scope = None
        self._hypers_created = False
        decay = kwargs.pop("decay", 0.0)
        if decay < 0.:
            raise ValueError("decay cannot be less than 0: {}".format(decay))
        self._initial_decay = decay
        if "clipnorm" in kwargs:
            self.clipnorm = kwargs.pop("clipnorm")
        if "clipvalue" in kwargs:
            self.clipvalue = kwargs.pop("clipvalue")

    # -- hyperparameters ------------------------------------------------------------------------
    def _set_hyper(self, name, value):
        if name not in self._hyper or not self._hypers_created or callable(value) or isinstance(
                value, Tensor):
            self._hyper[name] = value
            return
        current = self._hyper[name]
        if hasattr(current, "_as_tensor") and not callable(value):
            _backend().set_value(current, value)
        else:
            self._hyper[name] = value

    def _get_hyper(self, name, dtype=None):
        if not self._hypers_created:
            self._create_hypers(self._graph or get_default_graph())
        value = self._hyper[name]
        if callable(value) and not hasattr(value, "_as_tensor"):
            value = value()
        if dtype is not None:
            return math_ops.cast(value, dtype)
        return value

    def __getattr__(self, name):
        # Called only when normal lookup fails: hyperparameters read as attributes (opt.lr).
        if name.startswith("__") or name == "_hyper":
            raise AttributeError(name)
        hyper = self.__dict__.get("_hyper", {})
        if name == "lr":
            name = "learning_rate"
        if name in hyper:
            return self._get_hyper(name)
        raise AttributeError("%r object has no attribute %r" % (type(self).__name__, name))

    def __setattr__(self, name, value):
        if name == "lr":
            name = "learning_rate"
        hyper = self.__dict__.get("_hyper")
        if hyper is not None and name in hyper:
            self._set_hyper(name, value)
        else:
            object.__setattr__(self, name, value)

    def _create_hypers(self, graph):
        """One scalar variable per numeric hyperparameter, so they can be changed later."""
        if self._hypers_created:
            return
        from tfone.ops.variables import Variable
        with graph.as_default(), self._state_scope(graph), _init_scope(graph):
            for hname, value in sorted(self._hyper.items()):
                if isinstance(value, Tensor) or hasattr(value, "_as_tensor") or callable(value):
                    continue
                self._hyper[hname] = Variable(float(value), name=hname, trainable=False,
                                              dtype=_backend().floatx())
        self._hypers_created = True

    def _serialize_hyperparameter(self, hyperparameter_name):
        value = self._hyper[hyperparameter_name]
        if hasattr(value, "_as_tensor"):
            return float(_backend().get_value(value))
        if isinstance(value, Tensor):
            return float(_backend().get_session().run(value))
        if callable(value):
            return value()
        return value

    # -- graph binding ------------------------------------------------------------------------------
    def _state_scope(self, graph):
        """The name scope of the optimizer's variables: ``<name>`` opened (made unique) where
        the optimizer is first used, e.g. ``training/Adam/`` inside ``Model.compile``."""
        self._bind_graph(graph)
        if self._var_scope is None:
            with graph.name_scope(self._name) as scope:
                pass
            self._var_scope = scope
        return graph.name_scope(self._var_scope)

    def _bind_graph(self, graph):
        if self._graph is None:
            self._graph = graph
        elif self._graph is not graph:
            raise ValueError("Optimizer %r already holds variables in another graph. tfone "
                             "optimizers belong to one graph: make a new optimizer object (e.g. "
                             "keras.optimizers.Adam()) for this model." % self._name)

    @property
    def iterations(self):
        """The step counter variable (int64), incremented by every applied update."""
        if self._iterations is None:
            graph = self._graph or get_default_graph()
            from tfone.ops.variables import Variable
            with graph.as_default(), self._state_scope(graph), _init_scope(graph):
                self._iterations = Variable(0, name="iter", trainable=False, dtype=dtypes.int64)
            self._weights.append(self._iterations)
        return self._iterations

    def _decayed_lr(self, var_dtype):
        lr_t = self._get_hyper("learning_rate", var_dtype)
        if self._initial_decay > 0.:
            local_step = math_ops.cast(self.iterations, var_dtype)
            decay_t = self._get_hyper("decay", var_dtype)
            lr_t = lr_t / (1. + decay_t * local_step)
        return lr_t

    # -- slots --------------------------------------------------------------------------------------
    def add_slot(self, var, slot_name, initializer="zeros"):
        """A variable ``<optimizer scope>/<var name>/<slot_name>`` shaped like ``var``."""
        if slot_name not in self._slot_names:
            self._slot_names.append(slot_name)
        slot_dict = self._slots.setdefault(_var_key(var), {})
        weight = slot_dict.get(slot_name)
        if weight is None:
            from tfone.ops.variables import Variable
            shape = var.shape.as_list()
            dtype = var.dtype.base_dtype
            if isinstance(initializer, (int, float)):
                value = float(initializer)

                def initial_value():
                    return array_ops.fill(shape, convert_to_tensor(value, dtype=dtype))
            elif initializer == "zeros":
                def initial_value():
                    return array_ops.zeros(shape, dtype=dtype)
            else:
                raise ValueError("Unknown slot initializer %r" % (initializer,))
            graph = var.graph
            with graph.as_default(), self._state_scope(graph), _init_scope(graph):
                weight = Variable(initial_value, name="%s/%s" % (var.op.name, slot_name),
                                  trainable=False, dtype=dtype)
            slot_dict[slot_name] = weight
            self._weights.append(weight)
        return weight

    def get_slot(self, var, slot_name):
        try:
            return self._slots[_var_key(var)][slot_name]
        except KeyError:
            raise KeyError("Optimizer %s has no slot %r for variable %s (slots: %s)"
                           % (self._name, slot_name, var.name, self._slot_names)) from None

    def get_slot_names(self):
        return list(self._slot_names)

    def _create_slots(self, var_list):
        pass

    # -- gradients and updates -------------------------------------------------------------------
    def _clip(self, grads):
        from tfone.ops import clip_ops
        if hasattr(self, "clipnorm"):
            grads = [None if g is None else clip_ops.clip_by_norm(g, self.clipnorm)
                     for g in grads]
        if hasattr(self, "clipvalue"):
            grads = [None if g is None else _clip_by_value(g, -self.clipvalue, self.clipvalue)
                     for g in grads]
        return grads

    def get_gradients(self, loss, params):
        """Gradients of ``loss`` for ``params`` (clipped); raises if one is None."""
        params = list(params)
        graph = loss.graph if isinstance(loss, Tensor) else get_default_graph()
        with graph.as_default(), name_scope(self._name + "/gradients"):
            grads = _gradients(loss, params)
            for grad, param in zip(grads, params):
                if grad is None:
                    raise ValueError("Variable {} has `None` for gradient. Please make sure that "
                                     "all of your ops have a gradient defined (i.e. are "
                                     "differentiable). Common ops without gradient: K.argmax, "
                                     "K.round, K.eval.".format(param.name))
            return self._clip(grads)

    def get_updates(self, loss, params):
        """Keras's graph-mode API: ``[train_op]`` minimizing ``loss`` over ``params``."""
        grads = self.get_gradients(loss, params)
        return [self.apply_gradients(list(zip(grads, params)))]

    def minimize(self, loss, var_list, grad_loss=None, name=None):
        """The op applying one step of ``loss``'s gradients to ``var_list`` (a list of variables
        or a callable returning one); ``loss`` is a tensor (or a callable returning one)."""
        if callable(loss) and not isinstance(loss, Tensor) and not hasattr(loss, "_as_tensor"):
            loss = loss()
        if callable(var_list):
            var_list = var_list()
        var_list = list(var_list)
        loss = convert_to_tensor(loss)
        with loss.graph.as_default(), name_scope(self._name + "/gradients"):
            grads = _gradients(loss, var_list, grad_ys=grad_loss)
            grads = self._clip(grads)
        return self.apply_gradients(list(zip(grads, var_list)), name=name)

    def apply_gradients(self, grads_and_vars, name=None):
        """Update each variable with its gradient (pairs with a None gradient are skipped);
        returns the op, which also increments ``iterations``."""
        grads_and_vars = [(g, v) for g, v in grads_and_vars]
        filtered = [(g, v) for g, v in grads_and_vars if g is not None]
        if not filtered:
            raise ValueError("No gradients provided for any variable: %s."
                             % ([v.name for _, v in grads_and_vars],))
        for g, v in filtered:
            if not hasattr(v, "_as_graph_element"):
                raise TypeError("Expected a tf.Variable in grads_and_vars, got %r" % (v,))
        var_list = [v for _, v in filtered]
        graph = var_list[0].graph
        with graph.as_default():
            with self._state_scope(graph), _init_scope(graph):
                _ = self.iterations
                self._create_hypers(graph)
                self._create_slots(var_list)
            with self._state_scope(graph):
                state = {}
                update_ops = []
                with _maybe_scope(name):
                    for grad, var in filtered:
                        dtype = var.dtype.base_dtype
                        if dtype not in state:
                            state[dtype] = {}
                            self._prepare_local(dtype, state[dtype])
                        grad = convert_to_tensor(grad)
                        indices = sparse_gradient_indices(grad)
                        if indices is not None and getattr(var, "constraint", None) is not None:
                            raise RuntimeError(
                                "Cannot use a constraint function on a sparse variable: %s is "
                                "read only through a lookup (Embedding / tf.gather), so Keras "
                                "updates only the rows looked up and does not apply its "
                                "constraint. Remove the constraint, or use the variable densely."
                                % var.name)
                        with name_scope("update_" + var.op.name):
                            if indices is None:
                                op = self._resource_apply_dense(grad, var, state[dtype])
                            else:
                                op = self._resource_apply_sparse(grad, var, indices,
                                                                 state[dtype])
                            if getattr(var, "constraint", None) is not None:
                                with graph.control_dependencies([op]):
                                    op = var.assign(var.constraint(var.value())).op
                            update_ops.append(op)
                    with graph.control_dependencies(update_ops):
                        return self.iterations.assign_add(1).op

    def _prepare_local(self, dtype, state):
        if "learning_rate" in self._hyper:
            state["lr_t"] = array_ops.identity(self._decayed_lr(dtype))

    def _resource_apply_dense(self, grad, var, state):
        raise NotImplementedError("%s must define _resource_apply_dense" % type(self).__name__)

    def _resource_apply_sparse(self, grad, var, indices, state):
        """Update only the rows ``indices`` (duplicates allowed) of ``var``, for a gradient
        that TF holds as IndexedSlices (``grad`` is tfone's dense gradient, zero elsewhere).
        The default is the dense update: right where Keras's row update gives the same numbers
        (SGD without momentum, Adam, RMSprop without momentum)."""
        return self._resource_apply_dense(grad, var, state)

    # -- weights ----------------------------------------------------------------------------------
    @property
    def weights(self):
        """The step counter and the slot variables, in creation order."""
        return list(self._weights)

    def variables(self):
        return list(self._weights)

    def get_weights(self):
        return _backend().batch_get_value(self._weights)

    def set_weights(self, weights):
        params = self._weights
        if len(params) != len(weights):
            raise ValueError("You called `set_weights(weights)` on optimizer %s with a weight list "
                             "of length %d, but the optimizer was expecting %d weights (%s)."
                             % (self._name, len(weights), len(params),
                                ", ".join(p.name for p in params)))
        import numpy as np
        pairs = []
        for p, w in zip(params, weights):
            w = np.asarray(w)
            if tuple(p.shape.as_list()) != tuple(w.shape):
                raise ValueError("Optimizer weight shape %s not compatible with provided weight "
                                 "shape %s (weight %s)" % (tuple(p.shape.as_list()), w.shape,
                                                           p.name))
            pairs.append((p, w))
        _backend().batch_set_value(pairs)

    # -- configs ------------------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self._name}
        if hasattr(self, "clipnorm"):
            config["clipnorm"] = self.clipnorm
        if hasattr(self, "clipvalue"):
            config["clipvalue"] = self.clipvalue
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        if "lr" in config:
            config["learning_rate"] = config.pop("lr")
        return cls(**config)

    def __repr__(self):
        return "<keras.optimizers.%s name=%r>" % (type(self).__name__, self._name)


class _InitScope:
    """Create variables at the top of ``graph`` but keep the current name scope (Keras's
    ``init_scope``): no control dependencies apply to them."""

    def __init__(self, graph):
        self._graph = graph

    def __enter__(self):
        self._cm = self._graph.control_dependencies(None)
        self._cm.__enter__()

    def __exit__(self, *exc):
        self._cm.__exit__(*exc)


def _init_scope(graph):
    return _InitScope(graph)


class _NoScope:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _maybe_scope(name):
    return name_scope(name) if name else _NoScope()


# -- the optimizers ---------------------------------------------------------------------------------------
class SGD(Optimizer):
    """Gradient descent, with optional (Nesterov) momentum in Keras's form::

        velocity = momentum * velocity - learning_rate * g;  w += velocity
        (nesterov: w += momentum * velocity - learning_rate * g)
    """

    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False, name="SGD", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._momentum = False
        if isinstance(momentum, Tensor) or callable(momentum) or momentum > 0:
            self._momentum = True
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError("`momentum` must be between [0, 1].")
        self._set_hyper("momentum", momentum)
        self.nesterov = nesterov

    def _create_slots(self, var_list):
        if self._momentum:
            for var in var_list:
                self.add_slot(var, "momentum")

    def _prepare_local(self, dtype, state):
        super()._prepare_local(dtype, state)
        state["momentum"] = array_ops.identity(self._get_hyper("momentum", dtype))

    def _resource_apply_dense(self, grad, var, state):
        if self._momentum:
            return _keras_ops().apply_keras_momentum(
                var, self.get_slot(var, "momentum"), state["lr_t"], grad, state["momentum"],
                use_locking=self._use_locking, use_nesterov=self.nesterov).op
        return _train_ops().apply_gradient_descent(var, state["lr_t"], grad,
                                                   use_locking=self._use_locking).op

    def _resource_apply_sparse(self, grad, var, indices, state):
        if not self._momentum:     # Keras scatter-adds -lr * grad: the dense update
            return self._resource_apply_dense(grad, var, state)
        return _keras_ops().sparse_apply_keras_momentum(
            var, self.get_slot(var, "momentum"), state["lr_t"], grad, indices,
            state["momentum"], use_locking=self._use_locking, use_nesterov=self.nesterov).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "momentum": self._serialize_hyperparameter("momentum"),
                       "nesterov": self.nesterov})
        return config


class Adam(Optimizer):
    """Adam (Kingma & Ba) in TF's "epsilon hat" form; ``amsgrad=True`` keeps the maximum of
    the second moments (Reddi et al.)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 amsgrad=False, name="Adam", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or _backend().epsilon()
        self.amsgrad = amsgrad

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "m")
        for var in var_list:
            self.add_slot(var, "v")
        if self.amsgrad:
            for var in var_list:
                self.add_slot(var, "vhat")

    def _prepare_local(self, dtype, state):
        super()._prepare_local(dtype, state)
        local_step = math_ops.cast(self.iterations + 1, dtype)
        beta_1_t = array_ops.identity(self._get_hyper("beta_1", dtype))
        beta_2_t = array_ops.identity(self._get_hyper("beta_2", dtype))
        state.update(beta_1_t=beta_1_t, beta_2_t=beta_2_t,
                     beta_1_power=math_ops.pow(beta_1_t, local_step),
                     beta_2_power=math_ops.pow(beta_2_t, local_step),
                     epsilon=convert_to_tensor(self.epsilon, dtype=dtype))

    def _resource_apply_dense(self, grad, var, state):
        m, v = self.get_slot(var, "m"), self.get_slot(var, "v")
        if not self.amsgrad:
            return _train_ops().apply_adam(
                var, m, v, state["beta_1_power"], state["beta_2_power"], state["lr_t"],
                state["beta_1_t"], state["beta_2_t"], state["epsilon"], grad,
                use_locking=self._use_locking).op
        return _keras_ops().apply_adam_with_amsgrad(
            var, m, v, self.get_slot(var, "vhat"), state["beta_1_power"],
            state["beta_2_power"], state["lr_t"], state["beta_1_t"], state["beta_2_t"],
            state["epsilon"], grad, use_locking=self._use_locking).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "beta_1": self._serialize_hyperparameter("beta_1"),
                       "beta_2": self._serialize_hyperparameter("beta_2"),
                       "epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config


class RMSprop(Optimizer):
    """RMSprop (Hinton), Keras form: ms = rho*ms + (1-rho)*g**2 (ms starts at 0);
    w -= lr * g / (sqrt(ms) + epsilon). With ``momentum > 0`` it is TF's ApplyRMSProp
    (epsilon inside the square root), as in Keras."""

    def __init__(self, learning_rate=0.001, rho=0.9, momentum=0.0, epsilon=1e-7, centered=False,
                 name="RMSprop", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("rho", rho)
        self._momentum = False
        if isinstance(momentum, Tensor) or callable(momentum) or momentum > 0:
            self._momentum = True
        if isinstance(momentum, (int, float)) and (momentum < 0 or momentum > 1):
            raise ValueError("`momentum` must be between [0, 1].")
        self._set_hyper("momentum", momentum)
        self.epsilon = epsilon or _backend().epsilon()
        self.centered = centered

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "rms")
        if self._momentum:
            for var in var_list:
                self.add_slot(var, "momentum")
        if self.centered:
            for var in var_list:
                self.add_slot(var, "mg")

    def _prepare_local(self, dtype, state):
        super()._prepare_local(dtype, state)
        state.update(epsilon=convert_to_tensor(self.epsilon, dtype=dtype),
                     rho=array_ops.identity(self._get_hyper("rho", dtype)),
                     momentum=array_ops.identity(self._get_hyper("momentum", dtype)))

    def _resource_apply_dense(self, grad, var, state):
        rms = self.get_slot(var, "rms")
        train, keras = _train_ops(), _keras_ops()
        if self._momentum:
            mom = self.get_slot(var, "momentum")
            if self.centered:
                return train.apply_centered_rms_prop(
                    var, self.get_slot(var, "mg"), rms, mom, state["lr_t"], state["rho"],
                    state["momentum"], state["epsilon"], grad, use_locking=self._use_locking).op
            return train.apply_rms_prop(var, rms, mom, state["lr_t"], state["rho"],
                                        state["momentum"], state["epsilon"], grad,
                                        use_locking=self._use_locking).op
        if self.centered:
            return keras.apply_keras_centered_rms_prop(
                var, self.get_slot(var, "mg"), rms, state["lr_t"], state["rho"],
                state["epsilon"], grad, use_locking=self._use_locking).op
        return keras.apply_keras_rms_prop(var, rms, state["lr_t"], state["rho"],
                                          state["epsilon"], grad,
                                          use_locking=self._use_locking).op

    def _resource_apply_sparse(self, grad, var, indices, state):
        if not self._momentum:     # Keras decays rms everywhere: the dense update
            return self._resource_apply_dense(grad, var, state)
        rms, mom = self.get_slot(var, "rms"), self.get_slot(var, "momentum")
        hyper = (state["lr_t"], state["rho"], state["momentum"], state["epsilon"])
        if self.centered:
            return _train_ops().sparse_apply_centered_rms_prop(
                var, self.get_slot(var, "mg"), rms, mom, *hyper, grad, indices,
                use_locking=self._use_locking).op
        return _train_ops().sparse_apply_rms_prop(var, rms, mom, *hyper, grad, indices,
                                                  use_locking=self._use_locking).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "rho": self._serialize_hyperparameter("rho"),
                       "momentum": self._serialize_hyperparameter("momentum"),
                       "epsilon": self.epsilon, "centered": self.centered})
        return config


class Adagrad(Optimizer):
    """Adagrad (Duchi et al.), Keras form: accum starts at ``initial_accumulator_value``;
    accum += g**2; w -= lr * g / (sqrt(accum) + epsilon)."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7,
                 name="Adagrad", **kwargs):
        if initial_accumulator_value < 0.0:
            raise ValueError("initial_accumulator_value must be non-negative: %s"
                             % initial_accumulator_value)
        if epsilon is None:
            epsilon = _backend().epsilon()
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon or _backend().epsilon()

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "accumulator", float(self._initial_accumulator_value))

    def _prepare_local(self, dtype, state):
        super()._prepare_local(dtype, state)
        state["epsilon"] = convert_to_tensor(self.epsilon, dtype=dtype)

    def _resource_apply_dense(self, grad, var, state):
        return _keras_ops().apply_adagrad_v2(var, self.get_slot(var, "accumulator"),
                                             state["lr_t"], state["epsilon"], grad,
                                             use_locking=self._use_locking).op

    def _resource_apply_sparse(self, grad, var, indices, state):
        return _keras_ops().sparse_apply_adagrad_v2(
            var, self.get_slot(var, "accumulator"), state["lr_t"], state["epsilon"], grad,
            indices, use_locking=self._use_locking).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "initial_accumulator_value": self._initial_accumulator_value,
                       "epsilon": self.epsilon})
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config.setdefault("initial_accumulator_value", 0.)
        return super().from_config(config, custom_objects)


class Adadelta(Optimizer):
    """Adadelta (Zeiler), TF's ApplyAdadelta: accumulators of g**2 and of squared updates."""

    def __init__(self, learning_rate=0.001, rho=0.95, epsilon=1e-7, name="Adadelta", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("rho", rho)
        self.epsilon = epsilon or _backend().epsilon()

    def _create_slots(self, var_list):
        for v in var_list:
            self.add_slot(v, "accum_grad")
        for v in var_list:
            self.add_slot(v, "accum_var")

    def _prepare_local(self, dtype, state):
        super()._prepare_local(dtype, state)
        state.update(epsilon=convert_to_tensor(self.epsilon, dtype=dtype),
                     rho=array_ops.identity(self._get_hyper("rho", dtype)))

    def _resource_apply_dense(self, grad, var, state):
        return _train_ops().apply_adadelta(
            var, self.get_slot(var, "accum_grad"), self.get_slot(var, "accum_var"),
            state["lr_t"], state["rho"], state["epsilon"], grad,
            use_locking=self._use_locking).op

    def _resource_apply_sparse(self, grad, var, indices, state):
        return _train_ops().sparse_apply_adadelta(
            var, self.get_slot(var, "accum_grad"), self.get_slot(var, "accum_var"),
            state["lr_t"], state["rho"], state["epsilon"], grad, indices,
            use_locking=self._use_locking).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "rho": self._serialize_hyperparameter("rho"), "epsilon": self.epsilon})
        return config


class Adamax(Optimizer):
    """AdaMax (Adam with the infinity norm): v = max(beta_2 * v, |g|)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="Adamax", **kwargs):
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or _backend().epsilon()

    def _create_slots(self, var_list):
        for var in var_list:
            self.add_slot(var, "m")
        for var in var_list:
            self.add_slot(var, "v")

    def _prepare_local(self, dtype, state):
        super()._prepare_local(dtype, state)
        local_step = math_ops.cast(self.iterations + 1, dtype)
        beta_1_t = array_ops.identity(self._get_hyper("beta_1", dtype))
        state.update(beta_1_t=beta_1_t, beta_1_power=math_ops.pow(beta_1_t, local_step),
                     beta_2_t=array_ops.identity(self._get_hyper("beta_2", dtype)),
                     epsilon=convert_to_tensor(self.epsilon, dtype=dtype))

    def _resource_apply_dense(self, grad, var, state):
        return _keras_ops().apply_ada_max(
            var, self.get_slot(var, "m"), self.get_slot(var, "v"), state["beta_1_power"],
            state["lr_t"], state["beta_1_t"], state["beta_2_t"], state["epsilon"], grad,
            use_locking=self._use_locking).op

    def _resource_apply_sparse(self, grad, var, indices, state):
        return _keras_ops().sparse_apply_ada_max(
            var, self.get_slot(var, "m"), self.get_slot(var, "v"), state["beta_1_power"],
            state["lr_t"], state["beta_1_t"], state["beta_2_t"], state["epsilon"], grad,
            indices, use_locking=self._use_locking).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "beta_1": self._serialize_hyperparameter("beta_1"),
                       "beta_2": self._serialize_hyperparameter("beta_2"),
                       "epsilon": self.epsilon})
        return config


class Nadam(Optimizer):
    """Nesterov Adam (Dozat) with Keras's momentum schedule
    ``mu_t = beta_1 * (1 - 0.5 * 0.96 ** (0.004 * t))`` (``schedule_decay`` = 0.004); the
    product of the mu_t is kept in the variable ``momentum_cache``. The learning rate is not
    decayed (``decay`` is the schedule decay, as in Keras)."""

    def __init__(self, learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7,
                 name="Nadam", **kwargs):
        kwargs["decay"] = kwargs.pop("schedule_decay", kwargs.get("decay", 0.004))
        super().__init__(name, **kwargs)
        self._set_hyper("learning_rate", kwargs.get("lr", learning_rate))
        self._set_hyper("decay", self._initial_decay)
        self._set_hyper("beta_1", beta_1)
        self._set_hyper("beta_2", beta_2)
        self.epsilon = epsilon or _backend().epsilon()
        self._m_cache = None

    def _create_slots(self, var_list):
        if self._m_cache is None:
            from tfone.ops.variables import Variable
            dtype = var_list[0].dtype.base_dtype
            graph = var_list[0].graph
            with graph.as_default(), self._state_scope(graph), _init_scope(graph):
                self._m_cache = Variable(lambda: array_ops.ones([], dtype=dtype),
                                         name="momentum_cache", trainable=False, dtype=dtype)
            self._weights.append(self._m_cache)
        for var in var_list:
            self.add_slot(var, "m")
        for var in var_list:
            self.add_slot(var, "v")

    def _prepare_local(self, dtype, state):
        lr_t = array_ops.identity(self._get_hyper("learning_rate", dtype))
        beta_1_t = array_ops.identity(self._get_hyper("beta_1", dtype))
        beta_2_t = array_ops.identity(self._get_hyper("beta_2", dtype))
        local_step = math_ops.cast(self.iterations + 1, dtype)
        next_step = math_ops.cast(self.iterations + 2, dtype)
        decay_base = math_ops.cast(0.96, dtype)
        m_t = beta_1_t * (1. - 0.5 * math_ops.pow(decay_base, self._initial_decay * local_step))
        m_t_1 = beta_1_t * (1. - 0.5 * math_ops.pow(decay_base, self._initial_decay * next_step))
        cache = self._m_cache
        m_schedule_new = math_ops.cast(cache.value(), dtype) * m_t
        if dtype == cache.dtype.base_dtype:
            m_schedule_new = array_ops.identity(cache.assign(m_schedule_new))
        m_schedule_next = m_schedule_new * m_t_1
        state.update(lr_t=lr_t, beta_1_t=beta_1_t, beta_2_t=beta_2_t, m_t=m_t, m_t_1=m_t_1,
                     m_schedule_new=m_schedule_new, m_schedule_next=m_schedule_next,
                     beta_2_power=math_ops.pow(beta_2_t, local_step),
                     epsilon=convert_to_tensor(self.epsilon, dtype=dtype))

    def _nadam_arguments(self, var, state):
        s = state
        return [var, self.get_slot(var, "m"), self.get_slot(var, "v"), s["lr_t"], s["beta_1_t"],
                s["beta_2_t"], s["epsilon"], s["m_t"], s["m_t_1"], s["m_schedule_new"],
                s["m_schedule_next"], s["beta_2_power"]]

    def _resource_apply_dense(self, grad, var, state):
        return _keras_ops().apply_nadam(*self._nadam_arguments(var, state), grad,
                                        use_locking=self._use_locking).op

    def _resource_apply_sparse(self, grad, var, indices, state):
        return _keras_ops().sparse_apply_nadam(*self._nadam_arguments(var, state), grad,
                                               indices, use_locking=self._use_locking).op

    def get_config(self):
        config = super().get_config()
        config.update({"learning_rate": self._serialize_hyperparameter("learning_rate"),
                       "decay": self._serialize_hyperparameter("decay"),
                       "beta_1": self._serialize_hyperparameter("beta_1"),
                       "beta_2": self._serialize_hyperparameter("beta_2"),
                       "epsilon": self.epsilon})
        return config


# -- lookup ----------------------------------------------------------------------------------------------
_NAMES = {"sgd": SGD, "adam": Adam, "rmsprop": RMSprop, "adagrad": Adagrad,
          "adadelta": Adadelta, "adamax": Adamax, "nadam": Nadam}


def serialize(optimizer):
    """The config dict of an optimizer: {'class_name': ..., 'config': ...}."""
    return serialize_keras_object(optimizer)


def deserialize(config, custom_objects=None):
    """An optimizer from ``{'class_name': 'Adam', 'config': {...}}`` (class names are matched
    case-insensitively for the built-in optimizers, as Keras does)."""
    objects = {cls.__name__: cls for cls in _NAMES.values()}
    objects.update({"Optimizer": Optimizer})
    if isinstance(config, dict) and isinstance(config.get("class_name"), str):
        name = config["class_name"]
        if name.lower() in _NAMES and not (custom_objects and name in custom_objects):
            config = dict(config, class_name=_NAMES[name.lower()].__name__)
    return deserialize_keras_object(config, objects, custom_objects,
                                    printable_module_name="optimizer")


def get(identifier):
    """An optimizer from a name ('adam', 'sgd', 'rmsprop', ...; Keras's defaults), a config
    dict, or an optimizer object (returned as is)."""
    if isinstance(identifier, Optimizer):
        return identifier
    if isinstance(identifier, dict):
        return deserialize(identifier)
    if isinstance(identifier, str):
        cls = _NAMES.get(identifier.lower())
        if cls is None:
            raise ValueError("Unknown optimizer: %r. Use one of %s or an optimizer object."
                             % (identifier, ", ".join(repr(n) for n in sorted(_NAMES))))
        return cls()
    from tfone.train.optimizer import Optimizer as TFOptimizer
    if isinstance(identifier, TFOptimizer):
        return TFOptimizerWrapper(identifier)
    raise ValueError("Could not interpret optimizer identifier: %r" % (identifier,))


class TFOptimizerWrapper(Optimizer):
    """A ``tf.train.*Optimizer`` used by a Keras model (``compile(optimizer=tf.train.
    AdamOptimizer(...))``): its own slots and update ops are used; it is not serializable."""

    def __init__(self, optimizer):
        super().__init__("TFOptimizer")
        self.optimizer = optimizer

    @property
    def iterations(self):
        if self._iterations is None:
            graph = self._graph or get_default_graph()
            from tfone.ops.variables import Variable
            with graph.as_default(), self._state_scope(graph), _init_scope(graph):
                self._iterations = Variable(0, name="iterations", trainable=False,
                                            dtype=dtypes.int64)
        return self._iterations

    def apply_gradients(self, grads_and_vars, name=None):
        grads_and_vars = list(grads_and_vars)
        graph = grads_and_vars[0][1].graph
        self._bind_graph(graph)
        with graph.as_default():
            _ = self.iterations
            op = self.optimizer.apply_gradients(grads_and_vars, name=name)
            with graph.control_dependencies([op]):
                return self.iterations.assign_add(1).op

    @property
    def weights(self):
        return self.optimizer.variables()

    def get_weights(self):
        return _backend().batch_get_value(self.weights)

    def set_weights(self, weights):
        _backend().batch_set_value(list(zip(self.weights, weights)))

    def get_config(self):
        raise NotImplementedError("A model compiled with a tf.train optimizer cannot save its "
                                  "optimizer; use a keras.optimizers optimizer (e.g. "
                                  "keras.optimizers.Adam()) to save the compile state.")
