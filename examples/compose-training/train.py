"""A first training job logging to Grimoire: parameters, a metric per epoch, an artifact.

Nothing here knows about Grimoire: MLFLOW_TRACKING_URI (and MLFLOW_EXPERIMENT_NAME) point
the unmodified mlflow client at it.
"""

import json
import tempfile
from pathlib import Path

import mlflow
from sklearn.datasets import load_iris
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import train_test_split

EPOCHS = 10

features, labels = load_iris(return_X_y=True)
train_x, test_x, train_y, test_y = train_test_split(features, labels, random_state=0)
model = SGDClassifier(loss="log_loss", learning_rate="constant", eta0=0.01, random_state=0)

with mlflow.start_run() as run:
    mlflow.log_params({"model": "SGDClassifier", "eta0": 0.01, "epochs": EPOCHS})
    for epoch in range(EPOCHS):
        model.partial_fit(train_x, train_y, classes=sorted(set(labels)))
        mlflow.log_metric("accuracy", model.score(test_x, test_y), step=epoch)
    with tempfile.TemporaryDirectory() as folder:
        weights = Path(folder) / "weights.json"
        weights.write_text(json.dumps({"coef": model.coef_.tolist()}))
        mlflow.log_artifact(str(weights), artifact_path="model")
    print(f"logged run {run.info.run_id}")
