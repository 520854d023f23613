"""secret: make a strong SECRET_KEY, or judge the one set (entropy, not length: see dashboard/exposure.py)."""

from __future__ import annotations

import argparse
import os
import secrets

from dashboard.exposure import MIN_SECRET_BITS, secret_bits, secret_problem


def configure(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("secret", help="print a new random SECRET_KEY (or --check the one in the environment)")
    p.add_argument("--check", action="store_true", help="judge SECRET_KEY from the environment; exit 1 if weak")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.check:
        key = os.environ.get("SECRET_KEY", "").strip()
        problem = secret_problem(key)
        if problem:
            print(f"weak: {problem}; make one with `python -m dashboard secret`")
            return 1
        print(f"ok: about {secret_bits(key):.0f} bits of entropy ({MIN_SECRET_BITS} needed)")
        return 0
    print(secrets.token_urlsafe(48))  # 384 random bits
    return 0
