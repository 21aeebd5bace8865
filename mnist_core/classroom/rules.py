"""What a class may store, checked at the door: codes, keys, drawings, labels, lifetimes; and the `.npz` export.

A drawing is exactly a 28×28 image of floats in [0, 1] (what the Draw page makes, and what the
models take); it is stored as 784 uint8 bytes, round(255 · pixel), as MNIST stores its digits. A
label is a whole number 0–9. Anything else raises `ClassroomError` with one sentence. No names are
ever asked for or stored: a visitor is a random token per browser, and a client address is kept only as a
hash salted with the class code (`client_token`).
"""

import hashlib
import hmac
import io
import re
import secrets
import zipfile

import numpy as np

from mnist_core.i18n import _, integer, ngettext
from mnist_core.models.inference import SIDE

CODE_LENGTH = 6
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: easy to read off a projector
MIN_HOURS, MAX_HOURS = 1, 30 * 24
NPZ_KEYS = ("x_test", "y_test")  # as in keras's mnist.npz: a class's drawings are a test set


class ClassroomError(ValueError):
    """A request the classroom refuses; the message is one sentence fit to show the visitor, in their language."""


def new_code() -> str:
    """A class code: 6 characters from 31, about 887 million codes, drawn with `secrets`."""
    return "".join(secrets.choice(CODE_ALPHABET) for _position in range(CODE_LENGTH))


def new_secret() -> str:
    """A teacher key or a visitor token: 128 random bits as 32 hex digits."""
    return secrets.token_hex(16)


def key_hash(key: str) -> str:
    """What the database keeps of a teacher key: its SHA-256, never the key itself."""
    return hashlib.sha256(key.encode()).hexdigest()


def key_matches(key: str, stored_hash: str) -> bool:
    return isinstance(key, str) and hmac.compare_digest(key_hash(key), stored_hash)


def client_token(code: str, client: str) -> str:
    """What the database keeps of a client's address (or, without one, its browser id) for the per-address cap:
    a hash salted with the class code, so the same address is not recognisable from one class to the next."""
    return hashlib.sha256(f"{code}\n{client}".encode()).hexdigest()[:32]


def check_code(code: object) -> str:
    """A typed code, tidied (spaces dropped, upper case), or ClassroomError."""
    tidy = re.sub(r"\s", "", code).upper() if isinstance(code, str) else ""
    if len(tidy) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in tidy):
        raise ClassroomError(_("A class code is {length} letters and digits, like the one on your teacher's "
                               "screen.").format(length=integer(CODE_LENGTH)))
    return tidy


def check_visitor(visitor: object) -> str:
    if not (isinstance(visitor, str) and re.fullmatch(r"[0-9a-f]{32}", visitor)):
        raise ClassroomError(_("This browser session has no valid visitor token; reload the page."))
    return visitor


def check_hours(hours: object) -> float:
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not MIN_HOURS <= hours <= MAX_HOURS:
        # TRANSLATORS: {shortest} and {longest} are durations such as "1 hour" and "30 days"; {hours} is what
        # was asked for, as written in the code (e.g. 0.5 or '2').
        raise ClassroomError(_("A class stays open from {shortest} to {longest}, not {hours} hours.").format(
            shortest=time_left(MIN_HOURS * 3600), longest=time_left(MAX_HOURS * 3600), hours=repr(hours)))
    return float(hours)


def check_label(label: object) -> int:
    if isinstance(label, bool) or not isinstance(label, int | np.integer) or not 0 <= label <= 9:
        # TRANSLATORS: {label} is what was given instead, as written in the code (e.g. 10 or '3').
        raise ClassroomError(_("The digit you meant must be a whole number from 0 to 9, not {label}.").format(
            label=repr(label)))
    return int(label)


def to_pixels(image: object) -> bytes:
    """A 28×28 drawing as the 784 uint8 bytes the database stores, or ClassroomError."""
    if not isinstance(image, np.ndarray) or image.shape != (SIDE, SIDE):
        raise ClassroomError(_("A drawing must be a {side}×{side} image.").format(side=integer(SIDE)))
    if image.dtype.kind != "f" or not np.isfinite(image).all() or image.min() < 0 or image.max() > 1:
        raise ClassroomError(_("A drawing's pixels must be numbers from 0 to 1."))
    return np.round(image * 255).astype(np.uint8).tobytes()


def from_pixels(rows: list[bytes]) -> np.ndarray:
    """Stored drawings back as uint8 (N, 28, 28)."""
    return np.frombuffer(b"".join(rows), np.uint8).reshape(-1, SIDE, SIDE)


def export_npz(images: np.ndarray, labels: np.ndarray) -> bytes:
    """The drawings as an MNIST-style `.npz`: x_test uint8 (N, 28, 28), y_test uint8 (N,).

    Written entry by entry with a fixed timestamp (np.savez stamps the current time), so the same
    drawings always give the same bytes. Load it with `np.load(path)["x_test"]`.
    """
    arrays = dict(zip(NPZ_KEYS, (np.asarray(images, np.uint8), np.asarray(labels, np.uint8))))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, array, allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            archive.writestr(info, member.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def time_left(seconds: float) -> str:
    """'2 days 3 hours', '5 hours 10 minutes' or '12 minutes': how long a class stays open, in the visitor's
    language."""
    minutes = max(0, int(seconds // 60))
    days, hours, minutes = minutes // 1440, minutes // 60 % 24, minutes % 60
    words = [(days, ngettext("{n} day", "{n} days", days)), (hours, ngettext("{n} hour", "{n} hours", hours)),
             (minutes, ngettext("{n} minute", "{n} minutes", minutes))]
    parts = [text.format(n=integer(n)) for n, text in (words[:2] if days else words[1:]) if n]
    if len(parts) == 2:
        # TRANSLATORS: a duration in two parts, e.g. "2 days" and "3 hours", or "5 hours" and "10 minutes".
        return _("{larger} {smaller}").format(larger=parts[0], smaller=parts[1])
    return parts[0] if parts else _("less than a minute")
