"""Skip-gram word embeddings on a toy corpus: tf.nn.embedding_lookup + sparse softmax.

The word2vec tutorial in miniature: (center, context) pairs from a sliding window, an
embedding matrix looked up with tf.nn.embedding_lookup, a full softmax over the
vocabulary with tf.losses.sparse_softmax_cross_entropy, and nearest neighbours by cosine
similarity of the normalized embeddings. Words used in the same places (cat/dog/...,
fish/cheese/...) end up close together.
"""
import _example

import collections

import numpy as np
import tfone as tf
import viz

args = _example.parse_args(__doc__)
num_steps = 400 if args.fast else 3000

groups = {"animal": ["cat", "dog", "mouse", "bird", "fox"],
          "verb": ["eats", "likes", "wants", "finds"],
          "food": ["fish", "cheese", "seeds", "meat", "bread"],
          "place": ["garden", "kitchen", "forest", "house"]}
rng = np.random.RandomState(11)
sentences = []
for _ in range(600):
    pick = {g: words[rng.randint(len(words))] for g, words in groups.items()}
    sentences.append("the {animal} {verb} {food} in the {place}".format(**pick).split())

# Build the dictionary, most common words first (as in the word2vec tutorial).
count = collections.Counter(w for s in sentences for w in s).most_common()
dictionary = {word: i for i, (word, _) in enumerate(count)}
reverse_dictionary = {i: w for w, i in dictionary.items()}
vocabulary_size = len(dictionary)

window = 1
pairs = [(dictionary[s[i]], dictionary[s[j]]) for s in sentences for i in range(len(s))
         for j in range(max(0, i - window), min(len(s), i + window + 1)) if j != i]
pairs = np.array(pairs, dtype=np.int32)
print("vocabulary size %d, %d (center, context) pairs" % (vocabulary_size, len(pairs)))

batch_size, embedding_size = 128, 8
tf.set_random_seed(11)
train_inputs = tf.placeholder(tf.int32, shape=[batch_size])
train_labels = tf.placeholder(tf.int32, shape=[batch_size])

with tf.name_scope("embeddings"):
    embeddings = tf.Variable(
        tf.random_uniform([vocabulary_size, embedding_size], -1.0, 1.0), name="embeddings")
    embed = tf.nn.embedding_lookup(embeddings, train_inputs)

with tf.name_scope("softmax"):
    softmax_weights = tf.Variable(
        tf.truncated_normal([embedding_size, vocabulary_size], stddev=0.5), name="weights")
    softmax_biases = tf.Variable(tf.zeros([vocabulary_size]), name="biases")
    logits = tf.matmul(embed, softmax_weights) + softmax_biases

loss = tf.losses.sparse_softmax_cross_entropy(labels=train_labels, logits=logits)
optimizer = tf.train.AdagradOptimizer(0.5).minimize(loss)

norm = tf.sqrt(tf.reduce_sum(tf.square(embeddings), 1, keepdims=True))
normalized_embeddings = embeddings / norm
similarity = tf.matmul(normalized_embeddings, normalized_embeddings, transpose_b=True)

with tf.Session() as session:
    tf.global_variables_initializer().run()
    average_loss = 0.0
    for step in range(1, num_steps + 1):
        idx = rng.randint(0, len(pairs), batch_size)
        feed_dict = {train_inputs: pairs[idx, 0], train_labels: pairs[idx, 1]}
        _, loss_val = session.run([optimizer, loss], feed_dict=feed_dict)
        average_loss += loss_val
        if step % (num_steps // 4) == 0:
            print("Average loss at step", step, ":", average_loss / (num_steps // 4))
            average_loss = 0.0
    sim = similarity.eval()

group_of = {w: g for g, words in groups.items() for w in words}
hits = 0
for word in group_of:
    i = dictionary[word]
    nearest = [reverse_dictionary[k] for k in (-sim[i, :]).argsort()[1:4]]
    hits += group_of.get(nearest[0]) == group_of[word]
    if word in ("cat", "cheese", "likes", "garden"):
        print("Nearest to %s: %s" % (word, ", ".join(nearest)))
neighbour_accuracy = hits / float(len(group_of))

viz.render(viz.draw_graph(optimizer, title="skip-gram embeddings"),
           _example.path(args, "graph.png"))
print("final neighbour_accuracy: %.4f" % neighbour_accuracy)
