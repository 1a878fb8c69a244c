"""06: an LSTM that predicts a sine wave -- recurrent cells, unrolled in time.

A recurrent network reads a sequence one step at a time, carrying a state from step to step.
The LSTM cell's gates decide what the state keeps and forgets. Here an LSTM reads 20 values
of a noisy sine wave (random frequency and phase) and predicts the next value; then it runs
on its own predictions to draw the wave forward.

tfone builds tf.nn.dynamic_rnn by unrolling the time loop: one copy of the cell's ops per
time step (rnn/step_0 ... rnn/step_19), all sharing the same weights.

    python tutorials/06_rnn_lstm.py [--out DIR] [--fast]
"""
import _common  # first: it configures numpy and matplotlib for the lessons

import numpy as np

import tfone as tf
from tfone.keras.datasets import sine
import viz

lesson = _common.Lesson("06_rnn_lstm", __doc__)

TIMESTEPS, UNITS = 20, 24
# ---------------------------------------------------------------------------------------------
lesson.section("1. The data: windows of a sine wave, and the value that comes next")
(x_train, y_train), (x_test, y_test) = sine.load_data(n_samples=600 if lesson.fast else 2000,
                                                      timesteps=TIMESTEPS)
print("x_train %s (batch, time, features), y_train %s: the next value of the clean wave"
      % (x_train.shape, y_train.shape))
baseline = float(np.mean((x_test[:, -1, :] - y_test) ** 2))
print("baseline 'repeat the last value': test mean squared error %.4f" % baseline)

# ---------------------------------------------------------------------------------------------
lesson.section("2. The model: LSTMCell + dynamic_rnn + a linear read-out")
tf.set_random_seed(0)
sequences = tf.placeholder(tf.float32, [None, TIMESTEPS, 1], name="sequences")
targets = tf.placeholder(tf.float32, [None, 1], name="targets")
cell = tf.nn.rnn_cell.LSTMCell(UNITS)
outputs, state = tf.nn.dynamic_rnn(cell, sequences, dtype=tf.float32)
last_output = outputs[:, -1, :]                      # the output after the last time step
prediction = tf.layers.dense(last_output, 1, name="readout")
loss = tf.reduce_mean(tf.square(prediction - targets), name="mse")
train_op = tf.train.AdamOptimizer(0.01).minimize(loss)
print("outputs %s, final state: c %s, h %s" % (outputs.shape, state.c.shape, state.h.shape))
for v in tf.trainable_variables():
    print("  %-28s %s" % (v.name, v.shape))
print("the graph has %d ops: the cell's ops are repeated for each of the %d time steps"
      % (len(tf.get_default_graph().get_operations()), TIMESTEPS))

# ---------------------------------------------------------------------------------------------
lesson.section("3. Training")
sess = tf.Session()
sess.run(tf.global_variables_initializer())
rng = np.random.RandomState(0)
epochs, batch_size = (4 if lesson.fast else 20), 64
curve = []
for epoch in range(1, epochs + 1):
    order = rng.permutation(len(x_train))
    for start in range(0, len(x_train), batch_size):
        batch = order[start:start + batch_size]
        sess.run(train_op, {sequences: x_train[batch], targets: y_train[batch]})
    train_mse = float(sess.run(loss, {sequences: x_train, targets: y_train}))
    test_mse = float(sess.run(loss, {sequences: x_test, targets: y_test}))
    curve.append((train_mse, test_mse))
    if epoch == 1 or epoch % max(1, epochs // 5) == 0:
        print("  epoch %2d  train mse %.5f  test mse %.5f" % (epoch, train_mse, test_mse))
print("test mse %.5f vs %.4f for 'repeat the last value' (%.0fx smaller)"
      % (curve[-1][1], baseline, baseline / curve[-1][1]))

# ---------------------------------------------------------------------------------------------
lesson.section("4. Predictions, and the wave drawn forward from the LSTM's own outputs")
plt = _common.pyplot()
predicted = sess.run(prediction, {sequences: x_test[:4]})
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4), gridspec_kw={"width_ratios": [1.2, 1.2, 1]})
t = np.arange(TIMESTEPS)
for k, colour in enumerate(("#0072B2", "#D55E00", "#009E73", "#CC79A7")):
    axes[0].plot(t, x_test[k, :, 0], color=colour, alpha=0.7)
    axes[0].plot(TIMESTEPS, y_test[k, 0], "o", color=colour, markerfacecolor="white")
    axes[0].plot(TIMESTEPS, predicted[k, 0], "x", color=colour, markersize=9, mew=2)
