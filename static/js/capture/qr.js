// Reading QR codes: the browser's own BarcodeDetector where it has one, else the decoder the app
// serves itself (barcode-detector on zxing-wasm, static/vendor/), loaded only when first needed and
// kept by the service worker for offline use. Nothing is fetched from elsewhere.
let detector = null;

async function ownDetector(page) {
  const { BarcodeDetector, prepareZXingModule } = await import(page.dataset.qrModule);
  prepareZXingModule({
    overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? page.dataset.qrWasm : prefix + path) },
  });
  return new BarcodeDetector({ formats: ["qr_code"] });
}

async function nativeDetector() {
  if (!("BarcodeDetector" in self)) return null;
  const formats = await BarcodeDetector.getSupportedFormats().catch(() => []);
  return formats.includes("qr_code") ? new BarcodeDetector({ formats: ["qr_code"] }) : null;
}

/** The QR detector, created once; `page` carries the decoder's URLs in data-qr-module/-wasm. */
export async function qrDetector(page) {
  detector ??= (await nativeDetector()) || (await ownDetector(page));
  return detector;
}

/** The text of the first QR code in `source` (a video, an image, a blob), or null. */
export async function readQr(page, source) {
  const found = await (await qrDetector(page)).detect(source).catch(() => []);
  return found.length ? found[0].rawValue : null;
}
