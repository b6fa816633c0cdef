"""The spam-SMS text classifier: spam or not, the kind of spam, a score and the reasons.

Offline and light to import: scikit-learn is loaded by the functions that train or load a
model, never at import time (the CLI's start-up cost, docs/testing.md). Modules:
kinds (codes and names), features (what is read in a text), sources (labelled data),
training (fit and evaluate), model_store (versions on disk), classifier (the services' API),
report (the evaluation as text). docs/spam-classifier.md tells how to train and what it scores.
"""
