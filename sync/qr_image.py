"""QR codes as PNG images, for what the app shows to be scanned: a signed vaccination record
(`shc:/` then digits, in numeric mode as the SMART Health Cards framework asks) and a SMART Health
Link (`shlink:/...`, in byte mode)."""

import io

__all__ = ["png"]


def png(text: str) -> bytes:
    import qrcode  # only here: drawing a QR code is the one use of it

    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_L, box_size=4, border=4)
    head, _, digits = text.partition("shc:/")
    if not head and digits.isdigit():
        code.add_data(qrcode.util.QRData(b"shc:/", mode=qrcode.util.MODE_8BIT_BYTE))
        code.add_data(qrcode.util.QRData(digits.encode(), mode=qrcode.util.MODE_NUMBER))
    else:
        code.add_data(text)
    out = io.BytesIO()
    code.make_image().save(out, format="PNG")
    return out.getvalue()
