#!/usr/bin/env python3
"""The embedded encoder service through the official OpenAI Python client, in its default configuration.

The client asks for base64 vectors unless told otherwise and decodes them itself, so this checks
the protocol as a user's code meets it, not as our Swift client happens to speak it. Prints one
JSON line with what it measured; exits non-zero when anything is off.

Usage: encoder_openai_client.py --base-url http://127.0.0.1:PORT/v1
"""

import argparse
import json
import sys

import openai


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", required=True)
    args = parser.parse_args()
    client = openai.OpenAI(base_url=args.base_url, api_key="not-needed-locally")
    first = ["The cat sits outside", "A man is playing guitar", "The new movie is awesome"]
    second = ["The dog plays in the garden", "A woman watches TV", "The new movie is so great"]
    answer = client.embeddings.create(model="all-MiniLM-L6-v2", input=first + second)
    vectors = [item.embedding for item in sorted(answer.data, key=lambda d: d.index)]
    similarities = [sum(a * b for a, b in zip(vectors[i], vectors[i + 3])) for i in range(3)]
    try:
        client.embeddings.create(model="another-model", input=["x"])
        refused = None
    except openai.NotFoundError as error:
        refused = {"status": error.status_code, "param": (error.body or {}).get("param")}
    report = {"dimensions": [len(v) for v in vectors], "similarities": [round(s, 4) for s in similarities],
              "model": answer.model, "prompt_tokens": answer.usage.prompt_tokens, "unknown_model": refused}
    print(json.dumps(report))
    ok = (all(len(v) == 384 for v in vectors) and all(abs(s - e) < 0.002 for s, e in zip(similarities, [0.2838, -0.0327, 0.8939]))
          and refused == {"status": 404, "param": "model"})
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
