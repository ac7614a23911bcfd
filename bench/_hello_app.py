"""The baseline for bench/exercise_poll.py: a bare Flask app answering a tiny response."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "hello"
