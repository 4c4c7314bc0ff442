"""What an offline guess at a copied device folder costs: unlock-code guesses per second per core.

Someone who copies a device folder (a stolen laptop, the app server's disk in web mode) holds the
keyfile: the vault key wrapped by a key derived from the unlock code. The wrong-code counter in the
same folder does not stop them; each guess must still run Argon2id with the keyfile's parameters
(`sync.crypto.KdfParams`, 64 MiB, 3 passes, 4 lanes), since lowering them in the file derives
another key. The attack is: derive, try to open the wrapped key, next guess.

Measured in one process (one core): the attacker's loop with the product's parameters, as CPU
seconds per guess (the per-core rate, whatever else the machine runs) and wall seconds. Baseline in
the same run: the same loop with one SHA-256 instead of Argon2id, i.e. what the code would cost
to guess with a plain hash. The script prints the ratio, then how long one core takes to try every
code of a few code spaces (half of it on average): six digits (what the unlock screen accepted
before issue #14), eight digits (refused now: only digits), eight characters of lowercase letters
and digits (the smallest space the rules accept), two and three words of a 2,000-word list.

    .venv/bin/python benchmarks/unlock_guess_bench.py            # 8 guesses, ~5 s
    .venv/bin/python benchmarks/unlock_guess_bench.py --guesses 20
"""

import argparse
import hashlib
import os
import time
from collections.abc import Callable

from sync.crypto import Cipher, CryptoError, KdfParams, derive_key, wrap_key

YEAR = 365.25 * 24 * 3600
SPACES = {
    "6 digits (accepted before #14)": 10**6,
    "8 digits (refused: only digits)": 10**8,
    "8 characters a-z 0-9, not all digits": 36**8 - 10**8,
    "2 words of 2,000": 2000**2,
    "3 words of 2,000": 2000**3,
}


def attack(guesses: int, derive: Callable[[str], bytes], keyfile: dict[str, object]) -> tuple[float, float]:
    """CPU and wall seconds per wrong guess of the attacker's loop."""
    wrapped = bytes.fromhex(str(keyfile["wrapped"]))
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(guesses):
        try:
            Cipher(derive(f"guess-{n:06d}")).open(wrapped, b"vault-key")
        except CryptoError:
            continue
        raise SystemExit("a guess opened the vault: the benchmark's code is wrong")
    return (time.process_time() - cpu) / guesses, (time.perf_counter() - wall) / guesses


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--guesses", type=int, default=8, help="Argon2id guesses to time (default 8)")
    args = parser.parse_args()
    params = KdfParams()
    keyfile = wrap_key(os.urandom(32), "Marguerite 2026", params)
    salt = bytes.fromhex(str(keyfile["salt"]))

    base_cpu, base_wall = attack(
        args.guesses * 10_000, lambda code: hashlib.sha256(salt + code.encode()).digest(), keyfile
    )
    cpu, wall = attack(args.guesses, lambda code: derive_key(code, salt, params), keyfile)
    rate = 1 / cpu
    print(
        f"Argon2id t={params.iterations}, {params.memory_kib // 1024} MiB, {params.lanes} lanes;"
        f" {args.guesses} guesses"
    )
    print(
        f"  per guess: {cpu * 1000:.0f} ms CPU, {wall * 1000:.0f} ms wall  ->  {rate:.1f} guesses/s per core"
    )
    print(f"  baseline (one SHA-256): {1 / base_cpu:,.0f} guesses/s per core; ratio {cpu / base_cpu:,.0f}x")
    print("\nOne core, whole space (an average find takes half):")
    for name, size in SPACES.items():
        seconds = size / rate
        shown = f"{seconds / 3600:,.1f} hours" if seconds < YEAR else f"{seconds / YEAR:,.0f} years"
        print(f"  {name:<40} {size:>22,}  {shown}")


if __name__ == "__main__":
    main()
