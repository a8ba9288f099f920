"""The MLflow tutorial's training script, unchanged for Grimoire: `grimoire run` (or the pod's
`grimoire job-exec`) sets MLFLOW_RUN_ID, so `start_run` attaches to the run that is the job."""

import argparse

import mlflow
import mlflow.sklearn
from sklearn.datasets import make_regression
from sklearn.linear_model import LinearRegression
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import train_test_split

parser = argparse.ArgumentParser()
parser.add_argument("--n-samples", type=int, default=1000)
parser.add_argument("--noise", type=float, default=0.1)
parser.add_argument("--model-name", default="sklearn-model")
args = parser.parse_args()

X, y = make_regression(n_samples=args.n_samples, n_features=4, noise=args.noise, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

with mlflow.start_run(nested=True):
    mlflow.log_param("n_samples", args.n_samples)
    mlflow.log_param("noise", args.noise)
    model = LinearRegression().fit(X_train, y_train)
    mse = mean_squared_error(y_test, model.predict(X_test))
    mlflow.log_metric("mse", mse)
    mlflow.sklearn.log_model(model, name="model", registered_model_name=args.model_name)
    print(f"mse={mse:.4f}, registered as {args.model_name}")
