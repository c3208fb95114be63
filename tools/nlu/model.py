"""The intent and dialogue-act classifiers: char n-gram TF-IDF + a calibrated linear SVM.

Both are fitted from the training part of the corpus once per process (a few hundred
milliseconds, no download, deterministic) with scikit-learn. Prediction does not go through
scikit-learn's per-call input validation: the fitted vocabulary, idf, weights and sigmoid
calibrators are read out once and applied with numpy (tens of microseconds a message).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.svm import LinearSVC

from tools.nlu.corpus import Act, Part, examples
from tools.planner.lexicon import normalize

NGRAMS = (1, 3)  # characters, inside word boundaries: robust to typos and to zh without spaces
C = 1.0  # chosen by 5-fold cross-validation on the training part (bench/nlu_eval.py --cv)
_FOLDS = 3  # the calibration's internal folds


@dataclass(frozen=True)
class Prediction:
    """Labels with calibrated probabilities, most likely first."""

    ranked: tuple[tuple[str, float], ...]

    @property
    def label(self) -> str:
        """The most likely label."""
        return self.ranked[0][0]

    @property
    def confidence(self) -> float:
        """The probability of the most likely label."""
        return self.ranked[0][1]

    def prob(self, label: str) -> float:
        """The probability of `label` (0 when it is not a class)."""
        return next((p for name, p in self.ranked if name == label), 0.0)


class TextClassifier:
    """A calibrated linear classifier over character n-grams of normalised text."""

    def __init__(self, texts: Sequence[str], labels: Sequence[str]) -> None:
        vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True)
        features = vectorizer.fit_transform([prepare(t) for t in texts])
        calibrated = CalibratedClassifierCV(LinearSVC(C=C, random_state=0), cv=_FOLDS,
                                            ensemble=False).fit(features, list(labels))
        fitted = calibrated.calibrated_classifiers_[0]
        self.classes: tuple[str, ...] = tuple(str(c) for c in calibrated.classes_)
        self._analyzer = vectorizer.build_analyzer()
        self._vocabulary: dict[str, int] = {str(k): int(v) for k, v in vectorizer.vocabulary_.items()}
        self._idf: NDArray[np.float64] = vectorizer.idf_.astype(np.float64)
        self._weights: NDArray[np.float64] = np.ascontiguousarray(fitted.estimator.coef_.T, dtype=np.float64)
        self._bias: NDArray[np.float64] = np.asarray(fitted.estimator.intercept_, dtype=np.float64)
        self._slope = np.array([c.a_ for c in fitted.calibrators], dtype=np.float64)
        self._offset = np.array([c.b_ for c in fitted.calibrators], dtype=np.float64)
        self.sklearn = (vectorizer, calibrated)  # kept for tests that compare both paths

    def predict(self, text: str) -> Prediction:
        """Calibrated probabilities of every class for one message."""
        return self._predict(prepare(text))

    @lru_cache(maxsize=512)  # noqa: B019 - one instance per process, cached for its lifetime
    def _predict(self, prepared: str) -> Prediction:
        counts = Counter(i for g in self._analyzer(prepared) if (i := self._vocabulary.get(g)) is not None)
        scores = self._bias.copy()
        if counts:
            index = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
            tf = np.fromiter((1.0 + math.log(n) for n in counts.values()), dtype=np.float64,
                             count=len(counts))
            values = tf * self._idf[index]
            values /= np.linalg.norm(values)
            scores = scores + values @ self._weights[index]
        probs = 1.0 / (1.0 + np.exp(self._slope * scores + self._offset))
        total = float(probs.sum())
        probs = probs / total if total > 0 else np.full(len(probs), 1.0 / len(probs))
        order = np.argsort(-probs, kind="stable")
        return Prediction(tuple((self.classes[i], float(probs[i])) for i in order))


def prepare(text: str) -> str:
    """What the classifiers read: normalised (NFKC, single spaces) and lower-cased."""
    return normalize(text).lower()


@cache
def intent_model() -> TextClassifier:
    """The intent classifier: every training request (answers to a pending action excluded)."""
    train = [e for e in examples(Part.TRAIN) if e.act is Act.NEW_REQUEST]
    return TextClassifier([e.text for e in train], [e.intent for e in train])


@cache
def act_model() -> TextClassifier:
    """The dialogue-act classifier: new request, confirm, decline or other."""
    train = examples(Part.TRAIN)
    return TextClassifier([e.text for e in train], [e.act.value for e in train])


def warm() -> None:
    """Fit both models now (the server does it at start-up, so no turn waits for it)."""
    intent_model()
    act_model()