axes[0].set_title("4 test windows: true next value (o), LSTM (x)", fontsize=10)
axes[0].set_xlabel("time step")

# Free-running: start from 20 clean values of a wave the model never saw, then feed each
# prediction back as the newest input.
frequency, phase, horizon = 1.3, 0.4, 40
clock = np.arange(TIMESTEPS + horizon) / float(TIMESTEPS)
wave = np.sin(2 * np.pi * frequency * clock + phase).astype(np.float32)
window = list(wave[:TIMESTEPS])
generated = []
for _ in range(horizon):
    latest = np.array(window[-TIMESTEPS:], np.float32).reshape(1, TIMESTEPS, 1)
    nxt = float(sess.run(prediction, {sequences: latest})[0, 0])
    generated.append(nxt)
    window.append(nxt)
generation_error = float(np.sqrt(np.mean((np.array(generated) - wave[TIMESTEPS:]) ** 2)))
print("running on its own outputs for %d steps: RMS error %.3f (the wave's amplitude is 1)"
      % (horizon, generation_error))
axes[1].plot(np.arange(TIMESTEPS + horizon), wave, color="#999999", linewidth=4, alpha=0.5,
             label="true wave")
axes[1].plot(np.arange(TIMESTEPS), wave[:TIMESTEPS], color="#0072B2", label="given")
axes[1].plot(np.arange(TIMESTEPS, TIMESTEPS + horizon), generated, "--", color="#D55E00",
             label="LSTM, fed its own outputs")
axes[1].axvline(TIMESTEPS - 0.5, color="black", linestyle=":")
axes[1].set_title("generation: RMS error %.3f over %d steps" % (generation_error, horizon),
                  fontsize=10)
axes[1].set_xlabel("time step")
axes[1].legend(fontsize=7, loc="lower left")
axes[2].plot(range(1, epochs + 1), [c[0] for c in curve], "-o", color="#0072B2", ms=3,
             label="train")
axes[2].plot(range(1, epochs + 1), [c[1] for c in curve], "--o", color="#D55E00", ms=3,
             label="test")
axes[2].axhline(baseline, color="#999999", linestyle=":", label="repeat last value")
axes[2].set_yscale("log")
axes[2].set_title("mean squared error", fontsize=10)
axes[2].set_xlabel("epoch")
axes[2].legend(fontsize=7)
fig.tight_layout()
lesson.save(fig, "predictions.png", "predictions, generation and the error per epoch")

# ---------------------------------------------------------------------------------------------
lesson.section("5. The unrolled graph")
steps = sorted({op.name.split("/")[1] for op in tf.get_default_graph().get_operations()
                if op.name.startswith("rnn/step_")}, key=lambda s: int(s.split("_")[1]))
lesson.say("""The forward graph has one name scope per time step (%s ... %s, %d scopes). With
collapse_repeats=True viz draws a run of identical scopes as a single box marked xN. Drawn on
its own, step_0 shows the LSTM cell: the 4 gates come from one matmul and a split (input i,
candidate j, forget f with forget_bias 1, output o); the new cell state is
sigmoid(f + 1) * c + sigmoid(i) * tanh(j), and the output is sigmoid(o) * tanh(c).""" % (
    steps[0], steps[-1], len(steps)))
lesson.save(viz.draw_graph(loss, show_gradients=False, collapse_repeats=True,
                           title="LSTM unrolled over %d time steps" % TIMESTEPS),
            "unrolled_graph.png", "the unrolled forward graph, repeated steps collapsed ×N")
first_step = [op for op in tf.get_default_graph().get_operations()
              if op.name.startswith("rnn/step_0/")]
lesson.save(viz.draw_graph(first_step[-1].outputs[0] if first_step else loss,
                           show_gradients=False, budget=None,
                           title="one time step of the LSTM cell"),
            "lstm_step.png", "the ops of one LSTM step: gates, cell state, output")
sess.close()

lesson.done()
